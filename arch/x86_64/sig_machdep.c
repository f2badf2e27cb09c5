/*
 * sig_machdep.c: the x86_64 half of signals and ptrace (md.h): signal
 * frames (sendsig / md_sigreturn), registers for ptrace (process_read_regs /
 * process_write_regs) and single-step with the trap flag.
 *
 * The signal frame, on the user stack below the 128-byte red zone that
 * the System V ABI lets leaf functions use without moving %rsp:
 *
 *   sp + 0      return address = the trampoline (__sigtramp in libc)
 *   sp + 8      struct sigctx: every register (struct reg), the mask to
 *               restore, and the FPU/SSE state (fxsave image)
 *
 * The handler starts with %rsp = sp, which is 8 mod 16, exactly as after
 * a call instruction; its `ret' goes to the trampoline with %rsp at the
 * sigctx, and the trampoline passes that to sigreturn(2).
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "x86.h"
#include <machine/reg.h>

struct sigctx {
	struct reg	sc_reg;
	uint64_t	sc_mask;
	uint8_t		sc_fpu[512];	/* fxsave image */
};

#define FXSAVE_MXCSR	24		/* offset of MXCSR in the fxsave image */
#define MXCSR_SAFE	0xffbf		/* bits fxrstor accepts on every CPU we run on */

static void
tf_to_reg(const struct trapframe *tf, struct reg *r)
{
	memset(r, 0, sizeof(*r));
	r->r_rax = tf->tf_rax; r->r_rbx = tf->tf_rbx; r->r_rcx = tf->tf_rcx;
	r->r_rdx = tf->tf_rdx; r->r_rsi = tf->tf_rsi; r->r_rdi = tf->tf_rdi;
	r->r_rbp = tf->tf_rbp; r->r_rsp = tf->tf_rsp;
	r->r_r8 = tf->tf_r8; r->r_r9 = tf->tf_r9; r->r_r10 = tf->tf_r10;
	r->r_r11 = tf->tf_r11; r->r_r12 = tf->tf_r12; r->r_r13 = tf->tf_r13;
	r->r_r14 = tf->tf_r14; r->r_r15 = tf->tf_r15;
	r->r_rip = tf->tf_rip;
	r->r_rflags = tf->tf_rflags;
	r->r_cs = tf->tf_cs;
	r->r_ss = tf->tf_ss;
	r->r_fs_base = tf->tf_fsbase;
	r->r_gs_base = tf->tf_gsbase;
}

/*
 * Load user-chosen registers into a trap frame.  What user mode must not
 * choose stays the kernel's: cs and ss are the user selectors (ring 3),
 * rflags keeps only the user-changeable bits (no IOPL, interrupts on).
 * A non-canonical rip, rsp or base faults in prepare_user_return(), in
 * user mode's name, never in the kernel's.
 */
static void
reg_to_tf(const struct reg *r, struct trapframe *tf)
{
	tf->tf_rax = r->r_rax; tf->tf_rbx = r->r_rbx; tf->tf_rcx = r->r_rcx;
	tf->tf_rdx = r->r_rdx; tf->tf_rsi = r->r_rsi; tf->tf_rdi = r->r_rdi;
	tf->tf_rbp = r->r_rbp; tf->tf_rsp = r->r_rsp;
	tf->tf_r8 = r->r_r8; tf->tf_r9 = r->r_r9; tf->tf_r10 = r->r_r10;
	tf->tf_r11 = r->r_r11; tf->tf_r12 = r->r_r12; tf->tf_r13 = r->r_r13;
	tf->tf_r14 = r->r_r14; tf->tf_r15 = r->r_r15;
	tf->tf_rip = r->r_rip;
	tf->tf_rflags = (r->r_rflags & PSL_USERCHANGE) | PSL_I | PSL_MBO;
	tf->tf_cs = GSEL_UCODE | SEL_UPL;
	tf->tf_ss = GSEL_UDATA | SEL_UPL;
	tf->tf_fsbase = r->r_fs_base;
	tf->tf_gsbase = r->r_gs_base;
}

int
sendsig(struct proc *p, int sig, vaddr_t handler, vaddr_t tramp, unsigned int mask)
{
	struct trapframe *tf = p->p_md.md_tf;
	struct sigctx sc __attribute__((aligned(16)));
	uint8_t fpu[512] __attribute__((aligned(16)));
	uint64_t ret = tramp;
	vaddr_t sp;

	sp = tf->tf_rsp - 128 - sizeof(struct sigctx);
	sp &= ~(vaddr_t)15;			/* sigctx 16-aligned */
	sp -= 8;				/* the return address: sp = 8 mod 16 */
	if (sp >= USER_TOP || sp > tf->tf_rsp)
		return EFAULT;

	/* The FPU registers still hold p's state: the kernel never uses them. */
	__asm__ volatile("fxsave64 %0" : "=m"(fpu));
	tf_to_reg(tf, &sc.sc_reg);
	sc.sc_mask = mask;
	memcpy(sc.sc_fpu, fpu, sizeof(fpu));
	if (copyout(p, sp + 8, &sc, sizeof(sc)) != 0 ||
	    copyout(p, sp, &ret, sizeof(ret)) != 0)
		return EFAULT;

	tf->tf_rip = handler;
	tf->tf_rsp = sp;
	tf->tf_rdi = sig;
	tf->tf_rsi = 0;
	tf->tf_rdx = sp + 8;			/* the context, for handlers that want it */
	tf->tf_rflags &= ~(PSL_T | PSL_D | PSL_AC);	/* the ABI wants DF clear at a call */
	return 0;
}

/*
 * sigreturn(ctx): everything in *ctx was written by user code, so it is
 * validated as PT_SETREGS input is (reg_to_tf), and MXCSR's reserved bits
 * are cleared: fxrstor would fault in the kernel on them.
 */
int
md_sigreturn(struct proc *p, vaddr_t ctx, unsigned int *maskp)
{
	struct trapframe *tf = p->p_md.md_tf;
	struct sigctx sc __attribute__((aligned(16)));
	uint8_t fpu[512] __attribute__((aligned(16)));
	uint32_t mxcsr;

	if (copyin(p, &sc, ctx, sizeof(sc)) != 0)
		return EFAULT;
	reg_to_tf(&sc.sc_reg, tf);
	memcpy(fpu, sc.sc_fpu, sizeof(fpu));
	memcpy(&mxcsr, fpu + FXSAVE_MXCSR, sizeof(mxcsr));
	mxcsr &= MXCSR_SAFE;
	memcpy(fpu + FXSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
	__asm__ volatile("fxrstor64 %0" : : "m"(fpu));
	*maskp = (unsigned int)sc.sc_mask;
	return 0;
}

/* ptrace: p is stopped; its registers are its trap frame. */
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

/* The trap flag: the CPU raises a debug exception after one user instruction. */
int
process_sstep(struct proc *p, int on, vaddr_t next[2])
{
	(void)next;
	if (on)
		p->p_md.md_tf->tf_rflags |= PSL_T;
	else
		p->p_md.md_tf->tf_rflags &= ~PSL_T;
	return 0;
}

/* int3 (0xcc); after it traps, rip is one past it. */
int
md_breakpoint(uint32_t orig, uint32_t *bpt)
{
	(void)orig;
	*bpt = 0xcc;
	return 1;
}
