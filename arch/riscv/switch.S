/*
 * Kernel context switch and the first code of a new context.
 *
 * switch_context(from, to): push the callee-saved registers and ra on the
 * current stack (a struct md_context), store that stack pointer in *from,
 * load sp = to and pop.  Everything else the C caller expects to be
 * clobbered by a call.  tp stays: it belongs to the CPU, not the context.
 */
#include <machine/md.h>

#define CTX_SIZE (14 * 8)

	.text
	.globl switch_context
switch_context:
	addi sp, sp, -CTX_SIZE
	sd s0, 0(sp)
	sd s1, 8(sp)
	sd s2, 16(sp)
	sd s3, 24(sp)
	sd s4, 32(sp)
	sd s5, 40(sp)
	sd s6, 48(sp)
	sd s7, 56(sp)
	sd s8, 64(sp)
	sd s9, 72(sp)
	sd s10, 80(sp)
	sd s11, 88(sp)
	sd ra, 96(sp)
	sd sp, 0(a0)
	mv sp, a1
	ld s0, 0(sp)
	ld s1, 8(sp)
	ld s2, 16(sp)
	ld s3, 24(sp)
	ld s4, 32(sp)
	ld s5, 40(sp)
	ld s6, 48(sp)
	ld s7, 56(sp)
	ld s8, 64(sp)
	ld s9, 72(sp)
	ld s10, 80(sp)
	ld s11, 88(sp)
	ld ra, 96(sp)
	addi sp, sp, CTX_SIZE
	ret

/*
 * A context made by cpu_fork starts here (its ra), with s1 = func and
 * s2 = arg: fork_trampoline_entry() (portable: drops the scheduler's
 * lock), then func(arg).  func must not return.
 */
	.globl fork_trampoline
fork_trampoline:
	call fork_trampoline_entry
	mv a0, s2
	jalr s1
	call fork_func_returned
	j .
