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
 *   FORK_FORK, FORK_VFORK  who asked (statistics only, in OpenBSD too).
 *
 * The shape to notice: every step that can fail (a process slot, memory
 * for the address space, a descriptor table) happens first, and each
 * failure undoes the steps before it.  After the "commit point" nothing
 * can fail any more, and only then does the child become visible.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "fs.h"
#include "file.h"

int
fork1(struct proc *p1, int flags, void (*func)(void *), void *arg,
    register_t *retval, struct proc **rnewprocp)
{
	struct proc *p2;
	struct vmspace *vm = NULL;
	struct filedesc *fdp = NULL;
	int error;

	if ((flags & ~FORK_ALLFLAGS) != 0 || func == NULL)
		return EINVAL;
	if (flags & FORK_PTRACE)
		return EINVAL;		/* tracing comes in a later lab */

	/* 1. A process slot, pid and kernel stack (EAGAIN at the limits). */
	p2 = proc_alloc(p1, flags, &error);
	if (p2 == NULL)
		return error;

	/*
	 * 2. The address space.  Without FORK_SHAREVM the child gets its own
	 * copy of every page now (uvm_fork in OpenBSD; copy-on-write is a
	 * later lab).  Sharing cannot fail, so its reference is taken after
	 * the commit point.  Kernel threads and proc0 have no vmspace.
	 */
	if (p1->p_vmspace != NULL && !(flags & FORK_SHAREVM)) {
		error = vmspace_copy(p1->p_vmspace, &vm);
		if (error) {
			proc_free(p2);
			return error;
		}
	}

	/* 3. The descriptor table: shared (fdshare) or copied (fdcopy). */
	if (p1->p_fd == NULL) {
		/* proc0 has no table: kernel threads share its "none", init gets a fresh one. */
		fdp = (flags & FORK_SHAREFILES) ? NULL : fdinit();
		error = (fdp == NULL && !(flags & FORK_SHAREFILES)) ? ENOMEM : 0;
	} else {
		fdp = (flags & FORK_SHAREFILES) ? fdshare(p1) : fdcopy(p1);
		error = fdp == NULL ? ENOMEM : 0;
	}
	if (error) {
		if (vm != NULL)
			vmspace_free(vm);
		proc_free(p2);
		return error;
	}

	/* ---- commit point: nothing below can fail ---- */

	if (flags & FORK_SHAREVM) {
		vm = p1->p_vmspace;
		if (vm != NULL)
			vmspace_ref(vm);
	}
	p2->p_vmspace = vm;
	forkstat_count(flags, vm);	/* statistics (kern/forkstat.c) */
	p2->p_fd = fdp;
	p2->p_cwd = p1->p_cwd ? idup(p1->p_cwd) : NULL;
	strlcpy(p2->p_comm, p1->p_comm, sizeof(p2->p_comm));
	if (flags & FORK_SYSTEM)
		p2->p_flag |= P_SYSTEM;
	if (flags & FORK_NOZOMBIE)
		p2->p_flag |= P_NOZOMBIE;
	if (flags & FORK_PPWAIT) {
		p2->p_flag |= P_PPWAIT;
		p1->p_vforkwait = 1;
	}

	/*
	 * The child's kernel stack: its first cpu_switchto() lands in
	 * func(arg), after copying p1's user trap frame when there is one.
	 * As fork1(9) says, a NULL arg means "pass the new process".
	 */
	cpu_fork(p1, p2, func, arg != NULL ? arg : p2);

	if (retval != NULL)
		*retval = p2->p_pid;
	if (rnewprocp != NULL)
		*rnewprocp = p2;

	/*
	 * Let it run, unless FORK_IDLE.  From here on the child may run,
	 * exit and (FORK_NOZOMBIE) vanish on another CPU: do not touch p2.
	 */
	if (!(flags & FORK_IDLE))
		proc_setrunnable(p2);

	/* vfork: wait until the child is done with our resources. */
	if (flags & FORK_PPWAIT) {
		spinlock_acquire(&proc_lock);
		while (p1->p_vforkwait)
			sleep(&p1->p_vforkwait, &proc_lock, "ppwait");
		spinlock_release(&proc_lock);
	}
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
