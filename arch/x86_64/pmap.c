/*
 * pmap.c: 4-level page tables.
 *
 * The kernel half of every address space (PML4 slots 256..511) is the
 * same: the direct map of physical memory (slot 256) and the kernel image
 * (slot 511).  pmap_bootstrap() builds those tables once, statically;
 * pmap_create() copies the 256 kernel slots into each new PML4, so the
 * lower-level kernel tables are shared and never change afterwards
 * (except for device windows added under slot 256 by pmap_mapdev()).
 *
 * User page-table pages come from page_alloc(); the pages they map
 * belong to kern/vm/vm.c.  A table page that becomes empty when mappings are
 * removed is freed at once (prune_tables), not at pmap_destroy(): else a
 * process that maps and unmaps one page at scattered addresses would make
 * the kernel hold a table page per address it ever touched.  An address
 * space holds at most vm_pt_limit() table pages (pm_ntables); beyond
 * that pmap_enter() fails with ENOMEM.
 *
 * Freeing a table page is only safe once no CPU can still walk it: its
 * parent entry is cleared under pm_lock (so no software walk -- every one
 * takes pm_lock, pmap_extract included -- reaches it again), then a
 * shootdown makes every CPU that has the pmap loaded reload %cr3, which
 * also empties the paging-structure caches that may hold the old parent
 * entry, and only then does the page go back to page_free.
 *
 * Shared page tables (md.h).  A PD entry that points
 * at a shared page table has PTE_SHARED, a bit the CPU ignores, set; the
 * table holds no writable entry (pmap_share write-protected them), so
 * reads go through it and a write faults to vm_fault(), which makes the
 * table private first (unshare_table).  x86 alone could write-protect a
 * table through its PDE's RW bit; RISC-V cannot, and one scheme for
 * both ports is easier to trust than two.
 *
 * TLB shootdown.  Each pmap keeps pm_cpus, the set of CPUs that have it
 * in %cr3 (updated by pmap_activate/pmap_deactivate with locked
 * instructions).  After changing or removing a valid PTE we flush our
 * own TLB and, if other CPUs are in pm_cpus, ask each of them to reload
 * %cr3 and wait until all have done it.  The request is an NMI, not an
 * ordinary interrupt: the initiator is often inside a spin lock (say the
 * vmspace lock, during a copy-on-write fault), and a CPU that spins on
 * that same lock has interrupts off; an ordinary IPI would never be
 * taken and both CPUs would wait forever.  An NMI is taken even then.
 * The NMI handler does not use %gs (it can arrive in the middle of a
 * swapgs sequence); it finds its CPU by its local APIC id.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "page.h"
#include "vm.h"
#include "spinlock.h"
#include "x86.h"

struct pmap {
	paddr_t		pm_pml4;	/* physical address of the PML4 page */
	volatile uint64_t pm_cpus;	/* bit i: CPU i has it in %cr3 */
	volatile int	pm_dead;	/* 1: destroyed, free when pm_cpus is 0; 2: freed */
	struct spinlock	pm_lock;	/* the tables: every walk, change, add or free */
	unsigned long	pm_ntables;	/* user table pages below the PML4 */
	unsigned long	pm_nshared;	/* of them, shared page tables (PD entries with PTE_SHARED) */
};

/* A PD entry for a shared page table (AVL bit 9: the CPU ignores it). */
#define PTE_SHARED	(1UL << 9)

/* Table pages unlinked but not yet freed: they wait for a shootdown. */
#define PRUNE_BATCH	16
struct prunelist {
	int	n;
	paddr_t	pa[PRUNE_BATCH];
};

#define NPTE		512
#define NDMAP_PD	16		/* direct map PD pages: 16 GiB */
#define NKERN_PT	8		/* kernel image PT pages: 16 MiB */

typedef uint64_t pt_entry_t;

static pt_entry_t kpml4[NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t kpdpt_dmap[NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t dmap_pd[NDMAP_PD][NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t kpdpt_kern[NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t kpd_kern[NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t kpt_kern[NKERN_PT][NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t kpdpt_kstack[NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t kpd_kstack[NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t kpt_kstack[NPTE] __attribute__((aligned(PAGE_SIZE)));

static struct pmap kernel_pmap;
paddr_t kernel_pml4_pa;

extern char __kernel_start[], __etext[], __erodata[], __kernel_end[];

#define PTE_UC		(PTE_PCD | PTE_PWT)
#define SZ_2M		(2UL << 20)
#define SZ_1G		(1UL << 30)

/* ---- the kernel's tables ------------------------------------------------ */

static void
dmap_enter_2m(paddr_t pa, int uncached)
{
	unsigned long gib = pa >> 30;
	pt_entry_t *pd;

	if (!(kpdpt_dmap[gib] & PTE_P)) {
		if (gib < NDMAP_PD)
			pd = dmap_pd[gib];
		else {
			paddr_t np = page_alloc();	/* only after kern_main */
			if (np == 0)
				panic("pmap_mapdev: out of memory");
			pd = PHYS_TO_KVA(np);
		}
		kpdpt_dmap[gib] = KVA_TO_PHYS(pd) | PTE_P | PTE_W;
	}
	pd = PHYS_TO_KVA(kpdpt_dmap[gib] & PTE_FRAME);
	if (!(pd[PD_INDEX(pa)] & PTE_P))
		pd[PD_INDEX(pa)] = pa | PTE_P | PTE_W | PTE_PS | pte_nx | (uncached ? PTE_UC : 0);
}

/*
 * Build the kernel page tables and switch to them.  The direct map
 * covers the first 4 GiB (RAM, ACPI tables, and the LAPIC, IOAPIC and
 * 32-bit PCI BARs) and all RAM above, in 2 MiB pages: write-back where
 * the memory map says there is memory, uncached elsewhere.  The kernel
 * image gets 4 KiB pages so each part has exactly its rights (W^X):
 * text read+execute, rodata read-only, data and bss read+write, no exec.
 */
void
pmap_bootstrap(void)
{
	paddr_t top = memmap_top(), pa;
	vaddr_t va;

	if (top < (4UL << 30))
		top = 4UL << 30;
	if (top > DMAP_RAM_LIMIT)
		top = DMAP_RAM_LIMIT;
	for (pa = 0; pa < top; pa += SZ_2M)
		dmap_enter_2m(pa, !memmap_is_memory(pa, SZ_2M));
	kpml4[PML4_INDEX(DMAP_BASE)] = V2P(kpdpt_dmap) | PTE_P | PTE_W;

	if ((vaddr_t)__kernel_end - KERNBASE > NKERN_PT * SZ_2M)
		panic("kernel image too big for pmap_bootstrap");
	kpml4[511] = V2P(kpdpt_kern) | PTE_P | PTE_W;
	kpdpt_kern[PDPT_INDEX(KERNBASE)] = V2P(kpd_kern) | PTE_P | PTE_W;
	for (va = (vaddr_t)__kernel_start; va < (vaddr_t)__kernel_end; va += PAGE_SIZE) {
		unsigned long i = (va - KERNBASE) >> 21;
		pt_entry_t bits;

		kpd_kern[i] = V2P(kpt_kern[i]) | PTE_P | PTE_W;
		if (va < (vaddr_t)__etext)
			bits = PTE_P;
		else if (va < (vaddr_t)__erodata)
			bits = PTE_P | pte_nx;
		else
			bits = PTE_P | PTE_W | pte_nx;
		kpt_kern[i][PT_INDEX(va)] = V2P(va) | bits;
	}

	/*
	 * The kernel-stack area: its tables exist from now on, empty, so
	 * every PML4 that pmap_create() copies shares them, and the stacks
	 * pmap_kenter_pa() maps later appear in all address spaces at once.
	 */
	kpml4[PML4_INDEX(KSTACK_AREA)] = V2P(kpdpt_kstack) | PTE_P | PTE_W;
	kpdpt_kstack[PDPT_INDEX(KSTACK_AREA)] = V2P(kpd_kstack) | PTE_P | PTE_W;
	kpd_kstack[PD_INDEX(KSTACK_AREA)] = V2P(kpt_kstack) | PTE_P | PTE_W;

	kernel_pmap.pm_pml4 = kernel_pml4_pa = V2P(kpml4);
	spinlock_init(&kernel_pmap.pm_lock, "kpmap");
	lcr3(kernel_pml4_pa);
}

/*
 * Map one page of a kernel stack (kern/proc.c), read/write and never
 * executable.  Only adds entries to an empty slot, so no TLB holds an
 * old translation to flush: x86 does not cache a not-present entry.
 */
void
pmap_kenter_pa(vaddr_t va, paddr_t pa, int prot)
{
	PMAP_ASSERT_KENTER(pa, prot);
	if (va < KSTACK_AREA || va >= KSTACK_AREA + KSTACK_AREA_SIZE || (va & (PAGE_SIZE - 1)))
		panic("pmap_kenter_pa: 0x%lx is not a page of the kernel-stack area", va);
	if (kpt_kstack[PT_INDEX(va)] & PTE_P)
		panic("pmap_kenter_pa: 0x%lx is already mapped", va);
	kpt_kstack[PT_INDEX(va)] = pa | PTE_P | pte_nx | ((prot & VM_PROT_WRITE) ? PTE_W : 0);
}

/*
 * A window onto device memory (PCI BARs above 4 GiB, say): uncached
 * 2 MiB pages in the direct map, shared by every address space because
 * the kernel half is.  Call it before other CPUs could use the range.
 */
void *
pmap_mapdev(paddr_t pa, size_t len)
{
	paddr_t p;

	if (pa + len > (512UL << 30))
		panic("pmap_mapdev: 0x%lx is beyond the direct map", pa);
	for (p = pa & ~(SZ_2M - 1); p < pa + len; p += SZ_2M)
		dmap_enter_2m(p, !memmap_is_memory(p, SZ_2M));
	return PHYS_TO_KVA(pa);
}

/* ---- TLB shootdown --------------------------------------------------------- */
volatile int tlb_pending[MAXCPUS];
static volatile int tlb_lock;

/*
 * full: a table page was unlinked, so flush everything here too (a
 * reload of %cr3), not just the pages of [sva, eva).
 */
static void
pmap_shootdown(struct pmap *pm, vaddr_t sva, vaddr_t eva, int full)
{
	register_t s = intr_disable();
	int me = cpu_number(), i;
	uint64_t others;
	vaddr_t va;

	__sync_synchronize();		/* PTE stores before reading pm_cpus */
	if (pm->pm_cpus & (1UL << me)) {
		if (!full && eva - sva <= 32 * PAGE_SIZE)
			for (va = sva; va < eva; va += PAGE_SIZE)
				invlpg(va);
		else
			lcr3(rcr3());
	}
	others = pm->pm_cpus & ~(1UL << me);
	if (others != 0) {
		while (__sync_lock_test_and_set(&tlb_lock, 1))
			pause();
		for (i = 0; i < ncpu; i++)
			if (others & (1UL << i))
				tlb_pending[i] = 1;
		__sync_synchronize();
		for (i = 0; i < ncpu; i++)
			if (others & (1UL << i))
				lapic_send_ipi(cpu_apicids[i], 0x400);	/* delivery mode NMI */
		for (i = 0; i < ncpu; i++)
			while (tlb_pending[i])
				pause();
		__sync_lock_release(&tlb_lock);
	}
	intr_restore(s);
}

/* The NMI side of a shootdown (called from nmi_handler in trap.c). */
void
tlb_shootdown_nmi(void)
{
	uint32_t id = lapic_id();
	int i;

	for (i = 0; i < ncpu; i++) {
		if (cpu_apicids[i] == id && tlb_pending[i]) {
			lcr3(rcr3());
			__sync_synchronize();
			tlb_pending[i] = 0;
		}
	}
}

/* ---- user address spaces ------------------------------------------------- */

struct pmap *
pmap_create(void)
{
	struct pmap *pm;
	paddr_t pa;
	pt_entry_t *pml4;
	int i;

	if ((pm = kpage_alloc()) == NULL)
		return NULL;
	if ((pa = page_alloc()) == 0) {
		kpage_free(pm);
		return NULL;
	}
	pml4 = PHYS_TO_KVA(pa);
	for (i = NPTE / 2; i < NPTE; i++)
		pml4[i] = kpml4[i];
	pm->pm_pml4 = pa;
	pm->pm_cpus = 0;
	pm->pm_dead = 0;
	pm->pm_ntables = 0;
	pm->pm_nshared = 0;
	spinlock_init(&pm->pm_lock, "pmap");
	return pm;
}

static void table_release(paddr_t pt);

/* Free a table page and the tables below it; let go of the shared page tables among them. */
static void
free_table(paddr_t pa, int level)
{
	pt_entry_t *t = PHYS_TO_KVA(pa);
	int i;

	if (level > 1) {
		for (i = 0; i < NPTE; i++) {
			if (!(t[i] & PTE_P))
				continue;
			if (t[i] & PTE_SHARED)
				table_release(t[i] & PTE_FRAME);
			else
				free_table(t[i] & PTE_FRAME, level - 1);
		}
	}
	page_unref(pa);
}

/* Free the user half's tables (level 3 down) and the PML4 itself. */
static void
pmap_free(struct pmap *pm)
{
	pt_entry_t *pml4 = PHYS_TO_KVA(pm->pm_pml4);
	int i;

	for (i = 0; i < NPTE / 2; i++)
		if (pml4[i] & PTE_P)
			free_table(pml4[i] & PTE_FRAME, 3);
	page_unref(pm->pm_pml4);
	kpage_free(pm);
}

/* Load pm into %cr3 on this CPU (interrupts off). */
static void
pmap_load(struct mdcpu *mc, struct pmap *pm)
{
	struct pmap *old = mc->mc_pmap;
	uint64_t bit = 1UL << mc->mc_self->ci_cpuid;

	if (old == pm)
		return;
	__sync_fetch_and_or(&pm->pm_cpus, bit);
	mc->mc_pmap = pm;
	lcr3(pm->pm_pml4);
	if (old != NULL) {
		__sync_fetch_and_and(&old->pm_cpus, ~bit);
		if (old->pm_dead == 1 && old->pm_cpus == 0 &&
		    __sync_bool_compare_and_swap(&old->pm_dead, 1, 2))
			pmap_free(old);
	}
}

/*
 * A CPU that last ran a process may still have its pmap in %cr3 (if the
 * scheduler did not call pmap_deactivate), so the tables are freed only
 * when no CPU has them loaded: here, or by the last pmap_load() that
 * moves away from them.
 */
void
pmap_destroy(struct pmap *pm)
{
	register_t s;
	struct mdcpu *mc;

	KASSERT(pm != &kernel_pmap);
	s = intr_disable();
	mc = &curcpu()->ci_md;
	if (mc->mc_pmap == pm)
		pmap_load(mc, &kernel_pmap);
	pm->pm_dead = 1;
	__sync_synchronize();
	if (pm->pm_cpus == 0 && __sync_bool_compare_and_swap(&pm->pm_dead, 1, 2))
		pmap_free(pm);
	intr_restore(s);
}

static int unshare_table(struct pmap *pm, pt_entry_t *pde);

/*
 * Find the PTE of va, adding missing table pages when alloc is set (NULL
 * when memory is out or the address space is at its vm_pt_limit()).
 * Without alloc, a missing level gives NULL and *skip = the size of the
 * hole, so range walks can jump over it.  A shared page table on the way
 * is made private with alloc (the caller changes its entries); else it is
 * read through when sharedp is given (*sharedp is set), and a hole when
 * not.  pm_lock held.
 */
static pt_entry_t *
pmap_walk(struct pmap *pm, vaddr_t va, int alloc, vaddr_t *skip, int *sharedp)
{
	pt_entry_t *table = PHYS_TO_KVA(pm->pm_pml4), *e;
	paddr_t pa;
	int shift;

	for (shift = 39; shift > 12; shift -= 9) {
		e = &table[(va >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!alloc) {
				if (skip)
					*skip = 1UL << shift;
				return NULL;
			}
			if (pm->pm_ntables >= vm_pt_limit() || (pa = page_alloc()) == 0)
				return NULL;
			pm->pm_ntables++;
			/* Upper levels allow everything; the leaf decides. */
			*e = pa | PTE_P | PTE_W | PTE_U;
		} else if (*e & PTE_SHARED) {
			if (alloc) {
				if (unshare_table(pm, e) != 0)
					return NULL;
			} else if (sharedp != NULL) {
				*sharedp = 1;
			} else {
				if (skip)
					*skip = 1UL << shift;
				return NULL;
			}
		}
		table = PHYS_TO_KVA(*e & PTE_FRAME);
	}
	return &table[(va >> 12) & 511];
}

/* Does the table page hold no valid entry?  Look near i first: unmaps go in order. */
static int
table_empty(const pt_entry_t *t, int i)
{
	for (int j = i; j < NPTE; j++)
		if (t[j] & PTE_P)
			return 0;
	for (int j = 0; j < i; j++)
		if (t[j] & PTE_P)
			return 0;
	return 1;
}

/*
 * Unlink the table pages on va's path that are empty, bottom up (the
 * PML4 stays), onto pl.  They are freed by prune_finish() after a
 * shootdown.  pm_lock held.
 */
static void
prune_tables(struct pmap *pm, vaddr_t va, struct prunelist *pl)
{
	pt_entry_t *path[3];		/* the PML4, PDPT, PD entries on va's path */
	pt_entry_t *table = PHYS_TO_KVA(pm->pm_pml4);
	int depth, shift;

	for (depth = 0, shift = 39; shift > 12; shift -= 9, depth++) {
		pt_entry_t *e = &table[(va >> shift) & 511];
		if (!(*e & PTE_P) || (*e & PTE_SHARED))
			break;		/* a shared table is not pm's to free */
		path[depth] = e;
		table = PHYS_TO_KVA(*e & PTE_FRAME);
	}
	/* path[depth - 1] points at the lowest table on the path. */
	for (shift = 39 - 9 * (depth - 1); depth > 0; depth--, shift += 9) {
		pt_entry_t *e = path[depth - 1];
		paddr_t pa = *e & PTE_FRAME;
		if (!table_empty(PHYS_TO_KVA(pa), (va >> (shift - 9)) & 511))
			break;
		KASSERT(pl->n < PRUNE_BATCH);
		*e = 0;
		pm->pm_ntables--;
		pl->pa[pl->n++] = pa;
	}
}

/*
 * Free the unlinked table pages once no CPU can walk them: after the
 * shootdown the caller does (or does here, when it had nothing else to
 * shoot down).  Called with or without pm_lock.
 */
static void
prune_finish(struct pmap *pm, struct prunelist *pl, int shot)
{
	if (pl->n == 0)
		return;
	if (!shot)
		pmap_shootdown(pm, 0, 0, 1);
	for (int i = 0; i < pl->n; i++)
		page_unref(pl->pa[i]);
	pl->n = 0;
}

/* VM_PROT_* -> leaf bits.  A present page is readable: READ is implied (md.h). */
static pt_entry_t
prot_bits(int prot)
{
	pt_entry_t b = PTE_P;

	if (prot & VM_PROT_WRITE)
		b |= PTE_W;
	if (prot & VM_PROT_USER)
		b |= PTE_U;
	if (!(prot & VM_PROT_EXEC))
		b |= pte_nx;
	return b;
}

/* A valid leaf's VM_PROT_* bits, as pmap_extract reports them (READ always). */
static int
pte_prot(pt_entry_t e)
{
	return VM_PROT_READ | ((e & PTE_W) ? VM_PROT_WRITE : 0) |
	    ((e & PTE_U) ? VM_PROT_USER : 0) | ((e & pte_nx) ? 0 : VM_PROT_EXEC);
}

int
pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, int prot)
{
	struct prunelist pl = { 0 };
	pt_entry_t *pte, old;

	KASSERT(pm != &kernel_pmap);
	PMAP_ASSERT_ENTER(va, pa, prot);
	spinlock_acquire(&pm->pm_lock);
	pte = pmap_walk(pm, va, 1, NULL, NULL);
	if (pte == NULL) {
		/* The tables this attempt added are empty: no leak per failure. */
		prune_tables(pm, va, &pl);
		spinlock_release(&pm->pm_lock);
		prune_finish(pm, &pl, 0);
		return ENOMEM;
	}
	old = *pte;
	*pte = pa | prot_bits(prot);
	spinlock_release(&pm->pm_lock);
	if (old & PTE_P)
		pmap_shootdown(pm, va, va + PAGE_SIZE, 0);
	return 0;
}

/* The end of va's page table (the 2 MiB it maps), or eva if that comes first. */
static vaddr_t
table_end(vaddr_t va, vaddr_t eva)
{
	vaddr_t end = (va | (NPTE * PAGE_SIZE - 1)) + 1;

	return end < eva ? end : eva;
}

/*
 * md.h.  m[i]'s page table is looked up again only when m[i] is in
 * another one than m[i - 1]; a batch of fork's lies in one.  As
 * pmap_enter, the TLBs are shot down after the lock, and only if an
 * entry replaced a valid one.
 */
int
pmap_enter_range(struct pmap *pm, const struct pmap_mapping *m, int n)
{
	struct prunelist pl = { 0 };
	pt_entry_t *table = NULL, *pte;
	vaddr_t base = 0;		/* the va that table[0] maps */
	int i, replaced = 0;

	KASSERT(pm != &kernel_pmap);
	KASSERT(n >= 0);
	spinlock_acquire(&pm->pm_lock);
	for (i = 0; i < n; i++) {
		vaddr_t va = m[i].pm_va;
		PMAP_ASSERT_ENTER(va, m[i].pm_pa, m[i].pm_prot);
		KDASSERT(i == 0 || va > m[i - 1].pm_va);
		if (table == NULL || va - base >= NPTE * PAGE_SIZE) {
			if ((pte = pmap_walk(pm, va, 1, NULL, NULL)) == NULL) {
				prune_tables(pm, va, &pl);	/* as pmap_enter: no leak */
				break;
			}
			table = pte - PT_INDEX(va);
			base = va - PT_INDEX(va) * PAGE_SIZE;
		}
		pte = &table[PT_INDEX(va)];
		replaced |= *pte & PTE_P;
		*pte = m[i].pm_pa | prot_bits(m[i].pm_prot);
	}
	spinlock_release(&pm->pm_lock);
	if (replaced)
		pmap_shootdown(pm, m[0].pm_va, m[i - 1].pm_va + PAGE_SIZE, 0);
	prune_finish(pm, &pl, 0);
	return i;
}

/*
 * Give every valid PTE in [sva, eva) the leaf bits `bits' (its frame
 * kept), or remove it when bits is 0; shoot down if any changed.  One
 * walk from the root per page table, then its entries in a row (fork
 * write-protects every page of the parent with this).  A removal frees
 * the table pages it leaves empty too: checked once per page table, as
 * the walk leaves it.  A shared page table is skipped by a protection
 * without PTE_W, and a bug for anything else (md.h).
 */
static void
pmap_range(struct pmap *pm, vaddr_t sva, vaddr_t eva, pt_entry_t bits)
{
	struct prunelist pl = { 0 };
	vaddr_t va, end, skip = PAGE_SIZE;
	pt_entry_t *pte, n;
	int changed = 0, touched;

	KASSERT(pm != &kernel_pmap);
	PMAP_ASSERT_RANGE(sva, eva);
	spinlock_acquire(&pm->pm_lock);
	for (va = sva; va < eva; ) {
		int shared = 0;
		pte = pmap_walk(pm, va, 0, &skip, &shared);
		if (pte == NULL) {
			va = (va & ~(skip - 1)) + skip;
			continue;
		}
		if (shared) {
			if (bits == 0 || (bits & PTE_W))
				panic("pmap: 0x%lx is in a shared page table (pmap_unshare first)", va);
			va = table_end(va, eva);
			continue;
		}
		touched = 0;
		for (end = table_end(va, eva); va < end; va += PAGE_SIZE, pte++) {
			if (*pte & PTE_P) {
				n = bits != 0 ? (*pte & PTE_FRAME) | bits : 0;
				if (n != *pte) {
					*pte = n;
					changed = touched = 1;
				}
			}
		}
		if (bits == 0 && touched) {
			if (pl.n + 3 > PRUNE_BATCH) {
				/* Full: shoot down now (allowed under pm_lock: NMIs). */
				pmap_shootdown(pm, sva, eva, 1);
				prune_finish(pm, &pl, 1);
			}
			prune_tables(pm, va - PAGE_SIZE, &pl);
		}
	}
	spinlock_release(&pm->pm_lock);
	if (changed)
		pmap_shootdown(pm, sva, eva, pl.n > 0);
	prune_finish(pm, &pl, changed);
}

void
pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	pmap_range(pm, sva, eva, 0);
}

void
pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, int prot)
{
	PMAP_ASSERT_PROT(prot);
	if ((prot & VM_PROT_ALL) == 0)
		pmap_range(pm, sva, eva, 0);
	else
		pmap_range(pm, sva, eva, prot_bits(prot));	/* exactly prot (md.h): not even PTE_U is kept */
}

/*
 * *pap gets the physical address of va itself (page frame + offset).
 * Under pm_lock: another thread may be unmapping, and the table pages
 * on the way may be freed (prune_tables) the moment the lock is free.
 */
int
pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pap, int *protp)
{
	pt_entry_t *pte, e;

	KASSERT(pm != &kernel_pmap);
	if (va >= USER_TOP)
		return 0;
	int shared = 0;
	spinlock_acquire(&pm->pm_lock);
	pte = pmap_walk(pm, va, 0, NULL, &shared);
	e = pte != NULL ? *pte : 0;
	spinlock_release(&pm->pm_lock);
	if (!(e & PTE_P))
		return 0;
	KDASSERT(!shared || !(e & PTE_W));	/* copy-on-write for every holder (md.h) */
	if (pap)
		*pap = (e & PTE_FRAME) | (va & PAGE_MASK);
	if (protp)
		*protp = pte_prot(e);
	return 1;
}

/*
 * md.h.  Under pm_lock, as pmap_extract; the batch ends with its page
 * table, so one walk from the root finds all of it.
 */
int
pmap_extract_range(struct pmap *pm, vaddr_t *vap, vaddr_t eva, struct pmap_mapping *m, int max)
{
	vaddr_t va = *vap, end, skip = PAGE_SIZE;
	pt_entry_t *pte;
	int n = 0;

	KASSERT(pm != &kernel_pmap);
	PMAP_DASSERT_RANGE(va, eva);
	KDASSERT(max > 0);
	spinlock_acquire(&pm->pm_lock);
	while (va < eva && n == 0) {
		pte = pmap_walk(pm, va, 0, &skip, NULL);
		if (pte == NULL) {
			va = (va & ~(skip - 1)) + skip;
			continue;
		}
		for (end = table_end(va, eva); va < end && n < max; va += PAGE_SIZE, pte++) {
			pt_entry_t e = *pte;	/* once: the stores to m[] might alias it */
			if (e & PTE_P) {
				m[n].pm_va = va;
				m[n].pm_pa = e & PTE_FRAME;
				m[n].pm_prot = pte_prot(e);
				n++;
			}
		}
	}
	spinlock_release(&pm->pm_lock);
	*vap = va < eva ? va : eva;
	return n;
}

/*
 * The first mapped page at or after *vap and below eva: 1 with *vap set
 * to it, or 0.  Holes cost one step per missing table, not per page, so
 * walking a huge mostly empty range (a failed exec's region) is cheap.
 */
int
pmap_next(struct pmap *pm, vaddr_t *vap, vaddr_t eva)
{
	vaddr_t va = *vap, skip = PAGE_SIZE;
	pt_entry_t *pte;
	int found = 0;

	KASSERT(pm != &kernel_pmap);
	PMAP_DASSERT_RANGE(va, eva);
	spinlock_acquire(&pm->pm_lock);
	while (va < eva) {
		pte = pmap_walk(pm, va, 0, &skip, NULL);
		if (pte == NULL) {
			vaddr_t next = (va & ~(skip - 1)) + skip;
			if (next <= va)
				break;		/* wrapped past the top */
			va = next;
			continue;
		}
		if (*pte & PTE_P) {
			found = 1;
			break;
		}
		va += PAGE_SIZE;
	}
	spinlock_release(&pm->pm_lock);
	if (found)
		*vap = va;
	return found;
}

/* ---- shared page tables (md.h; kern/vm/vm.c decides when) ---------------- */

/*
 * Let go of one holder's reference to the shared page table pt.  While
 * shared, its pages hold one reference for all holders; the last holder
 * drops those, then frees the table.  With or without a pm_lock.
 */
static void
table_release(paddr_t pt)
{
	if (page_unref_unless_last(pt))
		return;
	pt_entry_t *t = PHYS_TO_KVA(pt);
	for (int i = 0; i < NPTE; i++)
		if (t[i] & PTE_P)
			page_unref(t[i] & PTE_FRAME);
	page_unref(pt);
}

/*
 * Make the shared page table that *pde points at pm's own.  The last
 * holder takes it back as it is (no entry changes: no TLB work); any
 * other gets a copy, which references each page for pm, and lets go of
 * the shared one once no CPU of pm can walk it (a full shootdown: the
 * paging-structure caches too).  The pages stay write-protected either
 * way: vm_fault's copy-on-write takes each one back.
 *	=> pm_lock held; *pde is a shared PD entry
 *	=> 0, or ENOMEM with *pde unchanged
 */
static int
unshare_table(struct pmap *pm, pt_entry_t *pde)
{
	paddr_t pt = *pde & PTE_FRAME, copy;

	KASSERT(spinlock_holding(&pm->pm_lock));
	KASSERT((*pde & (PTE_P | PTE_SHARED)) == (PTE_P | PTE_SHARED) && pm->pm_nshared > 0);
	if (page_refcount(pt) == 1) {
		*pde &= ~PTE_SHARED;
		pm->pm_nshared--;
		return 0;
	}
	if ((copy = page_alloc()) == 0)
		return ENOMEM;
	pt_entry_t *from = PHYS_TO_KVA(pt), *to = PHYS_TO_KVA(copy);
	for (int i = 0; i < NPTE; i++) {
		pt_entry_t e = from[i];
		if (e & PTE_P) {
			KDASSERT(!(e & PTE_W));
			to[i] = e;
			page_ref(e & PTE_FRAME);
		}
	}
	*pde = copy | PTE_P | PTE_W | PTE_U;
	pm->pm_nshared--;
	pmap_shootdown(pm, 0, 0, 1);	/* allowed under pm_lock: NMIs */
	table_release(pt);
	return 0;
}

/*
 * The PD entry for va, adding the PDPT and PD pages on the way when alloc
 * is set (NULL when memory is out, or at vm_pt_limit()); without alloc,
 * NULL when they are missing.  pm_lock held.
 */
static pt_entry_t *
pde_of(struct pmap *pm, vaddr_t va, int alloc)
{
	pt_entry_t *table = PHYS_TO_KVA(pm->pm_pml4), *e;
	paddr_t pa;

	for (int shift = 39; shift > 21; shift -= 9) {
		e = &table[(va >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!alloc || pm->pm_ntables >= vm_pt_limit() || (pa = page_alloc()) == 0)
				return NULL;
			pm->pm_ntables++;
			*e = pa | PTE_P | PTE_W | PTE_U;
		}
		table = PHYS_TO_KVA(*e & PTE_FRAME);
	}
	return &table[PD_INDEX(va)];
}

/*
 * Write-protect every entry of the page table t.  Each entry is
 * rewritten, with no test, four at a time: fork's first share of a big
 * process goes through every table it has.  pm_lock held.
 */
static void
table_write_protect(pt_entry_t *t)
{
	for (int i = 0; i < NPTE; i += 4) {
		t[i] &= ~PTE_W;
		t[i + 1] &= ~PTE_W;
		t[i + 2] &= ~PTE_W;
		t[i + 3] &= ~PTE_W;
	}
}

/* A table fork shares, on its way from src to dst (pmap_share). */
struct shared_table {
	vaddr_t	va;
	paddr_t	pt;
};
#define SHARE_BATCH	16

/*
 * Put the n tables of b, each referenced for dst already, in dst.  0, or
 * ENOMEM with the references of those not put in dropped (never the
 * last one: src holds one of each).
 */
static int
enter_shared(struct pmap *dst, const struct shared_table *b, int n)
{
	struct prunelist pl = { 0 };
	int i, error = 0;

	spinlock_acquire(&dst->pm_lock);
	for (i = 0; i < n; i++) {
		pt_entry_t *pde = pde_of(dst, b[i].va, 1);
		pt_entry_t e = b[i].pt | PTE_P | PTE_W | PTE_U | PTE_SHARED;
		if (pde == NULL || (*pde == 0 && dst->pm_ntables >= vm_pt_limit())) {
			prune_tables(dst, b[i].va, &pl);	/* what pde_of added is empty */
			error = ENOMEM;
			break;
		}
		if (*pde == e) {
			page_unref(b[i].pt);	/* shared with dst already */
			continue;
		}
		KASSERT(*pde == 0);
		*pde = e;
		dst->pm_ntables++;
		dst->pm_nshared++;
	}
	spinlock_release(&dst->pm_lock);
	prune_finish(dst, &pl, 0);
	for (; i < n; i++)
		page_unref(b[i].pt);
	return error;
}

/*
 * md.h.  A batch of tables at a time: under src's lock each one is
 * write-protected, the first time it is shared (a table shared already
 * has no writable entry, so forking a process again costs a step per
 * table, not per page), and referenced for dst; one shootdown, so that
 * no CPU running on src keeps a writable translation once the child may
 * run; then they go in dst, under its lock.  The two locks are never
 * held together.
 */
int
pmap_share(struct pmap *src, struct pmap *dst, vaddr_t sva, vaddr_t eva)
{
	struct shared_table b[SHARE_BATCH];

	KASSERT(src != &kernel_pmap && dst != &kernel_pmap && src != dst);
	PMAP_ASSERT_RANGE(sva, eva);
	KASSERT(sva % PMAP_TABLE_SPAN == 0 && eva % PMAP_TABLE_SPAN == 0);
	for (vaddr_t va = sva; va < eva; ) {
		vaddr_t first = va;
		int n = 0, shoot = 0;
		spinlock_acquire(&src->pm_lock);
		for (; va < eva && n < SHARE_BATCH; va += PMAP_TABLE_SPAN) {
			pt_entry_t *pde = pde_of(src, va, 0);
			if (pde == NULL || !(*pde & PTE_P))
				continue;	/* no table to share */
			KASSERT(!(*pde & PTE_PS));
			if (!(*pde & PTE_SHARED)) {
				shoot = 1;
				table_write_protect(PHYS_TO_KVA(*pde & PTE_FRAME));
				*pde |= PTE_SHARED;
				src->pm_nshared++;
			}
			b[n].va = va;
			b[n].pt = *pde & PTE_FRAME;
			page_ref(b[n].pt);	/* dst's */
			n++;
		}
		spinlock_release(&src->pm_lock);
		if (shoot)
			pmap_shootdown(src, first, va, 0);
		if (enter_shared(dst, b, n) != 0)
			return ENOMEM;
	}
	return 0;
}

int
pmap_unshare(struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	int error = 0;

	KASSERT(pm != &kernel_pmap);
	PMAP_ASSERT_RANGE(sva, eva);
	if (__atomic_load_n(&pm->pm_nshared, __ATOMIC_RELAXED) == 0)
		return 0;		/* the common case: one load, no walk */
	spinlock_acquire(&pm->pm_lock);
	for (vaddr_t va = sva; va < eva && error == 0 && pm->pm_nshared > 0;
	    va = table_end(va, eva)) {
		pt_entry_t *pde = pde_of(pm, va, 0);
		if (pde != NULL && (*pde & PTE_SHARED))
			error = unshare_table(pm, pde);
	}
	spinlock_release(&pm->pm_lock);
	return error;
}

int
pmap_table_shared(struct pmap *pm, vaddr_t va)
{
	pt_entry_t *pde;
	int n = 0;

	KASSERT(pm != &kernel_pmap && va < USER_TOP);
	spinlock_acquire(&pm->pm_lock);
	pde = pde_of(pm, va, 0);
	if (pde != NULL && (*pde & PTE_SHARED))
		n = page_refcount(*pde & PTE_FRAME);
	spinlock_release(&pm->pm_lock);
	return n;
}

/* Table pages the address space holds now (procinfo, tests). */
unsigned long
pmap_table_count(struct pmap *pm)
{
	return pm->pm_ntables;
}

/*
 * Run p on this CPU: its page tables (the kernel's for a kernel thread)
 * and its kernel stack for traps (TSS rsp0) and for syscall entry.
 */
void
pmap_activate(struct proc *p)
{
	register_t s;
	struct mdcpu *mc;
	uint64_t top;

	KASSERT(p != NULL);
	s = intr_disable();
	mc = &curcpu()->ci_md;
	top = (uint64_t)p->p_kstack + KSTACK_SIZE;
	mc->mc_kstack_top = top;
	mc->mc_tss.tss_rsp[0] = top;
	pmap_load(mc, p->p_vmspace != NULL ? p->p_vmspace->vm_pmap : &kernel_pmap);
	intr_restore(s);
}

void
pmap_deactivate(void)
{
	register_t s = intr_disable();

	pmap_load(&curcpu()->ci_md, &kernel_pmap);
	intr_restore(s);
}

/* Every CPU starts on the kernel pmap (cpu_init_this, mp.c). */
void
pmap_init_cpu(void)
{
	struct mdcpu *mc = &curcpu()->ci_md;

	mc->mc_pmap = NULL;
	pmap_load(mc, &kernel_pmap);
}
