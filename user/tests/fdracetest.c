/*
 * fdracetest: one process uses a descriptor while another process sharing
 * its descriptor table (FORK_SHAREFILES) closes the descriptor and opens
 * another file under the same number, over and over (issue 26).
 *
 *	fdracetest [iterations]		every race, each for that many rounds
 *	fdracetest iterations race...	the named races only (read write dup
 *					fstat piperd)
 *
 * The kernel used to look a descriptor up and then use the file without a
 * reference of its own, so the close on another CPU could free it under
 * the call: "panic: iunlock", "panic: file_dup: free file", "panic:
 * file_read: bad file type 0", page faults in the kernel.  Now every lookup
 * holds a reference (fd_getfile/FRELE), and each race must end with every
 * call having done one of the documented things: its work, or EBADF.
 *
 * Each race runs USERS processes that use descriptor RACEFD in a loop and
 * a closer (this process) that replaces it ITER times; the users stop when
 * descriptor STOPFD appears in the shared table -- which is also how the
 * users learn that the table is shared at all.  A race is bounded by its
 * rounds, not by time; only a failing kernel meets the time-outs, which
 * give up after tens of seconds.
 */
#include <aqua/fork.h>
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

#include "fillfile.h"	/* fill_file */
#include "tap.h"

#define SHARE		(FORK_FORK | FORK_SHAREFILES)
#define RACEFD		3		/* the lowest free descriptor */
#define STOPFD		15		/* NOFILE - 1: "stop" when open */
#define USERS		2		/* users; with the closer, 3 busy CPUs of 4 */
#define FILESIZE	512
#define STOPPOLLS	3000		/* of 10 ms: users must stop within 30 s */

static int iter = 2000;

/* ---- the users ------------------------------------------------------------ */

static int
stopped(void)
{
	struct stat st;

	return fstat(STOPFD, &st) == 0;
}

/* A user found a result no documented behaviour allows: say so and fail. */
static void
bad(const char *race, const char *what, long r)
{
	printf("# %s race, user %d: %s (returned %ld, errno %d %s)\n", race, getpid(), what, r,
	    r < 0 ? errno : 0, r < 0 ? strerror(errno) : "");
	fflush(stdout);
	_exit(1);
}

/* Each user_* does one use of RACEFD: 1 if the file was there, 0 for EBADF. */
static int
user_read(void)
{
	char buf[64];
	long r;

	if ((r = lseek(RACEFD, 0, SEEK_SET)) < 0 && errno == EBADF)
		return 0;
	/* Another user's read moved the shared offset; both are fine. */
	if ((r = read(RACEFD, buf, sizeof(buf))) < 0) {
		if (errno == EBADF)
			return 0;
		bad("read", "read", r);
	}
	for (long i = 0; i < r; i++)
		if (buf[i] != buf[0] || (buf[0] != 'a' && buf[0] != 'b'))
			bad("read", "read bytes that neither file holds", r);
	return 1;
}

static int
user_write(void)
{
	long r = write(RACEFD, "wwwwwwww", 8);

	if (r < 0 && errno == EBADF)
		return 0;
	if (r != 8)
		bad("write", "write of 8 bytes", r);
	return 1;
}

static int
user_dup(void)
{
	struct stat st;
	int m, m2, ok;

	if ((m = dup(RACEFD)) < 0) {
		if (errno == EBADF)
			return 0;
		if (errno != EMFILE)	/* the closer's open may hold a slot */
			bad("dup", "dup", m);
		return 0;
	}
	/*
	 * The copy may land in RACEFD's own slot (the closer emptied it
	 * between our lookup and our slot), where the closer's next round
	 * closes or replaces it: EBADF is then a right answer too.
	 */
	ok = fstat(m, &st) == 0 ? st.type == T_FILE : errno == EBADF;
	if (!ok)
		bad("dup", "fstat of the copy made by dup", -1);
	/* dup2 onto the copy replaces it with another reference to the file. */
	m2 = dup2(RACEFD, m);
	if (m2 < 0 && errno != EBADF)
		bad("dup", "dup2 onto our own copy", m2);
	if (close(m) != 0 && errno != EBADF)
		bad("dup", "close of our own copy", -1);
	return 1;
}

static int
user_fstat(void)
{
	struct stat st;
	int r = fstat(RACEFD, &st);

	if (r < 0 && errno == EBADF)
		return 0;
	if (r != 0)
		bad("fstat", "fstat", r);
	if (st.type != T_FILE || st.size != FILESIZE)
		bad("fstat", "fstat of a file that is not one of ours", (long)st.size);
	return 1;
}

static int
user_piperd(void)
{
	char c;
	long r = read(RACEFD, &c, 1);

	if (r < 0 && errno == EBADF)
		return 0;
	/* End of file once the writer is gone, or the closer's one byte. */
	if (r < 0 || r > 1 || (r == 1 && c != 'p'))
		bad("piperd", "read from the pipe", r);
	return 1;
}

/* ---- the closer ------------------------------------------------------------- */

/* Put fd at RACEFD (the closer's open may have got another number). */
static int
move_to_racefd(int fd)
{
	if (fd < 0)
		return -1;
	if (fd == RACEFD)
		return 0;
	if (dup2(fd, RACEFD) != RACEFD) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
make_file(const char *path, char c)
{
	if (fill_file(path, c, FILESIZE) != 0) {
		diag("cannot make %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * One round of a file race: open a file, then put it under RACEFD.  Even
 * rounds close RACEFD first, odd ones let dup2 replace it; either way the
 * old file's last descriptor goes while the users may be using it.  The
 * open comes first so that RACEFD is empty only for a moment: the users
 * should find a file there, not EBADF, most of the time.
 */
static int
replace_racefd(int i, int fd)
{
	if (fd < 0)
		return -1;
	if (!(i & 1))
		close(RACEFD);
	return move_to_racefd(fd);
}

static int
reopen_file(int i, const char *path)
{
	return replace_racefd(i, open(path, O_RDWR));
}

static int
round_read(int i)
{
	return reopen_file(i, i & 2 ? "/fdr.b" : "/fdr.a");
}

static int
round_write(int i)
{
	/* Start each file again now and then, so the writes stay small. */
	return replace_racefd(i, open(i & 2 ? "/fdr.w1" : "/fdr.w2",
	    O_CREAT | O_RDWR | ((i & 15) < 4 ? O_TRUNC : 0)));
}

static int
round_fstat(int i)
{
	return reopen_file(i, i & 2 ? "/fdr.b" : "/fdr.a");
}

static pid_t users[USERS];

/*
 * One round of the sleeper race: a new pipe under RACEFD; once the users
 * are asleep in its read, close the descriptor under them, then (every
 * other round) write a byte, then close the write end.  Each sleeper must
 * wake with the byte or end of file: the pipe lives as long as a call uses
 * its read end, even with no descriptor left.
 */
static int
round_piperd(int i)
{
	int fds[2];

	if (pipe(fds) != 0) {
		diag("pipe: %s", strerror(errno));
		return -1;
	}
	/* pipe() took RACEFD itself when it was free, or the write end came first. */
	if (fds[0] != RACEFD && move_to_racefd(fds[0]) != 0) {
		close(fds[1]);
		return -1;
	}
	if (fds[1] == RACEFD) {
		diag("pipe put the write end at %d", RACEFD);
		return -1;
	}
	for (int u = 0; u < USERS; u++)
		wait_asleep(users[u], "piperd");
	close(RACEFD);
	if ((i & 1) && write(fds[1], "p", 1) != 1) {
		diag("write to a pipe whose readers are asleep in read(2): %s", strerror(errno));
		close(fds[1]);
		return -1;
	}
	close(fds[1]);
	return 0;
}

/* ---- the driver ----------------------------------------------------------- */

static const struct race {
	const char *name;
	int	(*use)(void);
	int	(*round)(int i);
	int	itermul;	/* rounds: iter * itermul / 16 */
} races[] = {
	{ "read", user_read, round_read, 16 },
	/*
	 * Each user write is a log commit (a few disk writes), and the users
	 * write as fast as they can: 2000 rounds took 5 to 20 s, four times
	 * the other races together.  A quarter of them still closes the file
	 * under thousands of writes.
	 */
	{ "write", user_write, round_write, 4 },
	{ "dup", user_dup, round_read, 16 },
	{ "fstat", user_fstat, round_fstat, 16 },
	{ "piperd", user_piperd, round_piperd, 1 },	/* each round waits for sleepers */
};
#define NRACES	(int)(sizeof(races) / sizeof(races[0]))

static int
user_main(const struct race *r)
{
	long used = 0, ebadf = 0;

	for (;;) {
		if (stopped())
			break;
		if (r->use())
			used++;
		else
			ebadf++;
	}
	printf("# %s race, user %d: %ld uses of the file, %ld EBADF\n", r->name, getpid(),
	    used, ebadf);
	return 0;
}

static int
run_race(const struct race *r)
{
	int rounds = iter * r->itermul / 16, status, done = 0;

	close(RACEFD);
	close(STOPFD);
	memset(users, 0, sizeof(users));	/* round 0 has no sleepers to wait for */
	if (r->round(0) != 0)
		return 1;
	fflush(stdout);
	for (int u = 0; u < USERS; u++) {
		if ((users[u] = rfork1(SHARE)) == 0)
			_exit(user_main(r));
		if (users[u] < 0) {
			diag("rfork1(FORK_SHAREFILES): %s", strerror(errno));
			while (--u >= 0)
				kill(users[u], SIGKILL);
			return 1;
		}
	}
	for (int i = 1; i <= rounds && failures == 0; i++)
		if (r->round(i) != 0)
			failures++;
	close(RACEFD);
	/* Stop: a descriptor at STOPFD, which the users see only in a shared table. */
	if (dup2(1, STOPFD) != STOPFD) {
		diag("dup2(1, %d): %s", STOPFD, strerror(errno));
		failures++;
	}
	for (int u = 0; u < USERS; u++) {
		pid_t w = 0;
		for (int poll = 0; poll < STOPPOLLS; poll++) {
			if ((w = waitpid(users[u], &status, WNOHANG)) != 0)
				break;
			msleep(10);
		}
		if (w == 0) {
			diag("user %d did not stop within %d s of descriptor %d appearing: "
			    "is the table shared (FORK_SHAREFILES)?", users[u],
			    STOPPOLLS / 100, STOPFD);
			kill(users[u], SIGKILL);
			waitpid(users[u], &status, 0);
			failures++;
		} else if (w != users[u] || !exited_with(status, 0)) {
			diag("user %d: %s", users[u], w == users[u] ? describe(status) : "wait failed");
			failures++;
		} else {
			done++;
		}
	}
	close(STOPFD);
	if (failures == 0)
		diag("%s race: %d rounds, %d users", r->name, rounds, done);
	return failures;
}

/* Does a FORK_SHAREFILES child's open show in our table?  Else nothing races. */
static int
table_shared(void)
{
	int status;
	pid_t pid;

	close(STOPFD);
	fflush(stdout);
	if ((pid = rfork1(SHARE)) == 0)
		_exit(dup2(1, STOPFD) == STOPFD ? 0 : 1);
	status = wait_for(pid);
	if (!exited_with(status, 0) || !stopped()) {
		diag("a FORK_SHAREFILES child's dup2 does not show in its parent's table "
		    "(the child: %s): the races need a shared table", describe(status));
		return 0;
	}
	close(STOPFD);
	return 1;
}

int
main(int argc, char **argv)
{
	const struct race *chosen[NRACES];
	int n = 0, passed = 0, shared;

	verdict_begin(argc, argv);
	if (argc > 1 && (iter = atoi(argv[1])) <= 0) {
		fprintf(stderr, "usage: fdracetest [iterations [race...]]\n");
		return 2;
	}
	for (int a = 2; a < argc; a++) {
		int i;
		for (i = 0; i < NRACES && strcmp(argv[a], races[i].name) != 0; i++)
			;
		if (i == NRACES) {
			fprintf(stderr, "fdracetest: no race named %s\n", argv[a]);
			return 2;
		}
		chosen[n++] = &races[i];
	}
	if (argc <= 2)
		for (int i = 0; i < NRACES; i++)
			chosen[n++] = &races[i];

	chdir("/");
	signal(SIGPIPE, SIG_IGN);	/* a bad kernel's EPIPE is reported, not fatal */
	printf("1..%d\n", n + 1);
	verdict_plan(n + 1);
	shared = table_shared();
	printf("%sok 1 - FORK_SHAREFILES: the child's descriptors are the parent's\n",
	    shared ? "" : "not ");
	verdict_check(1, shared);
	if (make_file("/fdr.a", 'a') != 0 || make_file("/fdr.b", 'b') != 0)
		shared = 0;
	for (int i = 0; i < n; i++) {
		failures = 0;
		if (!shared) {
			printf("not ok %d - %s race (needs a shared descriptor table)\n", i + 2,
			    chosen[i]->name);
			verdict_check(i + 2, 0);
			continue;
		}
		int fail = run_race(chosen[i]);
		printf("%sok %d - %s race: %d rounds of close and reopen under the users\n",
		    fail ? "not " : "", i + 2, chosen[i]->name, iter * chosen[i]->itermul / 16);
		verdict_check(i + 2, !fail);
		passed += !fail;
	}
	unlink("/fdr.a");
	unlink("/fdr.b");
	unlink("/fdr.w1");
	unlink("/fdr.w2");
	printf("# passed %d/%d\n", passed + shared, n + 1);
	return passed == n && shared ? 0 : 1;
}
