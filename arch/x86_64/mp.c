/*
 * mp.c: start the other CPUs (the "application processors").
 *
 * acpi.c found their local APIC ids in the MADT.  For each one we copy
 * the trampoline (mptramp.S) below 1 MiB, give it a stack, and send the
 * INIT, STARTUP, STARTUP sequence of IPIs (with the delays the MP spec
 * asks for).  One AP at a time: each reports in before the next is
 * started, so they can share the trampoline and its parameters.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "x86.h"

#define TRAMP_PA	0x8000

extern char mptramp_start[], mptramp_end[], tramp_params[];
extern char boot_pml4[];

struct tramp_params {
	uint64_t	cr3;
	uint64_t	rsp;
	uint64_t	entry;
	uint64_t	efer;
};

/* Each AP runs the scheduler on this stack, for ever. */
static char ap_stacks[MAXCPUS][KSTACK_SIZE] __attribute__((aligned(16)));
static volatile int ap_next, ap_booted;

static void
ap_entry(void)
{
	int id = ap_next;

	lcr3(kernel_pml4_pa);		/* leave the boot page tables */
	cpu_init_this(id);
	lapic_init();
	lapic_timer_start();
	__sync_synchronize();
	ap_booted = 1;
	kern_main_ap();
	panic("kern_main_ap returned");
}

void
cpu_boot_secondary_processors(void)
{
	struct tramp_params *tp;
	int i, ms;

	memcpy(PHYS_TO_KVA(TRAMP_PA), mptramp_start, mptramp_end - mptramp_start);
	tp = PHYS_TO_KVA(TRAMP_PA + (tramp_params - mptramp_start));
	for (i = 1; i < ncpu; i++) {
		tp->cr3 = V2P(boot_pml4);
		tp->rsp = (uint64_t)&ap_stacks[i][KSTACK_SIZE] - 8;	/* as if called */
		tp->entry = (uint64_t)ap_entry;
		tp->efer = cpu_has_nx ? EFER_NXE : 0;
		ap_next = i;
		ap_booted = 0;
		__sync_synchronize();

		lapic_send_ipi(cpu_apicids[i], 0x4500);			/* INIT, assert */
		delay_us(10000);
		lapic_send_ipi(cpu_apicids[i], 0x4600 | (TRAMP_PA >> 12));	/* STARTUP */
		delay_us(200);
		lapic_send_ipi(cpu_apicids[i], 0x4600 | (TRAMP_PA >> 12));
		for (ms = 0; ms < 2000 && !ap_booted; ms++)
			delay_us(1000);
		if (!ap_booted)
			printf("cpu%d (apic id %u) did not start\n", i, cpu_apicids[i]);
	}
}
