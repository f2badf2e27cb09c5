/*
 * The scheduler, sleep and wakeup.
 *
 * Each CPU runs scheduler() on its own stack: it picks a runnable process
 * from the table and cpu_switchto()s to it; the process comes back by
 * calling sched(), which switches to the CPU's scheduler context.  Both
 * switches happen with proc_lock held, so a process's state and its saved
 * context always agree for any CPU that looks at the table.
 *
 * Preemption: on every timer tick the port's trap handler calls
 * sched_yield() when it interrupted user mode, or kernel code running with
 * interrupts on for a process (see md.h).  A time slice is one tick.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "witness.h"
#include "vm.h"
#include <aqua/wait.h>

int
ncpu_started(void)
{
	int n = 0;

	for (int i = 0; i < ncpu; i++)
		if (cpus[i].ci_started)
			n++;
	return n;
}

void
scheduler(void)
{
	struct cpu *ci = curcpu();

	ci->ci_curproc = NULL;
	ci->ci_started = 1;
	for (;;) {
		int ran = 0;

		/*
		 * Let interrupts in between rounds: if every process is
		 * asleep waiting for the disk, only an interrupt can wake one.
		 */
		intr_enable();
		spinlock_acquire(&proc_lock);
		for (struct proc *p = proctab; p < proc_hiwater; p++) {
			if (p->p_stat != SRUN)
				continue;

			p->p_stat = SONPROC;
			p->p_cpu = ci->ci_cpuid;
			ci->ci_curproc = p;
			/* Kernel threads have no address space of their own. */
			if (p->p_vmspace != NULL)
				pmap_activate(p);
			else
				pmap_deactivate();
			cpu_switchto(&ci->ci_schedctx, p->p_ctx);

			/*
			 * Back from p.  Leave its page tables: they may be
			 * freed while we idle, if p exits on another CPU.
			 */
			pmap_deactivate();
			ci->ci_curproc = NULL;
			if (p->p_stat == SDEAD)
				proc_reap_dead(p);	/* FORK_NOZOMBIE: off its stack now */
			ran = 1;
		}
		spinlock_release(&proc_lock);
		if (!ran)
			cpu_idle();
	}
}

/*
 * Switch from the current process to this CPU's scheduler.  The caller
 * holds proc_lock (and nothing else) and has already changed p_stat.
 * ci_intrsave belongs to the process, not the CPU, across the switch:
 * the process may come back on another CPU.
 */
void
sched(void)
{
	struct proc *p = curproc();
	struct cpu *ci = curcpu();

	if (!spinlock_holding(&proc_lock))
		panic("sched: proc_lock not held");
	if (ci->ci_noff != 1) {
		witness_print_held();	/* debug kernels name them */
		panic("sched: %d locks held (sleeping with a spin lock?)", ci->ci_noff);
	}
	if (p->p_stat == SONPROC)
		panic("sched: pid %d still SONPROC", p->p_pid);
	if (intr_enabled())
		panic("sched: interrupts on");

	register_t save = ci->ci_intrsave;
	cpu_switchto(&p->p_ctx, ci->ci_schedctx);
	curcpu()->ci_intrsave = save;
}

void
sched_yield(void)
{
	struct proc *p = curproc();

	spinlock_acquire(&proc_lock);
	KASSERT(p->p_stat == SONPROC);	/* only the scheduler makes a process run */
	p->p_stat = SRUN;
	sched();
	spinlock_release(&proc_lock);
}

/*
 * A new process's first code, called by the port's trampoline that
 * cpu_fork() set up: the scheduler switched to us holding proc_lock.
 */
void
fork_trampoline_entry(void)
{
	KDASSERT(spinlock_holding(&proc_lock));
	spinlock_release(&proc_lock);
}

/*
 * Last stop before user mode (the port calls it on every return there):
 * a killed process exits instead of going back.
 */
void
userret(struct proc *p)
{
	KDASSERT(p == curproc());
	signal_userret(p);	/* take pending signals: handler, stop or death (kern/signal.c) */
	if (p->p_killed)
		exit1(p, W_EXITCODE(0, p->p_killed));
}

/*
 * Sleep queues.  A sleeping process hangs on one of SLPQUE_SIZE lists,
 * chosen by a hash of its channel (OpenBSD's slpque), so a wakeup looks at
 * the few processes that may sleep on its channel instead of at all NPROC
 * slots: wakeups happen on every exit, pipe transfer and buffer release.
 * A process is on its list from sleep() until it runs again and takes
 * itself off; a waker only sets p_stat, so whoever else ends a sleep
 * (a signal, ptrace, proc_setrunnable) need not know the lists exist.
 * The lists are under proc_lock.
 */
#define SLPQUE_SIZE	32	/* a power of two */
#define SLPQUE(chan)	(&slpque[((uintptr_t)(chan) >> 4) & (SLPQUE_SIZE - 1)])

static struct proc *slpque[SLPQUE_SIZE];

/*
 * Sleep on chan, atomically releasing lk: a wakeup(chan) issued after we
 * checked our condition under lk cannot be lost, because wakeup needs
 * proc_lock, which we take before letting go of lk.
 *	=> called with lk held (it may be proc_lock itself)
 *	=> returns with lk held again
 */
void
sleep(const void *chan, struct spinlock *lk, const char *wmesg)
{
	struct proc *p = curproc(), **pp;

	if (p == NULL)
		panic("sleep: no process (%s)", wmesg);
	KDASSERT(spinlock_holding(lk));
	if (lk != &proc_lock) {
		spinlock_acquire(&proc_lock);
		spinlock_release(lk);
	}
	p->p_wchan = chan;
	p->p_wmesg = wmesg;
	p->p_stat = SSLEEP;
	p->p_slpnext = *SLPQUE(chan);
	*SLPQUE(chan) = p;
	sched();
	for (pp = SLPQUE(chan); *pp != p; pp = &(*pp)->p_slpnext)
		KASSERT(*pp != NULL);
	*pp = p->p_slpnext;
	p->p_slpnext = NULL;
	p->p_wchan = NULL;
	p->p_wmesg = NULL;
	if (lk != &proc_lock) {
		spinlock_release(&proc_lock);
		spinlock_acquire(lk);
	}
}

/* Make every process asleep on chan runnable.  Caller must hold proc_lock. */
void
wakeup_locked(const void *chan)
{
	KDASSERT(spinlock_holding(&proc_lock));
	for (struct proc *p = *SLPQUE(chan); p != NULL; p = p->p_slpnext)
		if (p->p_stat == SSLEEP && p->p_wchan == chan)
			p->p_stat = SRUN;
}

void
wakeup(const void *chan)
{
	spinlock_acquire(&proc_lock);
	wakeup_locked(chan);
	spinlock_release(&proc_lock);
}
