/*
 * mptramp.S: where an application processor starts.
 *
 * The startup IPI starts an AP in real mode at vector << 12; mp.c copies
 * this code to TRAMP_PA (0x8000, below 1 MiB as real mode requires) and
 * fills in tramp_params.  The code goes real mode -> 32-bit protected
 * mode -> long mode with the boot page tables (boot.S: they map low
 * memory 1:1, which we run from while paging comes on, and the kernel at
 * KERNBASE), then jumps to ap_entry() on the AP's own stack.
 *
 * It runs at TRAMP_PA, not where it was linked, so every address is
 * written TRAMP_PA + (label - mptramp_start).
 */
#define TRAMP_PA	0x8000
#define T(label)	(TRAMP_PA + ((label) - mptramp_start))

	.text
	.code16
	.globl mptramp_start, mptramp_end, tramp_params
mptramp_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl T(tramp_gdtdesc)
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl $0x08, $T(tramp32)

	.code32
tramp32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl T(tramp_params), %eax	/* cr3 */
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	orl $0x100, %eax		/* LME */
	orl T(tramp_params) + 24, %eax	/* NXE when the CPU has it */
	wrmsr
	movl %cr0, %eax
	orl $0x80010000, %eax		/* PG | WP */
	movl %eax, %cr0
	ljmp $0x18, $T(tramp64)

	.code64
tramp64:
	movq T(tramp_params) + 8, %rsp
	movq T(tramp_params) + 16, %rax
	xorl %ebp, %ebp
	jmp *%rax

	.balign 8
tramp_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
	.quad 0x00af9a000000ffff	/* 0x18: 64-bit code */
tramp_gdtdesc:
	.word 4 * 8 - 1
	.long T(tramp_gdt)
	.balign 8
tramp_params:
	.quad 0				/* +0: %cr3 */
	.quad 0				/* +8: stack pointer */
	.quad 0				/* +16: entry point */
	.quad 0				/* +24: extra EFER bits */
mptramp_end:

	.section .note.GNU-stack, "", @progbits
