/*
 * Signals in libc: sigaction() passes the kernel our trampoline
 * (__sigtramp, user/arch/<arch>/sigtramp.S), the rest are small wrappers
 * around the system calls of kern/sys_signal.c.
 */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

int
sigaction(int sig, const struct sigaction *act, struct sigaction *oact)
{
	return __sigaction(sig, act, oact, __sigtramp);
}

sig_t
signal(int sig, sig_t handler)
{
	struct sigaction sa, osa;

	sa.sa_handler = handler;
	sa.sa_mask = 0;
	sa.sa_flags = 0;
	if (sigaction(sig, &sa, &osa) < 0)
		return SIG_ERR;
	return osa.sa_handler;
}

int
raise(int sig)
{
	return kill(getpid(), sig);
}

int
sigprocmask(int how, const sigset_t *set, sigset_t *oset)
{
	int old;

	if (set == NULL)
		old = __sigprocmask(SIG_BLOCK, 0);	/* only asks */
	else
		old = __sigprocmask(how, *set);
	if (old == -1 && errno == EINVAL)
		return -1;
	if (oset != NULL)
		*oset = (sigset_t)old;
	return 0;
}

int
sigsuspend(const sigset_t *mask)
{
	return __sigsuspend(*mask);
}

int
pause(void)
{
	sigset_t cur = 0;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigsuspend(&cur);
}

int
sigemptyset(sigset_t *set)
{
	*set = 0;
	return 0;
}

int
sigfillset(sigset_t *set)
{
	*set = ~(sigset_t)0;
	return 0;
}

static int
badsig(int sig)
{
	if (sig <= 0 || sig >= NSIG) {
		errno = EINVAL;
		return 1;
	}
	return 0;
}

int
sigaddset(sigset_t *set, int sig)
{
	if (badsig(sig))
		return -1;
	*set |= sigmask(sig);
	return 0;
}

int
sigdelset(sigset_t *set, int sig)
{
	if (badsig(sig))
		return -1;
	*set &= ~sigmask(sig);
	return 0;
}

int
sigismember(const sigset_t *set, int sig)
{
	if (badsig(sig))
		return -1;
	return (*set & sigmask(sig)) != 0;
}
