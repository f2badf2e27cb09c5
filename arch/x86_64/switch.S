/*
 * Kernel context switch and the first code of a new context, as in
 * arch/riscv/switch.S.
 */
	.text

/*
 * switch_context(struct md_context **from, struct md_context *to)
 * (cpu_switchto, vm_machdep.c, calls it)
 *
 * Saves the callee-saved registers on the current stack, stores the
 * stack pointer in *from, and resumes the context "to".  The FPU/SSE
 * state goes with the stack too: the kernel is built with
 * -mgeneral-regs-only, so the x87/SSE registers always hold the state of
 * the user program that last ran on this CPU; saving it here (fxsave)
 * and reloading it after the switch (fxrstor) gives every process its
 * own, wherever it runs next.  %rsp is 8 mod 16 at entry, so after six
 * pushes and 520 bytes the fxsave area is 16-byte aligned.
 */
	.globl switch_context
switch_context:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $520, %rsp
	fxsave64 (%rsp)
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	fxrstor64 (%rsp)
	addq $520, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/*
 * A new context built by cpu_fork() "returns" here with func in %rbx and
 * arg in %r12.
 */
	.globl fork_trampoline
fork_trampoline:
	call fork_trampoline_entry
	movq %r12, %rdi
	call *%rbx
	call fork_func_returned
1:	hlt
	jmp 1b

/* fxsave_to(void *area): the live FPU/SSE state, for cpu_fork(). */
	.globl fxsave_to
fxsave_to:
	fxsave64 (%rdi)
	ret

	.section .note.GNU-stack, "", @progbits
