/*
 * makecxttest: tests of makecxt(2), printing TAP for the grader.  One
 * group of tests per stage of the "contexts" assignment:
 *
 *	makecxttest base	stage makecxt: a range and registers
 *	makecxttest fuzz	stage makecxt: bad calls never panic or leak
 *	makecxttest fork	stage makecxt-fork: MAKECXT_COPY_CONTEXT
 *	makecxttest example	stage makecxt-fork: the seed's EXAMPLE
 *	makecxttest fixed-pid	stage fixed-pid: MAKECXT_FIXED_PID
 *	makecxttest fixed-move	stage fixed-move: MAKECXT_FIXED_MOVE
 *	makecxttest -l		list the groups and their tests
 *	makecxttest GROUP name...	only the named tests of a group
 *
 * A test of a group uses only its own stage and earlier ones, so it can
 * pass in the handout of a later stage.  Each test runs in its own child
 * process: a crash shows as that test failing and the others still run.
 *
 * A process made by makecxt() without MAKECXT_COPY_CONTEXT has only the
 * pages it was given, so it cannot run C code of this program (no stack,
 * no C library at the addresses the code was linked for).  It runs the
 * small position-independent blobs of user/arch/<arch>/cxtblob.S, with
 * its arguments in registers:
 *
 *	cxt_blob_call_exit	exit(syscall(ARG3, ARG0, ARG1, ARG2))
 *	cxt_blob_dump_regs	write(ARG0, <its general registers>), exit(0)
 *
 * The range given to makecxt() runs from the blobs (in the text) to the
 * end of `area' (in the bss), and it lands DELTA bytes higher: so the
 * blobs, the message in the rodata and the stack in `area' are all there,
 * DELTA higher than in this process.
 */
#include <aqua/context.h>
#include <machine/cxtmark.h>	/* md_makecxt_fork_marked: the bare makecxt system call */
#include <machine/cpustate.h>	/* the port's hostile CPU state (user/arch/<port>) */
#include <aqua/procinfo.h>
#include <aqua/syscall.h>
#include <aqua/sysinfo.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <machine/vmparam.h>	/* VM_MAXUSER_ADDRESS */

#define PAGE		4096UL
#define DELTA		0x10000000UL	/* the range lands 256 MiB higher */
#define NPROC_GUESS	100		/* more than the kernel's process table */

extern char cxt_blob_call_exit[], cxt_blob_dump_regs[];

/* Stack (pages 0-2, growing down from page 3) and scratch (page 3) of blob processes. */
static char area[4 * PAGE] __attribute__((aligned(4096)));
#define BLOB_STACK	(area + 3 * PAGE)
#define BLOB_SCRATCH	(area + 3 * PAGE)

static const char msg[] = "hello from a new context\n";

/* ---- reporting (tap.h) ------------------------------------------------- */

/* A makecxt that should have failed made a process: collect it. */
#define TAP_ON_UNEXPECTED_SUCCESS(r) do {				\
	if ((r) > 0)							\
		waitpid((pid_t)(r), NULL, 0);				\
} while (0)
#include "capture.h"	/* capture, cut_line */
#include "tap.h"	/* diag, failures, CHECK, REQUIRE, EXPECT_ERR */

/* ---- helpers -------------------------------------------------------------- */

/* Reap every child; returns how many there were. */
static int
reap_all(void)
{
	int n = 0, status;

	while (waitpid(-1, &status, 0) > 0)
		n++;
	return n;
}

static int
no_children(void)
{
	int status;

	return waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD;
}

/* The range a blob process gets: from the first blob to the end of area. */
static char *
range_lo(void)
{
	char *a = &cxt_blob_call_exit[0], *b = &cxt_blob_dump_regs[0];

	return a < b ? a : b;
}

static char *
range_hi(void)
{
	return area + sizeof(area);
}

/* Registers that run blob at its moved address, on the moved stack. */
static void
blob_cxt(struct aqua_makecxt_data *c, char *blob, unsigned long a0, unsigned long a1,
    unsigned long a2, unsigned long a3)
{
	memset(c, 0, sizeof(*c));
	AQUA_REG_PC(&c->registers) = (unsigned long)blob + DELTA;
	AQUA_REG_SP(&c->registers) = (unsigned long)BLOB_STACK + DELTA;
	AQUA_REG_ARG0(&c->registers) = a0;
	AQUA_REG_ARG1(&c->registers) = a1;
	AQUA_REG_ARG2(&c->registers) = a2;
	AQUA_REG_ARG3(&c->registers) = a3;
}

/* makecxt() of the blob range, moved by DELTA. */
static pid_t
blob_makecxt(const struct aqua_makecxt_data *c, pid_t pid, int flags)
{
	char *lo = range_lo();

	return makecxt(lo + DELTA, lo, range_hi() - lo, c, pid, flags);
}

/* A blob process that makes one system call and exits with its result. */
static pid_t
blob_call(long num, unsigned long a0, unsigned long a1, unsigned long a2, pid_t pid, int flags)
{
	struct aqua_makecxt_data c;

	blob_cxt(&c, cxt_blob_call_exit, a0, a1, a2, num);
	return blob_makecxt(&c, pid, flags);
}

/* A pid nobody has, from start on. */
static pid_t
free_pid(pid_t start)
{
	for (pid_t p = start; p < MAKECXT_PID_MAX; p++)
		if (kill(p, 0) == -1 && errno == ESRCH)
			return p;
	return -1;
}

/* Kernel addresses of both ports (each is kernel or non-canonical on the other). */
#define KADDR_X86	0xffff800000000000UL
#define KADDR_RV	0xffffffc000000000UL

/*
 * A page-aligned break with the page below it mapped and the page above
 * it not: heap_end.  sbrk never leaves part of a page mapped above it.
 */
static char *heap_end;

static void
setup_heap_end(void)
{
	char *cur = sbrk(0);
	uintptr_t pad = (PAGE - (uintptr_t)cur % PAGE) % PAGE;

	sbrk(pad + PAGE);
	heap_end = sbrk(0);
	memset(heap_end - PAGE, 0, PAGE);
}

static int
get_sysinfo(struct sysinfo *si)
{
	return sysinfo(si);
}

/* Wait (up to 20 s) until our child kid has exited and is a zombie: 1 if so. */
static int
wait_zombie(pid_t kid)
{
	struct procinfo pi;

	for (int tries = 0; tries < 2000; tries++) {
		for (int slot = 0; procinfo(slot, &pi) == 0 || errno == ESRCH; slot++)
			if (pi.pid == kid && pi.state == SZOMB)
				return 1;
		msleep(10);
	}
	return 0;
}

/* ---- group base: stage makecxt -------------------------------------------- */

/* The blob writes our message (moved with the range) to a pipe we share. */
static int
t_blob_write(void)
{
	int p[2], status;
	char buf[64];
	pid_t pid;
	long n;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	pid = blob_call(SYS_write, p[1], (unsigned long)msg + DELTA, strlen(msg), 0, 0);
	REQUIRE(pid > 0, "makecxt: %s", strerror(errno));
	CHECK(pid != getpid(), "makecxt returned our own pid %d", pid);
	status = wait_for(pid);
	CHECK(exited_with(status, strlen(msg)),
	    "the new process: %s, want exit status %d (write's result)", describe(status),
	    (int)strlen(msg));
	n = read(p[0], buf, sizeof(buf));
	CHECK(n == (long)strlen(msg) && memcmp(buf, msg, n) == 0,
	    "the pipe had %ld bytes, want the %d bytes of the message", n, (int)strlen(msg));
	close(p[0]);
	close(p[1]);
	return failures;
}

/*
 * The new process has the range, moved, and nothing else: our message at
 * its old address, or our heap, are not mapped there (write: EFAULT).
 */
static int
t_only_region(void)
{
	int p[2], status;
	char *heap = malloc(64);
	pid_t pid;

	REQUIRE(pipe(p) == 0 && heap != NULL, "pipe or malloc failed");
	strcpy(heap, "heap");
	pid = blob_call(SYS_write, p[1], (unsigned long)msg, strlen(msg), 0, 0);
	status = wait_for(pid);
	CHECK(exited_with(status, -EFAULT),
	    "write of the message at its unmoved address: %s, want exit status %d (-EFAULT)",
	    describe(status), -EFAULT & 0xff);
	pid = blob_call(SYS_write, p[1], (unsigned long)heap, 4, 0, 0);
	status = wait_for(pid);
	CHECK(exited_with(status, -EFAULT),
	    "write of the caller's heap: %s, want exit status %d (-EFAULT)",
	    describe(status), -EFAULT & 0xff);
	free(heap);
	close(p[0]);
	close(p[1]);
	return failures;
}

/* Every general register starts as cxt->registers says. */
static int
t_registers(void)
{
	struct aqua_makecxt_data c;
	unsigned long *w = (unsigned long *)&c.registers;
	unsigned long got[AQUA_REGS_NGPR];
	int p[2], status;
	pid_t pid;
	long n;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	blob_cxt(&c, cxt_blob_dump_regs, 0, 0, 0, 0);
	for (int i = 0; i < AQUA_REGS_NGPR; i++)
		w[i] = 0x5a00000000000000UL | (unsigned long)(i + 1) << 32 | (unsigned long)(i * 7 + 3);
	AQUA_REG_SP(&c.registers) = (unsigned long)BLOB_STACK + DELTA;
	AQUA_REG_ARG0(&c.registers) = p[1];
	pid = blob_makecxt(&c, 0, 0);
	REQUIRE(pid > 0, "makecxt: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, 0), "the new process: %s, want exit status 0", describe(status));
	n = read(p[0], got, sizeof(got));
	REQUIRE(n == (long)sizeof(got), "read %ld bytes of registers, want %d", n, (int)sizeof(got));
	for (int i = 0; i < AQUA_REGS_NGPR; i++)
		CHECK(got[i] == w[i], "register word %d started as 0x%lx, want 0x%lx", i, got[i], w[i]);
	close(p[0]);
	close(p[1]);
	return failures;
}

/*
 * Registers the new process may not have (issue 26): every flag bit
 * (x86_64 RFLAGS) and pcs outside user space, or odd on RISC-V.  The new
 * process exits or gets a signal (a bad pc: SIGSEGV); the kernel never
 * runs with such a flag, nor faults loading such a frame.
 */
static int
t_hostile_regs(void)
{
	struct aqua_makecxt_data c;
	int status;
	pid_t pid;

	for (int bit = 0; bit < MD_FLAG_BITS; bit++) {
		blob_cxt(&c, cxt_blob_call_exit, 0, 0, 0, SYS_getpid);
		MD_REGS_SET_FLAG(&c.registers, bit);
		pid = blob_makecxt(&c, 0, 0);
		REQUIRE(pid > 0, "makecxt with flag bit %d: %s", bit, strerror(errno));
		status = wait_for(pid);
		CHECK(status != -1 && (WIFEXITED(status) || WIFSIGNALED(status)),
		    "flag bit %d: %s, want an exit or a signal", bit, describe(status));
	}
	for (unsigned i = 0; i <= sizeof(md_hostile_pcs) / sizeof(md_hostile_pcs[0]); i++) {
		int odd = i == sizeof(md_hostile_pcs) / sizeof(md_hostile_pcs[0]);
		if (odd && !MD_ODD_PC_FAULTS)
			break;
		blob_cxt(&c, cxt_blob_call_exit, 0, 0, 0, SYS_getpid);
		if (odd)
			AQUA_REG_PC(&c.registers) |= 1;	/* sret would run the blob: refuse */
		else
			AQUA_REG_PC(&c.registers) = md_hostile_pcs[i];
		pid = blob_makecxt(&c, 0, 0);
		REQUIRE(pid > 0, "makecxt with pc %#lx: %s", AQUA_REG_PC(&c.registers), strerror(errno));
		status = wait_for(pid);
		CHECK(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		    "pc %#lx: %s, want killed by signal %d", AQUA_REG_PC(&c.registers),
		    describe(status), SIGSEGV);
	}
	return failures;
}

/* The pages are copies: what the new process writes (its stack) is not ours. */
static int
t_private_copy(void)
{
	struct aqua_makecxt_data c;
	int p[2], status, changed = 0;
	pid_t pid;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	memset(area, 0x3c, sizeof(area));
	blob_cxt(&c, cxt_blob_dump_regs, p[1], 0, 0, 0);
	pid = blob_makecxt(&c, 0, 0);
	REQUIRE(pid > 0, "makecxt: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, 0), "the new process: %s, want exit status 0", describe(status));
	for (size_t i = 0; i < sizeof(area); i++)
		if (area[i] != 0x3c)
			changed++;
	CHECK(changed == 0, "%d bytes of our area changed: the new process's stack is shared", changed);
	close(p[0]);
	close(p[1]);
	return failures;
}

/* It is our child, with the pid we asked for when that pid is free. */
static int
t_pid_request(void)
{
	pid_t want = free_pid(getpid() + 300), pid;
	int status;

	REQUIRE(want > 0, "no free pid");
	pid = blob_call(SYS_getpid, 0, 0, 0, want, 0);
	CHECK(pid == want, "asked for free pid %d, got %d (%s)", want, pid, strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, want), "the new process's getpid(): %s, want exit status %d",
	    describe(status), want & 0xff);

	pid = blob_call(SYS_getppid, 0, 0, 0, 0, 0);
	status = wait_for(pid);
	CHECK(exited_with(status, getpid()), "the new process's getppid(): %s, want %d (our pid)",
	    describe(status), getpid() & 0xff);

	/* The largest pid there is, MAKECXT_PID_MAX, is granted too when free. */
	if (kill(MAKECXT_PID_MAX, 0) == -1 && errno == ESRCH) {
		pid = blob_call(SYS_getpid, 0, 0, 0, MAKECXT_PID_MAX, 0);
		CHECK(pid == MAKECXT_PID_MAX, "asked for free pid %d (MAKECXT_PID_MAX, which is in "
		    "range: 1 to %d inclusive), got %d (%s)", MAKECXT_PID_MAX, MAKECXT_PID_MAX, pid,
		    pid < 0 ? strerror(errno) : "another pid");
		if (pid > 0)
			wait_for(pid);
	}

	/* Taken or impossible pids are only wishes: any pid then. */
	pid_t wishes[] = { getpid(), 1, MAKECXT_PID_MAX + 1, -7 };
	for (size_t i = 0; i < sizeof(wishes) / sizeof(wishes[0]); i++) {
		pid = blob_call(SYS_getpid, 0, 0, 0, wishes[i], 0);
		CHECK(pid > 0 && pid != getpid() && pid != 1,
		    "asking for pid %d (taken or out of range): got %d (%s), want another pid",
		    wishes[i], pid, pid < 0 ? strerror(errno) : "");
		status = wait_for(pid);
		CHECK(exited_with(status, pid), "its getpid(): %s, want %d", describe(status), pid & 0xff);
	}

	/* A zombie keeps its pid until it is waited for: asking for it gives another. */
	pid_t kid;
	fflush(stdout);
	if ((kid = fork()) == 0)
		_exit(0);
	REQUIRE(kid > 0, "fork: %s", strerror(errno));
	REQUIRE(wait_zombie(kid), "child %d never became a zombie", kid);
	pid = blob_call(SYS_getpid, 0, 0, 0, kid, 0);
	CHECK(pid > 0 && pid != kid, "asked for the pid %d of a zombie (exited, not yet waited for): "
	    "got %d (%s); a zombie's pid is taken until its parent reaps it, want another pid",
	    kid, pid, pid < 0 ? strerror(errno) : "that very pid");
	if (pid > 0 && pid != kid)
		wait_for(pid);
	reap_all();
	return failures;
}

/*
 * Whole pages move: a range that ends 1 byte into a page brings all of
 * that page.  The blob writes 16 bytes from the start of the page that
 * holds only the range's last byte (BLOB_SCRATCH, page 3 of area).
 */
static int
t_partial_page(void)
{
	static const char tail[16] = "in the last page";
	char *lo = range_lo(), buf[16];
	struct aqua_makecxt_data c;
	int p[2], status;
	pid_t pid;
	long n;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	memcpy(BLOB_SCRATCH, tail, sizeof(tail));
	blob_cxt(&c, cxt_blob_call_exit, p[1], (unsigned long)BLOB_SCRATCH + DELTA, sizeof(tail),
	    SYS_write);
	pid = makecxt(lo + DELTA, lo, BLOB_SCRATCH + 1 - lo, &c, 0, 0);
	REQUIRE(pid > 0, "makecxt of a range ending 1 byte into a page: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, sizeof(tail)),
	    "a range ending 1 byte into a page: the blob's write of 16 bytes from that page: %s, "
	    "want exit status 16 -- the page holding the last byte of [src, src + refsize) was not "
	    "moved (round the end of the range up to a page, not down)", describe(status));
	close(p[1]);		/* the blob is gone: a pipe it did not write to is empty, not blocking */
	n = read(p[0], buf, sizeof(buf));
	CHECK(n == (long)sizeof(tail) && memcmp(buf, tail, sizeof(tail)) == 0,
	    "the pipe had %ld bytes, want the 16 bytes of the range's last page", n);
	close(p[0]);
	return failures;
}

/*
 * The copies keep the caller's protection: the blob's text is read-only
 * in the new process too, so read(2) into it is EFAULT.
 */
static int
t_text_readonly(void)
{
	int p[2], status;
	pid_t pid;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	REQUIRE(write(p[1], "x", 1) == 1, "write: %s", strerror(errno));
	pid = blob_call(SYS_read, p[0], (unsigned long)cxt_blob_call_exit + DELTA, 1, 0, 0);
	REQUIRE(pid > 0, "makecxt: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, -EFAULT),
	    "read(2) into the new process's own text: %s, want exit status %d (-EFAULT) -- a page "
	    "of a read-only region (text) must stay read-only in the new process: map each copy "
	    "with the protection of the caller's region, not writable", describe(status),
	    -EFAULT & 0xff);
	close(p[0]);
	close(p[1]);
	return failures;
}

/*
 * Leak checks and copy-on-write: a test process shares its pages with its
 * parent (run_test), so the first time it writes a page after the fork it
 * gets a copy, and the free page count drops for a reason that has
 * nothing to do with makecxt.  So every leak check here does its work
 * twice and compares the counts around the second round only: by then
 * every page the work writes is already the test's own.
 */

/* The errors of the seed and of our reading (one round). */
static void
error_calls(void)
{
	struct aqua_makecxt_data c;
	char *lo = range_lo(), *dst = lo + DELTA;
	size_t size = range_hi() - lo;

	blob_cxt(&c, cxt_blob_call_exit, 0, 0, 0, SYS_getpid);
	EXPECT_ERR(makecxt(NULL, lo, size, &c, 0, 0), EINVAL, "destination NULL");
	EXPECT_ERR(makecxt(dst, NULL, size, &c, 0, 0), EINVAL, "src NULL");
	EXPECT_ERR(makecxt(dst, lo, size, NULL, 0, 0), EINVAL, "cxt NULL");
	EXPECT_ERR(makecxt(NULL, NULL, size, &c, 0, 0), EINVAL, "destination and src NULL");
	EXPECT_ERR(makecxt(dst, lo, 0, &c, 0, 0), EINVAL, "refsize 0");
	EXPECT_ERR(makecxt(dst, lo, size, &c, 0, 0x40), EINVAL, "unknown flag 0x40");
	EXPECT_ERR(makecxt(dst, lo, size, &c, 0, 0x10000), EINVAL, "unknown flag 0x10000");
	EXPECT_ERR(makecxt(dst, lo, size, &c, 0, INT_MIN), EINVAL, "unknown flag 0x80000000");
	EXPECT_ERR(makecxt(dst + 8, lo, size, &c, 0, 0), EINVAL, "offsets within a page differ");
	EXPECT_ERR(makecxt(dst, lo + 1, size, &c, 0, 0), EINVAL, "offsets within a page differ (2)");
	EXPECT_ERR(makecxt(dst, lo, (size_t)-1, &c, 0, 0), EINVAL, "refsize (size_t)-1 without COPY_CONTEXT");
	EXPECT_ERR(makecxt(dst, lo, 1UL << 62, &c, 0, 0), EINVAL, "refsize 2^62");
	EXPECT_ERR(makecxt(dst, lo, -(uintptr_t)lo + PAGE, &c, 0, 0), EINVAL, "src range wraps around");
	EXPECT_ERR(makecxt((void *)(KADDR_X86 + ((uintptr_t)lo & (PAGE - 1))), lo, size, &c, 0, 0),
	    EINVAL, "destination 0xffff800000000000");
	EXPECT_ERR(makecxt((void *)(KADDR_RV + ((uintptr_t)lo & (PAGE - 1))), lo, size, &c, 0, 0),
	    EINVAL, "destination 0xffffffc000000000");
	EXPECT_ERR(makecxt(dst, (void *)(KADDR_X86 + ((uintptr_t)lo & (PAGE - 1))), size, &c, 0, 0),
	    EINVAL, "src 0xffff800000000000");
	EXPECT_ERR(makecxt(dst, (void *)(KADDR_RV + ((uintptr_t)lo & (PAGE - 1))), size, &c, 0, 0),
	    EINVAL, "src 0xffffffc000000000");
	EXPECT_ERR(makecxt(dst, lo, size, (void *)KADDR_X86, 0, 0), EFAULT, "cxt 0xffff800000000000");
	EXPECT_ERR(makecxt(dst, lo, size, (void *)KADDR_RV, 0, 0), EFAULT, "cxt 0xffffffc000000000");
	EXPECT_ERR(makecxt(dst, lo, size, (void *)(heap_end + 64 * 1024 * 1024), 0, 0), EFAULT,
	    "cxt unmapped");
	EXPECT_ERR(makecxt(dst, lo, size, (void *)(heap_end - 8), 0, 0), EFAULT,
	    "cxt straddling the end of the heap");
}

/* ... and none of them makes a process or keeps a page. */
static int
t_errors(void)
{
	struct sysinfo before, after;

	setup_heap_end();
	error_calls();
	if (failures)
		return failures;
	REQUIRE(get_sysinfo(&before) == 0, "sysinfo: %s", strerror(errno));
	error_calls();
	REQUIRE(get_sysinfo(&after) == 0, "sysinfo: %s", strerror(errno));
	CHECK(no_children(), "a failed makecxt left a child");
	CHECK(after.nproc == before.nproc, "%d processes before, %d after the failed calls",
	    before.nproc, after.nproc);
	CHECK(after.freepages == before.freepages, "%lu free pages before, %lu after the failed calls",
	    before.freepages, after.freepages);
	return failures;
}

static void
on_usr1(int sig)
{
	(void)sig;
}

/*
 * Our caught signals are not the new process's: our handler's address
 * means nothing in its image, so SIGUSR1 has its default action there
 * (terminate), not a jump to a handler that is not mapped (SIGSEGV).
 */
static int
t_signals(void)
{
	int p[2], status;
	pid_t pid;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	REQUIRE(signal(SIGUSR1, on_usr1) != SIG_ERR, "signal: %s", strerror(errno));
	/* The child waits in read(p[0], 1 byte) until the signal. */
	pid = blob_call(SYS_read, p[0], (unsigned long)BLOB_SCRATCH + DELTA, 1, 0, 0);
	REQUIRE(pid > 0, "makecxt: %s", strerror(errno));
	CHECK(kill(pid, SIGUSR1) == 0, "kill: %s", strerror(errno));
	write(p[1], "x", 1);	/* ends the read if the signal did not: no hang */
	status = wait_for(pid);
	CHECK(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1,
	    "the new process after SIGUSR1: %s, want killed by signal %d (the default action)",
	    describe(status), SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
	return failures;
}

/* fork1's limits: the process table or the per-user limit runs out (EAGAIN). */
static int
t_proc_limit(void)
{
	pid_t kids[NPROC_GUESS];
	int p[2], n = 0, err = 0;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	/* Each child waits in read(p[0], 1 byte) and exits with its result. */
	while (n < NPROC_GUESS) {
		pid_t pid = blob_call(SYS_read, p[0], (unsigned long)BLOB_SCRATCH + DELTA, 1, 0, 0);
		if (pid < 0) {
			err = errno;
			break;
		}
		kids[n++] = pid;
	}
	diag("made %d processes before the failure", n);
	CHECK(n > 0 && n < NPROC_GUESS, "made %d processes, want a limit below %d", n, NPROC_GUESS);
	CHECK(err == EAGAIN, "makecxt failed with errno %d (%s), want EAGAIN", err, strerror(err));
	if (err == EAGAIN) {
		/* At the limit: failed calls keep no page (the first one warms up, see error_calls). */
		struct sysinfo before, after;
		blob_call(SYS_read, p[0], (unsigned long)BLOB_SCRATCH + DELTA, 1, 0, 0);
		REQUIRE(get_sysinfo(&before) == 0, "sysinfo: %s", strerror(errno));
		for (int i = 0; i < 4; i++)
			EXPECT_ERR(blob_call(SYS_read, p[0], (unsigned long)BLOB_SCRATCH + DELTA, 1, 0, 0),
			    EAGAIN, "makecxt with the process table full");
		REQUIRE(get_sysinfo(&after) == 0, "sysinfo: %s", strerror(errno));
		CHECK(after.freepages == before.freepages,
		    "%lu free pages before 4 makecxt calls that failed with EAGAIN (process table "
		    "full), %lu after: free the address space built for the child when fork1() fails",
		    before.freepages, after.freepages);
	}
	for (int i = 0; i < n; i++)
		write(p[1], "x", 1);
	for (int i = 0; i < n; i++) {
		int status = wait_for(kids[i]);
		CHECK(exited_with(status, 1), "child %d: %s, want exit status 1 (read 1 byte)",
		    kids[i], describe(status));
	}
	pid_t pid = blob_call(SYS_getpid, 0, 0, 0, 0, 0);
	CHECK(pid > 0, "makecxt after the limit: %s", strerror(errno));
	wait_for(pid);
	close(p[0]);
	close(p[1]);
	return failures;
}

/* Making and reaping processes gives every page back. */
static int
t_no_leak(void)
{
	struct sysinfo before, after;

	for (int round = 0; round < 2; round++) {
		REQUIRE(get_sysinfo(&before) == 0, "sysinfo: %s", strerror(errno));
		for (int i = 0; i < 10; i++) {
			pid_t pid = blob_call(SYS_getpid, 0, 0, 0, 0, 0);
			REQUIRE(pid > 0, "makecxt: %s", strerror(errno));
			CHECK(exited_with(wait_for(pid), pid), "child %d did not run", pid);
		}
		REQUIRE(get_sysinfo(&after) == 0, "sysinfo: %s", strerror(errno));
	}
	CHECK(after.freepages == before.freepages, "%lu free pages before, %lu after 10 makecxt/wait",
	    before.freepages, after.freepages);
	CHECK(after.nproc == before.nproc, "%d processes before, %d after", before.nproc, after.nproc);
	return failures;
}

/* ---- group fuzz: stage makecxt ---------------------------------------------- */

static unsigned long rng;

static unsigned long
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#define PICK(a)	((a)[rnd() % (sizeof(a) / sizeof((a)[0]))])

/*
 * Hundreds of makecxt() calls, each a good call with one to three of its
 * arguments replaced by good, bad or borderline values, from two
 * processes at once.  Whatever they do, the kernel must not panic, every
 * failure must be a documented errno, and once every child is reaped
 * every page and every process slot is back.  The processes that do get
 * made either run a blob that exits at once, or start with registers
 * that fault at once, or are copies of us that exit at once.
 */
static int
fuzz_loop(unsigned long seed, int calls, int *madep)
{
	struct aqua_makecxt_data c_good, c_pc0, c_wild, c_kern;
	char *lo = range_lo();
	int made = 0;

	rng = seed;
	blob_cxt(&c_good, cxt_blob_call_exit, 0, 0, 0, SYS_getpid);
	memset(&c_pc0, 0, sizeof(c_pc0));
	memset(&c_wild, 0xff, sizeof(c_wild));
	AQUA_REG_PC(&c_wild.registers) = 0x8000000000000000UL;	/* non-canonical on x86_64 */
	memset(&c_kern, 0, sizeof(c_kern));
	AQUA_REG_PC(&c_kern.registers) = KADDR_X86;
	AQUA_REG_SP(&c_kern.registers) = KADDR_RV;

	const unsigned long addrs[] = {
		0, 1, PAGE - 1, PAGE, (unsigned long)lo, (unsigned long)lo + DELTA,
		(unsigned long)lo + DELTA + 8, (unsigned long)area, (unsigned long)heap_end,
		(unsigned long)heap_end - 8, (unsigned long)heap_end - PAGE,
		0x3fbffff000UL, 0x7fffffffe000UL, 0x0000800000000000UL, KADDR_X86, KADDR_RV,
		-PAGE, -1UL,
	};
	const unsigned long sizes[] = {
		0, 1, 8, PAGE, 3 * PAGE + 5, (unsigned long)(range_hi() - lo), 1UL << 30,
		1UL << 47, -PAGE, -1UL,
	};
	const void *cxts[] = {
		NULL, &c_good, &c_pc0, &c_wild, &c_kern, (void *)KADDR_X86, (void *)KADDR_RV,
		heap_end + 64 * 1024 * 1024, heap_end - 8,
	};
	const pid_t pids[] = { 0, -1, 1, getpid(), 4242, MAKECXT_PID_MAX, MAKECXT_PID_MAX + 1, INT_MIN };
	/* Flags of later stages (share-vmem, copy-shared, local-segments) are left out. */
	const int later = MAKECXT_SHARE_VMEM | MAKECXT_COPY_SHARED | MAKECXT_INSTALL_LOCAL_SEGMENTS;
	const int flagset[] = {
		0, MAKECXT_COPY_CONTEXT, MAKECXT_FIXED_PID, MAKECXT_FIXED_MOVE,
		MAKECXT_COPY_CONTEXT | MAKECXT_FIXED_MOVE, MAKECXT_COPY_CONTEXT | MAKECXT_FIXED_PID,
		0x40, 0x1000,
	};

	for (int i = 0; i < calls; i++) {
		unsigned long dst = (unsigned long)lo + DELTA, src = (unsigned long)lo;
		unsigned long size = range_hi() - lo;
		const void *cxt = &c_good;
		pid_t want = 0;
		int flags = 0;

		for (int k = 1 + rnd() % 3; k > 0; k--) {
			switch (rnd() % 7) {
			case 0: dst = PICK(addrs); break;
			case 1: src = PICK(addrs); break;
			case 2: size = PICK(sizes); break;
			case 3: cxt = PICK(cxts); break;
			case 4: want = PICK(pids); break;
			case 5: flags = PICK(flagset); break;
			default: flags = (int)rnd() & ~later; break;
			}
		}
		if (rnd() % 10 == 0) {		/* sometimes the seed's whole-space form */
			dst = src = 0;
			size = -1UL;
		}
		pid_t r = makecxt((void *)dst, (void *)src, size, cxt, want, flags);
		if (r == 0)
			_exit(0);		/* a MAKECXT_COPY_CONTEXT copy of us */
		if (r > 0) {
			made++;
			wait_for(r);
			continue;
		}
		if (errno != EINVAL && errno != EFAULT && errno != EAGAIN && errno != ENOMEM &&
		    errno != EEXIST) {
			CHECK(0, "call %d: makecxt(%#lx, %#lx, %#lx, %p, %d, %#x) failed with errno %d (%s)",
			    i, dst, src, size, cxt, want, flags, errno, strerror(errno));
		}
	}
	*madep = made;
	return failures;
}

static int
t_fuzz(void)
{
	struct sysinfo before, after;
	int made = 0, status;
	pid_t pid, sibling;

	setup_heap_end();
	/* A warm-up call, so that first-time allocations do not count as leaks. */
	pid = blob_call(SYS_getpid, 0, 0, 0, 0, 0);
	REQUIRE(pid > 0, "a good makecxt failed: %s", strerror(errno));
	wait_for(pid);

	/* Round 1 is the fuzz; round 2, shorter, is measured (see error_calls). */
	for (int round = 1; round <= 2; round++) {
		int calls = round == 1 ? 300 : 60;

		if (round == 2)
			REQUIRE(get_sysinfo(&before) == 0, "sysinfo: %s", strerror(errno));
		fflush(stdout);
		if ((sibling = fork()) == 0) {
			failures = 0;
			fuzz_loop(0x9e3779b97f4a7c15UL + round, calls, &made);
			diag("round %d, second fuzzer: %d of %d calls made a process", round, made, calls);
			fflush(stdout);
			_exit(failures ? 1 : 0);
		}
		REQUIRE(sibling > 0, "fork: %s", strerror(errno));
		fuzz_loop(0x2545f4914f6cdd1dUL + round, calls, &made);
		diag("round %d, first fuzzer: %d of %d calls made a process", round, made, calls);
		status = wait_for(sibling);
		CHECK(exited_with(status, 0), "the second fuzzer: %s", describe(status));
		reap_all();
	}

	REQUIRE(get_sysinfo(&after) == 0, "sysinfo: %s", strerror(errno));
	CHECK(after.freepages == before.freepages, "%lu free pages before the second round, %lu after",
	    before.freepages, after.freepages);
	CHECK(after.nproc == before.nproc, "%d processes before the second round, %d after",
	    before.nproc, after.nproc);

	/* And makecxt still works. */
	int p[2];
	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	pid = blob_call(SYS_write, p[1], (unsigned long)msg + DELTA, strlen(msg), 0, 0);
	status = wait_for(pid);
	CHECK(exited_with(status, strlen(msg)), "a good makecxt after the fuzz: %s (%s)",
	    describe(status), pid < 0 ? strerror(errno) : "made");
	return failures;
}

/* ---- group fork: stage makecxt-fork ------------------------------------------ */

static volatile int marker = 42;

/* The seed's form: the child is a copy of us and makecxt() returns 0 there. */
static int
t_fork_basic(void)
{
	int p[2], status, seen[2] = { -1, -1 };
	int local = 1234567;	/* lives in a register or on the stack: both are copied */
	pid_t pid;

	pid_t me = getpid();

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	fflush(stdout);
	pid = makecxt(0, 0, (size_t)-1, NULL, 0, MAKECXT_COPY_CONTEXT);
	if (getpid() != me) {		/* the child, whatever makecxt() returned in it */
		seen[0] = getpid();
		seen[1] = marker + local;
		write(p[1], seen, sizeof(seen));
		_exit(pid == 0 ? 9 : 10);
	}
	REQUIRE(pid > 0, "makecxt(0, 0, -1, NULL, 0, MAKECXT_COPY_CONTEXT): %s", strerror(errno));
	status = wait_for(pid);
	CHECK(!exited_with(status, 10), "makecxt() did not return 0 in the child: set the child's "
	    "return register to 0 (its frame is a copy of ours)");
	CHECK(exited_with(status, 9), "the child: %s, want exit status 9", describe(status));
	CHECK(read(p[0], seen, sizeof(seen)) == sizeof(seen), "read from the child failed");
	CHECK(seen[0] == pid, "the child's getpid() is %d, makecxt returned %d", seen[0], pid);
	CHECK(seen[1] == 42 + 1234567, "the child saw marker + local = %d, want %d",
	    seen[1], 42 + 1234567);
	return failures;
}

/* MAKECXT_FORK is the same flag, and cxt is then ignored. */
static int
t_fork_alias(void)
{
	struct aqua_makecxt_data junk;
	pid_t pid;

	CHECK(MAKECXT_FORK == MAKECXT_COPY_CONTEXT, "MAKECXT_FORK %#x, MAKECXT_COPY_CONTEXT %#x",
	    MAKECXT_FORK, MAKECXT_COPY_CONTEXT);
	memset(&junk, 0, sizeof(junk));		/* pc 0: would fault if used */
	fflush(stdout);
	pid = makecxt(0, 0, (size_t)-1, &junk, 0, MAKECXT_FORK);
	if (pid == 0)
		_exit(3);
	REQUIRE(pid > 0, "makecxt(..., MAKECXT_FORK): %s", strerror(errno));
	int status = wait_for(pid);
	CHECK(exited_with(status, 3), "the child: %s, want exit status 3 (cxt must be ignored)",
	    describe(status));
	return failures;
}

/* The child's memory and descriptor table are copies, not ours. */
static int
t_fork_copy(void)
{
	int p[2], status;
	char *heap = malloc(100), c;
	pid_t pid;

	REQUIRE(pipe(p) == 0 && heap != NULL, "pipe or malloc failed");
	strcpy(heap, "parent");
	marker = 42;
	fflush(stdout);
	pid = makecxt(0, 0, (size_t)-1, NULL, 0, MAKECXT_COPY_CONTEXT);
	if (pid == 0) {
		marker = 7;
		strcpy(heap, "child");
		close(p[0]);		/* closes the child's copy only */
		write(p[1], "k", 1);
		_exit(0);
	}
	REQUIRE(pid > 0, "makecxt: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, 0), "the child: %s", describe(status));
	CHECK(marker == 42, "the child's store to a global reached us: %d", marker);
	CHECK(strcmp(heap, "parent") == 0, "the child's store to the heap reached us: %s", heap);
	CHECK(read(p[0], &c, 1) == 1 && c == 'k', "our p[0] was closed by the child, or no byte");
	free(heap);
	return failures;
}

/*
 * With a range other than the whole-space form the child has only that
 * range: resuming in our code, which it does not have, it faults.
 */
static int
t_fork_region_only(void)
{
	int status;
	pid_t pid;

	setup_heap_end();
	fflush(stdout);
	pid = makecxt(heap_end - PAGE, heap_end - PAGE, PAGE, NULL, 0, MAKECXT_COPY_CONTEXT);
	if (pid == 0)
		_exit(0);		/* must not happen: no text in the child */
	REQUIRE(pid > 0, "makecxt of one heap page: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(status != -1 && WIFSIGNALED(status),
	    "a child with only a heap page: %s, want killed by a fault", describe(status));
	return failures;
}

/*
 * The seed's form as a bare system call, with an instruction right after
 * the system-call instruction that sets *mark to 1.  The child must
 * resume exactly there: the trap code already stepped over syscall/ecall,
 * so a kernel that steps again skips that instruction.
 */
static long
makecxt_fork_marked(long *mark)
{
	return md_makecxt_fork_marked(mark);
}

/* The child resumes at the instruction right after the system call. */
static int
t_fork_resume_pc(void)
{
	pid_t me = getpid();
	long mark = -1, r;
	int status;

	fflush(stdout);
	r = makecxt_fork_marked(&mark);
	if (getpid() != me)
		_exit(r == 0 && mark == 1 ? 0 : mark == 0 ? 77 : 78);
	REQUIRE(r > 0, "makecxt(NULL, NULL, -1, ..., MAKECXT_COPY_CONTEXT) as a bare system call "
	    "returned %ld", r);
	CHECK(mark == 1, "in the caller the instruction after the system call did not run (mark %ld)",
	    mark);
	status = wait_for((pid_t)r);
	CHECK(!exited_with(status, 77), "the child skipped the instruction right after its "
	    "system-call instruction: its pc is already past syscall/ecall when makecxt runs (the "
	    "trap code stepped over it), do not advance it again");
	CHECK(exited_with(status, 0), "the child of the bare system call: %s, want exit status 0",
	    describe(status));
	return failures;
}

/*
 * MAKECXT_COPY_CONTEXT with a range that holds all of our memory at its
 * own address (destination == src == one page up, refsize to the end of
 * user space): the child has our code and stack, resumes after the call
 * and sees makecxt() return 0 -- whatever its copied registers held
 * (here the return register may hold the first argument, not 0).
 */
static int
t_fork_range_all(void)
{
	pid_t me = getpid(), pid;
	int status;

	fflush(stdout);
	pid = makecxt((void *)PAGE, (void *)PAGE, VM_MAXUSER_ADDRESS - PAGE, NULL, 0,
	    MAKECXT_COPY_CONTEXT);
	if (getpid() != me)
		_exit(pid == 0 ? 42 : 99);	/* the child: only says what it saw */
	REQUIRE(pid > 0, "makecxt(one page up to the end of user space, MAKECXT_COPY_CONTEXT): %s",
	    strerror(errno));
	status = wait_for(pid);
	CHECK(!exited_with(status, 99), "makecxt() did not return 0 in the child of "
	    "MAKECXT_COPY_CONTEXT with a range: set the child's return register to 0 (its copy of "
	    "our registers holds whatever the system call left there, e.g. an argument)");
	CHECK(exited_with(status, 42), "the child of MAKECXT_COPY_CONTEXT with a range holding all "
	    "our memory: %s, want exit status 42", describe(status));
	return failures;
}

static int
t_fork_errors(void)
{
	char *lo = range_lo();
	size_t size = range_hi() - lo;

	EXPECT_ERR(makecxt(0, 0, 5, NULL, 0, MAKECXT_COPY_CONTEXT), EINVAL, "(0, 0, 5) is not the whole space");
	EXPECT_ERR(makecxt(0, lo, size, NULL, 0, MAKECXT_COPY_CONTEXT), EINVAL, "destination NULL");
	EXPECT_ERR(makecxt(lo, 0, size, NULL, 0, MAKECXT_COPY_CONTEXT), EINVAL, "src NULL");
	EXPECT_ERR(makecxt(0, 0, (size_t)-1, NULL, 0, MAKECXT_COPY_CONTEXT | 0x40), EINVAL,
	    "unknown flag");
	EXPECT_ERR(makecxt(0, 0, (size_t)-1, NULL, 0, 0), EINVAL, "the whole-space form without the flag");
	fflush(stdout);
	pid_t r = makecxt(lo, lo, (size_t)-1, NULL, 0, MAKECXT_COPY_CONTEXT);
	if (r == 0)
		_exit(0);
	EXPECT_ERR(r, EINVAL, "(src, src, (size_t)-1) with src not NULL: only NULL, NULL, (size_t)-1 "
	    "is the whole-space form, this is a range that leaves user space");
	CHECK(no_children(), "a failed makecxt left a child");
	return failures;
}

static int
t_fork_no_leak(void)
{
	struct sysinfo before, after;

	for (int round = 0; round < 2; round++) {
		REQUIRE(get_sysinfo(&before) == 0, "sysinfo: %s", strerror(errno));
		for (int i = 0; i < 10; i++) {
			fflush(stdout);
			pid_t pid = makecxt(0, 0, (size_t)-1, NULL, 0, MAKECXT_FORK);
			if (pid == 0) {
				char *p = sbrk(4 * PAGE);
				if (p != (char *)-1)
					memset(p, 1, 4 * PAGE);
				_exit(0);
			}
			REQUIRE(pid > 0, "makecxt: %s", strerror(errno));
			wait_for(pid);
		}
		REQUIRE(get_sysinfo(&after) == 0, "sysinfo: %s", strerror(errno));
	}
	CHECK(after.freepages == before.freepages, "%lu free pages before, %lu after 10 makecxt forks",
	    before.freepages, after.freepages);
	return failures;
}

/* ---- group example: stage makecxt-fork ------------------------------------------ */

/*
 * /bin/cxt_example is the seed's EXAMPLE compiled unchanged.  Run it
 * with its output in a pipe (capture): it must print "Calling from process: N"
 * twice, once from itself and once from its makecxt() child.  Reading
 * until end of file waits for both (the child inherits the pipe).
 */
static int
t_example(void)
{
	static const char prefix[] = "Calling from process: ";
	char out[512], *argv[] = { "cxt_example", NULL };
	int n = 0, got[4], status;
	pid_t pid = -1;

	status = capture("/bin/cxt_example", argv, out, sizeof(out), &pid);
	CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) != 127,
	    "/bin/cxt_example: %s", describe(status));
	for (char *line = out, *next, *d; line != NULL; line = next) {
		long v = 0;

		next = cut_line(line);
		d = line + strlen(prefix);
		if (strncmp(line, prefix, strlen(prefix)) != 0 || *d < '0' || *d > '9') {
			CHECK(0, "unexpected line: %s", line);
			continue;
		}
		while (*d >= '0' && *d <= '9')
			v = v * 10 + (*d++ - '0');
		CHECK(*d == '\0', "unexpected line: %s", line);
		if (n < 4)
			got[n++] = (int)v;
	}
	REQUIRE(n == 2, "%d lines 'Calling from process: N', want 2", n);
	CHECK(got[0] != got[1], "both lines name pid %d", got[0]);
	CHECK(got[0] == pid || got[1] == pid, "neither line names the example's pid %d", pid);
	CHECK(got[0] > 0 && got[1] > 0, "pids %d and %d", got[0], got[1]);
	return failures;
}

/* ---- group fixed-pid: stage fixed-pid ------------------------------------------ */

/* A free pid: the child gets exactly it, in both forms of makecxt. */
static int
t_fixed_free(void)
{
	pid_t want = free_pid(getpid() + 500), pid;
	int status;

	REQUIRE(want > 0, "no free pid");
	fflush(stdout);
	pid = makecxt(0, 0, (size_t)-1, NULL, want, MAKECXT_FORK | MAKECXT_FIXED_PID);
	if (pid == 0)
		_exit(getpid() == want ? 0 : 1);
	CHECK(pid == want, "MAKECXT_FIXED_PID %d: got %d (%s)", want, pid,
	    pid < 0 ? strerror(errno) : "another pid");
	status = wait_for(pid);
	CHECK(exited_with(status, 0), "the child's getpid(): %s, want %d", describe(status), want);

	want = free_pid(want + 77);
	pid = blob_call(SYS_getpid, 0, 0, 0, want, MAKECXT_FIXED_PID);
	CHECK(pid == want, "MAKECXT_FIXED_PID %d with a range: got %d (%s)", want, pid,
	    pid < 0 ? strerror(errno) : "another pid");
	status = wait_for(pid);
	CHECK(exited_with(status, want), "its getpid(): %s, want %d", describe(status), want & 0xff);

	if (kill(MAKECXT_PID_MAX, 0) == -1) {
		pid = blob_call(SYS_getpid, 0, 0, 0, MAKECXT_PID_MAX, MAKECXT_FIXED_PID);
		CHECK(pid == MAKECXT_PID_MAX, "MAKECXT_FIXED_PID %d (the largest): got %d (%s)",
		    MAKECXT_PID_MAX, pid, pid < 0 ? strerror(errno) : "another pid");
		wait_for(pid);
	}
	return failures;
}

/* A taken pid is EEXIST: ours, init's, a live child's, a zombie's. */
static int
t_fixed_taken(void)
{
	struct sysinfo before, after;
	struct procinfo pi;
	int p[2], zombie = 0;
	pid_t kid;
	char c;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	fflush(stdout);
	if ((kid = fork()) == 0) {
		read(p[0], &c, 1);
		_exit(0);
	}
	REQUIRE(kid > 0, "fork: %s", strerror(errno));
	/* Two rounds, the second measured (see error_calls). */
	for (int round = 1; round <= 2; round++) {
		if (round == 2)
			REQUIRE(get_sysinfo(&before) == 0, "sysinfo: %s", strerror(errno));
		EXPECT_ERR(blob_call(SYS_getpid, 0, 0, 0, getpid(), MAKECXT_FIXED_PID), EEXIST,
		    "our own pid");
		EXPECT_ERR(blob_call(SYS_getpid, 0, 0, 0, 1, MAKECXT_FIXED_PID), EEXIST, "init's pid 1");
		EXPECT_ERR(blob_call(SYS_getpid, 0, 0, 0, getppid(), MAKECXT_FIXED_PID), EEXIST,
		    "our parent's pid");
		EXPECT_ERR(blob_call(SYS_getpid, 0, 0, 0, kid, MAKECXT_FIXED_PID), EEXIST,
		    "a live child's pid");
		fflush(stdout);
		pid_t r = makecxt(0, 0, (size_t)-1, NULL, kid, MAKECXT_FORK | MAKECXT_FIXED_PID);
		if (r == 0)
			_exit(0);
		EXPECT_ERR(r, EEXIST, "a live child's pid, MAKECXT_FORK");
		if (failures)
			return failures;
	}
	REQUIRE(get_sysinfo(&after) == 0, "sysinfo: %s", strerror(errno));
	CHECK(after.nproc == before.nproc, "%d processes before the EEXIST calls, %d after",
	    before.nproc, after.nproc);
	CHECK(after.freepages == before.freepages, "%lu free pages before the EEXIST calls, %lu after",
	    before.freepages, after.freepages);

	/* Let the child exit and wait until it is a zombie: its pid is still taken. */
	write(p[1], "x", 1);
	for (int tries = 0; tries < 2000 && !zombie; tries++) {
		for (int slot = 0; procinfo(slot, &pi) == 0 || errno == ESRCH; slot++)
			if (pi.pid == kid && pi.state == SZOMB)
				zombie = 1;
		if (!zombie)
			msleep(10);
	}
	REQUIRE(zombie, "child %d never became a zombie", kid);
	EXPECT_ERR(blob_call(SYS_getpid, 0, 0, 0, kid, MAKECXT_FIXED_PID), EEXIST, "a zombie's pid");

	/* Once it is waited for, the pid is free again. */
	wait_for(kid);
	pid_t pid = blob_call(SYS_getpid, 0, 0, 0, kid, MAKECXT_FIXED_PID);
	CHECK(pid == kid, "the reaped child's pid %d: got %d (%s)", kid, pid,
	    pid < 0 ? strerror(errno) : "another pid");
	wait_for(pid);
	CHECK(no_children(), "children left over");
	close(p[0]);
	close(p[1]);
	return failures;
}

/* With MAKECXT_FIXED_PID the pid must be a real one. */
static int
t_fixed_range(void)
{
	const pid_t bad[] = { 0, -1, MAKECXT_PID_MAX + 1, INT_MAX, INT_MIN };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[64];
		snprintf(what, sizeof(what), "MAKECXT_FIXED_PID %d", bad[i]);
		EXPECT_ERR(blob_call(SYS_getpid, 0, 0, 0, bad[i], MAKECXT_FIXED_PID), EINVAL, what);
		fflush(stdout);
		pid_t r = makecxt(0, 0, (size_t)-1, NULL, bad[i], MAKECXT_FORK | MAKECXT_FIXED_PID);
		if (r == 0)
			_exit(0);
		EXPECT_ERR(r, EINVAL, what);
	}
	CHECK(no_children(), "a failed makecxt left a child");
	return failures;
}

/*
 * Without MAKECXT_FIXED_PID the flag's rules do not apply: a taken pid,
 * 0 and out-of-range pids are wishes, and the call works with another pid.
 */
static int
t_fixed_wish(void)
{
	const pid_t wishes[] = { 0, getpid(), 1, -1, MAKECXT_PID_MAX + 1, INT_MIN };

	for (size_t i = 0; i < sizeof(wishes) / sizeof(wishes[0]); i++) {
		pid_t pid = blob_call(SYS_getpid, 0, 0, 0, wishes[i], 0);
		CHECK(pid > 0 && pid != getpid() && pid != 1,
		    "pid %d asked for WITHOUT MAKECXT_FIXED_PID: got %d (%s), want another pid -- "
		    "without the flag a taken or impossible pid is only a wish, not an error",
		    wishes[i], pid, pid < 0 ? strerror(errno) : "");
		if (pid > 0)
			wait_for(pid);
	}
	CHECK(no_children(), "children left over");
	return failures;
}

/* A pid handed out ahead of the counter is skipped by later forks. */
static int
t_fixed_ahead(void)
{
	pid_t next, held, kids[8];
	int p[2];
	char c;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	fflush(stdout);
	if ((next = fork()) == 0)
		_exit(0);
	wait_for(next);
	held = free_pid(next + 3);
	REQUIRE(held > 0, "no free pid");
	/* The held process waits for a byte, so its pid stays in use. */
	pid_t got = blob_call(SYS_read, p[0], (unsigned long)BLOB_SCRATCH + DELTA, 1, held,
	    MAKECXT_FIXED_PID);
	REQUIRE(got == held, "MAKECXT_FIXED_PID %d: got %d (%s)", held, got,
	    got < 0 ? strerror(errno) : "another pid");
	for (int i = 0; i < 8; i++) {
		if ((kids[i] = fork()) == 0) {
			read(p[0], &c, 1);
			_exit(0);
		}
		CHECK(kids[i] != held, "fork %d got pid %d, which a makecxt child holds", i, kids[i]);
	}
	for (int i = 0; i < 9; i++)
		write(p[1], "x", 1);
	reap_all();
	return failures;
}

/* ---- group fixed-move: stage fixed-move ----------------------------------------- */

/*
 * A range whose last page is not mapped: from the blobs through the heap
 * up to one page past the break.  The blob runs without the flag (the
 * missing page is skipped); with MAKECXT_FIXED_MOVE the call fails.
 */
static int
t_move_hole(void)
{
	struct aqua_makecxt_data c;
	char *lo = range_lo(), buf[64];
	int p[2], status;
	pid_t pid;

	setup_heap_end();
	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	blob_cxt(&c, cxt_blob_call_exit, p[1], (unsigned long)msg + DELTA, strlen(msg), SYS_write);

	pid = makecxt(lo + DELTA, lo, heap_end + PAGE - lo, &c, 0, 0);
	REQUIRE(pid > 0, "without MAKECXT_FIXED_MOVE a missing page is skipped: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, strlen(msg)), "the new process: %s", describe(status));
	CHECK(read(p[0], buf, sizeof(buf)) == (long)strlen(msg), "no message from it");

	EXPECT_ERR(makecxt(lo + DELTA, lo, heap_end + PAGE - lo, &c, 0, MAKECXT_FIXED_MOVE), EAGAIN,
	    "MAKECXT_FIXED_MOVE, last page unmapped");
	EXPECT_ERR(makecxt(lo + DELTA, lo, heap_end + 1 - lo, &c, 0, MAKECXT_FIXED_MOVE), EAGAIN,
	    "MAKECXT_FIXED_MOVE, range ends 1 byte into an unmapped page");
	EXPECT_ERR(makecxt(heap_end + 8, heap_end + 8, PAGE, &c, 0, MAKECXT_FIXED_MOVE), EAGAIN,
	    "MAKECXT_FIXED_MOVE, only unmapped pages");
	CHECK(EEGAIN == EAGAIN, "EEGAIN %d, EAGAIN %d", EEGAIN, EAGAIN);
	fflush(stdout);
	pid = makecxt(heap_end - PAGE, heap_end - PAGE, 2 * PAGE, NULL, 0,
	    MAKECXT_COPY_CONTEXT | MAKECXT_FIXED_MOVE);
	if (pid == 0)
		_exit(0);
	EXPECT_ERR(pid, EAGAIN, "MAKECXT_COPY_CONTEXT | MAKECXT_FIXED_MOVE, second page unmapped");
	CHECK(no_children(), "a failed makecxt left a child");
	close(p[0]);
	close(p[1]);
	return failures;
}

/* A range that is all there moves with the flag too. */
static int
t_move_full(void)
{
	struct aqua_makecxt_data c;
	int p[2], status;
	char buf[64];
	pid_t pid;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	blob_cxt(&c, cxt_blob_call_exit, p[1], (unsigned long)msg + DELTA, strlen(msg), SYS_write);
	pid = blob_makecxt(&c, 0, MAKECXT_FIXED_MOVE);
	REQUIRE(pid > 0, "MAKECXT_FIXED_MOVE of a fully mapped range: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, strlen(msg)), "the new process: %s", describe(status));
	CHECK(read(p[0], buf, sizeof(buf)) == (long)strlen(msg), "no message from it");

	fflush(stdout);
	pid = makecxt(0, 0, (size_t)-1, NULL, 0, MAKECXT_FORK | MAKECXT_FIXED_MOVE);
	if (pid == 0)
		_exit(5);
	REQUIRE(pid > 0, "MAKECXT_FIXED_MOVE with the whole-space form: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, 5), "the copy: %s, want exit status 5", describe(status));
	close(p[0]);
	close(p[1]);
	return failures;
}

/*
 * All or nothing: a failed MAKECXT_FIXED_MOVE leaves no process, no page
 * and uses no pid (it fails before fork1, so the pid counter stands).
 */
static int
t_move_nothing_left(void)
{
	struct aqua_makecxt_data c;
	struct sysinfo before, after;
	char *lo = range_lo();
	pid_t a, b;

	setup_heap_end();
	blob_cxt(&c, cxt_blob_call_exit, 0, 0, 0, SYS_getpid);
	/* Two rounds, the second measured (see error_calls). */
	for (int round = 1; round <= 2; round++) {
		if (round == 2)
			REQUIRE(get_sysinfo(&before) == 0, "sysinfo: %s", strerror(errno));
		for (int i = 0; i < 20; i++)
			EXPECT_ERR(makecxt(lo + DELTA, lo, heap_end + PAGE - lo, &c, 0, MAKECXT_FIXED_MOVE),
			    EAGAIN, "MAKECXT_FIXED_MOVE, last page unmapped");
		if (failures)
			return failures;
	}
	REQUIRE(get_sysinfo(&after) == 0, "sysinfo: %s", strerror(errno));
	CHECK(after.freepages == before.freepages,
	    "%lu free pages before 20 failed MAKECXT_FIXED_MOVE calls, %lu after",
	    before.freepages, after.freepages);
	CHECK(after.nproc == before.nproc, "%d processes before, %d after", before.nproc, after.nproc);
	CHECK(no_children(), "a failed makecxt left a child");

	fflush(stdout);
	if ((a = fork()) == 0)
		_exit(0);
	wait_for(a);
	EXPECT_ERR(makecxt(lo + DELTA, lo, heap_end + PAGE - lo, &c, 0, MAKECXT_FIXED_MOVE),
	    EAGAIN, "MAKECXT_FIXED_MOVE, last page unmapped");
	if ((b = fork()) == 0)
		_exit(0);
	wait_for(b);
	CHECK(b == a + 1, "fork before the failed call got pid %d, fork after it %d: "
	    "the failed call used a pid", a, b);
	return failures;
}

/* ---- the groups ------------------------------------------------------------------- */

#include "tapmain.h"	/* struct tap_test, tap_group, tap_main() */

static const struct tap_test base_tests[] = {
	{ "blob_write", t_blob_write },
	{ "only_region", t_only_region },
	{ "registers", t_registers },
	{ "private_copy", t_private_copy },
	{ "partial_page", t_partial_page },
	{ "text_readonly", t_text_readonly },
	{ "hostile_regs", t_hostile_regs },
	{ "pid_request", t_pid_request },
	{ "errors", t_errors },
	{ "signals", t_signals },
	{ "proc_limit", t_proc_limit },
	{ "no_leak", t_no_leak },
};
static const struct tap_test fuzz_tests[] = {
	{ "fuzz", t_fuzz },
};
static const struct tap_test fork_tests[] = {
	{ "fork_basic", t_fork_basic },
	{ "fork_alias", t_fork_alias },
	{ "fork_copy", t_fork_copy },
	{ "fork_region_only", t_fork_region_only },
	{ "fork_range_all", t_fork_range_all },
	{ "fork_resume_pc", t_fork_resume_pc },
	{ "fork_errors", t_fork_errors },
	{ "fork_no_leak", t_fork_no_leak },
};
static const struct tap_test example_tests[] = {
	{ "example", t_example },
};
static const struct tap_test fixed_pid_tests[] = {
	{ "fixed_free", t_fixed_free },
	{ "fixed_taken", t_fixed_taken },
	{ "fixed_range", t_fixed_range },
	{ "fixed_ahead", t_fixed_ahead },
	{ "fixed_wish", t_fixed_wish },
};
static const struct tap_test fixed_move_tests[] = {
	{ "move_hole", t_move_hole },
	{ "move_full", t_move_full },
	{ "move_nothing_left", t_move_nothing_left },
};

static const struct tap_group groups[] = {
	TAP_GROUP("base", base_tests),
	TAP_GROUP("fuzz", fuzz_tests),
	TAP_GROUP("fork", fork_tests),
	TAP_GROUP("example", example_tests),
	TAP_GROUP("fixed-pid", fixed_pid_tests),
	TAP_GROUP("fixed-move", fixed_move_tests),
};
#define NGROUPS	((int)(sizeof(groups) / sizeof(groups[0])))

int
main(int argc, char **argv)
{
	return tap_main("makecxttest", groups, NGROUPS, argc, argv);
}
