/*
 * boot.S: from QEMU's -kernel to C in the higher half.
 *
 * Why PVH: QEMU's -kernel understands three formats: a Linux bzImage,
 * a multiboot (v1) image and an ELF with a PVH note.  Multiboot v1 would
 * only accept a 32-bit ELF (or an a.out kludge), so a 64-bit kernel would
 * have to be wrapped or converted.  The PVH boot protocol takes our
 * 64-bit ELF as it is: QEMU loads each PT_LOAD segment at its physical
 * address (LMA) and starts at the address in the ELF note
 * XEN_ELFNOTE_PHYS32_ENTRY (18), in 32-bit protected mode with paging
 * off, flat segments, interrupts off, and %ebx = physical address of a
 * struct hvm_start_info (command line, memory map; see machdep.c).
 *
 * From there we: zero the bss, build boot page tables that map the
 * first GiB of physical memory three times (identity, at the direct map
 * DMAP_BASE, and at KERNBASE where the kernel is linked), turn on PAE,
 * long mode and NX, enable paging, and jump to the 64-bit kernel at its
 * linked (higher-half) address.  machdep.c then builds the real tables.
 *
 * The 32-bit code runs before paging, at physical addresses, so every
 * symbol it uses is written V2P(sym) = sym - KERNBASE.
 */
#include <machine/md.h>

#define V2P(x)		((x) - KERNBASE)
#define PTE_P		0x001
#define PTE_W		0x002
#define PTE_PS		0x080

/* ---- the PVH ELF note (QEMU reads it from the PT_NOTE segment) -------- */
	.section .note.pvh, "a"
	.balign 4
	.long 4				/* name size: "Xen" and its NUL */
	.long 8				/* descriptor size: a 64-bit address in an ELF64 */
	.long 18			/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.quad V2P(pvh_entry)

	.section .text.boot, "ax"
	.code32
	.globl pvh_entry
pvh_entry:
	cli
	cld
	movl %ebx, %esi			/* struct hvm_start_info (physical) */

	/* Zero the bss (the stack and the page tables below live there). */
	movl $V2P(__bss_start), %edi
	movl $V2P(__bss_end), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	movl $V2P(boot_stack_top), %esp
	movl %esi, V2P(pvh_start_info_pa)

	/* Long mode needs PAE paging: %cr4.PAE, then %cr3. */
	movl %cr4, %eax
	orl $0x20, %eax
	movl %eax, %cr4
	movl $V2P(boot_pml4), %eax
	movl %eax, %cr3

	/* EFER: long mode enable, and no-execute if the CPU has it. */
	movl $0x80000001, %eax
	cpuid
	movl %edx, %ebx		/* bit 20: NX */
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x100, %eax		/* LME */
	testl $(1 << 20), %ebx
	jz 1f
	orl $0x800, %eax		/* NXE */
1:	wrmsr

	/* Paging on (with write protection in ring 0): now in long mode. */
	movl %cr0, %eax
	orl $0x80010001, %eax		/* PG | WP | PE */
	movl %eax, %cr0

	lgdt V2P(boot_gdtdesc)
	ljmp $GSEL_KCODE, $V2P(start64)

	.code64
start64:
	movw $GSEL_KDATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $high64, %rax		/* leave the identity map */
	jmp *%rax
high64:
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp			/* end of the frame-pointer chain */
	movl pvh_start_info_pa(%rip), %edi
	call md_init			/* does not return */
2:	hlt
	jmp 2b

/* ---- data ---------------------------------------------------------------- */
	.section .rodata
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit kernel code */
	.quad 0x00cf92000000ffff	/* 0x10: kernel data */
boot_gdt_end:
boot_gdtdesc:
	.word boot_gdt_end - boot_gdt - 1
	.long V2P(boot_gdt)

/*
 * Boot page tables (also used by the AP trampoline, which needs the low
 * identity map while it turns paging on).  boot_pd maps the first GiB
 * with 2 MiB pages; the three PML4 slots share it.
 */
	.section .data.pagetables, "aw"
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.quad V2P(boot_pdpt_low) + PTE_P + PTE_W	/* 0: identity */
	.fill 255, 8, 0
	.quad V2P(boot_pdpt_low) + PTE_P + PTE_W	/* 256: DMAP_BASE */
	.fill 254, 8, 0
	.quad V2P(boot_pdpt_high) + PTE_P + PTE_W	/* 511: KERNBASE */
boot_pdpt_low:
	.quad V2P(boot_pd) + PTE_P + PTE_W
	.fill 511, 8, 0
boot_pdpt_high:
	.fill 510, 8, 0
	.quad V2P(boot_pd) + PTE_P + PTE_W		/* 510: -2 GiB */
	.quad 0
boot_pd:
	i = 0
	.rept 512
	.quad (i << 21) + PTE_P + PTE_W + PTE_PS
	i = i + 1
	.endr

	.data
	.globl pvh_start_info_pa
	.balign 8
pvh_start_info_pa:
	.quad 0

	.bss
	.balign 4096
	.globl boot_stack, boot_stack_top
boot_stack:
	.space 4 * 4096
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
