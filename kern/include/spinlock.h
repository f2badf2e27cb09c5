/*
 * Spin locks.  Holding one disables interrupts on this CPU (intr_push), so
 * an interrupt handler on the same CPU can never spin on a lock its own
 * CPU holds.  intr_push/intr_pop nest: interrupts come back on only when
 * the outermost lock is released, and only if they were on before.
 */
#ifndef KERN_SPINLOCK_H
#define KERN_SPINLOCK_H

#include "types.h"

struct spinlock {
	volatile unsigned int locked;
	const char	*name;		/* for debugging */
	struct cpu	*cpu;		/* holder */
};

void	spinlock_init(struct spinlock *lk, const char *name);
void	spinlock_acquire(struct spinlock *lk);
void	spinlock_release(struct spinlock *lk);
int	spinlock_holding(struct spinlock *lk);
void	intr_push(void);
void	intr_pop(void);

#endif
