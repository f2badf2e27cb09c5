/*
 * trapentry.S: every way into the kernel and back out.
 *
 *   vectors[]      one 16-byte stub per IDT vector: push a dummy error
 *                  code when the CPU does not push one, push the vector
 *                  number, go to alltraps.
 *   alltraps       saves the rest of a struct trapframe, swapgs when we
 *                  came from user mode, calls trap(tf).
 *   syscall_entry  the target of the syscall instruction (MSR_LSTAR).
 *   trapret        pops a trap frame and iretq's (both kinds of entry).
 *   nmi_entry      NMIs: TLB shootdowns and "halt" during panic.
 *
 * The trap frame layout is struct trapframe in <machine/md.h>.
 */
#include <machine/md.h>
#include <machine/psl.h>

#define PUSH_GPRS \
	pushq %rax; pushq %rbx; pushq %rcx; pushq %rdx; pushq %rsi; pushq %rdi; \
	pushq %rbp; pushq %r8; pushq %r9; pushq %r10; pushq %r11; pushq %r12; \
	pushq %r13; pushq %r14; pushq %r15
#define POP_GPRS \
	popq %r15; popq %r14; popq %r13; popq %r12; popq %r11; popq %r10; \
	popq %r9; popq %r8; popq %rbp; popq %rdi; popq %rsi; popq %rdx; \
	popq %rcx; popq %rbx; popq %rax

	.text
/*
 * The CPU pushes an error code for vectors 8, 10-14, 17, 21, 29 and 30;
 * for every other vector the stub pushes a zero so that all frames look
 * the same.
 */
	.balign 16
	.globl vectors
vectors:
	vec = 0
	.rept 256
	.balign 16
	.if vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30
	.else
	pushq $0
	.endif
	pushq $vec
	jmp alltraps
	vec = vec + 1
	.endr

alltraps:
	PUSH_GPRS
	subq $16, %rsp			/* tf_fsbase, tf_gsbase: filled in by trap() */
	testb $3, TF_CS(%rsp)
	jz 1f
	swapgs				/* from user: %gs now reaches this CPU's mdcpu */
	xorl %ebp, %ebp			/* backtraces stop here, not in user memory */
	/*
	 * The CPU cleared TF, NT, RF and VM (and IF, for an interrupt gate)
	 * but kept DF and AC as user mode left them.  DF: the C ABI.  AC: a
	 * user's AC must not open user pages to the kernel under SMAP.
	 */
1:	cld
	pushfq
	andq $~PSL_AC, (%rsp)
	popfq
	movq %rsp, %rdi
	call trap

	.globl trapret
trapret:
	/*
	 * Interrupts are off here (trap() and syscall_trap() return with them
	 * off): after the swapgs below an interrupt would find the user's %gs.
	 */
	testb $3, TF_CS(%rsp)
	jz 1f
	swapgs
1:	addq $16, %rsp
	POP_GPRS
	addq $16, %rsp			/* tf_trapno, tf_err */
	iretq

/*
 * syscall: the CPU put the user %rip in %rcx and %rflags in %r11, masked
 * %rflags with MSR_FMASK (PSL_SYSCALL_MASK: IF, TF, DF, AC, NT, IOPL,
 * ... off) and loaded the kernel %cs and %ss from MSR_STAR.  It did
 * not change %rsp: we switch to the top of the current process's kernel
 * stack (cpu->ci_md.mc_kstack_top, set by
 * pmap_activate) and build the same frame an interrupt from user mode
 * would have, so the return is the common iretq path.  iretq is slower
 * than sysret but it has no trap door: sysret with a non-canonical %rcx
 * faults in ring 0 on Intel CPUs, with the user's %rsp.
 */
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:MC_SCRATCH
	movq %gs:MC_KSTACK_TOP, %rsp
	pushq $(GSEL_UDATA | SEL_UPL)	/* tf_ss */
	pushq %gs:MC_SCRATCH		/* tf_rsp */
	pushq %r11			/* tf_rflags */
	pushq $(GSEL_UCODE | SEL_UPL)	/* tf_cs */
	pushq %rcx			/* tf_rip: already after the syscall instruction */
	pushq $0			/* tf_err */
	pushq $T_SYSCALL		/* tf_trapno */
	PUSH_GPRS
	subq $16, %rsp
	xorl %ebp, %ebp
	movq %rsp, %rdi
	call syscall_trap
	jmp trapret

/* trapret_to(tf): leave for user mode with the frame at tf (md_userret). */
	.globl trapret_to
trapret_to:
	movq %rdi, %rsp
	jmp trapret

/*
 * NMI, on its own IST stack.  It may arrive anywhere, even between a
 * swapgs and an iretq, so it never uses %gs: nmi_handler() finds its CPU
 * from the local APIC id.
 */
	.globl nmi_entry
nmi_entry:
	pushq %rax; pushq %rcx; pushq %rdx; pushq %rsi; pushq %rdi
	pushq %r8; pushq %r9; pushq %r10; pushq %r11
	cld
	call nmi_handler
	popq %r11; popq %r10; popq %r9; popq %r8
	popq %rdi; popq %rsi; popq %rdx; popq %rcx; popq %rax
	iretq

	.section .note.GNU-stack, "", @progbits
