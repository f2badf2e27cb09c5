/*
 * ptracetest: checks of the ptrace stage (grade/tests/test_ptrace.py).
 *
 *	ptracetest fork    FORK_PTRACE: the child stops with SIGTRAP before
 *	                   user code and at exec; permissions and errors;
 *	                   a stopped child does not outlive its parent stopped
 *	ptracetest peek    PT_READ_D/PT_WRITE_D (the child's copy only),
 *	                   a breakpoint written into read-only shared text,
 *	                   PT_GETREGS/PT_SETREGS (no kernel privilege; every
 *	                   flag bit, hostile pcs, stacks, selectors, bases),
 *	                   PT_WRITE_D into a shared vmap page (the record
 *	                   forgets the partner that got a private copy)
 *	ptracetest step    PT_STEP: one instruction at a time, and over a fork
 *	                   (the child is not stepped)
 *	ptracetest dbg     dbg(1) breaks at main, steps and runs /bin/echo to the end
 *
 * Prints TAP: "1..N", then "ok N - what" or "not ok N - what".
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <aqua/fork.h>
#include <aqua/memory.h>
#include <machine/dbgmd.h>
#include <machine/cpustate.h>	/* the port's hostile CPU state (user/arch/<port>) */
#include <aqua/procinfo.h>
#include <verdict.h>

#include "capture.h"
#include "procfind.h"	/* state_of */

static int ntest, nfail;
static volatile int shared_value = 1234;

static void
check(int ok, const char *what)
{
	ntest++;
	if (!ok)
		nfail++;
	printf("%sok %d - %s\n", ok ? "" : "not ", ntest, what);
	verdict_check(ntest, ok);
}

static int
stopped_with(pid_t pid, int sig)
{
	int status = 0;

	if (waitpid(pid, &status, 0) != pid)
		return 0;
	if (!WIFSTOPPED(status)) {
		printf("# pid %d: status 0x%x, not stopped\n", pid, status);
		return 0;
	}
	if (WSTOPSIG(status) != sig)
		printf("# pid %d: stopped by %d, expected %d\n", pid, WSTOPSIG(status), sig);
	return WSTOPSIG(status) == sig;
}

static int
exited_with(pid_t pid, int code)
{
	int status = 0;

	if (waitpid(pid, &status, 0) != pid)
		return 0;
	if (!WIFEXITED(status))
		printf("# pid %d: status 0x%x\n", pid, status);
	return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

/* A child that asks to be traced and stops: the base of peek and step. */
static pid_t
traced_child(void (*body)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		if (ptrace(PT_TRACE_ME, 0, 0, 0) < 0)
			_exit(90);
		kill(getpid(), SIGSTOP);
		body();
		_exit(0);
	}
	return pid;
}

static int share_poke_rounds(void);
static int share_still_right(void);

/* ---- fork ------------------------------------------------------------- */

/* The state of process pid, or 0 when it is gone (a zombie counts as gone: init reaps it). */
static int
live_state_of(pid_t pid)
{
	int st = state_of(pid);

	return st == SZOMB ? 0 : st;
}

/*
 * A parent that exits while its child is stopped: the child must not
 * stay stopped for ever under init, which never continues anyone.
 *
 *	ORPHAN_TRACED	the child is traced (stopped for its tracer): it is
 *			killed with its tracer (OpenBSD: the same).
 *	ORPHAN_DETACHED	the tracer let it go with PT_DETACH and SIGSTOP, so
 *			it is stopped, untraced: it used to stay so for ever
 *			(issue 26's "procs 2 -> 3, files 1 -> 3").  Now, as
 *			POSIX does for an orphaned stopped process group, it
 *			gets SIGHUP and SIGCONT, and dies of the SIGHUP.
 *	ORPHAN_STOPPED	a plain child stopped by SIGSTOP, never traced: the
 *			same rule.
 *
 * The hunt for issue 26 (a hostile program, both ports) found only the
 * untraced stops stuck.  These all ended with their tracer on the old
 * kernel already: the tracer killed by SIGKILL or dying of SIGSEGV; the
 * tracee stopped at its FORK_PTRACE start stop, at its exec stop, at a
 * PT_STEP stop, in a signal-delivery stop, in a job-control stop passed
 * back by PT_CONTINUE with SIGSTOP, with SIGUSR1, SIGSTOP and SIGTERM
 * pending, or asleep in a pipe read; the tracer exiting before it
 * collected the stop; the tracer a thread whose main thread exits or is
 * killed, or which itself ends by thread_exit; the tracer exec'ing; the
 * tracer a FORK_PPWAIT child; the tracer a child of a parent that exited
 * first; a tracee that traces its own FORK_PTRACE child; PT_ATTACH'ed,
 * FORK_NOZOMBIE, FORK_SHAREFILES and FORK_SHAREVM tracees; the tracer
 * killed while it loops on PT_READ_D.
 *
 * Returns 1 when the child went away.
 */
enum { ORPHAN_TRACED, ORPHAN_DETACHED, ORPHAN_STOPPED };

static int
orphan_goes_away(int how)
{
	int fds[2], status, st;
	pid_t parent, child = -1;

	if (pipe(fds) < 0)
		return 0;
	fflush(stdout);
	if ((parent = fork()) == 0) {
		pid_t c = fork();
		if (c == 0) {
			close(fds[0]);
			close(fds[1]);
			if (how != ORPHAN_STOPPED && ptrace(PT_TRACE_ME, 0, 0, 0) < 0)
				_exit(90);
			kill(getpid(), SIGSTOP);
			for (;;)
				msleep(1000);
		}
		write(fds[1], &c, sizeof(c));
		if (c < 0)
			_exit(1);
		if (how != ORPHAN_STOPPED && !stopped_with(c, SIGSTOP))
			_exit(2);
		if (how == ORPHAN_DETACHED) {
			/* Let it go, and have it take the SIGSTOP: stopped, untraced. */
			if (ptrace(PT_DETACH, c, (void *)1, SIGSTOP) < 0)
				_exit(3);
		}
		if (how != ORPHAN_TRACED &&
		    (waitpid(c, &st, WUNTRACED) != c || !WIFSTOPPED(st)))
			_exit(4);
		_exit(0);	/* exits, the child stopped */
	}
	close(fds[1]);
	if (read(fds[0], &child, sizeof(child)) != sizeof(child) || child <= 0 ||
	    parent < 0 || waitpid(parent, &status, 0) != parent || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		printf("# could not set up a stopped child (%#x)\n", status);
		close(fds[0]);
		return 0;
	}
	close(fds[0]);
	/*
	 * The parent's exit is over (it is a zombie we collected), and exit
	 * deals with its children before that: the child is dying, or stuck.
	 */
	while ((st = live_state_of(child)) != 0) {
		if (st == SSTOP) {
			printf("# pid %d still stopped after its parent exited\n", child);
			kill(child, SIGKILL);	/* no leak left for the next check */
			return 0;
		}
		msleep(1);
	}
	return 1;
}

static void
test_fork(void)
{
	struct reg r;
	pid_t pid;
	int status;

	printf("1..13\n");
	verdict_plan(13);
	pid = rfork1(FORK_FORK | FORK_PTRACE);
	if (pid == 0) {
		char *argv[] = { "echo", "traced-echo", NULL };
		exec("/bin/echo", argv);
		_exit(91);
	}
	check(pid > 0, "rfork1(FORK_PTRACE) creates a child");
	if (pid < 0) {
		printf("# rfork1: %s\n", strerror(errno));
		return;
	}
	check(stopped_with(pid, SIGTRAP), "the child stops with SIGTRAP before running user code");
	check(ptrace(PT_GETREGS, pid, &r, 0) == 0, "PT_GETREGS on the stopped child");
	check(ptrace(PT_ATTACH, pid, 0, 0) < 0 && errno == EBUSY, "PT_ATTACH of a traced child: EBUSY");
	check(ptrace(PT_CONTINUE, pid, (void *)1, 0) == 0, "PT_CONTINUE");
	check(stopped_with(pid, SIGTRAP), "a traced exec stops with SIGTRAP");
	check(ptrace(PT_GETREGS, pid, &r, 0) == 0 && REG_PC(&r) >= 0x400000 && REG_PC(&r) < 0x800000,
	    "after exec the pc is the new program's entry");
	check(ptrace(PT_CONTINUE, pid, (void *)1, 0) == 0 && exited_with(pid, 0),
	    "continued, the program runs to its end");

	/* Errors. */
	check(ptrace(PT_ATTACH, 1, 0, 0) < 0 && errno == EPERM &&
	    ptrace(PT_CONTINUE, 1, (void *)1, 0) < 0 && errno == EPERM,
	    "init cannot be traced: EPERM");
	check(ptrace(PT_CONTINUE, 99999, (void *)1, 0) < 0 && errno == ESRCH &&
	    ptrace(12345, getpid(), 0, 0) < 0 && errno == EINVAL,
	    "unknown pid: ESRCH; unknown request: EINVAL");
	check(orphan_goes_away(ORPHAN_TRACED), "a tracee stopped when its tracer exits does not stay stopped");
	check(orphan_goes_away(ORPHAN_DETACHED),
	    "a tracee PT_DETACHed with SIGSTOP when its tracer exits does not stay stopped (SIGHUP)");
	check(orphan_goes_away(ORPHAN_STOPPED),
	    "an untraced child stopped when its parent exits does not stay stopped (SIGHUP)");
	(void)status;
}

/* ---- peek and poke ---------------------------------------------------- */

static volatile int reached;

/* The child calls this after its stop; the tracer puts a breakpoint on it. */
__attribute__((noinline)) static int
target(int x)
{
	reached++;
	return x * 2 + reached;
}

static void
peek_body(void)
{
	/* The tracer changed shared_value in our copy only. */
	if (shared_value != 777)
		_exit(10);
	if (target(20) != 41)
		_exit(11);
	_exit(0);
}

/*
 * What a setregs child does after its stop: uses its stack, so that a bad
 * sp faults, then exits 0.  Not inlined: inlined, its buffer would be
 * addressed through the caller's frame pointer, not sp.
 */
static void __attribute__((noinline))
touch_stack(void)
{
	volatile char buf[64];

	buf[0] = 1;
	buf[63] = buf[0];
}

/*
 * PT_SETREGS with one hostile change (edit(r, arg)) to a child stopped
 * just before it would _exit(0): the kernel must sanitise what it loads
 * (issue 26: RFLAGS.NT in a frame made the x86_64 kernel's iretq #GP in
 * ring 0; a RISC-V odd or kernel pc reached sret).  The child then runs
 * (exit 0) or gets a signal, which it stops for (it is traced) and which
 * we pass on, so it dies of it.  Returns the wait status, or -1 if the
 * set-up failed; *user says whether the registers read back were the
 * user's (md_regs_user).
 */
static int
setregs_outcome(void (*edit)(struct reg *, long), long arg, int *user)
{
	struct reg r;
	int status = -1;
	pid_t pid;

	fflush(stdout);
	*user = 0;
	pid = traced_child(touch_stack);
	if (pid < 0 || !stopped_with(pid, SIGSTOP))
		return -1;
	if (ptrace(PT_GETREGS, pid, &r, 0) < 0)
		goto kill;
	edit(&r, arg);
	if (ptrace(PT_SETREGS, pid, &r, 0) < 0) {
		printf("# PT_SETREGS: %s\n", strerror(errno));
		goto kill;
	}
	*user = ptrace(PT_GETREGS, pid, &r, 0) == 0 && md_regs_user(&r);
	for (int sig = 0, round = 0; round < 8; round++) {
		if (ptrace(PT_CONTINUE, pid, (void *)1, sig) < 0 ||
		    waitpid(pid, &status, 0) != pid)
			goto kill;
		if (!WIFSTOPPED(status))
			return status;
		sig = WSTOPSIG(status);		/* pass it on: the child dies of it */
	}
	printf("# pid %d keeps stopping (last with %d)\n", pid, WSTOPSIG(status));
kill:
	ptrace(PT_KILL, pid, 0, 0);
	waitpid(pid, &status, 0);
	return -1;
}

static void edit_flag(struct reg *r, long bit) { md_reg_set_flag(r, (int)bit); }
static void edit_pc(struct reg *r, long pc) { REG_PC(r) = (unsigned long)pc; }
static void edit_odd_pc(struct reg *r, long unused) { (void)unused; REG_PC(r) = (unsigned long)touch_stack | 1; }
static void edit_hostile(struct reg *r, long i) { int want; (void)md_reg_hostile(r, (int)i, &want); }

static int
want_ok(int status, int want)
{
	if (status == -1)
		return 0;
	if (want == MD_WANT_RUN)
		return WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (want == MD_WANT_SEGV)
		return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
	return (WIFEXITED(status) && WEXITSTATUS(status) == 0) || WIFSIGNALED(status);
}

static const char *
status_words(int status)
{
	static char buf[48];

	if (status == -1)
		return "set-up failed";
	if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	return buf;
}

/* Every flag bit the port has, one child each (x86_64: RFLAGS 0..31; RISC-V: none). */
static int
setregs_every_flag_bit(void)
{
	int ok = 1, user, status;

	for (int bit = 0; bit < MD_FLAG_BITS; bit++) {
		status = setregs_outcome(edit_flag, bit, &user);
		if (!want_ok(status, MD_WANT_ANY) || !user) {
			printf("# flag bit %d: %s%s\n", bit, status_words(status),
			    user ? "" : ", registers read back not the user's");
			ok = 0;
		}
	}
	return ok;
}

/* The port's hostile pcs (and an odd one where sret would round it down): SIGSEGV. */
static int
setregs_hostile_pcs(void)
{
	int ok = 1, user, status;

	for (unsigned i = 0; i < sizeof(md_hostile_pcs) / sizeof(md_hostile_pcs[0]); i++) {
		status = setregs_outcome(edit_pc, (long)md_hostile_pcs[i], &user);
		if (!want_ok(status, MD_WANT_SEGV)) {
			printf("# pc %#lx: %s, want killed by signal %d\n", md_hostile_pcs[i],
			    status_words(status), SIGSEGV);
			ok = 0;
		}
	}
	if (MD_ODD_PC_FAULTS) {
		status = setregs_outcome(edit_odd_pc, 0, &user);
		if (!want_ok(status, MD_WANT_SEGV)) {
			printf("# odd pc: %s, want killed by signal %d\n", status_words(status),
			    SIGSEGV);
			ok = 0;
		}
	}
	return ok;
}

/* Stacks, selectors, bases, all flags at once (user/arch/<port>/machine/cpustate.h). */
static int
setregs_hostile_rest(void)
{
	struct reg dummy;
	const char *what;
	int ok = 1, user, status, want;

	memset(&dummy, 0, sizeof(dummy));
	for (int i = 0; (what = md_reg_hostile(&dummy, i, &want)) != NULL; i++) {
		status = setregs_outcome(edit_hostile, i, &user);
		if (!want_ok(status, want) || !user) {
			printf("# %s: %s (want %s)%s\n", what, status_words(status),
			    want == MD_WANT_RUN ? "exit 0" : want == MD_WANT_SEGV ?
			    "SIGSEGV" : "exit 0 or a signal",
			    user ? "" : ", registers read back not the user's");
			ok = 0;
		}
	}
	return ok;
}

static void
test_peek(void)
{
	unsigned char *text = (unsigned char *)(void *)target;
	unsigned int orig, mine_before, word;
	struct reg r, r2;
	pid_t pid;

	printf("1..18\n");
	verdict_plan(18);
	pid = traced_child(peek_body);
	check(stopped_with(pid, SIGSTOP), "PT_TRACE_ME, then SIGSTOP: the parent sees the stop");
	shared_value = 5;		/* our copy: the child still has 1234 */

	errno = 0;
	word = ptrace(PT_READ_D, pid, (void *)&shared_value, 0);
	check(errno == 0 && word == 1234, "PT_READ_D reads the child's value");
	check(ptrace(PT_WRITE_D, pid, (void *)&shared_value, 777) == 0 &&
	    (unsigned int)ptrace(PT_READ_D, pid, (void *)&shared_value, 0) == 777,
	    "PT_WRITE_D writes it");
	/*
	 * A word with its top bit set is data, not an error: the kernel must
	 * return it zero-extended (sign-extended, 0xffffffff is -1 in the
	 * return register, which the system-call stub takes for an error).
	 */
	int big_ok = ptrace(PT_WRITE_D, pid, (void *)&shared_value, (int)0xffffffffu) == 0;
	errno = 0;
	word = ptrace(PT_READ_D, pid, (void *)&shared_value, 0);
	int big_errno = errno;
	if (!big_ok || big_errno != 0 || word != 0xffffffffu)
		printf("# PT_READ_D of 0xffffffff: got 0x%x, errno %d (%s)\n", word, big_errno,
		    big_errno ? strerror(big_errno) : "none");
	check(big_ok && big_errno == 0 && word == 0xffffffffu,
	    "PT_READ_D of a word with its top bit set returns it, not an error (zero-extended)");
	ptrace(PT_WRITE_D, pid, (void *)&shared_value, 777);	/* what the child checks */
	errno = 0;
	long bad = ptrace(PT_READ_D, pid, (void *)4096, 0);	/* page 1: nothing is mapped there */
	int bad_errno = errno;
	if (bad != -1 || bad_errno != EFAULT)
		printf("# PT_READ_D of an unmapped address: got %ld, errno %d (%s)\n", bad,
		    bad_errno, bad_errno ? strerror(bad_errno) : "none");
	check(bad == -1 && bad_errno == EFAULT, "PT_READ_D of an address the child has not mapped "
	    "is EFAULT");
	check(shared_value == 5, "the parent's copy is untouched (copy-on-write)");

	/* A breakpoint in the text, which is read-only and shared with us. */
	memcpy(&mine_before, text, sizeof(mine_before));
	errno = 0;
	orig = ptrace(PT_READ_I, pid, (void *)text, 0);
	check(errno == 0 && orig == mine_before, "PT_READ_I reads the child's text");
	check(ptrace(PT_WRITE_I, pid, (void *)text, md_bpt_word(orig)) == 0,
	    "PT_WRITE_I writes a breakpoint into read-only text");
	check(memcmp(&mine_before, text, sizeof(mine_before)) == 0,
	    "our own text is unchanged: the child got a private copy");

	check(ptrace(PT_CONTINUE, pid, (void *)1, 0) == 0 && stopped_with(pid, SIGTRAP),
	    "the child stops with SIGTRAP at the breakpoint");
	check(ptrace(PT_GETREGS, pid, &r, 0) == 0 &&
	    REG_PC(&r) == (unsigned long)text + MD_BPT_PC_AFTER, "its pc is at the breakpoint");

	/* SETREGS: round trip, and no privilege for the asking. */
	r2 = r;
	md_regs_make_evil(&r2);
	check(ptrace(PT_SETREGS, pid, &r2, 0) == 0 && ptrace(PT_GETREGS, pid, &r2, 0) == 0 &&
	    md_regs_user(&r2) && REG_SP(&r2) == REG_SP(&r), "PT_SETREGS cannot give kernel privilege");

	/* Put the instruction back and resume at it. */
	ptrace(PT_WRITE_I, pid, (void *)text, orig);
	check(ptrace(PT_CONTINUE, pid, (void *)text, 0) == 0 && exited_with(pid, 0),
	    "instruction restored, pc set back: the child finishes correctly");

	check(share_poke_rounds(), "300 rounds: PT_WRITE_D into a partner's shared page drops "
	    "the partner from the page's record");
	check(share_still_right(), "after them VMAP_SHARE works and a new process's private "
	    "vmap pages are private");
	/* Hostile PT_SETREGS: the kernel never panics, the child runs or gets a signal. */
	check(setregs_every_flag_bit(), "PT_SETREGS with each flag bit: the child exits 0 or gets a signal");
	check(setregs_hostile_pcs(), "PT_SETREGS with a pc outside user space (or odd): SIGSEGV");
	check(setregs_hostile_rest(), "PT_SETREGS with hostile stack, selectors, bases: as the port says");
}

/*
 * PT_WRITE_D into a partner's VMAP_SHARE page gives the partner a private
 * copy; the page's record must then forget the partner.  It used not to:
 * each round left a record listing an address space that was gone, and
 * after a few hundred rounds fork failed, VMAP_SHARE failed for everyone
 * and a freed page, mapped privately by someone else, looked shared.
 * 1 if all rounds were right (the "# " lines say what went wrong).
 */
#define SHARE_ROUNDS	300

static int
share_poke_rounds(void)
{
	struct vmap_conv c = { 0, PROT_READ | PROT_WRITE };
	int pids[4];

	for (int round = 0; round < SHARE_ROUNDS; round++) {
		volatile int *pg = vmap(NULL, 4096, PROT_READ | PROT_WRITE, VMAP_SHARE, NULL, &c);
		if (pg == VMAP_FAILED) {
			printf("# round %d: vmap(VMAP_SHARE): %s\n", round, strerror(errno));
			return 0;
		}
		pg[0] = 1;
		pid_t pid = rfork1(FORK_FORK | FORK_PTRACE);
		if (pid == 0)
			_exit(pg[0] == 99 ? 0 : 3);	/* sees the debugger's word */
		if (pid < 0) {
			printf("# round %d: rfork1(FORK_PTRACE): %s\n", round, strerror(errno));
			return 0;
		}
		int ok = stopped_with(pid, SIGTRAP);
		long before = vctl((void *)pg, VCTL_PARTNERS, pids, 4);
		ok = ok && ptrace(PT_WRITE_D, pid, (void *)pg, 99) == 0;
		long after = vctl((void *)pg, VCTL_PARTNERS, pids, 4);
		if (!ok || before != 1 || after != 0 || pg[0] != 1) {
			printf("# round %d: partners %ld before PT_WRITE_D (want 1), %ld after "
			    "(want 0: the child has a private copy now), our word %d (want 1)\n",
			    round, before, after, pg[0]);
			ok = 0;
		}
		ptrace(PT_CONTINUE, pid, (void *)1, 0);
		if (!exited_with(pid, 0)) {
			printf("# round %d: the child did not see the word written into its copy\n", round);
			ok = 0;
		}
		vunmap((void *)pg, 4096);
		if (!ok)
			return 0;
	}
	return 1;
}

/* After the rounds: VMAP_SHARE works, and a new process's private page is private. */
static int
share_still_right(void)
{
	struct vmap_conv c = { 0, PROT_READ };
	void *sh = vmap(NULL, 4096, PROT_READ | PROT_WRITE, VMAP_SHARE, NULL, &c);

	if (sh == VMAP_FAILED) {
		printf("# vmap(VMAP_SHARE) after the rounds: %s\n", strerror(errno));
		return 0;
	}
	vunmap(sh, 4096);
	pid_t pid = fork();
	if (pid == 0) {
		/* 256 private pages: some are pages the rounds' records named. */
		int bad = 0;
		char *pv = vmap(NULL, 256 * 4096, PROT_READ | PROT_WRITE, 0, NULL, NULL);
		if (pv == VMAP_FAILED)
			_exit(2);
		for (int i = 0; i < 256; i++) {
			pv[i * 4096] = 1;
			if (vctl(pv + i * 4096, VCTL_GETSTATUS, NULL, 0) != VSTAT_PRIVATE)
				bad = 1;
		}
		_exit(bad);
	}
	if (pid < 0) {
		printf("# fork after the rounds: %s\n", strerror(errno));
		return 0;
	}
	if (!exited_with(pid, 0)) {
		printf("# a new process's private vmap pages: not all VSTAT_PRIVATE (or vmap failed)\n");
		return 0;
	}
	return 1;
}

/* ---- step ---------------------------------------------------------------- */

static volatile int sink;

static void
step_body(void)
{
	for (int i = 0; i < 50; i++)
		sink += i & 1 ? i : -i;
	_exit(sink == 25 ? 0 : 12);
}

/* Forks while its tracer single-steps it; the untraced child must run normally. */
static void
fork_body(void)
{
	int status = 0;
	pid_t c = fork();

	if (c == 0)
		_exit(0);
	if (c < 0 || waitpid(c, &status, 0) != c)
		_exit(14);
	_exit(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 13);
}

static void
test_step(void)
{
	struct reg r;
	unsigned long pc, prev = 0;
	int ok = 1, moved = 0, steps = 200;
	pid_t pid;

	printf("1..7\n");
	verdict_plan(7);
	pid = traced_child(step_body);
	check(stopped_with(pid, SIGSTOP), "the child stops (PT_TRACE_ME, SIGSTOP)");
	for (int i = 0; i < steps && ok; i++) {
		if (ptrace(PT_STEP, pid, (void *)1, 0) < 0) {
			printf("# PT_STEP: %s\n", strerror(errno));
			ok = 0;
			break;
		}
		if (!stopped_with(pid, SIGTRAP) || ptrace(PT_GETREGS, pid, &r, 0) < 0) {
			ok = 0;
			break;
		}
		pc = REG_PC(&r);
		if (pc < 0x400000 || pc >= 0x800000) {
			printf("# step %d: pc 0x%lx outside the program\n", i, pc);
			ok = 0;
		}
		if (pc != prev)
			moved++;
		prev = pc;
	}
	check(ok, "200 PT_STEPs, each stops with SIGTRAP inside the program");
	check(moved > 150, "the pc moves at (almost) every step");
	/* The program's own result proves the steps executed each instruction once. */
	check(ptrace(PT_CONTINUE, pid, (void *)1, 0) == 0, "PT_CONTINUE after stepping");
	check(exited_with(pid, 0), "the stepped program computed the right result");

	/*
	 * A fork while single-stepped: the child used to inherit the step
	 * (x86_64: the trap flag; RISC-V: the breakpoint in its copy of the
	 * memory) and die of SIGTRAP, untraced; the stepped parent's waitpid
	 * then says so (exit 13).
	 */
	int status = 0, nstep = 0;
	pid = traced_child(fork_body);
	check(stopped_with(pid, SIGSTOP), "a child that will fork stops");
	for (; nstep < 100000; nstep++) {
		if (ptrace(PT_STEP, pid, (void *)1, 0) < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFSTOPPED(status))
			break;
	}
	printf("# %d steps; status %#x\n", nstep, status);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "stepped over fork: the untraced child runs normally and exits 0");
}

/*
 * dbg(1), the debugger built on ptrace: break at main, step ten
 * instructions, print the registers, continue to the end.
 */
static void
test_dbg(void)
{
	static char out[8192];
	char *argv[] = { "dbg", "-c", "b main;c;s 10;regs;c", "/bin/echo", "hi", NULL };
	int status, at_main = 0, steps = 0, hi = 0, exited = 0;

	printf("1..3\n");
	verdict_plan(3);
	status = capture("/bin/dbg", argv, out, sizeof(out), NULL);
	for (char *line = out, *next; line != NULL; line = next) {
		next = cut_line(line);
		if (strncmp(line, "breakpoint at main (0x", 22) == 0)
			at_main = 1;
		if (strncmp(line, "step pc 0x", 10) == 0)
			steps++;
		if (strcmp(line, "hi") == 0)
			hi = 1;
		if (strcmp(line, "exited with status 0") == 0)
			exited = 1;
	}
	check(at_main, "dbg stops at main: 'breakpoint at main (0x...)'");
	printf("# %d lines 'step pc 0x...'\n", steps);
	check(steps == 10, "dbg steps ten instructions: ten lines 'step pc 0x...'");
	check(hi && exited && status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "dbg continues to the end: 'hi', then 'exited with status 0'");
}

int
main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	verdict_begin(argc, argv);
	if (strcmp(what, "fork") == 0)
		test_fork();
	else if (strcmp(what, "peek") == 0)
		test_peek();
	else if (strcmp(what, "step") == 0)
		test_step();
	else if (strcmp(what, "dbg") == 0)
		test_dbg();
	else {
		fprintf(stderr, "usage: ptracetest fork|peek|step|dbg\n");
		return 2;
	}
	printf("# %d of %d checks failed\n", nfail, ntest);
	return nfail != 0;
}
