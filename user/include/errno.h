/* errno and the error numbers (<aqua/errno.h>, shared with the kernel). */
#ifndef _ERRNO_H
#define _ERRNO_H

#include <aqua/errno.h>

/*
 * Set by every system call that returns -1.  Thread-local: each thread
 * (thread(3)) has its own, in its TLS block (<tls.h>).
 */
extern __thread int errno;

#endif
