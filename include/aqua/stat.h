/* The file status returned by fstat(2), shared by the kernel and user space. */
#ifndef AQUA_STAT_H
#define AQUA_STAT_H

#define T_DIR		1	/* directory */
#define T_FILE		2	/* regular file */
#define T_DEVICE	3	/* device (the console) */

struct stat {
	int	dev;		/* file system's disk device */
	unsigned int ino;	/* inode number */
	short	type;		/* T_DIR, T_FILE or T_DEVICE */
	short	nlink;		/* number of links to the file */
	unsigned long size;	/* size of the file in bytes */
};

#endif
