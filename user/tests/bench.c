/*
 * bench: micro-benchmarks of the kernel, run by `make bench'
 * (tools/bench.py boots QEMU with `run=/bin/bench' and reads the output).
 *
 *	bench			run every benchmark
 *	bench name...		run the named ones only (bench -l lists them)
 *	bench -s pct name...	scale every iteration count by pct percent
 *
 * Output, one line per figure, for a program to read:
 *
 *	bench NAME NS ns/op ITERS iters TOTAL ns
 *
 * NS is TOTAL / ITERS rounded down; tools/bench.py divides itself.  Other
 * lines: `bench-info KEY VALUE', `bench-error NAME reason', and
 * `bench-done' last.  The exit status is 0 unless a
 * benchmark failed.
 *
 * The clock is nanotime(2), the kernel's monotonic clock in nanoseconds.
 * Under QEMU's -icount shift=0 it is virtual time, one nanosecond per
 * guest instruction: the same figure on a busy host as on an idle one.
 * A benchmark that waits for the disk is the exception (QEMU lets virtual
 * time run on with the host's clock while the guest idles).
 *
 * Each figure repeats one operation ITERS times between two clock reads;
 * the loop's own cost is a few instructions, nothing beside a system call.
 */
#include <aqua/context.h>
#include <aqua/syscall.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <thread.h>
#include <unistd.h>

uint64_t nanotime(void);	/* kern/sys_time.c; no header declares it yet */

#define PAGE	4096
#define MiB	(1024 * 1024)

static int scale_pct = 100;
static int errors;

static int
iters_of(int n)
{
	long k = (long)n * scale_pct / 100;

	return k < 1 ? 1 : (int)k;
}

static void
report(const char *name, uint64_t total, int iters)
{
	printf("bench %s %lu ns/op %d iters %lu ns\n", name,
	    (unsigned long)(total / (uint64_t)iters), iters, (unsigned long)total);
	fflush(stdout);
}

static void
fail(const char *name, const char *what)
{
	printf("bench-error %s %s: %s\n", name, what, strerror(errno));
	fflush(stdout);
	errors++;
}

/* ---- system call round trip ---------------------------------------------- */

/* getpid: the cheapest system call, so the cost of entering and leaving the kernel. */
static void
bench_getpid(const char *name)
{
	int n = iters_of(100000);
	uint64_t t0 = nanotime();

	for (int i = 0; i < n; i++)
		getpid();
	report(name, nanotime() - t0, n);
}

/* ---- context switch ------------------------------------------------------ */

/*
 * pipe: two processes pass one byte back and forth over two pipes.  One
 * op is a round trip: two writes, two reads, and (on one CPU) two
 * switches between the processes, each through the scheduler.
 */
static void
bench_pipe(const char *name)
{
	int n = iters_of(5000);
	int ping[2], pong[2], status;
	char c = 'x';
	pid_t pid;

	if (pipe(ping) < 0 || pipe(pong) < 0) {
		fail(name, "pipe");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fail(name, "fork");
		return;
	}
	if (pid == 0) {
		close(ping[1]);
		close(pong[0]);
		while (read(ping[0], &c, 1) == 1)
			if (write(pong[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);
	uint64_t t0 = nanotime();
	for (int i = 0; i < n; i++) {
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1) {
			fail(name, "ping-pong");
			break;
		}
	}
	uint64_t t = nanotime() - t0;
	close(ping[1]);		/* the child reads end-of-file and exits */
	close(pong[0]);
	waitpid(pid, &status, 0);
	report(name, t, n);
}

/* ---- process creation ---------------------------------------------------- */

/* n times fork, the child _exit(0)s at once, the parent waits for it. */
static int
fork_exit_wait(const char *name, int n, uint64_t *t)
{
	int status;

	fflush(stdout);		/* or each child could flush a copy of it */
	uint64_t t0 = nanotime();
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			fail(name, "fork");
			return -1;
		}
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &status, 0) != pid) {
			fail(name, "waitpid");
			return -1;
		}
	}
	*t = nanotime() - t0;
	return 0;
}

/* fork: the bench program itself, a small process (a few dozen pages). */
static void
bench_fork(const char *name)
{
	int n = iters_of(500);
	uint64_t t;

	if (fork_exit_wait(name, n, &t) == 0)
		report(name, t, n);
}

/*
 * forkNm: fork a process with N MiB of heap, every page written.  An
 * eager fork copies all of it; a copy-on-write fork copies page tables
 * only, so its cost grows with the number of mappings, not with the
 * bytes behind them.
 *
 * Then three more figures, per page of the heap:
 *   touchNm    the parent's first write to each new page (sbrk included)
 *   rewriteNm  the parent writing each page again: a store, no fault
 *   cowwriteNm a child's first write to each page after fork; with
 *              copy-on-write each is a fault and a page copy, eager
 *              it costs what rewrite costs.
 * cowwrite - rewrite is the price of one copy-on-write fault.
 *
 * It all runs in a child, so the memory goes back when it exits.
 */
static void
bench_fork_mem(const char *name, int mib, int n)
{
	char sub[32];
	int status;
	pid_t driver;

	fflush(stdout);
	driver = fork();
	if (driver < 0) {
		fail(name, "fork");
		return;
	}
	if (driver != 0) {
		waitpid(driver, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			errors++;
		return;
	}

	size_t len = (size_t)mib * MiB;
	int pages = (int)(len / PAGE);
	uint64_t t0 = nanotime();
	volatile char *mem = sbrk((intptr_t)len);
	if (mem == (char *)-1) {
		fail(name, "sbrk");
		_exit(1);
	}
	for (int i = 0; i < pages; i++)
		mem[(size_t)i * PAGE] = (char)i;
	snprintf(sub, sizeof(sub), "touch%dm", mib);
	report(sub, nanotime() - t0, pages);

	t0 = nanotime();
	for (int i = 0; i < pages; i++)
		mem[(size_t)i * PAGE + 1] = (char)i;
	uint64_t rewrite = nanotime() - t0;
	snprintf(sub, sizeof(sub), "rewrite%dm", mib);
	report(sub, rewrite, pages);

	uint64_t t;
	if (fork_exit_wait(name, iters_of(n), &t) != 0)
		_exit(1);
	report(name, t, iters_of(n));

	/* The child times its own writes and reports them itself. */
	pid_t pid = fork();
	if (pid < 0) {
		fail(name, "fork");
		_exit(1);
	}
	if (pid == 0) {
		t0 = nanotime();
		for (int i = 0; i < pages; i++)
			mem[(size_t)i * PAGE + 2] = (char)i;
		uint64_t cow = nanotime() - t0;
		snprintf(sub, sizeof(sub), "cowwrite%dm", mib);
		report(sub, cow, pages);
		/*
		 * Copy-on-write shows as a first write far dearer than a
		 * rewrite: a fault and a 4 KiB copy against one store.
		 */
		printf("bench-info cow%dm %s\n", mib,
		    cow > 4 * rewrite + (uint64_t)pages * 300 ? "yes" : "no");
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	_exit(errors ? 1 : 0);
}

static void bench_fork4m(const char *name) { bench_fork_mem(name, 4, 40); }
static void bench_fork16m(const char *name) { bench_fork_mem(name, 16, 12); }
static void bench_fork64m(const char *name) { bench_fork_mem(name, 64, 4); }

/* vfork: the parent sleeps until the child has exited (FORK_PPWAIT). */
static void
bench_vfork(const char *name)
{
	int n = iters_of(500), status;

	fflush(stdout);
	uint64_t t0 = nanotime();
	for (int i = 0; i < n; i++) {
		pid_t pid = vfork();
		if (pid < 0) {
			fail(name, "vfork");
			return;
		}
		if (pid == 0)
			_exit(0);
		waitpid(pid, &status, 0);
	}
	report(name, nanotime() - t0, n);
}

/*
 * forkexec: fork, exec /bin/true, wait: what the shell does for each
 * command.  One untimed round first, so /bin/true is in the buffer cache
 * and the timed ones never wait for the disk.
 */
static void
bench_forkexec(const char *name)
{
	int n = iters_of(100), status;
	char *argv[] = { "true", NULL };
	uint64_t t0 = 0;

	fflush(stdout);
	for (int i = -1; i < n; i++) {
		if (i == 0)
			t0 = nanotime();
		pid_t pid = fork();
		if (pid < 0) {
			fail(name, "fork");
			return;
		}
		if (pid == 0) {
			exec("/bin/true", argv);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fail(name, "exec /bin/true");
			return;
		}
	}
	report(name, nanotime() - t0, n);
}

/* ---- file system --------------------------------------------------------- */

/*
 * file: create, write 1 KiB, close, unlink.  Each step that changes the
 * disk is a log transaction, so this waits for the disk, and QEMU lets
 * virtual time run with the host's clock while the guest idles: its
 * icount figure does not repeat as the others do.
 */
static void
bench_file(const char *name)
{
	static char buf[1024];
	int n = iters_of(100);

	uint64_t t0 = 0;

	memset(buf, 'b', sizeof(buf));
	for (int i = -1; i < n; i++) {	/* round -1 is not timed: a warm-up */
		if (i == 0)
			t0 = nanotime();
		int fd = open("/bench.tmp", O_CREAT | O_WRONLY | O_TRUNC);
		if (fd < 0) {
			fail(name, "open");
			return;
		}
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			fail(name, "write");
			close(fd);
			return;
		}
		close(fd);
		if (unlink("/bench.tmp") < 0) {
			fail(name, "unlink");
			return;
		}
	}
	report(name, nanotime() - t0, n);
}

/* ---- threads and makecxt -------------------------------------------------- */

static void *
thread_nop(void *arg)
{
	return arg;
}

/*
 * thread: thread_create + thread_join of a thread that returns at once
 * (rfork1(FORK_SHAREVM | ...) with a malloc'd stack: no page is copied).
 */
static void
bench_thread(const char *name)
{
	int n = iters_of(500);

	fflush(stdout);
	uint64_t t0 = nanotime();
	for (int i = 0; i < n; i++) {
		thread_t t = thread_create(thread_nop, NULL);
		if (t == NULL) {
			fail(name, "thread_create");
			return;
		}
		if (thread_join(t, NULL) != 0) {
			fail(name, "thread_join");
			return;
		}
	}
	report(name, nanotime() - t0, n);
}

/*
 * makecxt-fork: makecxt(0, 0, -1, NULL, 0, MAKECXT_COPY_CONTEXT), the
 * seed's example: a copy of the whole caller, as fork makes; the child
 * _exit(0)s, the parent waits.
 */
static void
bench_makecxt_fork(const char *name)
{
	int n = iters_of(500), status;

	fflush(stdout);
	uint64_t t0 = nanotime();
	for (int i = 0; i < n; i++) {
		pid_t pid = makecxt(0, 0, (size_t)-1, NULL, 0, MAKECXT_COPY_CONTEXT);
		if (pid < 0) {
			fail(name, "makecxt");
			return;
		}
		if (pid == 0)
			_exit(0);
		waitpid(pid, &status, 0);
	}
	report(name, nanotime() - t0, n);
}

/*
 * makecxt-region: a new process that has only the page(s) holding a
 * small code blob of the C library (user/arch/<arch>/cxtblob.S), which
 * makes one system call (getpid here) and exits with its result.  This
 * is the cheapest process makecxt can make: one or two pages, no stack.
 */
extern char cxt_blob_call_exit[];

static void
bench_makecxt_region(const char *name)
{
	int n = iters_of(500), status;
	struct aqua_makecxt_data cxt;
	uintptr_t page = (uintptr_t)cxt_blob_call_exit & ~(uintptr_t)(PAGE - 1);

	memset(&cxt, 0, sizeof(cxt));
	AQUA_REG_PC(&cxt.registers) = (uintptr_t)cxt_blob_call_exit;
	AQUA_REG_ARG3(&cxt.registers) = SYS_getpid;
	fflush(stdout);
	uint64_t t0 = nanotime();
	for (int i = 0; i < n; i++) {
		/* Two pages, in case the blob crosses a page boundary. */
		pid_t pid = makecxt((void *)page, (void *)page, 2 * PAGE, &cxt, 0, 0);
		if (pid < 0) {
			fail(name, "makecxt");
			return;
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) {
			fail(name, "the new context did not exit");
			return;
		}
	}
	report(name, nanotime() - t0, n);
}

/* ---- the list ------------------------------------------------------------ */

static const struct bench {
	const char *name;
	void (*run)(const char *name);
	const char *what;
} benches[] = {
	{ "getpid",   bench_getpid,   "getpid() round trip" },
	{ "pipe",     bench_pipe,     "pipe ping-pong between two processes (round trip)" },
	{ "fork",     bench_fork,     "fork+exit+wait, small process" },
	{ "fork4m",   bench_fork4m,   "fork+exit+wait, 4 MiB touched" },
	{ "fork16m",  bench_fork16m,  "fork+exit+wait, 16 MiB touched" },
	{ "fork64m",  bench_fork64m,  "fork+exit+wait, 64 MiB touched" },
	{ "vfork",    bench_vfork,    "vfork+exit+wait" },
	{ "forkexec", bench_forkexec, "fork+exec(/bin/true)+wait" },
	{ "file",     bench_file,     "create+write 1 KiB+close+unlink" },
	{ "thread",   bench_thread,   "thread_create+thread_join" },
	{ "makecxt-fork", bench_makecxt_fork, "makecxt(MAKECXT_COPY_CONTEXT)+exit+wait" },
	{ "makecxt-region", bench_makecxt_region, "makecxt of a 2-page region+exit+wait" },
};
#define NBENCH	(int)(sizeof(benches) / sizeof(benches[0]))

int
main(int argc, char *argv[])
{
	/* First thing: how long the boot took, when init ran us (run=). */
	uint64_t start = nanotime();
	int i = 1, ran = 0;

	printf("bench-info uptime_ns %lu\n", (unsigned long)start);
	if (argc > 1 && strcmp(argv[1], "-l") == 0) {
		for (int k = 0; k < NBENCH; k++)
			printf("%-10s %s\n", benches[k].name, benches[k].what);
		return 0;
	}
	if (argc > 2 && strcmp(argv[1], "-s") == 0) {
		scale_pct = atoi(argv[2]);
		if (scale_pct < 1)
			scale_pct = 1;
		i = 3;
	}
	printf("bench-info scale_pct %d\n", scale_pct);
	for (int k = 0; k < NBENCH; k++) {
		int want = i >= argc;
		for (int a = i; a < argc; a++)
			if (strcmp(argv[a], benches[k].name) == 0)
				want = 1;
		if (want) {
			benches[k].run(benches[k].name);
			ran++;
		}
	}
	if (ran == 0 && i < argc) {
		printf("bench-error usage unknown benchmark (bench -l lists them)\n");
		errors++;
	}
	printf("bench-done\n");
	return errors ? 1 : 0;
}
