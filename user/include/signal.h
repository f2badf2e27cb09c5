/*
 * Signals (docs/man/sigaction.2, kill.2).  The numbers, sigset_t and
 * struct sigaction are the kernel's own, from <aqua/signal.h>.
 *
 * sigaction() here is a libc wrapper: it passes the kernel the address of
 * the signal trampoline, __sigtramp (user/arch/<arch>/sigtramp.S), to
 * which a handler returns and which calls sigreturn(2), as several BSDs
 * do.  The system call itself is __sigaction(sig, act, oact, tramp).
 */
#ifndef _SIGNAL_H
#define _SIGNAL_H

#include <sys/types.h>
#include <aqua/signal.h>

typedef void (*sig_t)(int);

int	kill(pid_t pid, int sig);
int	raise(int sig);
int	sigaction(int sig, const struct sigaction *act, struct sigaction *oact);
sig_t	signal(int sig, sig_t handler);
int	sigprocmask(int how, const sigset_t *set, sigset_t *oset);
int	sigsuspend(const sigset_t *mask);
int	pause(void);
unsigned int alarm(unsigned int seconds);

int	sigemptyset(sigset_t *set);
int	sigfillset(sigset_t *set);
int	sigaddset(sigset_t *set, int sig);
int	sigdelset(sigset_t *set, int sig);
int	sigismember(const sigset_t *set, int sig);

/* The system calls under the wrappers (kern/syscalls.master, 70-74). */
int	__sigaction(int sig, const struct sigaction *act, struct sigaction *oact,
	    void (*tramp)(void));
int	__sigprocmask(int how, sigset_t mask);	/* returns the old mask */
int	__sigsuspend(sigset_t mask);		/* always -1, errno EINTR */
void	__sigtramp(void);			/* user/arch/<arch>/sigtramp.S */

#endif
