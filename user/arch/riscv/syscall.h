/*
 * System-call stubs for RISC-V 64 user programs.
 *
 * The generated usys.S says SYSCALL(name, SYS_name) once per call.  The
 * kernel takes the number in a7 and the arguments in a0-a5, exactly the C
 * argument registers, so the stub only loads a7 and traps with `ecall'.
 * The result comes back in a0; a value in [-4095,-1] is a negated errno,
 * which __syscall_error (user/lib/errno.c) stores in errno before
 * returning -1 to the caller.
 */
#ifndef USER_ARCH_SYSCALL_H
#define USER_ARCH_SYSCALL_H

#ifdef __ASSEMBLY__

/*
 * The exit system call is _exit() in user space: the C library's exit()
 * flushes stdio buffers first and then calls _exit().
 */
#define exit _exit

/* The stubs need no executable stack; say so, or ld warns. */
	.section .note.GNU-stack, "", @progbits

#define SYSCALL(name, num)			\
	.text;					\
	.globl name;				\
	.type name, @function;			\
name:						\
	li a7, num;				\
	ecall;					\
	li t0, -4095;				\
	bgeu a0, t0, 1f;			\
	ret;					\
1:	neg a0, a0;				\
	tail __syscall_error;			\
	.size name, . - name

#endif /* __ASSEMBLY__ */

#endif
