/*
 * Trap entry and exit.  stvec points at trap_vector for every trap, from
 * user or kernel mode.
 *
 * Telling the two apart, and finding the CPU, with the sscratch scheme:
 *   - while a hart runs user code, sscratch = &cpus[i].ci_md and tp is the
 *     user's own (it will be the TLS pointer; the kernel must give it back
 *     unchanged);
 *   - while it runs the kernel, tp = &cpus[i].ci_md and sscratch = 0.
 * The first instruction swaps tp and sscratch.  If tp is now 0 we were in
 * the kernel (swap back and go on); otherwise tp is the CPU and sscratch
 * holds the user's tp until it is saved in the trap frame.
 *
 * A user trap saves every register in the process's trap frame (at the top
 * of its kernel stack; cpus[i].ci_md.md_utf points at it) and runs the C
 * handler on the kernel stack just below the frame.  A kernel trap pushes
 * a trap frame on the current kernel stack.
 */
#include <machine/md.h>

/* Registers saved by both paths: all but x0, sp (x2) and tp (x4). */
#define SAVE_GPRS(base) \
	.irp n, 1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31; \
	sd x\n, ((\n - 1) * 8)(base); \
	.endr

	.text
	.balign 4
	.globl trap_vector
trap_vector:
	csrrw tp, sscratch, tp
	beqz tp, kernel_entry

	/* From user mode: tp = &ci_md, sscratch = user tp. */
	sd sp, MDCPU_SCRATCH(tp)
	ld sp, MDCPU_UTF(tp)
	SAVE_GPRS(sp)
	ld t0, MDCPU_SCRATCH(tp)
	sd t0, TF_SP(sp)
	csrrw t0, sscratch, zero	/* sscratch = 0: we are in the kernel now */
	sd t0, TF_TP(sp)
	csrr t0, sepc
	sd t0, TF_SEPC(sp)
	csrr t0, sstatus
	sd t0, TF_SSTATUS(sp)
	csrr t0, scause
	sd t0, TF_SCAUSE(sp)
	csrr t0, stval
	sd t0, TF_STVAL(sp)
	li fp, 0			/* backtraces stop at the user boundary */
	mv a0, sp			/* the kernel stack continues below the frame */
	call user_trap			/* ends in trap_return_user */
	j .

kernel_entry:
	csrrw tp, sscratch, tp		/* tp = &ci_md again, sscratch = 0 */
	/*
	 * Would the trap frame land in the guard page under a kernel stack
	 * (kern/proc.c)?  Then pushing it would fault, and that fault's push
	 * too, for ever: go and report the overflow on a spare stack
	 * instead.  Only t0 is free, saved in md_scratch (unused while we are
	 * in the kernel).  In the kernel-stack area, an offset with bit
	 * KSTACK_SHIFT clear is in a guard.
	 */
	sd t0, MDCPU_SCRATCH(tp)
	li t0, KSTACK_AREA
	sub t0, sp, t0
	addi t0, t0, -(TF_SIZE + 16)
	srli t0, t0, KSTACK_AREA_SHIFT
	bnez t0, 1f			/* not in the area (a boot stack, say) */
	li t0, KSTACK_AREA
	sub t0, sp, t0
	addi t0, t0, -(TF_SIZE + 16)
	srli t0, t0, KSTACK_SHIFT
	andi t0, t0, 1
	beqz t0, kstack_overflow_entry
1:	ld t0, MDCPU_SCRATCH(tp)
	/*
	 * A trap frame plus a 16-byte frame record above it that makes the
	 * interrupted pc look like a caller, so md_backtrace walks from the
	 * handler into the interrupted code.
	 */
	addi sp, sp, -(TF_SIZE + 16)
	SAVE_GPRS(sp)
	sd tp, TF_TP(sp)
	addi t0, sp, TF_SIZE + 16
	sd t0, TF_SP(sp)
	csrr t0, sepc
	sd t0, TF_SEPC(sp)
	sd t0, (TF_SIZE + 8)(sp)	/* frame record: return address */
	sd fp, TF_SIZE(sp)		/* frame record: caller's fp */
	addi fp, sp, TF_SIZE + 16
	csrr t0, sstatus
	sd t0, TF_SSTATUS(sp)
	csrr t0, scause
	sd t0, TF_SCAUSE(sp)
	csrr t0, stval
	sd t0, TF_STVAL(sp)
	mv a0, sp
	call kernel_trap		/* returns with interrupts off */

	/*
	 * kernel_trap may have switched to other processes (preemption), which
	 * took traps of their own: sepc and sstatus come back from the frame.
	 * tp is NOT restored: this context may now run on another CPU.
	 */
	ld t0, TF_SEPC(sp)
	csrw sepc, t0
	ld t0, TF_SSTATUS(sp)
	csrw sstatus, t0
	.irp n, 1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld x\n, ((\n - 1) * 8)(sp)
	.endr
	addi sp, sp, TF_SIZE + 16
	sret

kstack_overflow_entry:
	mv a0, sp
	csrr a1, sepc
	csrr a2, stval
	ld sp, MDCPU_ESTACK(tp)
	call kstack_overflow_trap	/* panics */
	j .

/*
 * trap_return_user(tf): back to user mode with every register from tf.
 * Interrupts are off; tf->sstatus has SPP = 0 (user) and SPIE = 1.
 */
	.globl trap_return_user
trap_return_user:
	csrw sscratch, tp		/* for the next trap from user mode */
	ld t0, TF_SEPC(a0)
	csrw sepc, t0
	ld t0, TF_SSTATUS(a0)
	csrw sstatus, t0
	.irp n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	ld x\n, ((\n - 1) * 8)(a0)
	.endr
	ld a0, (9 * 8)(a0)		/* x10 last: it held the frame */
	sret
