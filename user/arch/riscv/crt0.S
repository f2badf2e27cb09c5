/*
 * Entry point of every RISC-V user program.
 *
 * exec's setregs() leaves argc in a0 and argv in a1, which is where main()
 * wants them, and sp at the top of the user stack.  The psABI requires sp
 * to be 16-byte aligned, so align it before calling main, and pass main's
 * return value to exit(), which flushes stdio and never returns.  argv is
 * also kept in __argv, where the C library finds the program name for
 * perror().
 *
 * Before any C code may touch a __thread variable (errno is one) the main
 * thread needs its TLS block and tp: __libc_init_tls (user/lib/tls.c).
 * argc and argv wait in callee-saved registers meanwhile.
 */
	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	li fp, 0		/* end of the frame-pointer chain for backtraces */
	lla t0, __argv
	sd a1, 0(t0)
	andi sp, sp, -16
	mv s1, a0
	mv s2, a1
	call __libc_init_tls
	mv a0, s1
	mv a1, s2
	call main
	call exit
1:	j 1b			/* exit does not return */
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
