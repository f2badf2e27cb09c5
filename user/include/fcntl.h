/* open(2) and its flags. */
#ifndef _FCNTL_H
#define _FCNTL_H

#include <aqua/fcntl.h>

int	open(const char *path, int flags, ...);
int	creat(const char *path, int mode);

#endif
