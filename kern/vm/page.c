/*
 * The physical page allocator.
 *
 * At boot the port hands us each free RAM range (kmem_add_range).  Every
 * range keeps, at its own start, an array with one reference count per
 * page frame of the range; the rest of the range is the pages themselves.
 * Free pages are chained through their first word (reached through the
 * kernel's direct map), so the free list costs no extra memory.  A page
 * joins the free list only once it has been used: the pages of a range
 * that nobody has had yet are handed out in address order from its
 * `fresh' mark, so boot touches none of them (writing a link into every
 * free page cost each boot of a 256 MiB machine about 100 ms).
 *
 * Reference counts exist because a page may be mapped in several address
 * spaces at once (after a copy-on-write fork, or a shareable vmap page):
 * it goes back to the free list only when its last user lets go.
 */
#include "systm.h"
#include "md.h"
#include "spinlock.h"
#include "page.h"
#include "proc.h"

#define NRANGE	16

struct page_range {
	paddr_t	first;		/* first managed page frame (after the array) */
	paddr_t	end;		/* end of the range */
	paddr_t	fresh;		/* [fresh, end) was never allocated (and is not on the free list) */
	int	*refcnt;	/* one per page in [first, end) */
};

struct free_page {
	struct free_page *next;
};

static struct spinlock page_lock;
static int page_lock_ready;
static struct page_range ranges[NRANGE];
static int nranges;
static struct free_page *free_list;
static unsigned long nfree, ntotal;

static void
lock(void)
{
	if (!page_lock_ready) {
		spinlock_init(&page_lock, "page");
		page_lock_ready = 1;
	}
	spinlock_acquire(&page_lock);
}

static void
unlock(void)
{
	spinlock_release(&page_lock);
}

/*
 * The reference count of pa, or NULL if pa is not a managed page.
 * Inlined: fork and exit look up a count per page mapped.
 */
static inline __attribute__((always_inline)) int *
refcnt_of(paddr_t pa)
{
	if (pa % PAGE_SIZE != 0)
		return NULL;
	for (int i = 0; i < nranges; i++)
		if (pa >= ranges[i].first && pa < ranges[i].end)
			return &ranges[i].refcnt[(pa - ranges[i].first) / PAGE_SIZE];
	return NULL;
}

void
kmem_add_range(paddr_t start, paddr_t end)
{
	start = PGROUNDUP(start);
	end = PGROUNDDOWN(end);
	if (end <= start || nranges == NRANGE)
		return;

	/*
	 * Carve the count array from the front of the range: n pages need
	 * n ints, and those ints themselves use up some of the pages.
	 */
	unsigned long pages = (end - start) / PAGE_SIZE;
	unsigned long array_pages = (pages * sizeof(int) + PAGE_SIZE - 1) / PAGE_SIZE;
	if (array_pages >= pages)
		return;
	struct page_range *r = &ranges[nranges];
	r->refcnt = (int *)PA_TO_PTR(start);
	r->first = start + array_pages * PAGE_SIZE;
	r->end = end;
	r->fresh = r->first;
	memset(r->refcnt, 0, array_pages * PAGE_SIZE);

	lock();
	nranges++;
	nfree += (r->end - r->first) / PAGE_SIZE;
	ntotal += (r->end - r->first) / PAGE_SIZE;
	unlock();
}

/* A free page: from the free list, else a range's never-used pages.  page_lock held. */
static void *
take_free_page(void)
{
	struct free_page *fp = free_list;

	if (fp != NULL) {
		free_list = fp->next;
		return fp;
	}
	for (int i = 0; i < nranges; i++) {
		struct page_range *r = &ranges[i];
		if (r->fresh < r->end) {
			r->fresh += PAGE_SIZE;
			return PA_TO_PTR(r->fresh - PAGE_SIZE);
		}
	}
	return NULL;
}

paddr_t
page_alloc(void)
{
	void *fp;

	lock();
	fp = take_free_page();
	if (fp != NULL) {
		nfree--;
		/* Charge the process we run for (interrupts are off here). */
		struct proc *p = curcpu()->ci_curproc;
		if (p != NULL)
			p->p_pgalloc++;
	}
	unlock();
	if (fp == NULL)
		return 0;

	paddr_t pa = PTR_TO_PA(fp);
	int *rc = refcnt_of(pa);
	if (rc == NULL || __atomic_load_n(rc, __ATOMIC_RELAXED) != 0)
		panic("page_alloc: free list holds page 0x%lx (count %d)",
		      (unsigned long)pa, rc ? *rc : -1);
	/* Only we know of this page; whoever gets it from us is ordered by that hand-over. */
	__atomic_store_n(rc, 1, __ATOMIC_RELAXED);
	memset(fp, 0, PAGE_SIZE);
	return pa;
}

/*
 * page_ref and page_unref change a count with one atomic instruction, no
 * lock: fork and exit call them once per page mapped, and the global page
 * lock (with the interrupt nesting a spin lock costs) was half of what a
 * big fork cost.  The free list still needs the lock, but only when a
 * count reaches 0, and then the page has no user left to race with: only
 * someone who holds a reference may take another (a free page is never
 * referenced), so a count that reached 0 cannot come back.
 *	=> pa is a managed page with a count above 0 (the caller's reference)
 */
void
page_ref(paddr_t pa)
{
	int *rc = refcnt_of(pa);

	if (rc == NULL)
		panic("page_ref: 0x%lx is not a managed page", (unsigned long)pa);
	int old = __atomic_fetch_add(rc, 1, __ATOMIC_RELAXED);
	if (old <= 0)
		panic("page_ref: page 0x%lx is free", (unsigned long)pa);
}

/*
 * The release ordering makes every access of ours to the page happen
 * before the count drops; the acquire side (the thread that takes it to
 * 0) then sees all of them before it frees the page.
 *	=> as page_ref; the last reference puts the page on the free list
 */
void
page_unref(paddr_t pa)
{
	int *rc = refcnt_of(pa);

	if (rc == NULL)
		panic("page_unref: 0x%lx is not a managed page", (unsigned long)pa);
	int old = __atomic_fetch_sub(rc, 1, __ATOMIC_ACQ_REL);
	if (old <= 0)
		panic("page_unref: page 0x%lx freed twice", (unsigned long)pa);
	if (old > 1)
		return;
	struct free_page *fp = (struct free_page *)PA_TO_PTR(pa);
	lock();
	fp->next = free_list;
	free_list = fp;
	nfree++;
	struct proc *p = curcpu()->ci_curproc;
	if (p != NULL)
		p->p_pgfree++;
	unlock();
}

int
page_refcount(paddr_t pa)
{
	int *rc = refcnt_of(pa);

	/* Acquire: a holder that sees it is the last one sees what the others did first. */
	return rc ? __atomic_load_n(rc, __ATOMIC_ACQUIRE) : -1;
}

/*
 * Drop a reference unless it is the last: 1 when it dropped one (others
 * still hold the page), 0 when the caller holds the only one (nothing
 * changed, the page is still the caller's).  A shared page table is let
 * go of with it (the ports' pmap): its last holder must
 * first drop the references of the pages the table maps, and two holders
 * letting go at once must not both believe the other one is left.
 *	=> as page_ref
 */
int
page_unref_unless_last(paddr_t pa)
{
	int *rc = refcnt_of(pa);

	if (rc == NULL)
		panic("page_unref_unless_last: 0x%lx is not a managed page", (unsigned long)pa);
	int old = __atomic_load_n(rc, __ATOMIC_RELAXED);
	do {
		if (old <= 0)
			panic("page_unref_unless_last: page 0x%lx is free", (unsigned long)pa);
		if (old == 1) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			return 0;
		}
	} while (!__atomic_compare_exchange_n(rc, &old, old - 1, 0, __ATOMIC_ACQ_REL,
	    __ATOMIC_RELAXED));
	return 1;
}

unsigned long
page_free_count(void)
{
	return nfree;
}

unsigned long
page_total_count(void)
{
	return ntotal;
}

void *
kpage_alloc(void)
{
	paddr_t pa = page_alloc();

	return pa ? PA_TO_PTR(pa) : NULL;
}

void
kpage_free(void *kva)
{
	page_unref(PTR_TO_PA(kva));
}
