/*
 * The clock: the port calls clockintr() HZ times a second on every CPU.
 * CPU 0 alone advances `ticks` (so it counts time, not CPUs) and wakes
 * msleep()ers.  The port then preempts the interrupted process (md.h).
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "spinlock.h"

volatile unsigned long ticks;
static struct spinlock ticks_lock = { .name = "ticks" };

void
clockintr(void)
{
	struct cpu *ci = curcpu();

	KASSERT(!intr_enabled());	/* md.h: the port calls us with interrupts off */
	ci->ci_ticks++;
	if (ci->ci_cpuid == 0) {
		spinlock_acquire(&ticks_lock);
		ticks++;
		wakeup((const void *)&ticks);
		spinlock_release(&ticks_lock);
		signal_clock();		/* alarm(2): SIGALRM when due (kern/signal.c) */
	}
}

/*
 * The port tells, once at boot, how fast the timer behind its ticks
 * counts: measured against the PIT on x86_64, read from the device tree
 * on RISC-V.  A wrong figure makes every tick, msleep and time limit in
 * a test program wrong by the same factor, so the boot option
 * clock.stall, which makes the port's measurement as hard as a busy host
 * can (arch/x86_64/lapic.c), prints it: grade/host/test_clock.py compares
 * it with what QEMU emulates (port.toml [clock]).
 */
void
clock_timer_rate(uint64_t hz)
{
	if (booted_with("clock.stall"))
		printf("clock: timer %lu Hz\n", hz);
}

uint64_t
uptime_ms(void)
{
	return md_nanotime() / 1000000;
}

/*
 * Sleep at least ms milliseconds as uptime() measures them.  The deadline
 * is in the monotonic clock, not in ticks: a sleep that starts late in a
 * tick, or a timer a little faster than the clock, must not end early.
 * Each tick wakes us to look at the clock again.
 */
int
clock_msleep(struct proc *p, unsigned int ms)
{
	uint64_t deadline = uptime_ms() + ms;

	spinlock_acquire(&ticks_lock);
	while (uptime_ms() < deadline) {
		if (p->p_killed) {
			spinlock_release(&ticks_lock);
			return EINTR;
		}
		sleep((const void *)&ticks, &ticks_lock, "msleep");
	}
	spinlock_release(&ticks_lock);
	return 0;
}
