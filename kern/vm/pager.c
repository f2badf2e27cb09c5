/*
 * The pagers: every kind of region page that is not plain private memory
 * (struct vm_pagerops in vm.h; OpenBSD's uvm_pager.c keeps the same kind
 * of list).  The core reaches a region's pager through r_pgops; this
 * table is for what concerns a whole address space, not one region.
 */
#include "systm.h"
#include "vm.h"

static const struct vm_pagerops *const vm_pagers[] = {
	&vmap_pagerops,		/* vmap(2) memory, private or shareable (kern/vm/vmap.c) */
};

/*
 * vm is being freed: its pages are dropped already, its page tables not
 * yet.  Every pager forgets vm (a vmap page vm owns without mapping it
 * passes to its next owner), whether or not vm still has its regions.
 */
void
vm_pager_vmfree(struct vmspace *vm)
{
	for (size_t i = 0; i < nitems(vm_pagers); i++)
		if (vm_pagers[i]->pgo_vmfree != NULL)
			vm_pagers[i]->pgo_vmfree(vm);
}
