/*
 * Spin locks, and the per-CPU interrupt-disable nesting they rely on.
 *
 * A CPU that holds a spin lock must not take an interrupt whose handler
 * wants the same lock: it would spin for ever on itself.  So acquiring a
 * lock turns interrupts off on this CPU, and releasing the last lock held
 * turns them back on (if they were on to begin with).  intr_push() and
 * intr_pop() count the nesting in struct cpu.
 */
#include "systm.h"
#include "md.h"
#include "spinlock.h"
#include "witness.h"

/*
 * The bodies of intr_push and intr_pop, for callers that also want this
 * CPU: with interrupts off it cannot change under them, so a lock round
 * trip looks it up once in acquire and once in release.
 */
static inline struct cpu *
intr_push_cpu(void)
{
	register_t s = intr_disable();
	struct cpu *ci = curcpu();

	if (ci->ci_noff == 0)
		ci->ci_intrsave = s;
	ci->ci_noff++;
	return ci;
}

/*
 * What is wrong with popping ci's nesting now, or NULL.  One question
 * with one panic after it: a release with a single cold path needs no
 * stack frame on its hot one (the compiler saves registers only there).
 */
static inline const char *
intr_pop_bad(struct cpu *ci)
{
	if (intr_enabled())
		return "interrupts are on";
	if (ci->ci_noff < 1)
		return "not pushed";
	return NULL;
}

/* intr_pop, checked by the caller (intr_pop_bad). */
static inline void
intr_pop_cpu(struct cpu *ci)
{
	ci->ci_noff--;
	if (ci->ci_noff == 0)
		intr_restore(ci->ci_intrsave);
}

void
intr_push(void)
{
	(void)intr_push_cpu();
}

void
intr_pop(void)
{
	struct cpu *ci = curcpu();
	const char *why = intr_pop_bad(ci);

	if (why != NULL)
		panic("intr_pop: %s", why);
	intr_pop_cpu(ci);
}

void
spinlock_init(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->name = name;
	lk->cpu = NULL;
}

/*
 * Does CPU ci hold lk?  For acquire and release, which run with
 * interrupts off: they are every lock operation, so no intr_push here.
 */
static inline int
holding(struct spinlock *lk, struct cpu *ci)
{
	return lk->locked && lk->cpu == ci;
}

/*
 * The same, for anyone (KASSERTs).  A CPU holds spin locks only with
 * interrupts off (acquire turns them off until the last release), so
 * with interrupts on the answer is no, and with them off it is stable:
 * the thread cannot move to another CPU while it looks.
 */
int
spinlock_holding(struct spinlock *lk)
{
	return !intr_enabled() && holding(lk, curcpu());
}

void
spinlock_acquire(struct spinlock *lk)
{
	struct cpu *ci = intr_push_cpu();

	if (holding(lk, ci))
		panic("acquire %s: already held", lk->name);
	witness_checkorder(lk);		/* debug kernels: lock order (kern/witness.c) */

	/*
	 * An atomic exchange: whoever swaps 0 for 1 owns the lock.  The
	 * builtin is also an acquire barrier, so the critical section's
	 * loads and stores cannot move above it.
	 */
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0)
		cpu_busy_cycle();	/* <machine/md.h>: lets the holder run under QEMU -icount */
	lk->cpu = ci;
	witness_lock(lk);
}

void
spinlock_release(struct spinlock *lk)
{
	struct cpu *ci = curcpu();
	const char *why = !holding(lk, ci) ? "not held" : intr_pop_bad(ci);

	if (why != NULL)
		panic("release %s: %s", lk->name, why);
	witness_unlock(lk);
	lk->cpu = NULL;
	/* A release barrier: everything written inside is visible first. */
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	intr_pop_cpu(ci);
}
