/*
 * Sizes that the kernel and user space must agree on.  Kernel-only
 * tunables live in kern/include/param.h.
 */
#ifndef AQUA_LIMITS_H
#define AQUA_LIMITS_H

#define NOFILE		16	/* open files per process */
#define MAXARG		32	/* max exec arguments */
#define MAXARGLEN	4096	/* max total bytes of exec arguments */
#define MAXPATH		128	/* max path name length, with the NUL */
#define DIRSIZ		14	/* max length of one path component */
#define PROC_NAME_MAX	16	/* process name in ps, with the NUL */

#endif
