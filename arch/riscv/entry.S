/*
 * Kernel entry from OpenSBI.
 *
 * OpenSBI (fw_dynamic) enters the boot hart at physical 0x80200000 in
 * S-mode with the MMU off, a0 = hart id and a1 = physical address of the
 * flattened device tree.  Secondary harts arrive at _start_secondary when
 * machdep.c asks SBI HSM to start them, with a0 = hart id and a1 = the
 * opaque value we passed: their CPU index.
 *
 * The kernel is linked at KERNBASE + 0x80200000, but runs at 0x80200000
 * until paging is on.  Code here uses only pc-relative addresses (lla),
 * which are right at either address, until it has turned on the early
 * page table below and jumped to the linked (high) address.  The early
 * table maps with 1 GiB pages:
 *   VA 0x80000000           -> PA 0x80000000   identity, so the instruction
 *                                              after `csrw satp' can be fetched
 *   VA KERNBASE + 0         -> PA 0            MMIO (UART for early printing)
 *   VA KERNBASE + 2 GiB     -> PA 0x80000000   RAM and the kernel
 *   VA KERNBASE + 3 GiB     -> PA 0xc0000000   RAM above 1 GiB
 * pmap.c replaces it with the final W^X kernel table as soon as C runs.
 */
#include <machine/md.h>

#define PTE_FLAGS_RW	0xc7	/* V R W A D */
#define PTE_FLAGS_RWX	0xcf	/* V R W X A D */
#define GIGA_PTE(pa, flags) ((((pa) >> 12) << 10) | (flags))

	.section .text.entry, "ax"
	.globl _start
_start:
	mv s1, a0			/* hart id */
	mv s2, a1			/* device tree */
	/*
	 * Only the first hart to get here boots the kernel.  OpenSBI before
	 * v1.3 (QEMU 7.2 ships v1.1) marks a hart START_PENDING in hart_start
	 * *before* it stores the entry address and argument, so a secondary
	 * hart that is slow to reach its wait loop can leave with the stale
	 * ones: this _start and the device tree.  Such a hart used to run
	 * rv_boot_main a second time, on CPU 0's struct cpu ("hart N did not
	 * come up", SBI error -6, then "acquire ticks: already held").  Now it
	 * joins as the secondary it was started as.
	 */
	lla t0, boot_hart_claimed
	li t1, 1
	amoswap.w.aq t1, t1, (t0)
	li s3, 0			/* CPU index: the boot hart is CPU 0 */
	beqz t1, 1f
	li s2, 1			/* a secondary that came through _start */
	j 3f

	.globl _start_secondary
_start_secondary:
	mv s1, a0			/* hart id */
	/*
	 * Our CPU index: not from a1, which may be stale for the same reason.
	 * cpu_boot_secondary_processors (machdep.c) publishes the index, then
	 * the hart id, before each hart_start, and waits for that hart before
	 * it starts the next; so wait until it names us.  A hart it gave up on
	 * never takes another's index.
	 */
	li s2, 0
3:	lla t0, secondary_hartid
	lla t2, secondary_index
4:	ld t1, 0(t0)
	bne t1, s1, 4b
	fence r, r
	lw s3, 0(t2)

1:	csrw sie, zero			/* no interrupts until we have a trap vector */
	lla t0, early_pagetable
	srli t0, t0, 12
	li t1, 8			/* satp.MODE = Sv39 */
	slli t1, t1, 60
	or t0, t0, t1
	sfence.vma zero, zero
	csrw satp, t0
	sfence.vma zero, zero

	/* Jump to the linked address of `high' (an absolute value, loaded pc-relative). */
	lla t0, high_addr
	ld t0, 0(t0)
	jr t0

high:
	/* sp = top of boot_stacks[index] (machdep.c) */
	lla sp, boot_stacks
	addi t0, s3, 1
	li t1, BOOT_STACK_SIZE
	mul t0, t0, t1
	add sp, sp, t0
	li fp, 0			/* end of the frame-pointer chain */
	mv a0, s1
	bnez s3, 2f
	mv a1, s2
	call rv_boot_main		/* does not return */
	j .
2:	mv a1, s3
	mv a2, s2			/* 1: it came through _start */
	call rv_boot_secondary		/* does not return */
	j .

	.balign 8
high_addr:
	.quad high

	.section .data
	/* Set by the first hart through _start (see there). */
	.balign 8
	.globl boot_hart_claimed
boot_hart_claimed:
	.word 0
	.word 0
	/* (hart id, CPU index) of the hart being started: machdep.c writes them. */
	.globl secondary_hartid, secondary_index
secondary_hartid:
	.quad -1
secondary_index:
	.word 0
	.word 0

	.balign 4096
	.globl early_pagetable
early_pagetable:
	.zero 2 * 8
	.quad GIGA_PTE(0x80000000, PTE_FLAGS_RWX)	/* [2] identity */
	.zero (508 - 3) * 8
	.quad GIGA_PTE(0x00000000, PTE_FLAGS_RW)	/* [508] MMIO */
	.quad 0						/* [509] */
	.quad GIGA_PTE(0x80000000, PTE_FLAGS_RWX)	/* [510] kernel and RAM */
	.quad GIGA_PTE(0xc0000000, PTE_FLAGS_RW)	/* [511] RAM */
