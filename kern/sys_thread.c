/*
 * Threads (stage sharevm): what a user-level thread library needs from
 * the kernel besides FORK_SHAREVM itself.
 *
 * An aqua6 thread is a process made by rfork1(FORK_SHAREVM | ...): it has
 * its own pid, kernel stack and registers, and the same vmspace as its
 * creator.  The processes that share one vmspace are one *thread group*,
 * the "process" a program sees.  Three things need the kernel:
 *
 *   thrsleep(ident, val)   sleep while the int at user address ident
 *                          still holds val (a futex wait);
 *   thrwakeup(ident, n)    wake up to n sleepers on ident (0: all);
 *   threxit(notdead)       end only the calling thread; first store 0 at
 *                          *notdead and wake its sleepers (for join).
 *
 * A sleeper is identified by (vmspace, user address): the same address in
 * two address spaces is two different words.  The check of the word and
 * the sleep must be atomic with respect to thrwakeup, or a wakeup that
 * comes between them is lost and the thread sleeps for ever.  copyin may
 * sleep (a page fault), so it cannot run under a spin lock; instead the
 * sleeper *registers first* and looks at the word after: a waker that
 * changed the word after our look finds us registered and marks us woken.
 *
 * And the thread group as a whole:
 *
 *   exit(2) from any thread ends every thread of the group (sys_exit
 *   calls thread_group_exit());
 *   a successful exec(2) from a thread ends the others (sys_exec calls
 *   thread_exec_begin() and thread_exec_end()).
 *
 * The other threads are killed as kill(2) would (SIGKILL, psignal_locked):
 * they leave at their next return to user space, and a thread asleep in
 * thrsleep is woken for it.  The one exception is a FORK_PPWAIT child (a vfork-style
 * child borrowing its parent's memory): its exit or exec releases the
 * parent, it does not end it.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "syscall.h"
#include "signalvar.h"
#include <aqua/wait.h>

/* SOLUTION BEGIN sharevm: the sleep queue and the thread group */

/* One per process slot: what the process in that slot sleeps on. */
struct thrwait {
	struct vmspace	*tw_vm;		/* the address space of the word */
	vaddr_t		tw_addr;	/* the word's user address */
	int		tw_queued;	/* in thrsleep on (tw_vm, tw_addr) */
	int		tw_woken;	/* a thrwakeup (or a kill) chose us */
};

static struct thrwait thrwaits[NPROC];
static struct spinlock thr_lock = { .name = "thrsleep" };	/* thrwaits[] */

/*
 * Wake up to n (0: all) sleepers on addr in vm; addr 0 means any address
 * (a kill).  Returns how many were woken.  thr_lock held.
 */
static int
thr_wake_locked(struct vmspace *vm, vaddr_t addr, int n)
{
	int woken = 0;

	KDASSERT(spinlock_holding(&thr_lock));
	for (int i = 0; i < NPROC; i++) {
		struct thrwait *tw = &thrwaits[i];
		if (!tw->tw_queued || tw->tw_woken || tw->tw_vm != vm ||
		    (addr != 0 && tw->tw_addr != addr))
			continue;
		tw->tw_woken = 1;
		wakeup(tw);		/* takes proc_lock: order thr_lock, proc_lock */
		if (++woken == n)
			break;
	}
	return woken;
}

/*
 * Kill every other thread of the group sharing vm.  Two passes with a
 * fence between them, against a thread that another thread of the group
 * is creating right now: fork1() stores the child's vmspace, fences, then
 * looks at its parent's p_killed.  Either that look sees our first pass,
 * or our second pass sees the child's vmspace.
 */
static void
thread_group_kill(struct proc *p, struct vmspace *vm, int sig)
{
	/*
	 * MAKECXT_SHARE_VMEM siblings (P_FAMILY) share the memory but are
	 * processes of their own: they neither end nor are ended with the
	 * thread group (docs/man/makecxt.2).
	 */
	if (vm == NULL || (p->p_flag & (P_PPWAIT | P_FAMILY)))
		return;
	spinlock_acquire(&proc_lock);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < NPROC; i++) {
			struct proc *q = &proctab[i];
			if (q == p || q->p_vmspace != vm || (q->p_flag & (P_SYSTEM | P_FAMILY)) ||
			    q->p_stat == 0 || q->p_stat == SZOMB || q->p_stat == SDEAD)
				continue;
			/* As kill(2): at once, even if stopped; a sleep ends with EINTR. */
			proc_terminate_locked(q, sig);
		}
		__sync_synchronize();
	}
	spinlock_release(&proc_lock);

	/*
	 * A thread in thrsleep may have checked p_killed just before we set
	 * it: mark it woken under thr_lock, which it holds from that check
	 * until it is asleep.
	 */
	spinlock_acquire(&thr_lock);
	thr_wake_locked(vm, 0, 0);
	spinlock_release(&thr_lock);
}
/* SOLUTION END sharevm */

/* thrsleep(ident, val): 0 when woken, EAGAIN if *ident != val, EINTR if killed. */
int
sys_thrsleep(struct proc *p, const register_t *args, register_t *retval)
{
	/* SOLUTION BEGIN sharevm: register, look at the word, sleep */
	vaddr_t ident = SCARG_PTR(args, 0);
	int val = SCARG_INT(args, 1), cur, error;
	struct thrwait *tw = &thrwaits[p - proctab];

	if (ident % sizeof(int) != 0)
		return EINVAL;
	if (!user_range_ok(ident, sizeof(int)) || p->p_vmspace == NULL)
		return EFAULT;

	spinlock_acquire(&thr_lock);
	tw->tw_vm = p->p_vmspace;
	tw->tw_addr = ident;
	tw->tw_woken = 0;
	tw->tw_queued = 1;
	spinlock_release(&thr_lock);

	error = copyin(p, &cur, ident, sizeof(cur));

	spinlock_acquire(&thr_lock);
	if (error == 0 && cur != val)
		error = EAGAIN;		/* it changed already: do not sleep */
	while (error == 0 && !tw->tw_woken) {
		if (p->p_killed) {
			error = EINTR;
			break;
		}
		sleep(tw, &thr_lock, "thrsleep");
	}
	tw->tw_queued = 0;
	spinlock_release(&thr_lock);
	return error;
	/* SOLUTION ELSE sharevm */
	//> /*
	//>  * TODO(sharevm): sleep while the int at user address args[0] equals
	//>  * args[1] (EAGAIN at once if it does not), until a thrwakeup() on the
	//>  * same word of the same address space, or a kill (EINTR).  No wakeup
	//>  * may be lost between the look at the word and the sleep.
	//>  */
	//> return ENOSYS;
	/* SOLUTION END sharevm */
}

/* thrwakeup(ident, n): wake up to n threads (all if n <= 0); retval = how many. */
int
sys_thrwakeup(struct proc *p, const register_t *args, register_t *retval)
{
	/* SOLUTION BEGIN sharevm: mark and wake the sleepers on the word */
	vaddr_t ident = SCARG_PTR(args, 0);
	int n = SCARG_INT(args, 1);

	if (ident % sizeof(int) != 0)
		return EINVAL;
	if (ident == 0 || !user_range_ok(ident, sizeof(int)) || p->p_vmspace == NULL)
		return EFAULT;
	spinlock_acquire(&thr_lock);
	retval[0] = thr_wake_locked(p->p_vmspace, ident, n > 0 ? n : 0);
	spinlock_release(&thr_lock);
	return 0;
	/* SOLUTION ELSE sharevm */
	//> /* TODO(sharevm): wake up to args[1] sleepers on the word at args[0] (all if <= 0). */
	//> return ENOSYS;
	/* SOLUTION END sharevm */
}

/*
 * threxit(notdead): end the calling thread only.  If notdead is not NULL,
 * store 0 there and wake its sleepers first: thread_join() sleeps on it.
 * The thread's user stack is no longer used once the 0 is visible, so the
 * joiner may free it.
 */
int
sys_threxit(struct proc *p, const register_t *args, register_t *retval)
{
	/* SOLUTION BEGIN sharevm: tell the joiner, then exit alone */
	vaddr_t notdead = SCARG_PTR(args, 0);
	int zero = 0;

	if (notdead != 0 && notdead % sizeof(int) == 0 &&
	    copyout(p, notdead, &zero, sizeof(zero)) == 0) {
		spinlock_acquire(&thr_lock);
		thr_wake_locked(p->p_vmspace, notdead, 0);
		spinlock_release(&thr_lock);
	}
	exit1(p, W_EXITCODE(0, 0));
	/* SOLUTION ELSE sharevm */
	//> /*
	//>  * TODO(sharevm): store 0 at args[0] (unless it is NULL), wake the
	//>  * thrsleep()ers on that word, then end this process only (exit1).
	//>  */
	//> return ENOSYS;
	/* SOLUTION END sharevm */
}

/*
 * The threads are one program (thread(3)): exit(2) from any thread ends
 * every thread of the group (sys_exit, sig = SIGKILL), and so does a
 * fatal signal to any one of them (exit1, sig = that signal, so that the
 * program's parent sees the program die of it: a thread's SIGSEGV used
 * to leave the rest running, its joiner asleep for ever, and a SIGKILL
 * of the main thread left the other threads running under init).
 */
void
thread_group_exit(struct proc *p, int sig)
{
	/* SOLUTION BEGIN sharevm: kill the other threads */
	thread_group_kill(p, p->p_vmspace, sig);
	/* SOLUTION ELSE sharevm */
	//> /*
	//>  * TODO(sharevm): every other process sharing p's vmspace is a
	//>  * thread of the same program: end it with status sig (as kill(2)
	//>  * does with SIGKILL), unless p is a FORK_PPWAIT child, whose exit
	//>  * only releases its parent.
	//>  */
	//> (void)sig;
	/* SOLUTION END sharevm */
}

/*
 * sys_exec, before kern_exec: the vmspace of p's thread group, with one
 * more reference so that it cannot be freed and reused while exec runs;
 * NULL when p has no other thread.
 */
struct vmspace *
thread_exec_begin(struct proc *p)
{
	/* SOLUTION BEGIN sharevm: remember the old address space */
	struct vmspace *vm = p->p_vmspace;

	/*
	 * Only p itself could add a sharer to a vmspace with one user, and
	 * p is busy here: a count of 1 read without the lock stays 1.
	 */
	if (vm == NULL || vm->vm_refcnt < 2 || (p->p_flag & P_PPWAIT))
		return NULL;
	vmspace_ref(vm);
	return vm;
	/* SOLUTION ELSE sharevm */
	//> (void)p;
	//> return NULL;
	/* SOLUTION END sharevm */
}

/* sys_exec, after kern_exec: if it worked, the other threads end. */
void
thread_exec_end(struct proc *p, struct vmspace *oldvm, int error)
{
	if (oldvm == NULL)
		return;
	/* SOLUTION BEGIN sharevm: a new program has no other threads */
	if (error == 0)
		thread_group_kill(p, oldvm, SIGKILL);
	vmspace_free(oldvm);
	/* SOLUTION ELSE sharevm */
	//> /* TODO(sharevm): after a successful exec, kill the threads still in oldvm. */
	//> (void)p;
	//> (void)error;
	/* SOLUTION END sharevm */
}
