/*
 * __thread_start(flags, stack, func, arg): the first steps of a new thread
 * (user/lib/thread.c), which C cannot express.
 *
 * rfork1(FORK_SHAREVM | ...) returns twice, in two processes that share
 * one address space, and so one stack.  If the child returned through C
 * code it would pop the parent's frames and scribble over them while the
 * parent still uses them.  So the child must leave the parent's stack
 * before it touches any memory: the stack pointer, func and arg travel in
 * callee-saved registers (s1-s3, which the kernel gives back to both
 * processes unchanged), and the child's first instruction after the
 * ecall moves to its own stack.
 *
 *	a0 flags, a1 top of the child's stack, a2 func, a3 arg
 *	returns a0: the child's pid, or -errno, in the parent only
 */
#include <aqua/syscall.h>

	.text
	.globl __thread_start
	.type __thread_start, @function
__thread_start:
	addi sp, sp, -32
	sd s1, 0(sp)
	sd s2, 8(sp)
	sd s3, 16(sp)
	mv s1, a1			/* the child's stack */
	mv s2, a2			/* func */
	mv s3, a3			/* arg */
	li a7, SYS_rfork1		/* flags are in a0 already */
	ecall
	beqz a0, 1f
	ld s1, 0(sp)			/* the parent (or an error) */
	ld s2, 8(sp)
	ld s3, 16(sp)
	addi sp, sp, 32
	ret

1:	andi sp, s1, -16		/* the child: its own stack, first */
	li fp, 0			/* the end of the frame-pointer chain */
	mv a0, s3
	jalr s2
	unimp				/* func returned: a fault kills the thread */
	.size __thread_start, . - __thread_start

	.section .note.GNU-stack, "", @progbits
