/*
 * Portable virtual memory: address spaces (vmspaces) made of regions,
 * on top of the port's pmap_* page-table interface.
 *
 * The pmap holds the real mappings; the regions say what the process is
 * allowed to have (text, data, heap, stack), which is what a page-fault
 * handler needs to tell a legal access from a bad one.  Every mapped page
 * holds one reference (page.h) per vmspace that maps it.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "page.h"
#include "sleeplock.h"

_Static_assert(sizeof(struct vmspace) <= PAGE_SIZE, "a vmspace must fit in a page");

struct vmspace *
vmspace_alloc(void)
{
	struct vmspace *vm = kpage_alloc();

	if (vm == NULL)
		return NULL;
	vm->vm_pmap = pmap_create();
	if (vm->vm_pmap == NULL) {
		kpage_free(vm);
		return NULL;
	}
	vm->vm_refcnt = 1;
	sleeplock_init(&vm->vm_lock, "vmspace");
	return vm;
}

void
vmspace_ref(struct vmspace *vm)
{
	sleeplock_acquire(&vm->vm_lock);
	vm->vm_refcnt++;
	sleeplock_release(&vm->vm_lock);
}

/* Unmap [start, end) and drop the pages' references.  vm_lock held (or vm private). */
static void
unmap_pages(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
		paddr_t pa;
		int prot;
		if (pmap_extract(vm->vm_pmap, va, &pa, &prot)) {
			pmap_remove(vm->vm_pmap, va, va + PAGE_SIZE);
			page_unref(PGROUNDDOWN(pa));
		}
	}
}

/*
 * Map fresh zeroed pages over [start, end), which must be unmapped.  On
 * ENOMEM whatever was mapped is undone: nothing leaks.
 */
static int
map_zero_pages(struct vmspace *vm, vaddr_t start, vaddr_t end, int prot)
{
	for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
		paddr_t pa = page_alloc();
		if (pa == 0 || pmap_enter(vm->vm_pmap, va, pa, prot | VM_PROT_USER) != 0) {
			if (pa != 0)
				page_unref(pa);
			unmap_pages(vm, start, va);
			return ENOMEM;
		}
	}
	return 0;
}

/* Drop a reference; the last one frees every page, then the page tables. */
void
vmspace_free(struct vmspace *vm)
{
	sleeplock_acquire(&vm->vm_lock);
	int left = --vm->vm_refcnt;
	sleeplock_release(&vm->vm_lock);
	if (left > 0)
		return;

	/*
	 * Nobody runs on these page tables any more, so there is no need to
	 * unmap page by page (and shoot down TLBs): drop the pages, then
	 * free the tables whole.
	 */
	for (int i = 0; i < VM_NREGION; i++) {
		struct vm_region *r = &vm->vm_regions[i];
		if (r->r_prot == 0)
			continue;
		for (vaddr_t va = r->r_start; va < r->r_end; va += PAGE_SIZE) {
			paddr_t pa;
			int prot;
			if (pmap_extract(vm->vm_pmap, va, &pa, &prot))
				page_unref(PGROUNDDOWN(pa));
		}
	}
	pmap_destroy(vm->vm_pmap);
	kpage_free(vm);
}

int
vm_region_add(struct vmspace *vm, vaddr_t start, vaddr_t end, int prot, int flags)
{
	for (int i = 0; i < VM_NREGION; i++) {
		struct vm_region *r = &vm->vm_regions[i];
		if (r->r_prot == 0) {
			r->r_start = start;
			r->r_end = end;
			r->r_prot = prot;
			r->r_flags = flags;
			return 0;
		}
	}
	return ENOMEM;
}

static struct vm_region *
region_with_flag(struct vmspace *vm, int flag)
{
	for (int i = 0; i < VM_NREGION; i++)
		if (vm->vm_regions[i].r_prot != 0 && (vm->vm_regions[i].r_flags & flag))
			return &vm->vm_regions[i];
	return NULL;
}

/*
 * fork's copy of an address space: the same regions, and a new copy of
 * every present page (read-only ones too, for now: a later lab shares
 * them copy-on-write instead).
 */
int
vmspace_copy(struct vmspace *src, struct vmspace **dstp)
{
	struct vmspace *dst = vmspace_alloc();

	if (dst == NULL)
		return ENOMEM;

	sleeplock_acquire(&src->vm_lock);
	memcpy(dst->vm_regions, src->vm_regions, sizeof(dst->vm_regions));
	dst->vm_heap_start = src->vm_heap_start;
	dst->vm_brk = src->vm_brk;
	for (int i = 0; i < VM_NREGION; i++) {
		struct vm_region *r = &src->vm_regions[i];
		if (r->r_prot == 0)
			continue;
		for (vaddr_t va = r->r_start; va < r->r_end; va += PAGE_SIZE) {
			paddr_t pa, npa;
			int prot;
			if (!pmap_extract(src->vm_pmap, va, &pa, &prot))
				continue;
			npa = page_alloc();
			if (npa == 0)
				goto nomem;
			memcpy(PA_TO_PTR(npa), PA_TO_PTR(PGROUNDDOWN(pa)), PAGE_SIZE);
			if (pmap_enter(dst->vm_pmap, va, npa, prot) != 0) {
				page_unref(npa);
				goto nomem;
			}
		}
	}
	sleeplock_release(&src->vm_lock);
	*dstp = dst;
	return 0;

nomem:
	sleeplock_release(&src->vm_lock);
	vmspace_free(dst);	/* its regions cover exactly the pages entered so far */
	return ENOMEM;
}

int
vm_map_anon(struct vmspace *vm, vaddr_t start, vaddr_t end, int prot, int flags)
{
	int error;

	if (start % PAGE_SIZE || end % PAGE_SIZE || end < start || !user_range_ok(start, end - start))
		return EINVAL;
	sleeplock_acquire(&vm->vm_lock);
	error = vm_region_add(vm, start, end, prot, flags);
	if (error == 0) {
		error = map_zero_pages(vm, start, end, prot);
		if (error) {
			struct vm_region *r;
			for (r = vm->vm_regions; r < vm->vm_regions + VM_NREGION; r++)
				if (r->r_prot != 0 && r->r_start == start && r->r_end == end)
					r->r_prot = 0;
		}
	}
	sleeplock_release(&vm->vm_lock);
	return error;
}

/* Unmap [start, end): regions inside it vanish, regions overlapping an end shrink. */
void
vm_unmap(struct vmspace *vm, vaddr_t start, vaddr_t end)
{
	start = PGROUNDDOWN(start);
	end = PGROUNDUP(end);
	sleeplock_acquire(&vm->vm_lock);
	unmap_pages(vm, start, end);
	for (int i = 0; i < VM_NREGION; i++) {
		struct vm_region *r = &vm->vm_regions[i];
		if (r->r_prot == 0 || r->r_end <= start || r->r_start >= end)
			continue;
		if (r->r_start >= start && r->r_end <= end && !(r->r_flags & VR_HEAP))
			r->r_prot = 0;
		else if (r->r_start < start)
			r->r_end = start;
		else
			r->r_start = end;
	}
	sleeplock_release(&vm->vm_lock);
}

/*
 * A page fault the hardware could not satisfy.  Nothing is mapped
 * lazily yet, so every fault is the process's mistake.  Copy-on-write
 * (a later lab) resolves a write to a read-only copy here.
 */
int
vm_fault(struct proc *p, vaddr_t va, int access)
{
	(void)p;
	(void)va;
	(void)access;
	return EFAULT;
}

/*
 * sbrk: move the program break by incr bytes.  Growing maps zeroed pages
 * (ENOMEM, with nothing leaked, when memory runs out or the heap would
 * reach the stack's guard page); shrinking frees whole pages above it.
 */
int
vm_sbrk(struct proc *p, intptr_t incr, vaddr_t *oldbrk)
{
	struct vmspace *vm = p->p_vmspace;
	int error = 0;

	if (vm == NULL)
		return ENOMEM;
	sleeplock_acquire(&vm->vm_lock);
	struct vm_region *heap = region_with_flag(vm, VR_HEAP);
	struct vm_region *stack = region_with_flag(vm, VR_STACK);
	vaddr_t old = vm->vm_brk, new = old + incr;
	vaddr_t limit = stack ? stack->r_start - PAGE_SIZE : USER_TOP;

	if (heap == NULL) {
		error = ENOMEM;
	} else if (incr > 0) {
		if (new < old || new > limit)
			error = ENOMEM;
		else
			error = map_zero_pages(vm, PGROUNDUP(old), PGROUNDUP(new),
			    VM_PROT_READ | VM_PROT_WRITE);
	} else if (incr < 0) {
		if (new > old || new < vm->vm_heap_start)
			error = EINVAL;
		else
			unmap_pages(vm, PGROUNDUP(new), PGROUNDUP(old));
	}
	if (error == 0) {
		vm->vm_brk = new;
		if (heap != NULL)
			heap->r_end = PGROUNDUP(new);
		*oldbrk = old;
	}
	sleeplock_release(&vm->vm_lock);
	return error;
}

int
user_range_ok(vaddr_t va, size_t len)
{
	return va + len >= va && va + len <= USER_TOP;
}

size_t
vmspace_size(struct vmspace *vm)
{
	size_t n = 0;

	for (int i = 0; i < VM_NREGION; i++)
		if (vm->vm_regions[i].r_prot != 0)
			n += vm->vm_regions[i].r_end - vm->vm_regions[i].r_start;
	return n;
}
