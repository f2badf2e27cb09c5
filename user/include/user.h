/*
 * A few xv6 names for aqua6 programs.  To build an xv6 program UNCHANGED
 * (its "kernel/types.h", "user/user.h", fprintf(fd), kill(pid), wait's
 * status, unbuffered printf...), use the xv6 compatibility layer instead:
 * user/xv6/ and `make xv6` (docs/INSTRUCTORS.md, "Bring your xv6
 * material").  This header's differences from xv6, on purpose:
 *
 *  - printf() is the POSIX one (no file descriptor argument).  Define
 *    XV6_PRINTF before including this file to get xv6's printf(fd, fmt, ...)
 *    (it becomes dprintf).  fprintf(2, ...) in xv6 code must then be
 *    written dprintf(2, ...).
 *  - wait(&status) stores the encoded status: use WEXITSTATUS(status).
 *  - sleep(n) and uptime() count xv6 ticks, here fixed at 10 ms.  The
 *    POSIX sleep(seconds) is not available in a file that includes user.h.
 *  - exit() flushes stdio buffers before leaving.
 */
#ifndef _USER_H
#define _USER_H

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define XV6_TICK_MS	10

char	*gets(char *buf, int max);	/* xv6's: reads a line from fd 0, keeps the newline */

static inline int
xv6_sleep(int ticks)
{
	return msleep(ticks > 0 ? (unsigned int)ticks * XV6_TICK_MS : 0);
}

static inline int
xv6_uptime(void)
{
	return (int)(uptime() / XV6_TICK_MS);
}

/* Function-like, after <unistd.h>, so they only replace the calls. */
#define sleep(n)	xv6_sleep(n)
#define uptime()	xv6_uptime()

#ifdef XV6_PRINTF
#define printf(fd, ...)	dprintf((fd), __VA_ARGS__)
#endif

#endif
