/*
 * Kernel self-tests, run by the ktest(name) system call: they check what
 * only the kernel can see (fork1's func/arg, rnewprocp, SIDL children,
 * locks, page reference counts).  Output is TAP, like the user tests:
 *   1..N
 *   ok 1 - what was checked
 *   not ok 2 - what was checked
 * ktest("all") runs every group; ktest("fork1") only that group
 * (groups: fork1, locks, pages; "panic" panics on purpose, to check the
 * panic path, and is not part of "all").  The fork1 lab stages have their
 * own groups in kern/ktest_fork1.c (ppwait, idle, system): they run only by
 * name, since in a handout they test code the student has not written yet.
 *
 * "panic" would let any user program stop the machine, so it runs only
 * when the kernel was booted with the boot argument ktest.panic=1 (the
 * grader's test_panic_report does); otherwise ktest_run returns -2 and
 * ktest(2) fails with EPERM.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "page.h"
#include "vm.h"
#include "sleeplock.h"
#include "ktest.h"
#include "spinlock.h"
#include "witness.h"

static int test_no, test_failed;

static void
check(int ok, const char *what)
{
	test_no++;
	if (!ok)
		test_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", test_no, what);
}

/* For the groups in other files (kern/ktest_fork1.c). */
void
ktest_check(int ok, const char *what)
{
	check(ok, what);
}

/* n checks that cannot run because an earlier step failed: all fail. */
void
ktest_skip(int n, const char *why)
{
	while (n-- > 0)
		check(0, why);
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

/* Poll for the child for up to ten seconds (slow hosts); usually at once. */
static int
wait_for_child(struct proc *p)
{
	for (int i = 0; i < 1000 && !box.ran; i++)
		clock_msleep(p, 10);
	return box.ran;
}

/*
 * fork1(9)'s contract with no flags: func(arg), retval, rnewprocp, the
 * errors, nothing leaked.  The flags have their own lab stages (and
 * groups in kern/ktest_fork1.c), so nothing here depends on them.  The
 * children are children of the ktest process p, collected with proc_wait.
 */
static void
test_fork1(struct proc *p)
{
	static int cookie;
	struct proc *np = NULL;
	register_t pid = -1;
	pid_t got;
	int error, xstat, nproc0 = proc_count();
	unsigned long free0 = page_free_count();

	check(fork1(p, 0x40000000, box_child, NULL, NULL, NULL) == EINVAL,
	    "fork1 rejects unknown flags with EINVAL");
	check(fork1(p, FORK_FORK, NULL, NULL, NULL, NULL) == EINVAL,
	    "fork1 rejects a NULL func with EINVAL");
	/* (FORK_PTRACE is a real flag since the ptrace stage: an unknown bit instead.) */
	check(fork1(p, FORK_FORK | 0x100, box_child, NULL, NULL, NULL) == EINVAL,
	    "fork1 rejects an unknown bit beside a known flag with EINVAL");
	check(proc_count() == nproc0 && page_free_count() == free0,
	    "a failed fork1 leaks no process slot and no page");

	memset(&box, 0, sizeof(box));
	error = fork1(p, 0, box_child, &cookie, &pid, &np);
	check(error == 0, "fork1 with no flags succeeds");
	if (error != 0) {
		ktest_skip(11, "(skipped: fork1 failed)");
		return;
	}
	check(np != NULL && np->p_pid > 0, "rnewprocp gets the new process");
	check(np != NULL && pid == np->p_pid, "retval gets the child's pid");
	check(np != NULL && np->p_pptr == p, "the child's parent is p1");
	check(wait_for_child(p), "the child runs func");
	check(box.arg == &cookie, "func gets arg when arg is not NULL");
	check(box.self == np, "the child runs as the new process");
	check(proc_wait(p, pid, &xstat, 0, &got) == 0 && got == pid,
	    "the parent collects the child with wait");

	/* arg NULL: func gets the new process itself. */
	memset(&box, 0, sizeof(box));
	np = NULL;
	error = fork1(p, 0, box_child, NULL, &pid, &np);
	check(error == 0 && wait_for_child(p) && np != NULL && box.arg == np,
	    "func gets the new process when arg is NULL");
	if (error == 0)
		proc_wait(p, pid, &xstat, 0, &got);

	/* retval and rnewprocp are optional. */
	memset(&box, 0, sizeof(box));
	error = fork1(p, 0, box_child, &cookie, NULL, NULL);
	check(error == 0 && wait_for_child(p) && box.arg == &cookie,
	    "fork1 with NULL retval and rnewprocp");
	if (error == 0)
		proc_wait(p, -1, &xstat, 0, &got);

	check(proc_count() == nproc0, "every child collected: no slot left behind");
	check(page_free_count() == free0, "every child collected: no page left behind");
}

/* Not part of "all": checks that a panic reports and powers off. */
static void
test_panic(struct proc *p)
{
	panic("ktest: panic on purpose (pid %d)", p->p_pid);
}

/*
 * Not part of "all": run the kernel stack into its guard page (kern/proc.c)
 * and check the report.  Each level keeps 512 bytes live on the stack, so
 * a KSTACK_SIZE stack lasts a few dozen levels; the guard stops it.
 */
static int __attribute__((noinline))
recurse_deep(volatile char *above, int depth)
{
	volatile char frame[512];

	if (depth == 1 << 20)		/* 512 MiB down: never reached */
		return 0;
	frame[0] = (char)depth;
	frame[sizeof(frame) - 1] = above ? above[0] : 0;
	return recurse_deep(frame, depth + 1) + frame[0];	/* not a tail call */
}

static void
test_stackoverflow(struct proc *p)
{
	printf("ktest: overflowing the kernel stack of pid %d on purpose\n", p->p_pid);
	recurse_deep(NULL, 0);
	panic("ktest stackoverflow: the recursion returned");
}

/*
 * By name only, in a debug kernel (make DEBUG=1): take two locks in one
 * order, then in the other, and check that witness (kern/witness.c)
 * reports the reversal once, and only once.
 */
static void
test_witness(struct proc *p)
{
	struct spinlock a, b;
	int before = witness_reversals();

	check(witness_enabled(), "witness is on (a kernel built with make DEBUG=1)");
	spinlock_init(&a, "ktest-witness-a");
	spinlock_init(&b, "ktest-witness-b");
	spinlock_acquire(&a);
	spinlock_acquire(&b);
	spinlock_release(&b);
	spinlock_release(&a);
	check(witness_reversals() == before, "a then b: no reversal");
	spinlock_acquire(&b);
	spinlock_acquire(&a);		/* the opposite order: reported */
	spinlock_release(&a);
	spinlock_release(&b);
	check(witness_reversals() == before + 1, "b then a: one lock order reversal reported");
	spinlock_acquire(&b);
	spinlock_acquire(&a);		/* again: not reported twice */
	spinlock_release(&a);
	spinlock_release(&b);
	check(witness_reversals() == before + 1, "the same reversal is reported only once");
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
	const char *bootarg;	/* if set: only when booted with this argument */
	int	byname;		/* not part of "all" */
} ktests[] = {
	{ "fork1", 16, test_fork1, NULL, 0 },
	{ "locks", 7, test_locks, NULL, 0 },
	{ "pages", 8, test_pages, NULL, 0 },
	{ "panic", 0, test_panic, "ktest.panic=1", 1 },	/* only by name */
	{ "stackoverflow", 0, test_stackoverflow, "ktest.panic=1", 1 },	/* only by name */
	{ "witness", 4, test_witness, NULL, 1 },	/* debug kernels, by name */
};

/*
 * Was the kernel booted with the blank-separated word `word'?  Only the
 * words before `run=' count: what follows it is init's program and its
 * arguments, which a user may choose, not a kernel option.
 */
static int
booted_with(const char *word)
{
	const char *s = md_bootargs();
	size_t n = strlen(word);

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || strncmp(s, "run=", 4) == 0)
			return 0;
		if (strncmp(s, word, n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == '\t'))
			return 1;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
	}
}

int
ktest_run(const char *name)
{
	static struct sleeplock serial = { .lk = { .name = "ktest" }, .name = "ktest" };
	int all = strcmp(name, "all") == 0, plan = 0;

	int known = 0;
	/* A fork1 lab stage's group (kern/ktest_fork1.c): by name only. */
	const struct ktest_group *lab = ktest_lab_group(name);
	if (lab != NULL)
		known = 1, plan = lab->nchecks;
	for (size_t i = 0; i < nitems(ktests); i++) {
		if (strcmp(name, ktests[i].name) == 0) {
			known = 1;
			if (ktests[i].bootarg != NULL && !booted_with(ktests[i].bootarg))
				return -2;	/* EPERM: see the comment at the top */
		}
		if ((all && !ktests[i].byname) || strcmp(name, ktests[i].name) == 0)
			plan += ktests[i].nchecks;
	}
	if (!all && !known)
		return -1;

	sleeplock_acquire(&serial);
	test_no = test_failed = 0;
	printf("1..%d\n", plan);
	for (size_t i = 0; i < nitems(ktests); i++)
		if ((all && ktests[i].nchecks > 0 && !ktests[i].byname) ||
		    strcmp(name, ktests[i].name) == 0)
			ktests[i].run(curproc());
	if (lab != NULL)
		lab->run(curproc());
	if (test_no != plan) {
		printf("# ktest: planned %d checks, ran %d\n", plan, test_no);
		test_failed++;
	}
	int failed = test_failed;
	sleeplock_release(&serial);
	return failed;
}
