/*
 * The platform-level interrupt controller (RISC-V PLIC spec 1.0) at
 * 0x0c000000 on QEMU virt.  Device interrupt sources 1..1023 each have a
 * priority; each "context" (a hart in one privilege mode) has enable bits,
 * a priority threshold and a claim/complete register.  QEMU virt numbers
 * the contexts 2*hart (M-mode) and 2*hart+1 (S-mode); we use the S ones.
 * A source is delivered to a context when it is pending, enabled there,
 * and its priority exceeds the threshold.  The handler claims it (reading
 * returns the source, 0 if another hart claimed it first) and completes
 * it by writing the number back.
 */
#include "riscv.h"
#include "systm.h"

#define PLIC_PRIORITY(irq)	(VIRT_PLIC + 4 * (irq))
#define PLIC_SENABLE(hart)	(VIRT_PLIC + 0x2000 + 0x80 * (2 * (hart) + 1))
#define PLIC_STHRESHOLD(hart)	(VIRT_PLIC + 0x200000 + 0x1000 * (2 * (hart) + 1))
#define PLIC_SCLAIM(hart)	(PLIC_STHRESHOLD(hart) + 4)

#define PLIC_NIRQ	64		/* virt uses sources below 64 */

static volatile uint32_t *
plic_reg(unsigned long pa)
{
	return PHYS_TO_KVA(pa);
}

/* Sources enabled so far: every hart enables the same set. */
static volatile uint64_t plic_enabled;

void
plic_init(void)
{
	/* All priorities start at 0 = never delivered; plic_enable_irq raises them. */
}

/* Enable irq on every started hart (and on harts that start later). */
void
plic_enable_irq(int irq)
{
	int i;

	*plic_reg(PLIC_PRIORITY(irq)) = 1;
	__atomic_or_fetch(&plic_enabled, 1UL << irq, __ATOMIC_SEQ_CST);
	for (i = 0; i < ncpu; i++) {
		unsigned long hart = cpus[i].ci_md.md_hartid;

		plic_reg(PLIC_SENABLE(hart))[irq / 32] |= 1U << (irq % 32);
	}
}

/* This hart's S-mode context: the enabled sources, threshold 0. */
void
plic_init_cpu(void)
{
	unsigned long hart = md_self()->md_hartid;

	plic_reg(PLIC_SENABLE(hart))[0] = (uint32_t)plic_enabled;
	plic_reg(PLIC_SENABLE(hart))[1] = (uint32_t)(plic_enabled >> 32);
	*plic_reg(PLIC_STHRESHOLD(hart)) = 0;
}

int
plic_claim(void)
{
	return *plic_reg(PLIC_SCLAIM(md_self()->md_hartid));
}

void
plic_complete(int irq)
{
	*plic_reg(PLIC_SCLAIM(md_self()->md_hartid)) = irq;
}
