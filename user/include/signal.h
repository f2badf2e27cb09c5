/*
 * Signals.  aqua6 has no signal handlers: a signal sent with kill(2)
 * terminates the process, and its number shows in the wait status.
 */
#ifndef _SIGNAL_H
#define _SIGNAL_H

#include <sys/types.h>
#include <aqua/wait.h>		/* SIGKILL, SIGSEGV */

#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGABRT		6
#define SIGBUS		10
#define SIGPIPE		13
#define SIGTERM		15

int	kill(pid_t pid, int sig);

#endif
