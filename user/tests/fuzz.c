/*
 * fuzz: a system-call fuzzer.  No user input may panic the kernel, hang
 * it, or leak what it owns (DESIGN.md section 9).
 *
 *	fuzz [-v] [-b batch] [seed [calls]]	(defaults: seed 1, 20000 calls)
 *
 * The work is cut into batches of BATCH calls.  Each batch runs in a
 * child process with its own seed (derived from the seed and the batch
 * number), so one batch can be replayed alone: `fuzz -v -b 17 SEED'
 * starts at batch 17 and prints every call before making it.  A child
 * issues random system calls -- any number of the table, known or not,
 * with random and adversarial arguments: NULL, kernel and non-canonical
 * addresses, unmapped and page-straddling pointers (with sizes that run
 * just past the edge, into the unmapped page after the heap or after a
 * vmap page), read-only text, huge sizes and counts, random flags,
 * hostile executables (/fz/hx, an ELF image with random program headers,
 * rewritten by a quarter of the batches; /fz/hxbig, a PT_LOAD memsz of
 * 127 TiB) -- and may well die of what it
 * does (a fault, a signal, an exec); that is its business.  The parent
 * only forks, waits, and kills a child that made no call for STALL_MS, or
 * none since its last look and sleeps for an event, or runs over
 * TIME_LIMIT_MS (a call may legitimately sleep for ever, e.g. reading its
 * own empty pipe).
 *
 * Calls that would end the whole run are not made: exit and threxit (they
 * only end a batch early), poweroff, and kill of init, of the fuzzer or of its
 * parent; and a few arguments are tamed so the run stays readable:
 * ktest gets no valid group name (the groups print TAP), mknod makes no
 * console device (the children have no console: random bytes on it
 * would confuse the grader), msleep sleeps at most 9 ms, sbrk grows
 * the heap by at most 256 KiB at a time when it could succeed (every
 * fork copies the heap), and calls that sleep until an event that will
 * not come (sigsuspend, thrsleep) are made only one time in ten: each
 * costs the batch its time limit.  New system
 * calls are fuzzed without any change here (numbers up to
 * SYS_MAXSYSCALL); add one to the list in tame() only if it would stop
 * the machine.
 *
 * Output is TAP: the kernel survived (no panic -- the grader sees that),
 * every child died when killed (else: a kernel hang), and nothing leaked
 * (init's leak check after the run says so too).  Children work in /fz.
 */
#include <aqua/fork.h>
#include <aqua/fsformat.h>
#include <aqua/memory.h>
#include <aqua/procinfo.h>
#include <aqua/syscall.h>
#include <aqua/sysinfo.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfind.h"	/* proc_find */
#include "runtime.h"
#include <verdict.h>
#include <syscall.h>		/* md_syscall6: the port's system-call instruction */
#include <machine/insn.h>	/* MD_INSN_LOOP */

#define BATCH		200	/* calls per child: fits the progress pipe */
#define TIME_LIMIT_MS	2000	/* per child (a batch takes ~100 ms), then SIGKILL */
#define STALL_MS	50	/* a child that made no call for so long is killed */
#define POLL_MS		5	/* how often the parent looks */
#define DEATH_LIMIT_MS	10000	/* a killed child must be gone by then */
#define PAGE		4096

/*
 * Descriptors the child keeps for itself, out of the range most random
 * descriptors fall in; arguments that name them are changed (guard()).
 */
#define PROGRESS_FD	(NOFILE - 1)	/* one byte per call made */
#define LOG_FD		(NOFILE - 2)	/* -v: the console, for the call log */

/* ---- the system-call instruction ------------------------------------- */

static long
raw_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	return md_syscall6(n, a0, a1, a2, a3, a4, a5);	/* user/arch/<port>/syscall.h */
}

/* ---- random numbers: xorshift64*, one stream per batch ------------------- */

static uint64_t rng;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static unsigned long
below(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static uint64_t
batch_seed(uint64_t seed, unsigned long batch)
{
	uint64_t s = seed * 0x9E3779B97F4A7C15ULL + batch * 0xBF58476D1CE4E5B9ULL + 1;

	s ^= s >> 31;
	return s ? s : 1;
}

/* ---- what arguments are made of --------------------------------------- */

static char scratch[4 * PAGE] __attribute__((aligned(PAGE)));	/* writable */
static char *heap_edge;		/* a mapped heap page ends here, unmapped after */
static char *hole_edge;		/* a vmap page ends here, its neighbour unmapped again */
/*
 * Bytes left before the edge when the last pointer made was a straddling
 * one (0 otherwise): the size made next then often runs just past the
 * edge, so a read or write is good for its first part only -- what found
 * the pipe read that lost its bytes to EFAULT (issue 26).
 */
static uint64_t straddle_room;

static char *pool[] = {
	"a", "b", "d", "d/e", "d/e/f", "d/", "a/", ".", "..", "", "/", "//",
	"/fz", "/fz/a", "/fz/d/../a", "//fz//b", "/README", "/bin", "/bin/",
	"/bin/true", "/bin/false", "/nonexistent", "/nonexistent/x", "/README/x",
	"abcdefghijklmn", "abcdefghijklmno", "d/abcdefghijklmnopqrstuvwxyz",
	"x/y/z/w/v/u/t/s/r/q/p/o/n/m/l/k/j/i/h/g/f/e/d/c/b/a/x/y/z/w/v/u/t/s/r/q/"
	"p/o/n/m/l/k/j/i/h/g/f/e/d/c/b/a/x/y/z/w/v/u/t/s/r/q/p/o/n/m/l/k/j/i/h/g",
	"no-such-ktest-group", "/fz/hx", "/fz/hxbig",
};
#define NPOOL	(int)(sizeof(pool) / sizeof(pool[0]))

static char *argv_true[] = { "true", NULL };
static char *argv_some[] = { "x", "a", "", "/fz", NULL };
static char *argv_bad[] = { "x", (char *)0xffff800000000000UL, NULL };

/* Kernel, non-canonical and odd addresses, for both ports. */
static const uint64_t bad_addrs[] = {
	0, 1, 8, 0xfff, 0x1000,
	0xffff800000000000ULL,	/* x86_64 direct map */
	0xffffffff80000000ULL,	/* x86_64 kernel */
	0xffffffff80200000ULL,	/* RISC-V kernel text */
	0xffffffc000000000ULL,	/* RISC-V direct map */
	0x0000800000000000ULL,	/* non-canonical on x86_64 */
	0x0000004000000000ULL,	/* above Sv39's user half */
	0x00007ffffffff000ULL, 0x0000003ffffff000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
};

static const uint64_t sizes[] = {
	0, 1, 2, 7, 8, 16, 64, 511, 512, 1023, 1024, 4095, 4096, 4097, 65536,
	1 << 20, 0x7fffffff, 0x80000000ULL, 0xffffffffULL, 0x100000000ULL,
	0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL,
	(uint64_t)-4096, (uint64_t)-1 << 12,
};

#define N(a)	(sizeof(a) / sizeof((a)[0]))

static uint64_t
any_pointer(void)
{
	switch (below(11)) {
	case 0: case 1: case 2:		/* somewhere in the scratch pages */
		return (uintptr_t)(scratch + below(sizeof(scratch)));
	case 3:				/* the start of a scratch page */
		return (uintptr_t)(scratch + below(4) * PAGE);
	case 4:				/* the last bytes before unmapped memory */
		straddle_room = 1 + below(16);
		return (uintptr_t)(heap_edge - straddle_room);
	case 9:				/* anywhere in the page before a hole */
		straddle_room = 1 + below(PAGE);
		return (uintptr_t)(hole_edge - straddle_room);
	case 5:				/* read-only text */
		return (uintptr_t)raw_syscall + below(64);
	case 6:				/* a pool string */
		return (uintptr_t)pool[below(NPOOL)];
	case 7:
		return bad_addrs[below(N(bad_addrs))] + below(3) * below(PAGE);
	case 8:				/* unmapped, far above the heap */
		return (uintptr_t)heap_edge + (1 + below(1 << 20)) * PAGE;
	default:
		return rnd();
	}
}

static uint64_t
any_size(void)
{
	uint64_t room = straddle_room;

	straddle_room = 0;
	if (room != 0 && below(2))	/* past the edge by a little or a page */
		return room + (below(2) ? 1 + below(64) : PAGE);
	return below(3) == 0 ? below(8192) : sizes[below(N(sizes))];
}

static uint64_t
any_int(void)
{
	switch (below(8)) {
	case 0: return 0;
	case 1: return (uint64_t)-1;
	case 2: return below(64);
	case 3: return (uint64_t)(int32_t)rnd();	/* negative ints too */
	case 4: return 1UL << below(64);
	case 5: return below(NOFILE + 4);		/* descriptor-like */
	case 6: return below(2) ? 0x7fffffff : 0x80000000U;
	default: return rnd();
	}
}

static uint64_t
any_flags(void)
{
	static const uint64_t bits[] = {
		O_RDONLY, O_WRONLY, O_RDWR, O_ACCMODE, O_APPEND, O_CREAT, O_TRUNC,
		O_EXCL, FORK_FORK, FORK_VFORK, FORK_IDLE, FORK_PPWAIT,
		FORK_SHAREFILES, FORK_SYSTEM, FORK_NOZOMBIE, FORK_SHAREVM,
		FORK_PTRACE, WNOHANG, 0x40000000, 0x80000000U,
	};
	uint64_t f = 0;

	for (int i = below(4); i >= 0; i--)
		f |= bits[below(N(bits))];
	return below(8) == 0 ? (uint64_t)rnd() : f;
}

/*
 * Argument kinds of the calls we know (f: descriptor, p: pointer, s: size,
 * n: path, v: argv, i: integer, o: flags).  Any other call, and a quarter
 * of the time any call, gets anything anywhere.
 */
static const char *
kinds(long n)
{
	switch (n) {
	case SYS_read: case SYS_write:	return "fps";
	case SYS_open:			return "no";
	case SYS_close: case SYS_dup:	return "f";
	case SYS_waitpid:		return "ipo";
	case SYS_pipe:			return "p";
	case SYS_link:			return "nn";
	case SYS_unlink: case SYS_chdir: case SYS_mkdir: return "n";
	case SYS_exec:			return "nv";
	case SYS_mknod:			return "nii";
	case SYS_fstat:			return "fp";
	case SYS_lseek:			return "fii";
	case SYS_dup2:			return "ff";
	case SYS_kill:			return "ii";
	case SYS_sbrk:			return "i";
	case SYS_msleep:		return "i";
	case SYS_rfork1:		return "o";
	case SYS_procinfo:		return "ip";
	case SYS_bootargs: case SYS_getcwd: return "ps";
	case SYS_sysinfo:		return "p";
	case SYS_ktest:			return "n";
#ifdef SYS___sigaction
	case SYS___sigaction:		return "ippp";	/* sig, act, oact, trampoline */
	case SYS_sigreturn:		return "p";
	case SYS___sigprocmask:		return "io";
	case SYS_alarm:			return "i";
#endif
#ifdef SYS_ptrace
	case SYS_ptrace:		return "iipi";	/* request, pid, addr, data */
#endif
#ifdef SYS_makecxt
	case SYS_makecxt:		return "ppspio";
#endif
#ifdef SYS_thrsleep
	case SYS_thrsleep: case SYS_thrwakeup: return "pi";
#endif
#ifdef SYS_vmap
	case SYS_vmap:			return "psiopp";	/* addr, size, prot, flags, phys, conv */
	case SYS_vunmap:		return "ps";
	case SYS_vctl:			return "pips";		/* addr, option, arg, n */
	case SYS_vmapinfo:		return "iip";
#endif
	default:			return "";
	}
}

static uint64_t
make_arg(char kind)
{
	switch (kind) {
	case 'f':
		return below(6) == 0 ? any_int() : below(NOFILE + 2);
	case 'p':
		return any_pointer();
	case 's':
		return any_size();
	case 'n':
		return below(6) == 0 ? any_pointer() : (uintptr_t)pool[below(NPOOL)];
	case 'v':
		switch (below(5)) {
		case 0: return (uintptr_t)argv_true;
		case 1: return (uintptr_t)argv_some;
		case 2: return (uintptr_t)argv_bad;
		default: return any_pointer();
		}
	case 'o':
		return any_flags();
	case 'i':
		return any_int();
	default:
		switch (below(4)) {
		case 0: return any_pointer();
		case 1: return any_size();
		case 2: return any_flags();
		default: return any_int();
		}
	}
}

/*
 * Hostile executables.  The ELF header of /bin/true (read once by the
 * parent: the machine), n program headers of random shape -- sizes,
 * offsets and addresses from the lists above, huge and kernel ones
 * included -- and a page of code at 4096 that loops, so an image that
 * happens to be valid runs until the parent kills the batch as stalled.
 * exec must refuse the others at once (exec.2), however big they say
 * they are.
 */
static unsigned char elf_header[64];
static unsigned char elf_image[2 * PAGE];
static const unsigned char fz_loop[] = MD_INSN_LOOP;

struct fz_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static uint64_t
elf_size(void)
{
	switch (below(4)) {
	case 0: return below(4) * PAGE + below(64);
	case 1: return 0x7f0000000000ULL >> below(8);	/* 127 TiB, and less */
	default: return any_size();
	}
}

static void
write_elf(const char *path, int huge)
{
	struct fz_phdr ph[3];
	int n = huge ? 2 : 1 + below(3), fd;
	uint64_t phoff = huge || below(4) ? 64 : any_size();
	uint64_t entry = 0x400000;
	uint16_t phnum = below(8) ? n : (uint16_t)rnd(), phentsize = sizeof(ph[0]), zero = 0;

	memset(elf_image, 0, sizeof(elf_image));
	memcpy(elf_image, elf_header, sizeof(elf_header));
	/* A text segment that would work, then hostile ones. */
	ph[0] = (struct fz_phdr){ 1, 5, PAGE, 0x400000, 0, PAGE, PAGE, PAGE };
	for (int i = 1; i < n; i++) {
		ph[i].type = below(8) ? 1 : (uint32_t)rnd();
		ph[i].flags = below(8);
		ph[i].offset = below(2) ? PAGE : elf_size();
		ph[i].vaddr = below(2) ? 0x10000000 + below(1 << 16) * PAGE + below(2) * below(PAGE) :
		    below(2) ? bad_addrs[below(N(bad_addrs))] : rnd();
		ph[i].paddr = 0;
		ph[i].filesz = below(2) ? below(2 * PAGE) : elf_size();
		ph[i].memsz = elf_size();
		ph[i].align = PAGE;
	}
	if (huge)
		ph[1] = (struct fz_phdr){ 1, 6, 0, 0x10000000, 0, 0, 0x7f0000000000ULL, PAGE };
	if (below(8) == 0)
		entry = any_pointer();
	memcpy(elf_image + 24, &entry, 8);
	memcpy(elf_image + 32, &phoff, 8);
	memset(elf_image + 40, 0, 8);			/* no section headers */
	memcpy(elf_image + 54, &phentsize, 2);
	memcpy(elf_image + 56, &phnum, 2);
	memcpy(elf_image + 60, &zero, 2);
	memcpy(elf_image + 64, ph, n * sizeof(ph[0]));
	memcpy(elf_image + PAGE, fz_loop, sizeof(fz_loop));	/* loop for ever */
	unlink(path);
	if ((fd = open(path, O_CREAT | O_WRONLY)) >= 0) {
		write(fd, elf_image, below(8) ? sizeof(elf_image) : below(sizeof(elf_image)));
		close(fd);
	}
}

/* ---- keeping the run alive ------------------------------------------------ */

static pid_t protected_pids[3];		/* init, the fuzzer, the fuzzer's parent */
static int verbose;

static int
is_protected_fd(uint64_t fd)
{
	return fd == PROGRESS_FD || (verbose && fd == LOG_FD);
}

/* Keep the child's own descriptors out of its random calls. */
static void
guard(uint64_t *a)
{
	for (int i = 0; i < 2; i++)
		if (is_protected_fd(a[i]))
			a[i] = NOFILE + 1;	/* EBADF */
}

/*
 * Change or refuse (return 0) a call that would end the run or make it
 * unreadable; see the comment at the top.
 */
static int
tame(long n, uint64_t *a)
{
	switch (n) {
	case SYS_exit:
	case SYS_poweroff:
#ifdef SYS_threxit
	case SYS_threxit:	/* the last thread's exit is exit */
#endif
		return 0;
	case SYS_kill:
		for (int i = 0; i < 3; i++)
			if ((pid_t)a[0] == protected_pids[i])
				return 0;
		if ((pid_t)a[0] == getpid() || (int)a[0] <= 0)
			return 0;
		return 1;
	case SYS_ktest:
		if (a[0] == 0 || a[0] >= 0x800000000000ULL)
			return 1;	/* a bad pointer: EFAULT is what we want */
		a[0] = (uintptr_t)"no-such-ktest-group";
		return 1;
	case SYS_mknod:
		if ((int)a[1] == CONSOLE_MAJOR)
			a[1] = (uint64_t)-1;
		return 1;
	case SYS_msleep:
		a[0] %= 10;
		return 1;
#ifdef SYS___set_tcb
	case SYS___set_tcb:
		/*
		 * A random user address would become this child's TLS block:
		 * its errno would land on random memory.  Fuzz the EINVAL path.
		 */
		a[0] |= 1ULL << 63;
		return 1;
#endif
#ifdef SYS___sigsuspend
	case SYS___sigsuspend:
#endif
#ifdef SYS_thrsleep
	case SYS_thrsleep:
#endif
		/* They sleep until a signal or a wakeup that rarely comes: seldom. */
		return below(10) == 0;
	case SYS_sbrk:
		/*
		 * Huge sizes fail at once (ENOMEM), but a heap of tens of MiB
		 * that succeeds makes every later fork copy it: keep growth
		 * that can succeed small.
		 */
		if ((int64_t)a[0] > 256 * 1024 && a[0] < (1ULL << 32))
			a[0] %= 256 * 1024;
		return 1;
	default:
		return 1;
	}
}

/* ---- one batch, in a child --------------------------------------------- */

static void
logf_call(unsigned long batch, int i, long n, const uint64_t *a)
{
	char line[192];
	int len = snprintf(line, sizeof(line),
	    "# %lu ms b%lu c%d: syscall %ld (%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n",
	    uptime(), batch, i, n, (unsigned long)a[0], (unsigned long)a[1], (unsigned long)a[2],
	    (unsigned long)a[3], (unsigned long)a[4], (unsigned long)a[5]);
	write(LOG_FD, line, len);
}

static void
run_batch(uint64_t seed, unsigned long batch)
{
	pid_t me = getpid();
	char one = 'c';

	rng = batch_seed(seed, batch);
	/* No console: random bytes written to it would garble the output. */
	for (int fd = 0; fd < NOFILE; fd++)
		if (fd != PROGRESS_FD && !(verbose && fd == LOG_FD))
			close(fd);
	chdir("/fz");

	/* A page at the end of the heap, with nothing mapped after it. */
	char *cur = sbrk(0);
	uintptr_t pad = (PAGE - (uintptr_t)cur % PAGE) % PAGE;
	if (sbrk(pad + PAGE) != (void *)-1)
		heap_edge = sbrk(0);
	else
		heap_edge = scratch + sizeof(scratch);
	/* Two vmap pages, the second unmapped again: a hole after the first. */
	char *two = vmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, 0, NULL, NULL);
	if (two != VMAP_FAILED && vunmap(two + PAGE, PAGE) == 0)
		hole_edge = two + PAGE;
	else
		hole_edge = heap_edge;

	/* A quarter of the batches bring a hostile executable of their own. */
	if (below(4) == 0)
		write_elf("/fz/hx", 0);

	for (int i = 0; i < BATCH; i++) {
		uint64_t a[6];
		long n;

		switch (below(8)) {
		case 0:		/* numbers that are not in the table */
			n = below(2) ? (long)below(SYS_MAXSYSCALL + 64) : (long)rnd();
			break;
		default:	/* any number of the table, present or not */
			n = 1 + below(SYS_MAXSYSCALL - 1);
			break;
		}
		const char *k = below(4) == 0 ? "" : kinds(n);
		straddle_room = 0;
		for (int j = 0; j < 6; j++)
			a[j] = make_arg(j < (int)strlen(k) ? k[j] : '?');
		if (below(64) == 0) {
			/* exec of a hostile image (found: 127 TiB held a CPU for minutes) */
			n = SYS_exec;
			a[0] = (uintptr_t)(below(2) ? "/fz/hx" : "/fz/hxbig");
			a[1] = (uintptr_t)argv_true;
		}
		guard(a);
		if (!tame(n, a))
			continue;
		if (verbose)
			logf_call(batch, i, n, a);
		raw_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (getpid() != me)
			_exit(0);	/* a new process (fork, rfork1, ...): not ours to run */
		/*
		 * Collect the children those calls made (they exit at once), so
		 * that zombies do not pile up to the per-user limit, whether or
		 * not the kernel already implements FORK_NOZOMBIE (the fork1 lab
		 * handouts do not).
		 */
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		write(PROGRESS_FD, &one, 1);
	}
	_exit(0);
}

/* ---- the parent ------------------------------------------------------------ */

static unsigned long calls, children, faulted, timed_out, exec_or_exit;
static int hung;

/* Say what process pid is doing (pid 0: every process). */
static void
show_process(pid_t pid)
{
	struct procinfo pi;

	for (int slot = 0; slot < 4096; slot++) {
		if (procinfo(slot, &pi) < 0) {
			if (errno == ESRCH)
				continue;
			break;
		}
		if (pi.pid == pid || pid == 0)
			printf("# pid %d (%s): parent %d, state %d\n", pi.pid, pi.name, pi.ppid,
			    pi.state);
	}
}

/* Is process pid asleep on anything but msleep(2)'s timer? */
static int
asleep_for_an_event(pid_t pid)
{
	struct procinfo pi;

	return proc_find(pid, &pi) && pi.state == SSLEEP && strcmp(pi.wmesg, "msleep") != 0;
}

/*
 * How many calls the child reported since the last look, without ever
 * blocking: write a marker into the pipe behind the child's bytes and
 * read up to it.  (A process the child created may hold the pipe too, so
 * reading to the end could wait for ever.)
 */
static unsigned long
progress(int rfd)
{
	char buf[BATCH + 8], mark = 'M';
	unsigned long n = 0;
	int seen = 0;

	if (write(PROGRESS_FD, &mark, 1) != 1)
		return 0;
	while (!seen) {
		int r = read(rfd, buf, sizeof(buf));
		if (r <= 0)
			break;
		for (int i = 0; i < r; i++) {
			if (buf[i] == mark)
				seen = 1;
			else
				n++;
		}
	}
	return n;
}

/* Run one batch; 0 if the machine is still in good shape. */
static int
one_batch(uint64_t seed, unsigned long batch)
{
	int p[2], status = 0, killed = 0, started = 0;
	unsigned long waited = 0, last_progress = 0, n;
	pid_t pid, w;

	if (pipe(p) < 0) {
		printf("# pipe: %s\n", strerror(errno));
		return -1;
	}
	if (p[1] != PROGRESS_FD) {
		dup2(p[1], PROGRESS_FD);
		close(p[1]);
	}
	fflush(stdout);
	if ((pid = fork()) < 0) {
		printf("# fork: %s\n", strerror(errno));
		show_process(0);
		close(p[0]);
		close(PROGRESS_FD);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		if (verbose)
			dup2(1, LOG_FD);
		run_batch(seed, batch);
	}
	children++;
	unsigned long t0 = runtime_ms();

	/*
	 * Poll.  A child that made no call for STALL_MS is asleep in one
	 * (or spinning): kill it, as any child after TIME_LIMIT_MS; it must
	 * be gone DEATH_LIMIT_MS later.  A child that made itself traced
	 * (ptrace PT_TRACE_ME) and stopped is reported stopped: it is not
	 * done, so kill it too.
	 */
	while ((w = waitpid(pid, &status, WNOHANG)) == 0 ||
	    (w == pid && WIFSTOPPED(status))) {
		if (w == pid && !killed) {
			kill(pid, SIGKILL);
			killed = 1;
		}
		msleep(POLL_MS);
		waited = runtime_ms() - t0;	/* time it had, not host time */
		if ((n = progress(p[0])) != 0) {
			calls += n;
			last_progress = waited;
			started = 1;
		}
		/*
		 * (Before its first call a child may just be slow to get a CPU.)
		 * A child that made no call since the last look and sleeps for
		 * an event (not in msleep, which ends by itself) is not woken
		 * by waiting longer: kill it now, not after STALL_MS.  Those
		 * sleepers were half of the fuzzer's time.
		 */
		if (!killed && ((started && waited - last_progress >= STALL_MS) ||
		    (started && n == 0 && asleep_for_an_event(pid)) ||
		    waited >= TIME_LIMIT_MS)) {
			kill(pid, SIGKILL);
			killed = 1;
			timed_out++;
		}
		if (waited > TIME_LIMIT_MS + DEATH_LIMIT_MS) {
			printf("# batch %lu: child %d still there %d ms after SIGKILL\n",
			    batch, pid, DEATH_LIMIT_MS);
			show_process(pid);
			hung = 1;
			return -1;
		}
	}
	if (w != pid) {
		printf("# waitpid: %s\n", strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
		faulted++;
	else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		exec_or_exit++;
	calls += progress(p[0]);
	close(PROGRESS_FD);
	close(p[0]);
	return 0;
}

int
main(int argc, char **argv)
{
	uint64_t seed = 1;
	unsigned long want = 20000, batch = 0, first;
	struct sysinfo before, after;
	int ok = 1, a = 1;

	verdict_begin(argc, argv);
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[a], "-b") == 0 && a + 1 < argc)
			batch = strtoul(argv[++a], NULL, 10);
		else {
			fprintf(stderr, "usage: fuzz [-v] [-b batch] [seed [calls]]\n");
			return 2;
		}
	}
	if (a < argc)
		seed = strtoul(argv[a++], NULL, 10);
	if (a < argc)
		want = strtoul(argv[a++], NULL, 10);
	first = batch;

	protected_pids[0] = 1;
	protected_pids[1] = getpid();
	protected_pids[2] = getppid();
	mkdir("/fz");
	mkdir("/fz/d");
	chdir("/fz");
	int hfd = open("/bin/true", O_RDONLY);
	if (hfd >= 0) {
		read(hfd, elf_header, sizeof(elf_header));
		close(hfd);
	}
	rng = batch_seed(seed, ~0UL);
	write_elf("/fz/hxbig", 1);
	write_elf("/fz/hx", 0);

	printf("# fuzz: seed %lu, %lu calls from batch %lu, %d calls per child, "
	    "killed after %d ms without a call\n", (unsigned long)seed, want, batch, BATCH,
	    STALL_MS);
	printf("# replay a batch: fuzz -v -b BATCH %lu\n", (unsigned long)seed);
	printf("1..3\n");
	verdict_plan(3);
	sysinfo(&before);
	struct sysinfo mark = before, now;
	while (calls < want) {
		if (verbose || (batch - first) % 50 == 0)
			printf("# batch %lu: %lu calls so far, %lu ms\n", batch, calls, uptime());
		if (one_batch(seed, batch) != 0) {
			ok = 0;
			break;
		}
		/*
		 * Name the batch that leaks: once every process of the batch
		 * is gone (as many slots in use as at the start), the free
		 * count must be what it was after the last such batch.  With a
		 * process of the batch still alive the count means nothing,
		 * so that batch is not compared.  The verdict is check 3.
		 */
		if (sysinfo(&now) == 0 && now.nproc == before.nproc) {
			if (now.freepages != mark.freepages)
				printf("# batch %lu: %ld pages fewer free than after the last quiet batch "
				    "(replay: fuzz -v -b %lu %lu)\n", batch,
				    (long)mark.freepages - (long)now.freepages, batch, (unsigned long)seed);
			mark = now;
		}
		batch++;
		if (verbose && batch > first)
			break;		/* -v: one batch only */
	}
	if (ok)
		printf("ok 1 - %lu system calls in %lu children (%lu killed by a fault or "
		    "signal, %lu for sleeping or a time limit, %lu exec'd or exited)\n",
		    calls, children, faulted, timed_out, exec_or_exit);
	else
		printf("not ok 1 - stopped after %lu calls in batch %lu\n", calls, batch);
	verdict_check(1, ok);
	printf("%sok 2 - every child died when killed\n", hung ? "not " : "");
	verdict_check(2, !hung);

	/* Orphans of the children belong to init, which reaps them: wait for that. */
	for (int i = 0; i < 300; i++) {
		sysinfo(&after);
		if (after.nproc == before.nproc && after.freepages == before.freepages &&
		    after.nfile == before.nfile)
			break;
		msleep(10);
	}
	if (after.freepages == before.freepages && after.nproc == before.nproc &&
	    after.nfile == before.nfile) {
		printf("ok 3 - no leak: %lu free pages, %d processes, %d open files, as before\n",
		    after.freepages, after.nproc, after.nfile);
		verdict_check(3, 1);
	} else {
		printf("not ok 3 - leak: free pages %lu -> %lu, processes %d -> %d, "
		    "open files %d -> %d\n", before.freepages, after.freepages,
		    before.nproc, after.nproc, before.nfile, after.nfile);
		show_process(0);
		verdict_check(3, 0);
		ok = 0;
	}
	printf("# fuzz: seed %lu: %lu calls survived\n", (unsigned long)seed, calls);
	return ok && !hung ? 0 : 1;
}
