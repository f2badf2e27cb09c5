/*
 * Signals: posting (psignal), delivery on the way back to user mode
 * (signal_userret), default actions, stops, and the hooks the rest of
 * the kernel calls (fork, exec, exit, wait, faults, the clock, Ctrl-C).
 *
 * The model is OpenBSD's, in miniature:
 *   - a signal is *posted* by setting its bit in p_sig.ps_siglist, under
 *     proc_lock.  Posting does as little as possible: it discards signals
 *     the process ignores, and for a signal whose default action ends the
 *     process it also sets p_killed, which every interruptible sleep in
 *     the kernel already checks (so a kill ends a sleep with EINTR);
 *   - a signal is *taken* only by the process itself, in userret(), just
 *     before it returns to user mode: there it stops (SIGSTOP, or any
 *     signal while traced: the tracer decides), dies, or gets a handler
 *     frame built by the port (sendsig).
 * So the port never needs to interrupt a process in the middle of the
 * kernel: every delivery happens at one well-defined point.
 *
 * SIGKILL and SIGSTOP cannot be caught, blocked or ignored.  System
 * processes (kernel threads) take no signals at all.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include <aqua/wait.h>

/* Properties of each signal's default action (OpenBSD's sigprop[]). */
#define SP_KILL		0x01	/* terminates the process */
#define SP_STOP		0x02	/* stops it */
#define SP_CONT		0x04	/* continues a stopped process */
#define SP_IGNORE	0x08	/* is ignored */

#define CANTMASK	(sigmask(SIGKILL) | sigmask(SIGSTOP))
#define STOPSIGS	(sigmask(SIGSTOP) | sigmask(SIGTSTP) | sigmask(SIGTTIN) | sigmask(SIGTTOU))

#define H_DFL		((vaddr_t)0)	/* ps_handler values for SIG_DFL, SIG_IGN */
#define H_IGN		((vaddr_t)1)

/* Processes with an alarm armed (under proc_lock): the clock skips the scan when 0. */
static volatile int alarms_armed;

int
sigprop(int sig)
{
	switch (sig) {
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return SP_STOP;
	case SIGCONT:
		return SP_CONT | SP_IGNORE;
	case SIGURG: case SIGCHLD: case SIGWINCH: case SIGINFO:
		return SP_IGNORE;
	default:
		return SP_KILL;
	}
}

/* Make a sleeping process runnable; its sleep loop decides what to do. proc_lock held. */
static void
wake(struct proc *p)
{
	KDASSERT(spinlock_holding(&proc_lock));
	if (p->p_stat == SSLEEP)
		p->p_stat = SRUN;
}

/*
 * End p with sig as its status, whatever its handlers and mask say: what
 * SIGKILL does, and what a fatal signal of one thread does to the others
 * of its program (kern/sys_thread.c).  At once, even a stopped or traced
 * process goes (unless its tracer is reading its memory: kern/ptrace.c
 * lets it go after).  proc_lock held.
 */
void
proc_terminate_locked(struct proc *p, int sig)
{
	KASSERT(spinlock_holding(&proc_lock));
	if (p->p_stat == 0 || p->p_stat == SZOMB || p->p_stat == SDEAD ||
	    (p->p_flag & (P_SYSTEM | P_WEXIT)))
		return;
	p->p_killed = sig;
	if (p->p_stat == SSTOP && p->p_sig.ps_ptbusy == 0)
		p->p_stat = SRUN;
	wake(p);
}

/*
 * Post sig to p.  proc_lock held.  Signals to a process that is exiting,
 * a zombie or a system process are dropped.
 */
void
psignal_locked(struct proc *p, int sig)
{
	struct sigstate *ps = &p->p_sig;
	int prop, traced;
	vaddr_t action;

	KDASSERT(spinlock_holding(&proc_lock));
	if (sig <= 0 || sig >= NSIG || p->p_stat == 0 || p->p_stat == SZOMB ||
	    p->p_stat == SDEAD || (p->p_flag & (P_SYSTEM | P_WEXIT)))
		return;
	prop = sigprop(sig);
	traced = (p->p_flag & P_TRACED) != 0;

	if (sig == SIGKILL) {
		proc_terminate_locked(p, SIGKILL);
		return;
	}
	/* A continue cancels pending stops and vice versa. */
	if (prop & SP_CONT) {
		ps->ps_siglist &= ~STOPSIGS;
		if (p->p_stat == SSTOP && !ps->ps_tracestop)
			p->p_stat = SRUN;	/* resumes in proc_stop() */
	}
	if (prop & SP_STOP)
		ps->ps_siglist &= ~sigmask(SIGCONT);

	action = ps->ps_handler[sig];
	if (!traced) {
		/* The tracer sees every signal; otherwise drop what would be ignored. */
		if (action == H_IGN || (action == H_DFL && (prop & SP_IGNORE)))
			return;
	}
	ps->ps_siglist |= sigmask(sig);
	ps->ps_sigcode[sig] = SI_USER;		/* sent, not a trap (trapsignal sets its own) */
	if (ps->ps_sigmask & sigmask(sig))
		return;				/* blocked: it waits */

	if (!traced && action == H_DFL && (prop & SP_KILL)) {
		/*
		 * It will die: say so now (p_killed), so that a sleep ends
		 * with EINTR as kill(2) always did.  A stopped process dies
		 * when it is continued.
		 */
		ps->ps_siglist &= ~sigmask(sig);
		p->p_killed = sig;
		wake(p);
		return;
	}
	/* A process in sigsuspend(2) wakes for any signal it takes. */
	if (p->p_stat == SSLEEP && p->p_wchan == ps)
		p->p_stat = SRUN;
}

void
psignal(struct proc *p, int sig)
{
	spinlock_acquire(&proc_lock);
	psignal_locked(p, sig);
	spinlock_release(&proc_lock);
}

/*
 * Stop the current process p with signal sig and tell its parent (who
 * may be waiting with WUNTRACED, or is its tracer).  proc_lock held; we
 * come back when someone continues us (SIGCONT, PT_CONTINUE) or kills us.
 */
static void
proc_stop(struct proc *p, int sig, int fortracer)
{
	struct sigstate *ps = &p->p_sig;
	struct proc *parent = p->p_pptr;

	KASSERT(spinlock_holding(&proc_lock));
	KASSERT(p == curproc());
	ps->ps_xsig = sig;
	/*
	 * A vfork child (P_PPWAIT) never stops: its parent sleeps, and
	 * cannot be killed, until the child execs or exits, and as the
	 * child's tracer it could not continue it either -- a deadlock that
	 * the fuzzer (user/tests/fuzz.c) found.  OpenBSD drops such stops
	 * too.  For a tracer's stop, the signal goes on as if passed back.
	 */
	if (p->p_flag & P_PPWAIT)
		return;
	ps->ps_tracestop = fortracer;
	ps->ps_stopwaited = 0;
	p->p_stat = SSTOP;
	if (parent != NULL) {
		wakeup_locked(parent);		/* a parent in wait sleeps on itself */
		if (!(parent->p_sig.ps_sigflags[SIGCHLD] & SA_NOCLDSTOP))
			psignal_locked(parent, SIGCHLD);
	}
	sched();
	ps->ps_tracestop = 0;
}

static void signal_take(struct proc *p);

/*
 * Take the pending signals of the current process p, on its way back to
 * user mode (called by userret()).  At most one handler frame is built
 * per return: a second pending signal is taken at the next return, which
 * comes at the latest with the handler's sigreturn(2).
 */
void
signal_userret(struct proc *p)
{
	struct sigstate *ps = &p->p_sig;

	if (p->p_flag & P_SYSTEM)
		return;
	/*
	 * Most returns have nothing to do, and a look without proc_lock
	 * says so: a signal posted just after it is taken at our next entry
	 * to the kernel (the next clock tick at the latest), exactly as if
	 * it had come just after this return.
	 */
	if (ps->ps_siglist == 0 && !ps->ps_restoremask && !p->p_killed)
		return;
	signal_take(p);
}

/*
 * signal_userret's work, out of line, so that the common return with
 * nothing pending saves no registers.
 */
static __attribute__((noinline)) void
signal_take(struct proc *p)
{
	struct sigstate *ps = &p->p_sig;

	spinlock_acquire(&proc_lock);
	for (;;) {
		sigset_t ready;
		vaddr_t action;
		int sig, prop, code;

		if (p->p_killed)
			break;
		ready = ps->ps_siglist & ~(ps->ps_sigmask & ~CANTMASK);
		if (ready == 0)
			break;
		for (sig = 1; !(ready & sigmask(sig)); sig++)
			;			/* the lowest-numbered first */
		ps->ps_siglist &= ~sigmask(sig);
		code = ps->ps_sigcode[sig];
		ps->ps_sigcode[sig] = SI_USER;

		if (p->p_flag & P_TRACED) {
			/* The tracer decides: stop, and take the signal it gives back (or none). */
			int was = sig;
			proc_stop(p, sig, 1);
			if (p->p_killed)
				break;
			sig = ps->ps_xsig;
			ps->ps_xsig = 0;
			if (sig <= 0 || sig >= NSIG)
				continue;
			if (sig != was)
				code = SI_USER;	/* the tracer's own signal */
			if (ps->ps_sigmask & sigmask(sig) & ~CANTMASK) {
				ps->ps_siglist |= sigmask(sig);
				continue;
			}
		}

		action = ps->ps_handler[sig];
		prop = sigprop(sig);
		if (sig == SIGKILL || (action == H_DFL && (prop & SP_KILL))) {
			p->p_killed = sig;	/* userret() makes us exit */
			break;
		}
		if (action == H_IGN || action == H_DFL) {
			if (action == H_DFL && (prop & SP_STOP))
				proc_stop(p, sig, 0);
			continue;		/* ignored, or a continue */
		}

		/* A handler: block what it asks for while it runs, then build its frame. */
		sigset_t restore = ps->ps_restoremask ? ps->ps_oldmask : ps->ps_sigmask;
		int flags = ps->ps_sigflags[sig];
		vaddr_t tramp = ps->ps_tramp;
		ps->ps_restoremask = 0;
		ps->ps_sigmask = restore | ps->ps_catchmask[sig];
		if (!(flags & SA_NODEFER))
			ps->ps_sigmask |= sigmask(sig);
		ps->ps_sigmask &= ~CANTMASK;
		if (flags & SA_RESETHAND) {
			ps->ps_handler[sig] = H_DFL;
			ps->ps_sigflags[sig] = 0;
		}
		spinlock_release(&proc_lock);
		if (sendsig(p, sig, code, action, tramp, restore) != 0) {
			printf("pid %d (%s): no room on the stack for signal %d -- killed\n",
			    p->p_pid, p->p_comm, sig);
			spinlock_acquire(&proc_lock);
			p->p_killed = SIGSEGV;
			break;
		}
		return;
	}
	if (ps->ps_restoremask) {
		/* sigsuspend ended without a handler to run: its mask ends too. */
		ps->ps_restoremask = 0;
		ps->ps_sigmask = ps->ps_oldmask;
	}
	spinlock_release(&proc_lock);
}

/*
 * A synchronous signal from a trap in user mode, classified by the port
 * (md.h: SIGILL, SIGFPE, SIGBUS, SIGTRAP; SIGSEGV for a fault the VM
 * could not resolve), with its code (ILL_ILLOPC, SEGV_ACCERR, ...).
 * When the process catches it (a handler, not blocked) or is traced, it
 * is posted and taken at the coming userret(), where the handler gets
 * the code as its second argument.  Otherwise the process dies at once
 * with the one-line message: a trap signal that is ignored or blocked
 * would only trap again.
 */
void
trapsignal(struct proc *p, int sig, int code, const char *what, vaddr_t addr)
{
	struct sigstate *ps = &p->p_sig;
	int take;

	KASSERT(sig > 0 && sig < NSIG);
	spinlock_acquire(&proc_lock);
	take = (p->p_flag & P_TRACED) ||
	    (ps->ps_handler[sig] > H_IGN && !(ps->ps_sigmask & sigmask(sig)));
	if (take) {
		ps->ps_siglist |= sigmask(sig);
		ps->ps_sigcode[sig] = code;
	}
	spinlock_release(&proc_lock);
	if (take)
		return;
	proc_trap_kill(p, sig, what, addr);
}

/* fork1: the child inherits handlers, flags, the mask and the trampoline; nothing pending. */
void
signal_fork(struct proc *p1, struct proc *p2)
{
	struct sigstate *a = &p1->p_sig, *b = &p2->p_sig;

	memcpy(b->ps_handler, a->ps_handler, sizeof(b->ps_handler));
	memcpy(b->ps_catchmask, a->ps_catchmask, sizeof(b->ps_catchmask));
	memcpy(b->ps_sigflags, a->ps_sigflags, sizeof(b->ps_sigflags));
	b->ps_sigmask = a->ps_sigmask;
	b->ps_tramp = a->ps_tramp;
}

/*
 * exec: the old program's handlers are gone, so caught signals go back to
 * the default (ignored ones stay ignored: that is how sh leaves a
 * background job deaf to Ctrl-C).  A traced process stops with SIGTRAP
 * before its first instruction, so the debugger can set breakpoints.
 */
void
signal_exec(struct proc *p)
{
	struct sigstate *ps = &p->p_sig;

	spinlock_acquire(&proc_lock);
	for (int i = 1; i < NSIG; i++) {
		if (ps->ps_handler[i] > H_IGN) {
			ps->ps_handler[i] = H_DFL;
			ps->ps_sigflags[i] = 0;
			ps->ps_catchmask[i] = 0;
		}
	}
	ps->ps_tramp = 0;
	if (p->p_flag & P_TRACED) {
		ptrace_exec(p);
		psignal_locked(p, SIGTRAP);
	}
	spinlock_release(&proc_lock);
}

/*
 * exit1, proc_lock held, before p becomes a zombie and its children
 * init's: traced children die with their tracer (as in OpenBSD: nobody
 * would ever continue them), the alarm is disarmed, and the parent gets
 * SIGCHLD.
 *
 * A child that is stopped, or has a stop signal pending, and is not
 * traced (a plain SIGSTOP, or a tracee that PT_DETACH left stopped) would
 * be just as stuck: init never continues anyone, so it stayed stopped
 * for ever, holding its memory and descriptors (issue 26: the leak line
 * showed one more process and two more open files).  As POSIX and
 * OpenBSD's orphanpg() do for a stopped member of an orphaned process
 * group, it gets SIGHUP, then SIGCONT: it dies, unless it catches or
 * ignores SIGHUP, and then it runs on.  (There are no process groups
 * here: each child is its own.)
 */
void
signal_exit(struct proc *p)
{
	KASSERT(spinlock_holding(&proc_lock));
	for (int i = 0; i < NPROC; i++) {
		struct proc *q = &proctab[i];
		if (q->p_stat == 0 || q->p_pptr != p)
			continue;
		if (q->p_flag & P_TRACED) {
			q->p_flag &= ~P_TRACED;
			psignal_locked(q, SIGKILL);
		} else if (q->p_stat == SSTOP || (q->p_sig.ps_siglist & STOPSIGS)) {
			psignal_locked(q, SIGHUP);
			psignal_locked(q, SIGCONT);
		}
	}
	if (p->p_sig.ps_alarm != 0) {
		p->p_sig.ps_alarm = 0;
		KASSERT(alarms_armed > 0);
		alarms_armed--;
	}
	if (p->p_pptr != NULL && !(p->p_flag & P_NOZOMBIE))
		psignal_locked(p->p_pptr, SIGCHLD);
}

/*
 * proc_wait, proc_lock held: report the stopped child q once, if the
 * waiter asked for stopped children (WUNTRACED) or traces q.
 */
int
signal_wait_stopped(struct proc *q, int options, int *xstatp)
{
	struct sigstate *ps = &q->p_sig;

	KASSERT(spinlock_holding(&proc_lock));
	if (q->p_stat != SSTOP || ps->ps_stopwaited)
		return 0;
	if (!(options & WUNTRACED) && !(q->p_flag & P_TRACED))
		return 0;
	ps->ps_stopwaited = 1;
	*xstatp = W_STOPCODE(ps->ps_xsig);
	return 1;
}

/* alarm(2): arm (seconds > 0) or disarm; the seconds left of the old alarm. */
unsigned int
signal_alarm(struct proc *p, unsigned int seconds)
{
	struct sigstate *ps = &p->p_sig;
	uint64_t now = uptime_ms();
	unsigned int left = 0;

	spinlock_acquire(&proc_lock);
	if (ps->ps_alarm != 0) {
		left = ps->ps_alarm > now ? (ps->ps_alarm - now + 999) / 1000 : 1;
		ps->ps_alarm = 0;
		KASSERT(alarms_armed > 0);
		alarms_armed--;
	}
	if (seconds > 0) {
		ps->ps_alarm = now + (uint64_t)seconds * 1000;
		alarms_armed++;
	}
	spinlock_release(&proc_lock);
	return left;
}

/* clockintr on CPU 0 (interrupts off): post SIGALRM for alarms that expired. */
void
signal_clock(void)
{
	uint64_t now;

	KASSERT(!intr_enabled());
	if (alarms_armed == 0)
		return;
	now = uptime_ms();
	spinlock_acquire(&proc_lock);
	for (int i = 0; i < NPROC; i++) {
		struct proc *p = &proctab[i];
		if (p->p_stat != 0 && p->p_sig.ps_alarm != 0 && p->p_sig.ps_alarm <= now) {
			p->p_sig.ps_alarm = 0;
			KASSERT(alarms_armed > 0);
			alarms_armed--;
			psignal_locked(p, SIGALRM);
		}
	}
	spinlock_release(&proc_lock);
}

/*
 * Ctrl-C on the console.  aqua6 has no process groups; the foreground is
 * "every user process that does not ignore SIGINT": sh ignores SIGINT for
 * itself and for background jobs (so they survive), and restores the
 * default in the children it runs in the foreground.  init and system
 * processes are never signalled.
 */
void
signal_console_intr(void)
{
	spinlock_acquire(&proc_lock);
	for (int i = 0; i < NPROC; i++) {
		struct proc *p = &proctab[i];
		if (p->p_stat != 0 && p != initproc && !(p->p_flag & P_SYSTEM))
			psignal_locked(p, SIGINT);
	}
	spinlock_release(&proc_lock);
}

/* sigaction(2), sigprocmask(2), sigsuspend(2): kern/sys_signal.c, under proc_lock. */
int
signal_setaction(struct proc *p, int sig, const struct sigaction *act,
    struct sigaction *oact, vaddr_t tramp)
{
	struct sigstate *ps = &p->p_sig;

	if (sig <= 0 || sig >= NSIG)
		return EINVAL;
	if (act != NULL && (sig == SIGKILL || sig == SIGSTOP))
		return EINVAL;
	spinlock_acquire(&proc_lock);
	if (oact != NULL) {
		memset(oact, 0, sizeof(*oact));
		oact->sa_handler = (void (*)(int))ps->ps_handler[sig];
		oact->sa_mask = ps->ps_catchmask[sig];
		oact->sa_flags = ps->ps_sigflags[sig];
	}
	if (act != NULL) {
		vaddr_t h = (vaddr_t)act->sa_handler;
		ps->ps_handler[sig] = h;
		ps->ps_catchmask[sig] = act->sa_mask & ~CANTMASK;
		ps->ps_sigflags[sig] = act->sa_flags & (SA_NOCLDSTOP | SA_NODEFER | SA_RESETHAND);
		if (tramp != 0)
			ps->ps_tramp = tramp;
		/* Setting SIG_IGN (or a default that ignores) discards it if pending. */
		if (h == H_IGN || (h == H_DFL && (sigprop(sig) & SP_IGNORE)))
			ps->ps_siglist &= ~sigmask(sig);
	}
	spinlock_release(&proc_lock);
	return 0;
}

int
signal_procmask(struct proc *p, int how, sigset_t mask, sigset_t *oldp)
{
	struct sigstate *ps = &p->p_sig;
	int error = 0;

	mask &= ~CANTMASK & (sigmask(NSIG) - 1);	/* real signals only */
	spinlock_acquire(&proc_lock);
	*oldp = ps->ps_sigmask;
	switch (how) {
	case SIG_BLOCK:
		ps->ps_sigmask |= mask;
		break;
	case SIG_UNBLOCK:
		ps->ps_sigmask &= ~mask;
		break;
	case SIG_SETMASK:
		ps->ps_sigmask = mask;
		break;
	default:
		error = EINVAL;
	}
	spinlock_release(&proc_lock);
	return error;
}

/* Wait, with mask blocked, for a signal that is taken; always EINTR. */
int
signal_suspend(struct proc *p, sigset_t mask)
{
	struct sigstate *ps = &p->p_sig;

	spinlock_acquire(&proc_lock);
	ps->ps_oldmask = ps->ps_sigmask;
	ps->ps_restoremask = 1;
	ps->ps_sigmask = mask & ~CANTMASK;
	while ((ps->ps_siglist & ~ps->ps_sigmask) == 0 && !p->p_killed)
		sleep(ps, &proc_lock, "pause");
	spinlock_release(&proc_lock);
	return EINTR;
}

/* sigreturn(2): the port restores the registers; we restore the mask. */
int
signal_return(struct proc *p, vaddr_t frame)
{
	sigset_t mask;
	int error = md_sigreturn(p, frame, &mask);

	if (error)
		return error;
	spinlock_acquire(&proc_lock);
	p->p_sig.ps_sigmask = mask & ~CANTMASK;
	spinlock_release(&proc_lock);
	return 0;
}
