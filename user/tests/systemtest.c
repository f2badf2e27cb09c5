/*
 * systemtest: system processes (FORK_SYSTEM, kthread_create(9)) as user
 * space sees them, for the grader in TAP.
 *
 * The kernel runs at least one kernel thread, the reaper (kern/reaper.c).
 * A system process shows in procinfo(2) with PI_SYSTEM (ps(1) prints its
 * name in brackets), takes no signals (kill(2) gives EPERM) and does not
 * count against the per-user process limit.  init is protected too.
 * At the end the program runs /bin/ps, whose output the grader reads.
 */
#include <aqua/fork.h>
#include <aqua/procinfo.h>
#include <aqua/sysinfo.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <verdict.h>

#include "capture.h"

#define NPROC_PER_USER	48	/* the per-user limit, fork1(9) */
#define NCHECKS		9

static int nchecks, nfailed;

static void
ok(int cond, const char *what)
{
	nchecks++;
	if (!cond)
		nfailed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", nchecks, what);
	verdict_check(nchecks, cond);
}

/* Find a process by name; 1 and *pi if found. */
static int
find(const char *name, struct procinfo *pi)
{
	for (int slot = 0;; slot++) {
		if (procinfo(slot, pi) < 0) {
			if (errno == ESRCH)
				continue;
			return 0;
		}
		pi->name[sizeof(pi->name) - 1] = '\0';
		if (strcmp(pi->name, name) == 0 && pi->state != SZOMB && pi->state != SDEAD)
			return 1;
	}
}

/* Count the live processes with and without PI_SYSTEM. */
static void
count(int *nsys, int *nuser)
{
	struct procinfo pi;

	*nsys = *nuser = 0;
	for (int slot = 0;; slot++) {
		if (procinfo(slot, &pi) < 0) {
			if (errno == ESRCH)
				continue;
			return;
		}
		if (pi.flags & PI_SYSTEM)
			(*nsys)++;
		else
			(*nuser)++;
	}
}

static int
expect_eperm(int r, const char *what)
{
	int e = errno;

	if (r != -1 || e != EPERM) {
		printf("# %s: got %d errno %d (%s), want -1 EPERM\n", what, r,
		    r == -1 ? e : 0, r == -1 ? strerror(e) : "none");
		return 0;
	}
	return 1;
}

/*
 * Fork children that wait on a pipe until the per-user limit stops us,
 * then count who is there.  System processes are not counted, so exactly
 * NPROC_PER_USER processes without PI_SYSTEM exist at that moment.
 */
static void
t_limit(void)
{
	int fd[2], made = 0, err = 0, nsys, nuser, st;
	struct sysinfo si0, si;

	sysinfo(&si0);
	pipe(fd);
	for (int i = 0; i < 64; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			char c;
			close(fd[1]);
			read(fd[0], &c, 1);
			_exit(0);
		}
		if (pid < 0) {
			err = errno;
			break;
		}
		made++;
	}
	count(&nsys, &nuser);
	close(fd[0]);
	close(fd[1]);
	for (int i = 0; i < made; i++)
		wait(&st);
	sysinfo(&si);
	if (err != EAGAIN || nuser != NPROC_PER_USER || nsys < 1)
		printf("# forked %d, then %s; %d processes without PI_SYSTEM (want %d), %d with\n",
		    made, err ? strerror(err) : "no error", nuser, NPROC_PER_USER, nsys);
	ok(err == EAGAIN && nuser == NPROC_PER_USER && nsys >= 1,
	    "the per-user limit (EAGAIN) counts every user process and no system process");
	ok(si.nproc == si0.nproc, "after the limit test every process is gone again");
}

int
main(int argc, char **argv)
{
	struct procinfo pi, me;
	int st;

	verdict_begin(argc, argv);
	printf("1..%d\n", NCHECKS);
	verdict_plan(NCHECKS);

	int found = find("reaper", &pi);
	if (!found)
		printf("# no process named reaper\n");
	else if (!(pi.flags & PI_SYSTEM) || pi.ppid != 0)
		printf("# reaper: pid %d ppid %d flags 0x%x\n", pi.pid, pi.ppid, pi.flags);
	ok(found && (pi.flags & PI_SYSTEM) && pi.ppid == 0,
	    "the kernel thread [reaper] runs: PI_SYSTEM, a child of the kernel (ppid 0)");

	int kill9 = found && expect_eperm(kill(pi.pid, SIGKILL), "kill(reaper, SIGKILL)");
	int kill0 = found && expect_eperm(kill(pi.pid, 0), "kill(reaper, 0)");
	ok(kill9 && kill0, "kill of a system process gives EPERM (any signal)");

	struct procinfo again;
	ok(found && find("reaper", &again) && again.pid == pi.pid,
	    "the reaper is still there after the kill attempts");

	ok(expect_eperm(kill(1, SIGKILL), "kill(1, SIGKILL)") && kill(1, 0) == 0,
	    "init cannot be killed (EPERM), but kill(1, 0) finds it");

	ok(find("systemtest", &me) && !(me.flags & PI_SYSTEM),
	    "a user process is not a system process");

	t_limit();

	/* ps shows the system processes in brackets: "  2  0  sleep  [reaper]". */
	static char out[4096];
	char *psargv[] = { "ps", NULL };
	int shown = 0;

	st = capture("/bin/ps", psargv, out, sizeof(out), NULL);
	for (char *line = out, *next; line != NULL; line = next) {
		char w[6][32];

		next = cut_line(line);
		if (words(line, w, 6) == 4 && is_number(w[0]) && strcmp(w[1], "0") == 0 &&
		    strcmp(w[3], "[reaper]") == 0)
			shown = 1;
	}
	ok(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 && shown,
	    "/bin/ps runs and shows the reaper as a system process: PID, PPID 0, STATE, [reaper]");

	pid_t pid;

	/* The reaper does its job: a FORK_NOZOMBIE child's slot comes back. */
	struct sysinfo si0, si;
	sysinfo(&si0);
	pid = fork();
	if (pid == 0) {
		pid_t c = rfork1(FORK_FORK | FORK_NOZOMBIE);
		_exit(c < 0);
	}
	waitpid(pid, &st, 0);
	for (int i = 0; i < 1000; i++) {
		sysinfo(&si);
		if (si.nproc == si0.nproc)
			break;
		msleep(10);
	}
	ok(WEXITSTATUS(st) == 0 && si.nproc == si0.nproc,
	    "a FORK_NOZOMBIE process's slot is freed (by the reaper)");
	return nfailed != 0;
}
