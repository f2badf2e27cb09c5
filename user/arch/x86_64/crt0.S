/*
 * Entry point of every x86_64 user program.
 *
 * exec's setregs() leaves argc in %rdi and argv in %rsi, which is where
 * main() wants them, and %rsp at the top of the user stack.  The ABI
 * requires %rsp to be 16-byte aligned at a call instruction, so align it
 * before calling main, and pass main's return value to exit(), which
 * flushes stdio and never returns.  argv is also kept in __argv, where
 * the C library finds the program name for perror().
 */
	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	xor %rbp, %rbp		/* end of the frame-pointer chain for backtraces */
	mov %rsi, __argv(%rip)
	and $-16, %rsp
	call main
	mov %eax, %edi
	call exit
1:	jmp 1b			/* exit does not return */
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
