/* errno and the path from a failed system call stub into it. */
#include <errno.h>

/*
 * One errno per thread (<tls.h>): a failed call in one thread must not
 * change what another thread is about to read after its own failed call.
 */
__thread int errno;

/*
 * Every system-call stub (user/arch/<arch>/syscall.h) jumps here with the
 * positive error number when the kernel returned -errno.  Returning -1 as
 * a long serves both int and pointer results (sbrk gives (void *)-1).
 */
long
__syscall_error(long err)
{
	errno = (int)err;
	return -1;
}
