/*
 * Fork statistics (stage fork-stats), as OpenBSD's kern.forkstat.
 *
 * fork1(9) says FORK_FORK and FORK_VFORK are "used only for statistics":
 * they change nothing about the child, they only say who asked.  This file
 * is where they are counted.  fork1() calls forkstat_count() once per new
 * process, after its commit point (a failed fork1 counts nothing), and
 * forkstat(2) copies the counters out for forkstat(1).
 *
 * Several CPUs fork at the same time, so the counters are updated under a
 * spin lock: "counter++" is a load, an add and a store, and two CPUs doing
 * it at once can lose one of the updates.
 */
#include "systm.h"
#include "proc.h"
#include "vm.h"
#include "syscall.h"
#include <aqua/forkstat.h>

static struct forkstat forkstat;
static struct spinlock forkstat_lock = { .name = "forkstat" };

/*
 * Count one successful fork1(): which kind of call made it (the flags) and
 * how many pages of user address space the child started with (vm is the
 * child's vmspace, shared or copied; NULL for kernel threads).
 */
void
forkstat_count(int flags, struct vmspace *vm)
{
	/* SOLUTION BEGIN fork-stats: classify the fork and count it */
	unsigned long pages = vm != NULL ? vmspace_size(vm) / PAGE_SIZE : 0;

	spinlock_acquire(&forkstat_lock);
	if (flags & FORK_FORK) {
		forkstat.cntfork++;
		forkstat.sizfork += pages;
	} else if (flags & FORK_VFORK) {
		forkstat.cntvfork++;
		forkstat.sizvfork += pages;
	} else if (flags & FORK_SYSTEM) {
		/* kthread_create(): no user pages, sizkthread stays 0 */
		forkstat.cntkthread++;
	} else if (flags & FORK_SHAREVM) {
		/* a user thread: rfork1(FORK_SHAREVM) shares the parent's pages */
		forkstat.cnttfork++;
		forkstat.siztfork += pages;
	}
	spinlock_release(&forkstat_lock);
	/* SOLUTION ELSE fork-stats */
	//> /*
	//>  * TODO(fork-stats): count this fork in forkstat by the kind of call
	//>  * (FORK_FORK, FORK_VFORK, a kernel thread, a user thread) and add the
	//>  * child's pages (vmspace_size(vm) / PAGE_SIZE) to the matching siz*
	//>  * field.  Several CPUs fork at once: no update may be lost.
	//>  */
	//> (void)flags;
	//> (void)vm;
	/* SOLUTION END fork-stats */
}

/* A consistent copy of the counters (forkstat(2), and ktest forkstat). */
void
forkstat_read(struct forkstat *out)
{
	spinlock_acquire(&forkstat_lock);
	*out = forkstat;
	spinlock_release(&forkstat_lock);
	out->cntcowfault = vm_cowfault_count();	/* kept by kern/vm/vm.c (stage cow) */
}

/* forkstat(2): copy the counters to the user's struct forkstat. */
int
sys_forkstat(struct proc *p, const register_t *args, register_t *retval)
{
	struct forkstat copy;

	forkstat_read(&copy);
	return copyout(p, SCARG_PTR(args, 0), &copy, sizeof(copy));
}
