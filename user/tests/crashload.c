/*
 * crashload: the guest half of the crash-consistency test (tools/crashtest.py).
 *
 *	crashload run SEED		do file-system operations until killed
 *	crashload check SEED LAST	after a power cut: is the disk consistent
 *					with operations 0..LAST done?
 *
 * `run' works in /ct.  The operations come from SEED alone, so `check'
 * can replay the same list on a model (no disk) and compare.  After each
 * operation has returned -- every system call of it -- `run' prints
 *	crashload: done K
 * The file system commits each system call before it returns (the log,
 * kern/fs/log.c), so operation K is then on the disk for good.  The host
 * cuts the power at a random moment and passes the last K it saw to
 * `check', which accepts the disk if it is the state after some operation
 * J (J = LAST or LAST + 1: the line for LAST + 1 may have been under way)
 * with operation J + 1 not done, done, or -- the one being cut -- done in
 * part as the file system allows it:
 *	create (O_TRUNC, then write)	the old file, or any prefix of the new data
 *	append				the old data plus a prefix of the new
 *	overwrite at an offset		the old data with a prefix of the new at the offset
 *	rename (link, then unlink)	old name only, both names, or new name only
 *	unlink, mkdir, rmdir		before or after
 * Writes larger than one transaction (fs_write_chunk) are why prefixes
 * appear.  Everything under /ct is compared: names, types, contents.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <aqua/fsformat.h>

#define NFILES		8	/* f0..f7 */
#define NDIRS		3	/* d0..d2 */
#define NPATHS		(NFILES * (NDIRS + 1))	/* f3 or d1/f3 */
#define MAXDATA		(48 * 1024)
#define TOTAL_MAX	(1024 * 1024)	/* keep well inside the disk */
#define MAXOPS		100000

enum { OP_CREATE, OP_APPEND, OP_OVERWRITE, OP_UNLINK, OP_RENAME, OP_MKDIR, OP_RMDIR };
static const char *opname[] = { "create", "append", "overwrite", "unlink", "rename",
	"mkdir", "rmdir" };

/* The model: which paths exist and what they hold. */
struct state {
	int	dir[NDIRS];		/* dK exists */
	int	exists[NPATHS];
	unsigned int size[NPATHS];
};

static unsigned char *content[NPATHS];	/* malloc'd, size[p] bytes */

/* An operation, fully determined before it runs. */
struct op {
	int	kind;
	int	path, path2;		/* file paths, or the directory for mkdir/rmdir */
	unsigned int off, len;		/* overwrite offset; data length */
	int	index;			/* its number, for the data bytes */
};

static uint64_t rng;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static unsigned long
below(unsigned long n)
{
	return n ? rnd() % n : 0;
}

/* The bytes operation `index' writes: they differ from every other operation's. */
static unsigned char
data_byte(int index, unsigned int i)
{
	uint32_t x = (uint32_t)index * 2654435761U + i * 40503U + (i >> 10) * 7919U;

	return (unsigned char)(x ^ (x >> 13) ^ (x >> 24));
}

static void
path_name(int p, char *buf, size_t n)
{
	int f = p % NFILES, d = p / NFILES;

	if (d == 0)
		snprintf(buf, n, "/ct/f%d", f);
	else
		snprintf(buf, n, "/ct/d%d/f%d", d - 1, f);
}

static int
path_dir(int p)
{
	return p / NFILES - 1;		/* -1: directly in /ct */
}

static struct state st;
static unsigned long total;

static int
dir_empty(int d)
{
	for (int p = 0; p < NPATHS; p++)
		if (st.exists[p] && path_dir(p) == d)
			return 0;
	return 1;
}

/* Choose the next operation from the model's state (the same in run and check). */
static void
choose(struct op *o, int index)
{
	int p;

	memset(o, 0, sizeof(*o));
	o->index = index;
	for (;;) {
		o->kind = below(100) < 30 ? OP_CREATE : below(7);
		p = below(NPATHS);
		o->path = p;
		if (path_dir(p) >= 0 && !st.dir[path_dir(p)] && o->kind <= OP_RENAME)
			continue;		/* its directory is not there */
		switch (o->kind) {
		case OP_CREATE:
			o->len = below(4) == 0 ? below(MAXDATA) : below(8 * 1024);
			if (total + o->len > TOTAL_MAX)
				continue;
			return;
		case OP_APPEND:
		case OP_OVERWRITE:
			if (!st.exists[p])
				continue;
			o->len = below(3) == 0 ? below(MAXDATA / 2) : below(4 * 1024);
			o->off = o->kind == OP_OVERWRITE ? below(st.size[p] + 1) : st.size[p];
			if (total + o->len > TOTAL_MAX)
				continue;
			return;
		case OP_UNLINK:
			if (!st.exists[p])
				continue;
			return;
		case OP_RENAME:
			o->path2 = below(NPATHS);
			if (!st.exists[p] || st.exists[o->path2] || o->path2 == p ||
			    (path_dir(o->path2) >= 0 && !st.dir[path_dir(o->path2)]))
				continue;
			return;
		case OP_MKDIR:
			o->path = below(NDIRS);
			if (st.dir[o->path])
				continue;
			return;
		case OP_RMDIR:
			o->path = below(NDIRS);
			if (!st.dir[o->path] || !dir_empty(o->path))
				continue;
			return;
		}
	}
}

/* Apply o to the model. */
static void
apply(const struct op *o)
{
	int p = o->path;
	unsigned int end;

	switch (o->kind) {
	case OP_CREATE:
		total -= st.exists[p] ? st.size[p] : 0;
		free(content[p]);
		content[p] = malloc(o->len + 1);
		for (unsigned int i = 0; i < o->len; i++)
			content[p][i] = data_byte(o->index, i);
		st.exists[p] = 1;
		st.size[p] = o->len;
		total += o->len;
		break;
	case OP_APPEND:
	case OP_OVERWRITE:
		end = o->off + o->len;
		if (end > st.size[p]) {
			content[p] = realloc(content[p], end + 1);
			total += end - st.size[p];
			st.size[p] = end;
		}
		for (unsigned int i = 0; i < o->len; i++)
			content[p][o->off + i] = data_byte(o->index, i);
		break;
	case OP_UNLINK:
		total -= st.size[p];
		st.exists[p] = 0;
		free(content[p]);
		content[p] = NULL;
		st.size[p] = 0;
		break;
	case OP_RENAME:
		st.exists[o->path2] = 1;
		st.size[o->path2] = st.size[p];
		content[o->path2] = content[p];
		content[p] = NULL;
		st.exists[p] = 0;
		st.size[p] = 0;
		break;
	case OP_MKDIR:
		st.dir[p] = 1;
		break;
	case OP_RMDIR:
		st.dir[p] = 0;
		break;
	}
}

/* ---- run ------------------------------------------------------------------ */

static unsigned char wbuf[MAXDATA];

static void
fail(const struct op *o, const char *what)
{
	printf("crashload: op %d (%s): %s: %s\n", o->index, opname[o->kind], what, strerror(errno));
	exit(1);
}

static void
write_all(int fd, const struct op *o)
{
	for (unsigned int i = 0; i < o->len; i++)
		wbuf[i] = data_byte(o->index, i);
	if (o->len > 0 && write(fd, wbuf, o->len) != (ssize_t)o->len)
		fail(o, "write");
}

static void
perform(const struct op *o)
{
	char a[32], b[32];
	int fd;

	switch (o->kind) {
	case OP_CREATE:
		path_name(o->path, a, sizeof(a));
		if ((fd = open(a, O_CREAT | O_TRUNC | O_WRONLY)) < 0)
			fail(o, a);
		write_all(fd, o);
		close(fd);
		break;
	case OP_APPEND:
	case OP_OVERWRITE:
		path_name(o->path, a, sizeof(a));
		if ((fd = open(a, O_WRONLY | (o->kind == OP_APPEND ? O_APPEND : 0))) < 0)
			fail(o, a);
		if (o->kind == OP_OVERWRITE && lseek(fd, o->off, SEEK_SET) != (off_t)o->off)
			fail(o, "lseek");
		write_all(fd, o);
		close(fd);
		break;
	case OP_UNLINK:
		path_name(o->path, a, sizeof(a));
		if (unlink(a) < 0)
			fail(o, a);
		break;
	case OP_RENAME:
		/* No rename(2): link to the new name, then unlink the old. */
		path_name(o->path, a, sizeof(a));
		path_name(o->path2, b, sizeof(b));
		if (link(a, b) < 0)
			fail(o, "link");
		if (unlink(a) < 0)
			fail(o, "unlink");
		break;
	case OP_MKDIR:
		snprintf(a, sizeof(a), "/ct/d%d", o->path);
		if (mkdir(a) < 0)
			fail(o, a);
		break;
	case OP_RMDIR:
		snprintf(a, sizeof(a), "/ct/d%d", o->path);
		if (unlink(a) < 0)
			fail(o, a);
		break;
	}
}

static int
run(void)
{
	struct op o;
	char line[48];

	if (mkdir("/ct") < 0 && errno != EEXIST) {
		printf("crashload: mkdir /ct: %s\n", strerror(errno));
		return 1;
	}
	printf("crashload: start\n");
	fflush(stdout);
	for (int i = 0; i < MAXOPS; i++) {
		choose(&o, i);
		perform(&o);
		apply(&o);
		/* Straight to the console: the host must see it before the next op starts. */
		int n = snprintf(line, sizeof(line), "crashload: done %d\n", i);
		write(1, line, n);
	}
	printf("crashload: all %d operations done\n", MAXOPS);
	return 0;
}

/* ---- check ------------------------------------------------------------------ */

/* What the disk holds under /ct, read once. */
static struct {
	int	ct;			/* /ct exists */
	int	dir[NDIRS];
	int	exists[NPATHS];
	unsigned int size[NPATHS];
	unsigned char *data[NPATHS];
	int	extra;			/* names that no model path has */
} disk;

static int
is_name(const char *name, const char *prefix, int n, int *which)
{
	size_t len = strlen(prefix);

	if (strncmp(name, prefix, len) != 0 || name[len] < '0' || name[len] >= '0' + n ||
	    name[len + 1] != '\0')
		return 0;
	*which = name[len] - '0';
	return 1;
}

static void
read_file(int p, const char *path)
{
	struct stat s;
	int fd = open(path, O_RDONLY);
	unsigned int got = 0;
	int r;

	if (fd < 0 || fstat(fd, &s) < 0 || s.type != T_FILE) {
		printf("crashload: %s: not a readable file\n", path);
		disk.extra++;
		if (fd >= 0)
			close(fd);
		return;
	}
	disk.exists[p] = 1;
	disk.size[p] = s.size;
	disk.data[p] = malloc(s.size + 1);
	while (got < s.size && (r = read(fd, disk.data[p] + got, s.size - got)) > 0)
		got += r;
	if (got != s.size) {
		printf("crashload: %s: read %u of %lu bytes\n", path, got, s.size);
		disk.extra++;
	}
	close(fd);
}

/* Read directory dir (-1: /ct itself). */
static void
read_dir(int d)
{
	char path[32], child[48], name[DIRSIZ + 1];
	struct dirent de;
	int fd, which;

	if (d < 0)
		snprintf(path, sizeof(path), "/ct");
	else
		snprintf(path, sizeof(path), "/ct/d%d", d);
	if ((fd = open(path, O_RDONLY)) < 0)
		return;
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		memcpy(name, de.name, DIRSIZ);
		name[DIRSIZ] = '\0';
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, name);
		if (is_name(name, "f", NFILES, &which)) {
			read_file((d + 1) * NFILES + which, child);
		} else if (d < 0 && is_name(name, "d", NDIRS, &which)) {
			disk.dir[which] = 1;
			read_dir(which);
		} else {
			printf("crashload: unexpected name %s\n", child);
			disk.extra++;
		}
	}
	close(fd);
}

static int
same(int p, const unsigned char *want, unsigned int len)
{
	return disk.exists[p] && disk.size[p] == len &&
	    (len == 0 || memcmp(disk.data[p], want, len) == 0);
}

/* Does path p on disk hold the model's content? */
static int
matches_model(int p)
{
	if (!st.exists[p])
		return !disk.exists[p];
	return same(p, content[p], st.size[p]);
}

/*
 * Path p as operation o (on path p, not yet applied to the model) may
 * have left it when cut short: see the comment at the top.  k is how many
 * of o's bytes reached the disk; the size tells it, or, when the size
 * does not change, any k that fits both the new bytes before it and the
 * old bytes after it will do.
 */
static int
partial_ok(const struct op *o, int p)
{
	const unsigned char *d = disk.data[p], *old = content[p];
	unsigned int n = disk.size[p], S = st.size[p], off = o->off, L = o->len, A, B;

	if (matches_model(p))
		return 1;		/* not started (or nothing to see yet) */
	if (!disk.exists[p])
		return 0;
	if (o->kind == OP_CREATE) {
		if (n > L)
			return 0;
		for (unsigned int i = 0; i < n; i++)
			if (d[i] != data_byte(o->index, i))
				return 0;
		return 1;
	}
	/* append or overwrite: the old bytes before off are untouched */
	if (n < S || n > (S > off + L ? S : off + L) || (off + L <= S && n != S))
		return 0;
	if (memcmp(d, old, off) != 0)
		return 0;
	for (A = 0; A < L && off + A < n && d[off + A] == data_byte(o->index, A); A++)
		;
	if (n > S)
		return A >= n - off;	/* grown: everything from off on is new */
	for (B = S; B > off && d[B - 1] == old[B - 1]; B--)
		;
	return B - off <= A;		/* k = B - off: new bytes, then old ones */
}

/* Is the disk the model's state with operation o (next) not done, half done or done? */
static int
consistent_with(const struct op *o, int say)
{
	for (int d = 0; d < NDIRS; d++) {
		int ok = disk.dir[d] == st.dir[d];
		if (!ok && (o->kind == OP_MKDIR || o->kind == OP_RMDIR) && o->path == d)
			ok = 1;		/* either side of mkdir/rmdir */
		if (!ok) {
			if (say)
				printf("crashload: /ct/d%d %s, expected %s\n", d,
				    disk.dir[d] ? "exists" : "is missing",
				    st.dir[d] ? "there" : "gone");
			return 0;
		}
	}
	for (int p = 0; p < NPATHS; p++) {
		int ok;
		if (o->kind <= OP_OVERWRITE && o->path == p)
			ok = partial_ok(o, p);
		else if (o->kind == OP_UNLINK && o->path == p)
			ok = matches_model(p) || !disk.exists[p];
		else if (o->kind == OP_RENAME && o->path2 == p)
			ok = !disk.exists[p] || same(p, content[o->path], st.size[o->path]);
		else if (o->kind == OP_RENAME && o->path == p)
			/* the old name may go only once the new one is there */
			ok = matches_model(p) || (!disk.exists[p] && disk.exists[o->path2]);
		else
			ok = matches_model(p);
		if (!ok) {
			char name[32];
			path_name(p, name, sizeof(name));
			if (say)
				printf("crashload: %s: %s, %u bytes on disk; the model %s "
				    "(%u bytes); next op %d %s\n", name,
				    disk.exists[p] ? "present" : "missing", disk.size[p],
				    st.exists[p] ? "has it" : "has no such file", st.size[p],
				    o->index, opname[o->kind]);
			return 0;
		}
	}
	return 1;
}

static int
check(int last)
{
	struct op o;
	int j;

	read_dir(-1);
	if (disk.extra) {
		printf("crashload: check: FAIL: names or files the workload never made\n");
		return 1;
	}
	/* The model up to and including op `last'. */
	for (j = 0; j <= last; j++) {
		choose(&o, j);
		apply(&o);
	}
	/* j = last + 1: the disk is after `last' (+ the next one, maybe in part) ... */
	choose(&o, last + 1);
	if (consistent_with(&o, 0)) {
		printf("crashload: check: ok: after op %d, op %d (%s) %s\n", last, last + 1,
		    opname[o.kind], "not done, in part or done");
		return 0;
	}
	/* ... or after `last + 1', whose line did not get out (+ the next one, maybe in part). */
	apply(&o);
	struct op o2;
	choose(&o2, last + 2);
	if (consistent_with(&o2, 0)) {
		printf("crashload: check: ok: after op %d (not reported), op %d (%s) "
		    "not done, in part or done\n", last + 1, last + 2, opname[o2.kind]);
		return 0;
	}
	printf("crashload: check: FAIL: the disk is not the state after op %d or %d\n",
	    last, last + 1);
	consistent_with(&o2, 1);
	return 1;
}

int
main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "check") == 0 && argc < 4)) {
		fprintf(stderr, "usage: crashload run SEED | crashload check SEED LAST\n");
		return 2;
	}
	rng = strtoul(argv[2], NULL, 10) * 0x9E3779B97F4A7C15ULL + 12345;
	if (rng == 0)
		rng = 1;
	if (strcmp(argv[1], "run") == 0)
		return run();
	if (strcmp(argv[1], "check") == 0)
		return check(atoi(argv[3]));
	fprintf(stderr, "crashload: unknown mode %s\n", argv[1]);
	return 2;
}
