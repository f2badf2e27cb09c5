/*
 * The race checker: data races on shared variables, found in debug
 * kernels (make DEBUG=1) without waiting for the race to happen.
 *
 * "counter++" on a variable two CPUs update is a load, an add and a store;
 * when the two interleave, one update is lost.  A test that counts
 * updates sees the loss only if the interleaving really happens, which on
 * an emulated machine it almost never does: such a bug passes every run.
 * So we check the rule the code must follow instead of waiting for its
 * failure.  This is the lockset method of Eraser (Savage et al., "Eraser:
 * a dynamic data race detector for multithreaded programs", 1997):
 *
 *	every plain (not atomic) write to a variable that more than one
 *	thread writes must be made holding some lock that every such
 *	write holds.
 *
 * For each variable we keep the set of locks held at every write since a
 * second thread first wrote it; when that set becomes empty, no lock
 * protects the variable, and we panic, naming both writers.  It does not
 * matter whether the two writes were close in time, so the verdict does
 * not depend on scheduling: one write from each of two threads is enough.
 *
 * The compiler finds the writes: the files listed in the Makefile's
 * RACECHECK_SRCS are built with -fsanitize=thread, which makes GCC call
 * __tsan_write8(addr) before every plain 8-byte store, and turns every
 * __atomic builtin into a call of __tsan_atomic64_fetch_add() and the
 * like (Linux's KCSAN takes the same hooks; its method is different, it
 * watches an address for a while).  Atomic operations are exempt: they
 * cannot lose an update.  Reads are not checked.
 *
 * A thread is a process (or, with none, a CPU).  The locks are the spin
 * locks this CPU holds (witness keeps the list), the sleep locks this
 * process holds, and, when interrupts are off, the CPU itself: a per-CPU
 * variable written only with interrupts off is protected by that.
 * Writes to kernel stacks are not shared and are skipped.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "witness.h"

#ifdef WITNESS

#define RACE_NVAR	128	/* variables written by instrumented code */
#define RACE_NLOCK	8	/* locks in one lockset */
#define RACE_NSLEEP	64	/* sleep locks held at once, system-wide */

struct racevar {
	uintptr_t	rv_addr;	/* 0 = free slot */
	int		rv_thread;	/* its only writer so far, or RACE_SHARED */
	int		rv_nlock;	/* the lockset, once shared */
	const void	*rv_lock[RACE_NLOCK];
	uintptr_t	rv_pc;		/* the last write */
	int		rv_pcthread;	/* by whom */
};

#define RACE_SHARED	0x7fffffff

static struct racevar vars[RACE_NVAR];
static int vars_full;	/* said so once: later variables go unchecked */
static struct { const struct sleeplock *lk; int pid; } sleepheld[RACE_NSLEEP];
static volatile unsigned int race_lock;	/* raw: the checker must not check itself */

static void
race_acquire(void)
{
	while (__atomic_exchange_n(&race_lock, 1, __ATOMIC_ACQUIRE) != 0)
		cpu_busy_cycle();	/* <machine/md.h>: lets the holder run under QEMU -icount */
}

static void
race_release(void)
{
	__atomic_store_n(&race_lock, 0, __ATOMIC_RELEASE);
}

/* A process's pid, or minus (CPU + 1) for code that runs for no process. */
static int
race_thread(void)
{
	struct proc *p = curcpu()->ci_curproc;

	return p != NULL ? p->p_pid : -(cpu_number() + 1);
}

/* The locks held now; interrupts are off (the caller's intr_disable). */
static int
race_lockset(const void **set, int thread, int intr_were_on)
{
	int n = witness_held(set, RACE_NLOCK);

	if (!intr_were_on && n < RACE_NLOCK)
		set[n++] = curcpu();	/* the CPU itself, see above */
	for (int i = 0; i < RACE_NSLEEP && n < RACE_NLOCK; i++)
		if (sleepheld[i].lk != NULL && sleepheld[i].pid == thread)
			set[n++] = sleepheld[i].lk;
	return n;
}

static struct racevar *
race_var(uintptr_t addr)
{
	struct racevar *free = NULL;

	for (int i = 0; i < RACE_NVAR; i++) {
		if (vars[i].rv_addr == addr)
			return &vars[i];
		if (vars[i].rv_addr == 0 && free == NULL)
			free = &vars[i];
	}
	if (free == NULL) {
		if (!vars_full)
			printf("racecheck: %d variables seen, no room for more: "
			    "the ones after this are not checked\n", RACE_NVAR);
		vars_full = 1;
		return NULL;
	}
	free->rv_addr = addr;
	free->rv_thread = 0;
	return free;
}

/* A plain write of size bytes at addr, made by the instruction before pc. */
static void
race_write(uintptr_t addr, uintptr_t pc)
{
	const void *held[RACE_NLOCK];
	struct racevar *v;
	int thread, nheld, other = 0;
	uintptr_t otherpc = 0;

	if (panicking || (addr >= KSTACK_AREA && addr < KSTACK_AREA + KSTACK_AREA_SIZE))
		return;
	int on = intr_enabled();
	register_t s = intr_disable();
	thread = race_thread();
	nheld = race_lockset(held, thread, on);
	race_acquire();
	if ((v = race_var(addr)) == NULL)
		goto out;
	if (v->rv_thread == 0 || v->rv_thread == thread) {
		v->rv_thread = thread;		/* still one writer: nothing to check */
	} else {
		if (v->rv_thread != RACE_SHARED) {
			/* A second writer: the lockset starts as what it holds. */
			v->rv_thread = RACE_SHARED;
			v->rv_nlock = nheld;
			memcpy(v->rv_lock, held, sizeof(held));
		} else {
			int k = 0;
			for (int i = 0; i < v->rv_nlock; i++)
				for (int j = 0; j < nheld; j++)
					if (v->rv_lock[i] == held[j]) {
						v->rv_lock[k++] = v->rv_lock[i];
						break;
					}
			v->rv_nlock = k;
		}
		if (v->rv_nlock == 0 && v->rv_pcthread != thread) {
			other = v->rv_pcthread;
			otherpc = v->rv_pc;
		}
	}
	v->rv_pc = pc;
	v->rv_pcthread = thread;
out:
	race_release();
	intr_restore(s);
	if (other != 0)
		panic("data race on the variable at 0x%lx: written by %s %d (pc 0x%lx) and by %s %d "
		    "(pc 0x%lx, the backtrace below) with no lock held in common and not atomically: "
		    "updates can be lost", (unsigned long)addr,
		    other > 0 ? "pid" : "cpu", other > 0 ? other : -other - 1, (unsigned long)otherpc,
		    thread > 0 ? "pid" : "cpu", thread > 0 ? thread : -thread - 1, (unsigned long)pc);
}

/* sleeplock_acquire got lk: it belongs to the lockset of this process. */
void
racecheck_sleep_lock(const struct sleeplock *lk)
{
	register_t s = intr_disable();
	int thread = race_thread();

	race_acquire();
	for (int i = 0; i < RACE_NSLEEP; i++)
		if (sleepheld[i].lk == NULL) {
			sleepheld[i].lk = lk;
			sleepheld[i].pid = thread;
			break;
		}
	race_release();
	intr_restore(s);
}

void
racecheck_sleep_unlock(const struct sleeplock *lk)
{
	register_t s = intr_disable();

	race_acquire();
	for (int i = 0; i < RACE_NSLEEP; i++)
		if (sleepheld[i].lk == lk)
			sleepheld[i].lk = NULL;
	race_release();
	intr_restore(s);
}

/* ---- the compiler's hooks (-fsanitize=thread) ------------------------------ */

#define PC()	((uintptr_t)__builtin_return_address(0))

void __tsan_init(void) {}
void __tsan_func_entry(void *pc) {}
void __tsan_func_exit(void) {}

#define RACE_ACCESS(n)								\
	void __tsan_read##n(void *a) {}						\
	void __tsan_unaligned_read##n(void *a) {}				\
	void __tsan_write##n(void *a) { race_write((uintptr_t)a, PC()); }	\
	void __tsan_unaligned_write##n(void *a) { race_write((uintptr_t)a, PC()); }
RACE_ACCESS(1)
RACE_ACCESS(2)
RACE_ACCESS(4)
RACE_ACCESS(8)
RACE_ACCESS(16)

void __tsan_read_range(void *a, unsigned long n) {}
void __tsan_write_range(void *a, unsigned long n) { race_write((uintptr_t)a, PC()); }

/*
 * The atomic operations, done for real (with the strongest ordering,
 * which is never wrong).  The memory-order argument is ignored.
 */
#define RACE_ATOMIC(bits, T)							\
	T __tsan_atomic##bits##_load(const volatile T *a, int mo)		\
	{ return __atomic_load_n(a, __ATOMIC_SEQ_CST); }			\
	void __tsan_atomic##bits##_store(volatile T *a, T v, int mo)		\
	{ __atomic_store_n(a, v, __ATOMIC_SEQ_CST); }				\
	T __tsan_atomic##bits##_exchange(volatile T *a, T v, int mo)		\
	{ return __atomic_exchange_n(a, v, __ATOMIC_SEQ_CST); }			\
	T __tsan_atomic##bits##_fetch_add(volatile T *a, T v, int mo)		\
	{ return __atomic_fetch_add(a, v, __ATOMIC_SEQ_CST); }			\
	T __tsan_atomic##bits##_fetch_sub(volatile T *a, T v, int mo)		\
	{ return __atomic_fetch_sub(a, v, __ATOMIC_SEQ_CST); }			\
	T __tsan_atomic##bits##_fetch_and(volatile T *a, T v, int mo)		\
	{ return __atomic_fetch_and(a, v, __ATOMIC_SEQ_CST); }			\
	T __tsan_atomic##bits##_fetch_or(volatile T *a, T v, int mo)		\
	{ return __atomic_fetch_or(a, v, __ATOMIC_SEQ_CST); }			\
	T __tsan_atomic##bits##_fetch_xor(volatile T *a, T v, int mo)		\
	{ return __atomic_fetch_xor(a, v, __ATOMIC_SEQ_CST); }			\
	T __tsan_atomic##bits##_fetch_nand(volatile T *a, T v, int mo)		\
	{ return __atomic_fetch_nand(a, v, __ATOMIC_SEQ_CST); }			\
	int __tsan_atomic##bits##_compare_exchange_strong(volatile T *a, T *c, T v, int mo, int fmo) \
	{ return __atomic_compare_exchange_n(a, c, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); } \
	int __tsan_atomic##bits##_compare_exchange_weak(volatile T *a, T *c, T v, int mo, int fmo) \
	{ return __atomic_compare_exchange_n(a, c, v, 1, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); } \
	T __tsan_atomic##bits##_compare_exchange_val(volatile T *a, T c, T v, int mo, int fmo) \
	{ __atomic_compare_exchange_n(a, &c, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); return c; }
/* 32 and 64 bits only: RISC-V has no 1- and 2-byte atomics (nor has this kernel). */
RACE_ATOMIC(32, uint32_t)
RACE_ATOMIC(64, uint64_t)

void __tsan_atomic_thread_fence(int mo) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
void __tsan_atomic_signal_fence(int mo) { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

#endif /* WITNESS */
