/* Basic system types for user programs. */
#ifndef _SYS_TYPES_H
#define _SYS_TYPES_H

#include <stddef.h>
#include <stdint.h>

/* Both ports are LP64: a long holds a register, an address or an offset. */
typedef long		ssize_t;
typedef long		off_t;
typedef int		pid_t;
typedef long		register_t;
typedef unsigned long	vaddr_t;

#endif
