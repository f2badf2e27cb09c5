/* File status. */
#ifndef _SYS_STAT_H
#define _SYS_STAT_H

#include <sys/types.h>
#include <aqua/stat.h>

int	fstat(int fd, struct stat *st);
int	stat(const char *path, struct stat *st);
int	mkdir(const char *path, ...);	/* a mode argument is accepted and ignored */
int	mknod(const char *path, int major, int minor);

#define S_ISDIR(t)	((t) == T_DIR)
#define S_ISREG(t)	((t) == T_FILE)

#endif
