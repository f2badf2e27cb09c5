/*
 * vmaptest: tests of vmap(2), vunmap(2), vctl(2) and the owners of shared
 * pages, printing TAP for the grader (grade/tests/test_vmem.py).  Groups:
 *
 *	vmaptest core		core: vmap, vunmap, vctl, fork partners, second owner
 *	vmaptest share-vmem	stage share-vmem: MAKECXT_SHARE_VMEM families, makecxt partners
 *	vmaptest copy-shared	stage copy-shared: MAKECXT_COPY_SHARED
 *	vmaptest -l		list the groups and their tests
 *	vmaptest GROUP name...	only the named tests of a group
 *
 * Each test runs in its own child process (run_test): a crash fails that
 * test only.  Several tests need helper processes that answer questions
 * about a shared page from their own point of view: an *agent* (a fork
 * child running agent_loop) reads one-byte commands from a pipe and
 * writes a struct reply back.
 */
#include <aqua/context.h>
#include <aqua/memory.h>
#include <aqua/syscall.h>
#include <aqua/sysinfo.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <thread.h>
#include <unistd.h>
#include <machine/frame.h>	/* MD_ENTRY_SP */
#include <machine/vmparam.h>	/* VM_MAXUSER_ADDRESS */

#define PAGE		4096UL
#define DELTA		0x10000000UL	/* makecxt ranges land 256 MiB higher */
#define KADDR_X86	0xffff800000000000UL
#define KADDR_RV	0xffffffc000000000UL

extern char cxt_blob_call_exit[];

/* ---- reporting: diag, CHECK, REQUIRE, EXPECT_ERR (tap.h) -------------------- */

#include "tap.h"

static unsigned long
freepages(void)
{
	struct sysinfo si;

	if (sysinfo(&si) != 0)
		return 0;
	return si.freepages;
}

/*
 * Wait (up to 10 s) for the free-page count to come back to want: a
 * process that exited is torn down a moment after its parent saw it.
 */
static unsigned long
settle(unsigned long want)
{
	unsigned long now = freepages();

	for (int i = 0; i < 1000 && now != want; i++) {
		msleep(10);
		now = freepages();
	}
	return now;
}

static void *
vmap_page(int flags, int second, int sprot)
{
	struct vmap_conv c = { second, sprot };

	return vmap(NULL, PAGE, PROT_READ | PROT_WRITE, flags, NULL, &c);
}

/* Is pid in pids[0..n)? */
static int
has(const int *pids, int n, int pid)
{
	for (int i = 0; i < n; i++)
		if (pids[i] == pid)
			return 1;
	return 0;
}

/* ---- agents ------------------------------------------------------------------- */

static char *volatile agent_page;	/* the page agents talk about (same address in fork children) */

struct reply {
	long	r;		/* result (a count, or -errno) */
	int	pids[8];
	char	data[16];
};

struct agent {
	pid_t	pid;
	int	cmd, rep;	/* our ends */
};

static void
agent_loop(int cmd, int rep)
{
	char c;

	while (read(cmd, &c, 1) == 1) {
		struct reply r;
		memset(&r, 0, sizeof(r));
		switch (c) {
		case 'o':
		case 'p':
			r.r = vctl(agent_page, c == 'o' ? VCTL_OWNERS : VCTL_PARTNERS, r.pids, 8);
			if (r.r < 0)
				r.r = -errno;
			break;
		case 'd':
			memcpy(r.data, agent_page, sizeof(r.data));
			break;
		case 'i':
			r.r = vctl(agent_page, VCTL_ISOWNER, NULL, 0);
			break;
		case 'q':
			_exit(0);
		}
		write(rep, &r, sizeof(r));
	}
	_exit(0);
}

/* Ask; -1 if the agent is gone. */
static int
ask(struct agent *a, char c, struct reply *r)
{
	memset(r, 0, sizeof(*r));
	if (write(a->cmd, &c, 1) != 1)
		return -1;
	return read(a->rep, r, sizeof(*r)) == (long)sizeof(*r) ? 0 : -1;
}

/*
 * Ask for owners until exactly want[0..n) are listed (up to 10 s); 1 if so.
 * Once one wait has failed, the later ones of the scenario look only once,
 * so that a wrong kernel gets its failure messages before the grader's
 * time-out, not a time-out.
 */
static int owners_failed;

static int
owners_become(struct agent *a, const int *want, int n, struct reply *r)
{
	for (int tries = 0; tries < (owners_failed ? 1 : 1000); tries++) {
		if (ask(a, 'o', r) != 0)
			return 0;
		int ok = r->r == n;
		for (int i = 0; ok && i < n; i++)
			ok = has(r->pids, n, want[i]);
		if (ok)
			return 1;
		msleep(10);
	}
	owners_failed = 1;
	return 0;
}

static void
agent_stop(struct agent *a)
{
	char c = 'q';

	write(a->cmd, &c, 1);
	close(a->cmd);
	close(a->rep);
}

/* A child that waits for one byte on a pipe (or its end), then exits 0. */
static pid_t
sleeper(int *wakefd)
{
	int p[2];
	pid_t pid;

	if (pipe(p) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		char c;
		close(p[1]);
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	*wakefd = p[1];
	return pid;
}

static void
wake(int fd)
{
	write(fd, "x", 1);
	close(fd);
}

/* ---- group core ------------------------------------------------------------------- */

/* Anonymous memory: zeroed, readable and writable, at a hint, at a fixed place. */
static int
t_basic(void)
{
	char *a = vmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, 0, NULL, NULL);
	int zero = 1;

	REQUIRE(a != VMAP_FAILED, "vmap 3 pages: %s", strerror(errno));
	CHECK((uintptr_t)a % PAGE == 0, "vmap returned %p, not page aligned", a);
	for (unsigned long i = 0; i < 3 * PAGE; i++)
		if (a[i] != 0)
			zero = 0;
	CHECK(zero, "new vmap memory is not zeroed");
	memset(a, 0x5a, 3 * PAGE);
	CHECK(a[3 * PAGE - 1] == 0x5a, "cannot write the last byte");

	/* Fixed: exactly there; over an existing mapping: EEXIST. */
	char *want = a + 16 * PAGE;
	char *f = vmap(want, PAGE, PROT_READ | PROT_WRITE, VMAP_FIXED, NULL, NULL);
	CHECK(f == want, "VMAP_FIXED at %p gave %p (%s)", want, f, strerror(errno));
	EXPECT_ERR((long)vmap(a + PAGE, PAGE, PROT_READ, VMAP_FIXED, NULL, NULL), EEXIST,
	    "VMAP_FIXED over a vmap region");
	EXPECT_ERR((long)vmap((void *)((uintptr_t)&failures & ~(PAGE - 1)), PAGE, PROT_READ,
	    VMAP_FIXED, NULL, NULL), EEXIST, "VMAP_FIXED over our data");
	/* A hint that is taken is only a hint. */
	char *h = vmap(a, PAGE, PROT_READ, 0, NULL, NULL);
	CHECK(h != VMAP_FAILED && h != a, "a taken hint gave %p (%s)", h, strerror(errno));

	/* vunmap the middle page: the others stay, the middle one is gone. */
	CHECK(vunmap(a + PAGE, PAGE) == 0, "vunmap middle page: %s", strerror(errno));
	CHECK(a[0] == 0x5a && a[2 * PAGE] == 0x5a, "pages around a vunmap'd one changed");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		a[PAGE] = 1;		/* must fault */
		_exit(0);
	}
	int status = wait_for(pid);
	CHECK(status != -1 && WIFSIGNALED(status),
	    "touching a vunmap'd page: %s, want killed by a signal", describe(status));
	/* The hole can be mapped again, fixed. */
	CHECK(vmap(a + PAGE, PAGE, PROT_READ, VMAP_FIXED, NULL, NULL) == a + PAGE,
	    "VMAP_FIXED into the hole: %s", strerror(errno));
	CHECK(vunmap(a, 3 * PAGE) == 0 && vunmap(f, PAGE) == 0 && vunmap(h, PAGE) == 0,
	    "vunmap: %s", strerror(errno));
	/* Unmapping nothing is fine. */
	CHECK(vunmap(a, PAGE) == 0, "vunmap of a hole: %s", strerror(errno));
	return failures;
}

/* One round of bad calls (errors). */
static void
error_calls(void)
{
	char *p = vmap_page(VMAP_SHARE, 0, PROT_READ);
	struct vmap_conv c = { 0, PROT_READ }, bad = { -5, PROT_READ }, bad2 = { 0, 0x80 };
	int pids[4];

	if (p == VMAP_FAILED) {
		diag("vmap: %s", strerror(errno));
		failures++;
		return;
	}
	EXPECT_ERR((long)vmap(NULL, 0, PROT_READ, 0, NULL, NULL), EINVAL, "vmap size 0");
	EXPECT_ERR((long)vmap((void *)0x40000123, PAGE, PROT_READ, VMAP_FIXED, NULL, NULL), EINVAL,
	    "vmap unaligned fixed address");
	EXPECT_ERR((long)vmap((void *)KADDR_X86, PAGE, PROT_READ, VMAP_FIXED, NULL, NULL), EINVAL,
	    "vmap fixed 0xffff800000000000");
	EXPECT_ERR((long)vmap((void *)KADDR_RV, PAGE, PROT_READ, VMAP_FIXED, NULL, NULL), EINVAL,
	    "vmap fixed 0xffffffc000000000");
	EXPECT_ERR((long)vmap(NULL, PAGE, PROT_READ, VMAP_FIXED, NULL, NULL), EINVAL, "vmap fixed NULL");
	EXPECT_ERR((long)vmap(NULL, PAGE, PROT_READ, 0x100, NULL, NULL), EINVAL, "vmap unknown flag");
	EXPECT_ERR((long)vmap(NULL, PAGE, 0x10 | PROT_READ, 0, NULL, NULL), EINVAL, "vmap unknown prot");
	EXPECT_ERR((long)vmap(NULL, PAGE, PROT_WRITE, 0, NULL, NULL), EINVAL, "vmap without PROT_READ");
	EXPECT_ERR((long)vmap(NULL, PAGE, PROT_READ, 0, (void *)0x1000, NULL), EINVAL, "vmap phys_part");
	EXPECT_ERR((long)vmap(NULL, 1UL << 46, PROT_READ, 0, NULL, NULL), ENOMEM, "vmap 64 TiB");
	EXPECT_ERR((long)vmap(NULL, PAGE, PROT_READ, VMAP_SHARE, NULL, (void *)KADDR_X86), EFAULT,
	    "vmap conv at a kernel address");
	EXPECT_ERR((long)vmap(NULL, PAGE, PROT_READ, VMAP_SHARE, NULL, &bad), EINVAL,
	    "vmap second_owner -5");
	EXPECT_ERR((long)vmap(NULL, PAGE, PROT_READ, VMAP_SHARE, NULL, &bad2), EINVAL,
	    "vmap shared_prot 0x80");
	EXPECT_ERR(vunmap(p + 1, PAGE), EINVAL, "vunmap unaligned");
	EXPECT_ERR(vunmap(p, 0), EINVAL, "vunmap size 0");
	EXPECT_ERR(vunmap((void *)KADDR_X86, PAGE), EINVAL, "vunmap kernel address");
	EXPECT_ERR(vunmap((void *)((uintptr_t)&failures & ~(PAGE - 1)), PAGE), EINVAL,
	    "vunmap of our data (not vmap memory)");
	EXPECT_ERR(vctl(p, 99, NULL, 0), EINVAL, "vctl unknown option 99");
	EXPECT_ERR(vctl(p, 0, NULL, 0), EINVAL, "vctl unknown option 0");
	EXPECT_ERR(vctl((void *)KADDR_X86, VCTL_GETSTATUS, NULL, 0), EFAULT, "vctl kernel address");
	EXPECT_ERR(vctl((void *)KADDR_RV, VCTL_GETSTATUS, NULL, 0), EFAULT, "vctl kernel address (2)");
	EXPECT_ERR(vctl((void *)0x1000000000UL, VCTL_GETSTATUS, NULL, 0), EFAULT, "vctl unmapped");
	EXPECT_ERR(vctl(p, VCTL_GETCONV, (void *)KADDR_X86, 0), EFAULT, "vctl GETCONV to kernel");
	EXPECT_ERR(vctl(p, VCTL_SETCONV, (void *)KADDR_X86, 0), EFAULT, "vctl SETCONV from kernel");
	EXPECT_ERR(vctl(p, VCTL_SETCONV, &bad, 0), EINVAL, "vctl SETCONV second_owner -5");
	EXPECT_ERR(vctl(p, VCTL_SETSTATUS, (void *)7, 0), EINVAL, "vctl SETSTATUS 7");
	EXPECT_ERR(vctl(p, VCTL_SETTERM, (void *)2, 0), EINVAL, "vctl SETTERM 2");
	EXPECT_ERR(vctl(p, VCTL_OWNERS, (void *)KADDR_X86, 4), EFAULT, "vctl OWNERS to kernel");
	EXPECT_ERR(vctl(p, VCTL_OWNERS, NULL, 4), EFAULT, "vctl OWNERS to NULL with n 4");
	EXPECT_ERR(vctl((void *)((uintptr_t)&failures), VCTL_SETSTATUS, (void *)VSTAT_SHARED, 0),
	    EINVAL, "vctl SETSTATUS on our data (not vmap memory)");
	EXPECT_ERR(vctl((void *)((uintptr_t)&failures), VCTL_GETCONV, &c, 0), EINVAL,
	    "vctl GETCONV of a private page");
	CHECK(vctl(p, VCTL_OWNERS, pids, 0) == 1, "vctl OWNERS with n 0: %s", strerror(errno));
	vunmap(p, PAGE);
}

/* Bad input: the documented errors, no panic, no leak. */
static int
t_errors(void)
{
	unsigned long before = 0, after;

	for (int round = 0; round < 2; round++) {
		before = freepages();
		error_calls();
		if (failures)
			return failures;
	}
	after = settle(before);
	CHECK(after == before, "%lu free pages before a round of bad calls, %lu after", before, after);
	return failures;
}

/* vctl on our own pages: statuses, the convention, owners, terminate. */
static int
t_vctl(void)
{
	char *p = vmap_page(0, 0, 0), *s = vmap_page(VMAP_SHARE | VMAP_TERMINATE, 77, PROT_READ);
	struct vmap_conv c;
	int pids[4];

	REQUIRE(p != VMAP_FAILED && s != VMAP_FAILED, "vmap: %s", strerror(errno));
	CHECK(vctl(p, VCTL_GETSTATUS, NULL, 0) == VSTAT_PRIVATE, "private page: status not 0");
	CHECK(vctl(s + 100, VCTL_GETSTATUS, NULL, 0) == VSTAT_SHARED, "VMAP_SHARE page: status not 2");
	CHECK(vctl((void *)&failures, VCTL_GETSTATUS, NULL, 0) == VSTAT_PRIVATE, "our data: status not 0");
	CHECK(vctl(s, VCTL_GETCONV, &c, 0) == 0 && c.second_owner == 77 && c.shared_prot == PROT_READ,
	    "GETCONV: {%d, %d}, want {77, %d}", c.second_owner, c.shared_prot, PROT_READ);
	c.second_owner = 0;
	c.shared_prot = PROT_READ | PROT_WRITE;
	CHECK(vctl(s, VCTL_SETCONV, &c, 0) == 0, "SETCONV by the owner: %s", strerror(errno));
	memset(&c, 0, sizeof(c));
	vctl(s, VCTL_GETCONV, &c, 0);
	CHECK(c.second_owner == 0 && c.shared_prot == (PROT_READ | PROT_WRITE), "SETCONV did not stick");
	CHECK(vctl(s, VCTL_GETTERM, NULL, 0) == 1, "VMAP_TERMINATE page: GETTERM not 1");
	CHECK(vctl(s, VCTL_SETTERM, (void *)0, 0) == 0 && vctl(s, VCTL_GETTERM, NULL, 0) == 0,
	    "SETTERM 0 did not stick");
	CHECK(vctl(s, VCTL_ISOWNER, NULL, 0) == 1, "the maker is not an owner");
	CHECK(vctl(s, VCTL_OWNERS, pids, 4) == 1 && pids[0] == getpid(),
	    "owners: want just us (%d)", getpid());
	CHECK(vctl(s, VCTL_PARTNERS, pids, 4) == 0, "partners of a new page: not 0");

	/* A private vmap page becomes shared, local, private again. */
	CHECK(vctl(p, VCTL_SETSTATUS, (void *)VSTAT_SHARED, 0) == 0, "SETSTATUS shared: %s", strerror(errno));
	CHECK(vctl(p, VCTL_GETSTATUS, NULL, 0) == VSTAT_SHARED, "status after SETSTATUS 2");
	CHECK(vctl(p, VCTL_SETSTATUS, (void *)VSTAT_LOCAL, 0) == 0 &&
	    vctl(p, VCTL_GETSTATUS, NULL, 0) == VSTAT_LOCAL, "SETSTATUS local");
	CHECK(vctl(p, VCTL_SETSTATUS, (void *)VSTAT_PRIVATE, 0) == 0 &&
	    vctl(p, VCTL_GETSTATUS, NULL, 0) == VSTAT_PRIVATE, "SETSTATUS private");
	CHECK(vctl(p, VCTL_OWNERS, pids, 4) == 1 && pids[0] == getpid(), "owners of a private page");
	vunmap(p, PAGE);
	vunmap(s, PAGE);
	return failures;
}

/*
 * fork and shareable pages: the child of fork is a partner of a shared
 * page (the same page, with shared_prot & prot), gets a copy of a
 * private or a locally shared one, and cannot change the convention.
 */
static int
t_fork_partner(void)
{
	char *rw = vmap_page(VMAP_SHARE, 0, PROT_READ | PROT_WRITE);
	char *ro = vmap_page(VMAP_SHARE, 0, PROT_READ);
	char *pv = vmap_page(0, 0, 0);
	char *lo = vmap_page(VMAP_SHARE, 0, PROT_READ | PROT_WRITE);
	int p[2], q[2], status, pids[4];
	pid_t pid;

	REQUIRE(rw != VMAP_FAILED && ro != VMAP_FAILED && pv != VMAP_FAILED && lo != VMAP_FAILED,
	    "vmap: %s", strerror(errno));
	REQUIRE(vctl(lo, VCTL_SETSTATUS, (void *)VSTAT_LOCAL, 0) == 0, "SETSTATUS local: %s", strerror(errno));
	strcpy(rw, "parent");
	strcpy(ro, "readonly");
	strcpy(pv, "private");
	strcpy(lo, "local");
	REQUIRE(pipe(p) == 0 && pipe(q) == 0, "pipe");
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct vmap_conv c = { 0, PROT_READ };
		int bad = 0;
		char ch;
		if (vctl(rw, VCTL_GETSTATUS, NULL, 0) != VSTAT_SHARED || strcmp(rw, "parent") != 0)
			bad |= 1;
		if (vctl(rw, VCTL_ISOWNER, NULL, 0) != 0)
			bad |= 2;
		if (vctl(rw, VCTL_SETCONV, &c, 0) != -1 || errno != EPERM)
			bad |= 4;
		if (vctl(pv, VCTL_GETSTATUS, NULL, 0) != VSTAT_PRIVATE || vctl(lo, VCTL_GETSTATUS, NULL, 0) != VSTAT_PRIVATE)
			bad |= 8;
		if (strcmp(ro, "readonly") != 0 || strcmp(lo, "local") != 0)
			bad |= 16;
		if (vctl(rw, VCTL_SETTERM, (void *)1, 0) != -1 || errno != EPERM)
			bad |= 32;
		strcpy(rw, "child");	/* shared: the parent sees it */
		strcpy(pv, "mine");	/* private copies: it does not */
		strcpy(lo, "mine");
		write(p[1], "x", 1);
		read(q[0], &ch, 1);	/* wait until the parent looked */
		_exit(bad);
	}
	char ch;
	read(p[0], &ch, 1);
	CHECK(strcmp(rw, "child") == 0, "the child's write to a shared page: we see \"%s\"", rw);
	CHECK(strcmp(pv, "private") == 0, "the child's write to a private vmap page reached us");
	CHECK(strcmp(lo, "local") == 0, "the child's write to a locally shared page reached us");
	CHECK(vctl(rw, VCTL_PARTNERS, pids, 4) == 1 && pids[0] == pid,
	    "partners of the shared page: want the child %d", pid);
	CHECK(vctl(pv, VCTL_PARTNERS, pids, 4) == 0, "a private page has partners");
	write(q[1], "y", 1);
	status = wait_for(pid);
	CHECK(exited_with(status, 0), "the child's checks: %s (bits: 1 status/data, 2 isowner, "
	    "4 SETCONV not EPERM, 8 private/local status, 16 data, 32 SETTERM)", describe(status));
	CHECK(vctl(rw, VCTL_PARTNERS, pids, 4) == 0, "partners after the child exited: not 0");

	/* A partner without PROT_WRITE in shared_prot cannot write: a fault, not a copy. */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		ro[0] = 'X';
		_exit(0);
	}
	status = wait_for(pid);
	CHECK(status != -1 && WIFSIGNALED(status),
	    "a partner writing a read-only shared page: %s, want killed by a signal", describe(status));
	CHECK(strcmp(ro, "readonly") == 0, "the read-only shared page changed");
	/* ... and neither can the kernel for it (read(2) into it: EFAULT). */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		int q[2];
		pipe(q);
		write(q[1], "zz", 2);
		_exit(read(q[0], ro, 2) == -1 && errno == EFAULT ? 0 : 1);
	}
	status = wait_for(pid);
	CHECK(exited_with(status, 0), "read(2) into a partner's read-only page: %s, want EFAULT",
	    describe(status));
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	vunmap(rw, PAGE);
	vunmap(ro, PAGE);
	vunmap(pv, PAGE);
	vunmap(lo, PAGE);
	return failures;
}

/* An agent forked by the caller, on pipes cmd[] and rep[] that someone else may have made. */
static pid_t
agent_fork(int cmd[2], int rep[2])
{
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		agent_loop(cmd[0], rep[1]);
	}
	return pid;
}

/* Our side of an agent that a child of ours forks on pipes we made. */
static void
agent_adopt(struct agent *a, int cmd[2], int rep[2])
{
	close(cmd[0]);
	close(rep[1]);
	a->cmd = cmd[1];
	a->rep = rep[0];
}

static void
show(const char *what, const struct reply *r)
{
	diag("%s: count %ld, pids %d %d %d", what, r->r, r->pids[0], r->pids[1], r->pids[2]);
}

/*
 * The ownership scenario of the man page, seen by a partner.  We fork the
 * second owner S (it maps nothing) and the maker M.  M vmaps a shared
 * page with convention { S, PROT_READ } and, when family is set, makes a
 * MAKECXT_SHARE_VMEM sibling F; then it forks the partner P, an agent.
 * We then let M exit, F exit, S exit, and P tells us the owners after
 * each step:  {M, F} -> {F} -> {S} -> {} (without F: {M} -> {S} -> {}),
 * while the page keeps its data for P.  Returns failures.
 */
static char sibstack[8192] __attribute__((aligned(16)));

/* A MAKECXT_SHARE_VMEM sibling: waits for a byte on fd, then exits 0. */
static void __attribute__((noreturn))
sibling_wait(long fd)
{
	char c;

	read((int)fd, &c, 1);
	_exit(0);
}

/* Registers for a sibling running fn(arg) on sibstack (in the shared memory). */
static void
sibling_cxt(struct aqua_makecxt_data *c, void (*fn)(long), long arg)
{
	unsigned long sp = MD_ENTRY_SP((unsigned long)(sibstack + sizeof(sibstack) - 16));

	memset(c, 0, sizeof(*c));
	AQUA_REG_PC(&c->registers) = (unsigned long)fn;
	AQUA_REG_SP(&c->registers) = sp;
	AQUA_REG_ARG0(&c->registers) = (unsigned long)arg;
}

static int
ownership_scenario(int family)
{
	int cmd[2], rep[2], mp[2], fp[2], info[2], sfd, status;
	pid_t s, m, ids[2];
	struct agent ag;
	struct reply r;

	owners_failed = 0;
	REQUIRE((s = sleeper(&sfd)) > 0, "fork the second owner");
	REQUIRE(pipe(cmd) == 0 && pipe(rep) == 0 && pipe(mp) == 0 && pipe(fp) == 0 &&
	    pipe(info) == 0, "pipe: %s", strerror(errno));
	fflush(stdout);
	if ((m = fork()) == 0) {
		struct aqua_makecxt_data c;
		char ch;
		ids[0] = ids[1] = -1;
		agent_page = vmap_page(VMAP_SHARE, s, PROT_READ);
		if (agent_page != VMAP_FAILED) {
			strcpy(agent_page, "treasure");
			if (family) {
				sibling_cxt(&c, sibling_wait, fp[0]);
				ids[1] = makecxt(NULL, NULL, 0, &c, 0, MAKECXT_SHARE_VMEM);
				if (ids[1] < 0)
					printf("# makecxt(MAKECXT_SHARE_VMEM): %s\n", strerror(errno));
			}
			if (!family || ids[1] > 0)
				ids[0] = agent_fork(cmd, rep);
		}
		write(info[1], ids, sizeof(ids));
		read(mp[0], &ch, 1);
		_exit(0);
	}
	agent_adopt(&ag, cmd, rep);
	if (read(info[0], ids, sizeof(ids)) != sizeof(ids) || ids[0] <= 0) {
		wake(mp[1]);		/* the maker waits for this byte before it exits */
		wait_for(m);
		wake(sfd);
		wait_for(s);
		REQUIRE(0, "the maker could not set up the scenario");
	}
	ag.pid = ids[0];
	pid_t f = ids[1];

	int w1[] = { m, f };
	if (!owners_become(&ag, w1, family ? 2 : 1, &r)) {
		show("owners at first", &r);
		CHECK(0, "owners at first: want the maker %d%s", m, family ? " and the sibling (a "
		    "MAKECXT_SHARE_VMEM sibling uses the maker's very address space, which makes it a "
		    "first-place owner)" : "");
	}
	CHECK(ask(&ag, 'p', &r) == 0 && r.r == 1 && r.pids[0] == ag.pid,
	    "partners: count %ld first %d, want just the agent %d", r.r, r.pids[0], ag.pid);
	CHECK(ask(&ag, 'i', &r) == 0 && r.r == 0, "the partner says it is an owner");

	wake(mp[1]);			/* the maker exits (exit(2), not a kill) */
	status = wait_for(m);
	CHECK(exited_with(status, 0), "the maker: %s", describe(status));
	if (family) {
		int w2[] = { f };
		if (!owners_become(&ag, w2, 1, &r)) {
			show("owners after the maker's exit", &r);
			CHECK(0, "after the maker's exit: want the sibling %d alone (a first-place "
			    "owner is left: the second owner must wait; if the sibling is gone too, "
			    "the maker's exit(2) ended it -- a MAKECXT_SHARE_VMEM sibling is a process "
			    "of its own, marked P_FAMILY, not a thread)", f);
		}
		wake(fp[1]);		/* the sibling exits: the family is gone */
	}
	int w3[] = { s };
	if (!owners_become(&ag, w3, 1, &r)) {
		show("owners after the family's end", &r);
		CHECK(0, "after the last first-place owner's exit: want the second owner %d", s);
	}
	wake(sfd);
	status = wait_for(s);
	if (!owners_become(&ag, NULL, 0, &r)) {
		show("owners after the second owner's exit", &r);
		CHECK(0, "after the second owner's exit: want no owner");
	}
	CHECK(ask(&ag, 'd', &r) == 0 && strcmp(r.data, "treasure") == 0,
	    "the page, read by the partner at the end: \"%.15s\", want \"treasure\"", r.data);
	agent_stop(&ag);
	close(info[0]);
	close(info[1]);
	close(fp[0]);
	if (!family)
		close(fp[1]);
	close(mp[0]);
	return failures;
}

/* Maker dies: second owner owns; it dies: nobody; the partner keeps the page. */
static int
t_second_owner(void)
{
	return ownership_scenario(0);
}

/*
 * Four partners fork partners of their own (16 each) while we query the
 * owner lists and map and unmap other shared pages: on several CPUs the
 * records, the page references and the lists must stay right.
 */
static int
t_concurrent(void)
{
	char *pages[4];
	int pids[8], status;
	pid_t workers[4];

	for (int i = 0; i < 4; i++) {
		pages[i] = vmap_page(VMAP_SHARE, 0, PROT_READ | PROT_WRITE);
		REQUIRE(pages[i] != VMAP_FAILED, "vmap: %s", strerror(errno));
		pages[i][0] = (char)i;
	}
	for (int w = 0; w < 4; w++) {
		fflush(stdout);
		if ((workers[w] = fork()) == 0) {
			int bad = 0;
			for (int j = 0; j < 16; j++) {
				pid_t pid = fork();
				if (pid == 0) {
					char *pg = pages[j % 4];
					int ok = pg[0] == (char)(j % 4) &&
					    vctl(pg, VCTL_GETSTATUS, NULL, 0) == VSTAT_SHARED &&
					    vctl(pg, VCTL_ISOWNER, NULL, 0) == 0;
					((volatile char *)pg)[64 + w]++;	/* one grandchild of w at a time */
					_exit(ok ? 0 : 1);
				}
				if (pid < 0 || !exited_with(wait_for(pid), 0))
					bad++;
				if (vctl(pages[w], VCTL_OWNERS, pids, 8) != 1)
					bad++;
			}
			_exit(bad);
		}
	}
	for (int round = 0; round < 30; round++) {
		char *tmp = vmap_page(VMAP_SHARE, 0, PROT_READ);
		CHECK(tmp != VMAP_FAILED, "vmap while the partners work: %s", strerror(errno));
		for (int i = 0; i < 4; i++) {
			long n = vctl(pages[i], VCTL_PARTNERS, pids, 8);
			CHECK(n >= 0 && n <= 8, "partners of page %d: %ld", i, n);
		}
		if (tmp != VMAP_FAILED)
			vunmap(tmp, PAGE);
	}
	for (int w = 0; w < 4; w++) {
		status = wait_for(workers[w]);
		CHECK(exited_with(status, 0), "worker %d: %s (bad checks)", w, describe(status));
	}
	for (int i = 0; i < 4; i++) {
		int sum = 0;
		for (int w = 0; w < 4; w++)
			sum += pages[i][64 + w];
		CHECK(sum == 16, "page %d got %d increments from the grandchildren, want 16", i, sum);
		CHECK(vctl(pages[i], VCTL_PARTNERS, pids, 8) == 0, "page %d still has partners", i);
		vunmap(pages[i], PAGE);
	}
	return failures;
}

/* Two rounds of each scenario; the second measured: every page back. */
static int
leak_rounds(int (*round)(void))
{
	unsigned long before = 0, after;

	for (int i = 0; i < 2; i++) {
		before = settle(freepages());
		if (round() != 0)
			return 1;
	}
	after = settle(before);
	CHECK(after == before, "%lu free pages before a round, %lu after", before, after);
	return failures;
}

static int
core_round(void)
{
	return t_basic() || t_vctl() || t_fork_partner() || t_second_owner() || t_concurrent();
}

static int
t_core_no_leak(void)
{
	return leak_rounds(core_round);
}

/*
 * Page tables are not a free resource.  vmap and vunmap one page at
 * scattered addresses -- each in its own gigabyte, so each needs page
 * tables of its own -- for more rounds than free memory could give those
 * tables if they stayed: the free count must stay where it was (the
 * kernel frees a table page once it is empty), and come back at the end.
 * On a kernel that kept them (3 pages per round on x86_64, 1-2 on
 * RISC-V) the first check below fails after 512 rounds.
 */
#define PT_USER_TOP	VM_MAXUSER_ADDRESS
#define PT_GIB		(1UL << 30)

static int
t_pt_scatter(void)
{
	unsigned long start = settle(freepages()), ngib = PT_USER_TOP / PT_GIB - 4;
	unsigned long rounds = start + 1024, low = start;

	for (unsigned long i = 0; i < rounds; i++) {
		uintptr_t va = (2 + i % ngib) * PT_GIB + (i / ngib % 512) * (2UL << 20);
		char *p = vmap((void *)va, PAGE, PROT_READ | PROT_WRITE, VMAP_FIXED, NULL, NULL);
		REQUIRE(p == (char *)va, "round %lu: vmap at 0x%lx: %s", i, (unsigned long)va,
		    p == VMAP_FAILED ? strerror(errno) : "another address");
		p[0] = 1;
		REQUIRE(vunmap(p, PAGE) == 0, "round %lu: vunmap: %s", i, strerror(errno));
		if (i % 512 == 511) {
			unsigned long now = freepages();
			low = now < low ? now : low;
			REQUIRE(now + 64 >= start, "after %lu rounds of vmap/vunmap at scattered "
			    "addresses, %lu fewer free pages (%lu -> %lu): page tables kept for "
			    "nothing mapped", i + 1, start - now, start, now);
		}
	}
	unsigned long end = settle(start);
	CHECK(end == start, "%lu rounds: %lu free pages before, %lu after (lowest %lu)",
	    rounds, start, end, low);
	return failures;
}

/* ---- group share-vmem ------------------------------------------------------------- */

/* The man page's family: maker, MAKECXT_SHARE_VMEM sibling, second owner, partner. */
static int
t_family(void)
{
	return ownership_scenario(1);
}

static volatile int sib_flag;
static char *volatile sib_later;

/* A sibling: wait for sib_flag 1, write into *sib_later, set sib_flag 2, exit 7. */
static void __attribute__((noreturn))
sibling_mem(long arg)
{
	(void)arg;
	for (int i = 0; i < 1000 && sib_flag != 1; i++)
		msleep(10);
	if (sib_flag == 1 && sib_later != NULL)
		strcpy(sib_later, "from the sibling");
	sib_flag = 2;
	_exit(7);
}

/*
 * The sibling shares the whole address space, even what is mapped after
 * it was made; it is a first-place owner of our shared pages; it is our
 * child; destination, src and refsize are not used.
 */
static int
t_sibling_memory(void)
{
	struct aqua_makecxt_data c;
	int pids[4], status;
	pid_t f;

	sib_flag = 0;
	sib_later = NULL;
	sibling_cxt(&c, sibling_mem, 0);
	f = makecxt(NULL, NULL, 0, &c, 0, MAKECXT_SHARE_VMEM);
	REQUIRE(f > 0, "makecxt(MAKECXT_SHARE_VMEM): %s", strerror(errno));
	char *later = vmap_page(0, 0, 0), *sh = vmap_page(VMAP_SHARE, 0, PROT_READ);
	REQUIRE(later != VMAP_FAILED && sh != VMAP_FAILED, "vmap: %s", strerror(errno));
	long n = vctl(sh, VCTL_OWNERS, pids, 4);
	CHECK(n == 2 && has(pids, 2, getpid()) && has(pids, 2, f),
	    "owners of our new shared page: count %ld, want us and the sibling %d", n, f);
	CHECK(vctl(sh, VCTL_PARTNERS, pids, 4) == 0, "the sibling is listed as a partner");
	strcpy(later, "hello");
	sib_later = later;
	sib_flag = 1;
	for (int i = 0; i < 1000 && sib_flag != 2; i++)
		msleep(10);
	CHECK(sib_flag == 2, "the sibling never answered through our memory (in 10 s): it does not "
	    "share our address space -- MAKECXT_SHARE_VMEM must give it our very vmspace, not a copy");
	CHECK(strcmp(later, "from the sibling") == 0,
	    "a page vmap'd after makecxt, written by the sibling: \"%s\"", later);
	status = wait_for(f);
	CHECK(exited_with(status, 7), "the sibling (our child): %s, want exit status 7", describe(status));
	n = vctl(sh, VCTL_OWNERS, pids, 4);
	CHECK(n == 1 && pids[0] == getpid(), "owners after the sibling's exit: count %ld", n);
	EXPECT_ERR(makecxt(NULL, NULL, 0, NULL, 0, MAKECXT_SHARE_VMEM), EINVAL,
	    "MAKECXT_SHARE_VMEM without cxt");
	vunmap(later, PAGE);
	vunmap(sh, PAGE);
	return failures;
}

static volatile int thr_ask, thr_answer;

/*
 * A thread of ours: waits for thr_ask, then answers it.  No time limit:
 * host load may stretch any wait, and a thread that is killed never
 * answers whatever we wait (the grader's time limit ends that case).
 */
static void *
waiting_thread(void *arg)
{
	(void)arg;
	while (thr_ask == 0)
		msleep(10);
	thr_answer = thr_ask;
	return NULL;
}

/* A sibling that exits at once, with status arg. */
static void __attribute__((noreturn))
sibling_exit_now(long arg)
{
	_exit((int)arg);
}

/*
 * The sibling is a process of its own, not a thread of ours: its exit(2)
 * ends none of our threads (nor us).
 */
static int
t_sibling_exit(void)
{
	struct aqua_makecxt_data c;
	thread_t t;
	pid_t f;

	thr_ask = thr_answer = 0;
	t = thread_create(waiting_thread, NULL);
	REQUIRE(t != NULL, "thread_create: %s", strerror(errno));
	sibling_cxt(&c, sibling_exit_now, 5);
	f = makecxt(NULL, NULL, 0, &c, 0, MAKECXT_SHARE_VMEM);
	REQUIRE(f > 0, "makecxt(MAKECXT_SHARE_VMEM): %s", strerror(errno));
	CHECK(exited_with(wait_for(f), 5), "the sibling did not exit with status 5");
	/*
	 * If the sibling's exit had ended our threads, the thread would be
	 * killed by now (the kill is part of that exit, which wait_for saw
	 * end): say so before we wait for an answer that cannot come.
	 */
	printf("# if this hangs, a thread of ours was ended by the exit(2) of our MAKECXT_SHARE_VMEM "
	    "sibling: the sibling is a process of its own -- mark the NEW process P_FAMILY (not "
	    "the caller), so that its exit ends no thread of ours\n");
	thr_ask = 1;
	thread_join(t, NULL);
	CHECK(thr_answer == 1, "the thread answered %d, want 1", thr_answer);
	return failures;
}

/*
 * A process made by makecxt from a range that holds a shared page is a
 * partner: the same page, at the moved address.  It runs a blob that
 * read(2)s into the page, so what it reads lands in our page.
 */
static char *
blob_page_prot(int prot, int sprot)
{
	uintptr_t x = ((uintptr_t)sbrk(0) + (16UL << 20)) & ~(PAGE - 1);
	struct vmap_conv c = { 0, sprot };

	return vmap((void *)x, PAGE, prot, VMAP_FIXED | VMAP_SHARE, NULL, &c);
}

static char *
blob_page(int sprot)
{
	return blob_page_prot(PROT_READ | PROT_WRITE, sprot);
}

/*
 * A blob process from the range [the blob's page, end), which holds the
 * page sh (a PAGE-sized vmap page, end at most sh + PAGE): it makes the
 * system call num(a0, a1, a2), then exits with its result.
 */
static pid_t
blob_call_in(char *sh, char *end, int flags, long num, unsigned long a0, unsigned long a1,
    unsigned long a2)
{
	struct aqua_makecxt_data c;
	char *lo = (char *)((uintptr_t)cxt_blob_call_exit & ~(PAGE - 1));

	memset(&c, 0, sizeof(c));
	AQUA_REG_PC(&c.registers) = (unsigned long)cxt_blob_call_exit + DELTA;
	AQUA_REG_SP(&c.registers) = (unsigned long)sh + DELTA + PAGE - 64;
	AQUA_REG_ARG0(&c.registers) = a0;
	AQUA_REG_ARG1(&c.registers) = a1;
	AQUA_REG_ARG2(&c.registers) = a2;
	AQUA_REG_ARG3(&c.registers) = num;
	return makecxt(lo + DELTA, lo, end - lo, &c, 0, flags);
}

/* The blob read(2)s 8 bytes from fd into its page sh (moved), at offset 128. */
static pid_t
blob_read_end(char *sh, char *end, int fd, int flags)
{
	return blob_call_in(sh, end, flags, SYS_read, fd, (unsigned long)sh + DELTA + 128, 8);
}

static pid_t
blob_read(char *sh, int fd, int flags)
{
	return blob_read_end(sh, sh + PAGE, fd, flags);
}

static int
t_range_partner(void)
{
	int p[2], pids[4], status;
	char *sh = blob_page(PROT_READ | PROT_WRITE), *ro = NULL;
	pid_t pid;

	REQUIRE(sh != VMAP_FAILED, "vmap fixed shared page: %s", strerror(errno));
	REQUIRE(pipe(p) == 0, "pipe");
	strcpy(sh + 128, "original");
	pid = blob_read(sh, p[0], 0);
	REQUIRE(pid > 0, "makecxt of a range with a shared page: %s", strerror(errno));
	long n = vctl(sh, VCTL_PARTNERS, pids, 4);
	CHECK(n == 1 && pids[0] == pid, "partners while the blob runs: count %ld, want the blob %d", n, pid);
	write(p[1], "partner!", 8);
	status = wait_for(pid);
	CHECK(exited_with(status, 8), "the blob's read into the page: %s, want exit status 8", describe(status));
	CHECK(memcmp(sh + 128, "partner!", 8) == 0,
	    "the blob read into its shared page, we see \"%.8s\": the page was copied", sh + 128);
	CHECK(vctl(sh, VCTL_PARTNERS, pids, 4) == 0, "partners after the blob exited: not 0");
	vunmap(sh, PAGE);

	/* shared_prot without PROT_WRITE: the partner's read(2) into it is EFAULT. */
	ro = blob_page(PROT_READ);
	REQUIRE(ro != VMAP_FAILED, "vmap: %s", strerror(errno));
	strcpy(ro + 128, "original");
	write(p[1], "partner!", 8);
	pid = blob_read(ro, p[0], 0);
	REQUIRE(pid > 0, "makecxt: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, -EFAULT), "a read-only partner's read into the page: %s, want "
	    "exit status %d (-EFAULT)", describe(status), -EFAULT & 0xff);
	CHECK(strcmp(ro + 128, "original") == 0, "a read-only partner changed the page");
	vunmap(ro, PAGE);

	/*
	 * shared_prot allows writing but the region is read-only (vmap'd with
	 * PROT_READ): the partner gets shared_prot & its region's protection,
	 * so its read(2) into the page is EFAULT too.
	 */
	ro = blob_page_prot(PROT_READ, PROT_READ | PROT_WRITE);
	REQUIRE(ro != VMAP_FAILED, "vmap PROT_READ, shared_prot read-write: %s", strerror(errno));
	write(p[1], "partner!", 8);
	pid = blob_read(ro, p[0], 0);
	REQUIRE(pid > 0, "makecxt: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, -EFAULT), "a partner's read(2) into a shared page of a read-only "
	    "region (shared_prot read-write): %s, want exit status %d (-EFAULT) -- a partner may "
	    "use shared_prot & the protection of its region: give the page the region's "
	    "protection (rprot), not read-write", describe(status), -EFAULT & 0xff);
	CHECK(ro[128] == 0, "a partner wrote into a page of a read-only region");
	vunmap(ro, PAGE);
	close(p[0]);
	close(p[1]);
	return failures;
}

/*
 * vmap.2: a shareable page may be mapped by at most 16 address spaces:
 * ours and 15 partners.  makecxt must manage all 15 (it used to stop at
 * 14: fork1's throw-away copy of our address space took a slot of the
 * page while the new process's space held another), and a 16th partner
 * is ENOMEM.
 */
static int
t_partner_limit(void)
{
	int p[2], pids[16], n;
	pid_t kids[16];
	char *sh = blob_page(PROT_READ | PROT_WRITE);

	REQUIRE(sh != VMAP_FAILED, "vmap fixed shared page: %s", strerror(errno));
	REQUIRE(pipe(p) == 0, "pipe");
	for (n = 0; n < 15; n++) {
		if ((kids[n] = blob_read(sh, p[0], 0)) <= 0) {
			CHECK(0, "makecxt of partner %d of 15: %s", n + 1, strerror(errno));
			break;
		}
	}
	if (n == 15) {
		long c = vctl(sh, VCTL_PARTNERS, pids, 16);
		CHECK(c == 15, "partners of the page: %ld, want 15", c);
		pid_t extra = blob_read(sh, p[0], 0);
		int e = errno;
		CHECK(extra == -1 && e == ENOMEM, "a 16th partner: %d (%s), want -1 ENOMEM",
		    (int)extra, extra == -1 ? strerror(e) : "made");
		if (extra > 0)
			kids[n++] = extra;
	}
	for (int i = 0; i < n; i++)
		write(p[1], "partner!", 8);
	for (int i = 0; i < n; i++) {
		int status = wait_for(kids[i]);
		CHECK(exited_with(status, 8), "partner %d: %s, want exit status 8", i + 1,
		    describe(status));
	}
	CHECK(vctl(sh, VCTL_PARTNERS, pids, 16) == 0, "partners after they exited: not 0");
	vunmap(sh, PAGE);
	close(p[0]);
	close(p[1]);
	return failures;
}

static int
share_round(void)
{
	return t_family() || t_sibling_memory() || t_range_partner();
}

static int
t_share_no_leak(void)
{
	return leak_rounds(share_round);
}

/* ---- group copy-shared ------------------------------------------------------------ */

/* The whole-space form: the child gets its own copy, locally shared, owned by it. */
static int
t_copy_whole(void)
{
	char *sh = vmap_page(VMAP_SHARE, 0, PROT_READ | PROT_WRITE);
	int pids[4], status;
	pid_t pid;

	REQUIRE(sh != VMAP_FAILED, "vmap: %s", strerror(errno));
	strcpy(sh, "parent");
	fflush(stdout);
	pid = makecxt(NULL, NULL, (size_t)-1, NULL, 0, MAKECXT_COPY_CONTEXT | MAKECXT_COPY_SHARED);
	if (pid == 0) {
		int bad = 0;
		if (strcmp(sh, "parent") != 0)
			bad |= 1;
		if (vctl(sh, VCTL_GETSTATUS, NULL, 0) != VSTAT_LOCAL)
			bad |= 2;
		if (vctl(sh, VCTL_ISOWNER, NULL, 0) != 1)
			bad |= 4;
		if (vctl(sh, VCTL_OWNERS, pids, 4) != 1 || pids[0] != getpid())
			bad |= 8;
		strcpy(sh, "child");
		_exit(bad);
	}
	REQUIRE(pid > 0, "makecxt(COPY_CONTEXT | COPY_SHARED): %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, 0), "the child's checks: %s (bits: 1 data not copied, 2 status "
	    "not local, 4 not owner, 8 owners not just itself)", describe(status));
	CHECK(strcmp(sh, "parent") == 0, "the child's write reached our page: \"%s\"", sh);
	CHECK(vctl(sh, VCTL_GETSTATUS, NULL, 0) == VSTAT_SHARED, "our page is no longer shared");
	vunmap(sh, PAGE);
	return failures;
}

/* The range form: the blob's read lands in its own copy, not in our page. */
static int
t_copy_range(void)
{
	int p[2], pids[4], status;
	char *sh = blob_page(PROT_READ);
	pid_t pid;

	REQUIRE(sh != VMAP_FAILED, "vmap fixed shared page: %s", strerror(errno));
	REQUIRE(pipe(p) == 0, "pipe");
	strcpy(sh + 128, "original");
	pid = blob_read(sh, p[0], MAKECXT_COPY_SHARED);
	REQUIRE(pid > 0, "makecxt(MAKECXT_COPY_SHARED): %s", strerror(errno));
	CHECK(vctl(sh, VCTL_PARTNERS, pids, 4) == 0, "the new process is a partner of our page");
	write(p[1], "mycopy!!", 8);
	status = wait_for(pid);
	CHECK(exited_with(status, 8), "the blob's read into its copy (its own: writable even though "
	    "our shared_prot is read-only): %s, want exit status 8", describe(status));
	CHECK(strcmp(sh + 128, "original") == 0, "the blob's read reached our page: \"%s\"", sh + 128);

	/* A range that ends inside the shared page: that page is the new process's, copied too. */
	pid = blob_read_end(sh, sh + 136, p[0], MAKECXT_COPY_SHARED);
	REQUIRE(pid > 0, "makecxt(MAKECXT_COPY_SHARED), range ending inside the shared page: %s",
	    strerror(errno));
	CHECK(vctl(sh, VCTL_PARTNERS, pids, 4) == 0, "a range ending 136 bytes into our shared page: "
	    "the new process is a partner of that page, not the owner of a copy -- the page that "
	    "holds the range's last byte is the new process's too (round the end up, not down)");
	write(p[1], "mycopy!!", 8);
	status = wait_for(pid);
	CHECK(exited_with(status, 8), "the blob's read into its copy (range ending inside the page): "
	    "%s, want exit status 8", describe(status));
	CHECK(strcmp(sh + 128, "original") == 0, "the blob's read reached our page: \"%s\"", sh + 128);
	vunmap(sh, PAGE);

	/* A locally shared page of ours (VSTAT_LOCAL) becomes a locally shared copy too. */
	sh = blob_page(PROT_READ | PROT_WRITE);
	REQUIRE(sh != VMAP_FAILED, "vmap fixed shared page: %s", strerror(errno));
	REQUIRE(vctl(sh, VCTL_SETSTATUS, (void *)VSTAT_LOCAL, 0) == 0, "vctl SETSTATUS local: %s",
	    strerror(errno));
	pid = blob_call_in(sh, sh + PAGE, MAKECXT_COPY_SHARED, SYS_vctl, (unsigned long)sh + DELTA,
	    VCTL_GETSTATUS, 0);
	REQUIRE(pid > 0, "makecxt(MAKECXT_COPY_SHARED) of a locally shared page: %s", strerror(errno));
	status = wait_for(pid);
	CHECK(exited_with(status, VSTAT_LOCAL), "the status of the new process's copy of our locally "
	    "shared (VSTAT_LOCAL) page: %s, want exit status %d (VSTAT_LOCAL) -- MAKECXT_COPY_SHARED "
	    "copies every shareable page, VSTAT_LOCAL as well as VSTAT_SHARED",
	    describe(status), VSTAT_LOCAL);
	vunmap(sh, PAGE);
	close(p[0]);
	close(p[1]);
	return failures;
}

/* With MAKECXT_SHARE_VMEM the flag is ignored (the seed): the sibling shares our page. */
static int
t_copy_with_share_vmem(void)
{
	struct aqua_makecxt_data c;
	int status;
	pid_t f;

	sib_flag = 0;
	sib_later = vmap_page(VMAP_SHARE, 0, PROT_READ);
	REQUIRE(sib_later != VMAP_FAILED, "vmap: %s", strerror(errno));
	sibling_cxt(&c, sibling_mem, 0);
	f = makecxt(NULL, NULL, 0, &c, 0, MAKECXT_SHARE_VMEM | MAKECXT_COPY_SHARED);
	REQUIRE(f > 0, "makecxt(SHARE_VMEM | COPY_SHARED): %s", strerror(errno));
	sib_flag = 1;
	status = wait_for(f);
	CHECK(exited_with(status, 7), "the sibling: %s, want exit status 7", describe(status));
	CHECK(strcmp(sib_later, "from the sibling") == 0, "the sibling wrote to a copy: we see \"%s\"",
	    sib_later);
	CHECK(vctl(sib_later, VCTL_GETSTATUS, NULL, 0) == VSTAT_SHARED, "our page's status changed");
	vunmap(sib_later, PAGE);
	return failures;
}

static int
copy_round(void)
{
	return t_copy_whole() || t_copy_range() || t_copy_with_share_vmem();
}

static int
t_copy_no_leak(void)
{
	return leak_rounds(copy_round);
}

/* ---- the groups ------------------------------------------------------------------- */

#include "tapmain.h"	/* struct tap_test, tap_group, tap_main() */

static const struct tap_test core_tests[] = {
	{ "basic", t_basic },
	{ "errors", t_errors },
	{ "vctl", t_vctl },
	{ "fork_partner", t_fork_partner },
	{ "second_owner", t_second_owner },
	{ "concurrent", t_concurrent },
	{ "no_leak", t_core_no_leak },
	{ "pt_scatter", t_pt_scatter },
};
static const struct tap_test share_tests[] = {
	{ "family", t_family },
	{ "sibling_memory", t_sibling_memory },
	{ "sibling_exit", t_sibling_exit },
	{ "range_partner", t_range_partner },
	{ "partner_limit", t_partner_limit },
	{ "no_leak", t_share_no_leak },
};
static const struct tap_test copy_tests[] = {
	{ "copy_whole", t_copy_whole },
	{ "copy_range", t_copy_range },
	{ "with_share_vmem", t_copy_with_share_vmem },
	{ "no_leak", t_copy_no_leak },
};

static const struct tap_group groups[] = {
	TAP_GROUP("core", core_tests),
	TAP_GROUP("share-vmem", share_tests),
	TAP_GROUP("copy-shared", copy_tests),
};
#define NGROUPS	((int)(sizeof(groups) / sizeof(groups[0])))

int
main(int argc, char **argv)
{
	return tap_main("vmaptest", groups, NGROUPS, argc, argv);
}
