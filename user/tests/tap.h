/*
 * tap.h: the reporting half of aqua6's TAP test programs (systest,
 * hardtest, makecxttest, ...), in one place.
 *
 * A test program prints "1..N", then one "ok i - name" or "not ok i -
 * name" line per test, as the grader's TAP reader expects (grade/tap.py).
 * Inside a test, CHECK and EXPECT_ERR count failed checks in `failures`
 * and explain each on a "# " line; REQUIRE ends the test (returning 1)
 * when a step the rest depends on failed.  A test function returns
 * non-zero, or leaves failures > 0, to fail.
 *
 * A program that wants more done when a call that should have failed
 * succeeded (makecxttest waits for the process it made by mistake)
 * defines TAP_ON_UNEXPECTED_SUCCESS(r) before including this file.
 */
#ifndef USER_TESTS_TAP_H
#define USER_TESTS_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int failures;	/* checks failed so far in the current test */

static __attribute__((unused, format(printf, 1, 2))) void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		diag(__VA_ARGS__);					\
		failures++;						\
	}								\
} while (0)

/* Stop the test at once when a step it depends on failed. */
#define REQUIRE(cond, ...) do {						\
	if (!(cond)) {							\
		diag(__VA_ARGS__);					\
		return 1;						\
	}								\
} while (0)

#ifndef TAP_ON_UNEXPECTED_SUCCESS
#define TAP_ON_UNEXPECTED_SUCCESS(r)	((void)(r))
#endif

/* r must be -1 with errno err. */
#define EXPECT_ERR(r, err, what) do {					\
	long r_ = (long)(r);						\
	int e_ = errno;							\
	if (r_ != -1 || e_ != (err)) {					\
		diag("%s: got %ld errno %d (%s), want -1 errno %d (%s)", \
		    (what), r_, r_ == -1 ? e_ : 0,			\
		    r_ == -1 ? strerror(e_) : "none",			\
		    (err), strerror(err));				\
		failures++;						\
		if (r_ != -1)						\
			TAP_ON_UNEXPECTED_SUCCESS(r_);			\
	}								\
} while (0)

#endif
