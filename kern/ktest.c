/*
 * Kernel self-tests, run by the ktest(name) system call: they check what
 * only the kernel can see (fork1's func/arg, rnewprocp, SIDL children,
 * locks, page reference counts).  Output is TAP, like the user tests:
 *   1..N
 *   ok 1 - what was checked
 *   not ok 2 - what was checked
 * ktest("all") runs every group; ktest("fork1") only that group
 * (groups: fork1, ppwait, locks, pages; "panic" panics on purpose, to
 * check the panic path, and is not part of "all").
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "page.h"
#include "vm.h"
#include "sleeplock.h"

static int test_no, test_failed;

static void
check(int ok, const char *what)
{
	test_no++;
	if (!ok)
		test_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", test_no, what);
}

/* ---- fork1 ------------------------------------------------------------ */

/* What a test child saw; one child at a time (ktest calls are serialized). */
static struct {
	volatile int	ran;
	void		*arg;
	struct proc	*self;
	int		had_vm;
} box;

static void
box_child(void *arg)
{
	box.arg = arg;
	box.self = curproc();
	box.had_vm = box.self->p_vmspace != NULL;
	__atomic_store_n(&box.ran, 1, __ATOMIC_SEQ_CST);
	exit1(curproc(), 0);
}

/* Poll for the child for up to about a second. */
static int
wait_for_child(struct proc *p)
{
	for (int i = 0; i < 100 && !box.ran; i++)
		clock_msleep(p, 10);
	return box.ran;
}

#define KFLAGS	(FORK_SHAREVM | FORK_SHAREFILES | FORK_NOZOMBIE | FORK_SYSTEM)

static void
test_fork1(struct proc *p)
{
	static int cookie;
	struct proc *np = NULL;
	register_t pid = -1;
	int error, nproc0 = proc_count();
	unsigned long free0 = page_free_count();

	check(fork1(p, 0x40000000, box_child, NULL, NULL, NULL) == EINVAL,
	    "fork1 rejects unknown flags with EINVAL");
	check(fork1(p, FORK_FORK, NULL, NULL, NULL, NULL) == EINVAL,
	    "fork1 rejects a NULL func with EINVAL");
	check(fork1(p, FORK_FORK | FORK_PTRACE, box_child, NULL, NULL, NULL) == EINVAL,
	    "fork1 rejects FORK_PTRACE with EINVAL (not yet supported)");
	check(proc_count() == nproc0 && page_free_count() == free0,
	    "a failed fork1 leaks no process slot and no page");

	/* FORK_IDLE: the child exists but must not run until made runnable. */
	memset(&box, 0, sizeof(box));
	error = fork1(&proc0, KFLAGS | FORK_IDLE, box_child, &cookie, &pid, &np);
	check(error == 0, "fork1(FORK_IDLE) succeeds");
	if (error != 0) {
		test_no += 11;
		test_failed += 11;
		return;
	}
	check(np != NULL && np->p_pid > 0, "rnewprocp gets the new process");
	check(pid == np->p_pid, "retval gets the child's pid");
	check((np->p_flag & (P_SYSTEM | P_NOZOMBIE)) == (P_SYSTEM | P_NOZOMBIE),
	    "FORK_SYSTEM and FORK_NOZOMBIE set P_SYSTEM and P_NOZOMBIE");
	check(np->p_stat == SIDL, "a FORK_IDLE child is left in SIDL");
	clock_msleep(p, 50);
	check(!box.ran && np->p_stat == SIDL, "a FORK_IDLE child does not run by itself");
	proc_setrunnable(np);
	check(wait_for_child(p), "the child runs after proc_setrunnable");
	check(box.arg == &cookie, "func gets arg when arg is not NULL");
	check(box.self == np, "the child runs as the new process");

	/* arg NULL: func gets the new process itself. */
	memset(&box, 0, sizeof(box));
	np = NULL;
	error = fork1(&proc0, KFLAGS, box_child, NULL, NULL, &np);
	check(error == 0 && wait_for_child(p) && box.arg == np && np != NULL,
	    "func gets the new process when arg is NULL");

	/* kthread_create is fork1 with the kernel-thread flags. */
	memset(&box, 0, sizeof(box));
	check(kthread_create(box_child, &cookie, NULL, "ktest") == 0 &&
	    wait_for_child(p) && box.arg == &cookie && !box.had_vm,
	    "kthread_create runs func(arg) with no address space");

	/* FORK_NOZOMBIE children are reaped without a wait. */
	for (int i = 0; i < 50 && proc_count() != nproc0; i++)
		clock_msleep(p, 10);
	check(proc_count() == nproc0, "FORK_NOZOMBIE children leave no slot behind");
}

/* FORK_PPWAIT: fork1 returns only after the child has exited (or exec'd). */
static void
test_ppwait(struct proc *p)
{
	int error;

	memset(&box, 0, sizeof(box));
	error = fork1(p, FORK_SHAREVM | FORK_SHAREFILES | FORK_NOZOMBIE | FORK_PPWAIT,
	    box_child, NULL, NULL, NULL);
	check(error == 0, "fork1(FORK_PPWAIT) succeeds");
	check(error == 0 && box.ran, "the parent sleeps until its FORK_PPWAIT child exits");
	check(!(p->p_vforkwait), "the parent is released when the child exits");
}

/* Not part of "all": checks that a panic reports and powers off. */
static void
test_panic(struct proc *p)
{
	panic("ktest: panic on purpose (pid %d)", p->p_pid);
}

/* ---- locks ------------------------------------------------------------ */

static void
test_locks(struct proc *p)
{
	struct spinlock lk;
	struct sleeplock slk;

	spinlock_init(&lk, "ktest");
	intr_push();
	check(!spinlock_holding(&lk), "a new spin lock is not held");
	intr_pop();

	int before = intr_enabled();
	spinlock_acquire(&lk);
	check(spinlock_holding(&lk), "spinlock_acquire: held by this CPU");
	check(!intr_enabled(), "interrupts are off while a spin lock is held");
	spinlock_acquire(&proc_lock);
	spinlock_release(&proc_lock);
	check(!intr_enabled(), "releasing an inner lock keeps interrupts off");
	spinlock_release(&lk);
	check(intr_enabled() == before && !lk.locked,
	    "releasing the last lock restores the interrupt state");

	sleeplock_init(&slk, "ktest sleep");
	sleeplock_acquire(&slk);
	check(sleeplock_holding(&slk), "sleeplock_acquire: held by this process");
	sleeplock_release(&slk);
	check(!sleeplock_holding(&slk), "sleeplock_release: not held");
}

/* ---- pages and address spaces ----------------------------------------- */

static void
test_pages(struct proc *p)
{
	unsigned long free0 = page_free_count();
	paddr_t pa = page_alloc();

	check(pa != 0 && pa % PAGE_SIZE == 0, "page_alloc returns an aligned page");
	if (pa == 0) {
		test_no += 7;
		test_failed += 7;
		return;
	}
	check(page_refcount(pa) == 1, "a new page has reference count 1");
	int zero = 1;
	for (int i = 0; i < PAGE_SIZE; i++)
		if (((unsigned char *)PA_TO_PTR(pa))[i] != 0)
			zero = 0;
	check(zero, "page_alloc zeroes the page");
	check(page_free_count() == free0 - 1, "the free count drops by one");
	page_ref(pa);
	check(page_refcount(pa) == 2, "page_ref counts a second user");
	page_unref(pa);
	check(page_refcount(pa) == 1 && page_free_count() == free0 - 1,
	    "page_unref of a shared page keeps it");
	page_unref(pa);
	check(page_free_count() == free0, "the last page_unref frees it");

	struct vmspace *vm = vmspace_alloc(), *copy = NULL;
	int ok = vm != NULL &&
	    vm_map_anon(vm, 0x10000000, 0x10000000 + 4 * PAGE_SIZE,
		VM_PROT_READ | VM_PROT_WRITE, 0) == 0 &&
	    copyout_vm(vm, 0x10000000 + 100, "abc", 4) == 0 &&
	    vmspace_copy(vm, &copy) == 0;
	if (copy != NULL)
		vmspace_free(copy);
	if (vm != NULL)
		vmspace_free(vm);
	check(ok && page_free_count() == free0,
	    "vmspace map, copy and free give every page back");
}

/* ---- driver ----------------------------------------------------------- */

static const struct ktest {
	const char *name;
	int	nchecks;
	void	(*run)(struct proc *p);
} ktests[] = {
	{ "fork1", 16, test_fork1 },
	{ "locks", 7, test_locks },
	{ "pages", 8, test_pages },
	{ "ppwait", 3, test_ppwait },
	{ "panic", 0, test_panic, },	/* only by name */
};

int
ktest_run(const char *name)
{
	static struct sleeplock serial = { .lk = { .name = "ktest" }, .name = "ktest" };
	int all = strcmp(name, "all") == 0, plan = 0;

	int known = 0;
	for (size_t i = 0; i < nitems(ktests); i++) {
		if (strcmp(name, ktests[i].name) == 0)
			known = 1;
		if (all || strcmp(name, ktests[i].name) == 0)
			plan += ktests[i].nchecks;
	}
	if (!all && !known)
		return -1;

	sleeplock_acquire(&serial);
	test_no = test_failed = 0;
	printf("1..%d\n", plan);
	for (size_t i = 0; i < nitems(ktests); i++)
		if ((all && ktests[i].nchecks > 0) || strcmp(name, ktests[i].name) == 0)
			ktests[i].run(curproc());
	if (test_no != plan) {
		printf("# ktest: planned %d checks, ran %d\n", plan, test_no);
		test_failed++;
	}
	int failed = test_failed;
	sleeplock_release(&serial);
	return failed;
}
