/* System-wide counters returned by sysinfo(2): leak checks, time limits. */
#ifndef AQUA_SYSINFO_H
#define AQUA_SYSINFO_H

struct sysinfo {
	unsigned long freepages;	/* free physical pages */
	unsigned long totalpages;	/* physical pages the allocator manages */
	int	nproc;			/* process slots in use */
	int	maxproc;		/* process slots in all */
	int	ncpu;			/* CPUs running */
	int	nfile;			/* open-file structures in use */
	int	hz;			/* clock ticks a second (HZ) */
	unsigned long ticks;		/* clock ticks taken since boot: time the
					   machine ran, as time limits want it */
};

#endif
