/*
 * The file system proper: blocks, inodes, directories and path names.
 *
 * Layers, from the bottom:
 *   blocks       a bit map says which data blocks are in use (balloc/bfree);
 *   inodes       a file is an inode: type, link count, size and the block
 *                numbers of its contents (12 direct, one indirect block of
 *                256 more, one double-indirect block of 256 indirect blocks);
 *   directories  a directory is a file of struct dirent (name -> inode);
 *   path names   "/a/b/c" is looked up one directory at a time.
 * Every change to the disk goes through log_write(), so the caller must be
 * inside log_begin_op()/log_end_op().
 *
 * In-core inodes.  The kernel keeps at most NINODE inodes in memory, each
 * shared by everyone who uses that file.  i_ref counts the C pointers to an
 * in-core inode (open files, current directories, a path walk in progress);
 * when it drops to zero the slot can be reused.  i_nlink (on disk) counts
 * directory entries; a file whose link count and i_ref both reach zero is
 * freed by iput().  The inode's sleep lock guards its contents: iget()
 * returns an unlocked reference, ilock() reads the dinode if needed.
 * Keeping the two apart lets a path walk hold a reference to a directory
 * without holding its lock, which is what avoids deadlock on "." and "..".
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "proc.h"
#include "fs.h"
#include "file.h"

static struct superblock sb;

static struct {
	struct spinlock	lock;		/* protects i_ref, i_dev, i_inum */
	struct inode	inode[NINODE];
} icache;

static struct inode *iget(unsigned int dev, unsigned int inum);

/* A block of zeros: what a hole in a file reads as. */
static const unsigned char zeroblock[BSIZE];

static void
read_superblock(unsigned int dev)
{
	struct buf *b;

	b = bread(dev, 1);
	memcpy(&sb, b->b_data, sizeof(sb));
	brelse(b);
}

/*
 * A file unlinked while open is freed by the last iput().  If the machine
 * stopped before that, the inode is still allocated with no links: free it
 * now (each one in its own transaction), so such crashes leak nothing.
 */
static void
free_orphans(unsigned int dev)
{
	struct buf *b;
	struct dinode *dip;
	struct inode *ip;
	unsigned int inum;
	int orphan;

	for (inum = ROOTINO + 1; inum < sb.ninodes; inum++) {
		b = bread(dev, IBLOCK(inum, sb));
		dip = (struct dinode *)b->b_data + inum % IPB;
		orphan = dip->type != 0 && dip->nlink == 0;
		brelse(b);
		if (!orphan || (ip = iget(dev, inum)) == NULL)
			continue;
		printf("fs: freeing orphaned inode %u\n", inum);
		log_begin_op();
		ilock(ip);
		iunlockput(ip);		/* no links, last reference: freed */
		log_end_op();
	}
}

/*
 * Called once, from the first process (disk I/O sleeps, so it cannot run
 * in kern_main before there is a process to put to sleep).
 */
void
fs_init(unsigned int dev)
{
	int i;

	binit();
	fileinit();
	read_superblock(dev);
	if (sb.magic != FSMAGIC)
		panic("fs_init: bad super block magic %#x", sb.magic);
	spinlock_init(&icache.lock, "icache");
	for (i = 0; i < NINODE; i++)
		sleeplock_init(&icache.inode[i].i_lock, "inode");
	log_init(dev, &sb);
	free_orphans(dev);
}

/*
 * How many bytes one write transaction may carry (see fs.h).  A piece of c
 * blocks' worth of bytes touches at most c + 1 data blocks, 3 indirect
 * blocks, the inode block, and one bit-map block per allocated block up to
 * the number of bit-map blocks covering the data area.
 */
unsigned int
fs_write_chunk(void)
{
	unsigned int nbitmap, c, touched;

	nbitmap = BBLOCK(sb.size - 1, sb) - BBLOCK(sb.size - sb.nblocks, sb) + 1;
	for (c = 1; ; c++) {
		touched = (c + 1) + 3 + 1 + MIN(nbitmap, (c + 1) + 3);
		if (touched > MAXOPBLOCKS)
			break;
	}
	if (c == 1)
		panic("fs_write_chunk: bit map of %u blocks is too big for the log", nbitmap);
	return (c - 1) * BSIZE;
}

/* ---- blocks ------------------------------------------------------------ */

static void
block_zero(unsigned int dev, unsigned int bno)
{
	struct buf *b;

	b = bread(dev, bno);
	memset(b->b_data, 0, BSIZE);
	log_write(b);
	brelse(b);
}

/*
 * A zeroed free block, or 0 when the disk is full.  Zeroing matters: a
 * recycled block may hold another file's data, and a new indirect block
 * must read as "no blocks yet".  The scan skips a byte of the bit map at a
 * time while all 8 of its blocks are in use: the image's own files fill
 * the first thousands of blocks, and testing those bit by bit cost most of
 * a file create.
 */
static unsigned int
balloc(unsigned int dev)
{
	struct buf *b;
	unsigned int base, bit, bno;

	for (base = 0; base < sb.size; base += BPB) {
		b = bread(dev, BBLOCK(base, sb));
		for (bit = 0; bit < BPB && base + bit < sb.size; bit++) {
			if (bit % 8 == 0 && b->b_data[bit / 8] == 0xff) {
				bit += 7;
				continue;
			}
			if ((b->b_data[bit / 8] & (1 << (bit % 8))) == 0) {
				b->b_data[bit / 8] |= 1 << (bit % 8);
				log_write(b);
				brelse(b);
				bno = base + bit;
				block_zero(dev, bno);
				return bno;
			}
		}
		brelse(b);
	}
	return 0;
}

static void
bfree(unsigned int dev, unsigned int bno)
{
	struct buf *b;
	unsigned int bit = bno % BPB;

	if (bno == 0 || bno >= sb.size)
		panic("bfree: block %u out of range", bno);
	b = bread(dev, BBLOCK(bno, sb));
	if ((b->b_data[bit / 8] & (1 << (bit % 8))) == 0)
		panic("bfree: block %u already free", bno);
	b->b_data[bit / 8] &= ~(1 << (bit % 8));
	log_write(b);
	brelse(b);
}

/* ---- inodes ------------------------------------------------------------ */

/*
 * The in-core inode for (dev, inum), with one more reference; not locked
 * and not necessarily read from disk.  NULL when all NINODE slots are busy.
 */
static struct inode *
iget(unsigned int dev, unsigned int inum)
{
	struct inode *ip, *empty = NULL;

	spinlock_acquire(&icache.lock);
	for (ip = icache.inode; ip < icache.inode + NINODE; ip++) {
		if (ip->i_ref > 0 && ip->i_dev == dev && ip->i_inum == inum) {
			ip->i_ref++;
			spinlock_release(&icache.lock);
			return ip;
		}
		if (empty == NULL && ip->i_ref == 0)
			empty = ip;
	}
	if (empty == NULL) {
		/* Every slot is in use: the callers report ENFILE. */
		spinlock_release(&icache.lock);
		return NULL;
	}
	ip = empty;
	ip->i_dev = dev;
	ip->i_inum = inum;
	ip->i_ref = 1;
	ip->i_valid = 0;
	spinlock_release(&icache.lock);
	return ip;
}

/*
 * A new inode of the given type (unlocked, referenced), or NULL with *errp
 * ENOSPC (no free inode on the disk) or ENFILE (a free one on the disk,
 * but no free slot in the in-core table to hold it).
 */
struct inode *
ialloc(unsigned int dev, short type, int *errp)
{
	struct buf *b;
	struct dinode *dip;
	struct inode *ip;
	unsigned int inum;

	for (inum = 1; inum < sb.ninodes; inum++) {
		b = bread(dev, IBLOCK(inum, sb));
		dip = (struct dinode *)b->b_data + inum % IPB;
		if (dip->type == 0) {
			memset(dip, 0, sizeof(*dip));
			dip->type = type;
			log_write(b);	/* claimed on disk */
			brelse(b);
			ip = iget(dev, inum);
			if (ip == NULL) {
				/* Give the dinode back (same transaction). */
				b = bread(dev, IBLOCK(inum, sb));
				dip = (struct dinode *)b->b_data + inum % IPB;
				dip->type = 0;
				log_write(b);
				brelse(b);
				*errp = ENFILE;
			}
			return ip;
		}
		brelse(b);
	}
	*errp = ENOSPC;
	return NULL;
}

/* Copy a changed in-core inode to its dinode.  ip locked, in a transaction. */
void
iupdate(struct inode *ip)
{
	struct buf *b;
	struct dinode *dip;

	KASSERT(sleeplock_holding(&ip->i_lock));
	b = bread(ip->i_dev, IBLOCK(ip->i_inum, sb));
	dip = (struct dinode *)b->b_data + ip->i_inum % IPB;
	dip->type = ip->i_type;
	dip->major = ip->i_major;
	dip->minor = ip->i_minor;
	dip->nlink = ip->i_nlink;
	dip->size = ip->i_size;
	memcpy(dip->addrs, ip->i_addrs, sizeof(ip->i_addrs));
	log_write(b);
	brelse(b);
}

/* One more reference to ip, which the caller has one to already. */
struct inode *
idup(struct inode *ip)
{
	spinlock_acquire(&icache.lock);
	KASSERT(ip->i_ref > 0);
	ip->i_ref++;
	spinlock_release(&icache.lock);
	return ip;
}

/* Lock ip, reading it from disk the first time. */
void
ilock(struct inode *ip)
{
	struct buf *b;
	struct dinode *dip;

	if (ip == NULL || ip->i_ref < 1)
		panic("ilock: no reference");
	sleeplock_acquire(&ip->i_lock);
	if (!ip->i_valid) {
		b = bread(ip->i_dev, IBLOCK(ip->i_inum, sb));
		dip = (struct dinode *)b->b_data + ip->i_inum % IPB;
		ip->i_type = dip->type;
		ip->i_major = dip->major;
		ip->i_minor = dip->minor;
		ip->i_nlink = dip->nlink;
		ip->i_size = dip->size;
		memcpy(ip->i_addrs, dip->addrs, sizeof(ip->i_addrs));
		brelse(b);
		ip->i_valid = 1;
		if (ip->i_type == 0)
			panic("ilock: inode %u is free on disk", ip->i_inum);
	}
}

void
iunlock(struct inode *ip)
{
	if (ip == NULL || !sleeplock_holding(&ip->i_lock) || ip->i_ref < 1)
		panic("iunlock");
	sleeplock_release(&ip->i_lock);
}

/*
 * Drop a reference.  The last reference to an inode no directory names any
 * more frees it: its blocks, then the dinode.  Must be inside a transaction
 * for that reason, even when the caller expects nothing to be freed.
 */
void
iput(struct inode *ip)
{
	int last;

	sleeplock_acquire(&ip->i_lock);
	if (ip->i_valid && ip->i_nlink == 0) {
		spinlock_acquire(&icache.lock);
		last = ip->i_ref == 1;
		spinlock_release(&icache.lock);
		if (last) {
			/*
			 * Nobody else can find this inode: no directory
			 * names it and ours is the only reference, so the
			 * sleep lock we hold cannot be contended.
			 */
			itrunc(ip);
			ip->i_type = 0;
			iupdate(ip);
			ip->i_valid = 0;
		}
	}
	sleeplock_release(&ip->i_lock);

	spinlock_acquire(&icache.lock);
	KASSERT(ip->i_ref > 0);
	ip->i_ref--;
	spinlock_release(&icache.lock);
}

void
iunlockput(struct inode *ip)
{
	iunlock(ip);
	iput(ip);
}

/*
 * The disk block holding block bn of the file.  With alloc, missing blocks
 * (and the indirect blocks leading to them) are allocated; 0 means the disk
 * is full.  Without alloc, 0 means a hole, which reads as zeros.
 */
static unsigned int
bmap(struct inode *ip, unsigned int bn, int alloc)
{
	unsigned int *slot, addr, idx;
	struct buf *b;

	if (bn < NDIRECT) {
		if (ip->i_addrs[bn] == 0 && alloc)
			ip->i_addrs[bn] = balloc(ip->i_dev);
		return ip->i_addrs[bn];
	}
	bn -= NDIRECT;

	/* Walk down: the inode's slot, then one or two indirect blocks. */
	if (bn < NINDIRECT) {
		slot = &ip->i_addrs[NDIRECT];
	} else {
		bn -= NINDIRECT;
		if (bn >= NDINDIRECT)
			panic("bmap: block %u beyond MAXFILE", bn);
		slot = &ip->i_addrs[NDIRECT + 1];
	}
	if (*slot == 0) {
		if (!alloc || (*slot = balloc(ip->i_dev)) == 0)
			return 0;
	}
	addr = *slot;

	if (slot == &ip->i_addrs[NDIRECT + 1]) {
		/* First level of the double-indirect tree. */
		idx = bn / NINDIRECT;
		bn %= NINDIRECT;
		b = bread(ip->i_dev, addr);
		addr = ((unsigned int *)b->b_data)[idx];
		if (addr == 0 && alloc) {
			addr = balloc(ip->i_dev);
			if (addr != 0) {
				((unsigned int *)b->b_data)[idx] = addr;
				log_write(b);
			}
		}
		brelse(b);
		if (addr == 0)
			return 0;
	}

	b = bread(ip->i_dev, addr);
	addr = ((unsigned int *)b->b_data)[bn];
	if (addr == 0 && alloc) {
		addr = balloc(ip->i_dev);
		if (addr != 0) {
			((unsigned int *)b->b_data)[bn] = addr;
			log_write(b);
		}
	}
	brelse(b);
	return addr;
}

/* Free the data blocks listed in indirect block ind, then ind itself. */
static void
free_indirect(unsigned int dev, unsigned int ind, int levels)
{
	struct buf *b;
	unsigned int *a;
	unsigned int i;

	b = bread(dev, ind);
	a = (unsigned int *)b->b_data;
	for (i = 0; i < NINDIRECT; i++) {
		if (a[i] == 0)
			continue;
		if (levels > 1)
			free_indirect(dev, a[i], levels - 1);
		else
			bfree(dev, a[i]);
	}
	brelse(b);
	bfree(dev, ind);
}

/* Discard the contents of ip.  ip locked, in a transaction. */
void
itrunc(struct inode *ip)
{
	int i;

	KASSERT(sleeplock_holding(&ip->i_lock));
	for (i = 0; i < NDIRECT; i++) {
		if (ip->i_addrs[i]) {
			bfree(ip->i_dev, ip->i_addrs[i]);
			ip->i_addrs[i] = 0;
		}
	}
	if (ip->i_addrs[NDIRECT]) {
		free_indirect(ip->i_dev, ip->i_addrs[NDIRECT], 1);
		ip->i_addrs[NDIRECT] = 0;
	}
	if (ip->i_addrs[NDIRECT + 1]) {
		free_indirect(ip->i_dev, ip->i_addrs[NDIRECT + 1], 2);
		ip->i_addrs[NDIRECT + 1] = 0;
	}
	ip->i_size = 0;
	iupdate(ip);
}

void
stati(struct inode *ip, struct stat *st)
{
	st->dev = ip->i_dev;
	st->ino = ip->i_inum;
	st->type = ip->i_type;
	st->nlink = ip->i_nlink;
	st->size = ip->i_size;
}

/* ---- contents ---------------------------------------------------------- */

/*
 * Copy to a user address (user) or a kernel address: the bytes copied, n
 * unless a user page on the way is bad (the copy stops at its start).
 */
static size_t
copy_to(int user, struct proc *p, uintptr_t dst, const void *src, size_t n)
{
	size_t done;

	if (user) {
		copyout_part(p, dst, src, n, &done);
		return done;
	}
	memmove((void *)dst, src, n);
	return n;
}

static size_t
copy_from(int user, struct proc *p, void *dst, uintptr_t src, size_t n)
{
	size_t done;

	if (user) {
		copyin_part(p, dst, src, n, &done);
		return done;
	}
	memmove(dst, (const void *)src, n);
	return n;
}

/*
 * Read up to n bytes at off into dst.  Returns the count (0 at or after
 * the end of the file) or -1 if the destination is a bad user address and
 * nothing was copied.  A destination that goes bad part way gets the bytes
 * up to the bad page, and the count says exactly how many.  ip locked.
 */
int
readi(struct inode *ip, int user, struct proc *p, uintptr_t dst, unsigned int off, unsigned int n)
{
	unsigned int tot, m, bno, got;
	struct buf *b;

	KASSERT(sleeplock_holding(&ip->i_lock));
	if (off >= ip->i_size)
		return 0;
	if (n > ip->i_size - off)
		n = ip->i_size - off;

	for (tot = 0; tot < n; tot += m, off += m, dst += m) {
		m = MIN(n - tot, BSIZE - off % BSIZE);
		bno = bmap(ip, off / BSIZE, 0);
		if (bno == 0) {
			got = copy_to(user, p, dst, zeroblock, m);
		} else {
			b = bread(ip->i_dev, bno);
			got = copy_to(user, p, dst, b->b_data + off % BSIZE, m);
			brelse(b);
		}
		if (got < m) {
			tot += got;
			return tot > 0 ? (int)tot : -1;
		}
	}
	return (int)n;
}

/*
 * Write n bytes from src at off, growing the file as needed (a write past
 * the end leaves a hole).  Returns the count written, which is short when
 * the disk fills up, or -1 for a bad user address with nothing written or a
 * write beyond MAXFILE.  ip locked, in a transaction; the caller keeps n
 * small enough for one transaction (fs_write_chunk()).
 */
int
writei(struct inode *ip, int user, struct proc *p, uintptr_t src, unsigned int off, unsigned int n)
{
	unsigned int tot, m, bno, got;
	struct buf *b;
	int bad = 0;

	KASSERT(sleeplock_holding(&ip->i_lock));
	if ((unsigned long)off >= MAXFILESIZE)
		return -1;
	if ((unsigned long)off + n > MAXFILESIZE)
		n = MAXFILESIZE - off;

	for (tot = 0; tot < n; tot += m, off += m, src += m) {
		m = MIN(n - tot, BSIZE - off % BSIZE);
		bno = bmap(ip, off / BSIZE, 1);
		if (bno == 0)
			break;		/* disk full */
		b = bread(ip->i_dev, bno);
		got = copy_from(user, p, b->b_data + off % BSIZE, src, m);
		/*
		 * A source that goes bad part way has changed the block up to
		 * the bad page: those bytes are written and counted (the file
		 * holds exactly the count returned), and the block is logged
		 * even if nothing changed, since bmap may have just allocated
		 * it and the cache must never hold data the log does not know.
		 */
		log_write(b);
		brelse(b);
		if (got < m) {
			tot += got;
			off += got;
			bad = 1;
			break;
		}
	}
	if (off > ip->i_size)
		ip->i_size = off;
	/* bmap may have changed i_addrs even if nothing was written. */
	iupdate(ip);
	if (bad && tot == 0)
		return -1;
	return (int)tot;
}

/* ---- directories ------------------------------------------------------- */

/* Is the entry's name (DIRSIZ bytes, NUL-padded unless full) equal to name? */
static int
name_equal(const char *name, const char *entry)
{
	return strncmp(name, entry, DIRSIZ) == 0;
}

/*
 * The inode number that name has in directory dp (locked), and the byte
 * offset of its entry in *poff; 0 if there is no such entry.
 */
static unsigned int
dir_find(struct inode *dp, const char *name, unsigned int *poff)
{
	struct dirent de;
	unsigned int off;

	KASSERT(sleeplock_holding(&dp->i_lock));
	if (dp->i_type != T_DIR)
		panic("dir_find: not a directory");
	for (off = 0; off + sizeof(de) <= dp->i_size; off += sizeof(de)) {
		if (readi(dp, 0, NULL, (uintptr_t)&de, off, sizeof(de)) != sizeof(de))
			panic("dir_find: short read");
		if (de.inum == 0 || !name_equal(name, de.name))
			continue;
		if (poff)
			*poff = off;
		return de.inum;
	}
	return 0;
}

/*
 * Look name up in directory dp (locked).  Returns the entry's inode
 * (referenced, unlocked) and its byte offset in *poff, or NULL with *errp
 * (if errp is not NULL) ENOENT if there is no such entry, or ENFILE if
 * there is but no free in-core inode to hold it: a caller must not take
 * that for "no such name" (create would add a second entry).
 */
struct inode *
dirlookup(struct inode *dp, const char *name, unsigned int *poff, int *errp)
{
	unsigned int inum;
	struct inode *ip;

	KASSERT(sleeplock_holding(&dp->i_lock));
	inum = dir_find(dp, name, poff);
	ip = inum ? iget(dp->i_dev, inum) : NULL;

	if (ip == NULL && errp != NULL)
		*errp = inum ? ENFILE : ENOENT;
	return ip;
}

/*
 * Add the entry name -> inum to dp (locked, in a transaction), in the first
 * free slot or at the end.  0, EEXIST, or ENOSPC.
 */
int
dirlink(struct inode *dp, const char *name, unsigned int inum)
{
	struct dirent de;
	unsigned int off;

	KASSERT(sleeplock_holding(&dp->i_lock));
	if (dir_find(dp, name, NULL) != 0)
		return EEXIST;
	for (off = 0; off + sizeof(de) <= dp->i_size; off += sizeof(de)) {
		if (readi(dp, 0, NULL, (uintptr_t)&de, off, sizeof(de)) != sizeof(de))
			panic("dirlink: short read");
		if (de.inum == 0)
			break;
	}
	/* The name is NUL-padded, with no NUL when it is DIRSIZ long. */
	memset(&de, 0, sizeof(de));
	memmove(de.name, name, strnlen(name, DIRSIZ));
	de.inum = inum;
	if (writei(dp, 0, NULL, (uintptr_t)&de, off, sizeof(de)) != sizeof(de))
		return ENOSPC;
	return 0;
}

/* Does directory dp (locked) hold nothing but "." and ".."? */
int
dir_isempty(struct inode *dp)
{
	struct dirent de;
	unsigned int off;

	KASSERT(sleeplock_holding(&dp->i_lock));
	for (off = 2 * sizeof(de); off + sizeof(de) <= dp->i_size; off += sizeof(de)) {
		if (readi(dp, 0, NULL, (uintptr_t)&de, off, sizeof(de)) != sizeof(de))
			panic("dir_isempty: short read");
		if (de.inum != 0)
			return 0;
	}
	return 1;
}

/* ---- path names -------------------------------------------------------- */

/*
 * Split off the first component of path into name (NUL-terminated) and
 * return the rest with its leading slashes removed:
 *   "a/bb/c" -> name "a", returns "bb/c";   "///a//" -> "a", returns "";
 *   "" or "///" -> returns NULL (no component).
 * A component longer than DIRSIZ sets *errp to ENAMETOOLONG and returns NULL.
 */
static const char *
next_component(const char *path, char *name, int *errp)
{
	const char *start;
	size_t len;

	while (*path == '/')
		path++;
	if (*path == '\0')
		return NULL;
	start = path;
	while (*path != '/' && *path != '\0')
		path++;
	len = path - start;
	if (len > DIRSIZ) {
		*errp = ENAMETOOLONG;
		return NULL;
	}
	memmove(name, start, len);
	name[len] = '\0';
	while (*path == '/')
		path++;
	return path;
}

int
namei_lookup(struct proc *p, const char *path, int parent, char *name, struct inode **ipp)
{
	struct inode *ip, *next;
	char namebuf[DIRSIZ + 1];
	unsigned int inum;
	int error = 0;

	*ipp = NULL;
	if (name == NULL)
		name = namebuf;
	if (*path == '\0')
		return ENOENT;
	size_t len = strlen(path);
	int trailing_slash = path[len - 1] == '/';	/* checked at the end */
	if (*path == '/' || p == NULL || p->p_cwd == NULL)
		ip = iget(ROOTDEV, ROOTINO);
	else
		ip = idup(p->p_cwd);
	if (ip == NULL)
		return ENFILE;

	while ((path = next_component(path, name, &error)) != NULL) {
		ilock(ip);
		if (ip->i_type != T_DIR) {
			iunlockput(ip);
			return ENOTDIR;
		}
		if (parent && *path == '\0') {
			/* Stop one level early: ip is the parent of name. */
			iunlock(ip);
			*ipp = ip;
			return 0;
		}
		inum = dir_find(ip, name, NULL);
		next = inum ? iget(ip->i_dev, inum) : NULL;
		iunlockput(ip);
		if (next == NULL)
			return inum ? ENFILE : ENOENT;
		ip = next;
	}
	if (error) {
		iput(ip);
		return error;
	}
	if (parent) {
		/* The path had no last component ("/"): no parent to give. */
		iput(ip);
		return ENOENT;
	}
	if (trailing_slash) {
		/* "file/" names a directory or nothing (POSIX): ENOTDIR. */
		ilock(ip);
		if (ip->i_type != T_DIR) {
			iunlockput(ip);
			return ENOTDIR;
		}
		iunlock(ip);
	}
	*ipp = ip;
	return 0;
}

struct inode *
namei(struct proc *p, const char *path)
{
	struct inode *ip;

	namei_lookup(p, path, 0, NULL, &ip);
	return ip;
}

struct inode *
nameiparent(struct proc *p, const char *path, char *name)
{
	struct inode *ip;

	namei_lookup(p, path, 1, name, &ip);
	return ip;
}
