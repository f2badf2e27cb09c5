/*
 * mkfs: build an aqua6 file-system image on the host.
 *
 *   mkfs IMAGE [--size BLOCKS] [--inodes N] [--file PATH_IN_FS=HOSTPATH ...]
 *
 * The image gets a root directory, /dev/console (a device inode with major
 * CONSOLE_MAJOR) and every --file, with the directories on its path made
 * as needed.  The format is <aqua/fsformat.h>; the layout is
 *   block 0        boot block (unused)
 *   block 1        super block
 *   log            LOGSIZE + 1 blocks (header, then the logged copies)
 *   inodes         ninodes / IPB + 1 blocks
 *   bit map        size / BPB + 1 blocks
 *   data           everything after
 * The whole image is built in memory and written at the end.  Blocks and
 * inodes are handed out in order and nothing depends on time or on the
 * host, so the same inputs always give the same image.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <aqua/fsformat.h>
#include <aqua/stat.h>

#define DEFAULT_INODES	1024
/*
 * Freeing a file marks its blocks free in the bit map inside one
 * transaction of at most MAXOPBLOCKS (LOGSIZE / 2) blocks, together with a
 * directory block and two inode blocks: keep the bit map to 8 blocks.
 */
#define MAX_SIZE	(8 * BPB)
#define MAX_INODES	65535	/* struct dirent has a 16-bit inode number */

static unsigned char *img;
static struct superblock sb;
static unsigned int next_inum = ROOTINO;	/* next inode to hand out */
static unsigned int next_block;			/* next data block to hand out */

static void
die(const char *msg, const char *arg)
{
	fprintf(stderr, "mkfs: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(1);
}

static unsigned char *
block(unsigned int bno)
{
	if (bno >= sb.size)
		die("internal error: block out of range", NULL);
	return img + (size_t)bno * BSIZE;
}

static struct dinode *
dinode(unsigned int inum)
{
	return (struct dinode *)block(IBLOCK(inum, sb)) + inum % IPB;
}

static unsigned int
balloc(void)
{
	if (next_block >= sb.size)
		die("image full (try a larger --size)", NULL);
	return next_block++;	/* the image starts zeroed */
}

static unsigned int
ialloc(short type)
{
	struct dinode *d;

	if (next_inum >= sb.ninodes)
		die("out of inodes (try a larger --inodes)", NULL);
	d = dinode(next_inum);
	memset(d, 0, sizeof(*d));
	d->type = type;
	d->nlink = 1;
	return next_inum++;
}

/* The slot holding the block number of block bn of inode d; allocates indirect blocks. */
static unsigned int *
bslot(struct dinode *d, unsigned int bn)
{
	unsigned int *ind;

	if (bn < NDIRECT)
		return &d->addrs[bn];
	bn -= NDIRECT;
	if (bn < NINDIRECT) {
		if (d->addrs[NDIRECT] == 0)
			d->addrs[NDIRECT] = balloc();
		return (unsigned int *)block(d->addrs[NDIRECT]) + bn;
	}
	bn -= NINDIRECT;
	if (bn >= NDINDIRECT)
		die("file too large for the format", NULL);
	if (d->addrs[NDIRECT + 1] == 0)
		d->addrs[NDIRECT + 1] = balloc();
	ind = (unsigned int *)block(d->addrs[NDIRECT + 1]) + bn / NINDIRECT;
	if (*ind == 0)
		*ind = balloc();
	return (unsigned int *)block(*ind) + bn % NINDIRECT;
}

/* Append n bytes to the contents of inode inum. */
static void
iappend(unsigned int inum, const void *data, size_t n)
{
	struct dinode *d = dinode(inum);
	const unsigned char *src = data;
	unsigned int *slot, off, m;

	while (n > 0) {
		off = d->size;
		if ((unsigned long)off + 1 > (unsigned long)MAXFILE * BSIZE)
			die("file too large for the format", NULL);
		slot = bslot(d, off / BSIZE);
		if (*slot == 0)
			*slot = balloc();
		m = BSIZE - off % BSIZE;
		if (m > n)
			m = n;
		memcpy(block(*slot) + off % BSIZE, src, m);
		d->size += m;
		src += m;
		n -= m;
	}
}

static void
dir_add(unsigned int dir, const char *name, unsigned int inum)
{
	struct dirent de;

	memset(&de, 0, sizeof(de));
	de.inum = inum;
	memcpy(de.name, name, strnlen(name, DIRSIZ));	/* NUL-padded, none if full */
	iappend(dir, &de, sizeof(de));
}

/* The inode named name in directory dir, or 0.  (mkfs never leaves holes.) */
static unsigned int
dir_find(unsigned int dir, const char *name)
{
	struct dinode *d = dinode(dir);
	struct dirent *de;
	unsigned int off;

	for (off = 0; off < d->size; off += sizeof(*de)) {
		de = (struct dirent *)(block(*bslot(d, off / BSIZE)) + off % BSIZE);
		if (de->inum != 0 && strncmp(de->name, name, DIRSIZ) == 0)
			return de->inum;
	}
	return 0;
}

/* A new directory in parent, with "." and ".." (which counts as a link to parent). */
static unsigned int
make_dir(unsigned int parent, const char *name)
{
	unsigned int inum = ialloc(T_DIR);

	dir_add(inum, ".", inum);
	dir_add(inum, "..", parent);
	dir_add(parent, name, inum);
	dinode(parent)->nlink++;
	return inum;
}

/* Split path into directories (made as needed) and a last component; returns its directory. */
static unsigned int
walk_dirs(const char *path, char *last)
{
	char comp[DIRSIZ + 1];
	unsigned int dir = ROOTINO, child;
	const char *p = path, *end;
	size_t len;

	for (;;) {
		while (*p == '/')
			p++;
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0 || len > DIRSIZ)
			die("bad path name (empty or a component over DIRSIZ)", path);
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (end == NULL || end[strspn(end, "/")] == '\0') {
			strcpy(last, comp);
			return dir;
		}
		child = dir_find(dir, comp);
		if (child == 0)
			child = make_dir(dir, comp);
		else if (dinode(child)->type != T_DIR)
			die("not a directory on the path", path);
		dir = child;
		p = end;
	}
}

static void
add_file(const char *spec)
{
	char fspath[MAXPATH], name[DIRSIZ + 1], buf[BSIZE * 8];
	const char *eq = strchr(spec, '=');
	unsigned int dir, inum;
	size_t n;
	FILE *fp;

	if (eq == NULL || eq == spec || (size_t)(eq - spec) >= sizeof(fspath))
		die("--file wants PATH_IN_FS=HOSTPATH", spec);
	memcpy(fspath, spec, eq - spec);
	fspath[eq - spec] = '\0';
	if ((fp = fopen(eq + 1, "rb")) == NULL)
		die("cannot open", eq + 1);
	dir = walk_dirs(fspath, name);
	if (dir_find(dir, name) != 0)
		die("duplicate file", fspath);
	inum = ialloc(T_FILE);
	dir_add(dir, name, inum);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		iappend(inum, buf, n);
	if (ferror(fp))
		die("read error", eq + 1);
	fclose(fp);
}

static unsigned long
number(const char *opt, const char *s)
{
	char *end;
	unsigned long v = strtoul(s ? s : "", &end, 0);

	if (s == NULL || *s == '\0' || *end != '\0')
		die("bad number for", opt);
	return v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: mkfs IMAGE [--size BLOCKS] [--inodes N] [--file PATH_IN_FS=HOSTPATH ...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	unsigned long size = FSSIZE, ninodes = DEFAULT_INODES;
	unsigned int ninodeblocks, nbitmap, datastart, b, dev, console;
	const char *image;
	FILE *out;
	int i;

	if (argc < 2 || argv[1][0] == '-')
		usage();
	image = argv[1];

	/* First pass: the sizes, which the layout needs before any file. */
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--size") == 0 && i + 1 < argc)
			size = number("--size", argv[++i]);
		else if (strcmp(argv[i], "--inodes") == 0 && i + 1 < argc)
			ninodes = number("--inodes", argv[++i]);
		else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc)
			i++;
		else
			usage();
	}
	if (ninodes < 16 || ninodes > MAX_INODES)
		die("--inodes must be between 16 and 65535", NULL);
	if (size > MAX_SIZE)
		die("--size is at most 65536 blocks", NULL);

	ninodeblocks = ninodes / IPB + 1;
	nbitmap = size / BPB + 1;
	sb.magic = FSMAGIC;
	sb.size = size;
	sb.ninodes = ninodes;
	sb.nlog = LOGSIZE + 1;
	sb.logstart = 2;
	sb.inodestart = sb.logstart + sb.nlog;
	sb.bmapstart = sb.inodestart + ninodeblocks;
	datastart = sb.bmapstart + nbitmap;
	if (datastart + 16 > size)
		die("--size too small for the metadata", NULL);
	sb.nblocks = size - datastart;
	next_block = datastart;

	if ((img = calloc(size, BSIZE)) == NULL)
		die("out of memory", NULL);
	memcpy(block(1), &sb, sizeof(sb));

	/* The root is its own parent; its ".." is its one link. */
	if (ialloc(T_DIR) != ROOTINO)
		die("internal error: root inode", NULL);
	dir_add(ROOTINO, ".", ROOTINO);
	dir_add(ROOTINO, "..", ROOTINO);

	dev = make_dir(ROOTINO, "dev");
	console = ialloc(T_DEVICE);
	dinode(console)->major = CONSOLE_MAJOR;
	dir_add(dev, "console", console);

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--file") == 0)
			add_file(argv[++i]);
		else if (argv[i][0] == '-')
			i++;
	}

	/* Every block below next_block is in use: metadata and what we wrote. */
	for (b = 0; b < next_block; b++)
		block(BBLOCK(b, sb))[(b % BPB) / 8] |= 1 << (b % 8);

	if ((out = fopen(image, "wb")) == NULL)
		die("cannot create", image);
	if (fwrite(img, BSIZE, size, out) != size || fclose(out) != 0)
		die("write error", image);
	free(img);
	return 0;
}
