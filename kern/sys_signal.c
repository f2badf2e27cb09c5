/*
 * System calls of signals (numbers 70-74, kern/syscalls.master): thin
 * wrappers that copy arguments in and out and call kern/signal.c.
 * kill(2) and waitpid(2) stay in kern/sys_proc.c.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "syscall.h"

/* __sigaction(sig, act, oact, tramp): libc's sigaction() passes its trampoline. */
int
sys___sigaction(struct proc *p, const register_t *args, register_t *retval)
{
	int sig = SCARG_INT(args, 0);
	vaddr_t uact = SCARG_PTR(args, 1), uoact = SCARG_PTR(args, 2);
	vaddr_t tramp = SCARG_PTR(args, 3);
	struct sigaction act, oact;
	int error;

	if (tramp >= USER_TOP)
		return EINVAL;
	if (uact != 0 && (error = copyin(p, &act, uact, sizeof(act))) != 0)
		return error;
	if (uoact != 0 && !user_range_ok(uoact, sizeof(oact)))
		return EFAULT;
	error = signal_setaction(p, sig, uact ? &act : NULL, uoact ? &oact : NULL, tramp);
	if (error == 0 && uoact != 0)
		error = copyout(p, uoact, &oact, sizeof(oact));
	return error;
}

/* sigreturn(frame): only the trampoline calls it; the registers come from the frame. */
int
sys_sigreturn(struct proc *p, const register_t *args, register_t *retval)
{
	int error = signal_return(p, SCARG_PTR(args, 0));

	return error ? error : EJUSTRETURN;
}

/* __sigprocmask(how, mask): the old mask is the return value (OpenBSD's kernel does the same). */
int
sys___sigprocmask(struct proc *p, const register_t *args, register_t *retval)
{
	sigset_t old;
	int error = signal_procmask(p, SCARG_INT(args, 0), (sigset_t)args[1], &old);

	if (error == 0)
		retval[0] = old;
	return error;
}

int
sys___sigsuspend(struct proc *p, const register_t *args, register_t *retval)
{
	return signal_suspend(p, (sigset_t)args[0]);
}

int
sys_alarm(struct proc *p, const register_t *args, register_t *retval)
{
	unsigned int seconds = (unsigned int)args[0];

	if (seconds > 100000000)
		return EINVAL;
	retval[0] = signal_alarm(p, seconds);
	return 0;
}
