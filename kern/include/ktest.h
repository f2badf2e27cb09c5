/*
 * Kernel self-tests (ktest(2)), kern/ktest/: the reporting half
 * (report.c) and the groups.  A group prints TAP through ktest_check();
 * its nchecks must be exact, and every check gives the reason a failure
 * prints.
 */
#ifndef KERN_KTEST_H
#define KERN_KTEST_H

struct proc;

/*
 * One TAP check; when it fails, why (a printf format and its arguments:
 * what was expected, what was found) is printed on a "# " line first.
 */
void	ktest_check(int ok, const char *what, const char *why, ...)
	    __attribute__((format(printf, 3, 4)));
void	ktest_skip(int n, const char *why);	/* n checks that could not run: failed */
void	ktest_begin(int plan);			/* "1..plan" */
int	ktest_end(int plan);			/* failed checks (+1 if not plan ran) */

struct ktest_group {
	const char *name;
	int	nchecks;
	void	(*run)(struct proc *p);	/* p: the process that called ktest(2) */
};

/* kern/ktest/ktest_race.c: the race checker's own test (it panics). */
void	ktest_race(struct proc *p);

/* kern/ktest/ktest_fork1.c: the fork1 lab stages' groups, run by name only. */
const struct ktest_group *ktest_lab_group(const char *name);
/* ... and ktest idle-twice, which panics on purpose (ktest.panic=1 only). */
void	ktest_idle_twice(struct proc *p);

#endif
