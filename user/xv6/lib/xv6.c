/*
 * The xv6 compatibility layer's calls (user/xv6/include/user/user.h):
 * xv6's meaning of the few calls whose aqua6 (POSIX) meaning differs.
 * Linked before libc into every program built through the layer.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <aqua/limits.h>

#define XV6_TICK_MS	10

/*
 * printf and fprintf(fd): straight to the file descriptor.  vdprintf
 * writes each call before it returns (in one write(2) when it is short),
 * so nothing is left in a buffer for a fork() to copy -- xv6's printf is
 * unbuffered too.
 */
void
xv6_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(1, fmt, ap);
	va_end(ap);
}

void
xv6_fprintf(int fd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(fd, fmt, ap);
	va_end(ap);
}

/*
 * xv6's wait stores the child's exit() argument itself.  aqua6 keeps
 * the 8 bits POSIX keeps, so the code is read back sign-extended
 * (exit(-1) gives -1, as on xv6); a child killed by a signal gives -1,
 * which is what a killed xv6 process exits with.
 */
int
xv6_wait(int *status)
{
	int st;
	pid_t pid = waitpid(-1, &st, 0);

	if (pid >= 0 && status != NULL)
		*status = WIFSIGNALED(st) ? -1 : (signed char)WEXITSTATUS(st);
	return pid;
}

int
xv6_kill(int pid)
{
	return kill(pid, SIGKILL);
}

/* xv6's sbrk takes an int and returns char *. */
char *
xv6_sbrk(int n)
{
	return sbrk((intptr_t)n);
}

/* aqua6 maps heap pages when the break grows: lazy is eager here. */
char *
xv6_sys_sbrk(int n, int how)
{
	(void)how;
	return xv6_sbrk(n);
}

char *
xv6_sbrklazy(int n)
{
	return xv6_sbrk(n);
}

int
xv6_sleep(int ticks)
{
	return msleep(ticks > 0 ? (unsigned int)ticks * XV6_TICK_MS : 0);
}

int
xv6_uptime(void)
{
	return (int)(uptime() / XV6_TICK_MS);
}

/*
 * xv6 programs exec each other by bare name ("echo"), which xv6 finds
 * in the current directory, `/` for the tests.  `make xv6` puts the
 * programs there too; elsewhere a bare name not found is tried in /bin.
 */
int
xv6_exec(const char *path, char **argv)
{
	char alt[MAXPATH];

	if (exec(path, argv) < 0 && errno == ENOENT && strchr(path, '/') == NULL &&
	    snprintf(alt, sizeof(alt), "/bin/%s", path) < (int)sizeof(alt))
		exec(alt, argv);
	return -1;
}
