/*
 * ps: list the processes, one line each:
 *	PID PPID STATE NAME
 * A system process (P_SYSTEM: kernel threads, init) has its name in
 * square brackets.  procinfo(2) describes one process-table slot: EINVAL
 * means past the last slot, ESRCH an empty slot.
 */
#include <aqua/procinfo.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *
statename(int state)
{
	switch (state) {
	case SIDL:	return "idle";
	case SRUN:	return "run";
	case SSLEEP:	return "sleep";
	case SSTOP:	return "stop";
	case SZOMB:	return "zombie";
	case SDEAD:	return "dead";
	case SONPROC:	return "onproc";
	default:	return "?";
	}
}

int
main(void)
{
	struct procinfo pi;

	printf("%5s %5s %-7s %s\n", "PID", "PPID", "STATE", "NAME");
	for (int slot = 0;; slot++) {
		if (procinfo(slot, &pi) < 0) {
			if (errno == ESRCH)
				continue;
			if (errno == EINVAL)
				break;
			perror("ps: procinfo");
			return 1;
		}
		pi.name[sizeof(pi.name) - 1] = '\0';
		if (pi.flags & PI_SYSTEM)
			printf("%5d %5d %-7s [%s]\n", pi.pid, pi.ppid, statename(pi.state), pi.name);
		else
			printf("%5d %5d %-7s %s\n", pi.pid, pi.ppid, statename(pi.state), pi.name);
	}
	return 0;
}
