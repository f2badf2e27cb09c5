/*
 * Time.  The `time' CSR counts at the timebase frequency of the device
 * tree (10 MHz on QEMU virt), the same on every hart.  Each hart asks SBI
 * TIME for its next interrupt HZ times a second; OpenSBI programs the
 * CLINT's mtimecmp for us and forwards the interrupt as STIP, which
 * sbi_set_timer() clears again.
 */
#include "riscv.h"
#include "systm.h"

static uint64_t boot_time;		/* `time' at boot: md_nanotime's zero */

static uint64_t
ticks_per_hz(void)
{
	return boot_fdt.timebase_hz / HZ;
}

void
clock_init_cpu(void)
{
	if (boot_time == 0) {
		boot_time = csr_read(time);
		clock_timer_rate(boot_fdt.timebase_hz);
	}
	sbi_set_timer(csr_read(time) + ticks_per_hz());
}

/* The timer interrupt, interrupts off. */
void
clock_intr(void)
{
	/*
	 * Next tick relative to now, not to the last deadline: after a long
	 * stretch with interrupts off we skip the missed ticks rather than
	 * fire a burst of them.
	 */
	sbi_set_timer(csr_read(time) + ticks_per_hz());
	clockintr();
}

uint64_t
md_nanotime(void)
{
	uint64_t t = csr_read(time) - boot_time;
	uint64_t hz = boot_fdt.timebase_hz;

	return t / hz * 1000000000UL + t % hz * 1000000000UL / hz;
}
