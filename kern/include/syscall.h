/* The system-call dispatch table, generated from kern/syscalls.master. */
#ifndef KERN_SYSCALL_H
#define KERN_SYSCALL_H

#include "types.h"
#include <aqua/syscall.h>

struct sysent {
	int	(*sy_call)(struct proc *p, const register_t *args, register_t *retval);
	const char *sy_name;
	int	sy_narg;
};

extern const struct sysent sysent[SYS_MAXSYSCALL];

/* Helpers for handlers: argument n as an int, a user address, a size. */
/*
 * EJUSTRETURN (OpenBSD's name): a handler returns it when it has already
 * set up the trap frame itself and the dispatcher must not store a return
 * value.  exec does: setregs() gave the process fresh registers, and
 * writing a result into the return register would clobber argc.
 * It is negative so it can never be mistaken for an errno.
 */
#define EJUSTRETURN	(-2)

#define SCARG_INT(args, n)	((int)(args)[n])
#define SCARG_PTR(args, n)	((vaddr_t)(args)[n])
#define SCARG_SIZE(args, n)	((size_t)(args)[n])

#endif
