/*
 * Time.  The TSC counts at a constant rate on the CPUs QEMU gives us,
 * the same on every CPU; lapic.c measures its frequency (tsc_hz) while
 * calibrating the local APIC timer, which interrupts each CPU HZ times a
 * second, and then starts md_nanotime's clock.
 */
#include "types.h"
#include "systm.h"
#include "md.h"
#include "x86.h"

static uint64_t tsc_boot;
static uint64_t ns_per_tick32;		/* nanoseconds per TSC tick, times 2^32 */

uint64_t
md_nanotime(void)
{
	uint64_t d = rdtsc() - tsc_boot;

	return (uint64_t)(((unsigned __int128)d * ns_per_tick32) >> 32);
}

/* Called by lapic.c once tsc_hz is known. */
void
md_nanotime_start(void)
{
	ns_per_tick32 = (1000000000UL << 32) / tsc_hz;
	tsc_boot = rdtsc();
}

void
delay_us(unsigned long us)
{
	uint64_t end = rdtsc() + (tsc_hz ? tsc_hz / 1000000 * us : us * 3000);

	while ((int64_t)(rdtsc() - end) < 0)
		pause();
}
