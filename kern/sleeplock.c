/*
 * Sleep locks: for long critical sections (a disk block, an inode) during
 * which the holder may itself sleep.  A waiter sleeps instead of spinning,
 * so only process context (never an interrupt handler) may use them.
 */
#include "systm.h"
#include "proc.h"
#include "sleeplock.h"
#include "witness.h"

void
sleeplock_init(struct sleeplock *lk, const char *name)
{
	spinlock_init(&lk->lk, "sleeplock");
	lk->name = name;
	lk->locked = 0;
	lk->pid = 0;
}

void
sleeplock_acquire(struct sleeplock *lk)
{
	struct proc *p = curproc();

	spinlock_acquire(&lk->lk);
	while (lk->locked)
		sleep(lk, &lk->lk, lk->name);
	lk->locked = 1;
	lk->pid = p ? p->p_pid : 0;
	racecheck_sleep_lock(lk);	/* debug kernels: kern/racecheck.c */
	spinlock_release(&lk->lk);
}

void
sleeplock_release(struct sleeplock *lk)
{
	spinlock_acquire(&lk->lk);
	lk->locked = 0;
	lk->pid = 0;
	racecheck_sleep_unlock(lk);
	wakeup(lk);
	spinlock_release(&lk->lk);
}

/*
 * Does the current process hold lk?  No need for lk->lk (KASSERTs call
 * this with spin locks held, and it must stay cheap): only the holder
 * sets pid to its own pid and clears it, so whatever another process
 * does to lk meanwhile, the answer about ourselves cannot change.
 */
int
sleeplock_holding(struct sleeplock *lk)
{
	struct proc *p = curproc();

	return __atomic_load_n(&lk->locked, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&lk->pid, __ATOMIC_RELAXED) == (p ? p->p_pid : 0);
}
