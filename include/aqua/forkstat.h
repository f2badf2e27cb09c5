/*
 * Fork statistics, as OpenBSD's kern.forkstat (sys/vmmeter.h): how many
 * processes each kind of fork1() call made, and how many pages of address
 * space they started with.  FORK_FORK and FORK_VFORK exist "only for
 * statistics" (fork1.9): this is what they are counted in.  Read with
 * forkstat(2); printed by forkstat(1).
 */
#ifndef AQUA_FORKSTAT_H
#define AQUA_FORKSTAT_H

struct forkstat {
	unsigned long	cntfork;	/* fork1() calls with FORK_FORK */
	unsigned long	cntvfork;	/* ... with FORK_VFORK */
	unsigned long	cnttfork;	/* ... with FORK_SHAREVM from user space (threads) */
	unsigned long	cntkthread;	/* kernel threads (kthread_create) */
	unsigned long	sizfork;	/* pages of address space of FORK_FORK children */
	unsigned long	sizvfork;	/* ... of FORK_VFORK children */
	unsigned long	siztfork;	/* ... of threads */
	unsigned long	sizkthread;	/* always 0: kernel threads have no user pages */
	unsigned long	cntcowfault;	/* pages copied by copy-on-write faults (stage cow) */
};

#ifndef _KERNEL
int	forkstat(struct forkstat *fs);	/* forkstat(2): 0, or -1 and errno */
#endif

#endif
