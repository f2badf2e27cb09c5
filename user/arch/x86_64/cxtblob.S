/*
 * Code blobs for the makecxt(2) tests (user/tests/makecxttest.c).
 *
 * makecxt() without MAKECXT_COPY_CONTEXT starts a process that has only
 * the pages it was given and only the registers it was given: no C
 * library, no stack but the one its sp points to, no argc/argv.  These
 * blobs are what can run there.  They are position independent (no
 * absolute address, only registers and the stack), so they work at
 * whatever address the pages land, and they talk to the world only
 * through system calls.  The portable test sets their registers with the
 * AQUA_REG_* names of <machine/regs.h>; ARGn is the n-th C argument
 * register (rdi rsi rdx rcx here).
 *
 * The pipe they write to is a descriptor the new process inherited: the
 * caller's table is copied, as fork copies it.
 */
#include <aqua/syscall.h>

	.text

/*
 * cxt_blob_call_exit: exit(syscall(ARG3, ARG0, ARG1, ARG2)).
 * One system call with three arguments, then exit with its result (a
 * failed call returns -errno, so the exit status says which error).
 */
	.globl cxt_blob_call_exit
	.type cxt_blob_call_exit, @function
cxt_blob_call_exit:
	mov %rcx, %rax			/* the number; rdi rsi rdx are in place */
	syscall
	mov %eax, %edi
	mov $SYS_exit, %eax
	syscall
	ud2				/* exit does not return */
	.size cxt_blob_call_exit, . - cxt_blob_call_exit

/*
 * cxt_blob_dump_regs: write(ARG0, regs, 16 * 8), then exit(0), where
 * regs are the 16 general registers as the process started, in the order
 * of struct aqua_regs (rax rbx rcx rdx rsi rdi rbp rsp r8 .. r15).  The
 * saved rsp is the one at entry.  Needs 128 bytes of stack.
 */
	.globl cxt_blob_dump_regs
	.type cxt_blob_dump_regs, @function
cxt_blob_dump_regs:
	lea -128(%rsp), %rsp		/* lea: no flags changed, for what it is worth */
	mov %rax, 0(%rsp)
	mov %rbx, 8(%rsp)
	mov %rcx, 16(%rsp)
	mov %rdx, 24(%rsp)
	mov %rsi, 32(%rsp)
	mov %rdi, 40(%rsp)
	mov %rbp, 48(%rsp)
	lea 128(%rsp), %rax
	mov %rax, 56(%rsp)		/* rsp at entry */
	mov %r8, 64(%rsp)
	mov %r9, 72(%rsp)
	mov %r10, 80(%rsp)
	mov %r11, 88(%rsp)
	mov %r12, 96(%rsp)
	mov %r13, 104(%rsp)
	mov %r14, 112(%rsp)
	mov %r15, 120(%rsp)
	mov %rsp, %rsi			/* rdi is still ARG0, the descriptor */
	mov $128, %edx
	mov $SYS_write, %eax
	syscall
	xor %edi, %edi
	mov $SYS_exit, %eax
	syscall
	ud2
	.size cxt_blob_dump_regs, . - cxt_blob_dump_regs

	.section .note.GNU-stack, "", @progbits
