/*
 * forkstattest: checks for the fork-stats stage (forkstat(2)).
 *
 *	forkstattest          counts move exactly as this program's forks say
 *	forkstattest race N   N children fork at once (run with CPUS=4): no lost update
 *	forkstattest program  /bin/forkstat prints the counts
 *
 * Prints TAP: "1..N", then "ok N - what" or "not ok N - what".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <aqua/forkstat.h>
#include <verdict.h>

#include "capture.h"

static int ntest, nfail;

static void
check(int ok, const char *what)
{
	ntest++;
	if (!ok)
		nfail++;
	printf("%sok %d - %s\n", ok ? "" : "not ", ntest, what);
	verdict_check(ntest, ok);
}

static void
snap(struct forkstat *fs)
{
	if (forkstat(fs) < 0) {
		perror("forkstat");
		exit(2);
	}
}

/* Fork n children that exit at once; wait for all of them. */
static void
forks(int n)
{
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(2);
		}
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
}

static void
vforks(int n)
{
	for (int i = 0; i < n; i++) {
		pid_t pid = vfork();
		if (pid < 0) {
			perror("vfork");
			exit(2);
		}
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
}

static int
counts(void)
{
	struct forkstat a, b;
	char *big;

	printf("1..6\n");
	verdict_plan(6);
	snap(&a);
	forks(10);
	snap(&b);
	printf("# cntfork %lu -> %lu\n", a.cntfork, b.cntfork);
	check(b.cntfork - a.cntfork == 10, "10 forks add 10 to cntfork");
	check(b.cntvfork == a.cntvfork, "forks leave cntvfork alone");

	snap(&a);
	vforks(5);
	snap(&b);
	printf("# cntvfork %lu -> %lu, cntfork %lu -> %lu\n", a.cntvfork, b.cntvfork,
	    a.cntfork, b.cntfork);
	check(b.cntvfork - a.cntvfork == 5 && b.cntfork == a.cntfork,
	    "5 vforks add 5 to cntvfork and nothing to cntfork");
	check(b.sizvfork > a.sizvfork, "vfork children's pages are counted in sizvfork");

	/* A child of a process with 1 MiB more touched has 256 more pages. */
	snap(&a);
	forks(1);
	snap(&b);
	unsigned long small = b.sizfork - a.sizfork;
	big = malloc(1 << 20);
	if (big == NULL) {
		perror("malloc");
		return 2;
	}
	memset(big, 1, 1 << 20);
	snap(&a);
	forks(1);
	snap(&b);
	unsigned long large = b.sizfork - a.sizfork;
	printf("# sizfork per child: %lu pages, then %lu with 1 MiB more\n", small, large);
	check(small > 0, "sizfork counts the child's pages");
	check(large >= small + 256, "1 MiB more memory adds at least 256 pages to sizfork");
	free(big);
	return nfail != 0;
}

/*
 * n children each fork 100 grandchildren at the same time.  Counted: the n
 * children themselves and their 100*n grandchildren.  Run with CPUS=4 so
 * the increments really race.
 */
static int
race(int n)
{
	struct forkstat a, b;
	pid_t kids[16];

	if (n < 1 || n > 16)
		n = 4;
	printf("1..1\n");
	verdict_plan(1);
	snap(&a);
	for (int i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] < 0) {
			perror("fork");
			return 2;
		}
		if (kids[i] == 0) {
			forks(100);
			_exit(0);
		}
	}
	for (int i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	snap(&b);
	unsigned long want = (unsigned long)n * 101;
	printf("# cntfork %lu -> %lu: %lu forks, wanted %lu\n", a.cntfork, b.cntfork,
	    b.cntfork - a.cntfork, want);
	char what[80];
	snprintf(what, sizeof(what), "%d processes forking at once: %lu forks counted, none lost",
	    n, want);
	check(b.cntfork - a.cntfork == want, what);
	return nfail != 0;
}

/*
 * /bin/forkstat prints the table with a line "fork <processes> <pages>".
 * init was made by a FORK_FORK and forked us, and we fork forkstat: so
 * the count is at least 3, and those forks copied pages.
 */
static int
program(void)
{
	static char out[2048];
	char *argv[] = { "forkstat", NULL };
	int status, found = 0, nproc = 0, npages = 0;

	printf("1..1\n");
	verdict_plan(1);
	status = capture("/bin/forkstat", argv, out, sizeof(out), NULL);
	for (char *line = out, *next; line != NULL; line = next) {
		char w[4][32];

		next = cut_line(line);
		if (words(line, w, 4) == 3 && strcmp(w[0], "fork") == 0 && is_number(w[1]) &&
		    is_number(w[2]))
			found = 1, nproc = atoi(w[1]), npages = atoi(w[2]);
	}
	if (!found)
		printf("# no line 'fork <processes> <pages>' in forkstat's output\n");
	check(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 && found &&
	    nproc >= 3 && npages > 0,
	    "/bin/forkstat prints 'fork <processes> <pages>' with init's and our forks counted");
	return nfail != 0;
}

int
main(int argc, char *argv[])
{
	verdict_begin(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "race") == 0)
		return race(argc >= 3 ? atoi(argv[2]) : 4);
	if (argc >= 2 && strcmp(argv[1], "program") == 0)
		return program();
	return counts();
}
