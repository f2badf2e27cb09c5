/* assert(): print the failed expression and its place, then abort(). */
#ifndef _ASSERT_H
#define _ASSERT_H

void	__assert_fail(const char *expr, const char *file, int line, const char *func)
	    __attribute__((noreturn));

#endif

/* Outside the include guard on purpose: NDEBUG may change between includes. */
#undef assert
#ifdef NDEBUG
#define assert(e)	((void)0)
#else
#define assert(e)	((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__, __func__))
#endif
