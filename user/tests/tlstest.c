/*
 * tlstest: thread-local storage and local segments, printing TAP for the
 * grader (grade/tests/test_tls.py).  Three groups:
 *
 *	tlstest tls	core: __thread in the main thread, __get_tcb(2) and
 *			__set_tcb(2), fork, the bases/tp kept across system
 *			calls and context switches (FSGSBASE on x86_64)
 *	tlstest threads	stage sharevm: each thread(3) thread has its own
 *			__thread variables and its own errno
 *	tlstest lseg	stage local-segments: makecxt(2) with
 *			MAKECXT_INSTALL_LOCAL_SEGMENTS
 *	tlstest -l	list the groups and their tests
 *	tlstest GROUP name...	only the named tests of a group
 *
 * Each test runs in its own child process: a crash shows as that test
 * failing and the others still run.
 *
 * The lseg tests read the configured memory with segment-relative loads
 * (x86_64: %fs:N and %gs:N; RISC-V: N(tp)).  A process that has a foreign
 * FS base (or tp) must not run C code that touches errno: its "TLS block"
 * is our test data.  So the children made with the fork form read what
 * they need in inline assembly, then put their own thread pointer back
 * with __set_tcb() before they do anything else.
 */
#include <aqua/context.h>
#include <aqua/syscall.h>
#include <aqua/sysinfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <thread.h>
#include <tls.h>
#include <unistd.h>
#include <machine/tcb.h>	/* TLS_VARIANT, md_live_tp() */
#include <machine/vmparam.h>	/* the port's kernel and non-user addresses */

#define PAGE		4096UL
#define DELTA		0x10000000UL	/* the blob range lands 256 MiB higher */
#define XSTR(x)		STR(x)
#define STR(x)		#x

#define KERNEL_ADDR	VM_MIN_KERNEL_ADDRESS
#define NOUSER_ADDR	VM_NOUSER_ADDRESS	/* past user space, not the kernel's */

/* ---- reporting (tap.h) ------------------------------------------------- */

/* A call that should have failed made a process: collect it. */
#define TAP_ON_UNEXPECTED_SUCCESS(r) do {				\
	if ((r) > 0)							\
		waitpid((pid_t)(r), NULL, 0);				\
} while (0)
#include "tap.h"	/* diag, failures, CHECK, REQUIRE, EXPECT_ERR */
#include <machine/tlsmd.h>	/* the port's half: md_tls_regs, md_lseg_*, lseg_blob */

static int
no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

/* ---- the variables ---------------------------------------------------- */

__thread int t_init = 42;			/* .tdata */
__thread char t_str[8] = "aqua6";		/* .tdata */
__thread long t_zero;				/* .tbss */
__thread int t_big[64];				/* .tbss */
__thread long t_wide __attribute__((aligned(32))) = 0x5eed;	/* over-aligned */

/* Is [p, p + n) inside the TLS block whose thread pointer is tp? */
static int
in_block(const void *p, size_t n, void *tp)
{
	uintptr_t a = (uintptr_t)p, t = (uintptr_t)tp, sz = __tls_size();
#if TLS_VARIANT == 2
	return a >= t - sz && a + n <= t;	/* the block ends at the thread pointer */
#else
	return a >= t && a + n <= t + sz;	/* it starts there */
#endif
}

/* ---- group tls (core) --------------------------------------------------- */

/* The main thread's block holds the template's values. */
static int
t_tls_initial(void)
{
	int zeros = 1;

	CHECK(t_init == 42, "t_init = %d, want 42 (.tdata)", t_init);
	CHECK(strcmp(t_str, "aqua6") == 0, "t_str = \"%s\", want \"aqua6\"", t_str);
	CHECK(t_zero == 0, "t_zero = %ld, want 0 (.tbss)", t_zero);
	for (int i = 0; i < 64; i++)
		zeros &= t_big[i] == 0;
	CHECK(zeros, "t_big[] is not all zero (.tbss)");
	CHECK(t_wide == 0x5eed, "t_wide = %#lx, want 0x5eed", t_wide);
	CHECK((uintptr_t)&t_wide % 32 == 0, "&t_wide = %p is not 32-byte aligned", (void *)&t_wide);
	t_init = 43;
	t_big[63] = 7;
	CHECK(t_init == 43 && t_big[63] == 7, "__thread variables do not keep a store");
	errno = 0;
	EXPECT_ERR(close(-1), EBADF, "close(-1)");
	CHECK(errno == EBADF, "errno = %d after a failed close, want EBADF", errno);
	return 0;
}

/* __get_tcb() is the live thread pointer and the variables are in its block. */
static int
t_tls_tcb(void)
{
	void *tcb = __get_tcb();

	REQUIRE(tcb != NULL, "__get_tcb() = NULL: crt0 set no thread pointer");
	CHECK(md_live_tp() == tcb, "live thread pointer %p, __get_tcb() %p", md_live_tp(), tcb);
	CHECK(in_block(&t_init, sizeof(t_init), tcb), "&t_init %p outside the block of %p", (void *)&t_init, tcb);
	CHECK(in_block(t_big, sizeof(t_big), tcb), "t_big %p outside the block of %p", (void *)t_big, tcb);
	CHECK(in_block(&errno, sizeof(errno), tcb), "&errno %p outside the block of %p", (void *)&errno, tcb);
	CHECK(__get_tcb() == tcb, "__get_tcb() changed between two calls");
	return 0;
}

/* __set_tcb(): a second block, and back; bad addresses are EINVAL. */
static int
t_tls_set(void)
{
	void *tcb1 = __get_tcb(), *tcb2, *mem;
	int init2, back;

	EXPECT_ERR(__set_tcb((void *)KERNEL_ADDR), EINVAL, "__set_tcb(kernel address)");
	EXPECT_ERR(__set_tcb((void *)NOUSER_ADDR), EINVAL, "__set_tcb(past user space)");
	REQUIRE(__get_tcb() == tcb1, "a failed __set_tcb changed the thread pointer");

	REQUIRE((mem = malloc(__tls_size())) != NULL, "malloc");
	tcb2 = __tls_init(mem);
	t_init = 7;
	REQUIRE(__set_tcb(tcb2) == 0, "__set_tcb(new block): %s", strerror(errno));
	init2 = t_init;			/* the new block's copy: the template's 42 */
	t_init = 8;
	msleep(20);			/* a context switch, maybe another CPU */
	for (int i = 0; i < 1000; i++)
		getpid();
	void *now = __get_tcb(), *live = md_live_tp();
	back = t_init;
	__set_tcb(tcb1);
	CHECK(init2 == 42, "t_init in a fresh block = %d, want 42", init2);
	CHECK(back == 8, "t_init = %d after a sleep, want 8", back);
	CHECK(now == tcb2 && live == tcb2, "after a sleep __get_tcb() %p live %p, want %p", now, live, tcb2);
	CHECK(t_init == 7, "t_init back in the first block = %d, want 7", t_init);
	CHECK(__get_tcb() == tcb1, "__get_tcb() after switching back");
	free(mem);
	return 0;
}

/* fork copies the block (same address, private copy); exec starts anew. */
static int
t_tls_fork(void)
{
	void *tcb = __get_tcb();
	pid_t pid;

	t_init = 99;
	REQUIRE((pid = fork()) >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		int ok = t_init == 99 && __get_tcb() == tcb && md_live_tp() == tcb;
		t_init = 1;
		errno = 0;
		close(-1);
		_exit(ok && errno == EBADF ? 0 : 1);
	}
	CHECK(exited_with(wait_for(pid), 0), "the child did not see its copy of the block");
	CHECK(t_init == 99, "the child's store reached the parent: t_init = %d", t_init);

	/* A new program gets a fresh block from its crt0. */
	REQUIRE((pid = fork()) >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		char *argv[] = { "tlstest", "tls", "tls_initial", NULL };
		close(1);	/* its TAP would mix with ours */
		exec("/bin/tlstest", argv);
		_exit(3);
	}
	CHECK(exited_with(wait_for(pid), 0), "tls_initial after exec failed");
	return 0;
}

/*
 * The thread pointer (and any other user segment base the machine has)
 * is the thread's own: written in user mode, it survives system calls and
 * context switches, and the kernel does not use it for itself.  How to
 * write it without the system call is the port's: md_tls_regs().
 */
static int
t_tls_regs(void)
{
	return md_tls_regs();
}

/* ---- group threads (stage sharevm) -------------------------------------- */

#define NTHREADS	4
#define ROUNDS		400

struct tinfo {
	int	k;
	int	bad;		/* what went wrong, 0 if nothing */
	int	init_seen;	/* t_init at the thread's start */
	void	*counter;	/* &t_zero in the thread */
	void	*tcb;
};

/* Count in a __thread variable, sleep now and then; any other thread's count would show. */
static void *
counter_thread(void *arg)
{
	struct tinfo *ti = arg;

	ti->init_seen = t_init;
	ti->counter = &t_zero;
	ti->tcb = __get_tcb();
	if (md_live_tp() != ti->tcb)
		ti->bad = 1;
	for (long i = 0; i < ROUNDS && !ti->bad; i++) {
		if (t_zero != i)
			ti->bad = 2;
		t_zero++;
		t_init = ti->k;
		if (i % 16 == 0)
			msleep(1);
		else
			getpid();
		if (t_init != ti->k)
			ti->bad = 3;
	}
	return ti->bad ? NULL : ti;
}

/*
 * Without FORK_SHAREVM (stage sharevm) a "thread" runs in a copy of our
 * memory, never sets what thread_join waits for, and the join would wait
 * for ever.  Find that out first, in bounded time.
 */
static volatile int probe_flag;

static void *
probe_thread(void *arg)
{
	probe_flag = 1;
	return arg;
}

static int
threads_share_memory(void)
{
	thread_t t;

	probe_flag = 0;
	errno = 0;
	if ((t = thread_create(probe_thread, NULL)) == NULL)
		return 0;
	for (int i = 0; i < 300 && !probe_flag; i++)
		msleep(10);
	if (!probe_flag)
		return 0;
	thread_join(t, NULL);
	return 1;
}

#define REQUIRE_THREADS() REQUIRE(threads_share_memory(),		\
	"a new thread's store was not seen by its creator within 3 s "	\
	"(thread_create: %s): threads need FORK_SHAREVM, stage sharevm", \
	errno ? strerror(errno) : "ok")

static int
t_tls_threads(void)
{
	struct tinfo ti[NTHREADS];
	thread_t th[NTHREADS];

	REQUIRE_THREADS();

	t_init = 1000;
	t_zero = -5;
	memset(ti, 0, sizeof(ti));
	for (int k = 0; k < NTHREADS; k++) {
		ti[k].k = k + 1;
		REQUIRE((th[k] = thread_create(counter_thread, &ti[k])) != NULL,
		    "thread_create: %s", strerror(errno));
	}
	for (int k = 0; k < NTHREADS; k++) {
		void *ret;
		thread_join(th[k], &ret);
		CHECK(ret == &ti[k], "thread %d: %s", k + 1,
		    ti[k].bad == 1 ? "live thread pointer is not __get_tcb()" :
		    ti[k].bad == 2 ? "its __thread counter was changed by someone else" :
		    ti[k].bad == 3 ? "its __thread t_init was changed by someone else" : "failed");
		CHECK(ti[k].init_seen == 42, "thread %d started with t_init = %d, want 42", k + 1, ti[k].init_seen);
		CHECK(ti[k].tcb != __get_tcb(), "thread %d has the main thread's thread pointer", k + 1);
		for (int j = 0; j < k; j++)
			CHECK(ti[j].counter != ti[k].counter && ti[j].tcb != ti[k].tcb,
			    "threads %d and %d share a TLS block", j + 1, k + 1);
	}
	CHECK(t_init == 1000 && t_zero == -5, "the main thread's variables changed: %d %ld", t_init, t_zero);
	return 0;
}

/* Each thread's failed system calls set only its own errno. */
static void *
errno_thread(void *arg)
{
	struct tinfo *ti = arg;
	int want = ti->k % 2 ? EBADF : ENOENT;

	for (int i = 0; i < 50 && !ti->bad; i++) {
		if (ti->k % 2)
			close(-1);
		else
			open("/no/such/file", 0);
		msleep(i % 3);
		if (errno != want)
			ti->bad = 1;
	}
	return NULL;
}

static int
t_tls_errno(void)
{
	struct tinfo ti[NTHREADS];
	thread_t th[NTHREADS];

	REQUIRE_THREADS();
	memset(ti, 0, sizeof(ti));
	errno = 0;
	for (int k = 0; k < NTHREADS; k++) {
		ti[k].k = k + 1;
		REQUIRE((th[k] = thread_create(errno_thread, &ti[k])) != NULL,
		    "thread_create: %s", strerror(errno));
	}
	for (int i = 0; i < 20; i++) {
		msleep(2);
		CHECK(errno == 0, "main thread: errno became %d while the threads failed calls", errno);
		if (errno != 0)
			break;
	}
	for (int k = 0; k < NTHREADS; k++) {
		thread_join(th[k], NULL);
		CHECK(!ti[k].bad, "thread %d: errno changed under it", k + 1);
	}
	return 0;
}

/* ---- group lseg (stage local-segments) ---------------------------------- */

/*
 * The blob, lseg_blob in <machine/tlsmd.h>: what runs in a process made
 * without MAKECXT_COPY_CONTEXT (only the pages it was given).  ARG0 = a
 * descriptor, ARG1 = "read GS".  It writes 32 bytes: the words at FS+0,
 * FS+8, GS+0, GS+8 (zeros where there is no GS), then exits with 0.
 */

/* Stack (pages 0-1) and segment data (page 2) of blob processes. */
static char area[3 * PAGE] __attribute__((aligned(4096)));
#define BLOB_STACK	(area + 2 * PAGE)
static unsigned long *const fs_data = (unsigned long *)(area + 2 * PAGE);
static unsigned long *const gs_data = (unsigned long *)(area + 2 * PAGE + 64);

static void
seg(struct aqua_makecxt_data *c, int which, unsigned long base)
{
	c->segs_conf[which].present = 1;
	c->segs_conf[which].base = base;
}

/* Run the blob with cxt c (segments already in c), return what it wrote. */
static int
run_blob(struct aqua_makecxt_data *c, int read_gs, unsigned long out[4])
{
	char *lo = lseg_blob;
	int fds[2], status;
	pid_t pid;
	ssize_t n;

	REQUIRE(pipe(fds) == 0, "pipe: %s", strerror(errno));
	AQUA_REG_PC(&c->registers) = (unsigned long)lseg_blob + DELTA;
	AQUA_REG_SP(&c->registers) = (unsigned long)BLOB_STACK + DELTA;
	AQUA_REG_ARG0(&c->registers) = fds[1];
	AQUA_REG_ARG1(&c->registers) = read_gs;
	pid = makecxt(lo + DELTA, lo, area + sizeof(area) - lo, c, 0, MAKECXT_INSTALL_LOCAL_SEGMENTS);
	close(fds[1]);
	if (pid < 0) {
		diag("makecxt(INSTALL_LOCAL_SEGMENTS): %s", strerror(errno));
		close(fds[0]);
		return 1;
	}
	memset(out, 0, 4 * sizeof(out[0]));
	n = read(fds[0], out, 4 * sizeof(out[0]));
	close(fds[0]);
	status = wait_for(pid);
	REQUIRE(exited_with(status, 0), "the blob process did not exit(0) (status %#x): "
	    "its segment-relative loads faulted?", status);
	REQUIRE(n == 32, "the blob wrote %ld bytes, want 32", (long)n);
	return 0;
}

/* A blob process reads its configured FS (and GS) memory. */
static int
t_lseg_blob(void)
{
	struct aqua_makecxt_data c;
	unsigned long out[4];

	fs_data[0] = 0xf5f5f5f5f5f5f5f5UL;
	fs_data[1] = 0x0123456789abcdefUL;
	gs_data[0] = 0x6565656565656565UL;
	gs_data[1] = 0xfedcba9876543210UL;
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_FS, (unsigned long)fs_data + DELTA);
#if MD_LSEG_GS
	seg(&c, _AQUA_SEG_GS, (unsigned long)gs_data + DELTA);
#endif
#if MD_LSEG_ES0
	seg(&c, _AQUA_SEG_ES, 0);	/* the only ES base there is */
#endif
	md_lseg_blob_regs(&c.registers);	/* registers that say otherwise lose */
	if (run_blob(&c, MD_LSEG_GS, out))
		return 1;
	CHECK(out[0] == fs_data[0] && out[1] == fs_data[1], "%s = %#lx %#lx, want %#lx %#lx",
	    MD_LSEG_FS_WORDS, out[0], out[1], fs_data[0], fs_data[1]);
#if MD_LSEG_GS
	CHECK(out[2] == gs_data[0] && out[3] == gs_data[1], "%s = %#lx %#lx, want %#lx %#lx",
	    MD_LSEG_GS_WORDS, out[2], out[3], gs_data[0], gs_data[1]);
#endif
	return 0;
}

/*
 * MAKECXT_COPY_CONTEXT | MAKECXT_INSTALL_LOCAL_SEGMENTS: a copy of us with
 * new bases.  Reads through them first, then restores our TLS.
 */
static void *saved_tcb;

static int
fork_with_segs(struct aqua_makecxt_data *c, unsigned long *fs_expect, unsigned long *gs_expect)
{
	pid_t pid;

	saved_tcb = __get_tcb();
	pid = makecxt(NULL, NULL, (size_t)-1, c, 0, MAKECXT_COPY_CONTEXT | MAKECXT_INSTALL_LOCAL_SEGMENTS);
	if (pid == 0) {
		unsigned long f0, f1, g0 = 0, g1 = 0;

		md_lseg_read(&f0, &f1, gs_expect != NULL ? &g0 : NULL, &g1);
		__set_tcb(saved_tcb);	/* our own TLS again: errno is safe */
		int code = 0;
		if (f0 != fs_expect[0] || f1 != fs_expect[1])
			code |= 1;
		if (gs_expect != NULL && (g0 != gs_expect[0] || g1 != gs_expect[1]))
			code |= 2;
		_exit(code);
	}
	REQUIRE(pid > 0, "makecxt(COPY_CONTEXT | INSTALL_LOCAL_SEGMENTS): %s", strerror(errno));
	int status = wait_for(pid);
	REQUIRE(exited_with(status, 0), "the child read wrong values through %s (status %#x)",
	    WIFEXITED(status) && WEXITSTATUS(status) == 2 ? "GS" : "FS", status);
	return 0;
}

static int
t_lseg_fork(void)
{
	struct aqua_makecxt_data c;
	static unsigned long fsv[2] = { 0xaaaa0001, 0xaaaa0002 }, gsv[2] = { 0xbbbb0001, 0xbbbb0002 };

	memset(&c, 0, sizeof(c));
	memset(&c.registers, 0xee, sizeof(c.registers));	/* ignored: the caller's registers */
	seg(&c, _AQUA_SEG_FS, (unsigned long)fsv);
#if MD_LSEG_GS
	seg(&c, _AQUA_SEG_GS, (unsigned long)gsv);
	if (fork_with_segs(&c, fsv, gsv))
		return 1;
#else
	(void)gsv;
	if (fork_with_segs(&c, fsv, NULL))
		return 1;
#endif

	/* Not present: the caller's base stays (our TLS works in the child). */
	memset(&c, 0, sizeof(c));
	c.segs_conf[_AQUA_SEG_FS].base = 0xdead0000;	/* not present: ignored */
	pid_t pid = makecxt(NULL, NULL, (size_t)-1, &c, 0, MAKECXT_COPY_CONTEXT | MAKECXT_INSTALL_LOCAL_SEGMENTS);
	if (pid == 0) {
		errno = 0;
		close(-1);
		_exit(__get_tcb() == md_live_tp() && errno == EBADF && t_init == 42 ? 0 : 1);
	}
	REQUIRE(pid > 0, "makecxt(fork, nothing present): %s", strerror(errno));
	CHECK(exited_with(wait_for(pid), 0), "with nothing present the child lost our TLS");

	/* The flag needs cxt even with MAKECXT_COPY_CONTEXT. */
	EXPECT_ERR(makecxt(NULL, NULL, (size_t)-1, NULL, 0,
	    MAKECXT_COPY_CONTEXT | MAKECXT_INSTALL_LOCAL_SEGMENTS), EINVAL, "INSTALL_LOCAL_SEGMENTS, cxt NULL");
	CHECK(no_children(), "a failed call made a process");
	return 0;
}

/*
 * Context switches: NCHILD processes, each with its own FS (and GS)
 * base, on every CPU, read their own memory through it again and again
 * while they sleep and are preempted.  A base left behind by another
 * process, or lost on a switch or a move to another CPU, shows.
 */
#define NCHILD	6
#define LOOPS	20000

static int
t_lseg_switch(void)
{
	static unsigned long data[NCHILD][2][2];
	struct aqua_makecxt_data c;
	pid_t pids[NCHILD];
	int ok = 1;

	saved_tcb = __get_tcb();
	for (int i = 0; i < NCHILD; i++) {
		data[i][0][0] = 0x1000 + i;
		data[i][0][1] = ~(0x1000UL + i);
		data[i][1][0] = 0x2000 + i;
		data[i][1][1] = ~(0x2000UL + i);
		memset(&c, 0, sizeof(c));
		seg(&c, _AQUA_SEG_FS, (unsigned long)data[i][0]);
#if MD_LSEG_GS
		seg(&c, _AQUA_SEG_GS, (unsigned long)data[i][1]);
#endif
		pids[i] = makecxt(NULL, NULL, (size_t)-1, &c, 0,
		    MAKECXT_COPY_CONTEXT | MAKECXT_INSTALL_LOCAL_SEGMENTS);
		if (pids[i] == 0) {
			unsigned long want_f = 0x1000 + i, want_g = MD_LSEG_GS ? 0x2000 + i : 0, bad = 0;

			for (long n = 0; n < LOOPS && !bad; n++) {
				unsigned long f, f1, g = 0, g1;

				md_lseg_read(&f, &f1, MD_LSEG_GS ? &g : NULL, &g1);
				bad = f != want_f || g != want_g;
				if (n % 500 == 0)
					msleep(1);	/* raw system calls: no errno on success */
				else if (n % 20 == 0)
					getpid();
			}
			__set_tcb(saved_tcb);
			_exit(bad ? 1 : 0);
		}
		if (pids[i] < 0) {
			diag("makecxt %d: %s", i, strerror(errno));
			ok = 0;
		}
	}
	for (int i = 0; i < NCHILD; i++) {
		if (pids[i] <= 0)
			continue;
		int status = wait_for(pids[i]);
		if (!exited_with(status, 0)) {
			diag("child %d (pid %d) saw another base (status %#x)", i, pids[i], status);
			ok = 0;
		}
	}
	CHECK(ok, "FS/GS bases are not per process across context switches");
	return 0;
}

/* The documented errors. */
static void
lseg_error_calls(void)
{
	struct aqua_makecxt_data c;
	pid_t pid;
	int fl = MAKECXT_COPY_CONTEXT | MAKECXT_INSTALL_LOCAL_SEGMENTS;

	/*
	 * A correct call works (the errors below must be about the entry),
	 * whatever the bases of the entries that are not present say.
	 */
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_FS, 0x1000);
	c.segs_conf[_AQUA_SEG_ES].base = 0x1234;		/* not present: not looked at */
	c.segs_conf[_AQUA_SEG_GS].base = KERNEL_ADDR;		/* not present: not looked at */
	pid = makecxt(NULL, NULL, (size_t)-1, &c, 0, fl);
	if (pid == 0)
		_exit(7);		/* no C library with a foreign thread pointer */
	CHECK(pid > 0, "makecxt with FS base 0x1000, ES and GS not present (bases 0x1234 and a "
	    "kernel address): %s -- an entry that is not present must not be checked",
	    strerror(errno));
	CHECK(exited_with(wait_for(pid), 7), "the child with FS base 0x1000 did not exit(7)");

#if MD_LSEG_ES0
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_ES, 0);
	pid = makecxt(NULL, NULL, (size_t)-1, &c, 0, fl);
	if (pid == 0)
		_exit(7);
	CHECK(pid > 0, "ES with base 0 is accepted: %s", strerror(errno));
	if (pid > 0)
		wait_for(pid);
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_ES, 0x1000);
	EXPECT_ERR(makecxt(NULL, NULL, (size_t)-1, &c, 0, fl), EINVAL, "ES base 0x1000 (ES has no base but 0)");
#else
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_ES, 0);
	EXPECT_ERR(makecxt(NULL, NULL, (size_t)-1, &c, 0, fl), EINVAL, "ES, which this machine has not");
#endif
#if MD_LSEG_GS
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_GS, KERNEL_ADDR);
	EXPECT_ERR(makecxt(NULL, NULL, (size_t)-1, &c, 0, fl), EINVAL, "GS base in the kernel");
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_GS, NOUSER_ADDR);
	EXPECT_ERR(makecxt(NULL, NULL, (size_t)-1, &c, 0, fl), EINVAL, "GS base past user space");
#else
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_GS, 0x1000);
	EXPECT_ERR(makecxt(NULL, NULL, (size_t)-1, &c, 0, fl), EINVAL, "GS, which this machine has not");
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_FS, 0x1000);
	seg(&c, _AQUA_SEG_GS, 0x1000);
	EXPECT_ERR(makecxt(NULL, NULL, (size_t)-1, &c, 0, fl), EINVAL, "FS and GS, which this machine has not");
#endif
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_FS, KERNEL_ADDR);
	EXPECT_ERR(makecxt(NULL, NULL, (size_t)-1, &c, 0, fl), EINVAL, "FS base in the kernel");
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_FS, NOUSER_ADDR);
	EXPECT_ERR(makecxt(NULL, NULL, (size_t)-1, &c, 0, fl), EINVAL, "FS base past user space");
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_FS, VM_MAXUSER_ADDRESS);
	EXPECT_ERR(makecxt(NULL, NULL, (size_t)-1, &c, 0, fl), EINVAL,
	    "FS base USER_TOP, the first address past user space (base < USER_TOP, not <=)");
	/* Also without MAKECXT_COPY_CONTEXT, before any page is copied. */
	memset(&c, 0, sizeof(c));
	seg(&c, _AQUA_SEG_FS, KERNEL_ADDR);
	AQUA_REG_PC(&c.registers) = (unsigned long)lseg_blob + DELTA;
	AQUA_REG_SP(&c.registers) = (unsigned long)BLOB_STACK + DELTA;
	EXPECT_ERR(makecxt(lseg_blob + DELTA, lseg_blob, area + sizeof(area) - lseg_blob, &c, 0,
	    MAKECXT_INSTALL_LOCAL_SEGMENTS), EINVAL, "blob form, FS base in the kernel");
	EXPECT_ERR(makecxt(NULL, NULL, (size_t)-1, (void *)KERNEL_ADDR, 0, fl), EFAULT, "cxt in the kernel");
	CHECK(no_children(), "a failed call made a process");
}

/* ... and that they leave nothing behind (a first round warms up our own pages). */
static int
t_lseg_errors(void)
{
	struct sysinfo si, si_before;

	lseg_error_calls();
	if (failures)
		return 1;
	/* Our stores first: a copy-on-write copy during sysinfo() would count. */
	memset(&si, 0, sizeof(si));
	memset(&si_before, 0, sizeof(si_before));
	sysinfo(&si_before);
	for (int i = 0; i < 10; i++)
		lseg_error_calls();
	for (int i = 0; i < 100; i++) {
		sysinfo(&si);
		if (si.freepages == si_before.freepages && si.nproc == si_before.nproc)
			break;
		msleep(10);
	}
	CHECK(si.freepages == si_before.freepages, "free pages %lu -> %lu", si_before.freepages, si.freepages);
	CHECK(si.nproc == si_before.nproc, "processes %d -> %d", si_before.nproc, si.nproc);
	return 0;
}

/* ---- the groups -------------------------------------------------------- */

#include "tapmain.h"	/* struct tap_test, tap_group, tap_main() */

static const struct tap_test tls_tests[] = {
	{ "tls_initial", t_tls_initial },
	{ "tls_tcb", t_tls_tcb },
	{ "tls_set", t_tls_set },
	{ "tls_fork", t_tls_fork },
	{ "tls_regs", t_tls_regs },
};
static const struct tap_test thread_tests[] = {
	{ "tls_threads", t_tls_threads },
	{ "tls_errno", t_tls_errno },
};
static const struct tap_test lseg_tests[] = {
	{ "lseg_blob", t_lseg_blob },
	{ "lseg_fork", t_lseg_fork },
	{ "lseg_switch", t_lseg_switch },
	{ "lseg_errors", t_lseg_errors },
};

static const struct tap_group groups[] = {
	TAP_GROUP("tls", tls_tests),
	TAP_GROUP("threads", thread_tests),
	TAP_GROUP("lseg", lseg_tests),
};
#define NGROUPS	((int)(sizeof(groups) / sizeof(groups[0])))

int
main(int argc, char **argv)
{
	return tap_main("tlstest", groups, NGROUPS, argc, argv);
}
