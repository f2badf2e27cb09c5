/*
 * Kernel self-tests of the fork1 lab stages that only the kernel can see:
 *
 *   ktest ppwait   fork1(FORK_PPWAIT) returns only once the child is done,
 *                  and sets the wait up before the child can run
 *   ktest idle     a FORK_IDLE child stays in SIDL until proc_setrunnable
 *   ktest system   kthread_create(9) and FORK_SYSTEM
 *   ktest sharefiles fdshare()/fdfree() count the users of a table, and
 *                  lose no count when CPUs share and free it at once
 *   ktest forkstat forkstat_count() sorts every kind of fork, counts pages,
 *                  and loses no update when CPUs count at once
 *
 * They run only by name (not in "ktest all"): in a handout they test code
 * the student has not written yet, and "all" belongs to the core tests.
 *
 * The tests never rely on speed.  Where a child must not run ahead of the
 * parent, it waits until the parent is asleep (the parent's state is the
 * event, not a delay); polls give up after ten seconds, which only a
 * failing kernel ever reaches.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "page.h"
#include "ktest.h"
#include "vm.h"
#include "file.h"
#include <aqua/wait.h>
#include <aqua/procinfo.h>
#include <aqua/forkstat.h>

#define check	ktest_check
#define POLLS	1000		/* of 10 ms: ten seconds */

/* What the test's child saw; one child at a time (ktest calls are serialized). */
static struct {
	volatile int	ran;
	void		*arg;
	struct proc	*self;
	struct proc	*parent;	/* ppwait: the process to wait for */
	int		had_vm, had_fd;
	char		comm[PROC_NAME_MAX];
} kb;

static volatile int park_go;	/* parked children exit once it is set */

static int
load(volatile int *v)
{
	return __atomic_load_n(v, __ATOMIC_SEQ_CST);
}

/* The state of the process with this pid (0: no such process). */
static int
state_of(pid_t pid)
{
	int st = 0;

	spinlock_acquire(&proc_lock);
	for (int i = 0; i < NPROC; i++)
		if (proctab[i].p_stat != 0 && proctab[i].p_pid == pid)
			st = proctab[i].p_stat;
	spinlock_release(&proc_lock);
	return st;
}

static int
wait_until_ran(struct proc *p)
{
	for (int i = 0; i < POLLS && !load(&kb.ran); i++)
		clock_msleep(p, 10);
	return load(&kb.ran);
}

/* Record who we are and how we were started. */
static void
note_self(void *arg)
{
	struct proc *self = curproc();

	kb.arg = arg;
	kb.self = self;
	kb.had_vm = self->p_vmspace != NULL;
	kb.had_fd = self->p_fd != NULL;
	strlcpy(kb.comm, self->p_comm, sizeof(kb.comm));
	__atomic_store_n(&kb.ran, 1, __ATOMIC_SEQ_CST);
}

/* ---- ppwait ----------------------------------------------------------- */

/*
 * A FORK_PPWAIT child that first waits until its parent sleeps (in fork1,
 * if the parent waits as it should), then works a little and exits 7.
 * If the parent does not wait, it runs on and looks at kb.ran before the
 * child could set it: the child is still waiting for the parent to sleep.
 */
static void
ppwait_child(void *arg)
{
	struct proc *self = curproc();

	(void)arg;
	for (int i = 0; i < POLLS && load(&kb.parent->p_stat) != SSLEEP; i++)
		clock_msleep(self, 10);
	clock_msleep(self, 20);
	note_self(arg);
	exit1(self, W_EXITCODE(7, 0));
}

/*
 * The child of the second half of test_ppwait: it runs while its parent is
 * held between fork1's steps 7 and 8 (fork_ktest_hook), so it sees what
 * fork1 had set up for the wait before it let the child run.  Then it waits
 * until the parent is past the hook and asleep, and exits.
 */
static volatile int pp_entered, pp_held, pp_marked;

static void
ppwait_early_child(void *arg)
{
	struct proc *self = curproc();

	(void)arg;
	pp_marked = kb.parent->p_vforkwait != 0 && (self->p_flag & P_PPWAIT) != 0;
	__atomic_store_n(&pp_entered, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < POLLS && (load(&pp_held) ||
	    load(&kb.parent->p_stat) != SSLEEP); i++)
		clock_msleep(self, 10);
	exit1(self, W_EXITCODE(8, 0));
}

/* fork_ktest_hook: hold our own fork until the child has run. */
static void
ppwait_hold(struct proc *p1)
{
	if (p1 != kb.parent)
		return;
	for (int i = 0; i < POLLS && !load(&pp_entered); i++)
		clock_msleep(p1, 10);
	__atomic_store_n(&pp_held, 0, __ATOMIC_SEQ_CST);
}

static void
test_ppwait(struct proc *p)
{
	register_t pid = -1;
	pid_t got;
	int error, xstat = 0, nproc0 = proc_count();

	memset(&kb, 0, sizeof(kb));
	kb.parent = p;
	error = fork1(p, FORK_PPWAIT, ppwait_child, NULL, &pid, NULL);
	/* Look at once: nothing may happen between fork1's return and here. */
	int ran = load(&kb.ran), st = error == 0 ? state_of(pid) : 0;
	check(error == 0, "fork1(FORK_PPWAIT) succeeds",
	    "fork1(FORK_PPWAIT) returned %d, want 0", error);
	if (error != 0) {
		ktest_skip(4, "(skipped: fork1 failed)");
		return;
	}
	check(ran && st == SZOMB,
	    "fork1(FORK_PPWAIT) returns only after the child ran and exited",
	    "when fork1 returned the child %s and was in state %d, want: it ran and is a "
	    "zombie (SZOMB, %d); did the parent sleep until the child exited?",
	    ran ? "had run" : "had not run yet", st, SZOMB);
	check(p->p_vforkwait == 0, "the parent's wait is over (p_vforkwait cleared)",
	    "p_vforkwait is %d after fork1 returned, want 0", (int)p->p_vforkwait);
	got = -1;
	error = proc_wait(p, pid, &xstat, 0, &got);
	check(error == 0 && got == pid && WEXITSTATUS(xstat) == 7 && proc_count() == nproc0,
	    "the parent then collects the child's status (7) with wait",
	    "proc_wait returned %d with pid %d (want 0 with %ld), exit code %d (want 7), "
	    "slots in use %d (want %d)", error, got, (long)pid,
	    error == 0 ? WEXITSTATUS(xstat) : -1, proc_count(), nproc0);

	/* Again, with the child made to run before the parent reaches its wait. */
	pp_entered = pp_marked = 0;
	pp_held = 1;
	fork_ktest_hook = ppwait_hold;
	error = fork1(p, FORK_PPWAIT, ppwait_early_child, NULL, &pid, NULL);
	fork_ktest_hook = NULL;
	if (error == 0)
		proc_wait(p, pid, &xstat, 0, &got);
	check(error == 0 && load(&pp_entered) && pp_marked,
	    "the wait is set up before the child can run (fork_mark, not after fork_start)",
	    "fork1 returned %d; the child %s; when it first ran its parent %s: the child may "
	    "run (and exec or exit) before fork1 reaches its sleep, so P_PPWAIT and "
	    "p_vforkwait must be set in fork_mark", error,
	    load(&pp_entered) ? "ran" : "never ran", pp_marked ? "was marked as waiting" :
	    "was not yet marked as waiting (p_vforkwait 0, or the child had no P_PPWAIT)");
}

/* ---- idle ------------------------------------------------------------- */

static void
idle_child(void *arg)
{
	note_self(arg);
	exit1(curproc(), W_EXITCODE(3, 0));
}

static void
test_idle(struct proc *p)
{
	static int cookie;
	struct proc *np = NULL;
	struct procinfo pi;
	register_t pid = -1;
	pid_t got;
	int error, xstat = 0, nproc0 = proc_count();

	memset(&kb, 0, sizeof(kb));
	error = fork1(p, FORK_IDLE, idle_child, &cookie, &pid, &np);
	int st = error == 0 ? state_of(pid) : 0;
	check(error == 0 && np != NULL, "fork1(FORK_IDLE) succeeds",
	    "fork1(FORK_IDLE) returned %d with *rnewprocp %p, want 0 and the new process",
	    error, np);
	if (error != 0 || np == NULL) {
		ktest_skip(7, "(skipped: fork1 failed)");
		return;
	}
	check(st == SIDL, "the FORK_IDLE child is left in SIDL",
	    "the child's state right after fork1 is %d, want SIDL (%d)", st, SIDL);
	int perr = proc_info(np - proctab, &pi);
	check(perr == 0 && pi.pid == pid && pi.state == SIDL,
	    "procinfo (what ps shows) reports it as SIDL",
	    "proc_info of its slot returned %d, pid %d (want %ld), state %d (want SIDL, %d)",
	    perr, perr == 0 ? pi.pid : -1, (long)pid, perr == 0 ? pi.state : -1, SIDL);
	clock_msleep(p, 100);
	int ran_early = load(&kb.ran), st_later = state_of(pid);
	check(!ran_early && st_later == SIDL,
	    "it is never scheduled while idle (100 ms later: still SIDL, func not run)",
	    "100 ms after fork1: func %s, state %d (want SIDL, %d): a FORK_IDLE child must "
	    "wait for proc_setrunnable", ran_early ? "had run" : "had not run", st_later, SIDL);

	/* The point of FORK_IDLE: set the child up before it first runs. */
	strlcpy(np->p_comm, "idle-named", sizeof(np->p_comm));
	proc_setrunnable(np);
	int ran = wait_until_ran(p);
	check(ran && kb.arg == &cookie && kb.self == np,
	    "proc_setrunnable makes it run func(arg)",
	    "after proc_setrunnable: func %s within 10 s, arg %p (want %p), curproc %p "
	    "(want %p)", ran ? "ran" : "did not run", kb.arg, &cookie, kb.self, np);
	check(ran && strcmp(kb.comm, "idle-named") == 0,
	    "its creator set it up (named it) before it first ran",
	    "func %s; its name when it ran was \"%s\", want \"idle-named\"",
	    ran ? "ran" : "did not run", kb.comm);
	got = -1;
	error = proc_wait(p, pid, &xstat, 0, &got);
	check(error == 0 && got == pid && WEXITSTATUS(xstat) == 3,
	    "the parent collects it with wait",
	    "proc_wait returned %d with pid %d (want 0 with %ld), exit code %d (want 3)",
	    error, got, (long)pid, error == 0 ? WEXITSTATUS(xstat) : -1);
	check(proc_count() == nproc0, "no process slot left behind",
	    "process slots in use: %d before fork1, %d after wait", nproc0, proc_count());
}

/*
 * ktest idle-twice, only with the boot argument ktest.panic=1 (kern/ktest/
 * ktest.c), since it panics the kernel on purpose.  proc_setrunnable() of
 * a process that is neither SIDL nor SSLEEP is a kernel bug (a FORK_IDLE
 * child started twice, or after it exited) and must panic, "proc_setrunnable:
 * pid N in state S": ignored, it hides the bug; obeyed, it runs a zombie.
 */
void
ktest_idle_twice(struct proc *p)
{
	struct proc *np = NULL;
	register_t pid = -1;
	int error, xstat;
	pid_t got;

	error = fork1(p, FORK_IDLE, idle_child, NULL, &pid, &np);
	if (error != 0 || np == NULL) {
		printf("ktest idle-twice: fork1(FORK_IDLE) returned %d\n", error);
		return;
	}
	proc_setrunnable(np);
	for (int i = 0; i < POLLS && state_of(pid) != SZOMB; i++)
		clock_msleep(p, 10);
	printf("ktest idle-twice: pid %ld is in state %d (SZOMB is %d); proc_setrunnable "
	    "of it again must panic\n", (long)pid, state_of(pid), SZOMB);
	proc_setrunnable(np);
	printf("ktest idle-twice: proc_setrunnable of pid %ld in state %d returned\n",
	    (long)pid, state_of(pid));
	proc_wait(p, pid, &xstat, WNOHANG, &got);
}

/* ---- system ----------------------------------------------------------- */

/* Stays until park_go; a kill (if it gets through) only shortens its naps. */
static void
park_child(void *arg)
{
	struct proc *self = curproc();

	if (arg != NULL)
		note_self(arg);
	while (!load(&park_go))
		clock_msleep(self, 10);
	exit1(self, 0);
}

/* A kernel thread that forks an ordinary child, then collects it. */
static volatile int sys_fork_err, sys_fork_done;

static void
sys_forker(void *arg)
{
	struct proc *self = curproc();
	int xstat;
	pid_t got;

	(void)arg;
	__atomic_store_n(&sys_fork_err, fork1(self, 0, park_child, NULL, NULL, NULL),
	    __ATOMIC_SEQ_CST);
	while (proc_wait(self, -1, &xstat, 0, &got) == 0)
		;
	__atomic_store_n(&sys_fork_done, 1, __ATOMIC_SEQ_CST);
	exit1(self, 0);
}

static void
test_system(struct proc *p)
{
	static int cookie;
	struct proc *np = NULL;
	struct procinfo pi;
	int error, xstat, nproc0 = proc_count();

	/* kthread_create: fork1(&proc0, SHAREVM|SHAREFILES|NOZOMBIE|SYSTEM). */
	memset(&kb, 0, sizeof(kb));
	park_go = 0;
	error = kthread_create(park_child, &cookie, &np, "kthread-test");
	check(error == 0 && np != NULL, "kthread_create succeeds",
	    "kthread_create returned %d with *newpp %p, want 0 and the new thread", error, np);
	if (error != 0 || np == NULL) {
		ktest_skip(13, "(skipped: kthread_create failed)");
		return;
	}
	pid_t kpid = np->p_pid;
	int ran = wait_until_ran(p);
	check(np->p_flag & P_SYSTEM, "a kernel thread is a system process (P_SYSTEM)",
	    "p_flag is 0x%x, want P_SYSTEM (0x%x) set", (unsigned)np->p_flag,
	    (unsigned)P_SYSTEM);
	check((np->p_flag & P_NOZOMBIE) && np->p_pptr == &proc0,
	    "it is proc0's child and leaves no zombie (P_NOZOMBIE)",
	    "p_flag 0x%x (want P_NOZOMBIE, 0x%x, set), parent %p (want proc0, %p)",
	    (unsigned)np->p_flag, (unsigned)P_NOZOMBIE, np->p_pptr, &proc0);
	check(ran && kb.arg == &cookie && !kb.had_vm && !kb.had_fd,
	    "it runs func(arg) with no address space and no descriptors",
	    "func %s within 10 s, arg %p (want %p), address space %s, descriptors %s "
	    "(want neither)", ran ? "ran" : "did not run", kb.arg, &cookie,
	    kb.had_vm ? "yes" : "no", kb.had_fd ? "yes" : "no");
	check(ran && strcmp(kb.comm, "kthread-test") == 0, "it has its name when it first runs",
	    "func %s; its name when it ran was \"%s\", want \"kthread-test\"",
	    ran ? "ran" : "did not run", kb.comm);
	int perr = proc_info(np - proctab, &pi);
	check(perr == 0 && pi.pid == kpid && (pi.flags & PI_SYSTEM) &&
	    strcmp(pi.name, "kthread-test") == 0 && pi.ppid == 0,
	    "procinfo flags it PI_SYSTEM, ppid 0 (ps shows [kthread-test])",
	    "proc_info returned %d: pid %d (want %d), flags 0x%x (want PI_SYSTEM, 0x%x), "
	    "name \"%s\" (want \"kthread-test\"), ppid %d (want 0)", perr,
	    perr == 0 ? pi.pid : -1, kpid, perr == 0 ? (unsigned)pi.flags : 0,
	    (unsigned)PI_SYSTEM, perr == 0 ? pi.name : "", perr == 0 ? pi.ppid : -1);
	int kerr = proc_kill(kpid, SIGKILL), kerr0 = proc_kill(kpid, 0);
	check(kerr == EPERM && kerr0 == EPERM, "kill of a system process gives EPERM",
	    "proc_kill(SIGKILL) returned %d, proc_kill(0) returned %d, want EPERM (%d) for both",
	    kerr, kerr0, EPERM);
	int kst = state_of(kpid);
	check(np->p_killed == 0 && kst != SZOMB && kst != SDEAD,
	    "it was not touched by the kill",
	    "after the kill p_killed is %d (want 0), state %d (want neither SZOMB %d nor "
	    "SDEAD %d)", (int)np->p_killed, kst, SZOMB, SDEAD);
	park_go = 1;
	for (int i = 0; i < POLLS && (state_of(kpid) != 0 || proc_count() != nproc0); i++)
		clock_msleep(p, 10);
	kst = state_of(kpid);
	check(kst == 0 && proc_count() == nproc0,
	    "when it exits its slot is freed: no zombie",
	    "10 s after it was told to exit: its slot is in state %d (want 0, free), slots "
	    "in use %d (want %d)", kst, proc_count(), nproc0);

	/*
	 * FORK_SYSTEM from a user process: its children are not held to the
	 * per-user limit (NPROC_PER_USER), only to the table (NPROC).
	 */
	unsigned long free0 = page_free_count();
	int made = 0, nsystem = 0;
	park_go = 0;
	for (;;) {
		struct proc *cp = NULL;
		error = fork1(p, FORK_SYSTEM, park_child, NULL, NULL, &cp);
		if (error != 0)
			break;
		made++;
		if (cp->p_flag & P_SYSTEM)
			nsystem++;
	}
	int full = proc_count();
	check(error == EAGAIN && full == NPROC,
	    "FORK_SYSTEM children fill the whole table (past the per-user limit), then EAGAIN",
	    "made %d children, then fork1 returned %d (want EAGAIN, %d) with %d of %d slots "
	    "in use (want all)", made, error, EAGAIN, full, NPROC);
	check(made > 0 && nsystem == made, "every FORK_SYSTEM child is P_SYSTEM",
	    "%d of the %d children had P_SYSTEM, want all of them (and at least one)",
	    nsystem, made);
	park_go = 1;
	int reaped = 0;
	pid_t got;
	while (proc_wait(p, -1, &xstat, 0, &got) == 0)
		reaped++;
	check(reaped == made && proc_count() == nproc0 && page_free_count() == free0,
	    "all of them exit and are collected: no slot or page left behind",
	    "collected %d of %d children; slots in use %d (want %d), free pages %lu (want %lu)",
	    reaped, made, proc_count(), nproc0, page_free_count(), free0);

	/*
	 * Our user at its per-user limit: ordinary children until EAGAIN.
	 * Then a FORK_SYSTEM fork, and a fork by a system process, must
	 * still succeed: neither is held to a user's limit.
	 */
	park_go = 0;
	int nuser = 0, esys, ekth = -1;
	for (;;) {
		if ((error = fork1(p, 0, park_child, NULL, NULL, NULL)) != 0)
			break;
		nuser++;
	}
	int atlimit = error == EAGAIN && proc_count() < NPROC;
	esys = fork1(p, FORK_SYSTEM, park_child, NULL, NULL, NULL);
	sys_fork_err = -1;
	sys_fork_done = 0;
	if (kthread_create(sys_forker, NULL, NULL, "sysforker") == 0)
		for (int i = 0; i < POLLS && load(&sys_fork_err) == -1; i++)
			clock_msleep(p, 10);
	ekth = load(&sys_fork_err);
	check(atlimit && esys == 0,
	    "at its user's limit, a FORK_SYSTEM fork still succeeds",
	    "%d ordinary children, then fork1 returned %d with %d of %d slots in use (want "
	    "EAGAIN, %d, with free slots); then fork1(FORK_SYSTEM) returned %d, want 0 "
	    "(FORK_SYSTEM children are not held to the per-user limit)",
	    nuser, error, proc_count(), NPROC, EAGAIN, esys);
	check(atlimit && ekth == 0,
	    "at the user's limit, a system process's own fork still succeeds",
	    "a kernel thread's fork1 returned %d, want 0 (forks by a system process are not "
	    "held to the per-user limit)", ekth);
	park_go = 1;
	for (int i = 0; i < POLLS && !load(&sys_fork_done); i++)
		clock_msleep(p, 10);
	while (proc_wait(p, -1, &xstat, 0, &got) == 0)
		;
	for (int i = 0; i < POLLS && proc_count() != nproc0; i++)
		clock_msleep(p, 10);
}

/* ---- forkstat --------------------------------------------------------- */

/*
 * forkstat_count() is called by fork1() with the flags of the call; here
 * it is called directly, once with the flags of each kind of call, so that
 * a kind that no user program can make (a kernel thread) or that a later
 * stage builds (a user thread, stage sharevm) is checked too.  The
 * counters are statistics: counting calls that made no process changes
 * nothing else.
 */
#define FS_THREADS	4		/* run with 4 CPUs */
#define FS_CALLS	400000		/* forkstat_count() calls per thread, at least */

static volatile int fs_go, fs_done;

/*
 * Racing threads must run at the same time, which a fixed number of calls
 * each does not make sure of: the host may run the CPUs one after the
 * other.  So none stops before every one has made its calls: the last one
 * makes all of its calls while the others still make theirs.  Each
 * thread's own count (race_calls) is exact; only the shared one may lose.
 */
static volatile long race_calls[FS_THREADS];
static volatile int race_threads;

static int
race_others_behind(long least)
{
	for (int i = 0; i < load(&race_threads); i++)
		if (race_calls[i] < least)
			return 1;
	return 0;
}

static void
race_start(int n)
{
	for (int i = 0; i < FS_THREADS; i++)
		race_calls[i] = 0;
	race_threads = n;
}

/*
 * The racing threads are ordinary children of the test (fork1 with no
 * flags, so they count in no forkstat counter): kernel threads would need
 * FORK_NOZOMBIE and FORK_SYSTEM, stages that come later.  Collect them.
 */
static void
race_reap(struct proc *p, int n)
{
	int xstat;
	pid_t got;

	for (int i = 0; i < n; i++)
		if (proc_wait(p, -1, &xstat, 0, &got) != 0)
			break;
}

static long
race_total(void)
{
	long n = 0;

	for (int i = 0; i < FS_THREADS; i++)
		n += race_calls[i];
	return n;
}

static void
fs_counter(void *arg)
{
	int me = (int)(long)arg - 1;	/* not 0: fork1 passes the new process for a NULL arg */

	while (!load(&fs_go))
		;			/* start together: the point is to collide */
	for (long i = 0; i < FS_CALLS || (i % 64 != 0 || race_others_behind(FS_CALLS)); i++) {
		forkstat_count(FORK_FORK, NULL);
		race_calls[me] = i + 1;
	}
	__atomic_add_fetch(&fs_done, 1, __ATOMIC_SEQ_CST);
	exit1(curproc(), 0);
}

/* One kind of fork: what each counter must have moved by. */
static void
fs_kind(int flags, struct vmspace *vm, const char *kind, const unsigned long want[8])
{
	static const char *names[8] = { "cntfork", "cntvfork", "cnttfork", "cntkthread",
	    "sizfork", "sizvfork", "siztfork", "sizkthread" };
	struct forkstat a, b;
	char got[160];
	int good = 1, n = 0;

	forkstat_read(&a);
	forkstat_count(flags, vm);
	forkstat_read(&b);
	const unsigned long *pa = &a.cntfork, *pb = &b.cntfork;
	got[0] = '\0';
	for (int i = 0; i < 8; i++) {
		if (pb[i] - pa[i] != want[i]) {
			good = 0;
			if (n < (int)sizeof(got) - 48)
				n += snprintf(got + n, sizeof(got) - n, " %s +%lu (want +%lu)",
				    names[i], pb[i] - pa[i], want[i]);
		}
	}
	check(good, kind, "forkstat_count(0x%x, vm of %lu pages) moved:%s", flags,
	    vm != NULL ? vmspace_size(vm) / PAGE_SIZE : 0, got);
}

static void
test_forkstat(struct proc *p)
{
	struct vmspace *vm = p->p_vmspace;
	unsigned long pg = vm != NULL ? vmspace_size(vm) / PAGE_SIZE : 0;

	fs_kind(FORK_FORK, vm, "fork(2): cntfork +1, sizfork + the child's pages (not bytes)",
	    (const unsigned long[8]){ 1, 0, 0, 0, pg, 0, 0, 0 });
	fs_kind(FORK_VFORK | FORK_PPWAIT, vm,
	    "vfork(2): cntvfork +1, sizvfork + the child's pages",
	    (const unsigned long[8]){ 0, 1, 0, 0, 0, pg, 0, 0 });
	fs_kind(FORK_SHAREVM | FORK_SHAREFILES, vm,
	    "a user thread (FORK_SHAREVM): cnttfork +1, siztfork + its pages",
	    (const unsigned long[8]){ 0, 0, 1, 0, 0, 0, pg, 0 });
	fs_kind(FORK_SHAREVM | FORK_SHAREFILES | FORK_NOZOMBIE | FORK_SYSTEM | FORK_IDLE, NULL,
	    "a kernel thread (FORK_SYSTEM, with FORK_SHAREVM): cntkthread +1 only",
	    (const unsigned long[8]){ 0, 0, 0, 1, 0, 0, 0, 0 });

	/* FS_THREADS children count FS_CALLS forks each, all at once. */
	struct forkstat a, b;
	int made = 0;

	fs_go = fs_done = 0;
	forkstat_read(&a);
	for (int i = 0; i < FS_THREADS; i++)
		if (fork1(p, 0, fs_counter, (void *)(long)(made + 1), NULL, NULL) == 0)
			made++;
	race_start(made);
	__atomic_store_n(&fs_go, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < POLLS && load(&fs_done) != made; i++)
		clock_msleep(p, 10);
	race_reap(p, made);
	forkstat_read(&b);
	unsigned long want = race_total(), got = b.cntfork - a.cntfork;
	check(made == FS_THREADS && load(&fs_done) == made && got == want,
	    "forkstat_count on 4 CPUs at once: no update lost",
	    "%d threads made %lu calls at once: cntfork +%lu (%ld lost: are the counters "
	    "updated under forkstat_lock?); %d of %d threads done", made, want, got,
	    (long)(want - got), load(&fs_done), made);
}

/* ---- sharefiles -------------------------------------------------------- */

/*
 * fdshare() and fdfree() use nothing of a process but p_fd, so stand-ins
 * (not real processes) can share one table: FS_THREADS child threads each
 * share it and let go of it SF_ROUNDS times, all at once.  Every share is
 * undone by a free, so the count must end where it began; a count changed
 * without fdpool_lock loses updates against the others (or the table is
 * emptied under its users: "fdfree: table not in use").
 */
#define SF_ROUNDS	50000

static struct proc sf_standin[FS_THREADS], sf_owner[FS_THREADS], sf_a, sf_b;
static struct filedesc *sf_table;
static volatile int sf_go, sf_done;

static void
sf_sharer(void *arg)
{
	struct proc *me = arg, *owner = &sf_owner[me - sf_standin];
	int id = me - sf_standin;

	while (!load(&sf_go))
		;
	for (long i = 0; i < SF_ROUNDS || (i % 64 != 0 || race_others_behind(SF_ROUNDS)); i++) {
		owner->p_fd = sf_table;
		me->p_fd = fdshare(owner);
		fdfree(me);
		race_calls[id] = i + 1;
	}
	__atomic_add_fetch(&sf_done, 1, __ATOMIC_SEQ_CST);
	exit1(curproc(), 0);
}

static void
test_sharefiles(struct proc *p)
{
	struct proc *a = &sf_a, *b = &sf_b;
	int made = 0;

	sf_table = a->p_fd = fdinit();
	if (sf_table == NULL) {
		ktest_skip(2, "(skipped: fdinit found no free table)");
		return;
	}
	b->p_fd = fdshare(a);
	int shared = b->p_fd == a->p_fd, users = a->p_fd->fd_refcnt;
	fdfree(b);
	int after = a->p_fd->fd_refcnt;
	check(shared && users == 2 && after == 1,
	    "fdshare hands out the same table with one more user; fdfree drops it",
	    "fdshare returned %s table; users %d after it (want 2), %d after fdfree (want 1)",
	    shared ? "the same" : "another", users, after);

	sf_go = sf_done = 0;
	for (int i = 0; i < FS_THREADS; i++)
		if (fork1(p, 0, sf_sharer, &sf_standin[made], NULL, NULL) == 0)
			made++;
	race_start(made);
	__atomic_store_n(&sf_go, 1, __ATOMIC_SEQ_CST);
	for (int i = 0; i < POLLS && load(&sf_done) != made; i++)
		clock_msleep(p, 10);
	race_reap(p, made);
	int end = sf_table->fd_refcnt;
	check(made == FS_THREADS && load(&sf_done) == made && end == 1,
	    "4 CPUs sharing and freeing one table at once: every user counted",
	    "%d threads made %ld share/free rounds at once (%d done): the table has %d users "
	    "at the end, want 1 (a count updated without fdpool_lock loses updates)", made,
	    race_total(), load(&sf_done), end);
	if (end >= 1)
		fdfree(a);
}

/* ---- the groups ------------------------------------------------------- */

static const struct ktest_group groups[] = {
	{ "ppwait", 5, test_ppwait },
	{ "idle", 8, test_idle },
	{ "system", 14, test_system },
	{ "forkstat", 5, test_forkstat },
	{ "sharefiles", 2, test_sharefiles },
};

const struct ktest_group *
ktest_lab_group(const char *name)
{
	for (size_t i = 0; i < nitems(groups); i++)
		if (strcmp(name, groups[i].name) == 0)
			return &groups[i];
	return NULL;
}
