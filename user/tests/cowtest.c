/*
 * cowtest: checks for the cow stage (copy-on-write fork), printing TAP.
 *
 *	cowtest			fork shares pages; each process sees its own
 *				writes only, over generations too; copyout
 *				(a pipe read) into a copy-on-write page; no leak
 *	cowtest big		fork of a process bigger than free memory
 *	cowtest concurrent	several processes write one shared page at once
 *				(run with CPUS=4)
 *	cowtest tables		fork shares whole page tables (stage cow-tables):
 *				many children of a process that fills memory fit
 *				in what is left; a shareable vmap page and a page
 *				writable inside a read-only region keep their rules
 *	cowtest bench MiB N	N times fork+exit+wait of a process with MiB
 *				touched; prints forks per second (not a check)
 *
 * Children report through their exit status: 0 is good, anything else
 * names what went wrong (see the diagnostics).  Free memory comes from
 * sysinfo(2), copy counts from forkstat(2)'s cntcowfault.
 */
#include <aqua/forkstat.h>
#include <aqua/memory.h>
#include <aqua/sysinfo.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <verdict.h>
#include <machine/vmparam.h>	/* VM_TABLE_SPAN */

#include "fillfile.h"	/* fill_file */

#define PAGE	4096
#define MiB	(1024UL * 1024)

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

static unsigned long
freepages(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0) {
		perror("sysinfo");
		exit(2);
	}
	return si.freepages;
}

static unsigned long
cowfaults(void)
{
	struct forkstat fs;

	if (forkstat(&fs) < 0)
		return 0;
	return fs.cntcowfault;
}

static const char *
describe(int status)
{
	static char buf[64];

	if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, sizeof(buf), "exit status %d", WEXITSTATUS(status));
	return buf;
}

/* Wait for pid; its status, or -1 after a diagnostic. */
static int
reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		printf("# waitpid(%d): %s\n", pid, strerror(errno));
		return -1;
	}
	return status;
}

static pid_t
xfork(void)
{
	pid_t pid = fork();

	if (pid < 0)
		printf("# fork: %s\n", strerror(errno));
	return pid;
}

/* Block until one byte arrives on fd (a "go" signal from the other side). */
static void
await(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		_exit(90);
}

/* ---- a buffer whose every page says which page it is ---------------------- */

static long *buf;		/* page-aligned */
static size_t npages;

static void
buf_alloc(size_t bytes)
{
	char *p = sbrk(bytes + PAGE);

	if (p == (char *)-1) {
		printf("# sbrk(%lu): %s\n", (unsigned long)bytes, strerror(errno));
		exit(2);
	}
	buf = (long *)(((uintptr_t)p + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
	npages = bytes / PAGE;
}

#define WORD(i)	buf[(size_t)(i) * (PAGE / sizeof(long))]

static void
buf_fill(long base)
{
	for (size_t i = 0; i < npages; i++)
		WORD(i) = base + (long)i;
}

/* 1 if every page still holds base + its index. */
static int
buf_holds(long base)
{
	for (size_t i = 0; i < npages; i++)
		if (WORD(i) != base + (long)i)
			return 0;
	return 1;
}

/* ---- cowtest: the basic checks ----------------------------------------------- */

#define GENERATIONS	6
static volatile long gen_value;

/*
 * Runs in a process whose gen_value is depth * 1111: fork the next
 * generation, which checks what it inherited, writes its own value and
 * forks in turn; afterwards each checks that its own value survived.
 */
static int
generation(int depth)
{
	if (depth == GENERATIONS)
		return 0;
	pid_t pid = fork();
	if (pid < 0)
		return 50 + depth;
	if (pid == 0) {
		if (gen_value != depth * 1111 || WORD(0) != depth * 1111)
			_exit(10 + depth);	/* did not inherit the parent's values */
		gen_value = (depth + 1) * 1111;
		WORD(0) = (depth + 1) * 1111;
		int r = generation(depth + 1);
		if (r == 0 && (gen_value != (depth + 1) * 1111 || WORD(0) != (depth + 1) * 1111))
			r = 20 + depth;		/* a descendant's write reached us */
		_exit(r);
	}
	int status = reap(pid);
	if (status == -1 || !WIFEXITED(status))
		return 40 + depth;
	if (WEXITSTATUS(status) != 0)
		return WEXITSTATUS(status);
	if (gen_value != depth * 1111 || WORD(0) != depth * 1111)
		return 30 + depth;		/* a child's write reached us */
	return 0;
}

int main(int argc, char *argv[]);

/* Run /bin/cowpage (its comment says what it checks); 1 if it passed. */
static int
run_cowpage(void)
{
	pid_t pid = xfork();

	if (pid == 0) {
		char *args[] = { "cowpage", NULL };
		execv("/bin/cowpage", args);
		_exit(5);
	}
	int status = pid > 0 ? reap(pid) : -1;
	if (status != 0)
		printf("# /bin/cowpage: %s (1: the child's write reached the parent, 2: the child "
		    "did not see its own or the parent's value, 3: not linked as it needs, "
		    "5: exec failed)\n", status == -1 ? "?" : describe(status));
	return status == 0;
}

static char pipebuf[2 * PAGE] __attribute__((aligned(PAGE)));

static int
basic(void)
{
	int go[2], data[2], status;
	pid_t pid;
	char what[200];

	printf("1..13\n");
	verdict_plan(13);
	buf_alloc(4 * MiB);
	buf_fill(0);
	strcpy(pipebuf, "parent");
	if (pipe(go) < 0 || pipe(data) < 0) {
		perror("pipe");
		return 2;
	}
	unsigned long free_start = freepages();

	/* 1-5: a child that reads, then writes, every page of 4 MiB. */
	unsigned long free0 = freepages(), cow0 = cowfaults();
	pid = xfork();
	if (pid == 0) {
		await(go[0]);
		if (!buf_holds(0))
			_exit(2);
		buf_fill(100000);
		_exit(buf_holds(100000) ? 0 : 3);
	}
	unsigned long free1 = freepages();
	long drop = (long)free0 - (long)free1;
	printf("# fork of a process with %lu pages (4 MiB) touched: %ld pages less free\n",
	    (unsigned long)npages, drop);
	snprintf(what, sizeof(what), "fork shares the pages: it costs page tables, "
	    "not a copy (%ld pages, want < %lu)", drop, (unsigned long)npages / 4);
	check(pid > 0 && drop < (long)npages / 4, what);
	write(go[1], "g", 1);
	status = pid > 0 ? reap(pid) : -1;
	if (status != 0 && status != -1)
		printf("# child: %s (2: it did not see the parent's data, 3: its writes did not stick)\n",
		    describe(status));
	check(status != -1 && !(WIFEXITED(status) && WEXITSTATUS(status) == 2) &&
	    !WIFSIGNALED(status), "the child sees the parent's memory as it was at fork");
	check(status == 0 && buf_holds(0), "the child's writes stay in the child");
	unsigned long cow1 = cowfaults();
	printf("# forkstat cntcowfault %lu -> %lu\n", cow0, cow1);
	snprintf(what, sizeof(what), "the child's writes copied its %lu pages "
	    "(forkstat cntcowfault grew by %lu)", (unsigned long)npages, cow1 - cow0);
	check(cow1 - cow0 >= npages, what);
	unsigned long free2 = freepages();
	printf("# free pages: %lu before the fork, %lu after the child exited\n", free0, free2);
	check(free2 == free0, "no page leaks once the child has exited");

	/*
	 * 6: the child is gone, so the parent is the last user of each page
	 * (reference count 1): its write faults take the pages back
	 * writable, and copy nothing.
	 */
	unsigned long cow2 = cowfaults();
	buf_fill(300000);
	unsigned long cow3 = cowfaults();
	snprintf(what, sizeof(what), "a write to a page whose other users are gone makes it "
	    "writable again, without a copy (%lu of %lu pages copied, want < %lu)",
	    cow3 - cow2, (unsigned long)npages, (unsigned long)npages / 4);
	check(cow3 - cow2 < npages / 4 && buf_holds(300000), what);
	buf_fill(0);

	/* 7: the parent writes while the child still shares the pages. */
	pid = xfork();
	if (pid == 0) {
		await(go[0]);
		_exit(buf_holds(0) ? 0 : 4);
	}
	buf_fill(200000);
	write(go[1], "g", 1);
	status = pid > 0 ? reap(pid) : -1;
	if (status != 0)
		printf("# child: %s (4: it saw the parent's new writes)\n", describe(status));
	check(status == 0 && buf_holds(200000), "the parent's writes after fork stay in the parent");

	/* 8: generations. */
	gen_value = 0;
	WORD(0) = 0;
	int r = generation(0);
	if (r != 0)
		printf("# generations: code %d (1x: a child did not inherit, 2x or 3x: a write "
		    "crossed to another generation, 4x/5x: fork or wait failed; x = depth)\n", r);
	snprintf(what, sizeof(what), "%d generations of forks each see their own writes only",
	    GENERATIONS);
	check(r == 0, what);

	/* 9: read() into a copy-on-write page, in the child. */
	pid = xfork();
	if (pid == 0) {
		ssize_t n = read(data[0], pipebuf, 6);
		_exit(n == 6 && memcmp(pipebuf, "hello!", 6) == 0 ? 0 : 5);
	}
	write(data[1], "hello!", 6);
	status = pid > 0 ? reap(pid) : -1;
	if (status != 0)
		printf("# child: %s (5: read() into its copy-on-write page failed)\n",
		    describe(status));
	check(status == 0 && strcmp(pipebuf, "parent") == 0,
	    "a pipe read() into a copy-on-write page works (copyout), in the child");

	/* 10: the same in the parent, while the child shares the page. */
	pid = xfork();
	if (pid == 0) {
		write(data[1], "child!", 6);
		await(go[0]);
		_exit(strcmp(pipebuf, "parent") == 0 ? 0 : 6);
	}
	ssize_t n = read(data[0], pipebuf + PAGE, 6);
	int ok = n == 6 && memcmp(pipebuf + PAGE, "child!", 6) == 0;
	if (!ok)
		printf("# read into the parent's copy-on-write page: %ld (%s)\n", (long)n,
		    n < 0 ? strerror(errno) : "wrong bytes");
	write(go[1], "g", 1);
	status = pid > 0 ? reap(pid) : -1;
	check(ok && status == 0,
	    "a pipe read() into a copy-on-write page works (copyout), in the parent");

	/* 11: text is shared, never made writable. */
	pid = xfork();
	if (pid == 0) {
		*(volatile char *)(uintptr_t)main = 0;
		_exit(7);
	}
	status = pid > 0 ? reap(pid) : -1;
	printf("# child writing its program text: %s\n", status == -1 ? "?" : describe(status));
	check(status != -1 && WIFSIGNALED(status),
	    "a write to program text after fork still kills the writer");

	/*
	 * 12: a page exec made writable inside a read-only region (two
	 * segments share it) is copied at fork, not shared: /bin/cowpage.
	 */
	check(run_cowpage(), "a page both read-only data and data (writable in a read-only "
	    "region) is copied at fork: the child's writes to it stay in the child");

	/* 13: everything given back. */
	unsigned long free_end = freepages();
	printf("# free pages: %lu at the start, %lu at the end\n", free_start, free_end);
	check(free_end == free_start, "no page leaks and no double frees after all the forks");
	return nfail != 0;
}

/* Write the stack pages below us (a copy-on-write copy of each, now). */
static void __attribute__((noinline))
touch_stack(void)
{
	volatile char a[3 * PAGE];

	for (size_t i = 0; i < sizeof(a); i += 64)
		a[i] = 0;
}

/* ---- cowtest big ------------------------------------------------------------------ */

static int
big(void)
{
	char what[160];
	int status;

	printf("1..6\n");
	verdict_plan(6);
	/*
	 * Touch two thirds of free memory (at least 64 MiB): then less is
	 * free than the process holds, and an eager copy cannot fit.
	 */
	unsigned long free_start = freepages();
	size_t bytes = free_start / 3 * 2 * PAGE;
	if (bytes < 64 * MiB)
		bytes = 64 * MiB;
	bytes &= ~(MiB - 1);
	buf_alloc(bytes);
	buf_fill(0);
	unsigned long free0 = freepages();
	printf("# %lu MiB touched; %lu MiB free\n", (unsigned long)(bytes / MiB),
	    free0 * PAGE / MiB);
	check(free0 < npages, "the process holds more memory than is free");

	unsigned long cow0 = cowfaults();
	pid_t pid = xfork();
	if (pid == 0) {
		/* Read everything, write 16 pages spread over the buffer. */
		if (!buf_holds(0))
			_exit(2);
		for (size_t i = 0; i < npages; i += npages / 16)
			WORD(i) = -1;
		for (size_t i = 0; i < npages; i++)
			if (WORD(i) != (i % (npages / 16) == 0 ? -1 : (long)i))
				_exit(3);
		_exit(0);
	}
	snprintf(what, sizeof(what), "fork of a process with %lu MiB touched succeeds with "
	    "%lu MiB free", (unsigned long)(bytes / MiB), free0 * PAGE / MiB);
	check(pid > 0, what);
	status = pid > 0 ? reap(pid) : -1;
	if (pid > 0 && status != 0)
		printf("# child: %s (2: it did not see the parent's data, 3: its writes did not stick)\n",
		    describe(status));
	check(status == 0 && buf_holds(0), "the child reads all, writes some; the parent's pages are unchanged");
	printf("# forkstat cntcowfault grew by %lu\n", cowfaults() - cow0);
	unsigned long free1 = freepages();
	printf("# free pages: %lu before the fork, %lu after\n", free0, free1);
	check(free1 == free0, "no page leaks once the child has exited");

	/*
	 * A child that writes everything runs out of memory half-way: its
	 * copy-on-write fault cannot be resolved and it is killed; nothing
	 * leaks and the parent goes on.
	 */
	int go[2];
	if (pipe(go) < 0) {
		perror("pipe");
		return 2;
	}
	free0 = freepages();
	pid = xfork();
	if (pid == 0) {
		await(go[0]);
		buf_fill(7);
		_exit(0);
	}
	/*
	 * Copy our own stack pages before the child eats all memory, so
	 * that waitpid's copyout of the status needs no new page then.
	 */
	touch_stack();
	write(go[1], "g", 1);
	status = pid > 0 ? reap(pid) : -1;
	printf("# child writing all %lu MiB: %s\n", (unsigned long)(bytes / MiB),
	    status == -1 ? "no child" : describe(status));
	check(pid > 0 && status != -1 && WIFSIGNALED(status),
	    "a child that runs out of memory in a copy-on-write fault is killed");
	unsigned long free2 = freepages();
	printf("# free pages: %lu before the fork, %lu after\n", free0, free2);
	check(free2 == free0 && buf_holds(0), "... and leaks nothing; the parent's pages are intact");
	close(go[0]);
	close(go[1]);
	return nfail != 0;
}

/* ---- cowtest concurrent ----------------------------------------------------------- */

#define NCHILD	4
#define ROUNDS	25

/*
 * Per round: NCHILD children and the parent all write the same pages
 * (shared copy-on-write by all of them) at the same moment, so several
 * CPUs fault on one physical page together, and the page's reference
 * count races between copies and the "last user takes it back" case.
 */
static int
concurrent(void)
{
	int go[2];
	char what[200];
	int bad_status = 0, bad_parent = 0, forkfail = 0;
	long worst_drop = 0;

	printf("1..4\n");
	verdict_plan(4);
	buf_alloc(1 * MiB);
	buf_fill(0);
	if (pipe(go) < 0) {
		perror("pipe");
		return 2;
	}
	unsigned long free_start = freepages(), cow0 = cowfaults();

	for (int round = 0; round < ROUNDS; round++) {
		pid_t kids[NCHILD];
		long base = (round + 1) * 1000000L;
		unsigned long free0 = freepages();

		for (int k = 0; k < NCHILD; k++) {
			kids[k] = fork();
			if (kids[k] == 0) {
				long mine = base + (k + 1) * 10000L;
				await(go[0]);
				if (!buf_holds(base - 1000000L))
					_exit(2);
				buf_fill(mine);
				_exit(buf_holds(mine) ? 0 : 3);
			}
			if (kids[k] < 0)
				forkfail++;
		}
		long drop = (long)free0 - (long)freepages();
		if (drop > worst_drop)
			worst_drop = drop;
		write(go[1], "gggggggg", NCHILD);	/* all of them at once */
		buf_fill(base);
		if (!buf_holds(base))
			bad_parent++;
		for (int k = 0; k < NCHILD; k++) {
			if (kids[k] <= 0)
				continue;
			int status = reap(kids[k]);
			if (status != 0) {
				if (bad_status++ == 0)
					printf("# round %d child %d: %s (2: wrong data at fork, "
					    "3: its writes did not stick)\n", round, k, describe(status));
			}
		}
	}
	printf("# %d rounds of %d children: %d bad children, %d bad parent checks, "
	    "%d failed forks\n", ROUNDS, NCHILD, bad_status, bad_parent, forkfail);
	snprintf(what, sizeof(what), "forks share the %lu pages (worst: %ld pages less free "
	    "for %d children, want < %lu)", (unsigned long)npages, worst_drop, NCHILD,
	    (unsigned long)npages);
	check(forkfail == 0 && worst_drop < (long)npages, what);
	check(forkfail == 0 && bad_status == 0 && bad_parent == 0,
	    "processes writing shared copy-on-write pages at once each see their own data");
	unsigned long cow1 = cowfaults();
	snprintf(what, sizeof(what), "the writes were copy-on-write faults "
	    "(forkstat cntcowfault grew by %lu)", cow1 - cow0);
	check(cow1 - cow0 >= (unsigned long)ROUNDS * (NCHILD - 1) * npages, what);
	unsigned long free_end = freepages();
	printf("# free pages: %lu at the start, %lu at the end\n", free_start, free_end);
	check(free_end == free_start, "no page leaks and no double frees");
	return nfail != 0;
}

/* ---- cowtest tables --------------------------------------------------------------- */

#define TCHILD		32	/* children alive at once */
#define TCHILD_PAGES	24	/* free pages left for each of them */
/*
 * Per-page copy-on-write gives each child a last-level table of its own
 * for every VM_TABLE_SPAN of the parent: above this much memory that is
 * more than TCHILD_PAGES, and the test can tell the two apart.
 */
#define TMIN_MIB	(TCHILD_PAGES * VM_TABLE_SPAN / MiB)

/*
 * Take all of memory but `reserve` pages: grow the heap until sbrk
 * fails, then give `reserve` pages back.  buf and npages describe the
 * pages taken; each is filled with its index.  Measured this way, not
 * from sysinfo's free count: the kernel's own count is not evidence.
 */
static void
fill_memory(unsigned long reserve)
{
	char *start = sbrk(0);

	for (size_t chunk = MiB; chunk >= PAGE; )
		if (sbrk(chunk) == (char *)-1)
			chunk /= 2;
	if (sbrk(-(long)(reserve * PAGE)) == (char *)-1) {
		printf("# sbrk(-%lu pages): %s\n", reserve, strerror(errno));
		exit(2);
	}
	buf = (long *)(((uintptr_t)start + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
	npages = ((uintptr_t)sbrk(0) - (uintptr_t)buf) / PAGE;
	buf_fill(0);
}

/*
 * Child k of the crowd: check the parent's memory as at fork, wait for
 * go, write one page of its own, check again.  Exit 2: the memory was
 * not the parent's; 3: its write did not stick or it saw another
 * child's; 4: it saw the parent's write made after the fork; 90: its
 * parent died before the go.
 */
static void __attribute__((noreturn))
crowd_child(int k, int go[2], int out)
{
	size_t mine = (size_t)(k + 1) * (npages / (TCHILD + 1));

	close(go[1]);	/* a parent killed early must end our wait (EOF), */
	close(out);	/* and the test's */
	if (!buf_holds(0))
		_exit(2);
	await(go[0]);
	WORD(mine) = -1 - k;
	for (size_t i = 0; i < npages; i++) {
		long want = i == mine ? -1 - k : (long)i;
		if (WORD(i) != want)
			_exit(i == 0 ? 4 : 3);
	}
	_exit(0);
}

/*
 * Memory with a pager next to, and spanning, page tables a fork could
 * share (it must not: vmap pages follow vmap's rules, kern/vm/vmap.c).
 * A shareable vmap page right above 100 heap pages, in their table: the
 * parent writes it after fork and the child must read the write, while
 * the parent's write to a heap page stays the parent's.  And a private
 * vmap region of 6 MiB, whole tables of its own: copied at fork, so the
 * child keeps what it held then.  Runs in a process of its own, as the
 * parent must survive its writes.  Exit 0, or: 5 the child did not see
 * the parent's write to the shared page; 6 the child saw a write to a
 * private page; 7 set-up failed.
 */
#define VMAP_BIG	(6 * MiB)

static void __attribute__((noreturn))
vmap_neighbours(void)
{
	int go[2], status;
	char *brk0 = sbrk(0);
	uintptr_t table = ((uintptr_t)brk0 + VM_TABLE_SPAN - 1) & ~(uintptr_t)(VM_TABLE_SPAN - 1);
	long *heap = (long *)(table + 100 * PAGE);	/* the heap's last page; 100 more below it */
	long *shared = (long *)(table + 101 * PAGE);
	char *big;

	if (pipe(go) < 0 || sbrk((char *)heap + PAGE - brk0) == (char *)-1 ||
	    vmap(shared, PAGE, PROT_READ | PROT_WRITE, VMAP_FIXED | VMAP_SHARE, NULL, NULL) != shared ||
	    (big = vmap(NULL, VMAP_BIG, PROT_READ | PROT_WRITE, 0, NULL, NULL)) == VMAP_FAILED)
		_exit(7);
	*heap = *shared = 1;
	memset(big, 1, VMAP_BIG);
	pid_t pid = fork();
	if (pid == 0) {
		await(go[0]);
		for (size_t i = 0; i < VMAP_BIG; i += PAGE)
			if (big[i] != 1)
				_exit(6);
		_exit(*shared != 2 ? 5 : *heap != 1 ? 6 : 0);
	}
	*heap = *shared = 2;
	memset(big, 2, VMAP_BIG);
	write(go[1], "g", 1);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		_exit(7);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 7);
}

/*
 * The kernel's own writes through shared tables.  copyout does what a
 * user store would (kern/copy.c: user_byte resolves a read-only page with
 * vm_fault): a read(2) into a buffer that straddles the boundary of two
 * page tables, both shared at fork, must make each of them private before
 * it writes.  The heap fills two whole tables with 'o'; after fork the
 * parent reads a file of 'p's into the buffer, then the child checks that
 * it still holds 'o's and reads a file of 'c's into the same addresses;
 * each must then hold its own bytes there, and 'o' next to them.  Runs in
 * a process of its own.  Exit 0, or: 2 the child's read failed or fell
 * short; 3 the child saw the parent's bytes; 4 the child's bytes, or the
 * 'o's around them, are wrong; 5 the parent's are; 7 set-up failed.
 */
#define STRADDLE	(2 * PAGE + 200)	/* 2 pages of each table, not page-aligned */

static int
holds(const char *p, size_t n, char c)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

/* read(2) the whole of path into p: 0, or -1. */
static int
read_file(const char *path, char *p)
{
	int fd = open(path, O_RDONLY);
	long n = fd >= 0 ? read(fd, p, STRADDLE) : -1;

	if (fd >= 0)
		close(fd);
	return n == STRADDLE ? 0 : -1;
}

static void __attribute__((noreturn))
copyout_straddling(void)
{
	int go[2], status;
	char *brk0 = sbrk(0);
	char *lo = (char *)(((uintptr_t)brk0 + VM_TABLE_SPAN - 1) & ~(uintptr_t)(VM_TABLE_SPAN - 1));
	char *buf = lo + VM_TABLE_SPAN - STRADDLE / 2;	/* across the two tables' boundary */

	if (pipe(go) < 0 || sbrk(lo + 2 * VM_TABLE_SPAN - brk0) == (char *)-1 ||
	    fill_file("/cowst.p", 'p', STRADDLE) != 0 || fill_file("/cowst.c", 'c', STRADDLE) != 0)
		_exit(7);
	memset(lo, 'o', 2 * VM_TABLE_SPAN);
	pid_t pid = fork();
	if (pid == 0) {
		await(go[0]);
		if (!holds(buf, STRADDLE, 'o'))
			_exit(3);
		if (read_file("/cowst.c", buf) != 0)
			_exit(2);
		_exit(holds(buf, STRADDLE, 'c') && buf[-1] == 'o' && buf[STRADDLE] == 'o' ? 0 : 4);
	}
	int ok = read_file("/cowst.p", buf) == 0;
	write(go[1], "g", 1);
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		_exit(7);
	unlink("/cowst.p");
	unlink("/cowst.c");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 7);
	_exit(ok && holds(buf, STRADDLE, 'p') && buf[-1] == 'o' && buf[STRADDLE] == 'o' ? 0 : 5);
}

/* Run fn, which exits, in a process of its own: its wait status, or -1. */
static int
in_own_process(void (*fn)(void))
{
	pid_t pid = xfork();

	if (pid == 0)
		fn();
	return pid > 0 ? reap(pid) : -1;
}

/*
 * What the crowd's parent found (crowd()).  It may be killed half-way,
 * so it writes the whole report to the test's pipe each time it
 * changes, and the test keeps the last one that arrived whole.
 */
struct crowd_report {
	unsigned long	mib;		/* memory it filled */
	int		forked;		/* children forked so far */
	int		fork_errno;	/* why the next fork failed, or 0 */
	int		bad;		/* children that did not exit 0 */
	int		bad_status;	/* the first one's */
	int		parent_ok;	/* its memory held its own write and no child's */
	int		done;		/* it got to the end */
};

/*
 * The crowd's parent, a process of its own: when its fork is not what
 * the test wants it may run out of memory, and be killed, in a
 * copy-on-write fault of its own stack; the test survives to say so.
 * Fill memory but TCHILD_PAGES per child, fork TCHILD children, write
 * one page of its own, let them go, reap them, report on fd out.
 */
static void __attribute__((noreturn))
crowd(int out)
{
	struct crowd_report rep = { 0 };
	pid_t kids[TCHILD];
	char gos[TCHILD];
	int go[2];

	if (pipe(go) < 0)
		_exit(7);
	fill_memory(TCHILD * TCHILD_PAGES);
	rep.mib = npages * PAGE / MiB;
	write(out, &rep, sizeof(rep));
	while (rep.forked < TCHILD) {
		pid_t pid = fork();
		if (pid == 0)
			crowd_child(rep.forked, go, out);
		if (pid < 0) {
			rep.fork_errno = errno;
			write(out, &rep, sizeof(rep));
			break;
		}
		kids[rep.forked++] = pid;
		write(out, &rep, sizeof(rep));
	}
	WORD(0) = -100;		/* a write through a table all children share */
	memset(gos, 'g', sizeof(gos));
	write(go[1], gos, rep.forked);	/* all of them at once */
	for (int k = 0; k < rep.forked; k++) {
		int status = reap(kids[k]);
		if (status != 0 && rep.bad++ == 0)
			rep.bad_status = status;
	}
	rep.parent_ok = WORD(0) == -100;
	for (size_t i = 1; i < npages && rep.parent_ok; i++)
		rep.parent_ok = WORD(i) == (long)i;
	rep.done = 1;
	write(out, &rep, sizeof(rep));
	_exit(0);
}

/* Read exactly n bytes; 0 at end of file (or a short last piece). */
static int
read_full(int fd, void *p, size_t n)
{
	for (size_t got = 0; got < n; ) {
		ssize_t k = read(fd, (char *)p + got, n - got);
		if (k <= 0)
			return 0;
		got += k;
	}
	return 1;
}

static int
tables(void)
{
	struct crowd_report rep = { 0 }, last;
	int rp[2], status;
	char what[240];

	printf("1..8\n");
	verdict_plan(8);
	unsigned long free_start = freepages();
	if (pipe(rp) < 0) {
		perror("pipe");
		return 2;
	}

	/*
	 * 1-4: memory full but for TCHILD_PAGES pages per child.  Each
	 * child's fork may cost its kernel stack, the upper levels of its
	 * page tables and the few small tables (stack, text) not worth
	 * sharing, well under TCHILD_PAGES, but not a last-level table of
	 * its own for every VM_TABLE_SPAN of the parent (TMIN_MIB).
	 */
	pid_t pid = xfork();
	if (pid == 0)
		crowd(rp[1]);
	close(rp[1]);
	while (read_full(rp[0], &last, sizeof(last)))
		rep = last;
	close(rp[0]);
	status = pid > 0 ? reap(pid) : -1;
	if (!rep.done)
		printf("# the crowd's parent: %s after %d forks (killed: out of memory in a "
		    "copy-on-write fault, as its children's page tables took all of it?)\n",
		    status == -1 ? "?" : describe(status), rep.forked);
	printf("# %lu MiB touched (all memory but %d pages); per-page copy-on-write gives each "
	    "child %lu page tables of its own\n", rep.mib, TCHILD * TCHILD_PAGES,
	    rep.mib * MiB / VM_TABLE_SPAN);
	snprintf(what, sizeof(what), "a process holds all memory but %d pages "
	    "(%lu MiB, want >= %lu)", TCHILD * TCHILD_PAGES, rep.mib, TMIN_MIB);
	check(rep.mib >= TMIN_MIB, what);
	if (rep.fork_errno != 0)
		printf("# fork of child %d: %s (the page tables were not shared?)\n",
		    rep.forked + 1, strerror(rep.fork_errno));
	snprintf(what, sizeof(what), "%d children of a process with %lu MiB touched fit in "
	    "%d free pages: fork shares its page tables", TCHILD, rep.mib, TCHILD * TCHILD_PAGES);
	check(rep.forked == TCHILD, what);
	if (rep.bad != 0)
		printf("# %d children failed; the first: %s (2: it did not see the parent's memory, "
		    "3: its write did not stick or it saw another child's, 4: it saw the parent's "
		    "write after fork)\n", rep.bad, describe(rep.bad_status));
	check(rep.done && rep.bad == 0, "each child reads the parent's memory through "
	    "shared tables; its own write stays its own, and the parent's after fork stays the "
	    "parent's");
	check(rep.done && rep.parent_ok, "the parent's memory holds its own write and none of "
	    "the children's");
	/* 5: vmap pages in the tables, or in tables of their own. */
	status = in_own_process(vmap_neighbours);
	if (status != 0)
		printf("# the process with vmap pages: %s (killed by SIGSEGV: its write to a "
		    "vmap page faulted: its table was shared whole and write-protected; "
		    "5: the child did not see the write to the shared page; 6: the child saw a "
		    "write to a private page; 7: set-up failed)\n",
		    status == -1 ? "?" : describe(status));
	check(status == 0, "a shareable vmap page in a page table with 100 heap pages stays "
	    "shared at fork, the heap pages copy-on-write, a 6 MiB private vmap region copied");

	/* 6: /bin/cowpage's odd page has 70 pages of data in its table. */
	check(run_cowpage(), "a page writable inside a read-only region, in a table with 70 "
	    "more pages, is copied at fork: the child's writes to it stay in the child");

	/* 7: the kernel's writes into a buffer across two shared tables. */
	status = in_own_process(copyout_straddling);
	if (status != 0)
		printf("# the process reading across two tables: %s (2: the child's read failed; "
		    "3: the child saw the parent's read; 4: the child's read is wrong or spilled; "
		    "5: the parent's read is wrong, or holds the child's; 7: set-up failed)\n",
		    status == -1 ? "?" : describe(status));
	check(status == 0, "read(2) into a buffer across two page tables shared at fork: "
	    "parent and child each get their own bytes, and nothing of the other's");

	/* 8: everything given back. */
	unsigned long free_end = freepages();
	printf("# free pages: %lu at the start, %lu at the end\n", free_start, free_end);
	check(free_end == free_start, "no page leaks and no double frees: every shared table "
	    "and every page is freed by its last holder");
	return nfail != 0;
}

/* ---- cowtest bench ------------------------------------------------------------------ */

static int
bench(int mib, int n)
{
	buf_alloc((size_t)mib * MiB);
	buf_fill(0);
	unsigned long t0 = uptime();
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			printf("# bench: fork %d: %s\n", i, strerror(errno));
			return 1;
		}
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	unsigned long ms = uptime() - t0;
	if (ms == 0)
		ms = 1;
	unsigned long tenths = (unsigned long)n * 10000 / ms;
	printf("# bench: %d x fork+exit+wait, %d MiB touched: %lu ms, %lu.%lu per second\n",
	    n, mib, ms, tenths / 10, tenths % 10);
	return 0;
}

int
main(int argc, char *argv[])
{
	verdict_begin(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "big") == 0)
		return big();
	if (argc >= 2 && strcmp(argv[1], "concurrent") == 0)
		return concurrent();
	if (argc >= 2 && strcmp(argv[1], "tables") == 0)
		return tables();
	if (argc >= 4 && strcmp(argv[1], "bench") == 0)
		return bench(atoi(argv[2]), atoi(argv[3]));
	if (argc >= 2) {
		fprintf(stderr, "usage: cowtest [big | concurrent | tables | bench MiB N]\n");
		return 2;
	}
	return basic();
}
