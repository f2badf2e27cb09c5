/*
 * Page faults: what the VM does with a fault the hardware could not
 * satisfy.  The port sends page faults, and nothing else, to
 * trap_user_fault() (kern/trap.c), which comes here; copyin and copyout
 * (kern/copy.c) come here too for a page they could not use.
 *
 * One region lookup, then a dispatch on what is there (Plan 9's
 * port/fault.c has the same shape).  The only fault resolved is a write
 * to a copy-on-write page (stage cow; the rule that marks such a page is
 * explained above vmspace_copy's helpers in kern/vm/vm.c).  Whatever is
 * not resolved is the process's mistake: trap_user_fault() turns it into
 * SIGSEGV.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "page.h"
#include "sleeplock.h"

/* SOLUTION BEGIN cow: the counter of copies */
static unsigned long cow_copies;	/* pages copied by write faults (forkstat) */
/* SOLUTION END cow */

/*
 * A fault on a mapped page of region r (stage cow): pa is the page at
 * va, prot its mapping's protection.  The one fault resolved here is a
 * write to a copy-on-write page: the region allows writing, the mapping
 * does not.  0 when the access may be retried, else an errno.
 *	=> called with vm->vm_lock held; returns with it held
 */
static int
vm_fault_cow(struct proc *p, struct vm_region *r, vaddr_t va, paddr_t pa, int prot, int access)
{
	/* SOLUTION BEGIN cow: resolve a write to a copy-on-write page */
	struct vmspace *vm = p->p_vmspace;
	paddr_t npa;

	KASSERT(sleeplock_holding(&vm->vm_lock));
	if (access != VM_PROT_WRITE || !(r->r_prot & VM_PROT_WRITE))
		return EFAULT;		/* not copy-on-write: a real fault */
	if (prot & VM_PROT_WRITE) {
		/*
		 * Already writable: another thread of this address space
		 * (FORK_SHAREVM) faulted on the same page at the same time
		 * and resolved it while we waited for vm_lock.  Retry.
		 */
		return 0;
	}
	if (page_refcount(pa) == 1) {
		/*
		 * The last user: the other processes copied the page or
		 * exited.  The count cannot grow behind our back: only a fork
		 * of an address space that maps the page adds a reference,
		 * and the only such address space is ours, whose lock we hold.
		 */
		pmap_protect(vm->vm_pmap, va, va + PAGE_SIZE, r->r_prot | VM_PROT_USER);
		return 0;
	}
	/*
	 * Copy, then drop our reference to the shared page.  The page cannot
	 * change while we copy: it is read-only everywhere, and a process may
	 * take it back (above) only after our unref.  pmap_enter replaces the
	 * old mapping and shoots down the TLBs.
	 */
	if ((npa = page_alloc()) == 0)
		goto nomem;
	memcpy(PA_TO_PTR(npa), PA_TO_PTR(pa), PAGE_SIZE);
	if (pmap_enter(vm->vm_pmap, va, npa, r->r_prot | VM_PROT_USER) != 0) {
		page_unref(npa);
		goto nomem;
	}
	page_unref(pa);
	__atomic_add_fetch(&cow_copies, 1, __ATOMIC_RELAXED);
	return 0;
nomem:
	printf("pid %d (%s): no memory for a copy-on-write page at 0x%lx\n",
	    p->p_pid, p->p_comm, (unsigned long)va);
	return ENOMEM;
	/* SOLUTION ELSE cow */
	//> /*
	//>  * TODO(cow): a write to a copy-on-write page (the region allows
	//>  * writing, the mapping does not): copy the page, or make it writable
	//>  * again if this process is its last user (docs/labs/cow.md).
	//>  */
	//> return EFAULT;
	/* SOLUTION END cow */
}

/*
 * A page fault the hardware could not satisfy (trap_user_fault), or a
 * page copyin/copyout could not use (kern/copy.c).  0 when the access
 * may be retried, else an errno and the access is the process's mistake.
 * One lookup, then a dispatch on what is there, as Plan 9's fault():
 * nothing (nothing is mapped lazily), a page its region's pager says is
 * shared for real (never copy-on-write: a vmap partner without PROT_WRITE
 * in shared_prot gets EFAULT, not a private copy; kern/vm/vmap.c), or a
 * private page, which vm_fault_cow may resolve.
 *	=> called without p's vm_lock: it takes it (a copyin under vm_lock
 *	   would sleep on itself for ever)
 */
int
vm_fault(struct proc *p, vaddr_t va, int access)
{
	struct vmspace *vm = p != NULL ? p->p_vmspace : NULL;
	struct vm_region *r;
	paddr_t pa;
	int prot, error;

	if (vm == NULL || va >= USER_TOP)
		return EFAULT;
	KASSERT(!sleeplock_holding(&vm->vm_lock));
	va = PGROUNDDOWN(va);
	sleeplock_acquire(&vm->vm_lock);
	r = vm_region_lookup(vm, va);
	if (r == NULL)
		error = EFAULT;
	/* SOLUTION BEGIN cow-tables: a shared page table is made private first */
	/*
	 * Through a shared table (vm.c) a page holds one reference for
	 * all the table's holders: its count could not tell vm_fault_cow
	 * whether we are its last user.  A private copy of the table takes
	 * a reference per page, and the rules of stage cow apply again.
	 */
	else if ((error = pmap_unshare(vm->vm_pmap, va, va + PAGE_SIZE)) != 0)
		printf("pid %d (%s): no memory for a page table at 0x%lx\n",
		    p->p_pid, p->p_comm, (unsigned long)va);
	/* SOLUTION ELSE cow-tables */
	//> /* TODO(cow-tables): a page table fork shared is made private first (docs/labs/cow-tables.md). */
	/* SOLUTION END cow-tables */
	else if (!pmap_extract(vm->vm_pmap, va, &pa, &prot))
		error = EFAULT;
	else if (!(prot & VM_PROT_USER))
		/*
		 * Every page of a user region is mapped for user mode; one that
		 * is not would fault for ever, each retry looking resolved.
		 */
		panic("vm_fault: pid %d: page 0x%lx of a user region is mapped kernel-only "
		    "(a pmap_enter or pmap_protect without VM_PROT_USER?)", p->p_pid,
		    (unsigned long)va);
	else if ((prot & access) == access)
		/*
		 * Nothing (left) to do: another thread of this address space
		 * resolved the same fault while we waited for vm_lock.
		 */
		error = 0;
	else if (r->r_pgops != NULL && r->r_pgops->pgo_shared(PGROUNDDOWN(pa)))
		error = EFAULT;
	else
		error = vm_fault_cow(p, r, va, PGROUNDDOWN(pa), prot, access);
	sleeplock_release(&vm->vm_lock);
	return error;
}

/* Pages copied by copy-on-write faults since boot (forkstat(2)'s cntcowfault). */
unsigned long
vm_cowfault_count(void)
{
	/* SOLUTION BEGIN cow: the counter */
	return __atomic_load_n(&cow_copies, __ATOMIC_RELAXED);
	/* SOLUTION ELSE cow */
	//> return 0;	/* TODO(cow): count the pages vm_fault() copies */
	/* SOLUTION END cow */
}
