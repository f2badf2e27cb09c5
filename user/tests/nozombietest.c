/*
 * nozombietest: FORK_NOZOMBIE through rfork1(2), for the grader in TAP.
 *
 * A FORK_NOZOMBIE child leaves no status: waitpid(2) does not count it
 * (ECHILD if it was the only child), it never shows as a zombie, and its
 * process slot is free again as soon as it has exited (sysinfo(2) nproc,
 * procinfo(2)).
 *
 * Children block on a pipe until the parent lets them go, so the parent
 * always knows whether a child can have exited.  A freed slot is polled
 * for (up to 10 s: only a failing kernel waits that long).
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

#include "procfind.h"	/* state_of */

#define NOZ	(FORK_FORK | FORK_NOZOMBIE)
#define NCHECKS	9
#define POLLS	1000		/* of 10 ms: 10 s */
#define MANY	128		/* twice the process table */

static int nchecks, nfailed;
static int polls = POLLS;	/* cut short once a kernel was seen keeping zombies */

static void
ok(int cond, const char *what)
{
	nchecks++;
	if (!cond)
		nfailed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", nchecks, what);
	verdict_check(nchecks, cond);
}


static int
nproc(void)
{
	struct sysinfo si;

	sysinfo(&si);
	return si.nproc;
}

/*
 * Poll until pid has no slot and nproc is back to n0.  1 if so; 0 with
 * *zombie set if pid is seen as a zombie on the way: a zombie keeps its
 * slot until it is waited for, so there is no point in waiting longer.
 */
static int
slot_freed(pid_t pid, int n0, int *zombie)
{
	for (int i = 0; i < polls; i++) {
		int st = state_of(pid);
		if (st == SZOMB) {
			*zombie = 1;
			break;
		}
		if (st == 0 && nproc() == n0)
			return 1;
		msleep(10);
	}
	polls = 20;		/* the check failed: later ones need not wait long */
	return 0;
}

/* A child that waits for a byte (or end of file) on fd, then exits with code. */
static pid_t
spawn(int flags, int fd[2], int code)
{
	pid_t pid = rfork1(flags);

	if (pid == 0) {
		char c;
		/* Keep only our end: a pipe end inherited from a sibling's
		 * setup would keep that sibling waiting. */
		for (int i = 3; i < NOFILE; i++)
			if (i != fd[0])
				close(i);
		read(fd[0], &c, 1);
		_exit(code);
	}
	return pid;
}

/* In case the kernel made a zombie after all: collect it, so later checks start clean. */
static void
cleanup(pid_t pid)
{
	int st;

	if (pid > 0)
		waitpid(pid, &st, WNOHANG);
}

/* 1-3: the only child, a FORK_NOZOMBIE one. */
static void
t_only_child(void)
{
	int fd[2], st, n0 = nproc(), zombie = 0;

	pipe(fd);
	pid_t pid = spawn(NOZ, fd, 5);
	/* It is alive (waiting for us): wait must not count it all the same. */
	errno = 0;
	pid_t r1 = waitpid(-1, &st, WNOHANG);
	int e1 = errno;
	errno = 0;
	pid_t r2 = waitpid(pid, &st, WNOHANG);
	int e2 = errno;
	if (r1 != -1 || e1 != ECHILD || r2 != -1 || e2 != ECHILD)
		printf("# waitpid(-1, WNOHANG) = %d errno %d, waitpid(%d, WNOHANG) = %d errno %d; want -1 ECHILD (%d)\n",
		    r1, e1, pid, r2, e2, ECHILD);
	ok(pid > 0 && r1 == -1 && e1 == ECHILD, "waitpid(-1) gives ECHILD: the only child is FORK_NOZOMBIE");
	ok(pid > 0 && r2 == -1 && e2 == ECHILD, "waitpid(pid) of the FORK_NOZOMBIE child gives ECHILD");

	/* Let it go; it must vanish without a trace. */
	close(fd[0]);
	close(fd[1]);
	int freed = pid > 0 && slot_freed(pid, n0, &zombie);
	errno = 0;
	pid_t r3 = waitpid(-1, &st, WNOHANG);
	int e3 = errno;
	if (!freed || zombie || r3 != -1)
		printf("# slot %s, seen as a zombie: %s, then waitpid(-1, WNOHANG) = %d errno %d\n",
		    freed ? "freed" : zombie ? "kept by the zombie" : "still in use after 10 s",
		    zombie ? "yes" : "no", r3, e3);
	ok(freed && !zombie && r3 == -1 && e3 == ECHILD,
	    "when it exits: never a zombie, slot freed, still nothing for wait");
	cleanup(pid);
}

/* 4. A normal child and a FORK_NOZOMBIE one: wait sees only the normal one. */
static void
t_mixed(void)
{
	int fd[2], st = 0, n0 = nproc(), zombie = 0;

	pipe(fd);
	pid_t normal = spawn(FORK_FORK, fd, 6);
	pid_t noz = spawn(NOZ, fd, 7);
	close(fd[0]);
	close(fd[1]);			/* both may exit now */
	pid_t r1 = waitpid(-1, &st, 0);
	int st1 = st;
	errno = 0;
	pid_t r2 = waitpid(-1, &st, 0);
	int e2 = errno;
	int freed = noz > 0 && slot_freed(noz, n0, &zombie);
	if (r1 != normal || r2 != -1)
		printf("# normal child %d, FORK_NOZOMBIE child %d; wait gave %d, then %d (errno %d)\n",
		    normal, noz, r1, r2, e2);
	ok(normal > 0 && noz > 0 && r1 == normal && WEXITSTATUS(st1) == 6 && r2 == -1 &&
	    e2 == ECHILD && freed && !zombie,
	    "with a normal and a FORK_NOZOMBIE child, wait collects the normal one, then ECHILD");
	cleanup(noz);
	cleanup(r2);
}

/* 5. Killed, it leaves no zombie either. */
static void
t_killed(void)
{
	int fd[2], st, n0 = nproc(), zombie = 0;

	pipe(fd);
	pid_t pid = spawn(NOZ, fd, 8);
	int k = pid > 0 ? kill(pid, SIGKILL) : -1;
	int freed = pid > 0 && slot_freed(pid, n0, &zombie);
	errno = 0;
	pid_t r = waitpid(-1, &st, WNOHANG);
	ok(k == 0 && freed && !zombie && r == -1 && errno == ECHILD,
	    "a killed FORK_NOZOMBIE child leaves no zombie and no status");
	close(fd[0]);
	close(fd[1]);
	cleanup(pid);
}

/* 6. Its exit does not wake or disturb a parent waiting for another child. */
static void
t_wait_other(void)
{
	int fd[2], other[2], st = 0;

	pipe(fd);
	pipe(other);
	pid_t noz = spawn(NOZ, fd, 9);
	pid_t normal = spawn(FORK_FORK, other, 10);
	close(fd[0]);
	close(fd[1]);			/* the FORK_NOZOMBIE child exits first... */
	pid_t killer = fork();
	if (killer == 0) {
		/* ...the normal one once the FORK_NOZOMBIE child has exited. */
		for (int i = 0; i < polls && state_of(noz) != 0 && state_of(noz) != SZOMB; i++)
			msleep(10);
		close(other[0]);
		close(other[1]);
		_exit(0);
	}
	close(other[0]);
	close(other[1]);
	pid_t r = waitpid(normal, &st, 0);
	ok(noz > 0 && r == normal && WEXITSTATUS(st) == 10,
	    "waitpid(pid) of a normal child is not disturbed by a FORK_NOZOMBIE sibling's exit");
	waitpid(killer, &st, 0);
	cleanup(noz);
}

/* 7. One after another, more FORK_NOZOMBIE children than the table has slots. */
static void
t_many(void)
{
	int n0 = nproc(), made = 0, zombie = 0, err = 0;

	for (int i = 0; i < MANY; i++) {
		pid_t pid = rfork1(NOZ);
		if (pid == 0)
			_exit(0);
		if (pid < 0) {
			err = errno;
			break;
		}
		if (!slot_freed(pid, n0, &zombie))
			break;
		made++;
	}
	if (made != MANY)
		printf("# %d children made and gone; then %s\n", made,
		    err ? strerror(err) : zombie ? "one was a zombie" : "a slot was not freed within 10 s");
	ok(made == MANY && !zombie,
	    "128 FORK_NOZOMBIE children in a row (twice the table): every slot is freed again");
	/* Collect whatever the kernel kept (only when it is wrong). */
	int st;
	while (waitpid(-1, &st, WNOHANG) > 0)
		;
}

/* 8. FORK_NOZOMBIE is about the status only: the child runs like any other. */
static void
t_runs(void)
{
	int fd[2], n0 = nproc(), zombie = 0;
	char buf[8] = { 0 };

	pipe(fd);
	pid_t pid = rfork1(NOZ);
	if (pid == 0) {
		close(fd[0]);
		write(fd[1], "hi", 2);
		_exit(0);
	}
	close(fd[1]);
	int n = read(fd[0], buf, sizeof(buf));
	close(fd[0]);
	ok(pid > 0 && n == 2 && strcmp(buf, "hi") == 0,
	    "a FORK_NOZOMBIE child runs and shares open files like any child");
	slot_freed(pid, n0, &zombie);
	cleanup(pid);
}

int
main(int argc, char **argv)
{
	struct sysinfo si0, si;

	verdict_begin(argc, argv);
	printf("1..%d\n", NCHECKS);
	verdict_plan(NCHECKS);
	sysinfo(&si0);
	t_only_child();
	t_mixed();
	t_killed();
	t_wait_other();
	t_many();
	t_runs();

	/* 9. Nothing leaks. */
	for (int i = 0; i < polls; i++) {
		sysinfo(&si);
		if (si.nproc == si0.nproc && si.nfile == si0.nfile)
			break;
		msleep(10);
	}
	if (si.nproc != si0.nproc || si.nfile != si0.nfile)
		printf("# nproc %d -> %d, nfile %d -> %d\n", si0.nproc, si.nproc, si0.nfile, si.nfile);
	ok(si.nproc == si0.nproc && si.nfile == si0.nfile,
	    "afterwards every process slot and open file is back");
	return nfailed != 0;
}
