/*
 * tapmain.h: the driver of a TAP test program made of named groups of
 * tests (makecxttest, tlstest).  Include it after tap.h.
 *
 *	prog group [test ...]	run the group's tests (or just those named)
 *	prog -l			list the groups and their tests
 *
 * The grader runs one group per boot (grade/tests/test_*.py files).  Each test runs
 * in a child process of its own, so a test that crashes or leaves the
 * process in a strange state (a new tcb, a mapping, a signal mask) cannot
 * spoil the next one; the child's exit status is the verdict: 0 passed,
 * 1 failed its checks (the "# " lines say why), anything else is
 * described.
 */
#ifndef USER_TESTS_TAPMAIN_H
#define USER_TESTS_TAPMAIN_H

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <verdict.h>

struct tap_test {
	const char	*name;
	int		(*fn)(void);	/* 0 (and no failed CHECK) = passed */
};

struct tap_group {
	const char	*name;
	const struct tap_test *tests;
	int		ntests;
};

#define TAP_GROUP(n, t)	{ n, t, sizeof(t) / sizeof((t)[0]) }
#define TAP_MAXRUN	32	/* tests in one run */

/* Run test t in a child, print its TAP line; 1 if it passed. */
static int
tap_run_test(int number, const struct tap_test *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) < 0) {
		printf("not ok %d - %s\n# fork: %s\n", number, t->name, strerror(errno));
		return 0;
	}
	if (pid == 0) {
		failures = 0;
		wait_asleep(getppid(), "wait");	/* quiet, for leak checks */
		int r = t->fn();
		fflush(stdout);
		_exit(r != 0 || failures != 0 ? 1 : 0);
	}
	status = wait_for(pid);
	if (exited_with(status, 0)) {
		printf("ok %d - %s\n", number, t->name);
		return 1;
	}
	printf("not ok %d - %s\n", number, t->name);
	if (!exited_with(status, 1))
		diag("the test process: %s", describe(status));
	return 0;
}

static int
tap_main(const char *prog, const struct tap_group *groups, int ngroups, int argc, char **argv)
{
	const struct tap_group *g = NULL;
	const struct tap_test *chosen[TAP_MAXRUN];
	int n = 0, passed = 0;

	verdict_begin(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "-l") == 0) {
		for (int i = 0; i < ngroups; i++) {
			printf("%s:", groups[i].name);
			for (int j = 0; j < groups[i].ntests; j++)
				printf(" %s", groups[i].tests[j].name);
			printf("\n");
		}
		return 0;
	}
	for (int i = 0; argc >= 2 && i < ngroups; i++)
		if (strcmp(argv[1], groups[i].name) == 0)
			g = &groups[i];
	if (g == NULL) {
		fprintf(stderr, "usage: %s group [test...]   (%s -l lists them)\n", prog, prog);
		return 2;
	}
	for (int a = 2; a < argc; a++) {
		int j;
		for (j = 0; j < g->ntests; j++)
			if (strcmp(argv[a], g->tests[j].name) == 0)
				break;
		if (j == g->ntests) {
			fprintf(stderr, "%s: group %s has no test %s\n", prog, g->name, argv[a]);
			return 2;
		}
		if (n < TAP_MAXRUN)
			chosen[n++] = &g->tests[j];
	}
	if (argc == 2)
		for (int j = 0; j < g->ntests && n < TAP_MAXRUN; j++)
			chosen[n++] = &g->tests[j];

	chdir("/");
	printf("1..%d\n", n);
	verdict_plan(n);
	for (int i = 0; i < n; i++) {
		int ok = tap_run_test(i + 1, chosen[i]);

		verdict_check(i + 1, ok);
		passed += ok;
	}
	printf("# passed %d/%d\n", passed, n);
	return passed == n ? 0 : 1;
}

#endif
