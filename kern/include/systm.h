/*
 * systm.h: functions every part of the kernel uses (the name is OpenBSD's).
 */
#ifndef KERN_SYSTM_H
#define KERN_SYSTM_H

#include "types.h"
#include "param.h"
#include <aqua/errno.h>
#include <stdarg.h>

/* kern/printf.c */
void	printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	vprintf(const char *fmt, va_list ap);
int	snprintf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
__attribute__((noreturn)) void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern volatile int panicking;		/* set once panic() starts: other CPUs stop */

#define KASSERT(e) do { if (!(e)) panic("assertion \"%s\" failed: %s:%d", #e, __FILE__, __LINE__); } while (0)
/*
 * KDASSERT: a contract on a path that every system call or context switch
 * takes (userret, sleep, wakeup), too costly to check in every kernel:
 * debug kernels (make DEBUG=1; `make witness` runs them under the stress
 * programs in make test) check it.  OpenBSD's name, and its split.
 */
#ifdef WITNESS
#define KDASSERT(e) KASSERT(e)
#else
#define KDASSERT(e) do { (void)sizeof(e); } while (0)
#endif

/* kern/string.c */
void	*memset(void *dst, int c, size_t n);
void	*memcpy(void *dst, const void *src, size_t n);
void	*memmove(void *dst, const void *src, size_t n);
int	memcmp(const void *a, const void *b, size_t n);
size_t	strlen(const char *s);
size_t	strnlen(const char *s, size_t max);
int	strcmp(const char *a, const char *b);
int	strncmp(const char *a, const char *b, size_t n);
size_t	strlcpy(char *dst, const char *src, size_t n);

/*
 * kern/copy.c: every access to user memory goes through these.  They walk
 * the process's page tables (pmap_extract) and copy through the kernel's
 * direct map, so a bad user pointer is an EFAULT, never a kernel fault.
 */
int	copyin(struct proc *p, void *kdst, vaddr_t usrc, size_t len);
int	copyout(struct proc *p, vaddr_t udst, const void *ksrc, size_t len);
int	copyin_part(struct proc *p, void *kdst, vaddr_t usrc, size_t len, size_t *done);
int	copyout_part(struct proc *p, vaddr_t udst, const void *ksrc, size_t len, size_t *done);
int	copyinstr(struct proc *p, char *kdst, vaddr_t usrc, size_t max, size_t *done);

/* kern/clock.c */
extern volatile unsigned long ticks;	/* timer ticks since boot (CPU 0) */
uint64_t uptime_ms(void);
void	clock_timer_rate(uint64_t hz);	/* the port, at boot: its tick timer's rate */

/* kern/main.c: a kernel option, a word of the command line before run= */
int	booted_with(const char *word);

/* kern/console.c */
void	consinit(void);
void	cons_write(const char *s, size_t n);	/* to the UART, serialized */

/* kern/ktest/ktest.c */
int	ktest_run(const char *name);	/* failures (0 = all passed), -1 = no such test,
					   -2 = not allowed (ktest.panic=1 missing) */

#endif
