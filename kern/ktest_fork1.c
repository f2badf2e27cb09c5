/*
 * Kernel self-tests of the fork1 lab stages that only the kernel can see:
 *
 *   ktest ppwait   fork1(FORK_PPWAIT) returns only once the child is done
 *   ktest idle     a FORK_IDLE child stays in SIDL until proc_setrunnable
 *   ktest system   kthread_create(9) and FORK_SYSTEM
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
#include <aqua/wait.h>
#include <aqua/procinfo.h>

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
	check(error == 0, "fork1(FORK_PPWAIT) succeeds");
	if (error != 0) {
		ktest_skip(3, "(skipped: fork1 failed)");
		return;
	}
	check(ran && st == SZOMB,
	    "fork1(FORK_PPWAIT) returns only after the child ran and exited");
	check(p->p_vforkwait == 0, "the parent's wait is over (p_vforkwait cleared)");
	check(proc_wait(p, pid, &xstat, 0, &got) == 0 && got == pid &&
	    WEXITSTATUS(xstat) == 7 && proc_count() == nproc0,
	    "the parent then collects the child's status (7) with wait");
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
	check(error == 0 && np != NULL, "fork1(FORK_IDLE) succeeds");
	if (error != 0 || np == NULL) {
		ktest_skip(7, "(skipped: fork1 failed)");
		return;
	}
	check(st == SIDL, "the FORK_IDLE child is left in SIDL");
	check(proc_info(np - proctab, &pi) == 0 && pi.pid == pid && pi.state == SIDL,
	    "procinfo (what ps shows) reports it as SIDL");
	clock_msleep(p, 100);
	check(!load(&kb.ran) && state_of(pid) == SIDL,
	    "it is never scheduled while idle (100 ms later: still SIDL, func not run)");

	/* The point of FORK_IDLE: set the child up before it first runs. */
	strlcpy(np->p_comm, "idle-named", sizeof(np->p_comm));
	proc_setrunnable(np);
	int ran = wait_until_ran(p);
	check(ran && kb.arg == &cookie && kb.self == np,
	    "proc_setrunnable makes it run func(arg)");
	check(ran && strcmp(kb.comm, "idle-named") == 0,
	    "its creator set it up (named it) before it first ran");
	check(proc_wait(p, pid, &xstat, 0, &got) == 0 && got == pid && WEXITSTATUS(xstat) == 3,
	    "the parent collects it with wait");
	check(proc_count() == nproc0, "no process slot left behind");
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
	check(error == 0 && np != NULL, "kthread_create succeeds");
	if (error != 0 || np == NULL) {
		ktest_skip(11, "(skipped: kthread_create failed)");
		return;
	}
	pid_t kpid = np->p_pid;
	int ran = wait_until_ran(p);
	check(np->p_flag & P_SYSTEM, "a kernel thread is a system process (P_SYSTEM)");
	check((np->p_flag & P_NOZOMBIE) && np->p_pptr == &proc0,
	    "it is proc0's child and leaves no zombie (P_NOZOMBIE)");
	check(ran && kb.arg == &cookie && !kb.had_vm && !kb.had_fd,
	    "it runs func(arg) with no address space and no descriptors");
	check(ran && strcmp(kb.comm, "kthread-test") == 0, "it has its name when it first runs");
	check(proc_info(np - proctab, &pi) == 0 && pi.pid == kpid && (pi.flags & PI_SYSTEM) &&
	    strcmp(pi.name, "kthread-test") == 0 && pi.ppid == 0,
	    "procinfo flags it PI_SYSTEM, ppid 0 (ps shows [kthread-test])");
	check(proc_kill(kpid, SIGKILL) == EPERM && proc_kill(kpid, 0) == EPERM,
	    "kill of a system process gives EPERM");
	check(np->p_killed == 0 && state_of(kpid) != SZOMB && state_of(kpid) != SDEAD,
	    "it was not touched by the kill");
	park_go = 1;
	for (int i = 0; i < POLLS && (state_of(kpid) != 0 || proc_count() != nproc0); i++)
		clock_msleep(p, 10);
	check(state_of(kpid) == 0 && proc_count() == nproc0,
	    "when it exits its slot is freed: no zombie");

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
	    "FORK_SYSTEM children fill the whole table (past the per-user limit), then EAGAIN");
	check(made > 0 && nsystem == made, "every FORK_SYSTEM child is P_SYSTEM");
	park_go = 1;
	int reaped = 0;
	pid_t got;
	while (proc_wait(p, -1, &xstat, 0, &got) == 0)
		reaped++;
	check(reaped == made && proc_count() == nproc0 && page_free_count() == free0,
	    "all of them exit and are collected: no slot or page left behind");
	if (error != EAGAIN || full != NPROC)
		printf("# made %d children (%d system), table %d of %d, last error %d\n",
		    made, nsystem, full, NPROC, error);
}

/* ---- the groups ------------------------------------------------------- */

static const struct ktest_group groups[] = {
	{ "ppwait", 4, test_ppwait },
	{ "idle", 8, test_idle },
	{ "system", 12, test_system },
};

const struct ktest_group *
ktest_lab_group(const char *name)
{
	for (size_t i = 0; i < nitems(groups); i++)
		if (strcmp(name, groups[i].name) == 0)
			return &groups[i];
	return NULL;
}
