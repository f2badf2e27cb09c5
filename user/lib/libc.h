/* Internal interfaces between the C library's own files. */
#ifndef USER_LIBC_H
#define USER_LIBC_H

#include <stdarg.h>

struct __file;

int	__format(void (*put)(void *ctx, char c), void *ctx, const char *fmt, va_list ap);
void	__stdio_flushall(void);
int	__putc_buffered(int c, struct __file *f);
void	__stdio_done(struct __file *f);

extern char **__argv;		/* set by crt0 before main */
extern int __exit_status;	/* set by exit() before the atexit functions run */

#endif
