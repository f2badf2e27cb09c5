/*
 * The on-disk format of the aqua6 file system, shared by the kernel
 * (kern/fs) and the host tools (mkfs/mkfs.c, mkfs/fsck.c).
 *
 * Disk layout, in BSIZE blocks:
 *   [ boot block | super block | log | inode blocks | free bit map | data ]
 * The super block says where each part starts.
 */
#ifndef AQUA_FSFORMAT_H
#define AQUA_FSFORMAT_H

#include <aqua/limits.h>

#define BSIZE		1024	/* block size */
#define FSMAGIC		0x41513646	/* "AQ6F" */
#define ROOTINO		1	/* root directory inode number */
#define FSSIZE		32768	/* blocks of the image `make` builds (mkfs's default): 32 MiB */

struct superblock {
	unsigned int magic;	/* FSMAGIC */
	unsigned int size;	/* size of the image in blocks */
	unsigned int nblocks;	/* number of data blocks */
	unsigned int ninodes;	/* number of inodes */
	unsigned int nlog;	/* number of log blocks (header included) */
	unsigned int logstart;	/* block of the log header */
	unsigned int inodestart;/* block of the first inode block */
	unsigned int bmapstart;	/* block of the first free-map block */
};

#define NDIRECT		12
#define NINDIRECT	(BSIZE / sizeof(unsigned int))
#define NDINDIRECT	(NINDIRECT * NINDIRECT)
#define MAXFILE		(NDIRECT + NINDIRECT + NDINDIRECT)

/* On-disk inode: 12 direct blocks, one indirect, one double indirect. */
struct dinode {
	short	type;		/* 0 = free, else T_DIR, T_FILE, T_DEVICE */
	short	major;		/* device number (T_DEVICE only) */
	short	minor;
	short	nlink;		/* directory entries that refer to it */
	unsigned int size;	/* bytes of content */
	unsigned int addrs[NDIRECT + 2];
};

#define IPB		(BSIZE / sizeof(struct dinode))	/* inodes per block */
#define IBLOCK(i, sb)	((i) / IPB + (sb).inodestart)	/* block of inode i */
#define BPB		(BSIZE * 8)			/* bitmap bits per block */
#define BBLOCK(b, sb)	((b) / BPB + (sb).bmapstart)	/* bitmap block of b */

/* A directory is a file of these. inum 0 marks a free entry. */
struct dirent {
	unsigned short inum;
	char	name[DIRSIZ];
};

#define LOGSIZE		30	/* max data blocks one file system operation writes */
#define MAXOPBLOCKS	(LOGSIZE / 2)	/* blocks one transaction may dirty (kern/include/fs.h says why) */

/* The log header block: which home blocks the logged copies belong to. */
struct logheader {
	int	n;
	int	block[LOGSIZE];
};

#define CONSOLE_MAJOR	1	/* major number of /dev/console */

#endif
