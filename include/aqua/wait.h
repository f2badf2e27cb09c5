/* Exit-status encoding shared by the kernel's wait and user macros. */
#ifndef AQUA_WAIT_H
#define AQUA_WAIT_H

/*
 * As on BSD: low 7 bits are the terminating signal (0 for a normal
 * exit), the next 8 bits are the exit code.
 */
#define W_EXITCODE(ret, sig)	(((ret) & 0xff) << 8 | ((sig) & 0x7f))
#define WEXITSTATUS(s)		(((s) >> 8) & 0xff)
#define WTERMSIG(s)		((s) & 0x7f)
#define WIFEXITED(s)		(WTERMSIG(s) == 0)
#define WIFSIGNALED(s)		(WTERMSIG(s) != 0 && WTERMSIG(s) != 0x7f)

#define WNOHANG		1	/* waitpid: do not sleep */

#define SIGKILL		9	/* the signal number kill(2) uses by default */
#define SIGSEGV		11	/* recorded in the status of a faulting process */

#endif
