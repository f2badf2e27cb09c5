/*
 * runtimetest: the test programs' time limits (runtime_ms(), runtime.h)
 * count the time the machine ran, not the host's time.
 *
 * grade/host/test_clock.py runs it from the shell.  At "stop QEMU now" the
 * host stops QEMU (SIGSTOP) for a few seconds, resumes it and types a
 * line.  uptime(2) has then run on through the stop, and runtime_ms() has
 * not: the program prints how far each moved, and the host checks that
 * the difference is the stop.  A limit on uptime would have lost those
 * seconds to a host that did not run the guest.
 */
#include <stdio.h>
#include <unistd.h>

#include "runtime.h"

int
main(void)
{
	unsigned long u0, r0;
	char c;

	u0 = uptime();
	r0 = runtime_ms();
	printf("runtimetest: stop QEMU now, then type a line\n");
	while (read(0, &c, 1) == 1 && c != '\n' && c != '\r')
		;
	printf("runtimetest: uptime +%lu ms, runtime +%lu ms\n",
	    uptime() - u0, runtime_ms() - r0);
	return 0;
}
