/*
 * hardtest: checks for the bugs found by the reliability review (issue 12),
 * one TAP check each, so that the bug cannot come back unnoticed.
 *
 *	hardtest		run every check
 *	hardtest name...	run the named checks only
 *	hardtest -l		list them
 *
 * Several of the bugs panicked the kernel (kill of init, ktest("panic")):
 * against such a kernel this program never finishes, and the grader
 * reports the panic -- which is the point.  Each check runs in a child
 * process, so a check that kills its process fails alone.
 */
#include <aqua/fork.h>
#include <aqua/sysinfo.h>
#include <aqua/memory.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <verdict.h>

#include "procfind.h"	/* proc_find */
#include "tap.h"	/* diag, failures, CHECK, REQUIRE, EXPECT_ERR */
#include <machine/cpustate.h>	/* the port's hostile CPU state (user/arch/<port>) */
#include <machine/insn.h>	/* MD_INSN_LOOP */
#include <machine/vmparam.h>	/* the port's user and kernel addresses */

/* ---- A1: init refuses signals ------------------------------------------ */

static int
t_kill_init(void)
{
	/* Used to end init, and exit1 panics: "panic: init exited". */
	EXPECT_ERR(kill(1, SIGKILL), EPERM, "kill(1, SIGKILL)");
	EXPECT_ERR(kill(1, SIGTERM), EPERM, "kill(1, SIGTERM)");
	CHECK(kill(1, 0) == 0, "kill(1, 0) (does init exist?): %s", strerror(errno));
	msleep(20);		/* had it been killed, the panic comes now */
	CHECK(kill(1, 0) == 0, "init is gone after the kill attempts");
	return failures;
}

/* ---- A2: ktest("panic") needs the boot argument ktest.panic=1 ---------- */

static int
t_ktest_panic_eperm(void)
{
	char args[512];

	if (bootargs(args, sizeof(args)) >= 0 && strstr(args, "ktest.panic=1") != NULL) {
		diag("booted with ktest.panic=1: not trying");
		return 0;
	}
	EXPECT_ERR(ktest("panic"), EPERM, "ktest(\"panic\") without ktest.panic=1");
	EXPECT_ERR(ktest("no-such-group"), EINVAL, "ktest of an unknown group");
	return failures;
}

/* ---- A3: exec passes the lookup error through; no PT_LOAD is ENOEXEC ---- */

/*
 * A copy of /bin/true's ELF header with no program headers at all: a
 * valid ELF64 executable for this machine with nothing to load.
 */
static int
make_noload_elf(const char *path)
{
	unsigned char eh[64];
	int in, out, ok;

	if ((in = open("/bin/true", O_RDONLY)) < 0)
		return -1;
	ok = read(in, eh, sizeof(eh)) == sizeof(eh);
	close(in);
	if (!ok)
		return -1;
	eh[56] = eh[57] = 0;		/* e_phnum = 0 */
	unlink(path);
	if ((out = open(path, O_CREAT | O_WRONLY)) < 0)
		return -1;
	ok = write(out, eh, sizeof(eh)) == sizeof(eh);
	close(out);
	return ok ? 0 : -1;
}

static int
t_exec_errno(void)
{
	char *argv[] = { "x", NULL };

	EXPECT_ERR(exec("/README/x", argv), ENOTDIR, "exec(\"/README/x\")");
	EXPECT_ERR(exec("/bin/a-component-longer-than-dirsiz-allows", argv), ENAMETOOLONG,
	    "exec of a path with a too-long component");
	EXPECT_ERR(exec("/no/such/program", argv), ENOENT, "exec of a missing file");
	if (make_noload_elf("/hd.noload") != 0) {
		diag("cannot write /hd.noload: %s", strerror(errno));
		return 1;
	}
	EXPECT_ERR(exec("/hd.noload", argv), ENOEXEC, "exec of an ELF with no PT_LOAD");
	unlink("/hd.noload");
	return failures;
}

/* ---- issue 26: hostile executables --------------------------------------- */

/*
 * ELF images built here, each with one thing wrong: exec(2) must refuse
 * each at once with the errno exec.2 gives, before it allocates anything
 * (a memsz of 127 TiB used to keep exec in the kernel for minutes,
 * unkillable, unwinding page by page).  The file: the ELF header of
 * /bin/true (the machine), program headers at 64, a page of code at 4096
 * that loops for ever, loaded at 0x400000.
 */
#define HX_PAGE		4096UL
#define HX_TEXT		0x400000UL
#define HX_USER_TOP	VM_MAXUSER_ADDRESS
/* Nearly all of user space (x86_64: 128 TiB less 4 GiB; RISC-V: 252 GiB). */
#define HX_HUGE		(VM_MAXUSER_ADDRESS & ~0xffffffffUL)
#define HX_KERNEL	VM_MIN_KERNEL_ADDRESS
static const unsigned char hx_loop[] = MD_INSN_LOOP;

struct hx_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static struct hx_phdr
hx_seg(uint64_t offset, uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint32_t flags)
{
	struct hx_phdr ph = { 1 /* PT_LOAD */, flags, offset, vaddr, vaddr, filesz, memsz, HX_PAGE };
	return ph;
}
#define HX_RX	(4 | 1)
#define HX_RW	(4 | 2)

/* Write the image: /bin/true's header, the n program headers, the code page. */
static int
hx_write(const char *path, const struct hx_phdr *ph, int n, uint64_t phoff)
{
	static unsigned char img[2 * HX_PAGE];
	int fd, ok;

	memset(img, 0, sizeof(img));
	if ((fd = open("/bin/true", O_RDONLY)) < 0)
		return -1;
	ok = read(fd, img, 64) == 64;
	close(fd);
	if (!ok)
		return -1;
	uint64_t entry = HX_TEXT;
	uint16_t phnum = n, phentsize = sizeof(struct hx_phdr), zero = 0;
	memcpy(img + 24, &entry, 8);		/* e_entry */
	memcpy(img + 32, &phoff, 8);		/* e_phoff */
	memset(img + 40, 0, 8);			/* e_shoff */
	memcpy(img + 54, &phentsize, 2);
	memcpy(img + 56, &phnum, 2);
	memcpy(img + 60, &zero, 2);		/* e_shnum */
	memcpy(img + 64, ph, n * sizeof(*ph));
	memcpy(img + HX_PAGE, hx_loop, sizeof(hx_loop));
	unlink(path);
	if ((fd = open(path, O_CREAT | O_WRONLY)) < 0)
		return -1;
	ok = write(fd, img, sizeof(img)) == (int)sizeof(img);
	close(fd);
	return ok ? 0 : -1;
}

/*
 * exec path in a child; the child's exit status is exec's errno.  The
 * wait is bounded: a refusal takes a few header reads, and 20 s is far
 * beyond anything load can stretch that to, while the old kernel took
 * minutes.  -1 (after a SIGKILL) when the child was still in exec then.
 */
static int
hx_exec_errno(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { (char *)path, NULL };
		exec(path, argv);
		_exit(errno);
	}
	if (pid < 0)
		return -2;
	for (int i = 0; i < 2000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
		msleep(10);
	}
	kill(pid, SIGKILL);
	return -1;
}

static int
t_exec_hostile(void)
{
	struct hx_phdr text = hx_seg(HX_PAGE, HX_TEXT, HX_PAGE, HX_PAGE, HX_RX);
	struct hx_phdr big_text = hx_seg(HX_PAGE, HX_TEXT, HX_PAGE, 16 * HX_PAGE, HX_RX);
	static const struct {
		const char *what;
		int n;
		struct hx_phdr second;
		uint64_t phoff;
		int want;
	} cases[] = {
		{ "a PT_LOAD memsz of nearly all of user space", 2,
		  { 1, HX_RW, 0, 0x10000000UL, 0x10000000UL, 0, HX_HUGE, HX_PAGE }, 64, ENOMEM },
		{ "a segment reaching into the stack", 2,
		  { 1, HX_RW, 0, HX_USER_TOP - 8 * HX_PAGE, 0, 0, HX_PAGE, HX_PAGE }, 64, ENOMEM },
		{ "overlapping segments", 2,
		  { 1, HX_RW, 0, HX_TEXT + 2 * HX_PAGE, 0, 0, HX_PAGE, HX_PAGE }, 64, ENOEXEC },
		{ "filesz > memsz", 2,
		  { 1, HX_RW, HX_PAGE, 0x10000000UL, 0, 64, 32, HX_PAGE }, 64, ENOEXEC },
		{ "file bytes past the end of the file", 2,
		  { 1, HX_RW, 1UL << 20, 0x10000000UL, 0, 16, HX_PAGE, HX_PAGE }, 64, ENOEXEC },
		{ "an offset that wraps around", 2,
		  { 1, HX_RW, ~0UL - 8, 0x10000000UL, 0, 64, HX_PAGE, HX_PAGE }, 64, ENOEXEC },
		{ "a vaddr in the kernel half", 2,
		  { 1, HX_RW, 0, HX_KERNEL, 0, 0, HX_PAGE, HX_PAGE }, 64, ENOEXEC },
		{ "vaddr + memsz wrapping around", 2,
		  { 1, HX_RW, 0, 0x10000000UL, 0, 0, ~0UL - 0x1000, HX_PAGE }, 64, ENOEXEC },
		{ "vaddr and offset misaligned within a page", 2,
		  { 1, HX_RW, HX_PAGE, 0x10000010UL, 0, 16, HX_PAGE, HX_PAGE }, 64, ENOEXEC },
		{ "program headers past the end of the file", 2,
		  { 1, HX_RW, 0, 0x10000000UL, 0, 0, HX_PAGE, HX_PAGE }, 1UL << 40, ENOEXEC },
		{ "a loadable segment that allows no access (p_flags 0)", 2,
		  { 1, 0, 0, 0x10000000UL, 0, 0, 2 * HX_PAGE, HX_PAGE }, 64, ENOEXEC },
		{ "program headers at an offset that wraps", 2,
		  { 1, HX_RW, 0, 0x10000000UL, 0, 0, HX_PAGE, HX_PAGE }, ~0UL - 16, ENOEXEC },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hx_phdr ph[2] = { i == 2 ? big_text : text, cases[i].second };
		if (hx_write("/hd.elf", ph, cases[i].n, cases[i].phoff) != 0) {
			diag("cannot write /hd.elf: %s", strerror(errno));
			return 1;
		}
		int got = hx_exec_errno("/hd.elf");
		if (got == -1)
			diag("exec of an ELF with %s: no answer after 20 s (still in exec, or it "
			    "succeeded and the image runs)", cases[i].what);
		else
			CHECK(got == cases[i].want, "exec of an ELF with %s: %s %d, want errno %d (%s)",
			    cases[i].what, got >= 1000 ? "killed by signal" : "errno",
			    got >= 1000 ? got - 1000 : got, cases[i].want, strerror(cases[i].want));
		if (got == -1)
			failures++;
	}
	/* The image itself is fine: it runs (and loops until killed). */
	struct hx_phdr ok[1] = { text };
	if (hx_write("/hd.elf", ok, 1, 64) == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			char *argv[] = { "hd.elf", NULL };
			exec("/hd.elf", argv);
			_exit(100 + errno);
		}
		msleep(50);
		kill(pid, SIGKILL);
		int status = wait_for(pid);
		CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		    "the well-formed image: %s, want it to run until killed", describe(status));
	}
	unlink("/hd.elf");
	return failures;
}

static unsigned long
hx_freepages(void)
{
	struct sysinfo si;

	return sysinfo(&si) == 0 ? si.freepages : 0;
}

/*
 * SIGKILL ends a long exec: a legal image whose bss is 3/4 of free
 * memory takes a while to build (every page allocated and zeroed).  We
 * kill the child once it has taken 1/16 of those pages (it is inside
 * exec then: a state, read from the free count), and then look at the
 * zombie: it must have allocated next to nothing after the kill (exec
 * looks at p_killed between two pages) and its name must not be the new
 * program's -- the exec was abandoned, not finished and then killed.
 *
 * The child runs on another CPU while we look, and the host may stop our
 * CPU for as long as it likes: what the child allocated before the kill
 * is counted from the first look after it (the kill is set by then), not
 * from when we decided to send it.  If the exec had already finished at
 * that look, the kill came too late to say anything: try again.
 */
#define EXEC_KILL_TRIES	5

/* One try: 0 if the kill stopped the exec, 1 if not, -1 if it came too late. */
static int
exec_killed_once(unsigned long f0, unsigned long n)
{
	struct procinfo pi;
	int p[2], status;
	char c;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "hd.big", NULL };
		close(p[0]);
		write(p[1], "x", 1);
		exec("/hd.big", argv);
		_exit(100 + errno);
	}
	REQUIRE(pid > 0, "fork: %s", strerror(errno));
	close(p[1]);
	REQUIRE(read(p[0], &c, 1) == 1, "the child did not start");
	close(p[0]);
	while (hx_freepages() + n / 16 > f0) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			diag("the child ended before its exec took %lu pages: %s", n / 16, describe(status));
			return 1;
		}
	}
	kill(pid, SIGKILL);
	REQUIRE(proc_find(pid, &pi), "the killed child is gone before it was waited for");
	unsigned long at_kill = pi.pgalloc;
	int too_late = strcmp(pi.name, "hd.big") == 0;
	/* Wait for the zombie (a state; waitpid would reap it before we look). */
	while (proc_find(pid, &pi) && pi.state != SZOMB)
		msleep(1);
	status = wait_for(pid);
	if (too_late) {
		diag("the exec had finished when the kill was seen (%lu pages): trying again", at_kill);
		return -1;
	}
	CHECK(pi.pgalloc < at_kill + n / 16, "the killed child allocated %lu pages after the kill "
	    "(%lu before it; the image needs %lu): exec went on", pi.pgalloc - at_kill, at_kill, n);
	CHECK(strcmp(pi.name, "hd.big") != 0, "the killed child is named \"%s\": its exec "
	    "finished despite the kill", pi.name);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the child: %s, want SIGKILL",
	    describe(status));
	return failures != 0;
}

static int
t_exec_killed(void)
{
	unsigned long f0 = hx_freepages(), n = f0 / 4 * 3;
	struct hx_phdr ph[2] = {
		hx_seg(HX_PAGE, HX_TEXT, HX_PAGE, HX_PAGE, HX_RX),
		hx_seg(0, 0x10000000UL, 0, n * HX_PAGE, HX_RW),
	};
	int r = -1;

	REQUIRE(hx_write("/hd.big", ph, 2, 64) == 0, "cannot write /hd.big: %s", strerror(errno));
	for (int try = 0; try < EXEC_KILL_TRIES && r < 0; try++)
		r = exec_killed_once(f0, n);
	CHECK(r >= 0, "in %d tries the exec always finished before the kill was seen",
	    EXEC_KILL_TRIES);
	unlink("/hd.big");
	return failures;
}

/* ---- A4: O_CREAT on a directory is EISDIR; "file/" is ENOTDIR ---------- */

static int
t_open_dirs(void)
{
	struct stat st;
	int fd;

	EXPECT_ERR(open("/", O_CREAT | O_RDWR), EISDIR, "open(\"/\", O_CREAT|O_RDWR)");
	EXPECT_ERR(open("/", O_CREAT), EISDIR, "open(\"/\", O_CREAT)");
	EXPECT_ERR(open("/bin", O_CREAT | O_RDWR), EISDIR, "open(\"/bin\", O_CREAT|O_RDWR)");
	EXPECT_ERR(open("/", O_CREAT | O_EXCL | O_RDWR), EEXIST, "open(\"/\", O_CREAT|O_EXCL)");
	EXPECT_ERR(open("/README/", O_RDONLY), ENOTDIR, "open(\"/README/\")");
	EXPECT_ERR(open("/README/", O_CREAT | O_RDWR), ENOTDIR, "open(\"/README/\", O_CREAT)");
	EXPECT_ERR(stat("/README/", &st), ENOTDIR, "stat(\"/README/\")");
	EXPECT_ERR(open("/hd.new/", O_CREAT | O_RDWR), EISDIR, "open(\"/hd.new/\", O_CREAT)");
	EXPECT_ERR(open("/hd.new", O_RDONLY), ENOENT, "the failed O_CREAT of \"/hd.new/\" made a file");
	CHECK(stat("/bin/", &st) == 0 && st.type == T_DIR, "stat(\"/bin/\"): %s", strerror(errno));
	CHECK((fd = open("/bin//", O_RDONLY)) >= 0, "open(\"/bin//\"): %s", strerror(errno));
	close(fd);
	unlink("/hd.f");
	CHECK((fd = open("/hd.f", O_CREAT | O_RDWR)) >= 0, "create /hd.f: %s", strerror(errno));
	close(fd);
	EXPECT_ERR(unlink("/hd.f/"), ENOTDIR, "unlink(\"/hd.f/\")");
	CHECK(unlink("/hd.f") == 0, "unlink(\"/hd.f\"): %s", strerror(errno));
	CHECK(mkdir("/hd.d/") == 0, "mkdir(\"/hd.d/\"): %s", strerror(errno));
	CHECK(unlink("/hd.d/") == 0, "unlink(\"/hd.d/\") of an empty directory: %s", strerror(errno));
	return failures;
}

/* ---- A5: a failed waitpid leaves *status alone ------------------------- */

static int
t_waitpid_status(void)
{
	int status = 0x1234;
	pid_t pid;

	EXPECT_ERR(waitpid(-1, &status, 0), ECHILD, "waitpid with no children");
	CHECK(status == 0x1234, "waitpid failing with ECHILD changed *status to %#x", status);
	EXPECT_ERR(waitpid(12345, &status, WNOHANG), ECHILD, "waitpid(12345, WNOHANG)");
	CHECK(status == 0x1234, "waitpid(WNOHANG) failing with ECHILD changed *status to %#x",
	    status);
	/*
	 * The child waits on a pipe, not for a time: a child that slept 200 ms
	 * could have exited before a parent the host held up looked.
	 */
	int go[2];
	REQUIRE(pipe(go) == 0, "pipe: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		char c;
		close(go[1]);
		read(go[0], &c, 1);
		_exit(3);
	}
	close(go[0]);
	CHECK(waitpid(pid, &status, WNOHANG) == 0, "WNOHANG on a running child did not return 0");
	CHECK(status == 0x1234, "waitpid(WNOHANG) with nothing to collect changed *status to %#x",
	    status);
	close(go[1]);			/* now it may exit */
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 3,
	    "waitpid: status %#x", status);
	return failures;
}

/* ---- found by the fuzzer (user/tests/fuzz.c) ---------------------------- */

#define REQUIRE_PID(pid) do {						\
	if ((pid) < 0) {						\
		diag("fork: %s", strerror(errno));			\
		return 1;						\
	}								\
} while (0)

static int
t_vfork_deadlocks(void)
{
	int status = 0;
	pid_t pid;

	/* The parent would sleep until a child stopped for its tracer -- the parent. */
	EXPECT_ERR(rfork1(FORK_FORK | FORK_VFORK | FORK_PPWAIT | FORK_PTRACE), EINVAL,
	    "rfork1(FORK_PPWAIT | FORK_PTRACE)");

	/*
	 * A vfork child that stops itself would keep its parent asleep, and
	 * unkillable, for ever: it must not stop.  Against a kernel that lets
	 * it, vfork never returns here and the grader reports a time-out.
	 * (Where vfork does not wait -- the ppwait lab's starter code -- a
	 * child may stop harmlessly: it is killed below.)
	 */
	fflush(stdout);
	if ((pid = vfork()) == 0) {
		kill(getpid(), SIGSTOP);
		_exit(7);
	}
	REQUIRE_PID(pid);
	pid_t w = 0;
	for (int i = 0; i < 300 && (w = waitpid(pid, &status, WNOHANG)) == 0; i++)
		msleep(10);
	if (w == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	return failures;
}

/* ---- E: a user program cannot run kernel code ---------------------------- */

/* faulttest in a child: it must be killed by the kernel, not exit. */
static int
t_faults(void)
{
	static const char *cases[] = { "null", "kernel", "exec", "stack", "jumpkernel" };
	int status;
	pid_t pid;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[] = { "faulttest", (char *)cases[i], NULL };
		fflush(stdout);
		if ((pid = fork()) == 0) {
			exec("/bin/faulttest", argv);
			_exit(99);
		}
		CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
		    WTERMSIG(status) == SIGSEGV,
		    "faulttest %s: status %#x, want killed by signal %d", cases[i], status, SIGSEGV);
	}
	return failures;
}

/* ---- F: user-chosen CPU state never reaches the kernel (issue 26) -------- */

/*
 * One way of handing the kernel a hostile state, in a child; the child
 * must exit 0 or die of a signal.  A panic ends the boot (the grader
 * reports it): before the fix, RFLAGS.NT and a syscall did.
 */
enum { VIA_SYSCALL, VIA_INTERRUPT, VIA_SIGRETURN, VIA_PC };

static int cs_bit;
static unsigned long cs_pc;
static int cs_how;

/* Where a hostile sigreturn lands when the pc itself is not the point. */
static void __attribute__((noreturn, used))
cs_landing(void)
{
	_exit(0);
}

/* The kernel passes the saved context, which starts with struct reg, as the third argument. */
static void
cs_handler(int sig, void *unused, void *ctx)
{
	struct reg *r = ctx;

	(void)sig;
	(void)unused;
	if (cs_how == VIA_SIGRETURN) {
		md_reg_set_flag(r, cs_bit);
		REG_PC(r) = (unsigned long)cs_landing;
		REG_SP(r) = (REG_SP(r) & ~15UL) - 8;	/* as after a call */
	} else {
		REG_PC(r) = cs_pc;
	}
}

static int
cs_child(int how, int bit, unsigned long pc)
{
	struct sigaction sa;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) != 0)
		return wait_for(pid);
	cs_how = how;
	cs_bit = bit;
	cs_pc = pc;
	switch (how) {
	case VIA_SYSCALL:
		md_syscall_with_flag(bit);
		md_syscall_with_flag(bit);
		_exit(0);
	case VIA_INTERRUPT: {
		/* Until the clock has ticked twice, almost always inside the spin. */
		unsigned long t0 = uptime();
		while (uptime() - t0 < 25)
			md_spin_with_flag(bit, 200000);
		_exit(0);
	}
	default:
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = (void (*)(int))(void *)cs_handler;
		if (sigaction(SIGUSR1, &sa, NULL) < 0)
			_exit(98);
		kill(getpid(), SIGUSR1);
		_exit(how == VIA_PC ? 97 : 96);	/* sigreturn came back here */
	}
}

static int
t_cpu_state(void)
{
	static const char *const via[] = { "syscall", "interrupt", "sigreturn" };
	int status;

	for (int bit = 0; bit < MD_FLAG_BITS; bit++) {
		for (int how = VIA_SYSCALL; how <= VIA_SIGRETURN; how++) {
			status = cs_child(how, bit, 0);
			CHECK(status != -1 && (exited_with(status, 0) || WIFSIGNALED(status)),
			    "flag bit %d by %s: %s, want exit 0 or a signal", bit, via[how],
			    describe(status));
		}
	}
	for (unsigned i = 0; i < sizeof(md_hostile_pcs) / sizeof(md_hostile_pcs[0]); i++) {
		status = cs_child(VIA_PC, 0, md_hostile_pcs[i]);
		CHECK(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		    "sigreturn to pc %#lx: %s, want killed by signal %d", md_hostile_pcs[i],
		    describe(status), SIGSEGV);
	}
	if (MD_ODD_PC_FAULTS) {
		/* The hardware would run cs_landing (exit 0): the kernel must refuse. */
		status = cs_child(VIA_PC, 0, (unsigned long)cs_landing | 1);
		CHECK(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
		    "sigreturn to an odd pc: %s, want killed by signal %d", describe(status), SIGSEGV);
	}
	return failures;
}

/* ---- G: a bad buffer loses no data (issue 26) ---------------------------- */

#define HT_PAGE		4096
#define KERNEL_ADDR	((void *)0xffffffff80200000UL)	/* in both ports' kernels */

/*
 * Two pages with the second one unmapped again: the last 8 bytes of the
 * first page are a buffer whose second half (of 16) is not there.
 */
static char *
straddling_buffer(void)
{
	char *a = vmap(NULL, 2 * HT_PAGE, PROT_READ | PROT_WRITE, 0, NULL, NULL);

	if (a == VMAP_FAILED)
		return NULL;
	if (vunmap(a + HT_PAGE, HT_PAGE) != 0)
		return NULL;
	return a + HT_PAGE - 8;
}

/*
 * read(2) from a pipe used to take the bytes out of the pipe before it
 * copied them out: into a straddling buffer it returned -1 EFAULT with all
 * 16 bytes gone, into a kernel address it took 8.  Now the bytes up to the
 * bad page are delivered and counted, the rest stay; nothing copied is
 * EFAULT with nothing taken.  write(2) counts what it put in the same way.
 */
static int
t_partial_pipe(void)
{
	char *buf = straddling_buffer(), got[32];
	int p[2];
	long r;

	REQUIRE(buf != NULL, "vmap/vunmap of the straddling buffer: %s", strerror(errno));
	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	REQUIRE(write(p[1], "0123456789abcdef", 16) == 16, "write 16 bytes to the pipe");
	close(p[1]);	/* lost bytes read as end of file, not a hang */

	EXPECT_ERR(read(p[0], KERNEL_ADDR, 8), EFAULT, "read from a pipe into a kernel address");
	EXPECT_ERR(read(p[0], buf + 8, 16), EFAULT, "read from a pipe into an unmapped page");
	r = read(p[0], buf, 16);
	CHECK(r == 8 && memcmp(buf, "01234567", 8) == 0,
	    "read(16) from a pipe into a buffer whose second half is unmapped: got %ld "
	    "(errno %s), want the 8 bytes that fit", r, r < 0 ? strerror(errno) : "none");
	r = read(p[0], got, sizeof(got));
	CHECK(r == 8 && memcmp(got, "89abcdef", 8) == 0,
	    "the pipe after the partial read: %ld bytes, want the other 8 (\"89abcdef\")", r);

	close(p[0]);

	/* write: the 8 bytes before the bad page go in and are counted. */
	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	memcpy(buf, "ABCDEFGH", 8);
	EXPECT_ERR(write(p[1], buf + 8, 16), EFAULT, "write to a pipe from an unmapped page");
	r = write(p[1], buf, 16);
	CHECK(r == 8, "write(16) to a pipe from a straddling buffer: got %ld (errno %s), want 8",
	    r, r < 0 ? strerror(errno) : "none");
	close(p[1]);
	r = read(p[0], got, sizeof(got));
	CHECK(r == 8 && memcmp(got, "ABCDEFGH", 8) == 0,
	    "the pipe after the partial write: %ld bytes, want exactly \"ABCDEFGH\"", r);
	close(p[0]);
	return failures;
}

/*
 * The same for a file.  write(2) from a straddling buffer used to return
 * -1 EFAULT with the file's first 8 bytes changed; now it returns 8 and
 * the file and the offset say so.  A buffer with no good byte is EFAULT
 * and leaves the file and the offset alone.
 */
static int
t_partial_file(void)
{
	char *buf = straddling_buffer(), got[32];
	const char *path = "/hd.partial";
	int fd;
	long r;

	REQUIRE(buf != NULL, "vmap/vunmap of the straddling buffer: %s", strerror(errno));
	unlink(path);
	REQUIRE((fd = open(path, O_CREAT | O_RDWR)) >= 0, "create %s: %s", path, strerror(errno));
	REQUIRE(write(fd, "xxxxxxxxxxxxxxxx", 16) == 16, "write 16 bytes to %s", path);

	lseek(fd, 0, SEEK_SET);
	EXPECT_ERR(write(fd, buf + 8, 16), EFAULT, "write to a file from an unmapped page");
	EXPECT_ERR(write(fd, KERNEL_ADDR, 16), EFAULT, "write to a file from a kernel address");
	CHECK(lseek(fd, 0, SEEK_CUR) == 0, "the failed writes moved the offset");
	memcpy(buf, "ABCDEFGH", 8);
	r = write(fd, buf, 16);
	CHECK(r == 8, "write(16) to a file from a straddling buffer: got %ld (errno %s), want 8",
	    r, r < 0 ? strerror(errno) : "none");
	CHECK(lseek(fd, 0, SEEK_CUR) == 8, "offset after the partial write: %ld, want 8",
	    (long)lseek(fd, 0, SEEK_CUR));
	lseek(fd, 0, SEEK_SET);
	r = read(fd, got, sizeof(got));
	CHECK(r == 16 && memcmp(got, "ABCDEFGHxxxxxxxx", 16) == 0,
	    "the file after the partial write (%ld bytes): want exactly ABCDEFGH then the old 8", r);

	/* read: the bytes that fit, counted; the offset moves by as many. */
	lseek(fd, 0, SEEK_SET);
	memset(buf, 0, 8);
	EXPECT_ERR(read(fd, buf + 8, 16), EFAULT, "read from a file into an unmapped page");
	CHECK(lseek(fd, 0, SEEK_CUR) == 0, "the failed read moved the offset");
	r = read(fd, buf, 16);
	CHECK(r == 8 && memcmp(buf, "ABCDEFGH", 8) == 0,
	    "read(16) from a file into a straddling buffer: got %ld (errno %s), want 8",
	    r, r < 0 ? strerror(errno) : "none");
	CHECK(lseek(fd, 0, SEEK_CUR) == 8, "offset after the partial read: %ld, want 8",
	    (long)lseek(fd, 0, SEEK_CUR));
	close(fd);
	unlink(path);
	return failures;
}

/* ---- H: a full in-core inode table is ENFILE (issue 26) ------------------ */

#define IT_FILES	88	/* more than NINODE (64) */
#define IT_PER_CHILD	11	/* NOFILE less stdio and two pipe ends */
#define IT_MAXCHILD	(IT_FILES / IT_PER_CHILD)

/*
 * Fill the kernel's in-core inode table with files held open by children,
 * then ask for one more inode.  mkdir used to say ENOSPC with free inodes
 * on the disk; an open(O_CREAT) or unlink of a name whose inode could not
 * be brought in took it for a missing name (a second entry was tried, or
 * ENOENT); exec said ENFILE, which exec(2) did not list.  All of them are
 * ENFILE now, documented, and the table works again once the files close.
 * Everything is done relative to the test directory, which this process
 * holds as its current directory: a lookup then needs no new inode on its
 * way, so the table stays full from the first ENFILE on.
 */
static int
t_inode_table(void)
{
	int rep[2], rel[2], nchild = 0, full = 0, status, fd;
	pid_t kids[IT_MAXCHILD];
	char name[16], c;

	mkdir("/hd.it");
	REQUIRE(chdir("/hd.it") == 0, "chdir /hd.it: %s", strerror(errno));
	for (int i = 0; i < IT_FILES; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		fd = open(name, O_CREAT | O_RDWR);
		REQUIRE(fd >= 0, "create /hd.it/%s: %s", name, strerror(errno));
		close(fd);
	}
	REQUIRE(pipe(rep) == 0 && pipe(rel) == 0, "pipe: %s", strerror(errno));
	while (!full && nchild < IT_MAXCHILD) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			int err = 0;
			close(rep[0]);
			close(rel[1]);
			for (int j = 0; j < IT_PER_CHILD && err == 0; j++) {
				snprintf(name, sizeof(name), "f%d", nchild * IT_PER_CHILD + j);
				if (open(name, O_RDWR) < 0)
					err = errno;
			}
			c = err == 0 ? 'o' : err == ENFILE ? 'F' : 'E';
			if (c == 'E')
				diag("holder %d: open: %s", nchild, strerror(err));
			write(rep[1], &c, 1);
			read(rel[0], &c, 1);	/* until the parent lets go */
			_exit(0);
		}
		REQUIRE_PID(pid);
		kids[nchild++] = pid;
		if (read(rep[0], &c, 1) != 1 || c == 'E') {
			failures++;
			break;
		}
		full = c == 'F';
	}
	CHECK(full, "%d children holding %d files each never filled the in-core inode table",
	    nchild, IT_PER_CHILD);
	if (full) {
		EXPECT_ERR(mkdir("d"), ENFILE, "mkdir with the in-core inode table full");
		snprintf(name, sizeof(name), "f%d", IT_FILES - 1);	/* held by nobody */
		EXPECT_ERR(open(name, O_CREAT | O_RDWR), ENFILE,
		    "open(O_CREAT) of an existing file that cannot be brought in");
		EXPECT_ERR(unlink(name), ENFILE, "unlink with the in-core inode table full");
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			char *argv[] = { "true", NULL };
			exec("/bin/true", argv);
			_exit(errno);
		}
		status = wait_for(pid);
		CHECK(exited_with(status, ENFILE), "exec with the in-core inode table full: %s, "
		    "want exit status ENFILE (%d) from the failed exec", describe(status), ENFILE);
	}
	close(rel[1]);		/* the holders read end of file and exit */
	for (int k = 0; k < nchild; k++)
		wait_for(kids[k]);
	close(rel[0]);
	close(rep[0]);
	close(rep[1]);
	CHECK(mkdir("d") == 0, "mkdir once the files are closed again: %s", strerror(errno));
	unlink("d");
	for (int i = 0; i < IT_FILES; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		CHECK(unlink(name) == 0, "unlink /hd.it/%s afterwards: %s", name, strerror(errno));
	}
	chdir("/");
	CHECK(unlink("/hd.it") == 0, "unlink /hd.it: %s", strerror(errno));
	return failures;
}

/* ---- I: a full disk, and the disk after it (issue 26) --------------------- */

#define DF_CHUNK	(64 * 1024)
#define DF_AGAIN	(8 * 1024 * 1024)

static char df_buf[DF_CHUNK];

/* Write n bytes to a new file path in DF_CHUNK pieces: the bytes written. */
static long
fill(const char *path, long n, int *err)
{
	long total = 0, r = 0;
	int fd;

	*err = 0;
	unlink(path);
	if ((fd = open(path, O_CREAT | O_RDWR)) < 0) {
		*err = errno;
		return -1;
	}
	while (n < 0 || total < n) {
		long m = n < 0 || n - total > DF_CHUNK ? DF_CHUNK : n - total;
		if ((r = write(fd, df_buf, m)) <= 0) {
			*err = r < 0 ? errno : 0;
			break;
		}
		total += r;
	}
	close(fd);
	return total;
}

/*
 * One file until the disk is full (ENOSPC), then the calls that need a
 * block or an inode on the full disk, then the file removed and 8 MiB
 * written again.  Issue 26 reported that this hung the x86_64 machine
 * afterwards; this sequence does not hang the kernel of then or of now
 * (1 and 4 CPUs, both ports), so the hang is not reproduced yet.  It takes
 * a minute or two (balloc scans the bitmap from the start for every
 * block), too long for the default run: `hardtest disk_full`.
 */
static int
t_disk_full(void)
{
	char *argv[] = { "true", NULL };
	int err, status, fd;
	long got;

	memset(df_buf, 'z', sizeof(df_buf));
	got = fill("/hd.fill", -1, &err);
	REQUIRE(got > 0, "the first write to /hd.fill: %s", strerror(err));
	CHECK(err == ENOSPC || err == EFBIG, "filling the disk ended with %s after %ld bytes, "
	    "want ENOSPC", strerror(err), got);
	diag("the disk took %ld KiB", got / 1024);

	/* On the full disk: each may fail, with a documented error, or work. */
	if (mkdir("/hd.fulldir") == 0)
		unlink("/hd.fulldir");
	else
		CHECK(errno == ENOSPC, "mkdir on a full disk: %s, want ENOSPC", strerror(errno));
	if (link("/hd.fill", "/hd.fill2") == 0)
		unlink("/hd.fill2");
	else
		CHECK(errno == ENOSPC, "link on a full disk: %s, want ENOSPC", strerror(errno));
	if ((fd = open("/hd.fullfile", O_CREAT | O_RDWR)) >= 0) {
		CHECK(write(fd, "x", 1) == -1 && errno == ENOSPC,
		    "write of a new file on a full disk: want ENOSPC");
		close(fd);
		unlink("/hd.fullfile");
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		exec("/bin/true", argv);
		_exit(100 + errno);
	}
	status = wait_for(pid);
	CHECK(exited_with(status, 0), "exec /bin/true on a full disk: %s", describe(status));

	CHECK(unlink("/hd.fill") == 0, "unlink /hd.fill: %s", strerror(errno));
	got = fill("/hd.fill", DF_AGAIN, &err);
	CHECK(got == DF_AGAIN, "8 MiB after freeing the disk: %ld bytes written (%s)", got,
	    strerror(err));
	CHECK(unlink("/hd.fill") == 0, "unlink /hd.fill again: %s", strerror(errno));
	/* And the machine goes on: a process runs and the disk answers. */
	pid = fork();
	if (pid == 0) {
		exec("/bin/true", argv);
		_exit(100 + errno);
	}
	status = wait_for(pid);
	CHECK(exited_with(status, 0), "exec /bin/true afterwards: %s", describe(status));
	return failures;
}

/* ---- the table ------------------------------------------------------------ */

static const struct test {
	const char *name;
	int	(*fn)(void);
	int	named_only;	/* slow: run only when named (hardtest disk_full) */
} tests[] = {
	{ "kill_init_eperm", t_kill_init, 0 },
	{ "ktest_panic_eperm", t_ktest_panic_eperm, 0 },
	{ "exec_errno", t_exec_errno, 0 },
	{ "exec_hostile", t_exec_hostile, 0 },
	{ "exec_killed", t_exec_killed, 0 },
	{ "open_dirs", t_open_dirs, 0 },
	{ "waitpid_status", t_waitpid_status, 0 },
	{ "vfork_deadlocks", t_vfork_deadlocks, 0 },
	{ "faults_killed", t_faults, 0 },
	{ "cpu_state", t_cpu_state, 0 },
	{ "partial_pipe", t_partial_pipe, 0 },
	{ "partial_file", t_partial_file, 0 },
	{ "inode_table_enfile", t_inode_table, 0 },
	{ "disk_full", t_disk_full, 1 },	/* 1-2 min: fills the 32 MiB disk */
};

#define NTESTS	(int)(sizeof(tests) / sizeof(tests[0]))

static int
run(int number, const struct test *t)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		failures = 0;
		int r = t->fn();
		fflush(stdout);
		_exit(r != 0 || failures != 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		printf("not ok %d - %s\n# fork or wait: %s\n", number, t->name, strerror(errno));
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok %d - %s\n", number, t->name);
		return 1;
	}
	printf("not ok %d - %s\n", number, t->name);
	if (WIFSIGNALED(status))
		diag("the check's process was killed by signal %d", WTERMSIG(status));
	return 0;
}

int
main(int argc, char **argv)
{
	const struct test *chosen[NTESTS];
	int n = 0, passed = 0;

	verdict_begin(argc, argv);
	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		for (int i = 0; i < NTESTS; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	for (int a = 1; a < argc; a++) {
		int i;
		for (i = 0; i < NTESTS && strcmp(argv[a], tests[i].name) != 0; i++)
			;
		if (i == NTESTS) {
			fprintf(stderr, "hardtest: no check named %s (-l lists them)\n", argv[a]);
			return 2;
		}
		if (n < NTESTS)
			chosen[n++] = &tests[i];
	}
	if (argc <= 1)
		for (int i = 0; i < NTESTS; i++)
			if (!tests[i].named_only)
				chosen[n++] = &tests[i];

	chdir("/");
	printf("1..%d\n", n);
	verdict_plan(n);
	for (int i = 0; i < n; i++) {
		int ok = run(i + 1, chosen[i]);

		verdict_check(i + 1, ok);
		passed += ok;
	}
	printf("# passed %d/%d\n", passed, n);
	return passed == n ? 0 : 1;
}
