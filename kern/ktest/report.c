/*
 * The reporting half of the kernel self-tests (ktest(2)): TAP lines and
 * their count, for the groups of kern/ktest/ktest.c and
 * kern/ktest/ktest_fork1.c alike.  ktest_run() serializes the calls.
 */
#include "systm.h"
#include "ktest.h"

static int test_no, test_failed;

/* The plan line; the count starts again. */
void
ktest_begin(int plan)
{
	test_no = test_failed = 0;
	printf("1..%d\n", plan);
}

/* The number of failed checks; a group that ran more or fewer than planned fails too. */
int
ktest_end(int plan)
{
	if (test_no != plan) {
		printf("# ktest: planned %d checks, ran %d\n", plan, test_no);
		test_failed++;
	}
	return test_failed;
}

/*
 * One TAP check.  A failed check also says why: why is a printf format
 * for what was expected and what was found, printed as a "# " line before
 * the "not ok" line, as the user test programs do (user/tests/tap.h), so
 * the grader shows it as that check's "got:".  There is no check without
 * a reason: a bare "not ok" leaves a student to guess.
 */
void
ktest_check(int ok, const char *what, const char *why, ...)
{
	va_list ap;

	test_no++;
	if (!ok) {
		test_failed++;
		printf("# ");
		va_start(ap, why);
		vprintf(why, ap);
		va_end(ap);
		printf("\n");
	}
	printf("%sok %d - %s\n", ok ? "" : "not ", test_no, what);
}

/* n checks that cannot run because an earlier step failed: all fail. */
void
ktest_skip(int n, const char *why)
{
	while (n-- > 0)
		ktest_check(0, why, "not run, as a step it depends on failed (see the check above)");
}
