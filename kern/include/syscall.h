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
#define SCARG_INT(args, n)	((int)(args)[n])
#define SCARG_PTR(args, n)	((vaddr_t)(args)[n])
#define SCARG_SIZE(args, n)	((size_t)(args)[n])

#endif
