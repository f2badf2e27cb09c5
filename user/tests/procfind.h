/*
 * procfind.h: find one process by pid in procinfo(2)'s table, for the test
 * programs that wait for another process to reach a state (asleep in
 * "wait", stopped, gone) instead of waiting for a time.
 */
#ifndef USER_TESTS_PROCFIND_H
#define USER_TESTS_PROCFIND_H

#include <aqua/procinfo.h>
#include <errno.h>
#include <unistd.h>

/* Fill *pi for process pid: 1 if it exists, 0 if not. */
static __attribute__((unused)) int
proc_find(pid_t pid, struct procinfo *pi)
{
	for (int slot = 0;; slot++) {
		if (procinfo(slot, pi) < 0) {
			if (errno == ESRCH)
				continue;	/* an empty slot */
			return 0;		/* EINVAL: past the last slot */
		}
		if (pi->pid == pid)
			return 1;
	}
}

/* The state of process pid (SIDL, SRUN, ...), 0 if there is none. */
static __attribute__((unused)) int
state_of(pid_t pid)
{
	struct procinfo pi;

	return proc_find(pid, &pi) ? pi.state : 0;
}

#endif
