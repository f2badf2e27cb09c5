/* What procinfo(2) returns for one process: used by ps(1). */
#ifndef AQUA_PROCINFO_H
#define AQUA_PROCINFO_H

#include <aqua/limits.h>

/* Process states, as OpenBSD names them (sys/proc.h). */
#define SIDL	1	/* being created by fork1(), or left idle by FORK_IDLE */
#define SRUN	2	/* runnable, waiting for a CPU */
#define SSLEEP	3	/* sleeping on a wait channel */
#define SSTOP	4	/* stopped (signals, ptrace) */
#define SZOMB	5	/* exited, status not yet collected */
#define SDEAD	6	/* exited, being torn down */
#define SONPROC	7	/* running on a CPU */

/* procinfo.flags bits */
#define PI_SYSTEM	0x1	/* a system process (P_SYSTEM) */

struct procinfo {
	int	pid;
	int	ppid;
	int	state;		/* SIDL, SRUN, ... */
	int	flags;		/* PI_* */
	unsigned long size;	/* bytes of user memory */
	char	name[PROC_NAME_MAX];
	char	wmesg[PROC_NAME_MAX];	/* why it sleeps, when SSLEEP ("wait", "msleep", ...) */
	unsigned long pgalloc;	/* pages allocated while it ran, since fork (a leak hunt's tally) */
	unsigned long pgfree;	/* pages freed while it ran, since fork */
};

#endif
