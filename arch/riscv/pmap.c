/*
 * Sv39 page tables (the pmap layer; kern/vm/vm.c is built on it).
 *
 * Sv39 translates 39-bit virtual addresses through three levels of 512
 * eight-byte entries: the root covers 1 GiB per entry, the next level
 * 2 MiB, the last 4 KiB.  An entry with any of R/W/X set is a leaf
 * (a page, or a 2 MiB/1 GiB superpage at the upper levels); V alone points
 * to the next table.  A and D are set up front: hardware would otherwise
 * fault (or, on QEMU, update them itself) on first access and first write.
 *
 * The kernel's table maps the upper half (root entries 256..511).  Every
 * user pmap copies those entries into its own root page, so the kernel is
 * mapped in every address space and a trap never switches page tables.
 * The kernel's upper-half entries are fixed once pmap_bootstrap() has run,
 * so the copies never go stale.
 *
 * TLB consistency.  There are no ASIDs: every satp write is followed by a
 * full sfence.vma, so a hart that does not have a pmap loaded holds no
 * translations of it.  pm_active has bit i set while CPU i has the pmap in
 * satp.  Whoever removes or weakens a mapping (pmap_remove, pmap_protect,
 * pmap_enter over a valid entry) fences locally and asks each other CPU in
 * pm_active to fence the range, through SBI RFENCE remote_sfence_vma,
 * which returns only when those harts have done it.  A CPU that loads the
 * pmap after we read pm_active walks the updated table, since it fences
 * after its satp write.  That is only true with the PTE store ordered
 * before the read of pm_active, hence the fence between them.
 *
 * Table pages.  A user table page that becomes empty when mappings are
 * removed is freed at once (prune_tables), not at pmap_destroy(): else a
 * process mapping and unmapping one page at scattered addresses makes
 * the kernel hold a table page for every address it ever touched.  An
 * address space holds at most vm_pt_limit() table pages (pm_ntables);
 * beyond that pmap_enter() fails with ENOMEM.  A table page may be
 * freed only when no hart can walk it any more: its parent entry is
 * cleared under pm_lock (every software walk takes pm_lock), then every
 * hart with the pmap loaded does a full sfence.vma -- a fence for an
 * address orders only leaf entries; a cached non-leaf entry needs the
 * whole fence -- and only then does the page go back to page_free.
 *
 * Shared page tables (md.h).  A level-1 entry that
 * points at a shared level-0 table has PTE_SHARED, a bit of the RSW
 * field (software's), set.  A non-leaf entry has no permission bits, so
 * the table itself cannot be made read-only through it, as x86 could:
 * pmap_share write-protects its entries instead, once, so reads go
 * through and a write faults to vm_fault(), which makes the table
 * private first (unshare_table).
 */
#include "riscv.h"
#include "systm.h"
#include "page.h"
#include "proc.h"
#include "vm.h"

struct pmap {
	pt_entry_t	*pm_root;	/* root table, kernel virtual */
	paddr_t		pm_rootpa;
	volatile unsigned long pm_active; /* CPUs with this pmap in satp */
	struct spinlock	pm_lock;	/* serializes changes to the tables */
	unsigned long	pm_ntables;	/* user table pages below the root */
	unsigned long	pm_nshared;	/* of them, shared level-0 tables (entries with PTE_SHARED) */
};

/* A level-1 entry for a shared level-0 table (RSW: the hardware ignores it). */
#define PTE_SHARED	(1UL << 8)

/* Table pages unlinked but not yet freed: they wait for a fence. */
#define PRUNE_BATCH	16
struct prunelist {
	int	n;
	paddr_t	pa[PRUNE_BATCH];
};

static struct pmap kernel_pmap;
paddr_t kernel_satp;

/* The kernel's tables live in the kernel image (bss), not in page_alloc'd RAM. */
#define KERNEL_L0_TABLES 8		/* 4 KiB tables: kernel image up to 16 MiB */
static pt_entry_t kernel_root[NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t kernel_l1[NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t kernel_l0[KERNEL_L0_TABLES][NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t kstack_l1[NPTE] __attribute__((aligned(PAGE_SIZE)));
static pt_entry_t kstack_l0[NPTE] __attribute__((aligned(PAGE_SIZE)));

extern char kernel_start[], etext[], erodata[], kernel_end[];

#define KPTE_RW		(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G)

/* Protection of one 4 KiB page of the kernel image: text RX, rodata R, data RW. */
static pt_entry_t
kernel_image_prot(vaddr_t va)
{
	if (va < (vaddr_t)etext)
		return PTE_V | PTE_R | PTE_X | PTE_A | PTE_G;
	if (va < (vaddr_t)erodata)
		return PTE_V | PTE_R | PTE_A | PTE_G;
	return KPTE_RW;
}

/*
 * Build the final kernel table and switch to it (boot hart).
 *   KERNBASE + 0 .. 1 GiB: all MMIO of the virt machine, one 1 GiB page
 *   KERNBASE + 2 GiB ..  : RAM from KERNEL_PHYS to ram_end, 2 MiB pages,
 *                          except the 2 MiB blocks holding the kernel image,
 *                          which get 4 KiB pages with W^X protections
 *   KERNBASE + 3 GiB ..  : RAM above 1 GiB, one 1 GiB page
 * RAM below KERNEL_PHYS is OpenSBI's and stays unmapped.
 */
void
pmap_bootstrap(paddr_t ram_end)
{
	paddr_t kstart = KVA_TO_PHYS(kernel_start), kend = KVA_TO_PHYS(kernel_end);
	int nl0 = 0, i, j;

	kernel_root[PT_INDEX(KERNBASE, L2_SHIFT)] = PA_TO_PTE(0) | KPTE_RW;
	kernel_root[PT_INDEX(KERNBASE + VIRT_RAM, L2_SHIFT)] =
	    PA_TO_PTE(KVA_TO_PHYS(kernel_l1)) | PTE_V;
	if (ram_end > 0xc0000000UL)
		kernel_root[PT_INDEX(KERNBASE + 0xc0000000UL, L2_SHIFT)] =
		    PA_TO_PTE(0xc0000000UL) | KPTE_RW;

	for (i = 0; i < NPTE; i++) {
		paddr_t block = VIRT_RAM + ((paddr_t)i << L1_SHIFT);
		paddr_t block_end = block + (1UL << L1_SHIFT);
		pt_entry_t *l0;

		if (block_end <= KERNEL_PHYS || block >= ram_end)
			continue;
		if (block_end <= kstart || block >= kend) {
			kernel_l1[i] = PA_TO_PTE(block) | KPTE_RW;
			continue;
		}
		if (nl0 == KERNEL_L0_TABLES) {
			sbi_console_putchar('!');
			md_poweroff(1);		/* kernel image too big; cannot print yet */
		}
		l0 = kernel_l0[nl0++];
		for (j = 0; j < NPTE; j++) {
			paddr_t pa = block + ((paddr_t)j << L0_SHIFT);

			if (pa < KERNEL_PHYS || pa >= ram_end)
				continue;
			l0[j] = PA_TO_PTE(pa) | kernel_image_prot((vaddr_t)PHYS_TO_KVA(pa));
		}
		kernel_l1[i] = PA_TO_PTE(KVA_TO_PHYS(l0)) | PTE_V;
	}

	/*
	 * The kernel-stack area: its (empty) tables exist from now on, so the
	 * root entry every pmap_create() copies already points at them, and
	 * the stacks pmap_kenter_pa() maps later appear everywhere.
	 */
	kernel_root[PT_INDEX(KSTACK_AREA, L2_SHIFT)] = PA_TO_PTE(KVA_TO_PHYS(kstack_l1)) | PTE_V;
	kstack_l1[PT_INDEX(KSTACK_AREA, L1_SHIFT)] = PA_TO_PTE(KVA_TO_PHYS(kstack_l0)) | PTE_V;

	kernel_pmap.pm_root = kernel_root;
	kernel_pmap.pm_rootpa = KVA_TO_PHYS(kernel_root);
	spinlock_init(&kernel_pmap.pm_lock, "kernel_pmap");
	kernel_satp = SATP_FOR(kernel_pmap.pm_rootpa);
	pmap_init_cpu();
}

/*
 * Map one page of a kernel stack (kern/proc.c): read/write, global, never
 * executable or user.  It fills an empty entry before any other hart
 * runs, and each hart fences its TLB when it first loads satp.
 */
void
pmap_kenter_pa(vaddr_t va, paddr_t pa, int prot)
{
	pt_entry_t *pte = &kstack_l0[PT_INDEX(va, L0_SHIFT)];

	PMAP_ASSERT_KENTER(pa, prot);
	if (va < KSTACK_AREA || va >= KSTACK_AREA + KSTACK_AREA_SIZE || (va & (PAGE_SIZE - 1)))
		panic("pmap_kenter_pa: 0x%lx is not a page of the kernel-stack area", va);
	if (*pte & PTE_V)
		panic("pmap_kenter_pa: 0x%lx is already mapped", va);
	*pte = PA_TO_PTE(pa) | PTE_V | PTE_R | PTE_A | PTE_G |
	    ((prot & VM_PROT_WRITE) ? PTE_W | PTE_D : 0);
	sfence_vma_all();
}

/* Load the kernel table on this hart (boot hart and secondaries). */
void
pmap_init_cpu(void)
{
	struct mdcpu *m = md_self();

	__sync_synchronize();
	csr_write(satp, kernel_satp);
	sfence_vma_all();
	m->md_pmap = &kernel_pmap;
	__atomic_or_fetch(&kernel_pmap.pm_active, 1UL << curcpu()->ci_cpuid, __ATOMIC_SEQ_CST);
}

struct pmap *
pmap_create(void)
{
	struct pmap *pm;
	paddr_t root;

	pm = kpage_alloc();
	if (pm == NULL)
		return NULL;
	root = page_alloc();
	if (root == 0) {
		kpage_free(pm);
		return NULL;
	}
	pm->pm_root = PHYS_TO_KVA(root);
	pm->pm_rootpa = root;
	pm->pm_active = 0;
	pm->pm_ntables = 0;
	pm->pm_nshared = 0;
	spinlock_init(&pm->pm_lock, "pmap");
	/* Share the kernel: the upper half of the root is the kernel's. */
	memcpy(&pm->pm_root[NPTE / 2], &kernel_root[NPTE / 2],
	    (NPTE / 2) * sizeof(pt_entry_t));
	return pm;
}

/* Switch this CPU to pm (interrupts off). */
static void
pmap_load(struct pmap *pm)
{
	struct mdcpu *m = md_self();
	unsigned long bit = 1UL << curcpu()->ci_cpuid;

	if (m->md_pmap == pm)
		return;
	__atomic_or_fetch(&pm->pm_active, bit, __ATOMIC_SEQ_CST);
	csr_write(satp, SATP_FOR(pm->pm_rootpa));
	sfence_vma_all();
	if (m->md_pmap != NULL)
		__atomic_and_fetch(&m->md_pmap->pm_active, ~bit, __ATOMIC_SEQ_CST);
	m->md_pmap = pm;
}

static void table_release(paddr_t pt);

/*
 * Free the user half: every table below the root's entry 256, then the
 * root; let go of the shared level-0 tables.
 */
void
pmap_destroy(struct pmap *pm)
{
	register_t s;
	int i, j;

	KASSERT(pm != &kernel_pmap);
	s = intr_disable();
	if (md_self()->md_pmap == pm)
		pmap_load(&kernel_pmap);
	intr_restore(s);
	if (pm->pm_active != 0)
		panic("pmap_destroy: pmap still active on CPUs 0x%lx", pm->pm_active);

	for (i = 0; i < NPTE / 2; i++) {
		pt_entry_t l2e = pm->pm_root[i];
		pt_entry_t *l1;

		if (!(l2e & PTE_V) || PTE_IS_LEAF(l2e))
			continue;
		l1 = PHYS_TO_KVA(PTE_TO_PA(l2e));
		for (j = 0; j < NPTE; j++) {
			if (!(l1[j] & PTE_V) || PTE_IS_LEAF(l1[j]))
				continue;
			if (l1[j] & PTE_SHARED)
				table_release(PTE_TO_PA(l1[j]));
			else
				page_unref(PTE_TO_PA(l1[j]));
		}
		page_unref(PTE_TO_PA(l2e));
	}
	page_unref(pm->pm_rootpa);
	kpage_free(pm);
}

static int unshare_table(struct pmap *pm, pt_entry_t *l1e);

/*
 * The level-0 entry for va, creating the intermediate tables when alloc
 * is set.  NULL if a table is missing (or cannot be allocated: memory is
 * out, or the address space holds vm_pt_limit() table pages).  A shared
 * level-0 table is made private with alloc (the caller changes its
 * entries); else it is read through when sharedp is given (*sharedp is
 * set), and missing when not.  pm_lock held.
 */
static pt_entry_t *
pmap_pte(struct pmap *pm, vaddr_t va, int alloc, int *sharedp)
{
	pt_entry_t *table = pm->pm_root;
	int shift;

	for (shift = L2_SHIFT; shift > L0_SHIFT; shift -= 9) {
		pt_entry_t *e = &table[PT_INDEX(va, shift)];

		if (*e & PTE_V) {
			if (PTE_IS_LEAF(*e))
				return NULL;	/* superpage: never in user space */
			if ((*e & PTE_SHARED) && alloc) {
				if (unshare_table(pm, e) != 0)
					return NULL;
			} else if (*e & PTE_SHARED) {
				if (sharedp == NULL)
					return NULL;
				*sharedp = 1;
			}
		} else {
			paddr_t pa;

			if (!alloc || (pm != &kernel_pmap && pm->pm_ntables >= vm_pt_limit()) ||
			    (pa = page_alloc()) == 0)
				return NULL;
			pm->pm_ntables++;
			*e = PA_TO_PTE(pa) | PTE_V;
		}
		table = PHYS_TO_KVA(PTE_TO_PA(*e));
	}
	return &table[PT_INDEX(va, L0_SHIFT)];
}

/*
 * The size of the hole at va when its level-0 table is missing (1 GiB or
 * 2 MiB), or 0 when the table is there.  A shared table is a hole unless
 * shared_ok.  pm_lock held.
 */
static vaddr_t
pmap_hole(struct pmap *pm, vaddr_t va, int shared_ok)
{
	pt_entry_t e = pm->pm_root[PT_INDEX(va, L2_SHIFT)];

	if (!(e & PTE_V) || PTE_IS_LEAF(e))
		return 1UL << L2_SHIFT;
	e = ((pt_entry_t *)PHYS_TO_KVA(PTE_TO_PA(e)))[PT_INDEX(va, L1_SHIFT)];
	if (e & PTE_SHARED)
		return shared_ok ? 0 : 1UL << L1_SHIFT;
	if (!(e & PTE_V) || PTE_IS_LEAF(e))
		return 1UL << L1_SHIFT;
	return 0;
}

/* Does the table hold no valid entry?  Look from i up first: unmaps go in order. */
static int
table_empty(const pt_entry_t *t, int i)
{
	for (int j = i; j < NPTE; j++)
		if (t[j] & PTE_V)
			return 0;
	for (int j = 0; j < i; j++)
		if (t[j] & PTE_V)
			return 0;
	return 1;
}

/*
 * Unlink the empty table pages on va's path, bottom up (the root stays),
 * onto pl; prune_finish() frees them after the fence.  pm_lock held.
 */
static void
prune_tables(struct pmap *pm, vaddr_t va, struct prunelist *pl)
{
	pt_entry_t *l2e = &pm->pm_root[PT_INDEX(va, L2_SHIFT)], *l1e;
	pt_entry_t *l1;

	if (!(*l2e & PTE_V) || PTE_IS_LEAF(*l2e))
		return;
	l1 = PHYS_TO_KVA(PTE_TO_PA(*l2e));
	l1e = &l1[PT_INDEX(va, L1_SHIFT)];
	/* A shared table is not pm's to free. */
	if ((*l1e & PTE_V) && !PTE_IS_LEAF(*l1e) && !(*l1e & PTE_SHARED)) {
		if (!table_empty(PHYS_TO_KVA(PTE_TO_PA(*l1e)), PT_INDEX(va, L0_SHIFT)))
			return;
		KASSERT(pl->n < PRUNE_BATCH);
		pl->pa[pl->n++] = PTE_TO_PA(*l1e);
		*l1e = 0;
		pm->pm_ntables--;
	}
	if (!table_empty(l1, PT_INDEX(va, L1_SHIFT)))
		return;
	KASSERT(pl->n < PRUNE_BATCH);
	pl->pa[pl->n++] = PTE_TO_PA(*l2e);
	*l2e = 0;
	pm->pm_ntables--;
}

static void pmap_shootdown(struct pmap *pm, vaddr_t va, size_t len);

/*
 * Free the unlinked table pages: first a full fence on every hart that
 * has pm loaded (a range fence would leave cached non-leaf entries).
 * pm_lock held.
 */
static void
prune_finish(struct pmap *pm, struct prunelist *pl)
{
	if (pl->n == 0)
		return;
	pmap_shootdown(pm, 0, (size_t)-1);	/* SBI: size -1 is "everything" */
	for (int i = 0; i < pl->n; i++)
		page_unref(pl->pa[i]);
	pl->n = 0;
}

/*
 * VM_PROT_* -> the bits of a valid leaf (prot has some of VM_PROT_ALL).
 * Every leaf is readable (md.h): RISC-V reserves W without R, and an
 * execute-only page, which x86 cannot have, would be a port difference.
 */
static pt_entry_t
prot_to_pte(int prot)
{
	pt_entry_t bits = PTE_V | PTE_R | PTE_A | PTE_D;

	if (prot & VM_PROT_WRITE)
		bits |= PTE_W;
	if (prot & VM_PROT_EXEC)
		bits |= PTE_X;
	if (prot & VM_PROT_USER)
		bits |= PTE_U;
	return bits;
}

/* Flush [va, va+len) here and on every other CPU that has pm loaded. */
static void
pmap_shootdown(struct pmap *pm, vaddr_t va, size_t len)
{
	int me = curcpu()->ci_cpuid, i;
	unsigned long active;

	/*
	 * A pmap this hart has not loaded has nothing in its TLB: satp is
	 * written with a full fence when it is loaded.  (Under QEMU every
	 * sfence.vma empties the whole software TLB, whatever its operands.)
	 */
	if (!(pm->pm_active & (1UL << me))) {
		/* nothing to fence here */
	} else if (len <= 64 * PAGE_SIZE) {
		vaddr_t a;

		for (a = va; a < va + len; a += PAGE_SIZE)
			sfence_vma_page(a);
	} else {
		sfence_vma_all();
	}
	__sync_synchronize();		/* PTE stores before the pm_active read */
	active = pm->pm_active & ~(1UL << me);
	for (i = 0; i < ncpu && active != 0; i++) {
		if (active & (1UL << i)) {
			sbi_remote_sfence_vma(cpus[i].ci_md.md_hartid, va, len);
			active &= ~(1UL << i);
		}
	}
}

int
pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, int prot)
{
	struct prunelist pl = { 0 };
	pt_entry_t *pte, old;

	KASSERT(pm != &kernel_pmap);
	PMAP_ASSERT_ENTER(va, pa, prot);
	spinlock_acquire(&pm->pm_lock);
	pte = pmap_pte(pm, va, 1, NULL);
	if (pte == NULL) {
		/* The tables this attempt added are empty: no leak per failure. */
		prune_tables(pm, va, &pl);
		prune_finish(pm, &pl);
		spinlock_release(&pm->pm_lock);
		return ENOMEM;
	}
	old = *pte;
	*pte = PA_TO_PTE(pa) | prot_to_pte(prot);
	if (old & PTE_V)
		pmap_shootdown(pm, va, PAGE_SIZE);
	else if (pm->pm_active & (1UL << curcpu()->ci_cpuid))
		sfence_vma_page(va);
	spinlock_release(&pm->pm_lock);
	return 0;
}

/*
 * md.h.  m[i]'s level-0 table is looked up again only when m[i] is in
 * another one than m[i - 1]; a batch of fork's lies in one.  Fences as
 * pmap_enter: a shootdown if an entry replaced a valid one, else a local
 * fence of the new entries if this hart has pm loaded.
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
		if (table == NULL || va - base >= (1UL << L1_SHIFT)) {
			if ((pte = pmap_pte(pm, va, 1, NULL)) == NULL) {
				prune_tables(pm, va, &pl);	/* as pmap_enter: no leak */
				prune_finish(pm, &pl);
				break;
			}
			table = pte - PT_INDEX(va, L0_SHIFT);
			base = va - PT_INDEX(va, L0_SHIFT) * PAGE_SIZE;
		}
		pte = &table[PT_INDEX(va, L0_SHIFT)];
		replaced |= (*pte & PTE_V) != 0;
		*pte = PA_TO_PTE(m[i].pm_pa) | prot_to_pte(m[i].pm_prot);
	}
	if (replaced)
		pmap_shootdown(pm, m[0].pm_va, m[i - 1].pm_va + PAGE_SIZE - m[0].pm_va);
	else if (pm->pm_active & (1UL << curcpu()->ci_cpuid))
		for (int j = 0; j < i; j++)
			sfence_vma_page(m[j].pm_va);
	spinlock_release(&pm->pm_lock);
	return i;
}

/* The end of va's level-0 table (the 2 MiB it maps), or eva if that comes first. */
static vaddr_t
table_end(vaddr_t va, vaddr_t eva)
{
	vaddr_t end = (va | ((1UL << L1_SHIFT) - 1)) + 1;

	return end < eva ? end : eva;
}

/*
 * The first entry of va's level-0 table that maps va, with *endp set to
 * where that table (or the range) ends; or NULL, when the table is
 * missing, with *endp set past the hole.  One walk from the root per
 * table: the range walks below go through its entries in a row.  A
 * shared table is read through when sharedp is given (*sharedp set),
 * else a hole.  pm_lock held.
 */
static pt_entry_t *
table_at(struct pmap *pm, vaddr_t va, vaddr_t eva, vaddr_t *endp, int *sharedp)
{
	vaddr_t hole = pmap_hole(pm, va, sharedp != NULL);

	if (hole != 0) {
		vaddr_t next = (va & ~(hole - 1)) + hole;
		*endp = next < eva ? next : eva;
		return NULL;
	}
	*endp = table_end(va, eva);
	return pmap_pte(pm, va, 0, sharedp);
}

/*
 * Unmap [sva, eva), skipping missing tables, and free the table pages
 * left empty (checked once per level-0 table, as the walk leaves it).
 */
void
pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	struct prunelist pl = { 0 };
	vaddr_t va, end;
	int changed = 0, touched;

	KASSERT(pm != &kernel_pmap);
	PMAP_ASSERT_RANGE(sva, eva);
	spinlock_acquire(&pm->pm_lock);
	for (va = sva; va < eva; ) {
		int shared = 0;
		pt_entry_t *pte = table_at(pm, va, eva, &end, &shared);

		if (pte == NULL) {
			va = end;
			continue;
		}
		if (shared)
			panic("pmap_remove: 0x%lx is in a shared page table (pmap_unshare first)", va);
		touched = 0;
		for (; va < end; va += PAGE_SIZE, pte++) {
			if (*pte & PTE_V) {
				*pte = 0;
				changed = touched = 1;
			}
		}
		if (touched) {
			if (pl.n + 2 > PRUNE_BATCH)
				prune_finish(pm, &pl);
			prune_tables(pm, va - PAGE_SIZE, &pl);
		}
	}
	if (pl.n > 0)
		prune_finish(pm, &pl);	/* a full fence: covers the range too */
	else if (changed)
		pmap_shootdown(pm, sva, eva - sva);
	spinlock_release(&pm->pm_lock);
}

/*
 * Give the mapped pages in [sva, eva) exactly prot (md.h): nothing of the
 * old entry but its frame is kept, U included.  No access at all removes.
 * A shared table is skipped by a protection without WRITE, and a bug for
 * any other.
 */
void
pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, int prot)
{
	pt_entry_t bits;
	vaddr_t va, end;
	int changed = 0;

	KASSERT(pm != &kernel_pmap);
	PMAP_ASSERT_RANGE(sva, eva);
	PMAP_ASSERT_PROT(prot);
	if ((prot & VM_PROT_ALL) == 0) {
		pmap_remove(pm, sva, eva);
		return;
	}
	bits = prot_to_pte(prot);
	spinlock_acquire(&pm->pm_lock);
	for (va = sva; va < eva; ) {
		int shared = 0;
		pt_entry_t *pte = table_at(pm, va, eva, &end, &shared);

		if (pte == NULL || shared) {
			if (shared && (prot & VM_PROT_WRITE))
				panic("pmap_protect: 0x%lx is in a shared page table (pmap_unshare first)", va);
			va = end;
			continue;
		}
		for (; va < end; va += PAGE_SIZE, pte++) {
			if ((*pte & PTE_V) && (*pte & ~PTE_PPN_MASK) != bits) {
				*pte = (*pte & PTE_PPN_MASK) | bits;
				changed = 1;
			}
		}
	}
	if (changed)
		pmap_shootdown(pm, sva, eva - sva);
	spinlock_release(&pm->pm_lock);
}

/* A valid leaf's VM_PROT_* bits, as pmap_extract reports them. */
static int
pte_prot(pt_entry_t e)
{
	int prot = 0;

	if (e & PTE_R)
		prot |= VM_PROT_READ;
	if (e & PTE_W)
		prot |= VM_PROT_WRITE;
	if (e & PTE_X)
		prot |= VM_PROT_EXEC;
	if (e & PTE_U)
		prot |= VM_PROT_USER;
	return prot;
}

int
pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pap, int *protp)
{
	pt_entry_t *pte, e;

	KASSERT(pm != &kernel_pmap);
	if (va >= USER_TOP)
		return 0;
	int shared = 0;
	spinlock_acquire(&pm->pm_lock);
	pte = pmap_pte(pm, va, 0, &shared);
	e = pte != NULL ? *pte : 0;
	spinlock_release(&pm->pm_lock);
	if (!(e & PTE_V))
		return 0;
	KDASSERT(!shared || !(e & PTE_W));	/* copy-on-write for every holder (md.h) */
	if (pap != NULL)
		*pap = PTE_TO_PA(e) | (va & (PAGE_SIZE - 1));
	if (protp != NULL)
		*protp = pte_prot(e);
	return 1;
}

/*
 * md.h.  Under pm_lock, as pmap_extract; the batch ends with its level-0
 * table, so one walk from the root finds all of it.
 */
int
pmap_extract_range(struct pmap *pm, vaddr_t *vap, vaddr_t eva, struct pmap_mapping *m, int max)
{
	vaddr_t va = *vap, end;
	int n = 0;

	KASSERT(pm != &kernel_pmap);
	PMAP_DASSERT_RANGE(va, eva);
	KDASSERT(max > 0);
	spinlock_acquire(&pm->pm_lock);
	while (va < eva && n == 0) {
		pt_entry_t *pte = table_at(pm, va, eva, &end, NULL);

		if (pte == NULL) {
			va = end;
			continue;
		}
		for (; va < end && n < max; va += PAGE_SIZE, pte++) {
			pt_entry_t e = *pte;	/* once: the stores to m[] might alias it */
			if (e & PTE_V) {
				m[n].pm_va = va;
				m[n].pm_pa = PTE_TO_PA(e);
				m[n].pm_prot = pte_prot(e);
				n++;
			}
		}
	}
	spinlock_release(&pm->pm_lock);
	*vap = va;
	return n;
}

/*
 * The first mapped page at or after *vap and below eva: 1 with *vap set
 * to it, or 0.  Missing tables are skipped whole, so walking a huge
 * mostly empty range (a failed exec's region) costs what is mapped.
 */
int
pmap_next(struct pmap *pm, vaddr_t *vap, vaddr_t eva)
{
	vaddr_t va = *vap, hole;
	int found = 0;

	KASSERT(pm != &kernel_pmap);
	PMAP_DASSERT_RANGE(va, eva);
	spinlock_acquire(&pm->pm_lock);
	while (va < eva) {
		if ((hole = pmap_hole(pm, va, 0)) != 0) {
			vaddr_t next = (va & ~(hole - 1)) + hole;
			if (next <= va)
				break;
			va = next;
			continue;
		}
		pt_entry_t *pte = pmap_pte(pm, va, 0, NULL);
		if (pte != NULL && (*pte & PTE_V)) {
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
 * Let go of one holder's reference to the shared level-0 table pt.  While
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
		if (t[i] & PTE_V)
			page_unref(PTE_TO_PA(t[i]));
	page_unref(pt);
}

/*
 * Make the shared level-0 table that *l1e points at pm's own.  The last
 * holder takes it back as it is (no entry changes: no fence); any other
 * gets a copy, which references each page for pm, and lets go of the
 * shared one once no hart of pm can walk it (a full fence: a cached
 * non-leaf entry needs it).  The pages stay write-protected either way:
 * vm_fault's copy-on-write takes each one back.
 *	=> pm_lock held; *l1e is a shared level-1 entry
 *	=> 0, or ENOMEM with *l1e unchanged
 */
static int
unshare_table(struct pmap *pm, pt_entry_t *l1e)
{
	paddr_t pt = PTE_TO_PA(*l1e), copy;

	KASSERT(spinlock_holding(&pm->pm_lock));
	KASSERT((*l1e & (PTE_V | PTE_SHARED)) == (PTE_V | PTE_SHARED) && pm->pm_nshared > 0);
	if (page_refcount(pt) == 1) {
		*l1e &= ~PTE_SHARED;
		pm->pm_nshared--;
		return 0;
	}
	if ((copy = page_alloc()) == 0)
		return ENOMEM;
	pt_entry_t *from = PHYS_TO_KVA(pt), *to = PHYS_TO_KVA(copy);
	for (int i = 0; i < NPTE; i++) {
		pt_entry_t e = from[i];
		if (e & PTE_V) {
			KDASSERT(!(e & PTE_W));
			to[i] = e;
			page_ref(PTE_TO_PA(e));
		}
	}
	*l1e = PA_TO_PTE(copy) | PTE_V;
	pm->pm_nshared--;
	pmap_shootdown(pm, 0, (size_t)-1);	/* SBI: size -1 is "everything" */
	table_release(pt);
	return 0;
}

/*
 * The level-1 entry for va, adding the level-1 table on the way when
 * alloc is set (NULL when memory is out, or at vm_pt_limit()); without
 * alloc, NULL when it is missing.  pm_lock held.
 */
static pt_entry_t *
l1e_of(struct pmap *pm, vaddr_t va, int alloc)
{
	pt_entry_t *l2e = &pm->pm_root[PT_INDEX(va, L2_SHIFT)];
	paddr_t pa;

	if (!(*l2e & PTE_V)) {
		if (!alloc || pm->pm_ntables >= vm_pt_limit() || (pa = page_alloc()) == 0)
			return NULL;
		pm->pm_ntables++;
		*l2e = PA_TO_PTE(pa) | PTE_V;
	}
	if (PTE_IS_LEAF(*l2e))
		return NULL;		/* superpage: never in user space */
	return &((pt_entry_t *)PHYS_TO_KVA(PTE_TO_PA(*l2e)))[PT_INDEX(va, L1_SHIFT)];
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
		pt_entry_t *l1e = l1e_of(dst, b[i].va, 1);
		pt_entry_t e = PA_TO_PTE(b[i].pt) | PTE_V | PTE_SHARED;
		if (l1e == NULL || (*l1e == 0 && dst->pm_ntables >= vm_pt_limit())) {
			prune_tables(dst, b[i].va, &pl);	/* what l1e_of added is empty */
			prune_finish(dst, &pl);
			error = ENOMEM;
			break;
		}
		if (*l1e == e) {
			page_unref(b[i].pt);	/* shared with dst already */
			continue;
		}
		KASSERT(*l1e == 0);
		*l1e = e;
		dst->pm_ntables++;
		dst->pm_nshared++;
	}
	spinlock_release(&dst->pm_lock);
	for (; i < n; i++)
		page_unref(b[i].pt);
	return error;
}

/*
 * md.h.  A batch of tables at a time: under src's lock each one is
 * write-protected, the first time it is shared (a table shared already
 * has no writable entry, so forking a process again costs a step per
 * table, not per page), and referenced for dst; one fence, so that no
 * hart running on src keeps a writable translation once the child may
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
			pt_entry_t *l1e = l1e_of(src, va, 0);
			if (l1e == NULL || !(*l1e & PTE_V))
				continue;	/* no table to share */
			KASSERT(!PTE_IS_LEAF(*l1e));
			if (!(*l1e & PTE_SHARED)) {
				shoot = 1;
				table_write_protect(PHYS_TO_KVA(PTE_TO_PA(*l1e)));
				*l1e |= PTE_SHARED;
				src->pm_nshared++;
			}
			b[n].va = va;
			b[n].pt = PTE_TO_PA(*l1e);
			page_ref(b[n].pt);	/* dst's */
			n++;
		}
		if (shoot)
			pmap_shootdown(src, first, va - first);
		spinlock_release(&src->pm_lock);
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
		pt_entry_t *l1e = l1e_of(pm, va, 0);
		if (l1e != NULL && (*l1e & PTE_SHARED))
			error = unshare_table(pm, l1e);
	}
	spinlock_release(&pm->pm_lock);
	return error;
}

int
pmap_table_shared(struct pmap *pm, vaddr_t va)
{
	pt_entry_t *l1e;
	int n = 0;

	KASSERT(pm != &kernel_pmap && va < USER_TOP);
	spinlock_acquire(&pm->pm_lock);
	l1e = l1e_of(pm, va, 0);
	if (l1e != NULL && (*l1e & PTE_SHARED))
		n = page_refcount(PTE_TO_PA(*l1e));
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
 * Load p's address space (or the kernel's, for a kernel thread) and
 * point trap entry at p's trap frame.
 */
void
pmap_activate(struct proc *p)
{
	register_t s;

	KASSERT(p != NULL);
	s = intr_disable();
	md_self()->md_utf = p->p_md.md_tf;
	if (p->p_vmspace != NULL)
		pmap_load(p->p_vmspace->vm_pmap);
	else
		pmap_load(&kernel_pmap);
	intr_restore(s);
}

void
pmap_deactivate(void)
{
	register_t s = intr_disable();

	pmap_load(&kernel_pmap);
	intr_restore(s);
}
