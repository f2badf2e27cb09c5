/* ptrace(2): process tracing (docs/man/ptrace.2). */
#ifndef _SYS_PTRACE_H
#define _SYS_PTRACE_H

#include <sys/types.h>
#include <aqua/ptrace.h>
#include <machine/reg.h>	/* struct reg, REG_PC() */

int	ptrace(int req, pid_t pid, void *addr, int data);

#endif
