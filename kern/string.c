/*
 * The few C string and memory functions the kernel needs.  The kernel is
 * built freestanding (-fno-builtin), so nothing comes from a C library and
 * the compiler may still emit calls to memset/memcpy for struct copies:
 * these definitions satisfy them.
 */
#include "systm.h"

/*
 * Zeroing and copying pages is most of what fork, exec and a
 * copy-on-write fault do, and under QEMU each guest instruction costs
 * time: when the pointers are 8-byte aligned, move 8 bytes per store
 * and 32 per turn of the loop, then finish byte by byte.  GCC must not
 * turn these loops back into calls to memset/memcpy (that would be
 * these very functions).
 */
#define NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALL void *
memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (((uintptr_t)d & 7) == 0 && n >= 32) {
		uint64_t w = (unsigned char)c * 0x0101010101010101ULL;
		uint64_t *q = (uint64_t *)d;
		for (; n >= 32; n -= 32, q += 4) {
			q[0] = w;
			q[1] = w;
			q[2] = w;
			q[3] = w;
		}
		d = (unsigned char *)q;
	}
	while (n-- > 0)
		*d++ = (unsigned char)c;
	return dst;
}

void *
memcpy(void *dst, const void *src, size_t n)
{
	return memmove(dst, src, n);
}

/* Copy forwards, or backwards when dst overlaps the end of src. */
NO_LIBCALL void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (s < d && s + n > d) {
		while (n-- > 0)
			d[n] = s[n];
		return dst;
	}
	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0 && n >= 32) {
		uint64_t *q = (uint64_t *)d;
		const uint64_t *p = (const uint64_t *)s;
		for (; n >= 32; n -= 32, q += 4, p += 4) {
			q[0] = p[0];
			q[1] = p[1];
			q[2] = p[2];
			q[3] = p[3];
		}
		d = (unsigned char *)q;
		s = (const unsigned char *)p;
	}
	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n > 0; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t
strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

size_t
strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

int
strcmp(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int
strncmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (*a == '\0')
			return 0;
	}
	return 0;
}

/*
 * OpenBSD's strlcpy: always NUL-terminates (when n > 0) and returns
 * strlen(src), so a caller detects truncation with "ret >= n".
 */
size_t
strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n > 0) {
		size_t k = len < n - 1 ? len : n - 1;
		memmove(dst, src, k);
		dst[k] = '\0';
	}
	return len;
}
