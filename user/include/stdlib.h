/* General utilities: memory, numbers, process exit. */
#ifndef _STDLIB_H
#define _STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS	0
#define EXIT_FAILURE	1

void	*malloc(size_t n);
void	 free(void *p);
void	*calloc(size_t count, size_t size);
void	*realloc(void *p, size_t n);

int	 atoi(const char *s);
long	 atol(const char *s);
long	 strtol(const char *s, char **end, int base);
unsigned long strtoul(const char *s, char **end, int base);
int	 abs(int x);
long	 labs(long x);

void	 exit(int status) __attribute__((noreturn));
void	 _Exit(int status) __attribute__((noreturn));
void	 abort(void) __attribute__((noreturn));
int	 atexit(void (*fn)(void));

#endif
