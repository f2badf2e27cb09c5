/*
 * System-call stubs for RISC-V 64 user programs.
 *
 * The generated usys.S says SYSCALL(name, SYS_name) once per call.  The
 * kernel takes the number in a7 and the arguments in a0-a5, exactly the C
 * argument registers, so the stub only loads a7 and traps with `ecall'.
 * The result comes back in a0; a value in [-4095,-1] is a negated errno,
 * which __syscall_error (user/lib/errno.c) stores in errno before
 * returning -1 to the caller.  C code that wants the bare call includes
 * <syscall.h> (this file) for md_syscall6().
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

#else /* !__ASSEMBLY__ */

/*
 * A system call without the C library: no stub, no errno, the kernel's
 * own result (-errno on failure).  For fuzz, which calls with whatever
 * arguments it likes.
 */
static inline long
md_syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3;
	register long r4 __asm__("a4") = a4;
	register long r5 __asm__("a5") = a5;
	register long r7 __asm__("a7") = n;

	__asm__ volatile("ecall"
	    : "+r"(r0)
	    : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7)
	    : "memory");
	return r0;
}

#endif /* __ASSEMBLY__ */

#endif
