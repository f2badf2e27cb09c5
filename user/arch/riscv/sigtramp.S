/*
 * __sigtramp: where a signal handler returns (RISC-V).
 *
 * The kernel (arch/riscv/sig_machdep.c) started the handler with ra = us
 * and sp = the saved context; the handler's return leaves sp there, and
 * sigreturn(2) restores the context.  sigreturn does not return; if it
 * fails (the context was overwritten) the process exits.
 */
#include <aqua/syscall.h>

	.text
	.globl __sigtramp
	.type __sigtramp, @function
__sigtramp:
	mv a0, sp
	li a7, SYS_sigreturn
	ecall
	li a0, 139			/* 128 + SIGSEGV: the frame was bad */
	li a7, SYS_exit
	ecall
1:	j 1b
	.size __sigtramp, . - __sigtramp

	.section .note.GNU-stack, "", @progbits
