/*
 * xv6 compatibility layer: xv6's system sizes, each one aqua6's own
 * (kern/include/param.h, <aqua/limits.h>, <aqua/fsformat.h>), so that a
 * test that fills a table fills the real one.
 */
#ifndef XV6_KERNEL_PARAM_H
#define XV6_KERNEL_PARAM_H

#include "../../../../kern/include/param.h"
#include <aqua/fsformat.h>

#define NCPU		MAXCPUS
#define LOGBLOCKS	LOGSIZE
/*
 * USERSTACK: the pages of the user stack.  xv6 has one; aqua6 has
 * USTACK_PAGES (16), with an unmapped guard page below all of them
 * (docs/INSTRUCTORS.md, "The stack rule").
 */
#define USERSTACK	USTACK_PAGES

#endif
