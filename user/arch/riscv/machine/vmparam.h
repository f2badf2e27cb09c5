/*
 * vmparam.h: the RISC-V (Sv39) address space as user programs see it, for
 * the tests that hand the kernel addresses it must refuse or lay pages
 * out by page table.  The kernel's own numbers are
 * arch/riscv/include/machine/types.h's USER_TOP and PMAP_TABLE_SPAN; these
 * must stay equal to them (grade/host/test_md_interface.py compares them).
 */
#ifndef MACHINE_VMPARAM_H
#define MACHINE_VMPARAM_H

#define VM_MAXUSER_ADDRESS	0x0000003fc0000000UL	/* user space ends here (USER_TOP) */
#define VM_MIN_KERNEL_ADDRESS	0xffffffc000000000UL	/* the kernel's half of Sv39 */
#define VM_NOUSER_ADDRESS	0x0000004000000000UL	/* neither: past Sv39's lower half */
#define VM_TABLE_SPAN		0x200000UL	/* bytes a last-level page table maps (PMAP_TABLE_SPAN) */

#endif
