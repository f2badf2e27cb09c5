/*
 * Signed verdicts: how a graded run's result reaches the grader without
 * the kernel being able to change it by editing console output.
 *
 * For every graded boot the grader writes a fresh random key and nonce
 * into /etc/verdict on that boot's copy of the disk image.  A test
 * program calls verdict_begin() first thing in main, records each TAP
 * check with verdict_plan() and verdict_check(), and when it exits the
 * C library prints one line
 *
 *	# verdict 12 ......F..... exit 1 hmac 3f0c...
 *
 * (one letter per check: '.' passed, 'F' failed, '?' never reported),
 * signed with HMAC-SHA256 over the nonce, the program's argv, the
 * letters and the exit status.  The grader recomputes it; a line that is
 * missing, signed with another run's key, or changed fails the test.  init
 * signs the exit status it got and its leak-check counts the same way.
 *
 * Without a key (a boot by hand, `make qemu`) nothing is printed.  The
 * message format is mirrored in grade/verdict.py: change both together.
 */
#ifndef _VERDICT_H
#define _VERDICT_H

#define VERDICT_PATH	"/etc/verdict"
#define VERDICT_MAXCHECKS 512	/* checks one program can report */

/*
 * Read the key and remember argv as what is signed; the signed line is
 * printed when this process calls exit() (or returns from main).  Returns
 * 1 if there is a key, 0 if not.  Forked children never print one.
 */
int	verdict_begin(int argc, char **argv);

void	verdict_plan(int nchecks);		/* "1..N" */
void	verdict_check(int number, int ok);	/* "ok N" / "not ok N" */

/*
 * For init: sign summary ("exit 0 leak 61234 61234 2 2 1 1") for the
 * program of verdict_begin()'s argv and print "init: verdict <summary>
 * hmac <hex>".  Does nothing without a key.
 */
void	verdict_sign_init(const char *summary);

#endif
