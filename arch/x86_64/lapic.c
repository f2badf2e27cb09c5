/*
 * lapic.c: the local APIC (timer, IPIs, EOI), the IOAPIC, and the
 * calibration of the APIC timer and the TSC against the PIT.
 *
 * Both APICs are reached through uncached windows of the direct map
 * (xAPIC mode; QEMU's TCG has no x2APIC).
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "x86.h"

/* Local APIC registers (byte offsets) */
#define LAPIC_ID	0x020
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0		/* spurious vector, bit 8 = enable */
#define LAPIC_ESR	0x280
#define LAPIC_ICRLO	0x300
#define LAPIC_ICRHI	0x310
#define LAPIC_TIMER	0x320
#define LAPIC_LINT0	0x350
#define LAPIC_LINT1	0x360
#define LAPIC_ERROR	0x370
#define LAPIC_TICR	0x380		/* timer initial count */
#define LAPIC_TCCR	0x390		/* timer current count */
#define LAPIC_TDCR	0x3e0		/* timer divide configuration */

#define LVT_MASKED	(1U << 16)
#define LVT_PERIODIC	(1U << 17)
#define LVT_NMI		(4U << 8)
#define ICR_BUSY	(1U << 12)

static volatile uint32_t *lapic;
static uint32_t lapic_ticks_per_hz;	/* timer count for one 1/HZ period */
uint64_t tsc_hz;

static uint32_t
lapic_read(int reg)
{
	return lapic[reg / 4];
}

static void
lapic_write(int reg, uint32_t v)
{
	lapic[reg / 4] = v;
	(void)lapic[LAPIC_ID / 4];	/* wait for the write to finish */
}

uint32_t
lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

/* Enable this CPU's local APIC; every interrupt source masked but NMI. */
void
lapic_init(void)
{
	if (lapic == NULL)
		lapic = pmap_mapdev(lapic_pa, PAGE_SIZE);
	lapic_write(LAPIC_SVR, 0x100 | T_SPURIOUS);
	lapic_write(LAPIC_TIMER, LVT_MASKED);
	lapic_write(LAPIC_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LINT1, LVT_NMI);
	lapic_write(LAPIC_ERROR, LVT_MASKED);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_EOI, 0);
	lapic_write(LAPIC_TPR, 0);
}

void
lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void
lapic_send_ipi(uint32_t apicid, uint32_t icrlo)
{
	register_t s = intr_disable();

	while (lapic_read(LAPIC_ICRLO) & ICR_BUSY)
		pause();
	lapic_write(LAPIC_ICRHI, apicid << 24);
	lapic_write(LAPIC_ICRLO, icrlo);
	while (lapic_read(LAPIC_ICRLO) & ICR_BUSY)
		pause();
	intr_restore(s);
}

/* NMI to every CPU but this one (destination shorthand "all but self"). */
void
lapic_nmi_others(void)
{
	while (lapic_read(LAPIC_ICRLO) & ICR_BUSY)
		pause();
	lapic_write(LAPIC_ICRHI, 0);
	lapic_write(LAPIC_ICRLO, (3U << 18) | LVT_NMI);
}

/*
 * Measure the APIC timer and the TSC against PIT channel 2, which runs at
 * 1.193182 MHz whatever the CPU does (under TCG as well).  The channel's
 * gate and output are in port 0x61 (bit 0 gate, bit 5 OUT2); in mode 0,
 * loaded with 0xffff, it counts down for 55 ms and OUT2 goes high at zero.
 *
 * Under QEMU the CPU is a host thread, and the host may stop it for
 * milliseconds at any instruction while the PIT and the APIC timer run
 * on.  A calibration that waits for the PIT to expire and then reads the
 * APIC counts the whole stop as part of "2 ms": one 20 ms stop made the
 * timer tick 11 times too slowly for the rest of the boot (every msleep,
 * every uptime, every time limit in a test program).  So neither end of
 * the window depends on when we get there: each end is a sample of
 * (APIC, TSC) read between two PIT reads, the tightest of a few tries:
 * a try the host stopped has its PIT reads far apart and is not the one
 * kept.  The window is then as long as the PIT says, however long the
 * host made it; a stop past the PIT's 55 ms (OUT2 high), or one in every
 * try at an end, starts the measurement over.
 */
#define PIT_HZ		1193182
#define CALIBRATE_COUNTS (PIT_HZ * 2 / 1000)	/* a 2 ms window: HZ within 0.1% */
#define SAMPLES		4		/* tries at each end of the window */
#define SAMPLE_SLOP	24		/* PIT counts (20 us) between its two PIT reads */
#define CALIBRATE_TRIES	20		/* then give up: QEMU's nominal rates */

struct calib_sample {
	uint32_t pit;			/* counts down from 0xffff */
	uint32_t apic;			/* counts down from 0xffffffff */
	uint64_t tsc;
};

/*
 * The boot option clock.stall holds the CPU for 10 ms, as a busy host
 * would, at each place a stop once broke the calibration: inside the
 * first try at each end and between the two ends (kern/clock.c,
 * grade/host/test_clock.py).
 */
static int calib_stall;

static uint32_t
pit2_read(void)
{
	uint32_t lo, hi;

	outb(0x43, 0x80);		/* latch channel 2's count */
	lo = inb(0x42);
	hi = inb(0x42);
	return lo | hi << 8;
}

static int
pit2_expired(void)
{
	return (inb(0x61) & 0x20) != 0;
}

static void
stall(void)
{
	uint32_t p0 = pit2_read();

	if (calib_stall)
		while (!pit2_expired() && p0 - pit2_read() < PIT_HZ / 100)
			;
}

/*
 * One end of the window: of SAMPLES tries, the one whose two PIT reads are
 * closest, placed halfway between them.  0 if even that one was held up.
 */
static int
calib_end(struct calib_sample *s)
{
	uint32_t p0, p1, apic, best = ~0U;
	uint64_t tsc;
	int i;

	for (i = 0; i < SAMPLES; i++) {
		p0 = pit2_read();
		if (i == 0)
			stall();
		apic = lapic_read(LAPIC_TCCR);
		tsc = rdtsc();
		p1 = pit2_read();
		if (p0 >= p1 && p0 - p1 < best) {
			best = p0 - p1;
			s->pit = p1 + best / 2;
			s->apic = apic;
			s->tsc = tsc;
		}
	}
	return best <= SAMPLE_SLOP;
}

/* One measurement; 0 if the host held us up too long to tell. */
static int
calibrate_once(struct calib_sample *a, struct calib_sample *b)
{
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(0x43, 0xb0);			/* channel 2, lo/hi byte, mode 0 */
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	lapic_write(LAPIC_TICR, 0xffffffff);

	if (!calib_end(a))
		return 0;
	while (!pit2_expired() && a->pit - pit2_read() < CALIBRATE_COUNTS)
		;
	stall();
	return calib_end(b) && !pit2_expired();
}

void
lapic_timer_calibrate(void)
{
	struct calib_sample a, b;
	uint64_t counts;
	int tries;

	calib_stall = booted_with("clock.stall");
	lapic_write(LAPIC_TDCR, 0x3);		/* divide by 16 */
	lapic_write(LAPIC_TIMER, LVT_MASKED);
	for (tries = 0; tries < CALIBRATE_TRIES; tries++) {
		if (calibrate_once(&a, &b))
			break;
	}
	if (tries < CALIBRATE_TRIES) {
		counts = a.pit - b.pit;
		lapic_ticks_per_hz = (uint64_t)(a.apic - b.apic) * PIT_HZ / counts / HZ;
		tsc_hz = (b.tsc - a.tsc) * PIT_HZ / counts;
	} else {
		printf("lapic: the CPU was stopped through %d calibrations; assuming QEMU's clocks\n",
		    CALIBRATE_TRIES);
	}
	if (lapic_ticks_per_hz == 0)
		lapic_ticks_per_hz = 1000000000 / 16 / HZ;	/* QEMU's 1 GHz APIC bus */
	if (tsc_hz == 0)
		tsc_hz = 1000000000;
	clock_timer_rate((uint64_t)lapic_ticks_per_hz * HZ);
	md_nanotime_start();
}

/* Periodic interrupts at HZ on this CPU (the timer is per CPU). */
void
lapic_timer_start(void)
{
	lapic_write(LAPIC_TDCR, 0x3);
	lapic_write(LAPIC_TIMER, LVT_PERIODIC | T_LAPIC_TIMER);
	lapic_write(LAPIC_TICR, lapic_ticks_per_hz);
}

/* ---- IOAPIC -------------------------------------------------------------- */
#define IOAPIC_REGSEL	0x00
#define IOAPIC_WINDOW	0x10
#define IOAPIC_VER	0x01
#define IOAPIC_REDTBL	0x10		/* two 32-bit registers per pin */

#define RED_MASKED	(1U << 16)
#define RED_LEVEL	(1U << 15)
#define RED_ACTIVELOW	(1U << 13)

static volatile uint32_t *ioapic;

static uint32_t
ioapic_read(int reg)
{
	ioapic[IOAPIC_REGSEL / 4] = reg;
	return ioapic[IOAPIC_WINDOW / 4];
}

static void
ioapic_write(int reg, uint32_t v)
{
	ioapic[IOAPIC_REGSEL / 4] = reg;
	ioapic[IOAPIC_WINDOW / 4] = v;
}

/*
 * Mask every pin, and the legacy 8259 PICs too: with the IOAPIC in
 * charge they must not deliver anything.
 */
void
ioapic_init(void)
{
	int i, npins;

	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	ioapic = pmap_mapdev(ioapic_pa, PAGE_SIZE);
	npins = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
	for (i = 0; i < npins; i++) {
		ioapic_write(IOAPIC_REDTBL + 2 * i, RED_MASKED | (T_IRQ0 + i));
		ioapic_write(IOAPIC_REDTBL + 2 * i + 1, 0);
	}
}

/* Deliver pin gsi as vector to the CPU with APIC id apicid. */
void
ioapic_route(int gsi, int vector, int level, int activelow, uint32_t apicid)
{
	ioapic_write(IOAPIC_REDTBL + 2 * gsi + 1, apicid << 24);
	ioapic_write(IOAPIC_REDTBL + 2 * gsi, vector | (level ? RED_LEVEL : 0) |
	    (activelow ? RED_ACTIVELOW : 0));
}
