/*
 * Signals: numbers, actions and the sigaction structure, shared by the
 * kernel (kern/signal.c) and user programs (<signal.h>).  The numbers
 * are BSD's (OpenBSD's <sys/signal.h>), so a student's table from a BSD
 * manual holds here too.  Signal n is bit (n - 1) of a sigset_t.
 */
#ifndef AQUA_SIGNAL_H
#define AQUA_SIGNAL_H

#define SIGHUP		1	/* terminate */
#define SIGINT		2	/* terminate: Ctrl-C on the console */
#define SIGQUIT		3	/* terminate */
#define SIGILL		4	/* terminate */
#define SIGTRAP		5	/* terminate: breakpoint, single step, traced exec */
#define SIGABRT		6	/* terminate */
#define SIGFPE		8	/* terminate */
#define SIGKILL		9	/* terminate; cannot be caught, blocked or ignored */
#define SIGBUS		10	/* terminate */
#define SIGSEGV		11	/* terminate: a fault in user code */
#define SIGSYS		12	/* terminate */
#define SIGPIPE		13	/* terminate */
#define SIGALRM		14	/* terminate: alarm(2) expired */
#define SIGTERM		15	/* terminate: kill(1)'s default */
#define SIGURG		16	/* ignore */
#define SIGSTOP		17	/* stop; cannot be caught, blocked or ignored */
#define SIGTSTP		18	/* stop */
#define SIGCONT		19	/* continue a stopped process, then ignore */
#define SIGCHLD		20	/* ignore: a child exited or stopped */
#define SIGTTIN		21	/* stop */
#define SIGTTOU		22	/* stop */
#define SIGWINCH	28	/* ignore */
#define SIGINFO		29	/* ignore */
#define SIGUSR1		30	/* terminate */
#define SIGUSR2		31	/* terminate */
#define NSIG		32	/* signals are 1 .. NSIG - 1 */

typedef unsigned int sigset_t;	/* bit (n - 1) is signal n */
#define sigmask(n)	(1U << ((n) - 1))

/* Dispositions: a handler address, or one of these. */
#define SIG_DFL		((void (*)(int))0)	/* the default action */
#define SIG_IGN		((void (*)(int))1)	/* discard the signal */
#define SIG_ERR		((void (*)(int))-1)	/* signal(3)'s error return */

struct sigaction {
	void		(*sa_handler)(int);	/* SIG_DFL, SIG_IGN or a function */
	sigset_t	sa_mask;		/* blocked while the handler runs */
	int		sa_flags;		/* SA_* */
};

/* sa_flags */
#define SA_NOCLDSTOP	0x0008	/* no SIGCHLD when a child stops */
#define SA_NODEFER	0x0010	/* do not block the signal in its own handler */
#define SA_RESETHAND	0x0004	/* back to SIG_DFL once delivered */

/*
 * Why a trap signal came: the second argument of a handler,
 * void handler(int sig, int code, void *ctx), as in 4.3BSD and in
 * OpenBSD's siginfo si_code.  0 (SI_USER) for a signal sent by kill(2)
 * or by the kernel for any other reason.  The kernel's kill message says
 * the same thing in words ("illegal instruction", "page fault (write)").
 */
#define SI_USER		0	/* kill(2), or no detail */

#define ILL_ILLOPC	1	/* SIGILL: not an instruction (x86 ud2, RISC-V unimp) */
#define ILL_PRVOPC	5	/* SIGILL: a privileged instruction */

#define FPE_INTDIV	1	/* SIGFPE: integer divide by zero (or overflow on x86) */
#define FPE_INTOVF	2	/* SIGFPE: integer overflow (x86 int $4) */
#define FPE_FLTDIV	3	/* SIGFPE: floating-point divide by zero (unmasked) */
#define FPE_FLTOVF	4	/* SIGFPE: floating-point overflow */
#define FPE_FLTUND	5	/* SIGFPE: floating-point underflow */
#define FPE_FLTRES	6	/* SIGFPE: inexact result */
#define FPE_FLTINV	7	/* SIGFPE: invalid operation */
#define FPE_FLTSUB	8	/* SIGFPE: denormal operand */

#define SEGV_MAPERR	1	/* SIGSEGV: nothing is mapped there */
#define SEGV_ACCERR	2	/* SIGSEGV: mapped, but not for this access */

#define BUS_ADRALN	1	/* SIGBUS: misaligned address */
#define BUS_ADRERR	2	/* SIGBUS: no memory at that physical address */
#define BUS_OBJERR	3	/* SIGBUS: a bad segment (x86 #NP, #SS, #TS) */

#define TRAP_BRKPT	1	/* SIGTRAP: a breakpoint instruction */
#define TRAP_TRACE	2	/* SIGTRAP: a single step (trace flag) */

/* sigprocmask(how, ...) */
#define SIG_BLOCK	1
#define SIG_UNBLOCK	2
#define SIG_SETMASK	3

#endif
