/*
 * Per-process signal and tracing state (kern/signal.c, kern/ptrace.c).
 * One struct sigstate lives in every struct proc (p_sig); proc_lock
 * protects it, like p_stat.  The names follow OpenBSD's <sys/signalvar.h>.
 */
#ifndef KERN_SIGNALVAR_H
#define KERN_SIGNALVAR_H

#include "types.h"
#include <aqua/signal.h>

struct sigstate {
	sigset_t	ps_siglist;		/* pending signals */
	sigset_t	ps_sigmask;		/* blocked signals */
	vaddr_t		ps_handler[NSIG];	/* 0 = SIG_DFL, 1 = SIG_IGN, else user address */
	sigset_t	ps_catchmask[NSIG];	/* sa_mask of each handler */
	int		ps_sigflags[NSIG];	/* sa_flags of each handler */
	int		ps_sigcode[NSIG];	/* a pending trap signal's code (ILL_ILLOPC, ...) */
	vaddr_t		ps_tramp;		/* user signal trampoline (from sigaction) */
	uint64_t	ps_alarm;		/* uptime (ms) when SIGALRM is due; 0 = none */
	int		ps_xsig;		/* stop signal; after a trace stop, what to deliver */
	int		ps_stopwaited;		/* this stop was reported by wait already */
	int		ps_tracestop;		/* stopped for the tracer (not by SIGSTOP) */
	int		ps_ptbusy;		/* the tracer is using our memory: stay stopped */
	sigset_t	ps_oldmask;		/* sigsuspend: the mask to give back */
	int		ps_restoremask;		/* ... once a handler has been set up */
	/*
	 * PT_STEP on a port without a trace flag (RISC-V): breakpoints that
	 * kern/ptrace.c placed where the next instruction may go, and the
	 * instruction bytes they replaced.
	 */
	int		ps_nstepbp;
	vaddr_t		ps_stepbp_va[2];
	uint32_t	ps_stepbp_orig[2];
	int		ps_stepbp_len[2];
};

struct proc;
/* kern/signal.c */
void	psignal_locked(struct proc *p, int sig);	/* post sig to p; proc_lock held */
void	proc_terminate_locked(struct proc *p, int sig);	/* end p with status sig; proc_lock held */
void	psignal(struct proc *p, int sig);
void	signal_userret(struct proc *p);		/* deliver what is pending (userret) */
void	trapsignal(struct proc *p, int sig, int code, const char *what, vaddr_t addr); /* fault/trap */
void	signal_fork(struct proc *p1, struct proc *p2);	/* fork1: inherit handlers, mask */
void	signal_exec(struct proc *p);		/* exec: caught -> default; traced: SIGTRAP */
void	signal_exit(struct proc *p);		/* exit1, proc_lock held: SIGCHLD, tracees */
int	signal_wait_stopped(struct proc *q, int options, int *xstatp); /* proc_wait, locked */
void	signal_clock(void);			/* clockintr on CPU 0: alarms */
void	signal_console_intr(void);		/* Ctrl-C on the console: SIGINT */
int	sigprop(int sig);			/* SP_KILL/SP_STOP/... of the default action */
unsigned int signal_alarm(struct proc *p, unsigned int seconds);
struct sigaction;
int	signal_setaction(struct proc *p, int sig, const struct sigaction *act,
	    struct sigaction *oact, vaddr_t tramp);
int	signal_procmask(struct proc *p, int how, sigset_t mask, sigset_t *oldp);
int	signal_suspend(struct proc *p, sigset_t mask);
int	signal_return(struct proc *p, vaddr_t frame);

/* kern/ptrace.c */
int	ptrace_trapped(struct proc *p);		/* a SIGTRAP: was it our step breakpoint? */
void	ptrace_exec(struct proc *p);		/* exec: forget step breakpoints */
void	ptrace_fork(struct proc *p1, struct proc *p2);	/* fork1: the child is not stepped */
int	ptrace_poke(struct proc *t, vaddr_t va, const void *src, size_t len); /* private copy */
int	ptrace_peek(struct proc *t, vaddr_t va, void *dst, size_t len);

#endif
