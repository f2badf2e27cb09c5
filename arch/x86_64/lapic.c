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
 * Measure the APIC timer and the TSC over 2 ms of PIT channel 2.  The
 * channel's gate and output are in port 0x61 (bit 0 gate, bit 5 OUT2);
 * in mode 0 OUT2 goes high when the count reaches zero.  The PIT runs at
 * 1.193182 MHz whatever the CPU does, and under TCG as well.  2 ms is
 * 2386 PIT counts, enough for HZ ticks within a tenth of a percent; every
 * millisecond more is a million instructions of spinning on every boot.
 */
#define PIT_HZ		1193182
#define CALIBRATE_MS	2

void
lapic_timer_calibrate(void)
{
	uint32_t count = PIT_HZ * CALIBRATE_MS / 1000;
	uint64_t t0, t1;
	uint32_t a0, a1;

	lapic_write(LAPIC_TDCR, 0x3);		/* divide by 16 */
	lapic_write(LAPIC_TIMER, LVT_MASKED);
	lapic_write(LAPIC_TICR, 0xffffffff);

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(0x43, 0xb0);			/* channel 2, lo/hi byte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	a0 = lapic_read(LAPIC_TCCR);
	t0 = rdtsc();
	while ((inb(0x61) & 0x20) == 0)
		;
	a1 = lapic_read(LAPIC_TCCR);
	t1 = rdtsc();

	lapic_ticks_per_hz = (a0 - a1) * (1000 / CALIBRATE_MS) / HZ;
	tsc_hz = (t1 - t0) * (1000 / CALIBRATE_MS);
	if (lapic_ticks_per_hz == 0)
		lapic_ticks_per_hz = 1000000000 / 16 / HZ;	/* QEMU's 1 GHz APIC bus */
	if (tsc_hz == 0)
		tsc_hz = 1000000000;
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
