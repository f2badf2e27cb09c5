/* Library wrappers over system calls: POSIX names the kernel does not have. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libc.h"

char **__argv;

const char *
getprogname(void)
{
	const char *name, *slash;

	if (__argv == NULL || __argv[0] == NULL)
		return "?";
	name = __argv[0];
	slash = strrchr(name, '/');
	return slash != NULL ? slash + 1 : name;
}

pid_t
wait(int *status)
{
	return waitpid(-1, status, 0);
}

unsigned int
sleep(unsigned int seconds)
{
	msleep(seconds * 1000);
	return 0;
}

int
usleep(unsigned long usec)
{
	return msleep((usec + 999) / 1000);
}

int
execv(const char *path, char *const argv[])
{
	return exec(path, argv);
}

/* Like execv, but a name without '/' is looked for in /bin as well. */
int
execvp(const char *file, char *const argv[])
{
	char path[MAXPATH];

	if (strchr(file, '/') != NULL)
		return exec(file, argv);
	if (snprintf(path, sizeof(path), "/bin/%s", file) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	exec(path, argv);
	if (errno != ENOENT)
		return -1;
	return exec(file, argv);
}

int
stat(const char *path, struct stat *st)
{
	int fd, r, err;

	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	r = fstat(fd, st);
	err = errno;
	close(fd);
	errno = err;
	return r;
}

int
rmdir(const char *path)
{
	return unlink(path);
}

int
creat(const char *path, int mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC);
}
