/*
 * xv6 compatibility layer: what xv6 user programs take from riscv.h --
 * the page size, MAXVA and r_sp() -- on every aqua6 port.
 */
#ifndef XV6_KERNEL_MACHINE_H
#define XV6_KERNEL_MACHINE_H

#include <machine/vmparam.h>
#include <machine/sp.h>

#define PGSIZE		4096
#define PGSHIFT		12
#define PGROUNDUP(sz)	(((sz) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PGROUNDDOWN(a)	(((a)) & ~(PGSIZE - 1))

/* One past the highest address a user program may map: every address
 * from here on faults (xv6's MAXVA is the same on riscv). */
#define MAXVA		VM_NOUSER_ADDRESS

/* The stack pointer of the caller. */
#define r_sp()		md_stack_pointer()

#endif
