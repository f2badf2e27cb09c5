/*
 * witness: a lock-order checker for debug kernels (make DEBUG=1), named
 * after OpenBSD's witness(4), which does the same with much more.
 *
 * Two CPUs deadlock when one holds lock A and waits for B while the other
 * holds B and waits for A.  That needs both orders, A-then-B and
 * B-then-A, to occur somewhere in the kernel -- but rarely at the same
 * moment, so tests seldom hang.  witness catches the bug without the hang:
 * it remembers every order it has seen ("a lock of class X was held while
 * one of class Y was taken") and reports the first time the opposite
 * order happens, with both lock names and a backtrace.
 *
 * A class is a lock name: all "pmap" locks are one class.  Taking two
 * locks of the same class at once is not checked (their order would need
 * an address rule, which aqua6 does not have).
 *
 * Sleeping with a spin lock held is caught in every build by sched()'s
 * "locks held" panic; with witness the panic also names the locks.
 *
 * witness keeps its per-CPU list of held locks itself, so struct cpu is
 * the same in debug and normal kernels.  Interrupts are off whenever a
 * spin lock is held or being taken (intr_push), so each CPU's list is
 * touched only by that CPU.  The order table is shared and guarded by
 * its own raw lock, which is not a struct spinlock: witness must not
 * watch itself.
 */
#include "systm.h"
#include "md.h"
#include "spinlock.h"
#include "witness.h"

#ifdef WITNESS

#define WITNESS_NCLASS	64	/* lock names the kernel has: about 30 */
#define WITNESS_NHELD	16	/* spin locks one CPU holds at once */

static const char *class_name[WITNESS_NCLASS];
static int nclass;
static unsigned char order[WITNESS_NCLASS][WITNESS_NCLASS];	/* [held][taken] seen */
static unsigned char reported[WITNESS_NCLASS][WITNESS_NCLASS];
static volatile unsigned int table_lock;
static volatile int reversals;
static int table_full;

static struct {
	struct spinlock	*held[WITNESS_NHELD];
	int		nheld;
} wcpu[MAXCPUS];

static void
table_acquire(void)
{
	while (__atomic_exchange_n(&table_lock, 1, __ATOMIC_ACQUIRE) != 0)
		cpu_busy_cycle();	/* <machine/md.h>: lets the holder run under QEMU -icount */
}

static void
table_release(void)
{
	__atomic_store_n(&table_lock, 0, __ATOMIC_RELEASE);
}

/* The class of a lock name, added on first sight; -1 if the table is full. */
static int
class_of(const char *name)
{
	for (int i = 0; i < nclass; i++)
		if (class_name[i] == name || strcmp(class_name[i], name) == 0)
			return i;
	if (nclass == WITNESS_NCLASS) {
		table_full = 1;
		return -1;
	}
	class_name[nclass] = name;
	return nclass++;
}

/*
 * Called by spinlock_acquire before it spins for lk (interrupts off):
 * check lk's class against every lock this CPU already holds.
 */
void
witness_checkorder(struct spinlock *lk)
{
	int me = cpu_number(), taken, held, bad = -1;

	if (panicking)
		return;
	table_acquire();
	taken = class_of(lk->name);
	for (int i = 0; i < wcpu[me].nheld && taken >= 0; i++) {
		held = class_of(wcpu[me].held[i]->name);
		if (held < 0 || held == taken)
			continue;
		order[held][taken] = 1;
		if (order[taken][held] && !reported[held][taken]) {
			reported[held][taken] = reported[taken][held] = 1;
			bad = held;
		}
	}
	table_release();
	if (bad >= 0) {
		__atomic_add_fetch(&reversals, 1, __ATOMIC_SEQ_CST);
		printf("witness: lock order reversal: \"%s\" taken while holding \"%s\"; "
		    "the opposite order was seen before\n", class_name[taken], class_name[bad]);
		md_backtrace();
	}
}

/* spinlock_acquire got lk. */
void
witness_lock(struct spinlock *lk)
{
	int me = cpu_number();

	if (wcpu[me].nheld < WITNESS_NHELD)
		wcpu[me].held[wcpu[me].nheld] = lk;
	wcpu[me].nheld++;
}

/* spinlock_release is letting lk go (locks need not go in reverse order). */
void
witness_unlock(struct spinlock *lk)
{
	int me = cpu_number(), n = wcpu[me].nheld;

	if (n > WITNESS_NHELD)
		n = WITNESS_NHELD;
	for (int i = n - 1; i >= 0; i--)
		if (wcpu[me].held[i] == lk) {
			for (int j = i; j < n - 1; j++)
				wcpu[me].held[j] = wcpu[me].held[j + 1];
			break;
		}
	if (wcpu[me].nheld > 0)
		wcpu[me].nheld--;
}

/* For sched()'s "locks held" panic: name them. */
void
witness_print_held(void)
{
	int me = cpu_number();

	printf("witness: CPU %d holds:", me);
	for (int i = 0; i < wcpu[me].nheld && i < WITNESS_NHELD; i++)
		printf(" \"%s\"", wcpu[me].held[i]->name);
	printf("\n");
}

/*
 * The spin locks this CPU holds, for the race checker's locksets
 * (kern/racecheck.c): up to max of them in out[], the count returned.
 */
int
witness_held(const void **out, int max)
{
	int me = cpu_number(), n = 0;

	for (int i = 0; i < wcpu[me].nheld && i < WITNESS_NHELD && n < max; i++)
		out[n++] = wcpu[me].held[i];
	return n;
}

int
witness_reversals(void)
{
	return reversals;
}

int
witness_enabled(void)
{
	return !table_full;
}

#else /* !WITNESS: a normal kernel */

int
witness_reversals(void)
{
	return 0;
}

int
witness_enabled(void)
{
	return 0;
}

#endif
