/*
 * The reaper: a kernel thread that frees the slots of FORK_NOZOMBIE
 * processes, as OpenBSD's reaper does.
 *
 * A process cannot free its own slot: its kernel stack lives there, and it
 * runs on that stack until its last switch.  A zombie's parent frees it in
 * wait; a FORK_NOZOMBIE process has nobody to wait for it, so exit1()
 * leaves it SDEAD, the scheduler notices when it has switched away for good
 * (proc_reap_dead) and wakes us, and we give the slot back.
 *
 * It is also aqua6's first user of kthread_create(9): ps(1) shows it as
 * [reaper], a child of the kernel (ppid 0) that kill(2) cannot touch.
 */
#include "systm.h"
#include "proc.h"

static struct proc *reaperproc;	/* set before the thread first runs */
static char reaper_chan;	/* what the reaper sleeps on */

static void
reaper(void *arg)
{
	(void)arg;
	spinlock_acquire(&proc_lock);
	for (;;) {
		/*
		 * Whatever is SDEAD while we hold proc_lock is off its stack
		 * (see proc_free_dead).  A wakeup that finds nothing (a kill(2)
		 * of a kernel that lets it through) only costs a scan.
		 */
		proc_free_dead();
		sleep(&reaper_chan, &proc_lock, "reaper");
	}
}

/* kern_main: start the reaper.  Without it the scheduler frees SDEAD slots. */
void
reaper_start(void)
{
	int error = kthread_create(reaper, NULL, &reaperproc, "reaper");

	if (error)
		printf("reaper: kthread_create failed (error %d); the scheduler reaps\n", error);
}

/* The scheduler has an SDEAD slot to free: 1 if the reaper will do it.  proc_lock held. */
int
reaper_wakeup_locked(void)
{
	KASSERT(spinlock_holding(&proc_lock));
	if (reaperproc == NULL)
		return 0;
	wakeup_locked(&reaper_chan);
	return 1;
}
