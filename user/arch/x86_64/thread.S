/*
 * __thread_start(flags, stack, func, arg): the first steps of a new thread
 * (user/lib/thread.c), which C cannot express.
 *
 * rfork1(FORK_SHAREVM | ...) returns twice, in two processes that share
 * one address space, and so one stack.  If the child returned through C
 * code it would pop the parent's frames and scribble over them while the
 * parent still uses them.  So the child must leave the parent's stack
 * before it touches any memory: the stack pointer, func and arg travel in
 * registers (callee-saved, which the kernel gives back to both processes
 * unchanged), and the child's first instruction after the system call
 * moves to its own stack.
 *
 *	%edi flags, %rsi top of the child's stack, %rdx func, %rcx arg
 *	returns %rax: the child's pid, or -errno, in the parent only
 */
#include <aqua/syscall.h>

	.text
	.globl __thread_start
	.type __thread_start, @function
__thread_start:
	pushq %rbx
	pushq %r12
	pushq %r13
	movq %rsi, %rbx			/* the child's stack */
	movq %rdx, %r12			/* func */
	movq %rcx, %r13			/* arg */
	movl $SYS_rfork1, %eax		/* flags are in %rdi already */
	syscall				/* clobbers %rcx and %r11 */
	testq %rax, %rax
	jz 1f
	popq %r13			/* the parent (or an error) */
	popq %r12
	popq %rbx
	ret

1:	movq %rbx, %rsp			/* the child: its own stack, first */
	andq $-16, %rsp			/* aligned at the call, as the ABI wants */
	xorl %ebp, %ebp			/* the end of the frame-pointer chain */
	movq %r13, %rdi
	call *%r12
	ud2				/* func returned: a fault kills the thread */
	.size __thread_start, . - __thread_start

	.section .note.GNU-stack, "", @progbits
