/*
 * <aqua/memory.h>: vmap(2), vunmap(2), vctl(2) and vmapinfo(2), Aqua's
 * memory calls as aqua6 keeps them (docs/man/vmap.2, vctl.2).  Shared by
 * the kernel and user programs.
 *
 * A page made by vmap() is private, or *shareable*: VMAP_SHARE, or
 * vctl(VCTL_SETSTATUS) later.  A shareable page has first-place owners
 * (the process that made it and every process sharing that process's
 * whole address space: FORK_SHAREVM threads and MAKECXT_SHARE_VMEM
 * siblings, the "family"), an optional second owner, and partners
 * (processes that got it through fork or makecxt and see
 * shared_prot & prot of it).
 */
#ifndef AQUA_MEMORY_H
#define AQUA_MEMORY_H

/* Protections (the kernel's VM_PROT_* have the same values). */
#define PROT_NONE	0x0
#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4

/* vmap() flags. */
#define VMAP_FIXED	0x01	/* exactly at addr, or EEXIST if anything is there */
#define VMAP_SHARE	0x02	/* shareable pages with the convention *conv */
#define VMAP_TERMINATE	0x04	/* zero the pages when they are finally freed */
#define VMAP_EXCL	0x08	/* fail if already allocated (aqua6 always does: accepted) */
#define VMAP_ALLFLAGS	(VMAP_FIXED | VMAP_SHARE | VMAP_TERMINATE | VMAP_EXCL)

#define VMAP_FAILED	((void *)-1)	/* vmap()'s error return */

/*
 * The shared convention of a shareable page: who owns it when its
 * first-place owners are gone (0: nobody, the page is freed with its last
 * mapping), and what partners may do with it (ANDed with the page's prot;
 * PROT_READ is always granted to a partner, the hardware cannot map a page
 * that cannot be read).
 */
struct vmap_conv {
	int	second_owner;	/* a pid, or 0 */
	int	shared_prot;	/* PROT_* */
};

/* Sharing status of a page (VCTL_GETSTATUS, VCTL_SETSTATUS). */
#define VSTAT_PRIVATE	0	/* not shared */
#define VSTAT_LOCAL	1	/* shareable within its owner family only (MAKECXT_COPY_SHARED) */
#define VSTAT_SHARED	2	/* shareable: fork and makecxt make partners */

/* vctl() options.  vctl(addr, option, arg, n); addr is any byte of the page. */
#define VCTL_GETSTATUS	1	/* returns VSTAT_* */
#define VCTL_SETSTATUS	2	/* arg = VSTAT_*; owner only */
#define VCTL_GETCONV	3	/* arg = struct vmap_conv *, filled in */
#define VCTL_SETCONV	4	/* arg = const struct vmap_conv *; owner only */
#define VCTL_OWNERS	5	/* arg = int pids[n] (may be NULL if n == 0); returns the count */
#define VCTL_PARTNERS	6	/* the same for partners */
#define VCTL_SETTERM	7	/* arg = 0 or 1: zero the page when finally freed; owner only */
#define VCTL_GETTERM	8	/* returns 0 or 1 */
#define VCTL_ISOWNER	9	/* returns 1 if the caller is a first-place owner, else 0 */

/* vmapinfo(pid, index, &e): entry number index of pid's map (0 = itself). */
#define VMI_TEXT	1	/* kinds: an exec'd or makecxt'd region */
#define VMI_HEAP	2
#define VMI_STACK	3
#define VMI_VMAP	4	/* one entry per page of a vmap region */
#define VMI_MAXLIST	4	/* owners/partners listed per entry */

struct vmapent {
	unsigned long	start, end;	/* [start, end) */
	int		prot;		/* PROT_* of the mapping (a partner's may be less than its region's) */
	int		kind;		/* VMI_* */
	int		status;		/* VSTAT_*, for a VMI_VMAP page; else VSTAT_PRIVATE */
	int		terminate;
	int		second_owner;
	int		shared_prot;
	int		nowners, npartners;	/* counts, maybe more than VMI_MAXLIST */
	int		owners[VMI_MAXLIST];
	int		partners[VMI_MAXLIST];
};

#ifndef _KERNEL
#include <unistd.h>

void	*vmap(void *addr, size_t size, int prot, int flags, void *phys_part,
	    const struct vmap_conv *conv);
int	vunmap(void *addr, size_t size);
long	vctl(void *addr, int option, void *arg, size_t n);
int	vmapinfo(int pid, int index, struct vmapent *e);
#endif

#endif
