/*
 * The file system (kern/fs/): buffer cache, write-ahead log, inodes,
 * directories and path names, in the style of xv6.  The on-disk format is
 * <aqua/fsformat.h>, shared with mkfs and fsck.
 *
 * Every system call that writes to the disk brackets its work with
 * log_begin_op()/log_end_op(), so a crash leaves either all or none of
 * the operation's writes.
 */
#ifndef KERN_FS_H
#define KERN_FS_H

#include "types.h"
#include "sleeplock.h"
#include <aqua/fsformat.h>
#include <aqua/stat.h>

struct buf {
	int		b_valid;	/* has data been read from disk? */
	int		b_disk;		/* does the disk driver own it? */
	unsigned int	b_dev;
	unsigned int	b_blockno;
	struct sleeplock b_lock;
	unsigned int	b_refcnt;
	struct buf	*b_prev, *b_next;	/* LRU list */
	unsigned char	b_data[BSIZE];
};

/* In-core inode: a cached copy of a dinode plus bookkeeping. */
struct inode {
	unsigned int	i_dev;
	unsigned int	i_inum;
	int		i_ref;		/* in-core references */
	struct sleeplock i_lock;	/* protects everything below */
	int		i_valid;	/* read from disk yet? */
	short		i_type;		/* copy of the dinode */
	short		i_major;
	short		i_minor;
	short		i_nlink;
	unsigned int	i_size;
	unsigned int	i_addrs[NDIRECT + 2];
};

/*
 * A transaction may dirty at most MAXOPBLOCKS distinct blocks, so the log
 * (LOGSIZE blocks) always has room for the operations it admitted: two run
 * at once and commit together.  A big write(2) is cut into pieces of
 * fs_write_chunk() bytes, each its own transaction: the data blocks of a
 * piece (one more than the chunk's blocks when it is not block aligned),
 * the inode block, up to three indirect blocks, and the bit-map blocks of
 * everything allocated -- which, on a fragmented disk, can be as many
 * bit-map blocks as there are, so the chunk depends on the disk's size.
 */
#define MAXFILESIZE	((unsigned long)MAXFILE * BSIZE)

/* kern/fs/bio.c */
void	binit(void);
struct buf *bread(unsigned int dev, unsigned int blockno);
void	bwrite(struct buf *b);
void	brelse(struct buf *b);
void	bpin(struct buf *b);		/* keep it cached until the log installs it */
void	bunpin(struct buf *b);

/* kern/fs/log.c */
void	log_init(unsigned int dev, const struct superblock *sb);	/* and recover */
void	log_begin_op(void);
void	log_end_op(void);
void	log_write(struct buf *b);	/* instead of bwrite inside an operation */

/* kern/fs/fs.c */
void	fs_init(unsigned int dev);	/* read the super block, recover the log */
unsigned int fs_write_chunk(void);	/* bytes one write transaction may carry */
struct inode *ialloc(unsigned int dev, short type, int *errp);	/* NULL: *errp ENOSPC or ENFILE */
struct inode *idup(struct inode *ip);
void	ilock(struct inode *ip);
void	iunlock(struct inode *ip);
void	iput(struct inode *ip);
void	iunlockput(struct inode *ip);
void	iupdate(struct inode *ip);
void	stati(struct inode *ip, struct stat *st);
int	readi(struct inode *ip, int user, struct proc *p, uintptr_t dst, unsigned int off, unsigned int n);
int	writei(struct inode *ip, int user, struct proc *p, uintptr_t src, unsigned int off, unsigned int n);
struct inode *namei(struct proc *p, const char *path);	/* NULL if not found */
struct inode *nameiparent(struct proc *p, const char *path, char *name);
struct inode *dirlookup(struct inode *dp, const char *name, unsigned int *poff, int *errp);
int	dirlink(struct inode *dp, const char *name, unsigned int inum);
void	itrunc(struct inode *ip);		/* free every block; ip locked, in a transaction */
int	dir_isempty(struct inode *dp);		/* only "." and ".."? dp locked */
/*
 * namei_lookup: the path walk behind namei() and nameiparent(), with the
 * reason for a failure: 0, or ENOENT, ENOTDIR or ENAMETOOLONG.  With
 * parent set it stops one component early and copies the last component
 * to name (DIRSIZ + 1 bytes).
 */
int	namei_lookup(struct proc *p, const char *path, int parent, char *name,
		     struct inode **ipp);

/* kern/dev/virtio_blk.c: the disk under the buffer cache */
void	disk_rw(struct buf *b, int write);	/* sleeps until the transfer is done */

#endif
