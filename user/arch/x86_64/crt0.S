/*
 * Entry point of every x86_64 user program.
 *
 * exec's setregs() leaves argc in %rdi and argv in %rsi, which is where
 * main() wants them, and %rsp at the top of the user stack.  The ABI
 * requires %rsp to be 16-byte aligned at a call instruction, so align it
 * before calling main, and pass main's return value to exit(), which
 * flushes stdio and never returns.  argv is also kept in __argv, where
 * the C library finds the program name for perror().
 *
 * Before any C code may touch a __thread variable (errno is one) the main
 * thread needs its TLS block and FS base: __libc_init_tls (user/lib/tls.c).
 * argc and argv wait in callee-saved registers meanwhile.
 */
	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	xor %rbp, %rbp		/* end of the frame-pointer chain for backtraces */
	mov %rsi, __argv(%rip)
	and $-16, %rsp
	mov %rdi, %r12
	mov %rsi, %r13
	call __libc_init_tls
	mov %r12, %rdi
	mov %r13, %rsi
	call main
	mov %eax, %edi
	call exit
1:	jmp 1b			/* exit does not return */
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
