/*
 * Basic kernel types.  The sizes of register_t, vaddr_t and paddr_t come
 * from the port (<machine/types.h>); everything else is portable.
 */
#ifndef KERN_TYPES_H
#define KERN_TYPES_H

#include <machine/types.h>	/* register_t, vaddr_t, paddr_t, fixed widths */

typedef int		pid_t;
typedef long		ssize_t;
typedef unsigned long	size_t;
typedef long		off_t;
typedef unsigned long	uintptr_t;
typedef long		intptr_t;

#define NULL		((void *)0)
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#define PGROUNDUP(a)	(((a) + PAGE_SIZE - 1) & ~((vaddr_t)PAGE_SIZE - 1))
#define PGROUNDDOWN(a)	((a) & ~((vaddr_t)PAGE_SIZE - 1))

struct proc;
struct cpu;
struct trapframe;
struct pmap;

#endif
