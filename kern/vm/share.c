/*
 * Shareable pages and their ownership (docs/man/vctl.2, vmap.2).
 *
 * Aqua's shared convention is { second_owner, shared_prot }.  aqua6 keeps
 * one struct vshare per shareable page in a small table (share.h says why
 * the owners are one address space, not a list of pids).  The rules:
 *
 *   - the family that owns a page is every process using vs_owner;
 *   - when the family stops mapping the page (vunmap, or the vmspace is
 *     freed because its last process exited or exec'd), the second owner,
 *     if it is alive, becomes the owner -- its own family, in fact -- and
 *     the convention's second_owner is cleared (it has been used);
 *     otherwise the page has no owner and lives on only for its partners;
 *   - the page is freed when its last mapping goes (page references).
 *
 * Locking: share_lock protects the table.  Order: share_lock, then
 * proc_lock (owner and partner lists look at the process table).  Both
 * are spin locks: nothing here sleeps.  Callers may hold a vm_lock.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "page.h"
#include "share.h"

static struct vshare vshares[NVSHARE];
static int nvshare;			/* slots in use (fast path for "private") */
static struct spinlock share_lock = { .name = "vshare" };

/* The record of pa, or NULL.  share_lock held. */
static struct vshare *
lookup(paddr_t pa)
{
	KASSERT(spinlock_holding(&share_lock));
	if (nvshare == 0 || pa == 0)
		return NULL;
	for (int i = 0; i < NVSHARE; i++)
		if (vshares[i].vs_pa == pa)
			return &vshares[i];
	return NULL;
}

int
vshare_create(struct vmspace *owner, paddr_t pa, int status,
    const struct vmap_conv *conv, int terminate)
{
	int error = ENOMEM;

	spinlock_acquire(&share_lock);
	for (int i = 0; i < NVSHARE; i++) {
		struct vshare *vs = &vshares[i];
		if (vs->vs_pa != 0)
			continue;
		memset(vs, 0, sizeof(*vs));
		vs->vs_pa = pa;
		vs->vs_status = status;
		vs->vs_terminate = terminate != 0;
		vs->vs_owner = owner;
		vs->vs_second = conv ? conv->second_owner : 0;
		vs->vs_sprot = conv ? conv->shared_prot & (PROT_READ | PROT_WRITE | PROT_EXEC) : PROT_READ;
		vs->vs_map[0] = owner;
		vs->vs_nmap = 1;
		nvshare++;
		error = 0;
		break;
	}
	spinlock_release(&share_lock);
	return error;
}

int
vshare_addmap(paddr_t pa, struct vmspace *vm)
{
	struct vshare *vs;
	int error = 0;

	spinlock_acquire(&share_lock);
	if ((vs = lookup(pa)) == NULL)
		error = ENOENT;
	else if (vs->vs_nmap >= VS_MAXMAP)
		error = ENOMEM;
	else
		vs->vs_map[vs->vs_nmap++] = vm;
	spinlock_release(&share_lock);
	return error;
}

/*
 * The family of vs->vs_owner no longer holds the page: pass it to the
 * second owner when that process is alive and in another family, else
 * to nobody.  share_lock held.
 *
 * The second owner's vmspace cannot be freed under us: exit1() clears
 * p_vmspace before vmspace_free(), and vshare_vm_gone() for it needs
 * share_lock, which we hold.  So either we see NULL here, or its
 * vshare_vm_gone() runs after we are done and passes the page on again.
 */
static void
pass_ownership(struct vshare *vs)
{
	struct vmspace *next = NULL;

	KASSERT(spinlock_holding(&share_lock));
	if (vs->vs_second > 0) {
		spinlock_acquire(&proc_lock);
		struct proc *q = pfind(vs->vs_second);
		/* Not one being made (SIDL: makecxt may still swap its vmspace). */
		if (q != NULL && q->p_stat != SIDL && !(q->p_flag & P_WEXIT) && q->p_vmspace != NULL &&
		    q->p_vmspace != vs->vs_owner)
			next = q->p_vmspace;
		spinlock_release(&proc_lock);
	}
	vs->vs_owner = next;
	vs->vs_second = 0;	/* used (or useless): a page changes hands once per convention */
}

void
vshare_unmapped(struct vmspace *vm, paddr_t pa)
{
	struct vshare *vs;

	spinlock_acquire(&share_lock);
	if ((vs = lookup(pa)) == NULL) {
		spinlock_release(&share_lock);
		return;
	}
	for (int i = 0; i < vs->vs_nmap; i++)
		if (vs->vs_map[i] == vm) {
			vs->vs_map[i] = vs->vs_map[--vs->vs_nmap];
			break;
		}
	if (vs->vs_owner == vm)
		pass_ownership(vs);
	if (vs->vs_nmap == 0) {
		/*
		 * The last mapping goes: the caller drops the last page
		 * reference next.  Aqua clears memory at unmap time, and only
		 * with terminate (page_alloc zeroes again anyway: aqua6 never
		 * hands out old data, but a terminate page's secret does not
		 * even linger on the free list).
		 */
		if (vs->vs_terminate)
			memset(PA_TO_PTR(pa), 0, PAGE_SIZE);
		vs->vs_pa = 0;
		KASSERT(nvshare > 0);
		nvshare--;
	}
	spinlock_release(&share_lock);
}

void
vshare_vm_gone(struct vmspace *vm)
{
	spinlock_acquire(&share_lock);
	for (int i = 0; i < NVSHARE && nvshare > 0; i++) {
		struct vshare *vs = &vshares[i];
		if (vs->vs_pa != 0 && vs->vs_owner == vm)
			pass_ownership(vs);
	}
	spinlock_release(&share_lock);
}

int
vshare_get(paddr_t pa, struct vshare *out)
{
	struct vshare *vs;

	spinlock_acquire(&share_lock);
	vs = lookup(pa);
	if (vs != NULL)
		*out = *vs;
	spinlock_release(&share_lock);
	return vs != NULL;
}

int
vshare_partner_prot(const struct vshare *vs, int rprot)
{
	return (vs->vs_sprot & rprot) | PROT_READ;
}

/* The record of pa if caller owns it: NULL with *errorp set otherwise.  share_lock held. */
static struct vshare *
owned(struct vmspace *caller, paddr_t pa, int *errorp)
{
	struct vshare *vs;

	KASSERT(spinlock_holding(&share_lock));
	vs = lookup(pa);
	if (vs == NULL)
		*errorp = EINVAL;	/* a private page has no convention */
	else if (vs->vs_owner != caller)
		*errorp = EPERM;
	else
		*errorp = 0;
	return *errorp ? NULL : vs;
}

int
vshare_setconv(struct vmspace *caller, paddr_t pa, const struct vmap_conv *conv)
{
	struct vshare *vs;
	int error;

	if (conv->second_owner < 0 || (conv->shared_prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return EINVAL;
	spinlock_acquire(&share_lock);
	if ((vs = owned(caller, pa, &error)) != NULL) {
		vs->vs_second = conv->second_owner;
		vs->vs_sprot = conv->shared_prot;
	}
	spinlock_release(&share_lock);
	return error;
}

int
vshare_setterm(struct vmspace *caller, paddr_t pa, int on)
{
	struct vshare *vs;
	int error;

	if (on != 0 && on != 1)
		return EINVAL;
	spinlock_acquire(&share_lock);
	if ((vs = owned(caller, pa, &error)) != NULL)
		vs->vs_terminate = on;
	spinlock_release(&share_lock);
	return error;
}

/*
 * VCTL_SETSTATUS.  A private page (mapped by the caller's address space
 * alone: fork copies private vmap pages) becomes shareable with the
 * convention { 0, sprot }.  A shareable page switches between local and
 * shared, or becomes private again while nobody but its owner maps it
 * (EBUSY otherwise: partners would keep a page nobody accounts for).
 */
int
vshare_setstatus(struct vmspace *caller, paddr_t pa, int status, int sprot)
{
	struct vshare *vs;
	int error;

	if (status != VSTAT_PRIVATE && status != VSTAT_LOCAL && status != VSTAT_SHARED)
		return EINVAL;
	spinlock_acquire(&share_lock);
	if (lookup(pa) == NULL) {
		spinlock_release(&share_lock);
		if (status == VSTAT_PRIVATE)
			return 0;
		struct vmap_conv c = { 0, sprot };
		return vshare_create(caller, pa, status, &c, 0);
	}
	if ((vs = owned(caller, pa, &error)) != NULL) {
		if (status != VSTAT_PRIVATE) {
			vs->vs_status = status;
		} else if (vs->vs_nmap != 1) {
			error = EBUSY;
		} else {
			vs->vs_pa = 0;
			KASSERT(nvshare > 0);
			nvshare--;
		}
	}
	spinlock_release(&share_lock);
	return error;
}

/* A process that is alive enough to be listed. */
static int
listable(const struct proc *q)
{
	return q->p_stat != 0 && q->p_stat != SZOMB && q->p_stat != SDEAD &&
	    q->p_vmspace != NULL && !(q->p_flag & P_SYSTEM);
}

int
vshare_pids(paddr_t pa, int which, int *pids, int max)
{
	struct vshare *vs;
	int n = 0;

	spinlock_acquire(&share_lock);
	if ((vs = lookup(pa)) == NULL) {
		spinlock_release(&share_lock);
		return 0;
	}
	spinlock_acquire(&proc_lock);
	for (int i = 0; i < NPROC; i++) {
		struct proc *q = &proctab[i];
		int mine = 0;
		if (!listable(q))
			continue;
		if (which == 0) {
			mine = vs->vs_owner != NULL && q->p_vmspace == vs->vs_owner;
		} else if (q->p_vmspace != vs->vs_owner) {
			for (int j = 0; j < vs->vs_nmap; j++)
				if (vs->vs_map[j] == q->p_vmspace)
					mine = 1;
		}
		if (mine) {
			if (n < max)
				pids[n] = q->p_pid;
			n++;
		}
	}
	spinlock_release(&proc_lock);
	spinlock_release(&share_lock);
	return n;
}
