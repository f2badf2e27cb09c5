/*
 * xv6 compatibility layer: xv6's user.h over aqua6's libc, so that an xv6
 * user program builds unchanged (`make xv6`, docs/INSTRUCTORS.md, "Bring
 * your xv6 material").  Programs include it after "kernel/types.h".
 *
 * The calls whose meaning is aqua6's already (fork, read, write, open,
 * exec, pipe, dup, link, ...) are aqua6's own.  Those that differ are
 * renamed to xv6_* functions in user/xv6/lib/xv6.c:
 *
 *   printf(fmt, ...)	to fd 1; fprintf(fd, fmt, ...) to fd.  Unbuffered:
 *			each call is written before it returns, so output
 *			before a fork() is never printed again by the child.
 *			%d %u %x %p %s %c %l %ld %lu %lx %lld... as on xv6.
 *   wait(&st)		st is the exit code (-1 for a killed process), not
 *			the POSIX-encoded status.
 *   kill(pid)		kills (SIGKILL).
 *   sbrk(n)		returns char *, SBRK_ERROR on failure.
 *   sleep(n), pause(n)	n ticks of 10 ms; uptime() counts ticks.
 *   exec(path, argv)	a name without '/' that is not found is looked for
 *			in /bin too.
 */
#ifndef XV6_USER_USER_H
#define XV6_USER_USER_H

#include <stddef.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#define SBRK_ERROR	((char *)-1)
#define SBRK_EAGER	1
#define SBRK_LAZY	2

/* xv6's tick: uptime() and sleep() count these. */
#define XV6_TICK_MS	10

/*
 * No format attribute: xv6 code passes 64-bit values to %d and %x and
 * writes a bare %l; xv6's printf reads what the conversion names.
 */
void	xv6_printf(const char *fmt, ...);
void	xv6_fprintf(int fd, const char *fmt, ...);
int	xv6_wait(int *status);
int	xv6_kill(int pid);
char	*xv6_sbrk(int n);
char	*xv6_sbrklazy(int n);
char	*xv6_sys_sbrk(int n, int how);
int	xv6_sleep(int ticks);
int	xv6_uptime(void);
int	xv6_exec(const char *path, char **argv);

char	*gets(char *buf, int max);

/*
 * Function-like macros: they replace the calls only, and come after
 * aqua6's headers, whose declarations keep their POSIX names.
 */
#define printf(...)		xv6_printf(__VA_ARGS__)
#define fprintf(...)		xv6_fprintf(__VA_ARGS__)
#define wait(st)		xv6_wait(st)
#define kill(pid)		xv6_kill(pid)
#define sbrk(n)			xv6_sbrk(n)
#define sbrklazy(n)		xv6_sbrklazy(n)
#define sys_sbrk(n, how)	xv6_sys_sbrk((n), (how))
#define sleep(n)		xv6_sleep(n)
#define pause(n)		xv6_sleep(n)
#define uptime()		xv6_uptime()
#define exec(path, argv)	xv6_exec((path), (argv))

#endif
