/* Exit-status encoding shared by the kernel's wait and user macros. */
#ifndef AQUA_WAIT_H
#define AQUA_WAIT_H

#include <aqua/signal.h>	/* SIGKILL, SIGSEGV, ... (the numbers live there) */

/*
 * As on BSD: low 7 bits are the terminating signal (0 for a normal
 * exit), the next 8 bits are the exit code.  A stopped child (reported
 * with WUNTRACED, or always to its tracer) has 0177 in the low 7 bits
 * and the stop signal in the next 8.
 */
#define W_EXITCODE(ret, sig)	(((ret) & 0xff) << 8 | ((sig) & 0x7f))
#define W_STOPCODE(sig)		(((sig) & 0xff) << 8 | 0177)
#define WEXITSTATUS(s)		(((s) >> 8) & 0xff)
#define WTERMSIG(s)		((s) & 0x7f)
#define WIFEXITED(s)		(WTERMSIG(s) == 0)
#define WIFSIGNALED(s)		(WTERMSIG(s) != 0 && WTERMSIG(s) != 0x7f)
#define WIFSTOPPED(s)		(((s) & 0x7f) == 0x7f)
#define WSTOPSIG(s)		(((s) >> 8) & 0xff)

#define WNOHANG		1	/* waitpid: do not sleep */
#define WUNTRACED	2	/* waitpid: also report stopped children */

#endif
