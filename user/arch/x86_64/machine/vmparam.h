/*
 * vmparam.h: the x86_64 address space as user programs see it, for the
 * tests that hand the kernel addresses it must refuse.  The kernel's own
 * numbers are arch/x86_64/include/machine/types.h's USER_TOP and md.h's
 * DMAP_BASE; these must stay equal to them.
 */
#ifndef MACHINE_VMPARAM_H
#define MACHINE_VMPARAM_H

#define VM_MAXUSER_ADDRESS	0x00007fffff000000UL	/* user space ends here (USER_TOP) */
#define VM_MIN_KERNEL_ADDRESS	0xffff800000000000UL	/* the kernel's half: its direct map */
#define VM_NOUSER_ADDRESS	0x0000800000000000UL	/* neither: the first non-canonical address */

#endif
