/*
 * System-call dispatch.  The port's trap code calls syscall(p, tf) with
 * the saved pc already past the system-call instruction (p is the
 * process that trapped: the port read it with interrupts still off,
 * for its userret() too); we read the number
 * and six arguments through the trap-frame accessors, call the handler
 * from the generated sysent[] table (kern/syscalls.master), and store
 * its result, or -errno, in the return register.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "syscall.h"

void
syscall(struct proc *p, struct trapframe *tf)
{
	register_t num = tf_syscall_number(tf);
	register_t args[6], retval[2] = { 0, 0 };
	int error;

	if (num <= 0 || num >= SYS_MAXSYSCALL || sysent[num].sy_call == NULL) {
		error = ENOSYS;
	} else {
		/* Unrolled, each tf_syscall_arg is a load from the frame. */
#pragma GCC unroll 6
		for (int i = 0; i < 6; i++)
			args[i] = tf_syscall_arg(tf, i);
		error = sysent[num].sy_call(p, args, retval);
	}

	/* exec set fresh registers itself: leave them alone. */
	if (error != EJUSTRETURN)
		tf_set_retval(tf, error ? -(register_t)error : retval[0]);

	/* A kill (p_killed) is the port's userret()'s, which comes next. */
}
