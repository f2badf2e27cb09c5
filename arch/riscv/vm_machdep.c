/*
 * Process contexts: a new process's kernel stack (cpu_fork), the context
 * switch and exec's fresh user registers (setregs).  The way back to
 * user mode (md_userret) is in trap.c, as on x86_64.
 *
 * A process's kernel stack (KSTACK_SIZE bytes at p_kstack):
 *
 *   p_kstack + KSTACK_SIZE -> +---------------------+
 *                             | struct trapframe    |  p_md.md_tf: user registers
 *                             +---------------------+
 *                             | struct md_context   |  p_ctx, first switch only
 *                             +---------------------+
 *                             | kernel stack ...    |
 */
#include "riscv.h"
#include "systm.h"
#include "proc.h"
#include "vm.h"

void
cpu_fork(struct proc *p1, struct proc *p2, void (*func)(void *), void *arg)
{
	struct trapframe *tf;
	struct md_context *ctx;

	tf = (struct trapframe *)(p2->p_kstack + KSTACK_SIZE) - 1;
	p2->p_md.md_tf = tf;
	if (p1 != NULL && p1->p_vmspace != NULL && p1->p_md.md_tf != NULL)
		*tf = *p1->p_md.md_tf;		/* the child resumes as a copy */
	else
		memset(tf, 0, sizeof(*tf));

	ctx = (struct md_context *)tf - 1;
	memset(ctx, 0, sizeof(*ctx));
	ctx->ra = (register_t)fork_trampoline;
	ctx->s0 = 0;				/* ends backtraces */
	ctx->s1 = (register_t)func;
	ctx->s2 = (register_t)arg;
	p2->p_ctx = ctx;
}

/*
 * Switch kernel contexts.  When a process gives the CPU back to the
 * scheduler, the CPU drops to the kernel's page table first: then a CPU
 * has a user pmap loaded only while it runs a process of that address
 * space, and pmap_destroy() never frees tables another CPU still uses.
 */
void
cpu_switchto(struct md_context **from, struct md_context *to)
{
	if (to == curcpu()->ci_schedctx)
		pmap_deactivate();
	switch_context(from, to);
}

void
setregs(struct proc *p, vaddr_t entry, vaddr_t sp, register_t arg0, register_t arg1)
{
	struct trapframe *tf = p->p_md.md_tf;

	memset(tf, 0, sizeof(*tf));
	tf->sepc = entry;
	tf->sp = sp;
	tf->a0 = arg0;
	tf->a1 = arg1;
	tf->tp = 0;				/* no TLS yet */
	tf->gp = 0;				/* user code is linked -mno-relax */
	tf->sstatus = SSTATUS_SPIE;		/* SPP = 0: sret goes to user mode */
}

