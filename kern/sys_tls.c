/*
 * Thread-local storage: __get_tcb(2) and __set_tcb(2) (docs/man/__get_tcb.2).
 *
 * A C program's `__thread' variables live in a block of memory per thread,
 * which the compiler reaches through one register, the *thread pointer*:
 * on x86_64 the FS segment base (a `%fs:offset' load), on RISC-V the tp
 * register (`tp + offset').  The C library allocates the blocks (crt0 for
 * the main thread, the thread library for the others); the kernel only
 * keeps the thread pointer of each thread with its other user registers,
 * in the trap frame, so it follows the thread across context switches,
 * CPUs and fork.
 *
 * A thread could set tp itself on RISC-V, and with FSGSBASE (wrfsbase) on
 * x86_64, but not every x86_64 CPU has FSGSBASE: writing MSR_FS_BASE is
 * privileged there.  These two calls are the portable way, after
 * OpenBSD's calls of the same names.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "syscall.h"

/* void *__get_tcb(void): the caller's thread pointer. */
int
sys___get_tcb(struct proc *p, const register_t *args, register_t *retval)
{
	(void)args;
	retval[0] = md_get_tcb(p);
	return 0;
}

/*
 * int __set_tcb(void *tcb): make tcb the caller's thread pointer from its
 * return to user mode on.  It must be a user address (or 0, "none"): a
 * kernel address could not be dereferenced anyway, and on x86_64 a
 * non-canonical one cannot even be loaded into the FS base.
 */
int
sys___set_tcb(struct proc *p, const register_t *args, register_t *retval)
{
	vaddr_t tcb = SCARG_PTR(args, 0);

	if (tcb >= USER_TOP)
		return EINVAL;
	md_set_tcb(p, tcb);
	retval[0] = 0;
	return 0;
}
