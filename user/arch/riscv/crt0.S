/*
 * Entry point of every RISC-V user program.
 *
 * exec's setregs() leaves argc in a0 and argv in a1, which is where main()
 * wants them, and sp at the top of the user stack.  The psABI requires sp
 * to be 16-byte aligned, so align it before calling main, and pass main's
 * return value to exit(), which flushes stdio and never returns.  argv is
 * also kept in __argv, where the C library finds the program name for
 * perror().
 */
	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	li fp, 0		/* end of the frame-pointer chain for backtraces */
	lla t0, __argv
	sd a1, 0(t0)
	andi sp, sp, -16
	call main
	call exit
1:	j 1b			/* exit does not return */
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
