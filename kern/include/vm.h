/*
 * Portable virtual memory (kern/vm/vm.c), built on the pmap_* interface.
 *
 * A vmspace is a pmap plus a short list of regions (text, data, heap,
 * stack, and vmap regions).  Every page of a region is mapped when the
 * region is made (nothing is mapped lazily); each region records its
 * protection so a page fault can tell a write to a copy-on-write page
 * from a bad access.
 */
#ifndef KERN_VM_H
#define KERN_VM_H

#include "types.h"
#include "sleeplock.h"

#define VM_NREGION	16

/* vm_region.r_flags */
#define VR_HEAP		0x1	/* grows with sbrk */
#define VR_STACK	0x2	/* the user stack */
#define VR_TERM		0x8	/* vmap(2) VMAP_TERMINATE: zero private pages when unmapped */

struct vm_region;
struct vmspace;

/*
 * What a region's pages need beyond private memory (OpenBSD: struct
 * uvm_pagerops).  A region whose r_pgops is NULL holds private pages: one
 * reference (page.h) per address space that maps them, shared
 * copy-on-write at fork.  A client of the region layer that keeps pages
 * of its own kind gives its regions a pager (vmap(2): vmap_pagerops,
 * kern/vm/vmap.c), and lists it in vm_pagers[] (kern/vm/pager.c, the one
 * place that names them).  The core calls these and names no client.
 */
struct vm_pagerops {
	/* fork: give dst (its regions a copy of src's) r's pages.  0 or ENOMEM.  src's vm_lock held. */
	int	(*pgo_fork)(struct vmspace *src, struct vmspace *dst, const struct vm_region *r);
	/* vm stops mapping pa of r (the mapping is gone): the page's last step in vm. */
	void	(*pgo_drop)(struct vmspace *vm, const struct vm_region *r, paddr_t pa);
	/* Is pa shared for real, so that a write fault must not copy it?  vm_fault asks. */
	int	(*pgo_shared)(paddr_t pa);
	/* vm is being freed (called for every vmspace, by every pager); NULL = nothing to do. */
	void	(*pgo_vmfree)(struct vmspace *vm);
};

struct vm_region {
	vaddr_t	r_start, r_end;		/* [start, end), page aligned (the heap may be empty) */
	int	r_prot;			/* VM_PROT_* (VM_PROT_USER implied); 0 = unused slot */
	int	r_flags;		/* VR_* */
	const struct vm_pagerops *r_pgops;	/* NULL: private pages */
};

struct vmspace {
	struct pmap	*vm_pmap;
	int		vm_refcnt;	/* processes using it (FORK_SHAREVM) */
	struct sleeplock vm_lock;	/* regions and mappings (a sleep lock: fork copies a lot under it) */
	struct vm_region vm_regions[VM_NREGION];
	vaddr_t		vm_heap_start;	/* first byte of the heap (end of the ELF image) */
	vaddr_t		vm_brk;		/* current program break */
};

struct vmspace *vmspace_alloc(void);	/* empty, or NULL */
void	vmspace_ref(struct vmspace *vm);	/* one more user (FORK_SHAREVM) */
void	vmspace_free(struct vmspace *vm);	/* drop a reference; last one frees everything */
int	vmspace_copy(struct vmspace *src, struct vmspace **dstp);	/* fork's copy: 0 or ENOMEM */
int	vm_map_anon(struct vmspace *vm, vaddr_t start, vaddr_t end, int prot, int flags); /* zeroed pages */
int	vm_fault(struct proc *p, vaddr_t va, int access);	/* 0 if resolved, else EFAULT */
unsigned long vm_cowfault_count(void);	/* pages copied by copy-on-write faults (stage cow) */
int	vm_sbrk(struct proc *p, intptr_t incr, vaddr_t *oldbrk);
int	user_range_ok(vaddr_t va, size_t len);	/* inside [0, USER_TOP) without overflow */
size_t	vmspace_size(struct vmspace *vm);	/* bytes mapped */
unsigned long vm_pt_limit(void);	/* page-table pages one address space may hold */
int	vm_region_prot(struct vmspace *vm, vaddr_t va);	/* its region's prot, 0 if none */
void	vm_drop_page(struct vmspace *vm, const struct vm_region *r, paddr_t pa); /* unref, or r's pager's way */
int	vm_unmap_range(struct vmspace *vm, const struct vm_region *r, vaddr_t start, vaddr_t end);
				/* 0, or ENOMEM: a shared page table could not be copied */
int	vm_copy_page(struct vmspace *dst, vaddr_t va, paddr_t pa, int prot); /* a private copy of pa at va: 0 or ENOMEM */

/*
 * The region layer (kern/vm/vm.c): bookkeeping only, no page is touched.
 * Caller must hold vm->vm_lock, or own vm alone (an address space nobody
 * runs in yet: fork's, exec's and makecxt's new one).
 */
struct vm_region *vm_region_lookup(struct vmspace *vm, vaddr_t va);	/* NULL if none */
struct vm_region *vm_region_add(struct vmspace *vm, vaddr_t start, vaddr_t end, int prot,
	    int flags, const struct vm_pagerops *pgops);	/* NULL if every slot is used */
void	vm_region_remove(struct vm_region *r);		/* its pages must be gone */
int	vm_region_free_slots(struct vmspace *vm);

/* The next region in use after r (NULL: the first), or NULL.  As vm_region_lookup. */
static inline struct vm_region *
vm_region_next(struct vmspace *vm, struct vm_region *r)
{
	for (r = r == NULL ? vm->vm_regions : r + 1; r < vm->vm_regions + VM_NREGION; r++)
		if (r->r_prot != 0)
			return r;
	return NULL;
}

/* Every region of vm in use, in slot order (not address order).  As vm_region_lookup. */
#define VM_REGION_FOREACH(vm, r) \
	for ((r) = vm_region_next((vm), NULL); (r) != NULL; (r) = vm_region_next((vm), (r)))

/* kern/vm/pager.c: every pager there is (each client's struct vm_pagerops). */
void	vm_pager_vmfree(struct vmspace *vm);

/* kern/vm/vmap.c: vmap regions and their shareable pages (kern/vm/share.c). */
extern const struct vm_pagerops vmap_pagerops;
#define VM_REGION_IS_VMAP(r)	((r)->r_pgops == &vmap_pagerops)	/* made by vmap(2) */
int	vmap_enter_partner(struct vmspace *dst, vaddr_t va, paddr_t pa, int rprot); /* 0, ENOENT, ENOMEM */
int	vmap_enter_local_copy(struct vmspace *dst, vaddr_t va, paddr_t pa, int rprot);
void	vmap_page_replaced(struct vmspace *vm, vaddr_t va, paddr_t pa); /* pa at va got a private copy */

/* kern/copy.c: copyout into an address space that is not (yet) the process's (exec). */
int	copyout_vm(struct vmspace *vm, vaddr_t udst, const void *ksrc, size_t len);

#endif
