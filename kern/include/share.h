/*
 * Shareable pages and their owners (kern/vm/share.c; docs/man/vctl.2).
 *
 * Every shareable physical page (VSTAT_SHARED or VSTAT_LOCAL) has one
 * struct vshare.  Its first-place owners are not stored as a list of
 * processes but as one address space, vs_owner: every process whose
 * p_vmspace is vs_owner is an owner.  That is exactly the makecxt(2)
 * "family": the maker, its FORK_SHAREVM threads and its
 * MAKECXT_SHARE_VMEM siblings all use one vmspace, and the family is gone
 * when that vmspace is freed (the last of them exited or exec'd).
 *
 * vs_map[] lists the address spaces that map the page; each of them also
 * holds one page reference (page.h).  Those that are not vs_owner belong
 * to the partners.  The page is freed when its last mapping goes, never
 * before: the page references see to that.
 */
#ifndef KERN_SHARE_H
#define KERN_SHARE_H

#include "types.h"
#include <aqua/memory.h>

#define NVSHARE		512	/* shareable pages in the whole system (2 MiB) */
#define VS_MAXMAP	16	/* address spaces that may map one of them */

struct vmspace;
struct proc;

struct vshare {
	paddr_t		vs_pa;		/* the page; 0 = free slot */
	int		vs_status;	/* VSTAT_LOCAL or VSTAT_SHARED */
	int		vs_terminate;	/* zero it when it is finally freed */
	struct vmspace	*vs_owner;	/* the owner family's address space, NULL = none */
	int		vs_second;	/* second owner's pid, 0 = none */
	int		vs_sprot;	/* shared_prot */
	int		vs_nmap;
	struct vmspace	*vs_map[VS_MAXMAP];	/* who maps it */
};

/* Make pa (mapped by owner already, one reference) shareable.  0 or ENOMEM. */
int	vshare_create(struct vmspace *owner, paddr_t pa, int status,
	    const struct vmap_conv *conv, int terminate);
/* vm maps pa too (it took a page reference).  0, ENOMEM (list full), ENOENT (not shareable). */
int	vshare_addmap(paddr_t pa, struct vmspace *vm);
/*
 * vm stops mapping pa (called before its page_unref).  If vm was the owner,
 * ownership passes to the second owner, or to nobody.  With no mapping
 * left the record goes (and a terminate page is zeroed).  No-op for a
 * private page.
 */
void	vshare_unmapped(struct vmspace *vm, paddr_t pa);
/* vm is freed: pages it owns but no longer maps pass on as above. */
void	vshare_vm_gone(struct vmspace *vm);
/* A copy of pa's record: 1, or 0 if pa is private. */
int	vshare_get(paddr_t pa, struct vshare *out);
/* The protection a partner gets for a page its region maps with rprot. */
int	vshare_partner_prot(const struct vshare *vs, int rprot);

/* vctl(2) changes; caller = the calling process's vmspace.  0, EPERM, EINVAL, EBUSY, ENOMEM. */
int	vshare_setconv(struct vmspace *caller, paddr_t pa, const struct vmap_conv *conv);
int	vshare_setterm(struct vmspace *caller, paddr_t pa, int on);
int	vshare_setstatus(struct vmspace *caller, paddr_t pa, int status, int sprot);
/* Owners (which 0) or partners (1) of pa: the count; up to max pids in pids[]. */
int	vshare_pids(paddr_t pa, int which, int *pids, int max);

#endif
