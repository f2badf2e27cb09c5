/* errno and the error numbers (<aqua/errno.h>, shared with the kernel). */
#ifndef _ERRNO_H
#define _ERRNO_H

#include <aqua/errno.h>

/* Set by every system call that returns -1 (there is one thread per process). */
extern int errno;

#endif
