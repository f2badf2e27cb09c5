/*
 * malloc and free on sbrk.
 *
 * The heap is a chain of blocks, each starting with a header that gives
 * its size.  Free blocks are kept on a list in address order, so free()
 * can merge a block with free neighbours and the heap does not splinter.
 * Memory is never given back to the kernel.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <errno.h>

/* 16 bytes: keeps every returned pointer 16-byte aligned, as the ABIs want. */
struct block {
	size_t	size;		/* bytes, header included; multiple of ALIGN */
	struct block *next;	/* next free block by address (free blocks only) */
};

#define ALIGN		16
#define MINGROW		(16 * 1024)	/* ask the kernel for at least this much */

static struct block *freelist;

/* Put b on the free list, merging it with its neighbours where they touch. */
static void
release(struct block *b)
{
	struct block *prev = NULL, *cur = freelist;

	while (cur != NULL && cur < b) {
		prev = cur;
		cur = cur->next;
	}
	b->next = cur;
	if (cur != NULL && (char *)b + b->size == (char *)cur) {
		b->size += cur->size;
		b->next = cur->next;
	}
	if (prev == NULL) {
		freelist = b;
	} else {
		prev->next = b;
		if ((char *)prev + prev->size == (char *)b) {
			prev->size += b->size;
			prev->next = b->next;
		}
	}
}

static int
grow(size_t need)
{
	size_t n = need < MINGROW ? MINGROW : need;
	char *p = sbrk(n);
	struct block *b;

	if (p == (char *)-1)
		return -1;
	/* sbrk may hand out an unaligned break the first time: skip the slack. */
	b = (struct block *)(((uintptr_t)p + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1));
	b->size = (n - ((char *)b - p)) & ~(size_t)(ALIGN - 1);
	if (b->size < need)
		return -1;
	release(b);
	return 0;
}

void *
malloc(size_t n)
{
	struct block *prev, *b;
	size_t need;

	if (n > SIZE_MAX / 2) {
		errno = ENOMEM;
		return NULL;
	}
	need = (n + sizeof(struct block) + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	for (;;) {
		for (prev = NULL, b = freelist; b != NULL; prev = b, b = b->next) {
			if (b->size < need)
				continue;
			if (b->size - need >= 2 * ALIGN) {
				/* Split: hand out the tail, keep the head on the list. */
				b->size -= need;
				b = (struct block *)((char *)b + b->size);
				b->size = need;
			} else if (prev == NULL) {
				freelist = b->next;
			} else {
				prev->next = b->next;
			}
			return b + 1;
		}
		if (grow(need) < 0) {
			errno = ENOMEM;
			return NULL;
		}
	}
}

void
free(void *p)
{
	if (p != NULL)
		release((struct block *)p - 1);
}

void *
calloc(size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / 2 / size) {
		errno = ENOMEM;
		return NULL;
	}
	if ((p = malloc(count * size)) != NULL)
		memset(p, 0, count * size);
	return p;
}

void *
realloc(void *old, size_t n)
{
	struct block *b;
	void *p;

	if (old == NULL)
		return malloc(n);
	b = (struct block *)old - 1;
	if (b->size - sizeof(struct block) >= n)
		return old;
	if ((p = malloc(n)) == NULL)
		return NULL;
	memcpy(p, old, b->size - sizeof(struct block));
	free(old);
	return p;
}
