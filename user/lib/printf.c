/* The printf family, all built on __format() (format.c). */
#include <stdio.h>
#include <unistd.h>
#include "libc.h"

static void
put_stream(void *ctx, char c)
{
	__putc_buffered(c, ctx);
}

int
vfprintf(FILE *f, const char *fmt, va_list ap)
{
	int n = __format(put_stream, f, fmt, ap);

	__stdio_done(f);
	return n;
}

int
fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(f, fmt, ap);
	va_end(ap);
	return n;
}

int
vprintf(const char *fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return n;
}

/* Into a string: keep at most size-1 characters, always terminate. */
struct strbuf {
	char	*buf;
	size_t	size;
	size_t	len;
};

static void
put_string(void *ctx, char c)
{
	struct strbuf *sb = ctx;

	if (sb->len + 1 < sb->size)
		sb->buf[sb->len] = c;
	sb->len++;
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct strbuf sb = { buf, size, 0 };
	int n = __format(put_string, &sb, fmt, ap);

	if (size > 0)
		buf[sb.len < size ? sb.len : size - 1] = '\0';
	return n;
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int
vsprintf(char *buf, const char *fmt, va_list ap)
{
	return vsnprintf(buf, (size_t)-1 / 2, fmt, ap);
}

int
sprintf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsprintf(buf, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * To a file descriptor, bypassing stdio: collect into a local buffer and
 * write it in as few system calls as possible, so one line from one
 * process stays together on the console.
 */
struct fdbuf {
	int	fd;
	int	len;
	char	buf[256];
};

static void
put_fd(void *ctx, char c)
{
	struct fdbuf *fb = ctx;

	fb->buf[fb->len++] = c;
	if (fb->len == (int)sizeof(fb->buf)) {
		write(fb->fd, fb->buf, fb->len);
		fb->len = 0;
	}
}

int
vdprintf(int fd, const char *fmt, va_list ap)
{
	struct fdbuf fb;
	int n;

	fb.fd = fd;
	fb.len = 0;
	n = __format(put_fd, &fb, fmt, ap);
	if (fb.len > 0)
		write(fd, fb.buf, fb.len);
	return n;
}

int
dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}
