/*
 * cxt_machdep.c: the RISC-V half of makecxt(2).  md_set_user_regs() turns
 * a regs_t (<machine/regs.h>) into the trap frame a new process starts
 * from (kern/makecxt.c calls it while the child is still SIDL).  The
 * thread pointer (tp) of __get_tcb(2)/__set_tcb(2) and the local segments
 * of MAKECXT_INSTALL_LOCAL_SEGMENTS are at the end.
 */
#include "riscv.h"
#include "systm.h"
#include "proc.h"
#include <machine/regs.h>
#include <aqua/context.h>	/* _AQUA_SEG_* */

_Static_assert(sizeof(unsigned long) == sizeof(register_t), "regs_t words are registers");
_Static_assert(sizeof(struct aqua_regs) == 32 * sizeof(register_t), "x1..x31 and pc");

/*
 * x1..x31 and the pc come from the caller's regs_t, tp included (the
 * thread pointer is an ordinary register here; MAKECXT_INSTALL_LOCAL_
 * SEGMENTS may set it from segs_conf later).  sstatus is the kernel's:
 * md_userret() rebuilds it on every return (user mode, interrupts on, no
 * FPU), so nothing in the frame can raise the child's privilege.  A pc
 * or sp outside user memory just makes the child fault and be killed.
 * User programs have no FPU state to reset.
 */
void
md_set_user_regs(struct proc *p, const struct aqua_regs *r)
{
	struct trapframe *tf = p->p_md.md_tf;

	memset(tf, 0, sizeof(*tf));
	tf->ra = r->ra;
	tf->sp = r->sp;
	tf->gp = r->gp;
	tf->tp = r->tp;
	tf->t0 = r->t0;
	tf->t1 = r->t1;
	tf->t2 = r->t2;
	tf->s0 = r->s0;
	tf->s1 = r->s1;
	tf->a0 = r->a0;
	tf->a1 = r->a1;
	tf->a2 = r->a2;
	tf->a3 = r->a3;
	tf->a4 = r->a4;
	tf->a5 = r->a5;
	tf->a6 = r->a6;
	tf->a7 = r->a7;
	tf->s2 = r->s2;
	tf->s3 = r->s3;
	tf->s4 = r->s4;
	tf->s5 = r->s5;
	tf->s6 = r->s6;
	tf->s7 = r->s7;
	tf->s8 = r->s8;
	tf->s9 = r->s9;
	tf->s10 = r->s10;
	tf->s11 = r->s11;
	tf->t3 = r->t3;
	tf->t4 = r->t4;
	tf->t5 = r->t5;
	tf->t6 = r->t6;
	tf->sepc = r->pc;
	tf->sstatus = SSTATUS_SPIE;	/* as setregs(); md_userret() rebuilds it anyway */
}

/*
 * ---- thread pointer and local segments ----------------------------------
 *
 * RISC-V has no segments at all.  The psABI reserves one general register,
 * tp (x4), as the thread pointer: a __thread variable is `tp + offset'.
 * The kernel never uses the user's tp (it keeps its own per-CPU pointer in
 * tp while it runs, and the user's in sscratch, then in the trap frame:
 * trapvec.S), so a thread's tp is simply one of its saved registers.
 */
vaddr_t
md_get_tcb(struct proc *p)
{
	return p->p_md.md_tf->tp;
}

void
md_set_tcb(struct proc *p, vaddr_t tcb)
{
	p->p_md.md_tf->tp = tcb;
}

/*
 * MAKECXT_INSTALL_LOCAL_SEGMENTS (stage local-segments).  The FS entry is
 * the thread pointer, the role FS plays on x86_64: it becomes tp (and wins
 * over cxt->registers' tp).  ES and GS have no counterpart here -- there is
 * no second thread register and no segment with a base -- so asking for
 * them is EINVAL: a program that relies on %gs-relative memory cannot get
 * it on this machine, and must not believe it did.
 */
int
md_check_local_segment(int seg, unsigned long base)
{
	/* SOLUTION BEGIN local-segments: only FS, as tp */
	if (seg != _AQUA_SEG_FS)
		return EINVAL;
	return base < USER_TOP ? 0 : EINVAL;
	/* SOLUTION ELSE local-segments */
	//> /*
	//>  * TODO(local-segments): which of ES, FS, GS has a counterpart on
	//>  * RISC-V, and which bases are acceptable?  0 or EINVAL.
	//>  */
	//> (void)seg;
	//> (void)base;
	//> return EINVAL;
	/* SOLUTION END local-segments */
}

void
md_set_local_segment(struct proc *p, int seg, unsigned long base)
{
	/* SOLUTION BEGIN local-segments: FS is tp */
	if (seg == _AQUA_SEG_FS)
		p->p_md.md_tf->tp = base;
	/* SOLUTION ELSE local-segments */
	//> /* TODO(local-segments): give p (not running yet) its thread pointer. */
	//> (void)p;
	//> (void)seg;
	//> (void)base;
	/* SOLUTION END local-segments */
}
