/*
 * xv6 compatibility layer: the on-disk format (aqua6's <aqua/fsformat.h>
 * has xv6's names: BSIZE, DIRSIZ, NDIRECT, struct dinode, struct dirent...)
 * and an honest MAXFILE.
 *
 * aqua6's inode can address NDIRECT + NINDIRECT + NDINDIRECT blocks
 * (64 MiB), more than the 32 MiB disk `make` builds can hold, so a
 * program that writes MAXFILE blocks would fill the disk and fail.  Here
 * MAXFILE is the smaller of the two: the inode's limit or half of the
 * disk's data blocks (the other half holds the programs and what other
 * tests keep).  The inode's own limit stays available as MAXFILE_INODE.
 */
#ifndef XV6_KERNEL_FS_H
#define XV6_KERNEL_FS_H

#include <aqua/fsformat.h>

#define MAXFILE_INODE	(NDIRECT + NINDIRECT + NDINDIRECT)
#define MAXFILE_DISK	(FSSIZE / 2)
#undef MAXFILE
#define MAXFILE		(MAXFILE_INODE < MAXFILE_DISK ? MAXFILE_INODE : MAXFILE_DISK)

#endif
