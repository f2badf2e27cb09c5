/* Messages for the error numbers of <aqua/errno.h>, for strerror and perror. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const errmsg[ELAST + 1] = {
	[0]		= "Undefined error: 0",
	[EPERM]		= "Operation not permitted",
	[ENOENT]	= "No such file or directory",
	[ESRCH]		= "No such process",
	[EINTR]		= "Interrupted system call",
	[EIO]		= "Input/output error",
	[ENXIO]		= "Device not configured",
	[E2BIG]		= "Argument list too long",
	[ENOEXEC]	= "Exec format error",
	[EBADF]		= "Bad file descriptor",
	[ECHILD]	= "No child processes",
	[EDEADLK]	= "Resource deadlock avoided",
	[ENOMEM]	= "Cannot allocate memory",
	[EACCES]	= "Permission denied",
	[EFAULT]	= "Bad address",
	[EBUSY]		= "Device busy",
	[EEXIST]	= "File exists",
	[EXDEV]		= "Cross-device link",
	[ENODEV]	= "Operation not supported by device",
	[ENOTDIR]	= "Not a directory",
	[EISDIR]	= "Is a directory",
	[EINVAL]	= "Invalid argument",
	[ENFILE]	= "Too many open files in system",
	[EMFILE]	= "Too many open files",
	[ENOTTY]	= "Inappropriate ioctl for device",
	[EFBIG]		= "File too large",
	[ENOSPC]	= "No space left on device",
	[ESPIPE]	= "Illegal seek",
	[EROFS]		= "Read-only file system",
	[EMLINK]	= "Too many links",
	[EPIPE]		= "Broken pipe",
	[ERANGE]	= "Result too large",
	[EAGAIN]	= "Resource temporarily unavailable",
	[ENAMETOOLONG]	= "File name too long",
	[ENOTEMPTY]	= "Directory not empty",
	[ENOSYS]	= "Function not implemented",
};

char *
strerror(int err)
{
	static char unknown[32];

	if (err >= 0 && err <= ELAST && errmsg[err] != NULL)
		return (char *)errmsg[err];
	snprintf(unknown, sizeof(unknown), "Unknown error: %d", err);
	return unknown;
}

/*
 * As POSIX: "s: message" on stderr; with a NULL or empty s, the program
 * name stands in for it: "prog: message".
 */
void
perror(const char *s)
{
	int err = errno;

	if (s == NULL || *s == '\0')
		s = getprogname();
	fprintf(stderr, "%s: %s\n", s, strerror(err));
	errno = err;
}
