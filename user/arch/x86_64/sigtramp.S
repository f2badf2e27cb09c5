/*
 * __sigtramp: where a signal handler returns (x86_64).
 *
 * The kernel's signal frame (arch/x86_64/sig_machdep.c) put our address
 * where the handler's `ret' finds it; after that ret, %rsp points at the
 * saved context, which sigreturn(2) restores.  sigreturn does not return;
 * if it fails (the context was overwritten) the process exits.
 */
#include <aqua/syscall.h>

	.text
	.globl __sigtramp
	.type __sigtramp, @function
__sigtramp:
	movq %rsp, %rdi
	movq $SYS_sigreturn, %rax
	syscall
	movq $139, %rdi			/* 128 + SIGSEGV: the frame was bad */
	movq $SYS_exit, %rax
	syscall
	hlt
	.size __sigtramp, . - __sigtramp

	.section .note.GNU-stack, "", @progbits
