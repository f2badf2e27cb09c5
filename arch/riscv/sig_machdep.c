/*
 * sig_machdep.c: the RISC-V half of signals and ptrace (md.h): signal
 * frames (sendsig / md_sigreturn), registers for ptrace (process_read_regs /
 * process_write_regs) and single-step.
 *
 * The signal frame is a struct sigctx (every register and the mask to
 * restore) on the user stack, 16-byte aligned as the psABI wants sp.  The
 * handler starts with a0 = sig, sp = the frame and ra = the trampoline;
 * its return lands there with sp back at the frame, and the trampoline
 * passes sp to sigreturn(2).  There is no FPU state to save: user code
 * runs with sstatus.FS = Off (md_userret).
 *
 * Single-step: RISC-V has no trace flag in S-mode/U-mode (the debug
 * spec's single-step belongs to an external debugger).  process_sstep
 * decodes the instruction at pc instead and says where execution can go
 * next; kern/ptrace.c puts an ebreak there (two places for a conditional
 * branch: both outcomes) and takes them out at the trap.
 */
#include "riscv.h"
#include "systm.h"
#include "proc.h"
#include <machine/reg.h>

struct sigctx {
	struct reg	sc_reg;
	uint64_t	sc_mask;
};

static void
tf_to_reg(const struct trapframe *tf, struct reg *r)
{
	memcpy(r->r_x, &tf->ra, sizeof(r->r_x));	/* x1..x31 are in order */
	r->r_pc = tf->sepc;
}

/*
 * Only x1..x31 and pc come from user-chosen bytes: sstatus is not in
 * struct reg, and md_userret() forces SPP = user (and SIE/SUM/FS off)
 * on every return, so nothing here reaches S-mode.
 */
static void
reg_to_tf(const struct reg *r, struct trapframe *tf)
{
	memcpy(&tf->ra, r->r_x, sizeof(r->r_x));
	tf->sepc = r->r_pc;
}

_Static_assert(__builtin_offsetof(struct trapframe, t6) -
    __builtin_offsetof(struct trapframe, ra) == 30 * 8, "x1..x31 contiguous");

int
sendsig(struct proc *p, int sig, vaddr_t handler, vaddr_t tramp, unsigned int mask)
{
	struct trapframe *tf = p->p_md.md_tf;
	struct sigctx sc;
	vaddr_t sp;

	sp = (tf->sp - sizeof(sc)) & ~(vaddr_t)15;
	if (sp >= USER_TOP || sp > (vaddr_t)tf->sp)
		return EFAULT;
	tf_to_reg(tf, &sc.sc_reg);
	sc.sc_mask = mask;
	if (copyout(p, sp, &sc, sizeof(sc)) != 0)
		return EFAULT;
	tf->sepc = handler;
	tf->sp = sp;
	tf->ra = tramp;
	tf->a0 = sig;
	tf->a1 = 0;
	tf->a2 = sp;				/* the context, for handlers that want it */
	return 0;
}

int
md_sigreturn(struct proc *p, vaddr_t ctx, unsigned int *maskp)
{
	struct sigctx sc;

	if (copyin(p, &sc, ctx, sizeof(sc)) != 0)
		return EFAULT;
	reg_to_tf(&sc.sc_reg, p->p_md.md_tf);
	*maskp = (unsigned int)sc.sc_mask;
	return 0;
}

void
process_read_regs(struct proc *p, struct reg *r)
{
	tf_to_reg(p->p_md.md_tf, r);
}

int
process_write_regs(struct proc *p, const struct reg *r)
{
	reg_to_tf(r, p->p_md.md_tf);
	return 0;
}

/* ---- single step by decoding ------------------------------------------- */

static register_t
xreg(struct trapframe *tf, int n)
{
	return n == 0 ? 0 : (&tf->ra)[n - 1];
}

/* Sign-extend the low `bits' bits of v. */
static int64_t
sext(uint64_t v, int bits)
{
	return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

/*
 * Where can the instruction at pc go?  The fall-through, a jump's
 * target, or both for a conditional branch.  Jumps through a register
 * (jalr, c.jr, c.jalr) read it from the trap frame: the process is
 * stopped, so it cannot change before the step.
 */
int
process_sstep(struct proc *p, int on, vaddr_t next[2])
{
	struct trapframe *tf = p->p_md.md_tf;
	vaddr_t pc = tf->sepc;
	uint32_t i = 0;

	if (!on)
		return 0;			/* kern/ptrace.c removes the breakpoints */
	if (ptrace_peek(p, pc, &i, 2) != 0)
		return -1;
	if ((i & 3) != 3) {
		/* A compressed (16-bit) instruction. */
		int quadrant = i & 3, funct3 = (i >> 13) & 7;
		next[0] = pc + 2;
		if (quadrant == 1 && funct3 == 5) {		/* c.j */
			uint64_t off = ((i >> 12) & 1) << 11 | ((i >> 11) & 1) << 4 |
			    ((i >> 9) & 3) << 8 | ((i >> 8) & 1) << 10 | ((i >> 7) & 1) << 6 |
			    ((i >> 6) & 1) << 7 | ((i >> 3) & 7) << 1 | ((i >> 2) & 1) << 5;
			next[0] = pc + sext(off, 12);
			return 1;
		}
		if (quadrant == 1 && (funct3 == 6 || funct3 == 7)) {	/* c.beqz, c.bnez */
			uint64_t off = ((i >> 12) & 1) << 8 | ((i >> 10) & 3) << 3 |
			    ((i >> 5) & 3) << 6 | ((i >> 3) & 3) << 1 | ((i >> 2) & 1) << 5;
			next[1] = pc + sext(off, 9);
			return 2;
		}
		if (quadrant == 2 && funct3 == 4) {		/* c.jr, c.jalr */
			int rs1 = (i >> 7) & 0x1f, rs2 = (i >> 2) & 0x1f;
			if (rs2 == 0 && rs1 != 0) {
				next[0] = xreg(tf, rs1) & ~(vaddr_t)1;
				return 1;
			}
		}
		return 1;
	}
	if (ptrace_peek(p, pc, &i, 4) != 0)
		return -1;
	next[0] = pc + 4;
	switch (i & 0x7f) {
	case 0x6f: {					/* jal */
		uint64_t off = ((i >> 31) & 1) << 20 | ((i >> 21) & 0x3ff) << 1 |
		    ((i >> 20) & 1) << 11 | ((i >> 12) & 0xff) << 12;
		next[0] = pc + sext(off, 21);
		return 1;
	}
	case 0x67:					/* jalr */
		next[0] = (xreg(tf, (i >> 15) & 0x1f) + sext(i >> 20, 12)) & ~(vaddr_t)1;
		return 1;
	case 0x63: {					/* beq, bne, blt, bge, bltu, bgeu */
		uint64_t off = ((i >> 31) & 1) << 12 | ((i >> 25) & 0x3f) << 5 |
		    ((i >> 8) & 0xf) << 1 | ((i >> 7) & 1) << 11;
		next[1] = pc + sext(off, 13);
		return 2;
	}
	}
	return 1;
}

/* ebreak, or c.ebreak in the place of a compressed instruction (2 bytes). */
int
md_breakpoint(uint32_t orig, uint32_t *bpt)
{
	if ((orig & 3) != 3) {
		*bpt = 0x9002;
		return 2;
	}
	*bpt = 0x00100073;
	return 4;
}
