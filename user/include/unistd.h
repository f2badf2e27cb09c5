/*
 * The system calls (kern/syscalls.master) and small wrappers around them.
 * The aqua6-specific calls are at the end.
 */
#ifndef _UNISTD_H
#define _UNISTD_H

#include <sys/types.h>
#include <aqua/fcntl.h>		/* SEEK_SET, SEEK_CUR, SEEK_END */
#include <aqua/limits.h>

#define STDIN_FILENO	0
#define STDOUT_FILENO	1
#define STDERR_FILENO	2

void	 _exit(int status) __attribute__((noreturn));
pid_t	 fork(void);
pid_t	 vfork(void);
ssize_t	 read(int fd, void *buf, size_t n);
ssize_t	 write(int fd, const void *buf, size_t n);
int	 close(int fd);
int	 pipe(int fd[2]);
int	 link(const char *old, const char *new);
int	 unlink(const char *path);
int	 rmdir(const char *path);		/* unlink of an empty directory */
int	 exec(const char *path, char *const argv[]);
int	 execv(const char *path, char *const argv[]);
int	 execvp(const char *file, char *const argv[]);	/* tries /bin/file too */
int	 chdir(const char *path);
off_t	 lseek(int fd, off_t off, int whence);
pid_t	 getpid(void);
pid_t	 getppid(void);
int	 dup(int fd);
int	 dup2(int from, int to);
void	*sbrk(intptr_t increment);
unsigned int sleep(unsigned int seconds);
int	 usleep(unsigned long usec);
int	 getcwd(char *buf, size_t len);		/* 0 or -1, as kern/syscalls.master says */
int	 isatty(int fd);

/* aqua6 extensions */
struct procinfo;
struct sysinfo;
int	 msleep(unsigned int ms);
unsigned long uptime(void);			/* milliseconds since boot */
pid_t	 rfork1(int flags);			/* fork1(9) flags, <aqua/fork.h> */
int	 procinfo(int slot, struct procinfo *pi);
int	 poweroff(int status);
int	 bootargs(char *buf, size_t len);
int	 sysinfo(struct sysinfo *si);
int	 ktest(const char *name);

#endif
