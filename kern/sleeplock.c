/*
 * Sleep locks: for long critical sections (a disk block, an inode) during
 * which the holder may itself sleep.  A waiter sleeps instead of spinning,
 * so only process context (never an interrupt handler) may use them.
 */
#include "systm.h"
#include "proc.h"
#include "sleeplock.h"

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
	spinlock_release(&lk->lk);
}

void
sleeplock_release(struct sleeplock *lk)
{
	spinlock_acquire(&lk->lk);
	lk->locked = 0;
	lk->pid = 0;
	wakeup(lk);
	spinlock_release(&lk->lk);
}

int
sleeplock_holding(struct sleeplock *lk)
{
	struct proc *p = curproc();
	int r;

	spinlock_acquire(&lk->lk);
	r = lk->locked && lk->pid == (p ? p->p_pid : 0);
	spinlock_release(&lk->lk);
	return r;
}
