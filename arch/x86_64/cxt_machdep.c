/*
 * cxt_machdep.c: the x86_64 half of makecxt(2).  md_set_user_regs() turns
 * a regs_t (<machine/regs.h>) into the trap frame a new process starts
 * from (kern/makecxt.c calls it while the child is still SIDL).
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "x86.h"
#include <machine/regs.h>

_Static_assert(sizeof(unsigned long) == sizeof(register_t), "regs_t words are registers");

/*
 * Every general register and rip come from the caller's regs_t: the
 * return path is iretq, which restores them all (sysret would lose rcx
 * and r11).  What user mode may not choose is the kernel's: cs and ss
 * are the user selectors, rflags keeps only the user-changeable bits and
 * has interrupts on, and the FS/GS bases are 0 (setting them is
 * MAKECXT_INSTALL_LOCAL_SEGMENTS).  A non-canonical rip or rsp is caught
 * by the return path (prepare_user_return): the child gets a fault.
 *
 * The FPU/SSE state: cpu_fork() gave the child its parent's, which a
 * fresh context should not inherit.  cpu_switchto() loads it from the
 * fxsave image at the start of the child's first md_context, so reset
 * that image to what fninit and the default MXCSR leave: control word
 * 0x37f, every x87 register empty (abridged tag word 0), MXCSR 0x1f80.
 */
void
md_set_user_regs(struct proc *p, const struct aqua_regs *r)
{
	struct trapframe *tf = p->p_md.md_tf;
	uint8_t *fpu = p->p_ctx->ctx_fpu;
	uint16_t fcw = 0x37f;
	uint32_t mxcsr = 0x1f80;

	memset(tf, 0, sizeof(*tf));
	tf->tf_rax = r->rax;
	tf->tf_rbx = r->rbx;
	tf->tf_rcx = r->rcx;
	tf->tf_rdx = r->rdx;
	tf->tf_rsi = r->rsi;
	tf->tf_rdi = r->rdi;
	tf->tf_rbp = r->rbp;
	tf->tf_rsp = r->rsp;
	tf->tf_r8 = r->r8;
	tf->tf_r9 = r->r9;
	tf->tf_r10 = r->r10;
	tf->tf_r11 = r->r11;
	tf->tf_r12 = r->r12;
	tf->tf_r13 = r->r13;
	tf->tf_r14 = r->r14;
	tf->tf_r15 = r->r15;
	tf->tf_rip = r->rip;
	tf->tf_rflags = (r->rflags & PSL_USERCHANGE) | PSL_I | PSL_MBO;
	tf->tf_cs = GSEL_UCODE | SEL_UPL;
	tf->tf_ss = GSEL_UDATA | SEL_UPL;
	tf->tf_trapno = T_SYSCALL;

	memset(fpu, 0, sizeof(p->p_ctx->ctx_fpu));
	memcpy(fpu + 0, &fcw, sizeof(fcw));		/* FCW */
	memcpy(fpu + 24, &mxcsr, sizeof(mxcsr));	/* MXCSR */
}
