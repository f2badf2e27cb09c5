/*
 * runtime.h: time limits for the test programs, in the time the machine
 * ran.
 *
 * uptime(2) follows the host's clock.  Under QEMU on a busy host it runs
 * on while the virtual CPUs wait for a host CPU, so a limit of "10 s of
 * uptime" can run out while the guest ran for one: a correct kernel
 * fails.  The kernel's clock ticks (sysinfo(2)) count only the clock
 * interrupts the guest took, and a missed one is not made up, so a limit
 * counted in ticks is time the guest had.  Use uptime() to report how
 * long something took, runtime_ms() to decide that it took too long.
 * grade/host/test_clock.py stops QEMU for longer than a limit and checks
 * that the limit has not run out.
 */
#ifndef USER_TESTS_RUNTIME_H
#define USER_TESTS_RUNTIME_H

#include <aqua/sysinfo.h>
#include <unistd.h>

/* Milliseconds the machine has run since boot, in whole ticks. */
static __attribute__((unused)) unsigned long
runtime_ms(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0 || si.hz <= 0)
		return uptime();	/* cannot happen; never stop a limit */
	return si.ticks * (1000 / si.hz);
}

#endif
