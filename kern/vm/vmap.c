/*
 * vmap(2), vunmap(2), vctl(2), vmapinfo(2): anonymous memory a program
 * maps itself, private or shareable (docs/man/vmap.2, vunmap.2, vctl.2;
 * the owners of shareable pages are in kern/vm/share.c).
 *
 * A vmap region is an ordinary vm_region whose pager is vmap_pagerops
 * (vm.h): the core reaches this file only through it when it forks,
 * drops or faults on a vmap page.  Its pages are special in two ways:
 *
 *   - a shareable page is never copied on write: fork and makecxt map the
 *     same page in the new process, a *partner*, with shared_prot & prot;
 *   - a private vmap page is copied at fork at once, not copy-on-write,
 *     so that a private page is always mapped by one address space only
 *     and can become shareable later (VCTL_SETSTATUS) without surprising
 *     a forked child that still shares it copy-on-write.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "page.h"
#include "share.h"
#include "syscall.h"
#include "sleeplock.h"
#include <aqua/memory.h>

_Static_assert(PROT_READ == VM_PROT_READ && PROT_WRITE == VM_PROT_WRITE &&
    PROT_EXEC == VM_PROT_EXEC, "PROT_* and VM_PROT_* must agree");

/* Where vmap() looks for room when it may choose: the middle of user space. */
#define VMAP_BASE	PGROUNDDOWN(USER_TOP / 2)

/*
 * Is [start, end) free: no region, not the stack's guard page, not the
 * heap's room to grow up to the current break?  vm_lock held.
 */
static int
range_free(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	KASSERT(sleeplock_holding(&vm->vm_lock));
	struct vm_region *r;

	if (start == 0 || end <= start || !user_range_ok(start, end - start))
		return 0;
	VM_REGION_FOREACH(vm, r) {
		vaddr_t lo = r->r_start, hi = r->r_end;
		if (r->r_flags & VR_STACK)
			lo -= PAGE_SIZE;		/* the guard page */
		if (r->r_flags & VR_HEAP)
			hi = MAX(hi, PGROUNDUP(vm->vm_brk));
		if (start < hi && end > lo)
			return 0;
	}
	return 1;
}

/* First fit from VMAP_BASE up, then from the bottom.  0 if there is no room. */
static vaddr_t
find_room(struct vmspace *vm, size_t size)
{
	vaddr_t bases[2] = { VMAP_BASE, PGROUNDUP(vm->vm_brk) + 64 * PAGE_SIZE };

	for (int b = 0; b < 2; b++) {
		vaddr_t va = bases[b];
		while (va + size > va && va + size <= USER_TOP) {
			if (range_free(vm, va, va + size))
				return va;
			/* Jump past whichever region is in the way. */
			vaddr_t next = va + PAGE_SIZE;
			struct vm_region *r;
			VM_REGION_FOREACH(vm, r)
				if (r->r_end > va && r->r_start < va + size + PAGE_SIZE)
					next = MAX(next, r->r_end + PAGE_SIZE);
			va = next;
		}
	}
	return 0;
}

/* ---- the pager of vmap regions (struct vm_pagerops, vm.h) -------------------- */

/*
 * pgo_drop, the last step of every vmap page's life in an address space:
 * drop it from the shared-page records (which may pass its ownership
 * on), zero a private terminate page, give back the mapping's reference.
 * The pmap entry is already gone (or the page tables are going).
 */
static void
vmap_drop_page(struct vmspace *vm, const struct vm_region *r, paddr_t pa)
{
	struct vshare vs;

	if (vshare_get(pa, &vs))
		vshare_unmapped(vm, pa);
	else if ((r->r_flags & VR_TERM) && page_refcount(pa) == 1)
		memset(PA_TO_PTR(pa), 0, PAGE_SIZE);
	page_unref(pa);
}

/*
 * The page pa at va in vm was replaced by a private copy (ptrace's
 * PT_WRITE_D into a page others map too): drop vm's mapping of pa as an
 * unmap would -- a shareable page's record forgets vm, which may pass
 * the ownership on -- and its reference.  vm_lock held.
 */
void
vmap_page_replaced(struct vmspace *vm, vaddr_t va, paddr_t pa)
{
	KASSERT(sleeplock_holding(&vm->vm_lock));
	vm_drop_page(vm, vm_region_lookup(vm, PGROUNDDOWN(va)), pa);
}

/*
 * pgo_fork: fork (vmspace_copy) of a vmap region r of src into dst, whose
 * regions are already a copy of src's.  Shareable pages: dst becomes a partner
 * of a VSTAT_SHARED page; a VSTAT_LOCAL page stays in its family, so dst
 * gets a copy, as of a private page.  0 or ENOMEM (dst's regions then
 * cover what was entered, so vmspace_free(dst) undoes it).  src's
 * vm_lock held.
 */
static int
vmap_fork_region(struct vmspace *src, struct vmspace *dst, const struct vm_region *r)
{
	KASSERT(sleeplock_holding(&src->vm_lock));
	for (vaddr_t va = r->r_start; va < r->r_end; va += PAGE_SIZE) {
		paddr_t pa;
		int prot, error;
		if (!pmap_extract(src->vm_pmap, va, &pa, &prot))
			continue;
		pa = PGROUNDDOWN(pa);
		error = vmap_enter_partner(dst, va, pa, r->r_prot);
		if (error == 0)
			continue;
		if (error != ENOENT)
			return error;
		if (vm_copy_page(dst, va, pa, prot | VM_PROT_USER) != 0)
			return ENOMEM;
	}
	return 0;
}

/*
 * Map the shareable page pa at va in dst as a partner's page (rprot is
 * dst's region protection there).  0; ENOENT if pa is not VSTAT_SHARED
 * (the caller copies it instead); ENOMEM.
 */
int
vmap_enter_partner(struct vmspace *dst, vaddr_t va, paddr_t pa, int rprot)
{
	struct vshare vs;
	int error;

	if (!vshare_get(pa, &vs) || vs.vs_status != VSTAT_SHARED)
		return ENOENT;
	page_ref(pa);
	if ((error = vshare_addmap(pa, dst)) != 0) {
		page_unref(pa);
		return error == ENOENT ? ENOMEM : error;
	}
	if (pmap_enter(dst->vm_pmap, va, pa, vshare_partner_prot(&vs, rprot) | VM_PROT_USER) != 0) {
		vshare_unmapped(dst, pa);
		page_unref(pa);
		return ENOMEM;
	}
	return 0;
}

/*
 * MAKECXT_COPY_SHARED: in dst (a new address space nobody runs yet),
 * replace whatever is at va by a fresh copy of the shareable page pa,
 * locally shared, owned by dst's family, with pa's shared_prot.  0 or
 * ENOMEM (the old page is then still there).
 */
int
vmap_enter_local_copy(struct vmspace *dst, vaddr_t va, paddr_t pa, int rprot)
{
	struct vshare vs;
	struct vm_region *r = vm_region_lookup(dst, va);
	paddr_t npa, old;
	int prot;

	if (r == NULL || !VM_REGION_IS_VMAP(r) || !vshare_get(pa, &vs))
		return EINVAL;
	if ((npa = page_alloc()) == 0)
		return ENOMEM;
	memcpy(PA_TO_PTR(npa), PA_TO_PTR(pa), PAGE_SIZE);
	struct vmap_conv c = { 0, vs.vs_sprot };
	if (vshare_create(dst, npa, VSTAT_LOCAL, &c, vs.vs_terminate) != 0) {
		page_unref(npa);
		return ENOMEM;
	}
	if (pmap_extract(dst->vm_pmap, va, &old, &prot)) {
		pmap_remove(dst->vm_pmap, va, va + PAGE_SIZE);
		vmap_drop_page(dst, r, PGROUNDDOWN(old));
	}
	if (pmap_enter(dst->vm_pmap, va, npa, rprot | VM_PROT_USER) != 0) {
		vmap_drop_page(dst, r, npa);
		return ENOMEM;
	}
	return 0;
}

/*
 * pgo_shared: is pa a shareable page (VSTAT_SHARED or VSTAT_LOCAL)?  A
 * write fault on one is never copy-on-write: a partner without PROT_WRITE
 * in shared_prot gets EFAULT, not a private copy.
 */
static int
vmap_page_shareable(paddr_t pa)
{
	struct vshare vs;

	return vshare_get(pa, &vs);
}

const struct vm_pagerops vmap_pagerops = {
	.pgo_fork = vmap_fork_region,
	.pgo_drop = vmap_drop_page,
	.pgo_shared = vmap_page_shareable,
	.pgo_vmfree = vshare_vm_gone,	/* the family of vm is gone: its pages pass on */
};

/* ---- vmap(2) ---------------------------------------------------------------- */

int
sys_vmap(struct proc *p, const register_t *args, register_t *retval)
{
	vaddr_t addr = SCARG_PTR(args, 0);
	size_t size = SCARG_SIZE(args, 1);
	int prot = SCARG_INT(args, 2), flags = SCARG_INT(args, 3);
	vaddr_t phys = SCARG_PTR(args, 4), uconv = SCARG_PTR(args, 5);
	struct vmspace *vm = p->p_vmspace;
	struct vmap_conv conv = { 0, PROT_READ };
	struct vm_region *r = NULL;
	vaddr_t start, end, va;
	int error = 0;

	/* The checks of the man page, in its order: nothing is taken yet. */
	if (vm == NULL || (flags & ~VMAP_ALLFLAGS) || phys != 0)
		return EINVAL;
	if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) || !(prot & PROT_READ))
		return EINVAL;
	if (size == 0 || addr % PAGE_SIZE != 0)
		return EINVAL;
	if (size > USER_TOP)
		return ENOMEM;		/* more than user space: never enough memory */
	size = PGROUNDUP(size);
	if ((flags & VMAP_FIXED) && (addr == 0 || !user_range_ok(addr, size)))
		return EINVAL;
	if (flags & VMAP_SHARE) {
		if (uconv != 0 && (error = copyin(p, &conv, uconv, sizeof(conv))) != 0)
			return error;
		if (conv.second_owner < 0 ||
		    (conv.shared_prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
			return EINVAL;
	}
	/* More pages than are free cannot succeed (as sbrk): say so at once. */
	if (size / PAGE_SIZE > page_free_count())
		return ENOMEM;

	sleeplock_acquire(&vm->vm_lock);
	if (flags & VMAP_FIXED) {
		start = addr;
		if (!range_free(vm, start, start + size))
			error = EEXIST;
	} else if (addr != 0 && range_free(vm, addr, addr + size)) {
		start = addr;		/* the hint is free: take it */
	} else if ((start = find_room(vm, size)) == 0) {
		error = ENOMEM;
	}
	if (error)
		goto out;
	end = start + size;
	r = vm_region_add(vm, start, end, prot, (flags & VMAP_TERMINATE) ? VR_TERM : 0,
	    &vmap_pagerops);
	if (r == NULL) {
		error = ENOMEM;
		goto out;
	}
	for (va = start; va < end; va += PAGE_SIZE) {
		paddr_t pa = page_alloc();
		if (pa == 0) {
			error = ENOMEM;
			break;
		}
		if (pmap_enter(vm->vm_pmap, va, pa, prot | VM_PROT_USER) != 0) {
			page_unref(pa);
			error = ENOMEM;
			break;
		}
		if ((flags & VMAP_SHARE) &&
		    (error = vshare_create(vm, pa, VSTAT_SHARED, &conv,
		    flags & VMAP_TERMINATE)) != 0) {
			va += PAGE_SIZE;	/* this page is mapped: undo it too */
			break;
		}
	}
	if (error) {
		/* Undo: no page, no record, no region left behind. */
		(void)vm_unmap_range(vm, r, start, va);	/* pmap_enter made its tables private */
		vm_region_remove(r);
		goto out;
	}
	retval[0] = start;
out:
	sleeplock_release(&vm->vm_lock);
	return error;
}

/* ---- vunmap(2) ---------------------------------------------------------------- */

int
sys_vunmap(struct proc *p, const register_t *args, register_t *retval)
{
	vaddr_t start = SCARG_PTR(args, 0);
	size_t size = SCARG_SIZE(args, 1);
	struct vmspace *vm = p->p_vmspace;
	struct vm_region *r;
	vaddr_t end;
	int error = 0, splits = 0;

	if (vm == NULL || start % PAGE_SIZE != 0 || size == 0 || !user_range_ok(start, size))
		return EINVAL;
	end = PGROUNDUP(start + size);
	if (end < start)
		return EINVAL;

	sleeplock_acquire(&vm->vm_lock);
	/*
	 * First check, then change: only vmap memory may be unmapped (text,
	 * data, heap and stack belong to exec and sbrk), and a region cut in
	 * two needs a free slot.  Holes in the range are fine.
	 */
	VM_REGION_FOREACH(vm, r) {
		if (r->r_end <= start || r->r_start >= end)
			continue;
		if (!VM_REGION_IS_VMAP(r)) {
			error = EINVAL;
			goto out;
		}
		if (r->r_start < start && r->r_end > end)
			splits++;
	}
	if (splits > vm_region_free_slots(vm)) {
		error = ENOMEM;
		goto out;
	}
	/*
	 * A region added by a split lands in a free slot the walk may still
	 * reach; it lies above end, so the walk skips it.
	 */
	VM_REGION_FOREACH(vm, r) {
		if (r->r_end <= start || r->r_start >= end)
			continue;
		/* A vmap region's tables are never shared (kern/vm/vm.c, table_shareable). */
		(void)vm_unmap_range(vm, r, MAX(r->r_start, start), MIN(r->r_end, end));
		if (r->r_start < start && r->r_end > end) {
			struct vm_region *upper = vm_region_add(vm, end, r->r_end, r->r_prot,
			    r->r_flags, r->r_pgops);
			KASSERT(upper != NULL);	/* the slots were counted above */
			r->r_end = start;
		} else if (r->r_start < start) {
			r->r_end = start;
		} else if (r->r_end > end) {
			r->r_start = end;
		} else {
			vm_region_remove(r);
		}
	}
	retval[0] = 0;
out:
	sleeplock_release(&vm->vm_lock);
	return error;
}

/* ---- vctl(2) --------------------------------------------------------------------- */

/*
 * Owners or partners as pids, copied out.  Called without vm_lock: the
 * copyout may fault, and the fault handler takes vm_lock.  So the list
 * is a snapshot (see sys_vctl).
 */
static int
ctl_pids(struct proc *p, paddr_t pa, int which, int shareable, vaddr_t ubuf, size_t n,
    register_t *retval)
{
	int pids[NPROC], count = 0;

	KASSERT(!sleeplock_holding(&p->p_vmspace->vm_lock));
	if (n > NPROC)
		n = NPROC;
	if (shareable) {
		count = vshare_pids(pa, which, pids, NPROC);
	} else if (which == 0) {
		/* A private page: its owners are the processes of this address space. */
		spinlock_acquire(&proc_lock);
		for (int i = 0; i < NPROC; i++) {
			struct proc *q = &proctab[i];
			if (q->p_stat != 0 && q->p_stat != SZOMB && q->p_stat != SDEAD &&
			    q->p_vmspace == p->p_vmspace)
				pids[count++] = q->p_pid;
		}
		spinlock_release(&proc_lock);
	}
	if (n > 0) {
		size_t k = MIN(n, (size_t)count);
		if (ubuf == 0)
			return EFAULT;
		if (k > 0) {
			int error = copyout(p, ubuf, pids, k * sizeof(int));
			if (error)
				return error;
		}
	}
	retval[0] = count;
	return 0;
}

int
sys_vctl(struct proc *p, const register_t *args, register_t *retval)
{
	vaddr_t addr = SCARG_PTR(args, 0);
	int option = SCARG_INT(args, 1);
	register_t arg = args[2];
	size_t n = SCARG_SIZE(args, 3);
	struct vmspace *vm = p->p_vmspace;
	struct vm_region *r;
	struct vmap_conv conv;
	struct vshare vs;
	paddr_t pa;
	int prot, shareable, error = 0;

	if (option < VCTL_GETSTATUS || option > VCTL_ISOWNER)
		return EINVAL;
	if (vm == NULL || addr >= USER_TOP)
		return EFAULT;
	/*
	 * Copy a convention in before taking vm_lock: copyin may fault,
	 * and the fault handler takes vm_lock itself.
	 */
	if (option == VCTL_SETCONV && (error = copyin(p, &conv, (vaddr_t)arg, sizeof(conv))) != 0)
		return error;

	sleeplock_acquire(&vm->vm_lock);
	r = vm_region_lookup(vm, PGROUNDDOWN(addr));
	if (r == NULL || !pmap_extract(vm->vm_pmap, PGROUNDDOWN(addr), &pa, &prot)) {
		error = EFAULT;		/* nothing mapped there */
		goto out;
	}
	pa = PGROUNDDOWN(pa);
	shareable = VM_REGION_IS_VMAP(r) && vshare_get(pa, &vs);
	switch (option) {
	case VCTL_GETSTATUS:
		retval[0] = shareable ? vs.vs_status : VSTAT_PRIVATE;
		break;
	case VCTL_GETTERM:
		retval[0] = shareable ? vs.vs_terminate : (r->r_flags & VR_TERM) != 0;
		break;
	case VCTL_ISOWNER:
		retval[0] = shareable ? vs.vs_owner == vm : 1;
		break;
	case VCTL_GETCONV:
		if (!shareable) {
			error = EINVAL;
			break;
		}
		conv.second_owner = vs.vs_second;
		conv.shared_prot = vs.vs_sprot;
		/* copyout under vm_lock would deadlock on a fault: see below. */
		break;
	case VCTL_SETCONV:
		error = shareable ? vshare_setconv(vm, pa, &conv) : EINVAL;
		break;
	case VCTL_SETTERM:
		error = shareable ? vshare_setterm(vm, pa, (int)arg) : EINVAL;
		break;
	case VCTL_SETSTATUS:
		if (!VM_REGION_IS_VMAP(r))
			error = EINVAL;	/* only vmap memory can be shared */
		else
			error = vshare_setstatus(vm, pa, (int)arg, r->r_prot);
		break;
	case VCTL_OWNERS:
	case VCTL_PARTNERS:
		sleeplock_release(&vm->vm_lock);
		/*
		 * The lists are a snapshot: the page may be unmapped by
		 * another thread once we let go of vm_lock, and then the
		 * record is gone (a count of 0), never a stale one of
		 * another page that matters to us.
		 */
		return ctl_pids(p, pa, option == VCTL_PARTNERS, shareable, (vaddr_t)arg, n, retval);
	}
out:
	sleeplock_release(&vm->vm_lock);
	if (error == 0 && option == VCTL_GETCONV)
		error = copyout(p, (vaddr_t)arg, &conv, sizeof(conv));
	if (error == 0 && option != VCTL_GETSTATUS && option != VCTL_GETTERM &&
	    option != VCTL_ISOWNER)
		retval[0] = 0;
	return error;
}

/* ---- vmapinfo(2) ------------------------------------------------------------------- */

/*
 * One entry of pid's map: index counts the regions in address order, a
 * vmap region counting one entry per page.  The target may change its
 * map meanwhile: this is a snapshot for vmmap(1), taken under proc_lock,
 * which exit1() and exec hold while they take an address space away
 * from a process, so its page tables cannot be freed while we look.
 */
int
sys_vmapinfo(struct proc *p, const register_t *args, register_t *retval)
{
	int pid = SCARG_INT(args, 0), index = SCARG_INT(args, 1);
	vaddr_t uent = SCARG_PTR(args, 2);
	struct vmapent e;
	struct vshare vs;
	struct proc *q;
	paddr_t pa = 0;
	int found = 0, error = 0;

	if (index < 0)
		return EINVAL;
	memset(&e, 0, sizeof(e));
	spinlock_acquire(&proc_lock);
	q = pid == 0 ? p : pfind(pid);
	if (q == NULL || q->p_vmspace == NULL || (q->p_flag & P_SYSTEM) || q->p_stat == SIDL) {
		spinlock_release(&proc_lock);
		return ESRCH;
	}
	struct vmspace *vm = q->p_vmspace;
	vaddr_t from = 0;
	int k = 0;
	while (!found) {
		/* The region with the lowest start >= from. */
		struct vm_region *r, *best = NULL;
		VM_REGION_FOREACH(vm, r)
			if (r->r_end > r->r_start && r->r_start >= from &&
			    (best == NULL || r->r_start < best->r_start))
				best = r;
		if (best == NULL)
			break;
		from = best->r_end;
		if (!VM_REGION_IS_VMAP(best)) {
			if (k++ == index) {
				found = 1;
				e.start = best->r_start;
				e.end = best->r_end;
				e.prot = best->r_prot;
				e.kind = (best->r_flags & VR_HEAP) ? VMI_HEAP :
				    (best->r_flags & VR_STACK) ? VMI_STACK : VMI_TEXT;
			}
			continue;
		}
		size_t npages = (best->r_end - best->r_start) / PAGE_SIZE;
		if ((size_t)(index - k) < npages) {
			vaddr_t va = best->r_start + (size_t)(index - k) * PAGE_SIZE;
			int prot = best->r_prot;
			found = 1;
			e.start = va;
			e.end = va + PAGE_SIZE;
			e.kind = VMI_VMAP;
			e.terminate = (best->r_flags & VR_TERM) != 0;
			if (pmap_extract(vm->vm_pmap, va, &pa, &prot))
				pa = PGROUNDDOWN(pa);
			else
				pa = 0;
			e.prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
		}
		k += npages;
	}
	int self = q == p;
	struct vmspace *qvm = vm;
	spinlock_release(&proc_lock);
	if (!found)
		return ENOENT;

	/* Sharing: after proc_lock (share_lock comes first in the lock order). */
	if (pa != 0 && vshare_get(pa, &vs)) {
		e.status = vs.vs_status;
		e.terminate = vs.vs_terminate;
		e.second_owner = vs.vs_second;
		e.shared_prot = vs.vs_sprot;
		e.nowners = vshare_pids(pa, 0, e.owners, VMI_MAXLIST);
		e.npartners = vshare_pids(pa, 1, e.partners, VMI_MAXLIST);
	} else {
		/* Private: the processes of that address space own it. */
		spinlock_acquire(&proc_lock);
		for (int i = 0; i < NPROC; i++) {
			struct proc *o = &proctab[i];
			if (o->p_stat != 0 && o->p_stat != SZOMB && o->p_stat != SDEAD &&
			    o->p_vmspace == qvm) {
				if (e.nowners < VMI_MAXLIST)
					e.owners[e.nowners] = o->p_pid;
				e.nowners++;
			}
		}
		spinlock_release(&proc_lock);
	}
	(void)self;
	if ((error = copyout(p, uent, &e, sizeof(e))) != 0)
		return error;
	retval[0] = 0;
	return 0;
}
