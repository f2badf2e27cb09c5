/*
 * ppwaittest: FORK_PPWAIT (vfork(2), rfork1(2)) for the grader, in TAP.
 *
 *	ppwaittest			every check
 *	ppwaittest execchild FD PATH	(internal) what a vfork child execs
 *	ppwaittest nested		(internal) an exec'd child that vforks
 *
 * No check depends on speed.  A child that must not finish before its
 * parent has had the chance to go on first waits until the parent is
 * asleep (seen with procinfo(2)): with FORK_PPWAIT the parent sleeps in
 * vfork(), without it the parent runs on and looks before the child has
 * done anything.  Every poll gives up after 30 s, which only a broken
 * kernel reaches, so a failure is a "not ok", not a hang.
 */
#include <aqua/fork.h>
#include <aqua/procinfo.h>
#include <aqua/sysinfo.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <verdict.h>

#include "procfind.h"	/* state_of */

#define POLLS	3000		/* of 10 ms: 30 s */
#define NCHECKS	10

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


/* A child of parent other than not_this one, or 0. */
static pid_t
child_of(pid_t parent, pid_t not_this)
{
	struct procinfo pi;

	for (int slot = 0;; slot++) {
		if (procinfo(slot, &pi) < 0) {
			if (errno == ESRCH)
				continue;
			return 0;
		}
		if (pi.ppid == parent && pi.pid != not_this && pi.state != SZOMB)
			return pi.pid;
	}
}

/*
 * Wait until pid sleeps (a FORK_PPWAIT parent sleeps in vfork), or never
 * can: it is a zombie or gone (a parent that did not wait).
 */
static void
wait_asleep(pid_t pid)
{
	for (int i = 0; i < POLLS; i++) {
		int st = state_of(pid);
		if (st == SSLEEP || st == SZOMB || st == 0)
			return;
		msleep(10);
	}
}

static long
fsize(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -1;
	return (long)st.size;
}

static int
logfile(const char *path)
{
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC);

	if (fd < 0) {
		printf("Bail out! open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

/* Collect pid if the quick look did not (the check already failed). */
static void
reap(pid_t pid, int r)
{
	int st;

	if (pid > 0 && r != pid)
		waitpid(pid, &st, 0);
}

/*
 * 1, 2. The child works (three writes with naps in between) and exits; the
 * parent must find all of it done, and the child exited, the moment it
 * resumes.  Once with vfork(), once with rfork1(FORK_PPWAIT).
 */
static void
t_exit(int use_rfork1)
{
	int fd = logfile("ppw.exit"), st = 0;
	pid_t me = getpid();
	pid_t pid = use_rfork1 ? rfork1(FORK_FORK | FORK_PPWAIT) : vfork();

	if (pid == 0) {
		wait_asleep(me);
		write(fd, "a", 1);
		msleep(20);
		write(fd, "b", 1);
		msleep(20);
		write(fd, "c", 1);
		_exit(3);
	}
	/* Look at once, before anything can sleep. */
	long size = fsize(fd);
	pid_t r = pid > 0 ? waitpid(pid, &st, WNOHANG) : -1;
	if (pid < 0 || size != 3 || r != pid)
		printf("# fork: %d, log %ld bytes (want 3), waitpid WNOHANG %d (want %d)\n",
		    pid, size, r, pid);
	ok(pid > 0 && size == 3 && r == pid && WIFEXITED(st) && WEXITSTATUS(st) == 3,
	    use_rfork1 ? "rfork1(FORK_PPWAIT): the parent resumes only after the child's work and exit"
	    : "vfork: the parent resumes only after the child's work and exit");
	reap(pid, r);
	close(fd);
}

/*
 * 3. Without FORK_PPWAIT the parent does not wait: the child waits for
 * the parent to sleep, so it must still be there when the parent looks.
 */
static void
t_nowait(void)
{
	int st = 0;
	pid_t me = getpid();
	pid_t pid = rfork1(FORK_FORK);

	if (pid == 0) {
		wait_asleep(me);
		_exit(0);
	}
	pid_t r = pid > 0 ? waitpid(pid, &st, WNOHANG) : -1;
	ok(pid > 0 && r == 0, "rfork1 without FORK_PPWAIT: the parent does not wait");
	reap(pid, r);
}

/*
 * 4. A vfork child killed while the parent waits releases the parent.
 * The child blocks for ever on an empty pipe; a watchdog process kills it
 * once both the child and the parent are asleep (and the child has logged
 * that it started).
 */
static void
t_killed(void)
{
	int fd = logfile("ppw.kill"), never[2], st = 0;
	pid_t me = getpid();

	if (pipe(never) < 0) {
		ok(0, "a killed vfork child releases its parent (pipe failed)");
		return;
	}
	pid_t dog = fork();
	if (dog == 0) {
		for (int i = 0; i < POLLS; i++) {
			pid_t c = child_of(me, getpid());
			if (c > 0 && fsize(fd) >= 1 && state_of(c) == SSLEEP &&
			    state_of(me) == SSLEEP) {
				kill(c, SIGKILL);
				_exit(0);
			}
			msleep(10);
		}
		_exit(1);
	}
	pid_t pid = vfork();
	if (pid == 0) {
		char c;
		write(fd, "k", 1);
		read(never[0], &c, 1);		/* until killed */
		_exit(0);
	}
	long size = fsize(fd);
	pid_t r = pid > 0 ? waitpid(pid, &st, WNOHANG) : -1;
	if (r != pid || size != 1)
		printf("# log %ld bytes (want 1), waitpid WNOHANG %d (want %d)\n", size, r, pid);
	ok(pid > 0 && r == pid && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && size == 1,
	    "a vfork child killed while the parent waits releases the parent");
	reap(pid, r);
	kill(dog, SIGKILL);	/* done if the parent waited; else still looking */
	waitpid(dog, &st, 0);
	close(never[0]);
	close(never[1]);
	close(fd);
}

/*
 * 5, 6. exec releases the parent while the child keeps running: the
 * exec'd program waits for a 'G' that the parent writes only after it
 * resumed.
 */
static void
t_exec(void)
{
	int fd = logfile("ppw.exec"), st = 0;
	char fdstr[16];

	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	pid_t pid = vfork();
	if (pid == 0) {
		char *argv[] = { "ppwaittest", "execchild", fdstr, "ppw.exec", NULL };
		wait_asleep(getppid());
		write(fd, "x", 1);
		exec("/bin/ppwaittest", argv);
		_exit(127);
	}
	long size = fsize(fd);
	pid_t r = pid > 0 ? waitpid(pid, &st, WNOHANG) : -1;
	if (size < 1 || r != 0)
		printf("# log %ld bytes (want >= 1), waitpid WNOHANG %d (want 0)\n", size, r);
	ok(pid > 0 && size >= 1 && r == 0,
	    "exec releases the parent, and the exec'd child keeps running");
	write(fd, "G", 1);
	if (r != pid && pid > 0)
		waitpid(pid, &st, 0);
	ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the exec'd child saw the parent go on, and ended normally");
	close(fd);
}

/* The exec'd program of t_exec: log 'y', wait for the parent's 'G'. */
static int
execchild(int fd, const char *path)
{
	char buf[64];

	write(fd, "y", 1);
	for (int i = 0; i < POLLS; i++) {
		int rfd = open(path, O_RDONLY);
		int n = rfd >= 0 ? read(rfd, buf, sizeof(buf)) : -1;
		if (rfd >= 0)
			close(rfd);
		if (n > 0 && memchr(buf, 'G', n) != NULL)
			return 0;
		msleep(10);
	}
	return 2;			/* the parent never went on */
}

/*
 * 7. A vfork child execs a program that vforks again: the first parent is
 * released at the exec, the program waits for its own child; no deadlock.
 */
static void
t_nested(void)
{
	int st = 0;
	pid_t pid = vfork();

	if (pid == 0) {
		char *argv[] = { "ppwaittest", "nested", NULL };
		exec("/bin/ppwaittest", argv);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
	if (pid < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("# the exec'd program: exit status %d (1: its own vfork did not wait)\n",
		    WEXITSTATUS(st));
	ok(pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "a vfork child execs a program that vforks: each parent waits for its own child");
}

static int
nested(void)
{
	int fd = logfile("ppw.nest"), st = 0;
	pid_t me = getpid();
	pid_t g = vfork();

	if (g == 0) {
		wait_asleep(me);
		write(fd, "n", 1);
		_exit(0);
	}
	long size = fsize(fd);
	pid_t r = g > 0 ? waitpid(g, &st, WNOHANG) : -1;
	reap(g, r);
	return g > 0 && size == 1 && r == g ? 0 : 1;
}

/*
 * 8. A vfork parent that is killed while it waits goes on waiting.  The
 * kill ends its sleep (a fatal signal wakes a sleeping process so that it
 * can die), but the child has neither exited nor exec'd: fork1 must test
 * its condition again and go back to sleep, and die only once the child
 * lets it go.  The test forks a parent P that vforks C; C waits until P
 * sleeps, kills it, then waits until P is asleep in the same place again
 * (right) or has exited (it returned from vfork early and died), and
 * writes its pid and 'S' or 'E' to the log before it exits.  Both are events: no
 * check depends on speed.
 */
static void
t_killed_parent(void)
{
	int fd = logfile("ppw.kpar"), st = 0;
	char got = 0;
	pid_t pid = fork();

	if (pid == 0) {
		pid_t me = getpid();
		pid_t c = vfork();
		if (c == 0) {
			struct procinfo pi;
			char wmesg[sizeof(pi.wmesg)];
			char verdict = '?';

			wait_asleep(me);
			if (proc_find(me, &pi) && pi.state == SSLEEP) {
				memcpy(wmesg, pi.wmesg, sizeof(wmesg));
				kill(me, SIGKILL);
				for (int i = 0; i < POLLS; i++) {
					if (getppid() != me || !proc_find(me, &pi) ||
					    pi.state == SZOMB) {
						verdict = 'E';
						break;
					}
					if (pi.state == SSLEEP &&
					    strncmp(pi.wmesg, wmesg, sizeof(wmesg)) == 0) {
						verdict = 'S';
						break;
					}
					msleep(10);
				}
			}
			pid_t self = getpid();
			write(fd, &self, sizeof(self));
			write(fd, &verdict, 1);
			_exit(0);
		}
		_exit(c < 0 ? 2 : 0);	/* not reached when the kill works */
	}
	pid_t c = 0;
	if (pid > 0)
		waitpid(pid, &st, 0);
	lseek(fd, 0, SEEK_SET);
	if (read(fd, &c, sizeof(c)) != sizeof(c) || read(fd, &got, 1) != 1)
		got = 0;
	/* C was orphaned when P died: wait until init has collected it. */
	for (int i = 0; c > 0 && i < POLLS && state_of(c) != 0; i++)
		msleep(10);
	if (got != 'S')
		printf("# the child saw its killed parent %s\n", got == 'E' ?
		    "exit while it still ran: the parent returned from vfork after a wakeup "
		    "that was not the child's (sleep in a loop, until the child exits or execs)" :
		    got == '?' ? "never asleep in vfork" : "(no report from the child)");
	ok(pid > 0 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && got == 'S',
	    "a vfork parent killed while it waits still waits for its child (the kill's wakeup "
	    "does not end the wait)");
	close(fd);
}

/*
 * 9. A child lets its parent go once.  P vforks A, which execs (that
 * releases P) a program that waits for a 'G' in a file; P then vforks B.
 * B waits until P sleeps, writes the 'G', and waits until A has exited (a
 * zombie: P cannot collect it while it waits for B).  A child still marked
 * as its parent's vfork child after its exec would release P a second time
 * when it exits, ending P's wait for B: B checks that P still sleeps where
 * it did, and says so in its exit status (0 right, 1 P woke, 2 A never
 * exited, 3 P never slept).
 */
static void
t_release_once(void)
{
	int fd = logfile("ppw.once"), st = 0, sta = 0;
	char fdstr[16];
	pid_t me = getpid();

	snprintf(fdstr, sizeof(fdstr), "%d", fd);
	pid_t a = vfork();
	if (a == 0) {
		char *argv[] = { "ppwaittest", "execchild", fdstr, "ppw.once", NULL };
		exec("/bin/ppwaittest", argv);
		_exit(127);
	}
	pid_t b = a > 0 ? vfork() : -1;
	if (b == 0) {
		struct procinfo pi;
		char wmesg[sizeof(pi.wmesg)];
		int verdict = 3;

		wait_asleep(me);
		if (proc_find(me, &pi) && pi.state == SSLEEP) {
			memcpy(wmesg, pi.wmesg, sizeof(wmesg));
			write(fd, "G", 1);
			for (int i = 0; i < POLLS && state_of(a) != SZOMB; i++)
				msleep(10);
			if (state_of(a) != SZOMB)
				verdict = 2;
			else if (proc_find(me, &pi) && pi.state == SSLEEP &&
			    strncmp(pi.wmesg, wmesg, sizeof(wmesg)) == 0)
				verdict = 0;
			else
				verdict = 1;
		}
		_exit(verdict);
	}
	pid_t r = b > 0 ? waitpid(b, &st, WNOHANG) : -1;
	if (b > 0 && r != b)
		waitpid(b, &st, 0);
	if (a > 0)
		waitpid(a, &sta, 0);
	if (r != b || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("# vfork of B returned %s; B said %d%s\n", r == b ? "after B exited" :
		    "while B still ran", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		    WIFEXITED(st) && WEXITSTATUS(st) == 1 ? " (the exit of A, released "
		    "at its exec, released P again: clear the child's mark when it lets go)" : "");
	ok(a > 0 && b > 0 && r == b && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "a child lets its parent go once: its exit after an exec does not end the "
	    "parent's next vfork");
	close(fd);
}

/*
 * 10. Nothing leaks: 20 more vforks give back every page, and after all
 * the checks the process and open-file counts are where they started.
 */
static void
t_leaks(const struct sysinfo *start)
{
	struct sysinfo before, si;
	int st;
	volatile int good = 1;		/* vfork returns twice: keep it in memory */

	sysinfo(&before);
	for (int i = 0; i < 20; i++) {
		pid_t pid = vfork();
		if (pid == 0)
			_exit(i);
		if (pid < 0 || waitpid(pid, &st, 0) != pid || WEXITSTATUS(st) != i)
			good = 0;
	}
	sysinfo(&si);
	if (si.nproc != start->nproc || si.nfile != start->nfile ||
	    si.freepages != before.freepages)
		printf("# nproc %d -> %d, nfile %d -> %d, free pages %lu -> %lu\n",
		    start->nproc, si.nproc, start->nfile, si.nfile, before.freepages,
		    si.freepages);
	ok(good && si.nproc == start->nproc && si.nfile == start->nfile &&
	    si.freepages == before.freepages,
	    "20 more vforks; then every process, open file and page is back");
}

int
main(int argc, char *argv[])
{
	struct sysinfo si0;

	if (argc == 4 && strcmp(argv[1], "execchild") == 0)
		return execchild(atoi(argv[2]), argv[3]);
	if (argc == 2 && strcmp(argv[1], "nested") == 0)
		return nested();
	verdict_begin(argc, argv);	/* the test, not its helpers above */

	printf("1..%d\n", NCHECKS);
	verdict_plan(NCHECKS);
	sysinfo(&si0);
	t_exit(0);
	t_exit(1);
	t_nowait();
	t_killed();
	t_exec();
	t_nested();
	t_killed_parent();
	t_release_once();
	for (int i = 0; i < 6; i++)
		unlink((const char *[]){ "ppw.exit", "ppw.kill", "ppw.exec", "ppw.nest",
		    "ppw.kpar", "ppw.once" }[i]);
	t_leaks(&si0);
	return nfailed != 0;
}
