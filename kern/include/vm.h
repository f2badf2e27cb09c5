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
#define VR_VMAP		0x4	/* made by vmap(2): its pages may be shareable (kern/vm/vmap.c) */
#define VR_TERM		0x8	/* vmap(2) VMAP_TERMINATE: zero private pages when unmapped */

struct vm_region {
	vaddr_t	r_start, r_end;		/* [start, end), page aligned (the heap may be empty) */
	int	r_prot;			/* VM_PROT_* (VM_PROT_USER implied); 0 = unused slot */
	int	r_flags;		/* VR_* */
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
void	vm_unmap(struct vmspace *vm, vaddr_t start, vaddr_t end);
int	vm_fault(struct proc *p, vaddr_t va, int access);	/* 0 if resolved, else EFAULT */
unsigned long vm_cowfault_count(void);	/* pages copied by copy-on-write faults (stage cow) */
int	vm_sbrk(struct proc *p, intptr_t incr, vaddr_t *oldbrk);
int	user_range_ok(vaddr_t va, size_t len);	/* inside [0, USER_TOP) without overflow */
size_t	vmspace_size(struct vmspace *vm);	/* bytes mapped */
unsigned long vm_pt_limit(void);	/* page-table pages one address space may hold */
struct vm_region *vm_region_lookup(struct vmspace *vm, vaddr_t va); /* vm_lock held; NULL if none */
int	vm_region_prot(struct vmspace *vm, vaddr_t va);	/* its region's prot, 0 if none */
void	vm_drop_page(struct vmspace *vm, const struct vm_region *r, paddr_t pa); /* unref, vmap's way in a vmap region */
void	vm_unmap_range(struct vmspace *vm, const struct vm_region *r, vaddr_t start, vaddr_t end);
int	vm_copy_page(struct vmspace *dst, vaddr_t va, paddr_t pa, int prot); /* a private copy of pa at va: 0 or ENOMEM */
int	vm_region_add(struct vmspace *vm, vaddr_t start, vaddr_t end, int prot, int flags); /* bookkeeping only */

/* kern/vm/vmap.c: vmap regions (VR_VMAP) and their shareable pages (kern/vm/share.c). */
int	vmap_fork_region(struct vmspace *src, struct vmspace *dst, const struct vm_region *r);
int	vmap_enter_partner(struct vmspace *dst, vaddr_t va, paddr_t pa, int rprot); /* 0, ENOENT, ENOMEM */
int	vmap_enter_local_copy(struct vmspace *dst, vaddr_t va, paddr_t pa, int rprot);
void	vmap_drop_page(struct vmspace *vm, const struct vm_region *r, paddr_t pa);
void	vmap_page_replaced(struct vmspace *vm, vaddr_t va, paddr_t pa); /* pa at va got a private copy */
int	vmap_page_shareable(paddr_t pa);	/* a shareable page: never copy-on-write */

/* kern/copy.c: copyout into an address space that is not (yet) the process's (exec). */
int	copyout_vm(struct vmspace *vm, vaddr_t udst, const void *ksrc, size_t len);

#endif
