/*
 * Standard I/O: buffered streams over file descriptors, and printf.
 *
 * stdout is line buffered when it is the console and fully buffered
 * otherwise; stderr is unbuffered.  exit() flushes every stream.
 */
#ifndef _STDIO_H
#define _STDIO_H

#include <stddef.h>
#include <stdarg.h>
#include <sys/types.h>

#define EOF		(-1)
#define BUFSIZ		512

typedef struct __file FILE;

extern FILE	*stdin;
extern FILE	*stdout;
extern FILE	*stderr;

FILE	*fdopen(int fd, const char *mode);
FILE	*fopen(const char *path, const char *mode);
int	 fclose(FILE *f);
int	 fflush(FILE *f);		/* NULL flushes every stream */
int	 fileno(FILE *f);
int	 feof(FILE *f);
int	 ferror(FILE *f);

int	 fputc(int c, FILE *f);
int	 putc(int c, FILE *f);
int	 putchar(int c);
int	 fputs(const char *s, FILE *f);
int	 puts(const char *s);
size_t	 fwrite(const void *p, size_t size, size_t n, FILE *f);

int	 fgetc(FILE *f);
int	 getc(FILE *f);
int	 getchar(void);
char	*fgets(char *buf, int size, FILE *f);
size_t	 fread(void *p, size_t size, size_t n, FILE *f);

int	 printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	 fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int	 dprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int	 sprintf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int	 snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int	 vprintf(const char *fmt, va_list ap);
int	 vfprintf(FILE *f, const char *fmt, va_list ap);
int	 vdprintf(int fd, const char *fmt, va_list ap);
int	 vsprintf(char *buf, const char *fmt, va_list ap);
int	 vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

void	 perror(const char *s);

/* The program name perror() prints: argv[0] without its directory. */
const char *getprogname(void);

#endif
