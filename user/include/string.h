/* Strings and memory blocks. */
#ifndef _STRING_H
#define _STRING_H

#include <stddef.h>

void	*memset(void *dst, int c, size_t n);
void	*memcpy(void *dst, const void *src, size_t n);
void	*memmove(void *dst, const void *src, size_t n);
int	 memcmp(const void *a, const void *b, size_t n);
void	*memchr(const void *s, int c, size_t n);
size_t	 strlen(const char *s);
size_t	 strnlen(const char *s, size_t max);
char	*strcpy(char *dst, const char *src);
char	*strncpy(char *dst, const char *src, size_t n);
size_t	 strlcpy(char *dst, const char *src, size_t size);
size_t	 strlcat(char *dst, const char *src, size_t size);
char	*strcat(char *dst, const char *src);
int	 strcmp(const char *a, const char *b);
int	 strncmp(const char *a, const char *b, size_t n);
char	*strchr(const char *s, int c);
char	*strrchr(const char *s, int c);
char	*strstr(const char *hay, const char *needle);
char	*strdup(const char *s);
char	*strerror(int err);

#endif
