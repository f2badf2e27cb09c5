/*
 * mp.c: start the other harts (CPUs 1 .. ncpu-1).
 *
 * fdt.c found their hart ids in the device tree.  Each is started with
 * SBI HSM hart_start at _start_secondary (entry.S), one at a time: each
 * reports in (md_booted) before the next is started, so they can share
 * secondary_index and secondary_hartid.
 */
#include "riscv.h"
#include "systm.h"
#include "proc.h"

void	_start_secondary(void);
void	rv_boot_secondary(unsigned long hartid, int index, int via_start);

/*
 * A secondary hart, from entry.S (started by cpu_boot_secondary_processors).
 * via_start: OpenSBI sent it to _start with stale arguments (see entry.S).
 */
void
rv_boot_secondary(unsigned long hartid, int index, int via_start)
{
	cpu_init_self(index, hartid);
	if (via_start)
		printf("riscv: hart %lu arrived at _start (OpenSBI hart_start race), "
		    "joining as CPU %d\n", hartid, index);
	pmap_init_cpu();
	plic_init_cpu();
	clock_init_cpu();
	cpus[index].ci_md.md_booted = 1;
	sbi_send_ipi(cpus[0].ci_md.md_hartid);	/* wake CPU 0 in wait_for_hart */
	kern_main_ap();
	panic("kern_main_ap returned");
}

/* entry.S: the hart being started and its CPU index (see _start_secondary). */
extern volatile unsigned long secondary_hartid;
extern volatile int secondary_index;

/*
 * Wait for CPU ci to come up, with wfi, not in a spin loop.
 *
 * Under QEMU's -icount every hart runs in turn on one host thread, each
 * turn up to the next timer deadline, and QEMU before 8.1 (we have 7.2)
 * hands the whole of it to the first hart in the list.  A boot hart
 * spinning here used all of every turn, so the hart it waited for got
 * none and stayed in OpenSBI's hart_start wait (START_PENDING) for ever.
 * wfi ends our turn and leaves the rest of it to the others.  What wakes
 * us: the hart's IPI once it is up (rv_boot_secondary), else our own
 * clock tick, HZ times a second.  wfi runs with interrupts off, so an IPI
 * that came before it still ends it (it only needs the interrupt pending
 * and enabled in sie); then we let in what woke us, which re-arms the
 * tick or clears the IPI.
 *
 * On a loaded host a virtual CPU can go without host time for seconds,
 * so there is no time limit while SBI says the hart is still
 * START_PENDING (it has not left OpenSBI yet).  Once it is STARTED it is
 * running our entry code, which takes microseconds of its own time: give
 * it 10 s before giving up.  A hart given up on can only ever take its
 * own CPU slot (entry.S), so no two harts share a struct cpu.
 *   => called on CPU 0, interrupts off, its clock ticking (clock_init_cpu)
 */
static void
wait_for_hart(struct cpu *ci)
{
	uint64_t hz = boot_fdt.timebase_hz, t0 = csr_read(time);
	uint64_t started = 0, now;
	int said = 0;
	long st;

	KASSERT(cpu_number() == 0 && !intr_enabled());
	while (!ci->ci_md.md_booted) {
		__asm__ volatile("wfi");
		intr_enable();			/* the tick or IPI that woke us */
		intr_disable();
		if (ci->ci_md.md_booted)
			break;
		now = csr_read(time);
		st = sbi_hart_get_status(ci->ci_md.md_hartid);
		if (st == SBI_HSM_STARTED && started == 0)
			started = now;
		if (st == SBI_HSM_START_PENDING ||
		    (st == SBI_HSM_STARTED && now - started < 10 * hz)) {
			if (!said && now - t0 > 2 * hz) {
				printf("riscv: hart %lu is slow to start (HSM state %ld), "
				    "waiting\n", ci->ci_md.md_hartid, st);
				said = 1;
			}
			continue;
		}
		printf("riscv: hart %lu did not come up (HSM state %ld)\n",
		    ci->ci_md.md_hartid, st);
		return;
	}
}

/*
 * Start every other hart with SBI HSM hart_start at the physical address
 * of _start_secondary, one at a time, and wait until each has its traps
 * and timer.  The hart learns its CPU index from secondary_index (not
 * from hart_start's argument: see entry.S).
 */
void
cpu_boot_secondary_processors(void)
{
	paddr_t entry = KVA_TO_PHYS(_start_secondary);
	int i;

	for (i = 1; i < ncpu; i++) {
		struct cpu *ci = &cpus[i];
		int error;

		/* The index first, then the id that lets the hart read it. */
		secondary_index = i;
		__sync_synchronize();
		secondary_hartid = ci->ci_md.md_hartid;
		__sync_synchronize();
		error = sbi_hart_start(ci->ci_md.md_hartid, entry, i);
		if (error == SBI_ERR_ALREADY_AVAILABLE) {
			/* Already running: only ever in our entry code, waiting for its index. */
			printf("riscv: hart %lu was already started\n", ci->ci_md.md_hartid);
		} else if (error != 0) {
			printf("riscv: hart %lu did not start (SBI error %d)\n",
			    ci->ci_md.md_hartid, error);
			continue;
		}
		wait_for_hart(ci);
	}
}
