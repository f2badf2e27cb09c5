/*
 * System-call stubs for x86_64 user programs.
 *
 * The generated usys.S says SYSCALL(name, SYS_name) once per call.  The
 * kernel takes the number in %rax and the arguments in %rdi %rsi %rdx %r10
 * %r8 %r9: the C calling convention, except that the `syscall' instruction
 * overwrites %rcx with the return address, so the fourth argument travels
 * in %r10 instead.  The result comes back in %rax; a value in [-4095,-1]
 * is a negated errno, which __syscall_error (user/lib/errno.c) stores in
 * errno before returning -1 to the caller.  C code that wants the bare
 * call includes <syscall.h> (this file) for md_syscall6().
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
	mov %rcx, %r10;				\
	mov $(num), %eax;			\
	syscall;				\
	cmp $-4095, %rax;			\
	jae 1f;					\
	ret;					\
1:	neg %rax;				\
	mov %rax, %rdi;				\
	jmp __syscall_error;			\
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
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long ret;

	__asm__ volatile("syscall"
	    : "=a"(ret)
	    : "a"(n), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return ret;
}

#endif /* __ASSEMBLY__ */

#endif
