/*
 * ptrace(2): process tracing, for debuggers (user/bin/dbg).
 *
 * The rules (OpenBSD's, made simpler by one choice: a tracer is always
 * the traced process's parent, so tracing never reparents anything):
 *   - PT_TRACE_ME: the caller asks its parent to trace it;
 *     PT_ATTACH: a parent starts tracing one of its children (which gets
 *     SIGSTOP, so the parent's waitpid() sees it stop);
 *     fork1(FORK_PTRACE) (rfork1(2)): the child starts traced.
 *   - A traced process stops at every signal it would take (SIGKILL
 *     aside), and with SIGTRAP after an exec, at a breakpoint and after a
 *     single step.  Its parent sees each stop with waitpid(): WIFSTOPPED,
 *     WSTOPSIG.  Only then may the tracer look at it (registers, memory)
 *     and resume it (PT_CONTINUE, PT_STEP, PT_DETACH) with a signal of its
 *     choice, or 0 for none.
 *   - Errors: EPERM when the caller is not the parent (or the tracer), or
 *     the target is a system process or init; EBUSY when it is traced
 *     already (attach) or not stopped (other requests); ESRCH when there
 *     is no such live process; EINVAL for a bad request or signal.
 *
 * Writing to the traced process's memory (PT_WRITE_D, breakpoints) works
 * as in gdb: the text is read-only and, after fork, shared with the parent,
 * so the page written gets a private copy for the traced process only.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "page.h"
#include "syscall.h"
#include <aqua/ptrace.h>
#include <machine/reg.h>

/*
 * Copy between the kernel and the memory of t, one page at a time.  t
 * does not run meanwhile: it is stopped for its tracer, or it is the
 * current process, or a child fork1 has not let run yet (ptrace_fork).
 * A write to a page that is shared (copy-on-write after fork, or text
 * shared with the parent) first gives t a private copy, which keeps the
 * page's protection: text stays read-only and executable for t's own
 * accesses.
 */
static int
pt_copy(struct proc *t, vaddr_t va, void *kbuf, size_t len, int write)
{
	struct vmspace *vm = t->p_vmspace;
	char *k = kbuf;
	int error = 0;

	KASSERT(t->p_stat == SSTOP || t->p_stat == SIDL || t == curproc());
	if (vm == NULL || !user_range_ok(va, len))
		return EFAULT;
	sleeplock_acquire(&vm->vm_lock);
	while (len > 0) {
		vaddr_t page = PGROUNDDOWN(va);
		size_t n = MIN(len, PAGE_SIZE - (va - page));
		paddr_t pa, npa;
		int prot;

		/* A poke must not show in another address space that shares the page table. */
		if (write && pmap_unshare(vm->vm_pmap, page, page + PAGE_SIZE) != 0) {
			error = ENOMEM;
			break;
		}
		if (!pmap_extract(vm->vm_pmap, page, &pa, &prot) || !(prot & VM_PROT_USER)) {
			error = EFAULT;
			break;
		}
		pa = PGROUNDDOWN(pa);
		if (write && page_refcount(pa) > 1) {
			if ((npa = page_alloc()) == 0) {
				error = ENOMEM;
				break;
			}
			memcpy(PA_TO_PTR(npa), PA_TO_PTR(pa), PAGE_SIZE);
			if (pmap_enter(vm->vm_pmap, page, npa, prot) != 0) {
				page_unref(npa);
				error = ENOMEM;
				break;
			}
			/*
			 * The old page is no longer t's: a shareable page's
			 * record must forget t, or it would list t's address
			 * space for good (and the page, once freed, would
			 * still look shareable to whoever gets it next).
			 */
			vmap_page_replaced(vm, page, pa);
			pa = npa;
		}
		char *kva = (char *)PA_TO_PTR(pa) + (va - page);
		if (write)
			memmove(kva, k, n);
		else
			memmove(k, kva, n);
		va += n;
		k += n;
		len -= n;
	}
	sleeplock_release(&vm->vm_lock);
	return error;
}

int
ptrace_peek(struct proc *t, vaddr_t va, void *dst, size_t len)
{
	return pt_copy(t, va, dst, len, 0);
}

int
ptrace_poke(struct proc *t, vaddr_t va, const void *src, size_t len)
{
	return pt_copy(t, va, (void *)src, len, 1);
}

/* Put back what the single-step breakpoints replaced (t stopped, or t itself). */
static void
step_remove(struct proc *t)
{
	struct sigstate *ps = &t->p_sig;

	KASSERT(t->p_stat == SSTOP || t == curproc());
	for (int i = ps->ps_nstepbp - 1; i >= 0; i--)
		(void)ptrace_poke(t, ps->ps_stepbp_va[i], &ps->ps_stepbp_orig[i],
		    ps->ps_stepbp_len[i]);
	ps->ps_nstepbp = 0;
}

/*
 * fork1, after cpu_fork, before the child can run: the child does not
 * inherit its parent's single step.  On x86_64 the step is the trap flag
 * in the frame the child copied; on RISC-V it is breakpoints in memory,
 * and a child with a copy of that memory hit them untraced and died of
 * SIGTRAP.  Put the original instructions back in the child's copy
 * (ptrace_poke gives it a private page, so the parent's step stays).  A
 * child that shares the memory (FORK_SHAREVM) shares the breakpoints as
 * well; they stay, for the parent's step (ptrace(2), BUGS).  A failed
 * restore (no memory for the private page) leaves that breakpoint: the
 * child then dies of SIGTRAP, as a program does at any breakpoint.
 */
void
ptrace_fork(struct proc *p1, struct proc *p2)
{
	struct sigstate *ps = &p1->p_sig;

	KASSERT(p2->p_stat == SIDL);
	if (p1 == NULL || p1->p_vmspace == NULL || p2->p_md.md_tf == NULL)
		return;
	(void)process_sstep(p2, 0, NULL);
	if (p2->p_vmspace == p1->p_vmspace)
		return;
	for (int i = ps->ps_nstepbp - 1; i >= 0; i--)
		(void)ptrace_poke(p2, ps->ps_stepbp_va[i], &ps->ps_stepbp_orig[i],
		    ps->ps_stepbp_len[i]);
}

/* exec: the breakpoints were in the old image, which is gone. */
void
ptrace_exec(struct proc *p)
{
	p->p_sig.ps_nstepbp = 0;
}

/*
 * A SIGTRAP in p (the current process): when it is one of our PT_STEP
 * breakpoints, the step is over: take them all out.  The pc stays at the
 * breakpoint (ebreak does not advance it), which is the next instruction.
 */
int
ptrace_trapped(struct proc *p)
{
	struct sigstate *ps = &p->p_sig;
	vaddr_t pc = tf_pc(PROC_TRAPFRAME(p));
	int ours = 0;

	for (int i = 0; i < ps->ps_nstepbp; i++)
		if (ps->ps_stepbp_va[i] == pc)
			ours = 1;
	if (ours)
		step_remove(p);
	return ours;
}

/* SOLUTION BEGIN ptrace: single step, by the trap flag or by breakpoints */
/*
 * Arm a single step of t.  The port either has a trace flag (x86_64: the
 * CPU traps after one instruction) or tells us where the next instruction
 * can be (RISC-V: the fall-through and, for a branch, its target), and we
 * put a breakpoint at each of those places.
 */
static int
step_arm(struct proc *t)
{
	struct sigstate *ps = &t->p_sig;
	vaddr_t next[2];
	int n = process_sstep(t, 1, next), error;

	if (n < 0)
		return EFAULT;
	for (int i = 0; i < n; i++) {
		uint32_t orig = 0, bpt;
		int len;
		if (i == 1 && next[1] == next[0])
			break;
		if ((error = ptrace_peek(t, next[i], &orig, 2)) != 0 ||
		    ((orig & 3) == 3 && (error = ptrace_peek(t, next[i], &orig, 4)) != 0)) {
			step_remove(t);
			return error;
		}
		len = md_breakpoint(orig, &bpt);
		if ((error = ptrace_poke(t, next[i], &bpt, len)) != 0) {
			step_remove(t);
			return error;
		}
		ps->ps_stepbp_va[ps->ps_nstepbp] = next[i];
		ps->ps_stepbp_orig[ps->ps_nstepbp] = orig;
		ps->ps_stepbp_len[ps->ps_nstepbp] = len;
		ps->ps_nstepbp++;
	}
	return 0;
}
/* SOLUTION END ptrace */

/* PT_TRACE_ME: trace me, parent. */
static int
ptrace_traceme(struct proc *p)
{
	int error = 0;

	spinlock_acquire(&proc_lock);
	if (p->p_flag & P_TRACED)
		error = EBUSY;
	else if (p == initproc || p->p_pptr == NULL || (p->p_pptr->p_flag & P_SYSTEM))
		error = EPERM;		/* nobody to trace us */
	else
		p->p_flag |= P_TRACED;
	spinlock_release(&proc_lock);
	return error;
}

/* May p make request req of t?  proc_lock held. */
static int
ptrace_check(struct proc *p, int req, struct proc *t)
{
	KASSERT(spinlock_holding(&proc_lock));
	if (t == NULL || t->p_stat == SZOMB || (t->p_flag & P_WEXIT))
		return ESRCH;
	if ((t->p_flag & P_SYSTEM) || t == initproc)
		return EPERM;
	if (req == PT_ATTACH) {
		if (t == p)
			return EINVAL;
		if (t->p_pptr != p)
			return EPERM;
		if (t->p_flag & P_TRACED)
			return EBUSY;
		return 0;
	}
	if (!(t->p_flag & P_TRACED) || t->p_pptr != p)
		return EPERM;
	if (req == PT_KILL)
		return 0;
	if (t->p_stat != SSTOP || !t->p_sig.ps_tracestop)
		return EBUSY;
	return 0;
}

int
sys_ptrace(struct proc *p, const register_t *args, register_t *retval)
{
	int req = SCARG_INT(args, 0);
	pid_t pid = SCARG_INT(args, 1);
	vaddr_t addr = SCARG_PTR(args, 2);
	int data = SCARG_INT(args, 3);
	struct proc *t;
	struct reg regs;
	int error = 0, resume = 0;
	uint32_t word = (uint32_t)data;

	switch (req) {
	case PT_TRACE_ME:
		return ptrace_traceme(p);
	case PT_ATTACH: case PT_KILL: case PT_GETREGS:
	case PT_READ_I: case PT_READ_D: case PT_WRITE_I: case PT_WRITE_D:
		break;
	case PT_SETREGS:
		if ((error = copyin(p, &regs, addr, sizeof(regs))) != 0)
			return error;
		break;
	case PT_CONTINUE: case PT_STEP: case PT_DETACH:
		if (data < 0 || data >= NSIG)
			return EINVAL;
		resume = 1;
		break;
	default:
		return EINVAL;
	}

	spinlock_acquire(&proc_lock);
	t = pfind(pid);
	if ((error = ptrace_check(p, req, t)) != 0) {
		spinlock_release(&proc_lock);
		return error;
	}
	switch (req) {
	case PT_ATTACH:
		t->p_flag |= P_TRACED;
		psignal_locked(t, SIGSTOP);
		spinlock_release(&proc_lock);
		return 0;
	case PT_KILL:
		psignal_locked(t, SIGKILL);
		spinlock_release(&proc_lock);
		return 0;
	case PT_GETREGS:
		process_read_regs(t, &regs);
		spinlock_release(&proc_lock);
		return copyout(p, addr, &regs, sizeof(regs));
	case PT_SETREGS:
		error = process_write_regs(t, &regs);
		spinlock_release(&proc_lock);
		return error;
	}

	/*
	 * The other requests touch t's memory, which takes sleep locks: let
	 * go of proc_lock, but keep t stopped meanwhile (ps_ptbusy makes even
	 * a SIGKILL wait until we are done; it is applied below).
	 */
	t->p_sig.ps_ptbusy++;
	spinlock_release(&proc_lock);
	if (resume)
		step_remove(t);		/* a step that ended some other way */
	switch (req) {
	/* SOLUTION BEGIN ptrace: t's memory, and its single step */
	case PT_READ_I:
	case PT_READ_D:
		error = ptrace_peek(t, addr, &word, sizeof(word));
		/*
		 * The word zero-extended: no value can look like an error to
		 * the user stub; ptrace() returns it as an int.
		 */
		retval[0] = word;
		break;
	case PT_WRITE_I:
	case PT_WRITE_D:
		error = ptrace_poke(t, addr, &word, sizeof(word));	/* through a private copy */
		break;
	case PT_STEP:
		error = step_arm(t);
		break;
	/* SOLUTION ELSE ptrace */
	//> case PT_READ_I: case PT_READ_D: case PT_WRITE_I: case PT_WRITE_D: case PT_STEP:
	//> 	/*
	//> 	 * TODO(ptrace): read the int at addr in t (ptrace_peek) and return
	//> 	 * it; write data at addr in t only (ptrace_poke); arm a single
	//> 	 * step (step_arm).
	//> 	 */
	//> 	(void)word;
	//> 	error = EINVAL;
	//> 	break;
	/* SOLUTION END ptrace */
	default:
		(void)process_sstep(t, 0, NULL);	/* continue, detach: no step */
		break;
	}

	spinlock_acquire(&proc_lock);
	KASSERT(t->p_sig.ps_ptbusy > 0);
	t->p_sig.ps_ptbusy--;
	if (resume && error == 0) {
		if (addr != 1)
			tf_set_pc(PROC_TRAPFRAME(t), addr);
		if (req == PT_DETACH)
			t->p_flag &= ~P_TRACED;
		t->p_sig.ps_xsig = data;	/* the signal it takes now, or 0 */
		t->p_stat = SRUN;
	} else if (t->p_killed && t->p_stat == SSTOP && t->p_sig.ps_ptbusy == 0) {
		t->p_stat = SRUN;		/* a SIGKILL came while we worked */
	}
	spinlock_release(&proc_lock);
	return error;
}
