/*
 * fork1(9): the one way a process is created.
 *
 * fork(2), vfork(2), rfork1(2), kthread_create(9) and init itself all come
 * here; the flags say how much the child shares with its parent p1:
 *
 *   FORK_SHAREVM     the address space (a vmspace with a reference count)
 *                    instead of a copy of it;
 *   FORK_SHAREFILES  the descriptor table (fdshare) instead of a copy (fdcopy);
 *   FORK_PPWAIT      the parent sleeps until the child execs or exits (vfork);
 *   FORK_NOZOMBIE    nobody waits for the child: it is reaped when it exits;
 *   FORK_SYSTEM      the child is a system process (P_SYSTEM: unkillable,
 *                    outside the per-user limit);
 *   FORK_IDLE        the child is left in SIDL and does not run until
 *                    someone calls proc_setrunnable();
 *   FORK_NOVM        (with FORK_IDLE) no address space: the caller gives
 *                    the child one before it runs (makecxt); a copy made
 *                    only to be thrown away would take a shared page's
 *                    mapping slot (kern/vm/share.c) for nothing;
 *   FORK_FORK, FORK_VFORK  who asked (statistics only, in OpenBSD too).
 *
 * The shape to notice, OpenBSD's: every step that can fail (a process
 * slot, memory for the address space, a descriptor table) happens first,
 * and each failure undoes the steps before it.  After the commit point
 * nothing can fail any more, and only then does the child become
 * visible.  fork1() reads top to bottom as numbered steps; each step
 * that a flag changes is a function of its own, below, in that order.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "fs.h"
#include "file.h"

/*
 * Step 2: the child's address space, in *vmp (NULL for none).  Without
 * FORK_SHAREVM it gets its own copy (uvm_fork in OpenBSD; vmspace_copy
 * shares the pages copy-on-write, stage cow); with it, p1's vmspace
 * itself, one more reference (the last vmspace_free frees it).  Kernel
 * threads and proc0 have no vmspace; a FORK_NOVM child gets its own
 * later (makecxt).  0 or ENOMEM.
 */
static int
fork_vmspace(struct proc *p1, int flags, struct vmspace **vmp)
{
	*vmp = NULL;
	if (p1->p_vmspace == NULL || (flags & FORK_NOVM))
		return 0;
	/* SOLUTION BEGIN sharevm: a FORK_SHAREVM child shares, it gets no copy */
	if (flags & FORK_SHAREVM) {
		vmspace_ref(p1->p_vmspace);
		*vmp = p1->p_vmspace;
		return 0;
	}
	/* SOLUTION ELSE sharevm */
	//> /* TODO(sharevm): FORK_SHAREVM: p1's vmspace itself, one more reference (vmspace_ref). */
	/* SOLUTION END sharevm */
	return vmspace_copy(p1->p_vmspace, vmp);
}

/*
 * Step 3: the child's descriptor table, in *fdpp: shared (fdshare) or
 * copied (fdcopy).  proc0 has none: kernel threads share its "none",
 * init gets a fresh one.  0 or ENOMEM.
 */
static int
fork_filedesc(struct proc *p1, int flags, struct filedesc **fdpp)
{
	if (p1->p_fd == NULL) {
		*fdpp = (flags & FORK_SHAREFILES) ? NULL : fdinit();
		return (*fdpp == NULL && !(flags & FORK_SHAREFILES)) ? ENOMEM : 0;
	}
	*fdpp = (flags & FORK_SHAREFILES) ? fdshare(p1) : fdcopy(p1);
	return *fdpp == NULL ? ENOMEM : 0;
}

/*
 * Step 5: what the flags make of the child, before anyone can see it.
 */
static void
fork_mark(struct proc *p1, struct proc *p2, int flags)
{
	/* SOLUTION BEGIN sharevm: a thread born while its group is killed dies too */
	/*
	 * If another thread's exit(2) is killing p1's thread group right now,
	 * it may have scanned the table before p2 had a vmspace: then it has
	 * killed p1, and p2 inherits that.  The fence pairs with the one in
	 * thread_group_kill() (kern/sys_thread.c).
	 */
	if ((flags & FORK_SHAREVM) && p2->p_vmspace != NULL) {
		__sync_synchronize();
		if (p1->p_killed)
			p2->p_killed = p1->p_killed;
	}
	/* SOLUTION END sharevm */
	/* SOLUTION BEGIN ptrace: the child starts traced and stops with SIGTRAP */
	if (flags & FORK_PTRACE) {
		/*
		 * As if it had called ptrace(PT_TRACE_ME): traced by p1, its
		 * parent.  The pending SIGTRAP stops it in child_return()'s
		 * userret(), before its first user instruction.
		 */
		p2->p_flag |= P_TRACED;
		p2->p_sig.ps_siglist |= sigmask(SIGTRAP);
	}
	/* SOLUTION ELSE ptrace */
	//> /*
	//>  * TODO(ptrace): FORK_PTRACE: the child is traced by p1 (P_TRACED) and
	//>  * must stop with SIGTRAP before it runs any user code (a pending
	//>  * signal is taken by userret(), kern/signal.c).
	//>  */
	/* SOLUTION END ptrace */
	/* SOLUTION BEGIN system: mark the system process */
	if (flags & FORK_SYSTEM)
		p2->p_flag |= P_SYSTEM;
	/* SOLUTION ELSE system */
	//> /* TODO(system): FORK_SYSTEM makes the child a system process (P_SYSTEM). */
	/* SOLUTION END system */
	/* SOLUTION BEGIN nozombie: mark the child that leaves no zombie */
	if (flags & FORK_NOZOMBIE)
		p2->p_flag |= P_NOZOMBIE;
	/* SOLUTION ELSE nozombie */
	//> /* TODO(nozombie): FORK_NOZOMBIE: exit1() and wait must know this child leaves no status. */
	/* SOLUTION END nozombie */
	/* SOLUTION BEGIN ppwait: the child owes the parent a release */
	if (flags & FORK_PPWAIT) {
		p2->p_flag |= P_PPWAIT;
		p1->p_vforkwait = 1;
	}
	/* SOLUTION ELSE ppwait */
	//> /*
	//>  * TODO(ppwait): FORK_PPWAIT: remember, in the child, that its parent
	//>  * will wait for it, and in the parent, that it has something to wait
	//>  * for (both before the child can run: it may exec or exit at once).
	//>  */
	/* SOLUTION END ppwait */
}

/*
 * Step 7: let the child run, unless FORK_IDLE.  From here on the child
 * may run, exit and (FORK_NOZOMBIE) vanish on another CPU: fork1 does
 * not touch it again.
 */
static void
fork_start(struct proc *p2, int flags)
{
	/* SOLUTION BEGIN idle: an idle child waits for its creator */
	if (!(flags & FORK_IDLE))
		proc_setrunnable(p2);
	/* SOLUTION ELSE idle */
	//> /*
	//>  * TODO(idle): a FORK_IDLE child must stay in SIDL, off the run queue,
	//>  * until its creator calls proc_setrunnable() (see kern_main() and
	//>  * kthread_create()).  Until then every child runs at once.
	//>  */
	//> proc_setrunnable(p2);
	/* SOLUTION END idle */
}

/*
 * Step 8, vfork: wait until the child is done with our resources.  Not
 * interruptible, as in OpenBSD: the child's exit or exec always ends the
 * wait, and a kill of the child makes it exit.
 */
static void
fork_ppwait(struct proc *p1, int flags)
{
	/* SOLUTION BEGIN ppwait: sleep until the child lets go */
	if (flags & FORK_PPWAIT) {
		spinlock_acquire(&proc_lock);
		while (p1->p_vforkwait)
			sleep(&p1->p_vforkwait, &proc_lock, "ppwait");
		spinlock_release(&proc_lock);
	}
	/* SOLUTION ELSE ppwait */
	//> /*
	//>  * TODO(ppwait): with FORK_PPWAIT, sleep here until the child has
	//>  * exec'd or exited (proc_ppwait_release() in kern/proc.c wakes us).
	//>  * Check the condition under proc_lock, in a loop: a wakeup may come
	//>  * before we sleep, and a sleep may end for another reason.
	//>  */
	/* SOLUTION END ppwait */
}

/*
 * A hook for ktest ppwait (kern/ktest/ktest_fork1.c), NULL otherwise.  It
 * holds a parent between steps 7 and 8 until its child has run: the child
 * may run first on any CPU, so whatever it and step 8 share must be set up
 * by step 5, and only a test that makes the child run first shows it.
 */
void (*volatile fork_ktest_hook)(struct proc *p1);

/*
 * fork1(9).  Steps 1 to 3 can fail, and each failure undoes the steps
 * before it; after them nothing can fail, and only then does the child
 * become visible (steps 4 to 8).
 *	=> flags: the caller's; the system calls pass fixed ones or check
 *	   the user's (sys_rfork1), so a bad combination is a kernel bug
 *	=> p1 is the caller, or proc0 (its fields are read without a lock)
 *	=> returns 0 with *retval = the child's pid and *rnewprocp = the
 *	   child, or an errno with nothing left behind
 */
int
fork1(struct proc *p1, int flags, void (*func)(void *), void *arg,
    register_t *retval, struct proc **rnewprocp)
{
	struct proc *p2;
	struct vmspace *vm;
	struct filedesc *fdp;
	int error;

	/* fork1(9)'s errors for a caller's bad arguments. */
	if ((flags & ~FORK_ALLFLAGS) != 0 || func == NULL)
		return EINVAL;
	/*
	 * FORK_PTRACE makes p1 the tracer of a child that stops before its
	 * first instruction; FORK_PPWAIT makes p1 sleep until that child
	 * execs or exits: each would wait for the other for ever (found by
	 * the fuzzer).  A child without an address space must not run
	 * before it gets one.
	 */
	KASSERT((flags & (FORK_PTRACE | FORK_PPWAIT)) != (FORK_PTRACE | FORK_PPWAIT));
	KASSERT(!(flags & FORK_NOVM) || (flags & FORK_IDLE));
	KDASSERT(p1 == curproc() || p1 == &proc0);

	/* 1. A process slot, pid and kernel stack (EAGAIN at the limits). */
	p2 = proc_alloc(p1, flags, &error);
	if (p2 == NULL)
		return error;
	/* 2. The address space: a copy, p1's own, or none. */
	if ((error = fork_vmspace(p1, flags, &vm)) != 0) {
		proc_free(p2);
		return error;
	}
	/* 3. The descriptor table. */
	if ((error = fork_filedesc(p1, flags, &fdp)) != 0) {
		if (vm != NULL)
			vmspace_free(vm);
		proc_free(p2);
		return error;
	}

	/* From now on, we're committed to the fork and cannot fail. */

	/* 4. What the child inherits. */
	p2->p_vmspace = vm;
	p2->p_fd = fdp;
	p2->p_cwd = p1->p_cwd ? idup(p1->p_cwd) : NULL;
	strlcpy(p2->p_comm, p1->p_comm, sizeof(p2->p_comm));
	signal_fork(p1, p2);		/* handlers and mask (kern/signal.c) */
	forkstat_count(flags, vm);	/* statistics (kern/forkstat.c) */
	/* 5. What the flags make of it. */
	fork_mark(p1, p2, flags);
	/*
	 * 6. Its kernel stack: its first cpu_switchto() lands in func(arg),
	 * after copying p1's user trap frame when there is one.  As
	 * fork1(9) says, a NULL arg means "pass the new process".
	 */
	cpu_fork(p1, p2, func, arg != NULL ? arg : p2);
	ptrace_fork(p1, p2);		/* p1's single step is not the child's (kern/ptrace.c) */
	if (retval != NULL)
		*retval = p2->p_pid;
	if (rnewprocp != NULL)
		*rnewprocp = p2;
	/* Nobody could make it run yet: only proc_setrunnable() does. */
	KASSERT(p2->p_stat == SIDL);
	/* 7. Let it run, unless FORK_IDLE. */
	fork_start(p2, flags);
	if (fork_ktest_hook != NULL)
		fork_ktest_hook(p1);
	/* 8. vfork: wait for the child. */
	fork_ppwait(p1, flags);
	return 0;
}

/*
 * func of fork(2) and friends: the child goes back to user space as a
 * copy of its parent, except that the system call returns 0 there.
 */
void
child_return(void *arg)
{
	struct proc *p = arg;

	tf_set_retval(PROC_TRAPFRAME(p), 0);
	userret(p);		/* signals first: a FORK_PTRACE child stops here (kern/signal.c) */
	md_userret(p);
}

/*
 * kthread_create(9), as in OpenBSD: a child of proc0 that shares proc0's
 * (absent) address space and files, leaves no zombie and cannot be
 * killed.  FORK_IDLE lets us name it before it first runs.
 */
int
kthread_create(void (*func)(void *), void *arg, struct proc **newpp, const char *name)
{
	struct proc *p;
	int error;

	error = fork1(&proc0, FORK_SHAREVM | FORK_SHAREFILES | FORK_NOZOMBIE |
	    FORK_SYSTEM | FORK_IDLE, func, arg, NULL, &p);
	if (error)
		return error;
	strlcpy(p->p_comm, name, sizeof(p->p_comm));
	if (newpp != NULL)
		*newpp = p;
	proc_setrunnable(p);
	return 0;
}
