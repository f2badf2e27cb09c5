/*
 * witness: lock-order checking in debug kernels (make DEBUG=1 defines
 * WITNESS).  kern/witness.c explains what it checks and why.
 */
#ifndef KERN_WITNESS_H
#define KERN_WITNESS_H

struct spinlock;

#ifdef WITNESS
void	witness_checkorder(struct spinlock *lk);	/* before spinning for lk */
void	witness_lock(struct spinlock *lk);		/* lk is ours */
void	witness_unlock(struct spinlock *lk);		/* lk is being released */
void	witness_print_held(void);			/* names of this CPU's spin locks */
int	witness_held(const void **out, int max);	/* this CPU's spin locks */
/* kern/racecheck.c: the race checker's view of sleep locks. */
struct sleeplock;
void	racecheck_sleep_lock(const struct sleeplock *lk);	/* this process got lk */
void	racecheck_sleep_unlock(const struct sleeplock *lk);
#else
#define racecheck_sleep_lock(lk)	((void)0)
#define racecheck_sleep_unlock(lk)	((void)0)
#define witness_checkorder(lk)	((void)0)
#define witness_lock(lk)	((void)0)
#define witness_unlock(lk)	((void)0)
#define witness_print_held()	((void)0)
#endif

int	witness_enabled(void);		/* 1 in a debug kernel whose class table has room */
int	witness_reversals(void);	/* lock order reversals reported so far */

#endif
