/*
 * cxt_machdep.c: the x86_64 half of makecxt(2).  md_set_user_regs() turns
 * a regs_t (<machine/regs.h>) into the trap frame a new process starts
 * from (kern/makecxt.c calls it while the child is still SIDL).  The
 * thread pointer (FS base) of __get_tcb(2)/__set_tcb(2) and the local
 * segments of MAKECXT_INSTALL_LOCAL_SEGMENTS are at the end.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "x86.h"
#include <machine/regs.h>
#include <aqua/context.h>	/* _AQUA_SEG_* */

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

/*
 * ---- thread pointer and local segments ----------------------------------
 *
 * In 64-bit mode the segment registers are mostly gone: CS still says
 * "user or kernel, 64-bit code", but the bases (and limits) of CS, DS, ES
 * and SS are treated as 0 whatever their descriptors say.  Only FS and GS
 * kept a base, and a 64-bit one: it lives in MSR_FS_BASE / MSR_GS_BASE,
 * not in the GDT (a descriptor has room for 32 bits only).  `%fs:8' then
 * means "8 bytes past the FS base", which is how C reaches __thread
 * variables (the FS base is the thread pointer of the x86_64 ABI).
 *
 * The kernel uses GS for itself (its per-CPU data), so the user's GS base
 * waits in MSR_KERNEL_GS_BASE while the kernel runs: swapgs exchanges the
 * two on every entry from user mode and every return (trapentry.S).
 * trap.c saves both user bases in the trap frame on entry and writes them
 * back just before the return, so a base is part of a thread's registers
 * like rip or rsp: it follows the thread to whichever CPU runs it next,
 * and whatever another thread did to the MSRs in between does not matter.
 * Setting a base here is therefore just a store into the frame.
 */
vaddr_t
md_get_tcb(struct proc *p)
{
	return p->p_md.md_tf->tf_fsbase;
}

void
md_set_tcb(struct proc *p, vaddr_t tcb)
{
	p->p_md.md_tf->tf_fsbase = tcb;
}

/*
 * MAKECXT_INSTALL_LOCAL_SEGMENTS (stage local-segments).  FS and GS take
 * any user address as their base (0 included: "no base").  ES has no base
 * in 64-bit mode, so the only base we can honestly install is the one the
 * CPU uses anyway, 0; any other is EINVAL rather than silently ignored.
 * A kernel address is EINVAL too: loads through it would fault, and a
 * non-canonical one could not be written to the MSR at all.
 */
int
md_check_local_segment(int seg, unsigned long base)
{
	/* SOLUTION BEGIN local-segments: what x86_64 long mode can install */
	switch (seg) {
	case _AQUA_SEG_ES:
		return base == 0 ? 0 : EINVAL;
	case _AQUA_SEG_FS:
	case _AQUA_SEG_GS:
		return base < USER_TOP ? 0 : EINVAL;
	default:
		return EINVAL;
	}
	/* SOLUTION ELSE local-segments */
	//> /*
	//>  * TODO(local-segments): which segments have a base in 64-bit mode,
	//>  * and which bases are acceptable?  0 or EINVAL.
	//>  */
	//> (void)seg;
	//> (void)base;
	//> return EINVAL;
	/* SOLUTION END local-segments */
}

void
md_set_local_segment(struct proc *p, int seg, unsigned long base)
{
	/* SOLUTION BEGIN local-segments: into the trap frame, like rip */
	struct trapframe *tf = p->p_md.md_tf;

	if (seg == _AQUA_SEG_FS)
		tf->tf_fsbase = base;
	else if (seg == _AQUA_SEG_GS)
		tf->tf_gsbase = base;	/* the *user* GS base: swapgs brings it in */
	/* ES: base 0 is what the CPU uses already; nothing to do. */
	/* SOLUTION ELSE local-segments */
	//> /*
	//>  * TODO(local-segments): give p (not running yet) the base.  Where
	//>  * does trap.c keep a thread's FS and GS bases while it is not in
	//>  * user mode?
	//>  */
	//> (void)p;
	//> (void)seg;
	//> (void)base;
	/* SOLUTION END local-segments */
}
