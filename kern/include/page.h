/*
 * The physical page allocator (kern/vm/page.c).  Every managed page has a
 * reference count: page_alloc() returns a zeroed page with count 1,
 * page_ref() adds a user (copy-on-write and sharing map one page in many
 * address spaces), page_unref() frees it when the last user goes.
 */
#ifndef KERN_PAGE_H
#define KERN_PAGE_H

#include "types.h"

paddr_t	page_alloc(void);		/* zeroed page, or 0 when memory is out */
void	page_ref(paddr_t pa);
void	page_unref(paddr_t pa);
int	page_refcount(paddr_t pa);
int	page_unref_unless_last(paddr_t pa);	/* 1 dropped, 0 the caller holds the last one */
unsigned long page_free_count(void);
unsigned long page_total_count(void);

/*
 * A physical address as a kernel pointer through the direct map, and back
 * (whatever type the port's PHYS_TO_KVA/KVA_TO_PHYS macros produce).
 */
#define PA_TO_PTR(pa)	((void *)(PHYS_TO_KVA(pa)))
#define PTR_TO_PA(ptr)	((paddr_t)(KVA_TO_PHYS((vaddr_t)(ptr))))

/* Kernel-virtual helpers for kernel data structures kept in one page. */
void	*kpage_alloc(void);		/* zeroed page in the direct map, or NULL */
void	kpage_free(void *kva);

#endif
