/* Kernel tunables.  Sizes shared with user space are in <aqua/limits.h>. */
#ifndef KERN_PARAM_H
#define KERN_PARAM_H

#include <aqua/limits.h>

#define MAXCPUS		8	/* CPUs the kernel can run on (CPUS=1..8) */
#define NPROC		64	/* process table slots */
#define NPROC_PER_USER	48	/* default RLIMIT_NPROC analogue */
#define NFILE		128	/* open files in the whole system */
#define NINODE		64	/* in-core inodes */
#define NBUF		(LOGSIZE * 3)	/* buffer-cache blocks */
#define HZ		100	/* timer interrupts per second */
#define KSTACK_SIZE	(4 * PAGE_SIZE)	/* kernel stack of each process */
#define USTACK_PAGES	16	/* user stack, allocated at exec */
#define ROOTDEV		1	/* device number of the root disk */
#define NDEV		4	/* device switch entries */

#endif
