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
	KASSERT(vm->vm_refcnt > 0);	/* a user lends it: it cannot be gone */
	vm->vm_refcnt++;
	sleeplock_release(&vm->vm_lock);
}

/*
 * Drop vm's use of the page pa of region r: by r's pager if it has one
 * (a vmap region's shareable page may pass its ownership on), else its
 * reference.  Caller must hold vm->vm_lock, or be the last user of vm.
 */
void
vm_drop_page(struct vmspace *vm, const struct vm_region *r, paddr_t pa)
{
	if (r != NULL && r->r_pgops != NULL)
		r->r_pgops->pgo_drop(vm, r, pa);
	else
		page_unref(pa);
}

/*
 * Unmap the pages of [start, end), which lies in region r (NULL: in no
 * region with a pager), and drop each (vm_drop_page).  A batch of
 * mapped pages at a time (pmap_extract_range): one pmap_remove, so one
 * TLB shootdown, per batch, not per page; holes cost a step per missing
 * page table (the range may be huge and mostly empty: a failed exec's
 * region).  A page is dropped only once it is unmapped.  The page tables
 * of the range are made private first (a fork may share them):
 * only then are their pages' references vm's to drop.
 *	=> called with vm->vm_lock held
 *	=> 0, or ENOMEM (no page for a table's copy) with nothing unmapped
 */
int
vm_unmap_range(struct vmspace *vm, const struct vm_region *r, vaddr_t start, vaddr_t end)
{
	struct pmap_mapping m[PMAP_ITER_BATCH];
	int n;

	KASSERT(sleeplock_holding(&vm->vm_lock));
	if (pmap_unshare(vm->vm_pmap, start, end) != 0)
		return ENOMEM;
	for (vaddr_t va = start; va < end &&
	    (n = pmap_extract_range(vm->vm_pmap, &va, end, m, PMAP_ITER_BATCH)) > 0; ) {
		pmap_remove(vm->vm_pmap, m[0].pm_va, m[n - 1].pm_va + PAGE_SIZE);
		for (int i = 0; i < n; i++)
			vm_drop_page(vm, r, m[i].pm_pa);
	}
	return 0;
}

/*
 * The most page-table pages one address space may hold (docs/man/vmap.2):
 * twice what mapping all of memory would take (a table page maps 512
 * pages), plus room for the scattered regions of any legal map.  Empty
 * table pages are freed as soon as they are empty (the ports' pmap), so
 * only a process that really maps that much gets near it; the limit
 * stops one from making the kernel hold memory it does not account for.
 */
unsigned long
vm_pt_limit(void)
{
	return page_total_count() / 256 + 64;
}

/*
 * Map fresh zeroed pages over [start, end), which must be unmapped.  On
 * ENOMEM whatever was mapped is undone: nothing leaks.  vm_lock held.
 */
static int
map_zero_pages(struct vmspace *vm, vaddr_t start, vaddr_t end, int prot)
{
	KASSERT(sleeplock_holding(&vm->vm_lock));
	for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
		paddr_t pa = page_alloc();
		if (pa == 0 || pmap_enter(vm->vm_pmap, va, pa, prot | VM_PROT_USER) != 0) {
			if (pa != 0)
				page_unref(pa);
			(void)vm_unmap_range(vm, NULL, start, va);	/* pmap_enter made its tables private */
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
	KASSERT(left >= 0);
	if (left > 0)
		return;

	/*
	 * Nobody runs on these page tables any more, so there is no need to
	 * unmap page by page (and shoot down TLBs): drop the pages, then
	 * free the tables whole.  The walk sees the private tables only:
	 * pmap_destroy lets go of the shared ones (fork, kern/vm/vm.c), whose
	 * pages' references are theirs.
	 */
	struct vm_region *r;
	VM_REGION_FOREACH(vm, r) {
		/* Only what is mapped: a failed exec may leave a huge, empty region. */
		struct pmap_iter it;
		vaddr_t va;
		paddr_t pa;
		pmap_iter_init(&it, vm->vm_pmap, r->r_start, r->r_end);
		while (pmap_iter_next(&it, &va, &pa, NULL))
			vm_drop_page(vm, r, pa);
	}
	/* What the pagers keep about vm goes too (a vmap page it owns passes on). */
	vm_pager_vmfree(vm);
	pmap_destroy(vm->vm_pmap);
	kpage_free(vm);
}

/* ---- the region layer: bookkeeping only (vm.h says who may call it) ---- */

/*
 * A new region [start, end) in a free slot, or NULL if there is none.
 * The one place that looks at free slots (r_prot 0); everybody else
 * walks the regions in use with VM_REGION_FOREACH.
 */
struct vm_region *
vm_region_add(struct vmspace *vm, vaddr_t start, vaddr_t end, int prot, int flags,
    const struct vm_pagerops *pgops)
{
	KASSERT(prot != 0);	/* r_prot 0 marks a free slot */
	KASSERT(start <= end && start % PAGE_SIZE == 0 && end % PAGE_SIZE == 0);
	for (struct vm_region *r = vm->vm_regions; r < vm->vm_regions + VM_NREGION; r++) {
		if (r->r_prot == 0) {
			r->r_start = start;
			r->r_end = end;
			r->r_prot = prot;
			r->r_flags = flags;
			r->r_pgops = pgops;
			return r;
		}
	}
	return NULL;
}

/* The slot of r is free again. */
void
vm_region_remove(struct vm_region *r)
{
	r->r_prot = 0;
	r->r_pgops = NULL;
}

int
vm_region_free_slots(struct vmspace *vm)
{
	struct vm_region *r;
	int used = 0;

	VM_REGION_FOREACH(vm, r)
		used++;
	return VM_NREGION - used;
}

/* The region that holds va, or NULL (OpenBSD: uvm_map_lookup_entry). */
struct vm_region *
vm_region_lookup(struct vmspace *vm, vaddr_t va)
{
	struct vm_region *r;

	VM_REGION_FOREACH(vm, r)
		if (va >= r->r_start && va < r->r_end)
			return r;
	return NULL;
}

/* The protection of the region that holds va, 0 if none (a fault's SEGV_ code). */
int
vm_region_prot(struct vmspace *vm, vaddr_t va)
{
	struct vm_region *r;
	int prot;

	if (vm == NULL)
		return 0;
	sleeplock_acquire(&vm->vm_lock);
	r = vm_region_lookup(vm, va);
	prot = r != NULL ? r->r_prot : 0;
	sleeplock_release(&vm->vm_lock);
	return prot;
}

static struct vm_region *
region_with_flag(struct vmspace *vm, int flag)
{
	struct vm_region *r;

	VM_REGION_FOREACH(vm, r)
		if (r->r_flags & flag)
			return r;
	return NULL;
}

/*
 * A private copy of the page at pa for dst at va, with protection prot:
 * fork's copy of a page it cannot share.  0 or ENOMEM.
 */
int
vm_copy_page(struct vmspace *dst, vaddr_t va, paddr_t pa, int prot)
{
	paddr_t npa = page_alloc();

	if (npa == 0)
		return ENOMEM;
	memcpy(PA_TO_PTR(npa), PA_TO_PTR(pa), PAGE_SIZE);
	if (pmap_enter(dst->vm_pmap, va, npa, prot) != 0) {
		page_unref(npa);
		return ENOMEM;
	}
	return 0;
}

/* SOLUTION BEGIN cow: share pages copy-on-write */
/*
 * Copy-on-write (stage cow).  The pmap interface has no software bit to
 * mark a copy-on-write page, so the mark is the disagreement between the
 * two layers:
 *
 *	the region allows writing (r_prot has VM_PROT_WRITE)
 *	but the page's mapping does not		=> copy-on-write
 *
 * fork write-protects every page of a writable region in the parent
 * and maps the same physical pages, read-only, in the child: one more
 * reference each (page_ref).  The first write in either process faults,
 * and vm_fault() gives the writer a private copy, or, when the writer
 * is the page's last user (reference count 1), simply makes it writable
 * again.  Pages of read-only regions (text, rodata) are shared the same
 * way and never fault for a write: they are never copied at all.
 */

/*
 * Give dst the pages of src's region r, shared.  src's vm_lock is held,
 * so no fault of src is resolved meanwhile; a thread of src running on
 * another CPU keeps running, which is why the write protection comes
 * first and goes through pmap_protect: it shoots down every CPU's stale
 * writable TLB entry before the page is shared.  After that, a write by
 * such a thread faults and waits for vm_lock in vm_fault().
 *
 * A batch of pages at a time, not one: pmap_extract_range reads up to
 * PMAP_ITER_BATCH of src's mappings, pmap_enter_range maps them in dst,
 * each with one lock and one walk of the page tables (a page at a time,
 * those were most of what a big fork cost).  dst maps a page a moment
 * before it holds its reference: harmless, nobody runs on dst yet, and
 * src, whose lock we hold, keeps its own.  On ENOMEM dst has a
 * reference for exactly the pages it maps.
 */
static int
share_region(struct vmspace *src, struct vmspace *dst, struct vm_region *r)
{
	struct pmap_mapping m[PMAP_ITER_BATCH];
	vaddr_t va = r->r_start;
	int n, k, entered;

	KASSERT(sleeplock_holding(&src->vm_lock));
	if (r->r_prot & VM_PROT_WRITE)
		pmap_protect(src->vm_pmap, r->r_start, r->r_end,
		    (r->r_prot & ~VM_PROT_WRITE) | VM_PROT_USER);
	while ((n = pmap_extract_range(src->vm_pmap, &va, r->r_end, m, PMAP_ITER_BATCH)) > 0) {
		/* m[0..k): the pages to share. */
		k = 0;
		for (int i = 0; i < n; i++) {
			if (!(m[i].pm_prot & VM_PROT_WRITE)) {
				m[k++] = m[i];
				continue;
			}
			/*
			 * Writable in a read-only region: exec widened a page
			 * that two ELF segments share.  The rule above cannot
			 * tell such a page from a copy-on-write one, so it is
			 * copied now (at most one page per segment boundary).
			 */
			if (vm_copy_page(dst, m[i].pm_va, m[i].pm_pa, m[i].pm_prot) != 0)
				return ENOMEM;
		}
		entered = pmap_enter_range(dst->vm_pmap, m, k);
		for (int i = 0; i < entered; i++)
			page_ref(m[i].pm_pa);
		if (entered < k)
			return ENOMEM;
	}
	return 0;
}

/* SOLUTION END cow */
/* SOLUTION BEGIN cow-tables: share whole page tables */
/*
 * Page-table sharing (stage cow-tables).  Copy-on-write alone still
 * costs fork a step per mapped page: write-protect it, map it in the
 * child, reference it.  Sharing the last-level page tables themselves
 * (each maps PMAP_TABLE_SPAN bytes: 512 pages) costs a step per table.
 * Both processes read through a shared table; a table is copied only
 * when one of its holders first writes through it (vm_fault), and a
 * holder that exits (or execs) copies nothing (the pmap's shared
 * tables, md.h, do the rest).
 *
 * A table may be shared whole only if every page it maps would be
 * shared copy-on-write anyway: no region in its span has a pager (a
 * vmap region's shareable pages must stay mapped in place, and have a
 * record of who maps them), and no read-only region in it has a
 * writable page (exec's page shared by two ELF segments, always the
 * last page of the first one's region: share_region copies it, for the
 * write-protection rule cannot tell it from a copy-on-write page).
 *
 * And it is worth sharing only if it maps enough pages: a copy goes
 * through all 512 entries, about what sharing a few dozen pages one by
 * one costs, and the first process to write through a shared table pays
 * for one.  A small program's few dozen pages are cheaper shared one by
 * one (share_region).
 */
#define SHARE_MIN_PAGES	(PMAP_TABLE_SPAN / PAGE_SIZE / 8)

/* May vm's page table of [va, va + PMAP_TABLE_SPAN) be shared whole (above)?  vm_lock held. */
static int
table_shareable(struct vmspace *vm, vaddr_t va)
{
	vaddr_t end = va + PMAP_TABLE_SPAN, covered = 0;
	struct vm_region *r;
	int prot;

	VM_REGION_FOREACH(vm, r) {
		vaddr_t lo = MAX(r->r_start, va), hi = MIN(r->r_end, end);
		if (lo >= hi)
			continue;
		if (r->r_pgops != NULL)
			return 0;
		covered += hi - lo;	/* every page of a region is mapped (vm.h) */
	}
	if (covered < SHARE_MIN_PAGES * PAGE_SIZE)
		return 0;
	VM_REGION_FOREACH(vm, r) {
		if (!(r->r_prot & VM_PROT_WRITE) && r->r_end > va && r->r_end <= end &&
		    r->r_start < r->r_end &&
		    pmap_extract(vm->vm_pmap, r->r_end - PAGE_SIZE, NULL, &prot) && (prot & VM_PROT_WRITE))
			return 0;
	}
	return 1;
}

/* share_tables for the page table of [va, va + PMAP_TABLE_SPAN). */
static int
share_table(struct vmspace *src, struct vmspace *dst, vaddr_t va)
{
	if (table_shareable(src, va))
		return pmap_share(src->vm_pmap, dst->vm_pmap, va, va + PMAP_TABLE_SPAN);
	return pmap_unshare(src->vm_pmap, va, va + PMAP_TABLE_SPAN);
}

/*
 * Give dst src's page tables of its private regions: each one that may
 * be shared whole is (pmap_share: a write through it then faults, and
 * vm_fault makes the table private again); one that may not is made
 * private in src, if an earlier fork shared it, so that share_region
 * sees its pages.  share_region then shares the pages of private tables
 * one by one, and skips the shared ones (pmap_extract_range and a
 * pmap_protect without WRITE pass them by).  The tables wholly inside a
 * writable private region need no look at the other regions (regions
 * do not overlap): they go in one pmap_share.
 *	=> src's vm_lock held; 0 or ENOMEM
 */
static int
share_tables(struct vmspace *src, struct vmspace *dst)
{
	struct vm_region *r;
	int error = 0;

	KASSERT(sleeplock_holding(&src->vm_lock));
	VM_REGION_FOREACH(src, r) {
		if (r->r_pgops != NULL || r->r_start == r->r_end)
			continue;
		vaddr_t lo = r->r_start & ~(PMAP_TABLE_SPAN - 1);
		vaddr_t hi = (r->r_end + PMAP_TABLE_SPAN - 1) & ~(PMAP_TABLE_SPAN - 1);
		vaddr_t in_lo = (r->r_start + PMAP_TABLE_SPAN - 1) & ~(PMAP_TABLE_SPAN - 1);
		vaddr_t in_hi = r->r_end & ~(PMAP_TABLE_SPAN - 1);	/* [in_lo, in_hi): inside r */
		if (!(r->r_prot & VM_PROT_WRITE) || in_lo >= in_hi)
			in_lo = in_hi = hi;
		for (vaddr_t va = lo; va < in_lo && error == 0; va += PMAP_TABLE_SPAN)
			error = share_table(src, dst, va);
		if (in_lo < in_hi && error == 0)
			error = pmap_share(src->vm_pmap, dst->vm_pmap, in_lo, in_hi);
		for (vaddr_t va = in_hi; va < hi && error == 0; va += PMAP_TABLE_SPAN)
			error = share_table(src, dst, va);
		if (error != 0)
			return error;
	}
	return 0;
}

/* SOLUTION END cow-tables */
/*
 * fork's copy of an address space: the same regions, and the same
 * contents.  On ENOMEM nothing leaks: dst's regions cover exactly the
 * pages entered so far, and vmspace_free() drops them.
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
	/* SOLUTION BEGIN cow-tables: the tables worth sharing whole, first */
	if (share_tables(src, dst) != 0)
		goto nomem;
	/* SOLUTION ELSE cow-tables */
	//> /* TODO(cow-tables): share whole the page tables that may be (docs/labs/cow-tables.md). */
	/* SOLUTION END cow-tables */
	struct vm_region *r;
	VM_REGION_FOREACH(src, r) {
		/*
		 * A region with a pager has its own rules (a vmap region's
		 * shareable pages make the child a partner, kern/vm/vmap.c).
		 */
		if (r->r_pgops != NULL) {
			if (r->r_pgops->pgo_fork(src, dst, r) != 0)
				goto nomem;
			continue;
		}
		/* SOLUTION BEGIN cow: share, do not copy */
		if (share_region(src, dst, r) != 0)
			goto nomem;
		/* SOLUTION ELSE cow */
		//> /* TODO(cow): share the pages read-only, do not copy them (docs/labs/cow.md). */
		//> for (vaddr_t va = r->r_start; va < r->r_end; va += PAGE_SIZE) {
		//> 	paddr_t pa;
		//> 	int prot;
		//> 	if (pmap_extract(src->vm_pmap, va, &pa, &prot) &&
		//> 	    vm_copy_page(dst, va, PGROUNDDOWN(pa), prot) != 0)
		//> 		goto nomem;
		//> }
		/* SOLUTION END cow */
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
	struct vm_region *r = vm_region_add(vm, start, end, prot, flags, NULL);
	if (r == NULL)
		error = ENOMEM;
	else if ((error = map_zero_pages(vm, start, end, prot)) != 0)
		vm_region_remove(r);	/* map_zero_pages unmapped what it mapped */
	sleeplock_release(&vm->vm_lock);
	return error;
}

/* Would [start, end) run into a region other than except (a vmap region above the heap)? */
static int
vm_overlaps_other(struct vmspace *vm, struct vm_region *except, vaddr_t start, vaddr_t end)
{
	struct vm_region *r;

	VM_REGION_FOREACH(vm, r)
		if (r != except && start < r->r_end && end > r->r_start)
			return 1;
	return 0;
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
		/*
		 * More pages than are free cannot succeed: say so at once
		 * rather than take every free page (other processes' forks
		 * and pipes would fail meanwhile) and give them back.
		 */
		if (new < old || new > limit || vm_overlaps_other(vm, heap, PGROUNDUP(old), PGROUNDUP(new)) ||
		    (PGROUNDUP(new) - PGROUNDUP(old)) / PAGE_SIZE > page_free_count())
			error = ENOMEM;
		else
			error = map_zero_pages(vm, PGROUNDUP(old), PGROUNDUP(new),
			    VM_PROT_READ | VM_PROT_WRITE);
	} else if (incr < 0) {
		if (new > old || new < vm->vm_heap_start)
			error = EINVAL;
		else
			error = vm_unmap_range(vm, NULL, PGROUNDUP(new), PGROUNDUP(old));
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
	struct vm_region *r;
	size_t n = 0;

	VM_REGION_FOREACH(vm, r)
		n += r->r_end - r->r_start;
	return n;
}
