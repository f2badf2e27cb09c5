/*
 * vm_machdep.c: new kernel contexts (cpu_fork), the context switch
 * (cpu_switchto) and exec's fresh user registers (setregs).  The way
 * back to user mode (md_userret) is in trap.c, as on RISC-V.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "x86.h"

extern void fork_trampoline(void);
void	fxsave_to(void *area);

/*
 * p2's kernel stack after cpu_fork, from the top down:
 *
 *   struct trapframe     p2->p_md.md_tf: a copy of p1's user frame, or zeros
 *   struct md_context    what switch_context pops: FPU state, rbx = func,
 *                        r12 = arg, rbp = 0, rip = fork_trampoline
 *
 * The trap frame is always there, so exec can turn a kernel thread into
 * a user process (setregs fills it in).  The FPU state is p1's current
 * one: the kernel does not use the FPU, so the registers still hold the
 * state of p1's user program.
 */
void
cpu_fork(struct proc *p1, struct proc *p2, void (*func)(void *), void *arg)
{
	char *top = p2->p_kstack + KSTACK_SIZE;
	struct trapframe *tf = (struct trapframe *)(top - sizeof(*tf));
	struct md_context *ctx = (struct md_context *)((char *)tf - sizeof(*ctx));

	if (p1 != NULL && p1->p_vmspace != NULL && p1->p_md.md_tf != NULL)
		*tf = *p1->p_md.md_tf;
	else
		memset(tf, 0, sizeof(*tf));
	p2->p_md.md_tf = tf;

	memset(ctx, 0, sizeof(*ctx));
	fxsave_to(ctx->ctx_fpu);
	ctx->ctx_rbx = (uint64_t)func;
	ctx->ctx_r12 = (uint64_t)arg;
	ctx->ctx_rbp = 0;
	ctx->ctx_rip = (uint64_t)fork_trampoline;
	p2->p_ctx = ctx;
}

/*
 * Switch kernel contexts (switch.S saves and restores the registers and
 * the FPU state).  Unlike RISC-V, nothing is done about the user page
 * tables here: a CPU may keep a user pmap loaded while it runs the
 * scheduler, and pmap_destroy() leaves the freeing of the tables to the
 * last CPU that switches away from them (pmap.c, pm_dead).
 */
void
cpu_switchto(struct md_context **from, struct md_context *to)
{
	switch_context(from, to);
}

/*
 * exec: registers for a new program.  The System V convention puts
 * argc/argv in rdi/rsi for us (crt0 reads them there); all other
 * registers are zero, interrupts on, the user's FS/GS bases 0, and the
 * FPU/SSE state reset (fninit, default MXCSR).
 */
void
setregs(struct proc *p, vaddr_t entry, vaddr_t sp, register_t arg0, register_t arg1)
{
	struct trapframe *tf = p->p_md.md_tf;
	uint32_t mxcsr = 0x1f80;

	memset(tf, 0, sizeof(*tf));
	tf->tf_rip = entry;
	tf->tf_rsp = sp;
	tf->tf_rdi = arg0;
	tf->tf_rsi = arg1;
	tf->tf_cs = GSEL_UCODE | SEL_UPL;
	tf->tf_ss = GSEL_UDATA | SEL_UPL;
	tf->tf_rflags = PSL_I | PSL_MBO;
	tf->tf_trapno = T_SYSCALL;
	if (p == curproc()) {
		__asm__ volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
	}
}
