/*
 * makecxt(2): create a new process from pages of the caller and a set of
 * registers (docs/man/makecxt.2; the labs of the "contexts" assignment).
 *
 *	pid_t makecxt(void *destination, void *src, size_t refsize,
 *	    const struct aqua_makecxt_data *cxt, pid_t pid, int flags);
 *
 * The pages that hold [src, src + refsize) in the caller appear at
 * destination in the new process, which has nothing else: no text, heap
 * or stack of the caller but what the range holds.  It starts with
 * cxt->registers, or with the caller's own registers (MAKECXT_COPY_CONTEXT,
 * where NULL, NULL, (size_t)-1 means the whole address space, as fork).
 *
 * The shape is fork1(9)'s: everything that can fail happens before the
 * new process becomes visible, and each failure undoes what came before.
 *   1. check the arguments and copy cxt in (EINVAL, EFAULT, EEXIST);
 *   2. build the new address space: a fresh vmspace with a copy of every
 *      page of the range at its new place (ENOMEM; with
 *      MAKECXT_FIXED_MOVE a page that is not there is EAGAIN);
 *   3. fork1(p, FORK_IDLE, ...): a child that will not run yet (SIDL),
 *      our child, with a copy of our descriptor table (EAGAIN, ENOMEM);
 *   4. while it cannot run: replace its address space by ours of step 2,
 *      set its registers (caught signals back to the default, as exec
 *      does), give it the pid asked for;
 *   5. proc_setrunnable().
 *
 * Each later stage of the assignment owns small functions below, in
 * stage order (makecxt_copy_context, makecxt_fork_regs; makecxt_fixed_pid;
 * makecxt_page_missing; makecxt_share_vmem, makecxt_join_family,
 * makecxt_shared_page; makecxt_copy_shared_check, makecxt_copy_shared;
 * makecxt_local_segments, makecxt_install_segments), so their starter
 * code can stand alone.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "page.h"
#include "sleeplock.h"
#include "fs.h"
#include "file.h"
#include "syscall.h"
#include "signalvar.h"
#include "share.h"
#include <aqua/context.h>

/* What the caller asked for, once copied in and checked. */
struct makecxt_args {
	vaddr_t	dst;		/* destination: where the range goes in the child */
	vaddr_t	src;		/* src: where it is in the caller */
	size_t	size;		/* refsize */
	vaddr_t	ucxt;		/* cxt, a user pointer */
	pid_t	pid;		/* the pid asked for (0: any) */
	int	flags;		/* MAKECXT_* */
	int	fork;		/* the child starts from the caller's registers */
	int	whole;		/* ... and gets the whole address space */
	int	sharevm;	/* MAKECXT_SHARE_VMEM: ... and that space is ours, shared */
	struct aqua_makecxt_data cxt;	/* *ucxt, when !fork */
};

/* The pieces of the later stages (below). */
int	makecxt_copy_context(struct makecxt_args *a);
void	makecxt_fork_regs(struct proc *p2);
int	makecxt_fixed_pid(pid_t pid, int flags, int taken);
int	makecxt_page_missing(int flags);
int	makecxt_share_vmem(struct makecxt_args *a);
void	makecxt_join_family(struct proc *p, struct proc *p2);
int	makecxt_shared_page(struct vmspace *to, vaddr_t va, paddr_t pa, int rprot);
int	makecxt_copy_shared_check(struct makecxt_args *a);
int	makecxt_copy_shared(struct proc *p, struct vmspace *to, const struct makecxt_args *a);
int	makecxt_local_segments(struct proc *p, struct makecxt_args *a);
void	makecxt_install_segments(struct proc *p2, const struct makecxt_args *a);

/* SOLUTION BEGIN makecxt: the system call itself */
/*
 * Is pid used by a slot other than except?  A zombie keeps its pid until
 * it is waited for, and so does a dying (SDEAD) slot until the scheduler
 * frees it: both count.  proc_lock held.
 */
static int
pid_taken(pid_t pid, const struct proc *except)
{
	KDASSERT(spinlock_holding(&proc_lock));
	for (int i = 0; i < NPROC; i++) {
		const struct proc *q = &proctab[i];
		if (q != except && q->p_stat != 0 && q->p_pid == pid)
			return 1;
	}
	return 0;
}

/* Step 1: the arguments.  0 or an errno; nothing is taken yet. */
static int
makecxt_check(struct proc *p, struct makecxt_args *a)
{
	int error;

	if (a->flags & ~MAKECXT_ALLFLAGS)
		return EINVAL;
	if ((a->flags & MAKECXT_COPY_CONTEXT) &&
	    (error = makecxt_copy_context(a)) != 0)
		return error;
	/* Stages share-vmem and copy-shared (below): may the flags be used? */
	if ((a->flags & MAKECXT_SHARE_VMEM) &&
	    (error = makecxt_share_vmem(a)) != 0)
		return error;
	if ((a->flags & MAKECXT_COPY_SHARED) &&
	    (error = makecxt_copy_shared_check(a)) != 0)
		return error;

	if (!a->whole) {
		/*
		 * Whole pages move, so a byte keeps its offset within its
		 * page: destination and src must agree on it.  Both ranges
		 * must lie in user space without wrapping around.
		 */
		if (a->dst == 0 || a->src == 0 || a->size == 0)
			return EINVAL;
		if (a->dst % PAGE_SIZE != a->src % PAGE_SIZE)
			return EINVAL;
		if (!user_range_ok(a->src, a->size) || !user_range_ok(a->dst, a->size))
			return EINVAL;
	}
	if (!a->fork) {
		if (a->ucxt == 0)
			return EINVAL;
		if ((error = copyin(p, &a->cxt, a->ucxt, sizeof(a->cxt))) != 0)
			return error;
	}
	if ((a->flags & MAKECXT_INSTALL_LOCAL_SEGMENTS) &&
	    (error = makecxt_local_segments(p, a)) != 0)
		return error;

	/* MAKECXT_FIXED_PID: fail now, before anything is made, if we can. */
	spinlock_acquire(&proc_lock);
	error = makecxt_fixed_pid(a->pid, a->flags, pid_taken(a->pid, NULL));
	spinlock_release(&proc_lock);
	return error;
}

/*
 * Step 2: a new address space holding a copy of each page of the
 * caller's range, moved by the same whole number of pages.
 *
 * Each region of the caller that the range touches gives the new space
 * one region (its part inside the range, moved), with the caller's
 * protection: a text page stays read-only and executable, a data page
 * read-write.  A page is mapped with what its region allows and what its
 * mapping allows together: copy-on-write leaves a page of a writable
 * region read-only in the page table (the copy is private, so writable),
 * and exec widens the page two ELF segments share beyond its region.
 * Heap and stack flags are not kept: the new process has no program break.
 *
 * The loop walks the caller's regions, not the range page by page: the
 * range may be most of the address space (its size is the caller's
 * choice), and the work must be bounded by what is really mapped.
 * A page that is not there (unmapped inside a region, or outside every
 * region) is skipped, unless makecxt_page_missing() says the call must
 * fail.  On any failure the half-built space is freed: each region is
 * added before its first page is entered, so vmspace_free() finds them all.
 */
static int
makecxt_build_space(struct proc *p, const struct makecxt_args *a, struct vmspace **vmp)
{
	struct vmspace *from = p->p_vmspace, *to;
	vaddr_t start = PGROUNDDOWN(a->src), end = PGROUNDUP(a->src + a->size);
	vaddr_t delta = PGROUNDDOWN(a->dst) - start;	/* modulo 2^64: may "be negative" */
	size_t covered = 0;	/* bytes of the range inside some region */
	int error = 0;

	if (from == NULL)
		return EINVAL;
	if ((to = vmspace_alloc()) == NULL)
		return ENOMEM;

	sleeplock_acquire(&from->vm_lock);
	struct vm_region *r;
	VM_REGION_FOREACH(from, r) {
		vaddr_t lo = MAX(r->r_start, start), hi = MIN(r->r_end, end);

		if (lo >= hi)
			continue;
		covered += hi - lo;
		/* A vmap region stays one: its shareable pages are special (kern/vm/vmap.c). */
		if (vm_region_add(to, lo + delta, hi + delta, r->r_prot, r->r_flags & VR_TERM,
		    r->r_pgops) == NULL) {
			error = ENOMEM;
			break;
		}
		for (vaddr_t va = lo; va < hi; va += PAGE_SIZE) {
			paddr_t pa, npa;
			int prot;

			if (!pmap_extract(from->vm_pmap, va, &pa, &prot)) {
				if ((error = makecxt_page_missing(a->flags)) != 0)
					break;
				continue;
			}
			/* A shareable page is referenced, not copied (stage share-vmem). */
			if (VM_REGION_IS_VMAP(r) &&
			    (error = makecxt_shared_page(to, va + delta, PGROUNDDOWN(pa), r->r_prot)) != ENOENT) {
				if (error)
					break;
				continue;
			}
			error = 0;
			if ((npa = page_alloc()) == 0) {
				error = ENOMEM;
				break;
			}
			memcpy(PA_TO_PTR(npa), PA_TO_PTR(PGROUNDDOWN(pa)), PAGE_SIZE);
			if (pmap_enter(to->vm_pmap, va + delta, npa, r->r_prot | prot | VM_PROT_USER) != 0) {
				page_unref(npa);
				error = ENOMEM;
				break;
			}
		}
		if (error != 0)
			break;
	}
	/* Pages outside every region are missing too. */
	if (error == 0 && covered < end - start)
		error = makecxt_page_missing(a->flags);
	sleeplock_release(&from->vm_lock);

	if (error) {
		vmspace_free(to);
		return error;
	}
	*vmp = to;
	return 0;
}

/*
 * Step 4, the pid: the one asked for when it is free (and in range), else
 * the one fork1 gave.  With MAKECXT_FIXED_PID, makecxt_fixed_pid() may
 * refuse: another process took the pid since step 1.  proc_lock makes
 * the check and the change one step, as proc_alloc() does.
 */
static int
makecxt_setpid(struct proc *p2, const struct makecxt_args *a)
{
	int taken, error;

	KASSERT(p2->p_stat == SIDL);	/* nobody has seen its pid yet */
	spinlock_acquire(&proc_lock);
	taken = pid_taken(a->pid, p2);
	error = makecxt_fixed_pid(a->pid, a->flags, taken);
	if (error == 0 && a->pid > 0 && a->pid <= MAKECXT_PID_MAX && !taken)
		p2->p_pid = a->pid;
	spinlock_release(&proc_lock);
	return error;
}

/*
 * Undo a child that fork1() made with FORK_IDLE and that never ran: give
 * back what fork1 gave it, then the slot.  Nobody else knows it yet.
 */
static void
makecxt_discard(struct proc *p2)
{
	struct vmspace *vm = p2->p_vmspace;

	KASSERT(p2->p_stat == SIDL);
	p2->p_vmspace = NULL;
	if (vm != NULL)
		vmspace_free(vm);
	fdfree(p2);
	if (p2->p_cwd != NULL) {
		log_begin_op();
		iput(p2->p_cwd);
		log_end_op();
		p2->p_cwd = NULL;
	}
	proc_free(p2);
}

/*
 * The child's first code in the kernel (fork1's func): straight to user
 * mode with the trap frame step 4 prepared.  Unlike child_return() it
 * does not touch the return register: it is one of cxt->registers.
 */
static void
makecxt_child_start(void *arg)
{
	md_userret(arg);
}
/* SOLUTION END makecxt */

int
sys_makecxt(struct proc *p, const register_t *args, register_t *retval)
{
	/* SOLUTION BEGIN makecxt: steps 1 to 5 */
	struct makecxt_args a;
	struct vmspace *vm = NULL;
	struct proc *p2;
	int error;

	memset(&a, 0, sizeof(a));
	a.dst = SCARG_PTR(args, 0);
	a.src = SCARG_PTR(args, 1);
	a.size = SCARG_SIZE(args, 2);
	a.ucxt = SCARG_PTR(args, 3);
	a.pid = SCARG_INT(args, 4);
	a.flags = SCARG_INT(args, 5);

	if ((error = makecxt_check(p, &a)) != 0)
		return error;
	if (!a.whole && (error = makecxt_build_space(p, &a, &vm)) != 0)
		return error;
	if (vm != NULL && (a.flags & MAKECXT_COPY_SHARED) &&
	    (error = makecxt_copy_shared(p, vm, &a)) != 0) {
		vmspace_free(vm);
		return error;
	}

	/*
	 * A child that stays in SIDL until we are done with it.  fork1 gives
	 * it a copy of our trap frame, a copy of our descriptor table and our
	 * directory, and -- in the whole-space form only -- a copy of our
	 * address space, which it keeps.  Otherwise it gets none (FORK_NOVM)
	 * and the one built above goes in: a copy made only to be freed would
	 * map each of our shareable pages for a moment, and so take one of
	 * the VS_MAXMAP mapping slots a page has (vmap.2's "16 address
	 * spaces"), and a page with 15 partners could not get its 16th.
	 */
	error = fork1(p, FORK_IDLE | (vm != NULL ? FORK_NOVM : 0), makecxt_child_start, NULL, NULL, &p2);
	if (error) {
		if (vm != NULL)
			vmspace_free(vm);
		return error;
	}
	if (vm != NULL) {
		struct vmspace *copy = p2->p_vmspace;
		p2->p_vmspace = vm;
		if (copy != NULL)
			vmspace_free(copy);
	}
	if (a.sharevm)
		makecxt_join_family(p, p2);
	else if (a.whole && (a.flags & MAKECXT_COPY_SHARED) &&
	    (error = makecxt_copy_shared(p, p2->p_vmspace, &a)) != 0) {
		makecxt_discard(p2);
		return error;
	}
	if (a.fork) {
		makecxt_fork_regs(p2);
	} else {
		/*
		 * A new image, as after exec: fresh registers, and the
		 * caller's signal handlers (addresses in its image) are gone.
		 */
		md_set_user_regs(p2, &a.cxt.registers);
		signal_exec(p2);
	}
	if (a.flags & MAKECXT_INSTALL_LOCAL_SEGMENTS)
		makecxt_install_segments(p2, &a);
	if ((error = makecxt_setpid(p2, &a)) != 0) {
		makecxt_discard(p2);
		return error;
	}

	retval[0] = p2->p_pid;
	proc_setrunnable(p2);	/* from here on p2 may run, exit and be gone */
	return 0;
	/* SOLUTION ELSE makecxt */
	//> /*
	//>  * TODO(makecxt): create the new process (docs/labs/makecxt.md):
	//>  * check the arguments, build its address space from the pages of
	//>  * [src, src + refsize), fork1() it with FORK_IDLE | FORK_NOVM, give it its
	//>  * address space, cxt->registers (md_set_user_regs) and the pid asked
	//>  * for, then proc_setrunnable().  The later stages' pieces below
	//>  * (makecxt_copy_context, makecxt_fork_regs, makecxt_fixed_pid,
	//>  * makecxt_page_missing, makecxt_local_segments when
	//>  * MAKECXT_INSTALL_LOCAL_SEGMENTS is set, makecxt_install_segments)
	//>  * are there to be called.
	//>  */
	//> return ENOSYS;
	/* SOLUTION END makecxt */
}

/*
 * MAKECXT_COPY_CONTEXT, alias MAKECXT_FORK (stage makecxt-fork).
 * makecxt_check() calls this first when the flag is set.  Say what the
 * flag means for this call: a->fork, the child starts from the caller's
 * own registers (so cxt is not needed and is not read), and a->whole,
 * the seed's EXAMPLE form destination == src == NULL with refsize ==
 * (size_t)-1 means the whole address space (fork1's copy is kept).
 * Returns 0 or an errno.
 */
int
makecxt_copy_context(struct makecxt_args *a)
{
	/* SOLUTION BEGIN makecxt-fork: the caller's context, maybe its whole space */
	a->fork = 1;
	a->whole = a->dst == 0 && a->src == 0 && a->size == (size_t)-1;
	return 0;
	/* SOLUTION ELSE makecxt-fork */
	//> /*
	//>  * TODO(makecxt-fork): accept the flag.  Set a->fork, and a->whole
	//>  * for the whole-address-space form of the seed's EXAMPLE.
	//>  */
	//> (void)a;
	//> return EINVAL;
	/* SOLUTION END makecxt-fork */
}

/*
 * The registers of a MAKECXT_COPY_CONTEXT child (stage makecxt-fork).
 * p2 is still SIDL, and cpu_fork() gave it a copy of our trap frame: the
 * pc is already past our system-call instruction (the seed's "rip is
 * increased with 2": syscall is 2 bytes on x86_64, ecall 4 on RISC-V,
 * and each port's trap code stepped over it before syscall()).  What is
 * left is the seed's other exception.
 */
void
makecxt_fork_regs(struct proc *p2)
{
	KASSERT(p2->p_stat == SIDL);
	/* SOLUTION BEGIN makecxt-fork: makecxt() returns 0 in the child */
	tf_set_retval(PROC_TRAPFRAME(p2), 0);
	/* SOLUTION ELSE makecxt-fork */
	//> /* TODO(makecxt-fork): what does makecxt() return in the child? */
	//> (void)p2;
	/* SOLUTION END makecxt-fork */
}

/*
 * MAKECXT_FIXED_PID (stage fixed-pid).  May a process be made when the
 * caller asked for pid with these flags, and taken says whether a
 * process has that pid now?  Without the flag the pid is only a wish
 * (any answer is fine); with it, the pid must be a real one (1 ..
 * MAKECXT_PID_MAX, else EINVAL) and free (else EEXIST).  Called with
 * proc_lock held, before fork1 and again just before the pid is given.
 */
int
makecxt_fixed_pid(pid_t pid, int flags, int taken)
{
	KASSERT(spinlock_holding(&proc_lock));
	/* SOLUTION BEGIN fixed-pid: exactly that pid, or an error */
	if (!(flags & MAKECXT_FIXED_PID))
		return 0;
	if (pid < 1 || pid > MAKECXT_PID_MAX)
		return EINVAL;
	return taken ? EEXIST : 0;
	/* SOLUTION ELSE fixed-pid */
	//> /* TODO(fixed-pid): EINVAL or EEXIST when MAKECXT_FIXED_PID cannot be met. */
	//> (void)pid;
	//> (void)flags;
	//> (void)taken;
	//> return 0;
	/* SOLUTION END fixed-pid */
}

/*
 * MAKECXT_FIXED_MOVE (stage fixed-move).  A page of the caller's range
 * cannot be moved: nothing is mapped there.  Skip it (0), or make the
 * whole call fail (an errno)?  Called while the new address space is
 * being built, before fork1: a failure here leaves nothing behind.
 */
int
makecxt_page_missing(int flags)
{
	/* SOLUTION BEGIN fixed-move: all pages or nothing */
	return (flags & MAKECXT_FIXED_MOVE) ? EAGAIN : 0;
	/* SOLUTION ELSE fixed-move */
	//> /* TODO(fixed-move): with MAKECXT_FIXED_MOVE a missing page is an error. */
	//> (void)flags;
	//> return 0;
	/* SOLUTION END fixed-move */
}

/*
 * MAKECXT_SHARE_VMEM (stage share-vmem).  makecxt_check() calls this when
 * the flag is set.  The new process will use the caller's whole address
 * space: there is no range to check or to build (destination, src and
 * refsize are not used), so say a->whole and a->sharevm.  0 or an errno.
 */
int
makecxt_share_vmem(struct makecxt_args *a)
{
	/* SOLUTION BEGIN share-vmem: accept the flag */
	a->whole = 1;
	a->sharevm = 1;
	return 0;
	/* SOLUTION ELSE share-vmem */
	//> /* TODO(share-vmem): accept the flag: no range is used (a->whole, a->sharevm). */
	//> (void)a;
	//> return EINVAL;
	/* SOLUTION END share-vmem */
}

/*
 * MAKECXT_SHARE_VMEM, after fork1 (stage share-vmem).  p2 (SIDL, not yet
 * runnable) got a copy of our address space from fork1: make it use ours
 * instead, one more reference, as FORK_SHAREVM does -- every process using
 * one vmspace is a first-place owner of its shareable pages (kern/vm/share.c),
 * so this is what makes p2 a member of our family.  Mark it P_FAMILY: a
 * sibling is a process of its own, not a thread, and exit(2) of one
 * must not end the others (kern/sys_thread.c).
 */
void
makecxt_join_family(struct proc *p, struct proc *p2)
{
	KASSERT(p2->p_stat == SIDL);
	/* SOLUTION BEGIN share-vmem: use our vmspace, join the family */
	struct vmspace *copy = p2->p_vmspace;

	vmspace_ref(p->p_vmspace);
	p2->p_vmspace = p->p_vmspace;
	if (copy != NULL)
		vmspace_free(copy);
	spinlock_acquire(&proc_lock);
	p2->p_flag |= P_FAMILY;
	spinlock_release(&proc_lock);
	/* SOLUTION ELSE share-vmem */
	//> /*
	//>  * TODO(share-vmem): p2 must use p's vmspace (vmspace_ref; free the
	//>  * copy fork1 made) and be marked P_FAMILY (under proc_lock).
	//>  */
	//> (void)p;
	//> (void)p2;
	/* SOLUTION END share-vmem */
}

/*
 * A page of the range that lies in a vmap region of the caller
 * (makecxt_build_space, stage share-vmem): pa, to be mapped at va in the
 * new address space to, whose region there has protection rprot.  A
 * shareable page (VSTAT_SHARED) is referenced, not copied: the new
 * process becomes a partner and sees shared_prot & prot of it.  Returns
 * 0 when the page is mapped, ENOENT when it is not shareable (the caller
 * copies it as any other page), or ENOMEM.
 */
int
makecxt_shared_page(struct vmspace *to, vaddr_t va, paddr_t pa, int rprot)
{
	/* SOLUTION BEGIN share-vmem: a partner's mapping */
	return vmap_enter_partner(to, va, pa, rprot);
	/* SOLUTION ELSE share-vmem */
	//> /* TODO(share-vmem): map a VSTAT_SHARED page as a partner's (kern/vm/vmap.c has the tool). */
	//> (void)to;
	//> (void)va;
	//> (void)pa;
	//> (void)rprot;
	//> return ENOENT;
	/* SOLUTION END share-vmem */
}

/*
 * MAKECXT_COPY_SHARED (stage copy-shared), called by makecxt_check().
 * The seed: the flag "can't be conjuncted with MAKECXT_SHARE_VMEM,
 * because it will be ignored" -- with SHARE_VMEM it is dropped, not an
 * error.  0 or an errno.
 */
int
makecxt_copy_shared_check(struct makecxt_args *a)
{
	/* SOLUTION BEGIN copy-shared: accept the flag, ignored with SHARE_VMEM */
	if (a->flags & MAKECXT_SHARE_VMEM)
		a->flags &= ~MAKECXT_COPY_SHARED;
	return 0;
	/* SOLUTION ELSE copy-shared */
	//> /* TODO(copy-shared): accept the flag (and drop it when MAKECXT_SHARE_VMEM is set). */
	//> (void)a;
	//> return EINVAL;
	/* SOLUTION END copy-shared */
}

/*
 * MAKECXT_COPY_SHARED (stage copy-shared): to is the new process's
 * address space, complete (the range form) or fork1's copy (the
 * whole-space form), and nobody runs in it yet.  Every shareable page
 * (VSTAT_SHARED or VSTAT_LOCAL) of the caller that the new process got
 * -- at its address moved by the same delta as the range, at its own
 * address in the whole-space form -- is replaced by a fresh copy that
 * the new process's family owns, locally shared (VSTAT_LOCAL).  0 or
 * ENOMEM (the caller throws to away).
 */
int
makecxt_copy_shared(struct proc *p, struct vmspace *to, const struct makecxt_args *a)
{
	/* SOLUTION BEGIN copy-shared: new pages for the shareable ones */
	struct vmspace *from = p->p_vmspace;
	vaddr_t start = a->whole ? 0 : PGROUNDDOWN(a->src);
	vaddr_t end = a->whole ? USER_TOP : PGROUNDUP(a->src + a->size);
	vaddr_t delta = a->whole ? 0 : PGROUNDDOWN(a->dst) - start;
	int error = 0;

	sleeplock_acquire(&from->vm_lock);
	struct vm_region *r;
	VM_REGION_FOREACH(from, r) {
		vaddr_t lo = MAX(r->r_start, start), hi = MIN(r->r_end, end);
		if (!VM_REGION_IS_VMAP(r) || lo >= hi)
			continue;
		for (vaddr_t va = lo; va < hi && error == 0; va += PAGE_SIZE) {
			struct vshare vs;
			paddr_t pa;
			int prot;
			if (!pmap_extract(from->vm_pmap, va, &pa, &prot) ||
			    !vshare_get(PGROUNDDOWN(pa), &vs))
				continue;	/* not there, or private: nothing to do */
			error = vmap_enter_local_copy(to, va + delta, PGROUNDDOWN(pa), r->r_prot);
		}
		if (error != 0)
			break;
	}
	sleeplock_release(&from->vm_lock);
	return error;
	/* SOLUTION ELSE copy-shared */
	//> /*
	//>  * TODO(copy-shared): for each shareable page of p in the part of its
	//>  * address space the new process got, give `to' a fresh, locally
	//>  * shared copy (vmap_enter_local_copy in kern/vm/vmap.c).
	//>  */
	//> (void)p;
	//> (void)to;
	//> (void)a;
	//> return 0;
	/* SOLUTION END copy-shared */
}

/*
 * MAKECXT_INSTALL_LOCAL_SEGMENTS (stage local-segments), step 1.
 * makecxt_check() calls this when the flag is set, after it copied *cxt in
 * (when the call is not MAKECXT_COPY_CONTEXT).  The segments come from
 * cxt->segs_conf, so with MAKECXT_COPY_CONTEXT too cxt must be given and is
 * read -- for segs_conf only: the registers still come from the caller.
 * Each entry with present != 0 must be one the port can install
 * (md_check_local_segment: EINVAL if not).  Returns 0 or an errno, having
 * taken nothing.
 */
int
makecxt_local_segments(struct proc *p, struct makecxt_args *a)
{
	/* SOLUTION BEGIN local-segments: read segs_conf and check every entry */
	int error;

	if (a->fork) {
		if (a->ucxt == 0)
			return EINVAL;
		if ((error = copyin(p, &a->cxt, a->ucxt, sizeof(a->cxt))) != 0)
			return error;
	}
	for (int seg = _AQUA_SEG_ES; seg <= _AQUA_SEG_GS; seg++) {
		const struct aqua_local_seg_conf *c = &a->cxt.segs_conf[seg];

		if (c->present && (error = md_check_local_segment(seg, c->base)) != 0)
			return error;
	}
	return 0;
	/* SOLUTION ELSE local-segments */
	//> /*
	//>  * TODO(local-segments): accept the flag (docs/labs/local-segments.md).
	//>  * With MAKECXT_COPY_CONTEXT cxt has not been copied in yet.  Ask
	//>  * the port (md_check_local_segment) about every present entry.
	//>  */
	//> (void)p;
	//> (void)a;
	//> return EINVAL;
	/* SOLUTION END local-segments */
}

/*
 * MAKECXT_INSTALL_LOCAL_SEGMENTS, step 4: p2 is SIDL and already has its
 * registers (md_set_user_regs or the copy of ours); install each present
 * segment of a->cxt.segs_conf over them.  Cannot fail: step 1 checked.
 * An entry that is not present leaves that base as the registers made it
 * (0 for a new image, the caller's with MAKECXT_COPY_CONTEXT).
 */
void
makecxt_install_segments(struct proc *p2, const struct makecxt_args *a)
{
	KASSERT(p2->p_stat == SIDL);
	/* SOLUTION BEGIN local-segments: hand each present entry to the port */
	for (int seg = _AQUA_SEG_ES; seg <= _AQUA_SEG_GS; seg++) {
		const struct aqua_local_seg_conf *c = &a->cxt.segs_conf[seg];

		if (c->present)
			md_set_local_segment(p2, seg, c->base);
	}
	/* SOLUTION ELSE local-segments */
	//> /* TODO(local-segments): md_set_local_segment() for each present entry. */
	//> (void)p2;
	//> (void)a;
	/* SOLUTION END local-segments */
}
