/*
 * vmparam.h: the x86_64 address space as user programs see it, for the
 * tests that hand the kernel addresses it must refuse or lay pages out by
 * page table.  The kernel's own numbers are
 * arch/x86_64/include/machine/types.h's USER_TOP and PMAP_TABLE_SPAN and
 * md.h's DMAP_BASE; these must stay equal to them (grade/host/
 * test_md_interface.py compares the first two).
 */
#ifndef MACHINE_VMPARAM_H
#define MACHINE_VMPARAM_H

#define VM_MAXUSER_ADDRESS	0x00007fffff000000UL	/* user space ends here (USER_TOP) */
#define VM_MIN_KERNEL_ADDRESS	0xffff800000000000UL	/* the kernel's half: its direct map */
#define VM_NOUSER_ADDRESS	0x0000800000000000UL	/* neither: the first non-canonical address */
#define VM_TABLE_SPAN		0x200000UL	/* bytes a last-level page table maps (PMAP_TABLE_SPAN) */

#endif
