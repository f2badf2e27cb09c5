/* Sleep locks: long-term locks (inodes, buffers) that sleep while waiting. */
#ifndef KERN_SLEEPLOCK_H
#define KERN_SLEEPLOCK_H

#include "spinlock.h"

struct sleeplock {
	int		locked;
	struct spinlock	lk;		/* protects this structure */
	const char	*name;
	int		pid;		/* holder */
};

void	sleeplock_init(struct sleeplock *lk, const char *name);
void	sleeplock_acquire(struct sleeplock *lk);
void	sleeplock_release(struct sleeplock *lk);
int	sleeplock_holding(struct sleeplock *lk);

#endif
