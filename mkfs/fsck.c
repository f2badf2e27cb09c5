/*
 * fsck: check an aqua6 file-system image on the host.
 *
 *   fsck IMAGE              check; exit 0 if clean, 1 (one line per problem) if not
 *   fsck IMAGE --ls         also list every path with its inode, type, links, size
 *   fsck IMAGE --cat PATH   write the contents of PATH to stdout
 *
 * What it checks:
 *   - the super block: magic, and a layout that fits the image;
 *   - every allocated inode: a known type, block pointers inside the data
 *     area and used by no one else, no blocks beyond its size, directory
 *     sizes a multiple of the entry size;
 *   - the bit map marks exactly the metadata and the blocks inodes use;
 *   - every directory begins with "." (itself) and ".." (its parent), its
 *     entries name allocated inodes, and no directory has two parents;
 *   - each inode's link count equals the entries that name it ("." not
 *     counted; a directory's ".." counts for its parent).
 * A committed but not yet installed log is what the kernel replays at the
 * next boot, so fsck applies it to its in-memory copy first (the image file
 * is never written) and says so.  Likewise an inode with no links that is
 * still allocated is a file that was open when the machine stopped; the
 * kernel frees it at boot, so it is noted, not counted as a problem.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <aqua/fsformat.h>
#include <aqua/stat.h>

static unsigned char *img;
static unsigned long img_blocks;
static struct superblock sb;
static unsigned int datastart;
static int problems;

static unsigned int *owner;		/* block -> inode using it (0: none) */
static unsigned int *refs;		/* inode -> entries naming it */
static unsigned int *parent_of;		/* directory inode -> parent found by the walk */

static void
problem(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	problems++;
}

static unsigned char *
block(unsigned int bno)
{
	return img + (size_t)bno * BSIZE;
}

static struct dinode *
dinode(unsigned int inum)
{
	return (struct dinode *)block(IBLOCK(inum, sb)) + inum % IPB;
}

static int
in_data(unsigned int b)
{
	return b >= datastart && b < sb.size;
}

/* ---- super block and log ----------------------------------------------- */

static int
check_superblock(void)
{
	unsigned int ninodeblocks, nbitmap;

	memcpy(&sb, block(1), sizeof(sb));
	if (sb.magic != FSMAGIC) {
		problem("bad magic %#x in super block (expected %#x)", sb.magic, FSMAGIC);
		return 0;
	}
	ninodeblocks = (sb.ninodes + IPB - 1) / IPB;
	nbitmap = (sb.size + BPB - 1) / BPB;
	if (sb.size > img_blocks) {
		problem("super block size %u exceeds the image (%lu blocks)", sb.size, img_blocks);
		return 0;
	}
	if (sb.ninodes < 2 || sb.ninodes > 65536) {
		problem("super block: bad inode count %u", sb.ninodes);
		return 0;
	}
	if (sb.logstart < 2 || sb.nlog < LOGSIZE + 1 ||
	    sb.inodestart < sb.logstart + sb.nlog ||
	    sb.bmapstart < sb.inodestart + ninodeblocks ||
	    sb.bmapstart + nbitmap > sb.size) {
		problem("super block: inconsistent layout (log %u+%u, inodes %u, bitmap %u, size %u)",
			sb.logstart, sb.nlog, sb.inodestart, sb.bmapstart, sb.size);
		return 0;
	}
	datastart = sb.size - sb.nblocks;
	if (sb.nblocks > sb.size || datastart < sb.bmapstart + nbitmap) {
		problem("super block: data area of %u blocks overlaps the bit map", sb.nblocks);
		return 0;
	}
	return 1;
}

/* Apply a committed log to the in-memory image, as the kernel's recovery would. */
static void
apply_log(void)
{
	struct logheader lh;
	int i;

	memcpy(&lh, block(sb.logstart), sizeof(lh));
	if (lh.n == 0)
		return;
	if (lh.n < 0 || lh.n > LOGSIZE || (unsigned int)lh.n > sb.nlog - 1) {
		problem("log header corrupt: %d blocks", lh.n);
		return;
	}
	printf("log not empty: %d blocks pending (recovered at next boot)\n", lh.n);
	for (i = 0; i < lh.n; i++) {
		if (lh.block[i] <= 1 || (unsigned int)lh.block[i] >= sb.size) {
			problem("log entry %d: home block %d out of range", i, lh.block[i]);
			continue;
		}
		memcpy(block(lh.block[i]), block(sb.logstart + 1 + i), BSIZE);
	}
}

/* ---- blocks of inodes --------------------------------------------------- */

/* Record that inode inum uses block b (as what); 0 if b is unusable. */
static int
claim(unsigned int inum, unsigned int b, const char *what)
{
	if (!in_data(b)) {
		problem("inode %u: %s block %u out of range", inum, what, b);
		return 0;
	}
	if (owner[b] != 0) {
		problem("block %u used twice: by inode %u and inode %u", b, owner[b], inum);
		return 0;
	}
	owner[b] = inum;
	return 1;
}

/* Check the pointers in one indirect block, covering file blocks first.. */
static void
check_indirect(unsigned int inum, unsigned int ind, int levels, unsigned long first,
	       unsigned long nused)
{
	unsigned int *a = (unsigned int *)block(ind);
	unsigned long span = levels > 1 ? NINDIRECT : 1, fbn;
	unsigned int i;

	for (i = 0; i < NINDIRECT; i++) {
		if (a[i] == 0)
			continue;
		fbn = first + i * span;
		if (fbn >= nused) {
			problem("inode %u: block %u at file block %lu is beyond its size", inum, a[i], fbn);
			continue;
		}
		if (!claim(inum, a[i], levels > 1 ? "indirect" : "data"))
			continue;
		if (levels > 1)
			check_indirect(inum, a[i], levels - 1, fbn, nused);
	}
}

static void
check_inode_blocks(unsigned int inum, struct dinode *d)
{
	unsigned long nused = ((unsigned long)d->size + BSIZE - 1) / BSIZE;
	unsigned int i;

	if ((unsigned long)d->size > (unsigned long)MAXFILE * BSIZE)
		problem("inode %u: size %u beyond the largest file", inum, d->size);
	if (d->type == T_DIR && d->size % sizeof(struct dirent) != 0)
		problem("inode %u: directory size %u is not a multiple of %zu",
			inum, d->size, sizeof(struct dirent));
	for (i = 0; i < NDIRECT; i++) {
		if (d->addrs[i] == 0)
			continue;
		if (i >= nused)
			problem("inode %u: block %u at file block %u is beyond its size", inum, d->addrs[i], i);
		else
			claim(inum, d->addrs[i], "data");
	}
	if (d->addrs[NDIRECT]) {
		if (nused <= NDIRECT)
			problem("inode %u: indirect block %u but size %u", inum, d->addrs[NDIRECT], d->size);
		else if (claim(inum, d->addrs[NDIRECT], "indirect"))
			check_indirect(inum, d->addrs[NDIRECT], 1, NDIRECT, nused);
	}
	if (d->addrs[NDIRECT + 1]) {
		if (nused <= NDIRECT + NINDIRECT)
			problem("inode %u: double-indirect block %u but size %u", inum,
				d->addrs[NDIRECT + 1], d->size);
		else if (claim(inum, d->addrs[NDIRECT + 1], "double-indirect"))
			check_indirect(inum, d->addrs[NDIRECT + 1], 2, NDIRECT + NINDIRECT, nused);
	}
}

static void
check_bitmap(void)
{
	unsigned int b;
	int marked, used;

	for (b = 0; b < sb.size; b++) {
		marked = (block(BBLOCK(b, sb))[(b % BPB) / 8] >> (b % 8)) & 1;
		used = b < datastart || owner[b] != 0;
		if (marked && !used)
			problem("block %u marked in use in the bitmap but not used (leak)", b);
		else if (!marked && used)
			problem("block %u used but marked free in the bitmap", b);
	}
}

/* ---- reading files ------------------------------------------------------ */

/* The disk block of file block bn, 0 for a hole (pointers already checked). */
static unsigned int
fbmap(struct dinode *d, unsigned long bn)
{
	unsigned int ind;

	if (bn < NDIRECT)
		return d->addrs[bn];
	bn -= NDIRECT;
	if (bn < NINDIRECT) {
		ind = d->addrs[NDIRECT];
		return in_data(ind) ? ((unsigned int *)block(ind))[bn] : 0;
	}
	bn -= NINDIRECT;
	ind = d->addrs[NDIRECT + 1];
	if (bn >= NDINDIRECT || !in_data(ind))
		return 0;
	ind = ((unsigned int *)block(ind))[bn / NINDIRECT];
	return in_data(ind) ? ((unsigned int *)block(ind))[bn % NINDIRECT] : 0;
}

/* Copy n bytes at off of the file into dst (holes and bad blocks read as zeros). */
static void
fread_at(struct dinode *d, unsigned long off, void *dst, unsigned long n)
{
	unsigned char *out = dst;
	unsigned long m;
	unsigned int b;

	while (n > 0) {
		m = BSIZE - off % BSIZE;
		if (m > n)
			m = n;
		b = fbmap(d, off / BSIZE);
		if (in_data(b))
			memcpy(out, block(b) + off % BSIZE, m);
		else
			memset(out, 0, m);
		out += m;
		off += m;
		n -= m;
	}
}

static void
entry_name(const struct dirent *de, char *name)
{
	memcpy(name, de->name, DIRSIZ);
	name[DIRSIZ] = '\0';
}

/* ---- directories -------------------------------------------------------- */

static const char *typename[] = { "free", "dir", "file", "device" };

static void
walk_dir(unsigned int dir, unsigned int parent, const char *path, int list)
{
	struct dinode *d = dinode(dir), *cd;
	struct dirent de;
	char name[DIRSIZ + 1], child[MAXPATH * 4];
	unsigned long off, nent = d->size / sizeof(de);

	if (nent < 2) {
		problem("directory %u (%s): missing '.' and '..'", dir, path);
	} else {
		fread_at(d, 0, &de, sizeof(de));
		if (strncmp(de.name, ".", DIRSIZ) != 0 || de.inum != dir)
			problem("directory %u (%s): first entry is not '.' for itself", dir, path);
		fread_at(d, sizeof(de), &de, sizeof(de));
		if (strncmp(de.name, "..", DIRSIZ) != 0 || de.inum != parent)
			problem("directory %u (%s): '..' is %u, expected %u", dir, path, de.inum, parent);
	}

	for (off = 0; off < nent; off++) {
		fread_at(d, off * sizeof(de), &de, sizeof(de));
		if (de.inum == 0)
			continue;
		entry_name(&de, name);
		if (de.inum >= sb.ninodes) {
			problem("directory %u (%s): entry '%s' names inode %u, out of range",
				dir, path, name, de.inum);
			continue;
		}
		cd = dinode(de.inum);
		if (cd->type == 0) {
			problem("directory %u (%s): entry '%s' names free inode %u", dir, path, name, de.inum);
			continue;
		}
		if (strcmp(name, ".") == 0)
			continue;	/* not a link */
		refs[de.inum]++;
		if (strcmp(name, "..") == 0 || off < 2)
			continue;
		snprintf(child, sizeof(child), "%s%s%s", path, strcmp(path, "/") ? "/" : "", name);
		if (list)
			printf("%s\tinode %u %s nlink %d size %u\n", child, de.inum,
			       cd->type >= 1 && cd->type <= 3 ? typename[cd->type] : "?",
			       cd->nlink, cd->size);
		if (cd->type != T_DIR)
			continue;
		if (parent_of[de.inum] != 0 || de.inum == ROOTINO) {
			problem("directory %u is named by more than one directory (%s)", de.inum, child);
			continue;
		}
		parent_of[de.inum] = dir;
		walk_dir(de.inum, dir, child, list);
	}
}

/* ---- --cat -------------------------------------------------------------- */

static int
cat_file(const char *path)
{
	char comp[DIRSIZ + 1], name[DIRSIZ + 1];
	unsigned int inum = ROOTINO, found;
	struct dinode *d;
	struct dirent de;
	unsigned long off, n;
	const char *p = path, *end;
	unsigned char buf[BSIZE];
	size_t len;

	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len > DIRSIZ)
			goto notfound;
		memcpy(comp, p, len);
		comp[len] = '\0';
		d = dinode(inum);
		if (d->type != T_DIR)
			goto notfound;
		found = 0;
		for (off = 0; off + sizeof(de) <= d->size; off += sizeof(de)) {
			fread_at(d, off, &de, sizeof(de));
			entry_name(&de, name);
			if (de.inum != 0 && strcmp(name, comp) == 0 && de.inum < sb.ninodes) {
				found = de.inum;
				break;
			}
		}
		if (!found)
			goto notfound;
		inum = found;
		p += len;
	}
	d = dinode(inum);
	for (off = 0; off < d->size; off += n) {
		n = d->size - off < BSIZE ? d->size - off : BSIZE;
		fread_at(d, off, buf, n);
		fwrite(buf, 1, n, stdout);
	}
	return 0;
notfound:
	fprintf(stderr, "fsck: %s: no such file\n", path);
	return 1;
}

int
main(int argc, char **argv)
{
	const char *cat = NULL;
	unsigned int inum;
	struct dinode *d;
	int list = 0;
	long len;
	FILE *fp;

	if (argc == 3 && strcmp(argv[2], "--ls") == 0)
		list = 1;
	else if (argc == 4 && strcmp(argv[2], "--cat") == 0)
		cat = argv[3];
	else if (argc != 2) {
		fprintf(stderr, "usage: fsck IMAGE [--ls | --cat PATH]\n");
		return 2;
	}
	if ((fp = fopen(argv[1], "rb")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	img_blocks = len > 0 ? (unsigned long)len / BSIZE : 0;
	if (img_blocks < 2) {
		printf("image too small: %ld bytes\n", len);
		return 1;
	}
	img = malloc(img_blocks * BSIZE);
	if (img == NULL || fread(img, BSIZE, img_blocks, fp) != img_blocks) {
		fprintf(stderr, "fsck: cannot read %s\n", argv[1]);
		return 2;
	}
	fclose(fp);

	if (!check_superblock())
		return 1;
	apply_log();
	if (cat)
		return cat_file(cat);

	owner = calloc(sb.size, sizeof(*owner));
	refs = calloc(sb.ninodes, sizeof(*refs));
	parent_of = calloc(sb.ninodes, sizeof(*parent_of));
	if (!owner || !refs || !parent_of) {
		fprintf(stderr, "fsck: out of memory\n");
		return 2;
	}

	for (inum = 1; inum < sb.ninodes; inum++) {
		d = dinode(inum);
		if (d->type == 0)
			continue;
		if (d->type < T_DIR || d->type > T_DEVICE) {
			problem("inode %u: bad type %d", inum, d->type);
			continue;
		}
		check_inode_blocks(inum, d);
	}
	check_bitmap();

	if (dinode(ROOTINO)->type != T_DIR) {
		problem("root inode %u is not a directory", ROOTINO);
	} else {
		parent_of[ROOTINO] = ROOTINO;
		if (list)
			printf("/\tinode %u dir nlink %d size %u\n", ROOTINO,
			       dinode(ROOTINO)->nlink, dinode(ROOTINO)->size);
		walk_dir(ROOTINO, ROOTINO, "/", list);
	}

	for (inum = 1; inum < sb.ninodes; inum++) {
		d = dinode(inum);
		if (d->type < T_DIR || d->type > T_DEVICE)
			continue;
		if (d->nlink == 0 && refs[inum] == 0) {
			printf("inode %u: orphan (no links, still allocated: freed at next boot)\n", inum);
			continue;
		}
		if (d->nlink != (int)refs[inum])
			problem("inode %u: link count %d, but %u directory references",
				inum, d->nlink, refs[inum]);
		if (d->type == T_DIR && refs[inum] > 0 && parent_of[inum] == 0)
			problem("directory %u is not reachable from the root", inum);
	}
	if (problems == 0 && !list)
		printf("%s: clean, %u blocks, %u inodes\n", argv[1], sb.size, sb.ninodes);
	return problems ? 1 : 0;
}
