/*
 * Buffered streams.  A stream is a file descriptor plus one buffer used
 * either for reading (data read ahead) or for writing (data not yet
 * written).  Writes on the console are flushed at each newline so
 * interactive output appears at once; other output is flushed when the
 * buffer fills, by fflush(), and at exit().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

#define F_READ		0x01	/* opened for reading */
#define F_WRITE		0x02	/* opened for writing */
#define F_EOF		0x04	/* read hit the end of the file */
#define F_ERR		0x08	/* an I/O error happened */
#define F_UNBUF		0x10	/* every write goes straight out */
#define F_LINEBUF	0x20	/* flush at each newline */
#define F_PROBED	0x40	/* the console check below was done */
#define F_MALLOC	0x80	/* struct came from malloc (fopen/fdopen) */

struct __file {
	int	fd;
	int	flags;
	int	wlen;		/* bytes waiting in buf to be written */
	int	rpos, rlen;	/* unread bytes are buf[rpos..rlen) */
	char	buf[BUFSIZ];
};

static struct __file stdin_file = { .fd = 0, .flags = F_READ };
static struct __file stdout_file = { .fd = 1, .flags = F_WRITE };
static struct __file stderr_file = { .fd = 2, .flags = F_WRITE | F_UNBUF | F_PROBED };

FILE *stdin = &stdin_file;
FILE *stdout = &stdout_file;
FILE *stderr = &stderr_file;

/* Every open stream, so exit() can flush them all. */
#define NSTREAM		(NOFILE + 3)
static FILE *streams[NSTREAM] = { &stdin_file, &stdout_file, &stderr_file };

int
isatty(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return 0;
	return st.type == T_DEVICE;
}

/* Decide line buffering the first time a stream is written. */
static void
probe(FILE *f)
{
	if (!(f->flags & F_PROBED)) {
		f->flags |= F_PROBED;
		if (isatty(f->fd))
			f->flags |= F_LINEBUF;
	}
}

int
fflush(FILE *f)
{
	int off = 0;

	if (f == NULL) {
		__stdio_flushall();
		return 0;
	}
	while (off < f->wlen) {
		ssize_t n = write(f->fd, f->buf + off, f->wlen - off);
		if (n <= 0) {
			f->flags |= F_ERR;
			f->wlen = 0;
			return EOF;
		}
		off += n;
	}
	f->wlen = 0;
	return 0;
}

void
__stdio_flushall(void)
{
	for (int i = 0; i < NSTREAM; i++)
		if (streams[i] != NULL && streams[i]->wlen > 0)
			fflush(streams[i]);
}

/*
 * Add one byte to f's buffer.  An unbuffered stream (stderr) is also
 * buffered, but only for the length of one library call: __stdio_done()
 * then writes it out, so one fprintf is one write(2), not one per byte.
 */
int
__putc_buffered(int c, FILE *f)
{
	unsigned char ch = (unsigned char)c;

	probe(f);
	f->buf[f->wlen++] = ch;
	if (f->wlen == BUFSIZ || (ch == '\n' && (f->flags & F_LINEBUF)))
		if (fflush(f) == EOF)
			return EOF;
	return ch;
}

void
__stdio_done(FILE *f)
{
	if ((f->flags & F_UNBUF) && f->wlen > 0)
		fflush(f);
}

int
fputc(int c, FILE *f)
{
	int r = __putc_buffered(c, f);

	__stdio_done(f);
	return r;
}

int
putc(int c, FILE *f)
{
	return fputc(c, f);
}

int
putchar(int c)
{
	return fputc(c, stdout);
}

size_t
fwrite(const void *p, size_t size, size_t n, FILE *f)
{
	const char *s = p;
	size_t total = size * n, i;

	for (i = 0; i < total; i++)
		if (__putc_buffered(s[i], f) == EOF)
			break;
	__stdio_done(f);
	return size ? i / size : 0;
}

int
fputs(const char *s, FILE *f)
{
	size_t len = strlen(s);

	return fwrite(s, 1, len, f) == len ? 0 : EOF;
}

int
puts(const char *s)
{
	if (fputs(s, stdout) == EOF)
		return EOF;
	return fputc('\n', stdout) == EOF ? EOF : 0;
}

int
fgetc(FILE *f)
{
	if (f->rpos == f->rlen) {
		ssize_t n;

		/* Show a pending prompt before waiting for input. */
		if (f == stdin)
			fflush(stdout);
		n = read(f->fd, f->buf, BUFSIZ);
		if (n <= 0) {
			f->flags |= n == 0 ? F_EOF : F_ERR;
			return EOF;
		}
		f->rpos = 0;
		f->rlen = n;
	}
	return (unsigned char)f->buf[f->rpos++];
}

int
getc(FILE *f)
{
	return fgetc(f);
}

int
getchar(void)
{
	return fgetc(stdin);
}

char *
fgets(char *buf, int size, FILE *f)
{
	int i = 0;

	if (size <= 0)
		return NULL;
	while (i < size - 1) {
		int c = fgetc(f);
		if (c == EOF)
			break;
		buf[i++] = c;
		if (c == '\n')
			break;
	}
	buf[i] = '\0';
	return i == 0 ? NULL : buf;
}

size_t
fread(void *p, size_t size, size_t n, FILE *f)
{
	char *d = p;
	size_t total = size * n, i;

	for (i = 0; i < total; i++) {
		int c = fgetc(f);
		if (c == EOF)
			break;
		d[i] = c;
	}
	return size ? i / size : 0;
}

int
feof(FILE *f)
{
	return (f->flags & F_EOF) != 0;
}

int
ferror(FILE *f)
{
	return (f->flags & F_ERR) != 0;
}

int
fileno(FILE *f)
{
	return f->fd;
}

FILE *
fdopen(int fd, const char *mode)
{
	FILE *f;
	int slot;

	for (slot = 0; slot < NSTREAM && streams[slot] != NULL; slot++)
		;
	if (slot == NSTREAM) {
		errno = EMFILE;
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->fd = fd;
	f->flags = F_MALLOC | (mode[0] == 'r' ? F_READ : F_WRITE);
	if (strchr(mode, '+') != NULL)
		f->flags |= F_READ | F_WRITE;
	streams[slot] = f;
	return f;
}

FILE *
fopen(const char *path, const char *mode)
{
	int flags, fd;
	FILE *f;

	switch (mode[0]) {
	case 'r':
		flags = O_RDONLY;
		break;
	case 'w':
		flags = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		flags = O_WRONLY | O_CREAT | O_APPEND;
		break;
	default:
		errno = EINVAL;
		return NULL;
	}
	if (strchr(mode, '+') != NULL)
		flags = (flags & ~O_ACCMODE) | O_RDWR;
	if ((fd = open(path, flags)) < 0)
		return NULL;
	if ((f = fdopen(fd, mode)) == NULL)
		close(fd);
	return f;
}

int
fclose(FILE *f)
{
	int r = fflush(f);

	if (close(f->fd) < 0)
		r = EOF;
	for (int i = 0; i < NSTREAM; i++)
		if (streams[i] == f)
			streams[i] = NULL;
	if (f->flags & F_MALLOC)
		free(f);
	return r;
}
