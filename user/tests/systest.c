/*
 * systest: system-call tests, printing TAP for the grader.
 *
 *	systest			run every test
 *	systest name...		run the named tests only
 *	systest -l		list the test names
 *
 * Output: `1..N', then `ok K - name' or `not ok K - name' per test, with
 * `# ...' lines explaining failures.  The exit status is 0 only when every
 * test passed.
 *
 * Each test runs in its own child process, watched by a second child that
 * kills it after a time limit, so a crash or a hang in one test shows as
 * that test failing and the others still run.  A test function returns 0
 * for a pass; diag() says why it did not.
 */
#include <aqua/fork.h>
#include <aqua/fsformat.h>
#include <aqua/procinfo.h>
#include <aqua/sysinfo.h>
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

#define PAGE		4096
#define TIMEOUT_MS	30000	/* per test; generous for TCG */

/* ---- reporting ------------------------------------------------------- */

#include "tap.h"	/* diag, failures, CHECK, REQUIRE, EXPECT_ERR */
#include "runtime.h"	/* runtime_ms: limits in the time the machine ran */

/* ---- bad pointers ---------------------------------------------------- */

/*
 * The kinds of bad pointer every system call that takes a pointer must
 * reject with EFAULT.  Both ports' kernel addresses are tried on both:
 * each is either kernel memory or non-canonical on the other port.  A
 * straddling pointer starts in the last mapped bytes of the heap and runs
 * into the unmapped page after it.
 */
enum { BAD_NULL, BAD_KERN_X86, BAD_KERN_RV, BAD_UNMAPPED, BAD_STRADDLE, NBAD };

static const char *const badname[NBAD] = {
	"NULL", "0xffff800000000000", "0xffffffc000000000", "unmapped", "straddling",
};

static char *heap_end;		/* page-aligned break; the page below is mapped */

static void
setup_heap_end(void)
{
	char *cur = sbrk(0);
	uintptr_t pad = (PAGE - (uintptr_t)cur % PAGE) % PAGE;

	sbrk(pad + PAGE);
	heap_end = sbrk(0);
	memset(heap_end - PAGE, 0, PAGE);
}

/*
 * A bad pointer of the given kind.  For a straddling string (string != 0)
 * the last bytes of the heap hold characters with no NUL, so the string
 * runs off the end; a straddling buffer has only its first byte mapped.
 */
static void *
badptr(int kind, int string)
{
	switch (kind) {
	case BAD_NULL:
		return NULL;
	case BAD_KERN_X86:
		return (void *)0xffff800000000000UL;
	case BAD_KERN_RV:
		return (void *)0xffffffc000000000UL;
	case BAD_UNMAPPED:
		return heap_end + 64 * 1024 * 1024;
	default:
		if (string) {
			memset(heap_end - 8, 'a', 8);
			return heap_end - 8;
		}
		return heap_end - 1;
	}
}

#define FOR_EACH_BAD(k)	for (int k = 0; k < NBAD; k++)

static char what[80];

static const char *
label(const char *call, int kind)
{
	snprintf(what, sizeof(what), "%s(%s)", call, badname[kind]);
	return what;
}

static int
t_efault_read(void)
{
	int p[2];

	setup_heap_end();
	FOR_EACH_BAD(k) {
		if (pipe(p) < 0)
			return 1;
		write(p[1], "0123456789abcdef0123456789abcdef", 32);
		if (k == BAD_STRADDLE) {
			/* Only the first byte is mapped: read(2) stores and counts just it. */
			char rest[32];
			long r = read(p[0], badptr(k, 0), 32);
			CHECK(r == 1 && *(char *)badptr(k, 0) == '0',
			    "read(straddling): got %ld, want 1 (the one byte that fits)", r);
			CHECK(read(p[0], rest, sizeof(rest)) == 31 && rest[0] == '1',
			    "the other 31 bytes are not left in the pipe after the partial read");
		} else {
			EXPECT_ERR(read(p[0], badptr(k, 0), 32), EFAULT, label("read", k));
		}
		close(p[0]);
		close(p[1]);
	}
	return failures;
}

static int
t_efault_write(void)
{
	int p[2];

	setup_heap_end();
	if (pipe(p) < 0)
		return 1;
	FOR_EACH_BAD(k) {
		if (k == BAD_STRADDLE) {
			/* Only the first byte is readable: write(2) puts in and counts just it. */
			long r = write(p[1], badptr(k, 0), 32);
			CHECK(r == 1, "write(straddling): got %ld, want 1 (the one byte there)", r);
		} else {
			EXPECT_ERR(write(p[1], badptr(k, 0), 32), EFAULT, label("write", k));
		}
	}
	return failures;
}

static int
t_efault_open(void)
{
	setup_heap_end();
	FOR_EACH_BAD(k)
		EXPECT_ERR(open(badptr(k, 1), O_RDONLY), EFAULT, label("open", k));
	FOR_EACH_BAD(k)
		EXPECT_ERR(open(badptr(k, 1), O_CREAT | O_RDWR), EFAULT, label("open O_CREAT", k));
	return failures;
}

static int
t_efault_pipe(void)
{
	setup_heap_end();
	FOR_EACH_BAD(k)
		EXPECT_ERR(pipe(badptr(k, 0)), EFAULT, label("pipe", k));
	return failures;
}

static int
t_efault_link(void)
{
	int fd;

	setup_heap_end();
	if ((fd = open("/efault.tmp", O_CREAT | O_RDWR)) < 0)
		return 1;
	close(fd);
	FOR_EACH_BAD(k) {
		EXPECT_ERR(link(badptr(k, 1), "/efault.new"), EFAULT, label("link old", k));
		EXPECT_ERR(link("/efault.tmp", badptr(k, 1)), EFAULT, label("link new", k));
	}
	unlink("/efault.new");
	unlink("/efault.tmp");
	return failures;
}

static int
t_efault_unlink(void)
{
	setup_heap_end();
	FOR_EACH_BAD(k)
		EXPECT_ERR(unlink(badptr(k, 1)), EFAULT, label("unlink", k));
	return failures;
}

/*
 * One exec attempt in a child, so that a wrongly successful exec (of
 * /bin/false, which exits 1) shows up as that attempt failing.
 */
static void
exec_attempt(const char *path, char *const argv[], const char *desc)
{
	int status;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		failures = 0;
		EXPECT_ERR(exec(path, argv), EFAULT, desc);
		fflush(stdout);
		_exit(failures ? 2 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid) {
		diag("%s: fork or wait failed", desc);
		failures++;
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		diag("%s: exec succeeded", desc);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failures++;
}

static int
t_efault_exec(void)
{
	static char *good[] = { "false", NULL };

	setup_heap_end();
	FOR_EACH_BAD(k) {
		char *elem[] = { "false", badptr(k, 1), NULL };
		exec_attempt(badptr(k, 1), good, label("exec path", k));
		exec_attempt("/bin/false", badptr(k, 0), label("exec argv", k));
		if (k != BAD_NULL)	/* a NULL element just ends the list */
			exec_attempt("/bin/false", elem, label("exec argv[1]", k));
	}
	return failures;
}

static int
t_efault_chdir(void)
{
	setup_heap_end();
	FOR_EACH_BAD(k)
		EXPECT_ERR(chdir(badptr(k, 1)), EFAULT, label("chdir", k));
	return failures;
}

static int
t_efault_mknod(void)
{
	setup_heap_end();
	FOR_EACH_BAD(k)
		EXPECT_ERR(mknod(badptr(k, 1), CONSOLE_MAJOR, 0), EFAULT, label("mknod", k));
	return failures;
}

static int
t_efault_fstat(void)
{
	setup_heap_end();
	FOR_EACH_BAD(k)
		EXPECT_ERR(fstat(0, badptr(k, 0)), EFAULT, label("fstat", k));
	return failures;
}

static int
t_efault_waitpid(void)
{
	setup_heap_end();
	FOR_EACH_BAD(k) {
		pid_t pid;
		int status;

		if (k == BAD_NULL)
			continue;	/* NULL means "no status wanted" */
		pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0)
			_exit(0);
		EXPECT_ERR(waitpid(pid, badptr(k, 0), 0), EFAULT, label("waitpid", k));
		waitpid(pid, &status, 0);	/* reap it if the failed call did not */
	}
	return failures;
}

static int
t_efault_mkdir(void)
{
	setup_heap_end();
	FOR_EACH_BAD(k)
		EXPECT_ERR(mkdir(badptr(k, 1)), EFAULT, label("mkdir", k));
	return failures;
}

static int
t_efault_procinfo(void)
{
	struct procinfo pi;
	int slot;

	setup_heap_end();
	for (slot = 0; slot < 1024; slot++)
		if (procinfo(slot, &pi) == 0)
			break;
	REQUIRE(slot < 1024, "procinfo found no process at all");
	FOR_EACH_BAD(k)
		EXPECT_ERR(procinfo(slot, badptr(k, 0)), EFAULT, label("procinfo", k));
	return failures;
}

static int
t_efault_bootargs(void)
{
	static char good[4096];

	setup_heap_end();
	REQUIRE(bootargs(good, sizeof(good)) >= 0, "bootargs: %s", strerror(errno));
	FOR_EACH_BAD(k) {
		/* An empty string (1 byte with its NUL) fits in the mapped byte. */
		if (k == BAD_STRADDLE && good[0] == '\0')
			continue;
		EXPECT_ERR(bootargs(badptr(k, 0), sizeof(good)), EFAULT, label("bootargs", k));
	}
	return failures;
}

static int
t_efault_sysinfo(void)
{
	setup_heap_end();
	FOR_EACH_BAD(k)
		EXPECT_ERR(sysinfo(badptr(k, 0)), EFAULT, label("sysinfo", k));
	return failures;
}

static int
t_efault_getcwd(void)
{
	setup_heap_end();
	FOR_EACH_BAD(k)
		EXPECT_ERR(getcwd(badptr(k, 0), 64), EFAULT, label("getcwd", k));
	return failures;
}

static int
t_efault_ktest(void)
{
	setup_heap_end();
	FOR_EACH_BAD(k)
		EXPECT_ERR(ktest(badptr(k, 1)), EFAULT, label("ktest", k));
	return failures;
}

/* ---- processes --------------------------------------------------------- */

static int
t_fork_exit_status(void)
{
	int status;
	pid_t pid = fork(), w;

	REQUIRE(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		exit(42);
	w = wait(&status);
	REQUIRE(w == pid, "wait returned %d, want %d", w, pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42, "status %#x: %s", status, describe(status));
	EXPECT_ERR(wait(&status), ECHILD, "wait with no children");
	return failures;
}

static int
t_fork_memory(void)
{
	static volatile int shared = 1;
	int status;
	pid_t pid = fork();

	REQUIRE(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		shared = 2;
		_exit(shared == 2 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %s", describe(status));
	CHECK(shared == 1, "child's store reached the parent: %d", shared);
	return failures;
}

static int
t_getppid(void)
{
	int p[2], status;
	pid_t me = getpid(), pid, seen = 0;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	pid = fork();
	REQUIRE(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		pid_t pp = getppid(), self = getpid();
		write(p[1], &pp, sizeof(pp));
		write(p[1], &self, sizeof(self));
		_exit(0);
	}
	read(p[0], &seen, sizeof(seen));
	CHECK(seen == me, "child's getppid %d, parent's getpid %d", seen, me);
	read(p[0], &seen, sizeof(seen));
	CHECK(seen == pid, "child's getpid %d, fork returned %d", seen, pid);
	waitpid(pid, &status, 0);
	return failures;
}

static int
t_waitpid(void)
{
	int p[2], status;
	pid_t a, b;
	char c;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	if ((a = fork()) == 0) {
		read(p[0], &c, 1);	/* wait for the parent's word */
		_exit(3);
	}
	if ((b = fork()) == 0)
		_exit(4);
	REQUIRE(a > 0 && b > 0, "fork: %s", strerror(errno));
	CHECK(waitpid(a, &status, WNOHANG) == 0, "WNOHANG on a running child did not return 0");
	CHECK(waitpid(b, &status, 0) == b && WEXITSTATUS(status) == 4, "waitpid(b): %s", describe(status));
	write(p[1], "x", 1);
	CHECK(waitpid(a, &status, 0) == a && WEXITSTATUS(status) == 3, "waitpid(a): %s", describe(status));
	EXPECT_ERR(waitpid(a, &status, 0), ECHILD, "waitpid on a reaped child");
	return failures;
}

static int
t_exec_args(void)
{
	char *argv[] = { "echo", "hello", "two words", "", "end", NULL };
	char buf[128];
	int p[2], n = 0, r, status;
	pid_t pid;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		close(p[0]);
		dup2(p[1], 1);
		close(p[1]);
		exec("/bin/echo", argv);
		_exit(99);
	}
	close(p[1]);
	while (n < (int)sizeof(buf) - 1 && (r = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "echo: %s", describe(status));
	CHECK(strcmp(buf, "hello two words  end\n") == 0, "echo printed \"%s\"", buf);
	return failures;
}

static int
t_exec_errors(void)
{
	char *argv[] = { "x", NULL };
	char *many[MAXARG + 2];

	EXPECT_ERR(exec("/no/such/program", argv), ENOENT, "exec of a missing file");
	EXPECT_ERR(exec("/README", argv), ENOEXEC, "exec of a text file");
	errno = 0;
	CHECK(exec("/bin", argv) == -1 && (errno == EACCES || errno == ENOEXEC),
	    "exec of a directory: errno %d (%s), want EACCES or ENOEXEC", errno, strerror(errno));
	for (int i = 0; i < MAXARG + 1; i++)
		many[i] = "a";
	many[MAXARG + 1] = NULL;
	EXPECT_ERR(exec("/bin/false", many), E2BIG, "exec with MAXARG+1 arguments");
	return failures;
}

static int
t_vfork(void)
{
	int status;
	pid_t pid = vfork();

	REQUIRE(pid >= 0, "vfork: %s", strerror(errno));
	if (pid == 0)
		_exit(7);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7,
	    "vfork child: %s", describe(status));
	if ((pid = vfork()) == 0) {
		char *argv[] = { "true", NULL };
		exec("/bin/true", argv);
		_exit(9);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "vfork+exec: %s", describe(status));
	return failures;
}

static int
t_rfork1(void)
{
	int status;
	pid_t pid;

	EXPECT_ERR(rfork1(0x40000000), EINVAL, "rfork1 with an unknown flag");
	pid = rfork1(FORK_FORK);
	REQUIRE(pid >= 0, "rfork1(FORK_FORK): %s", strerror(errno));
	if (pid == 0)
		_exit(5);
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 5, "child: %s", describe(status));
	return failures;
}

static int
t_kill(void)
{
	int status;
	pid_t sleeper, spinner;

	if ((sleeper = fork()) == 0) {
		for (;;)
			msleep(1000);
	}
	if ((spinner = fork()) == 0) {
		for (volatile unsigned long i = 0;; i++)
			;
	}
	REQUIRE(sleeper > 0 && spinner > 0, "fork: %s", strerror(errno));
	msleep(50);
	CHECK(kill(sleeper, SIGKILL) == 0, "kill sleeper: %s", strerror(errno));
	CHECK(kill(spinner, SIGKILL) == 0, "kill spinner: %s", strerror(errno));
	CHECK(waitpid(sleeper, &status, 0) == sleeper && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGKILL, "sleeping child: %s", describe(status));
	CHECK(waitpid(spinner, &status, 0) == spinner && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGKILL, "spinning child: %s", describe(status));
	EXPECT_ERR(kill(spinner, SIGKILL), ESRCH, "kill of a reaped child");
	EXPECT_ERR(kill(100000, SIGKILL), ESRCH, "kill of pid 100000");
	return failures;
}

static int
t_fault_status(void)
{
	int status;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		int *volatile p = NULL;
		_exit(*p);
	}
	REQUIRE(pid > 0, "fork: %s", strerror(errno));
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "NULL read: %s", describe(status));
	return failures;
}

static int
t_fork_eagain(void)
{
	pid_t kids[256];
	int p[2], n = 0, err = 0, status;
	pid_t pid;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	fflush(stdout);
	while (n < 256) {
		pid = fork();
		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			char c;
			close(p[1]);
			read(p[0], &c, 1);	/* until the parent closes its end */
			_exit(0);
		}
		kids[n++] = pid;
	}
	close(p[1]);
	diag("forked %d children before the failure", n);
	CHECK(n < 256, "no limit after 256 forks");
	CHECK(err == EAGAIN, "fork failed with errno %d (%s), want EAGAIN", err, strerror(err));
	for (int i = 0; i < n; i++)
		CHECK(waitpid(kids[i], &status, 0) == kids[i], "waitpid %d failed", kids[i]);
	pid = fork();
	REQUIRE(pid >= 0, "fork after recovery: %s", strerror(errno));
	if (pid == 0)
		_exit(0);
	waitpid(pid, &status, 0);
	return failures;
}

/*
 * Snapshots of every process's page tallies (procinfo pgalloc/pgfree), so
 * that a failed leak check names who allocated or freed pages meanwhile.
 */
#define LEAK_MAXPROC	64

struct leak_snap {
	int n;
	struct procinfo pi[LEAK_MAXPROC];
};

static void
leak_snapshot(struct leak_snap *s)
{
	struct procinfo pi;

	s->n = 0;
	for (int slot = 0; s->n < LEAK_MAXPROC; slot++) {
		if (procinfo(slot, &pi) < 0) {
			if (errno == ESRCH)
				continue;
			break;
		}
		s->pi[s->n++] = pi;
	}
}

/* Name every process whose allocations changed between two snapshots. */
static void
leak_name_holders(const struct leak_snap *a, const struct leak_snap *b)
{
	for (int i = 0; i < b->n; i++) {
		unsigned long alloc = 0, freed = 0;
		for (int j = 0; j < a->n; j++)
			if (a->pi[j].pid == b->pi[i].pid) {
				alloc = a->pi[j].pgalloc;
				freed = a->pi[j].pgfree;
			}
		alloc = b->pi[i].pgalloc - alloc;
		freed = b->pi[i].pgfree - freed;
		if (alloc != 0 || freed != 0)
			diag("pid %d (%s, state %d %s) allocated %lu and freed %lu pages meanwhile",
			    b->pi[i].pid, b->pi[i].name, b->pi[i].state, b->pi[i].wmesg, alloc, freed);
	}
}

/*
 * Ten fork/exit/waitpid rounds give back every page: waitpid returns only
 * once the child's address space, page tables and descriptors are freed
 * (exit1 frees them before the child becomes a zombie), so one sample
 * after the last waitpid is exact.  A first round warms up what the first
 * forks touch (our own copy-on-write faults on the stack).  run_test has
 * made sure our parent and the watchdog are asleep (wait_asleep), so no
 * other process allocates meanwhile.
 */
static int
t_no_page_leak(void)
{
	struct sysinfo before, after;
	struct leak_snap sa, sb;
	int status;

	for (int round = 0; round < 2; round++) {
		leak_snapshot(&sa);
		REQUIRE(sysinfo(&before) == 0, "sysinfo: %s", strerror(errno));
		for (int i = 0; i < 10; i++) {
			pid_t pid = fork();
			if (pid == 0) {
				char *p = sbrk(8 * PAGE);
				if (p != (char *)-1)
					memset(p, 1, 8 * PAGE);
				_exit(0);
			}
			REQUIRE(pid > 0, "fork: %s", strerror(errno));
			REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
		}
		REQUIRE(sysinfo(&after) == 0, "sysinfo: %s", strerror(errno));
		leak_snapshot(&sb);
	}
	CHECK(before.freepages == after.freepages, "free pages %lu before, %lu after 10 fork/exit",
	    before.freepages, after.freepages);
	if (before.freepages != after.freepages)
		leak_name_holders(&sa, &sb);
	CHECK(after.freepages <= after.totalpages && after.nproc > 0 && after.nproc <= after.maxproc,
	    "sysinfo: free %lu total %lu nproc %d maxproc %d", after.freepages, after.totalpages,
	    after.nproc, after.maxproc);
	return failures;
}

static int
t_procinfo(void)
{
	struct procinfo pi;
	int found = 0;

	for (int slot = 0;; slot++) {
		if (procinfo(slot, &pi) < 0) {
			if (errno == ESRCH)
				continue;
			CHECK(errno == EINVAL, "procinfo(%d): %s, want EINVAL at the end", slot, strerror(errno));
			break;
		}
		if (pi.pid == getpid()) {
			found = 1;
			CHECK(pi.ppid == getppid(), "ppid %d, want %d", pi.ppid, getppid());
			CHECK(pi.state == SONPROC, "own state %d, want SONPROC", pi.state);
		}
	}
	CHECK(found, "did not find own pid %d", getpid());
	EXPECT_ERR(procinfo(-1, &pi), EINVAL, "procinfo(-1)");
	return failures;
}

static int
t_time(void)
{
	unsigned long t0 = uptime(), t1, r0 = runtime_ms(), r1;

	CHECK(msleep(100) == 0, "msleep: %s", strerror(errno));
	t1 = uptime();
	r1 = runtime_ms();
	/* At least 100 ms on the clock, and not 50 times that of machine time. */
	CHECK(t1 >= t0 + 90 && r1 < r0 + 5000, "msleep(100) took %lu ms (%lu ms of machine time)",
	    t1 - t0, r1 - r0);
	return failures;
}

/* ---- memory ------------------------------------------------------------ */

static int
t_sbrk(void)
{
	char *start = sbrk(0), *p;
	int status;
	pid_t pid;

	p = sbrk(64 * 1024);
	REQUIRE(p == start, "sbrk(64K) returned %p, break was %p", p, start);
	for (int i = 0; i < 64 * 1024; i++)
		p[i] = (char)i;
	for (int i = 0; i < 64 * 1024; i++)
		REQUIRE(p[i] == (char)i, "byte %d changed", i);
	CHECK(sbrk(0) == start + 64 * 1024, "break did not move");
	CHECK(sbrk(-64 * 1024) == start + 64 * 1024, "shrink returned the wrong old break");
	CHECK(sbrk(0) == start, "break not back after shrink");

	/* The shrunk pages must be gone: touching them kills the process. */
	setup_heap_end();
	sbrk(-PAGE);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		*(volatile char *)(heap_end - PAGE) = 1;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFSIGNALED(status), "touching freed heap: %s", describe(status));
	return failures;
}

static int
t_sbrk_enomem(void)
{
	const long step = 4 * 1024 * 1024;
	char *start = sbrk(0), *p = NULL;
	long grown = 0;
	int err = 0;

	EXPECT_ERR(sbrk(1L << 40), ENOMEM, "sbrk(1 TiB)");
	/*
	 * Once the heap has every free page, a write to a page we still share
	 * copy-on-write with our parent needs a page that is not there, and
	 * kills us.  The failing sbrk itself writes errno, so make errno's
	 * page ours now, and shrink before writing anything else (diag's
	 * buffer, the failure count).
	 */
	errno = 0;
	while (grown < 2048L * 1024 * 1024) {
		p = sbrk(step);
		if (p == (char *)-1) {
			err = errno;
			break;
		}
		for (long off = 0; off < step; off += PAGE)
			p[off] = 1;	/* make sure the pages are really there */
		grown += step;
	}
	char *shrunk = sbrk(-grown);
	int shrink_err = errno;
	diag("heap grew %ld MiB before the failure", grown >> 20);
	CHECK(p == (char *)-1 && err == ENOMEM, "sbrk failed with errno %d, want ENOMEM", err);
	CHECK(shrunk != (char *)-1, "shrink: %s", strerror(shrink_err));
	CHECK(sbrk(0) == start, "break not back after shrink");
	p = sbrk(step);
	REQUIRE(p != (char *)-1, "sbrk after recovery: %s", strerror(errno));
	memset(p, 2, step);
	return failures;
}

static int
t_malloc(void)
{
	char *blocks[64];

	for (int i = 0; i < 64; i++) {
		blocks[i] = malloc(100 + i * 97);
		REQUIRE(blocks[i] != NULL, "malloc %d failed", i);
		REQUIRE(((uintptr_t)blocks[i] & 15) == 0, "malloc result %p not 16-aligned", blocks[i]);
		memset(blocks[i], i, 100 + i * 97);
	}
	for (int i = 0; i < 64; i += 2)
		free(blocks[i]);
	for (int i = 1; i < 64; i += 2)
		for (int j = 0; j < 100 + i * 97; j++)
			REQUIRE(blocks[i][j] == (char)i, "block %d corrupted", i);
	blocks[1] = realloc(blocks[1], 50000);
	REQUIRE(blocks[1] != NULL && blocks[1][196] == 1, "realloc lost data");
	return failures;
}

/* ---- files ----------------------------------------------------------------- */

static int
t_pipe(void)
{
	int p[2], status;
	char buf[32];
	pid_t pid;
	unsigned long sum = 0, want = 0;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	CHECK(write(p[1], "hello", 5) == 5, "write 5 bytes");
	CHECK(read(p[0], buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0, "read back");

	/* 64 KiB through the pipe from a child, more than any pipe buffer. */
	if ((pid = fork()) == 0) {
		static unsigned char out[1024];
		close(p[0]);
		for (int i = 0; i < 64; i++) {
			for (int j = 0; j < 1024; j++)
				out[j] = (unsigned char)(i * 31 + j);
			if (write(p[1], out, sizeof(out)) != sizeof(out))
				_exit(1);
		}
		_exit(0);
	}
	close(p[1]);
	for (int i = 0; i < 64; i++)
		for (int j = 0; j < 1024; j++)
			want += (unsigned char)(i * 31 + j);
	for (;;) {
		unsigned char in[700];
		ssize_t n = read(p[0], in, sizeof(in));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			sum += in[i];
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer: %s", describe(status));
	CHECK(sum == want, "checksum %lu, want %lu", sum, want);
	close(p[0]);
	return failures;
}

static int
t_pipe_closed(void)
{
	int p[2], status;
	char c;
	pid_t pid;

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	close(p[1]);
	CHECK(read(p[0], &c, 1) == 0, "read with no writers did not return 0");
	close(p[0]);

	REQUIRE(pipe(p) == 0, "pipe: %s", strerror(errno));
	close(p[0]);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		ssize_t r = write(p[1], "x", 1);
		_exit(r == -1 && errno == EPIPE ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	/* Either EPIPE, or killed as by SIGPIPE. */
	CHECK(WIFSIGNALED(status) || WEXITSTATUS(status) == 0, "write with no readers: %s", describe(status));
	return failures;
}

static int
write_file(const char *path, int flags, const char *text)
{
	int fd = open(path, flags);

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static int
read_file(const char *path, char *buf, int size)
{
	int fd = open(path, O_RDONLY), n = 0, r;

	if (fd < 0)
		return -1;
	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	close(fd);
	return n;
}

static int
t_files(void)
{
	char buf[64];
	struct stat st;
	int fd;

	unlink("/st.f");
	REQUIRE(write_file("/st.f", O_CREAT | O_WRONLY, "hello world") == 0, "create: %s", strerror(errno));
	CHECK(read_file("/st.f", buf, sizeof(buf)) == 11 && strcmp(buf, "hello world") == 0, "read back \"%s\"", buf);
	CHECK(stat("/st.f", &st) == 0 && st.type == T_FILE && st.size == 11 && st.nlink == 1,
	    "stat: type %d size %lu nlink %d", st.type, st.size, st.nlink);
	CHECK(write_file("/st.f", O_WRONLY | O_APPEND, "!!") == 0, "append: %s", strerror(errno));
	CHECK(read_file("/st.f", buf, sizeof(buf)) == 13 && strcmp(buf, "hello world!!") == 0, "after append \"%s\"", buf);
	CHECK(write_file("/st.f", O_WRONLY | O_TRUNC, "new") == 0, "truncate: %s", strerror(errno));
	CHECK(read_file("/st.f", buf, sizeof(buf)) == 3 && strcmp(buf, "new") == 0, "after truncate \"%s\"", buf);
	EXPECT_ERR(open("/st.f", O_CREAT | O_EXCL | O_RDWR), EEXIST, "O_EXCL on an existing file");
	fd = open("/st.f", O_RDONLY);
	CHECK(write(fd, "x", 1) == -1 && errno == EBADF, "write on O_RDONLY did not fail with EBADF");
	close(fd);
	fd = open("/st.f", O_WRONLY);
	CHECK(read(fd, buf, 1) == -1 && errno == EBADF, "read on O_WRONLY did not fail with EBADF");
	close(fd);
	CHECK(unlink("/st.f") == 0, "unlink: %s", strerror(errno));
	EXPECT_ERR(open("/st.f", O_RDONLY), ENOENT, "open after unlink");
	EXPECT_ERR(unlink("/st.f"), ENOENT, "unlink twice");
	EXPECT_ERR(open("/bin", O_RDWR), EISDIR, "open a directory for writing");
	{
		char longpath[MAXPATH + 16];
		memset(longpath, 'p', sizeof(longpath));
		longpath[0] = '/';
		longpath[sizeof(longpath) - 1] = '\0';
		EXPECT_ERR(open(longpath, O_RDONLY), ENAMETOOLONG, "open of a path longer than MAXPATH");
	}
	return failures;
}

static int
t_link(void)
{
	char buf[32];
	struct stat st;

	unlink("/st.a");
	unlink("/st.b");
	REQUIRE(write_file("/st.a", O_CREAT | O_WRONLY, "linked") == 0, "create: %s", strerror(errno));
	CHECK(link("/st.a", "/st.b") == 0, "link: %s", strerror(errno));
	CHECK(read_file("/st.b", buf, sizeof(buf)) == 6 && strcmp(buf, "linked") == 0, "read via link");
	CHECK(stat("/st.a", &st) == 0 && st.nlink == 2, "nlink %d, want 2", st.nlink);
	EXPECT_ERR(link("/st.a", "/st.b"), EEXIST, "link to an existing name");
	EXPECT_ERR(link("/nonexistent", "/st.c"), ENOENT, "link of a missing file");
	CHECK(unlink("/st.a") == 0, "unlink a");
	CHECK(read_file("/st.b", buf, sizeof(buf)) == 6, "file gone after unlinking one name");
	CHECK(unlink("/st.b") == 0, "unlink b");
	return failures;
}

static int
t_dirs(void)
{
	char buf[32];
	struct stat st;

	unlink("/st.d/f");
	unlink("/st.d");
	REQUIRE(mkdir("/st.d") == 0, "mkdir: %s", strerror(errno));
	EXPECT_ERR(mkdir("/st.d"), EEXIST, "mkdir of an existing directory");
	CHECK(stat("/st.d", &st) == 0 && st.type == T_DIR, "stat type %d", st.type);
	REQUIRE(chdir("/st.d") == 0, "chdir: %s", strerror(errno));
	CHECK(write_file("f", O_CREAT | O_WRONLY, "inside") == 0, "create relative: %s", strerror(errno));
	CHECK(chdir("..") == 0, "chdir ..: %s", strerror(errno));
	CHECK(read_file("/st.d/f", buf, sizeof(buf)) == 6, "read /st.d/f");
	CHECK(read_file("st.d/./f", buf, sizeof(buf)) == 6, "read st.d/./f from /");
	EXPECT_ERR(unlink("/st.d"), ENOTEMPTY, "unlink of a non-empty directory");
	EXPECT_ERR(chdir("/st.d/f"), ENOTDIR, "chdir to a file");
	EXPECT_ERR(open("/st.d/f/x", O_RDONLY), ENOTDIR, "open through a file");
	EXPECT_ERR(chdir("/nonexistent"), ENOENT, "chdir to a missing directory");
	CHECK(unlink("/st.d/f") == 0, "unlink file: %s", strerror(errno));
	CHECK(unlink("/st.d") == 0, "unlink empty dir: %s", strerror(errno));
	return failures;
}

static int
t_dup_lseek(void)
{
	char buf[16];
	int fd, fd2, p[2];

	unlink("/st.s");
	REQUIRE(write_file("/st.s", O_CREAT | O_WRONLY, "0123456789") == 0, "create: %s", strerror(errno));
	REQUIRE((fd = open("/st.s", O_RDWR)) >= 0, "open: %s", strerror(errno));
	fd2 = dup(fd);
	CHECK(fd2 > fd, "dup returned %d", fd2);
	CHECK(read(fd, buf, 3) == 3, "read 3");
	CHECK(read(fd2, buf, 2) == 2 && memcmp(buf, "34", 2) == 0, "dup does not share the offset");
	CHECK(lseek(fd, 0, SEEK_CUR) == 5, "SEEK_CUR gave %ld", (long)lseek(fd, 0, SEEK_CUR));
	CHECK(lseek(fd, 1, SEEK_SET) == 1 && read(fd, buf, 1) == 1 && buf[0] == '1', "SEEK_SET");
	CHECK(lseek(fd, -2, SEEK_END) == 8 && read(fd, buf, 2) == 2 && buf[1] == '9', "SEEK_END");
	EXPECT_ERR(lseek(fd, 0, 7), EINVAL, "lseek with a bad whence");
	EXPECT_ERR(lseek(fd, -100, SEEK_SET), EINVAL, "lseek to a negative offset");
	CHECK(dup2(fd, 10) == 10, "dup2 to 10: %s", strerror(errno));
	CHECK(lseek(10, 0, SEEK_SET) == 0 && read(10, buf, 1) == 1 && buf[0] == '0', "read via dup2'd fd");
	CHECK(dup2(fd2, 10) == 10, "dup2 over an open fd: %s", strerror(errno));
	CHECK(dup2(10, 10) == 10, "dup2(10, 10)");
	EXPECT_ERR(dup2(fd, NOFILE), EBADF, "dup2 to NOFILE");
	REQUIRE(pipe(p) == 0, "pipe");
	EXPECT_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE, "lseek on a pipe");
	close(fd);
	close(fd2);
	close(10);
	unlink("/st.s");
	return failures;
}

static int
t_ebadf(void)
{
	int bad[] = { -1, NOFILE, 1000, 9 };	/* 9: never opened in this test */
	char buf[4];
	struct stat st;

	close(9);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = bad[i];
		char w[32];
		snprintf(w, sizeof(w), "read(%d)", fd);
		EXPECT_ERR(read(fd, buf, 1), EBADF, w);
		snprintf(w, sizeof(w), "write(%d)", fd);
		EXPECT_ERR(write(fd, "x", 1), EBADF, w);
		snprintf(w, sizeof(w), "close(%d)", fd);
		EXPECT_ERR(close(fd), EBADF, w);
		snprintf(w, sizeof(w), "fstat(%d)", fd);
		EXPECT_ERR(fstat(fd, &st), EBADF, w);
		snprintf(w, sizeof(w), "lseek(%d)", fd);
		EXPECT_ERR(lseek(fd, 0, SEEK_SET), EBADF, w);
		snprintf(w, sizeof(w), "dup(%d)", fd);
		EXPECT_ERR(dup(fd), EBADF, w);
		snprintf(w, sizeof(w), "dup2(%d, 5)", fd);
		EXPECT_ERR(dup2(fd, 5), EBADF, w);
	}
	return failures;
}

static int
t_emfile(void)
{
	int n = 0, fd, p[2];

	/* 0, 1 and 2 are open; fill the rest of the table. */
	while ((fd = dup(0)) >= 0)
		n++;
	CHECK(errno == EMFILE, "dup failed with %s, want EMFILE", strerror(errno));
	CHECK(n == NOFILE - 3, "got %d more descriptors, want %d", n, NOFILE - 3);
	EXPECT_ERR(open("/README", O_RDONLY), EMFILE, "open with a full table");
	EXPECT_ERR(pipe(p), EMFILE, "pipe with a full table");
	close(NOFILE - 1);
	close(NOFILE - 2);
	CHECK(pipe(p) == 0, "pipe after closing two: %s", strerror(errno));
	close(5);
	CHECK(open("/README", O_RDONLY) == 5, "open does not take the lowest free descriptor");
	return failures;
}

#define WRITERS		4
#define RECORDS		25
#define RECSIZE		32

static int
t_concurrent_writers(void)
{
	int fd, status, count[WRITERS] = { 0 };
	char rec[RECSIZE];
	struct stat st;

	unlink("/st.cw");
	REQUIRE((fd = open("/st.cw", O_CREAT | O_RDWR)) >= 0, "create: %s", strerror(errno));
	fflush(stdout);
	for (int w = 0; w < WRITERS; w++) {
		if (fork() == 0) {
			for (int i = 0; i < RECORDS; i++) {
				memset(rec, 'a' + w, RECSIZE);
				snprintf(rec, RECSIZE, "w%d-%03d", w, i);
				rec[strlen(rec)] = ' ';
				rec[RECSIZE - 1] = '\n';
				if (write(fd, rec, RECSIZE) != RECSIZE)
					_exit(1);
			}
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		wait(&status);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer: %s", describe(status));
	}
	CHECK(fstat(fd, &st) == 0 && st.size == WRITERS * RECORDS * RECSIZE,
	    "size %lu, want %d", st.size, WRITERS * RECORDS * RECSIZE);
	lseek(fd, 0, SEEK_SET);
	while (read(fd, rec, RECSIZE) == RECSIZE) {
		int w = rec[1] - '0';
		if (rec[0] != 'w' || w < 0 || w >= WRITERS || rec[RECSIZE - 2] != 'a' + w) {
			diag("torn record: %.31s", rec);
			failures++;
			break;
		}
		count[w]++;
	}
	for (int w = 0; w < WRITERS; w++)
		CHECK(count[w] == RECORDS, "writer %d: %d records, want %d", w, count[w], RECORDS);
	close(fd);
	unlink("/st.cw");
	return failures;
}

static int
t_large_file(void)
{
	/*
	 * Past the direct and single-indirect blocks, into the double
	 * indirect ones.  Written 8 blocks per call: fewer log commits.
	 */
	const int chunk = 8, nblocks = (NDIRECT + NINDIRECT + 8 + chunk - 1) / chunk * chunk;
	static unsigned char buf[8 * BSIZE];
	struct stat st;
	int fd;

	unlink("/st.big");
	REQUIRE((fd = open("/st.big", O_CREAT | O_RDWR)) >= 0, "create: %s", strerror(errno));
	for (int b = 0; b < nblocks; b += chunk) {
		for (int i = 0; i < chunk * BSIZE; i++)
			buf[i] = (unsigned char)((b + i / BSIZE) * 7 + i);
		REQUIRE(write(fd, buf, sizeof(buf)) == sizeof(buf), "write at block %d: %s", b, strerror(errno));
	}
	CHECK(fstat(fd, &st) == 0 && st.size == (unsigned long)nblocks * BSIZE, "size %lu", st.size);
	REQUIRE(lseek(fd, 0, SEEK_SET) == 0, "lseek");
	for (int b = 0; b < nblocks; b += chunk) {
		REQUIRE(read(fd, buf, sizeof(buf)) == sizeof(buf), "read at block %d: %s", b, strerror(errno));
		for (int i = 0; i < chunk * BSIZE; i++)
			REQUIRE(buf[i] == (unsigned char)((b + i / BSIZE) * 7 + i),
			    "block %d byte %d wrong", b + i / BSIZE, i % BSIZE);
	}
	close(fd);
	CHECK(unlink("/st.big") == 0, "unlink: %s", strerror(errno));
	return failures;
}

static int
t_misc_calls(void)
{
	char buf[128];
	struct sysinfo si;

	CHECK(getcwd(buf, sizeof(buf)) >= 0, "getcwd: %s", strerror(errno));
	CHECK(bootargs(buf, sizeof(buf)) >= 0, "bootargs: %s", strerror(errno));
	CHECK(sysinfo(&si) == 0 && si.ncpu >= 1, "sysinfo: %s", strerror(errno));
	return failures;
}

/* ---- the table ----------------------------------------------------------------- */

struct test {
	const char *name;
	int	(*fn)(void);
};

static const struct test tests[] = {
	{ "fork_exit_status", t_fork_exit_status },
	{ "fork_memory", t_fork_memory },
	{ "getppid", t_getppid },
	{ "waitpid", t_waitpid },
	{ "exec_args", t_exec_args },
	{ "exec_errors", t_exec_errors },
	{ "vfork", t_vfork },
	{ "rfork1", t_rfork1 },
	{ "kill", t_kill },
	{ "fault_status", t_fault_status },
	{ "procinfo", t_procinfo },
	{ "time", t_time },
	{ "misc_calls", t_misc_calls },
	{ "pipe", t_pipe },
	{ "pipe_closed", t_pipe_closed },
	{ "sbrk", t_sbrk },
	{ "malloc", t_malloc },
	{ "files", t_files },
	{ "link", t_link },
	{ "dirs", t_dirs },
	{ "dup_lseek", t_dup_lseek },
	{ "ebadf", t_ebadf },
	{ "emfile", t_emfile },
	{ "concurrent_writers", t_concurrent_writers },
	{ "large_file", t_large_file },
	{ "efault_read", t_efault_read },
	{ "efault_write", t_efault_write },
	{ "efault_open", t_efault_open },
	{ "efault_pipe", t_efault_pipe },
	{ "efault_link", t_efault_link },
	{ "efault_unlink", t_efault_unlink },
	{ "efault_exec", t_efault_exec },
	{ "efault_chdir", t_efault_chdir },
	{ "efault_mknod", t_efault_mknod },
	{ "efault_fstat", t_efault_fstat },
	{ "efault_waitpid", t_efault_waitpid },
	{ "efault_mkdir", t_efault_mkdir },
	{ "efault_procinfo", t_efault_procinfo },
	{ "efault_bootargs", t_efault_bootargs },
	{ "efault_sysinfo", t_efault_sysinfo },
	{ "efault_getcwd", t_efault_getcwd },
	{ "efault_ktest", t_efault_ktest },
	{ "fork_eagain", t_fork_eagain },
	{ "sbrk_enomem", t_sbrk_enomem },
	{ "no_page_leak", t_no_page_leak },
};

#define NTESTS	(int)(sizeof(tests) / sizeof(tests[0]))

static const struct test *current;

static int
run_current(void)
{
	failures = 0;
	return current->fn() != 0 || failures != 0;
}

/*
 * Run one test in a child, with a watchdog child that kills it on a hang.
 * The watchdog comes first, so the test knows its pid and can wait for it
 * and for us to be asleep before it starts (wait_asleep in tap.h).
 */
static pid_t test_pid;		/* the watchdog's victim: set in the pipe */

static int
run_test(int number, const struct test *t)
{
	pid_t pid, dog;
	int status = -1, go[2];
	unsigned long start = uptime(), took;

	current = t;
	fflush(stdout);
	if (pipe(go) < 0) {
		printf("not ok %d - %s\n# pipe: %s\n", number, t->name, strerror(errno));
		return 0;
	}
	if ((dog = fork()) == 0) {
		close(go[1]);
		if (read(go[0], &test_pid, sizeof(test_pid)) != sizeof(test_pid))
			_exit(0);
		close(go[0]);
		for (unsigned long r0 = runtime_ms(); runtime_ms() - r0 < TIMEOUT_MS;)
			msleep(100);
		kill(test_pid, SIGKILL);
		_exit(0);
	}
	close(go[0]);
	if ((pid = fork()) < 0) {
		printf("not ok %d - %s\n# fork: %s\n", number, t->name, strerror(errno));
		close(go[1]);
		if (dog > 0) {
			kill(dog, SIGKILL);
			waitpid(dog, NULL, 0);
		}
		return 0;
	}
	if (pid == 0) {
		close(go[1]);
		wait_asleep(getppid(), "wait");
		if (dog > 0)
			wait_asleep(dog, "msleep");
		exit(run_current());
	}
	write(go[1], &pid, sizeof(pid));
	close(go[1]);
	waitpid(pid, &status, 0);
	if (dog > 0) {
		kill(dog, SIGKILL);
		waitpid(dog, NULL, 0);
	}
	took = uptime() - start;
	if (took > 1000)
		diag("%s took %lu ms", t->name, took);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("ok %d - %s\n", number, t->name);
		return 1;
	}
	printf("not ok %d - %s\n", number, t->name);
	if (WIFSIGNALED(status))
		printf("# %s (signal %d is SIGKILL when the %d ms limit ran out)\n",
		    describe(status), SIGKILL, TIMEOUT_MS);
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
	if (argc > 1) {
		for (int a = 1; a < argc; a++) {
			int i;
			for (i = 0; i < NTESTS; i++)
				if (strcmp(argv[a], tests[i].name) == 0)
					break;
			if (i == NTESTS) {
				fprintf(stderr, "systest: no test named %s (-l lists them)\n", argv[a]);
				return 2;
			}
			if (n < NTESTS)
				chosen[n++] = &tests[i];
		}
	} else {
		for (int i = 0; i < NTESTS; i++)
			chosen[n++] = &tests[i];
	}

	chdir("/");
	printf("1..%d\n", n);
	verdict_plan(n);
	for (int i = 0; i < n; i++) {
		int ok = run_test(i + 1, chosen[i]);

		verdict_check(i + 1, ok);
		passed += ok;
	}
	printf("# passed %d/%d\n", passed, n);
	return passed == n ? 0 : 1;
}
