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
 * register (a0-a3 here).
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
	mv a7, a3			/* the number; a0-a2 are in place */
	ecall
	li a7, SYS_exit			/* a0 is the result */
	ecall
	unimp				/* exit does not return */
	.size cxt_blob_call_exit, . - cxt_blob_call_exit

/*
 * cxt_blob_dump_regs: write(ARG0, regs, 31 * 8), then exit(0), where
 * regs are x1..x31 as the process started, in the order of struct
 * aqua_regs (ra sp gp tp t0 ... t6).  The saved sp is the one at entry.
 * Needs 256 bytes of stack.
 */
	.globl cxt_blob_dump_regs
	.type cxt_blob_dump_regs, @function
cxt_blob_dump_regs:
	addi sp, sp, -256
	sd ra, 0(sp)
	sd gp, 16(sp)
	sd tp, 24(sp)
	sd t0, 32(sp)
	addi t0, sp, 256
	sd t0, 8(sp)			/* sp at entry */
	sd t1, 40(sp)
	sd t2, 48(sp)
	sd s0, 56(sp)
	sd s1, 64(sp)
	sd a0, 72(sp)
	sd a1, 80(sp)
	sd a2, 88(sp)
	sd a3, 96(sp)
	sd a4, 104(sp)
	sd a5, 112(sp)
	sd a6, 120(sp)
	sd a7, 128(sp)
	sd s2, 136(sp)
	sd s3, 144(sp)
	sd s4, 152(sp)
	sd s5, 160(sp)
	sd s6, 168(sp)
	sd s7, 176(sp)
	sd s8, 184(sp)
	sd s9, 192(sp)
	sd s10, 200(sp)
	sd s11, 208(sp)
	sd t3, 216(sp)
	sd t4, 224(sp)
	sd t5, 232(sp)
	sd t6, 240(sp)
	mv a1, sp			/* a0 is still ARG0, the descriptor */
	li a2, 248
	li a7, SYS_write
	ecall
	li a0, 0
	li a7, SYS_exit
	ecall
	unimp
	.size cxt_blob_dump_regs, . - cxt_blob_dump_regs

	.section .note.GNU-stack, "", @progbits
