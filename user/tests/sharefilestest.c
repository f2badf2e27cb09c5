/*
 * sharefilestest: FORK_SHAREFILES (fdshare) against the default copy
 * (fdcopy), through rfork1(2), for the grader in TAP.
 *
 * With FORK_SHAREFILES parent and child use one descriptor table: an
 * open, close or dup2 by one is seen by the other.  Without it the child
 * gets a copy of the table: the same open files (so the same offsets), but
 * its own slots.  Either way a table is emptied only when its last user
 * lets go of it; sysinfo(2)'s nfile shows the open files.
 *
 * The children report by their exit status or through a pipe; nothing
 * depends on speed.
 */
#include <aqua/fork.h>
#include <aqua/sysinfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <verdict.h>

#define SHARE	(FORK_FORK | FORK_SHAREFILES)
#define COPY	FORK_FORK
#define NCHECKS	9
#define POLLS	3000		/* of 10 ms: 30 s */

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

static int
isopen(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0;
}

static long
fsize(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (long)st.size : -1;
}

static int
create(const char *path)
{
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC);

	if (fd < 0) {
		printf("Bail out! open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static int
nfile(void)
{
	struct sysinfo si;

	sysinfo(&si);
	return si.nfile;
}

/* Fork with flags, run child(arg) in the child, return its exit code (-1: trouble). */
static int
run(int flags, int (*child)(int), int arg)
{
	int st;
	pid_t pid = rfork1(flags);

	if (pid == 0)
		_exit(child(arg));
	if (pid < 0) {
		printf("# rfork1(0x%x): %s\n", flags, strerror(errno));
		return -1;
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* ---- what the children do ------------------------------------------------ */

static int
c_open(int unused)
{
	int fd = open("sf.child", O_CREAT | O_RDWR | O_TRUNC);

	(void)unused;
	if (fd < 0 || write(fd, "hello", 5) != 5)
		return 255;
	return fd;
}

static int
c_close(int fd)
{
	return close(fd) == 0 ? 0 : 1;
}

static int
c_dup2(int fd)
{
	return dup2(fd, 12) == 12 ? 0 : 1;
}

static int
c_read2(int fd)
{
	char buf[2];

	return read(fd, buf, 2) == 2 ? 0 : 1;
}

static int
c_nothing(int unused)
{
	(void)unused;
	return 0;
}

/* ---- the checks -------------------------------------------------------- */

/* 1. A descriptor the child opens is open in the parent. */
static void
t_open(void)
{
	int fd = run(SHARE, c_open, 0);

	if (fd < 0 || fd == 255 || !isopen(fd))
		printf("# the child opened descriptor %d; in the parent: %s\n", fd,
		    fd >= 0 && isopen(fd) ? "open" : "not open");
	ok(fd > 0 && fd < 255 && isopen(fd) && fsize(fd) == 5 && lseek(fd, 0, SEEK_CUR) == 5,
	    "FORK_SHAREFILES: a descriptor the child opens is open in the parent");
	if (fd > 0 && fd < 255)
		close(fd);
}

/* 2. A descriptor the child closes is closed in the parent. */
static void
t_close(void)
{
	int fd = create("sf.close");
	int r = run(SHARE, c_close, fd);

	ok(r == 0 && !isopen(fd), "FORK_SHAREFILES: a descriptor the child closes is closed in the parent");
	close(fd);
}

/* 3. A dup2 by the child is seen by the parent. */
static void
t_dup2(void)
{
	int fd = create("sf.dup");
	int r = run(SHARE, c_dup2, fd);
	int good = r == 0 && isopen(12) && write(12, "abc", 3) == 3 &&
	    lseek(fd, 0, SEEK_CUR) == 3;

	ok(good, "FORK_SHAREFILES: dup2(fd, 12) in the child gives the parent descriptor 12");
	close(12);
	close(fd);
}

/*
 * 4. Parent and child open files at the same time in the one table: each
 * gets its own slot, and the parent sees all of them afterwards.
 */
#define NEACH	6

static int
c_open_many(int unused)
{
	char name[16];

	(void)unused;
	for (int i = 0; i < NEACH; i++) {
		snprintf(name, sizeof(name), "sf.c%d", i);
		int fd = open(name, O_CREAT | O_RDWR | O_TRUNC);
		if (fd < 0 || write(fd, "cc", 2) != 2)
			return 1;
	}
	return 0;
}

static void
t_concurrent(void)
{
	int mine[NEACH], st, good = 1, nparent = 0, nchild = 0;
	char name[16];
	pid_t pid = rfork1(SHARE);

	if (pid == 0)
		_exit(c_open_many(0));
	for (int i = 0; i < NEACH; i++) {
		snprintf(name, sizeof(name), "sf.p%d", i);
		mine[i] = open(name, O_CREAT | O_RDWR | O_TRUNC);
		if (mine[i] < 0 || write(mine[i], "p", 1) != 1)
			good = 0;
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || WEXITSTATUS(st) != 0)
		good = 0;
	/* Every slot above stderr: the parent's files have 1 byte, the child's 2. */
	for (int fd = 3; fd < NOFILE; fd++) {
		long n = isopen(fd) ? fsize(fd) : 0;
		if (n == 1)
			nparent++;
		if (n == 2)
			nchild++;
	}
	if (nparent != NEACH || nchild != NEACH)
		printf("# open in the parent afterwards: %d of its own files, %d of the child's (want %d, %d)\n",
		    nparent, nchild, NEACH, NEACH);
	ok(good && nparent == NEACH && nchild == NEACH,
	    "FORK_SHAREFILES: both open files at once; the parent then has all of them");
	for (int fd = 3; fd < NOFILE; fd++)
		close(fd);
}

/* 5. Without FORK_SHAREFILES the tables are separate. */
static void
t_copy(void)
{
	int fd = create("sf.copy");
	int cfd = run(COPY, c_open, 0);
	int r = run(COPY, c_close, fd);

	ok(cfd > 0 && cfd < 255 && !isopen(cfd) && r == 0 && isopen(fd),
	    "without FORK_SHAREFILES: the child's open and close do not touch the parent's table");
	close(fd);
}

/* 6. Shared table or copied one, the open file (and its offset) is shared. */
static void
t_offsets(void)
{
	int fd = create("sf.off");

	write(fd, "0123456789", 10);
	lseek(fd, 0, SEEK_SET);
	int r1 = run(COPY, c_read2, fd);
	off_t o1 = lseek(fd, 0, SEEK_CUR);
	int r2 = run(SHARE, c_read2, fd);
	off_t o2 = lseek(fd, 0, SEEK_CUR);

	ok(r1 == 0 && r2 == 0 && o1 == 2 && o2 == 4,
	    "either way the child's reads move the parent's offset (one open file)");
	close(fd);
}

/* 7. A sharing child that exits leaves the table to the parent. */
static void
t_child_exits(void)
{
	int fd = create("sf.keep");
	int r = run(SHARE, c_nothing, 0);

	ok(r == 0 && isopen(fd) && write(fd, "x", 1) == 1,
	    "FORK_SHAREFILES: the child's exit does not close the parent's files");
	close(fd);
}

/*
 * 8. The last user empties the table.  A helper opens three files and
 * shares its table with a child, then exits first: the child must still
 * have the files (and nfile must count them); when the child exits too,
 * nfile is back where it was.
 */
static void
t_last_user(void)
{
	int report[2], n0 = nfile(), st;
	char c = '?';

	if (pipe(report) < 0) {
		ok(0, "the table is freed by its last user (pipe failed)");
		return;
	}
	pid_t helper = fork();
	if (helper == 0) {
		pid_t h = getpid();
		close(report[0]);
		int a = create("sf.l1"), b = create("sf.l2"), d = create("sf.l3");
		write(a, "1", 1);
		pid_t child = rfork1(SHARE);
		if (child == 0) {
			/* n0, the two ends of the pipe and the helper's three files */
			for (int i = 0; i < POLLS && getppid() == h; i++)
				msleep(10);	/* until the helper is gone */
			int good = getppid() != h && isopen(a) && isopen(b) && isopen(d) &&
			    fsize(a) == 1 && nfile() == n0 + 2 + 3;
			if (!good)
				printf("# child: ppid %d (helper %d), open %d %d %d, size %ld, nfile %d (want %d)\n",
				    getppid(), h, isopen(a), isopen(b), isopen(d), fsize(a), nfile(), n0 + 5);
			write(report[1], good ? "Y" : "N", 1);
			_exit(0);
		}
		_exit(child > 0 ? 0 : 1);
	}
	close(report[1]);
	waitpid(helper, &st, 0);
	int got = read(report[0], &c, 1);
	/* End of file: the child's table has let go of the pipe, so it is exiting. */
	char more;
	while (read(report[0], &more, 1) > 0)
		;
	close(report[0]);
	int i;
	for (i = 0; i < POLLS && nfile() != n0; i++)
		msleep(10);
	if (got != 1 || c != 'Y' || nfile() != n0)
		printf("# the sharing child %s; nfile %d, want %d\n",
		    got != 1 ? "never reported" : c == 'Y' ? "still had the files" :
		    "had lost the files when the helper exited", nfile(), n0);
	ok(got == 1 && c == 'Y' && nfile() == n0,
	    "FORK_SHAREFILES: the files stay open until the table's last user exits, then close");
}

int
main(int argc, char **argv)
{
	struct sysinfo si0, si;

	verdict_begin(argc, argv);
	printf("1..%d\n", NCHECKS);
	verdict_plan(NCHECKS);
	sysinfo(&si0);
	t_open();
	t_close();
	t_dup2();
	t_concurrent();
	t_copy();
	t_offsets();
	t_child_exits();
	t_last_user();

	/*
	 * 9. Nothing leaks.  A child that has been waited for may still hold
	 * its slot for a moment (the kernel frees it once the child's CPU has
	 * switched away from its stack), so give the counts up to a second
	 * to come back rather than sampling them once.
	 */
	for (int tries = 0; tries < 100; tries++) {
		sysinfo(&si);
		if (si.nproc == si0.nproc && si.nfile == si0.nfile)
			break;
		msleep(10);
	}
	if (si.nproc != si0.nproc || si.nfile != si0.nfile)
		printf("# nproc %d -> %d, nfile %d -> %d\n", si0.nproc, si.nproc, si0.nfile, si.nfile);
	ok(si.nproc == si0.nproc && si.nfile == si0.nfile,
	    "afterwards every process and open file is back to its start");
	return nfailed != 0;
}
