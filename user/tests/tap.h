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

#include <aqua/procinfo.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfind.h"

static int failures __attribute__((unused));	/* checks failed so far in the current test */

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

/* ---- child processes ---------------------------------------------------- */

/* waitpid(pid)'s status for a child we made; -1 if there is none to have. */
static __attribute__((unused)) int
wait_for(pid_t pid)
{
	int status;

	if (pid <= 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* Did a status from wait_for() say exit(code)? */
static __attribute__((unused)) int
exited_with(int status, int code)
{
	return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == (code & 0xff);
}

/* A status from wait_for(), in words for a diag() line. */
static __attribute__((unused)) const char *
describe(int status)
{
	static char buf[64];

	if (status == -1)
		return "fork or wait failed";
	if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, sizeof(buf), "exit status %d", WEXITSTATUS(status));
	return buf;
}

/*
 * Wait until process pid sleeps with wait message wmesg (or is gone).
 *
 * Leak checks compare the system-wide free page count, so the processes
 * that share pages with a test must be asleep before it samples.  A
 * harness forks a test child and then calls waitpid; on a loaded host the
 * parent can be slow to get there, and on its way it takes copy-on-write
 * faults and (systest) forks a watchdog: pages that the child's leak check
 * would count as its own.  Once the parent sleeps in "wait" (and the
 * watchdog in "msleep") neither allocates until the test is over.  This is
 * a state to reach, not a time to wait: the harness's time-out bounds it.
 */
static __attribute__((unused)) void
wait_asleep(pid_t pid, const char *wmesg)
{
	struct procinfo pi;

	while (proc_find(pid, &pi) && !(pi.state == SSLEEP && strcmp(pi.wmesg, wmesg) == 0))
		msleep(1);
}

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
