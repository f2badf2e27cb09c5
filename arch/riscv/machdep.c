/*
 * Boot, CPUs and the machine as a whole: the C side of entry.S for the
 * boot hart, interrupt enable/disable, power-off.  The other harts are
 * started in mp.c.
 *
 * Hart ids versus CPU indices: SBI and the PLIC speak in hart ids, which
 * on QEMU virt are 0..n-1 but need not start at the boot hart (OpenSBI
 * picks whichever hart wins its boot lottery).  The kernel numbers its
 * CPUs 0..ncpu-1 with CPU 0 the boot hart, and the other harts in device
 * tree order; cpus[i].ci_md.md_hartid holds the hart id.
 */
#include "riscv.h"
#include "systm.h"
#include "proc.h"

/* One stack per CPU for boot and for its scheduler loop (entry.S uses it). */
char boot_stacks[MAXCPUS][BOOT_STACK_SIZE] __attribute__((aligned(16)));

struct fdt_info boot_fdt;
static volatile int halt_requested;

extern char kernel_start[], etext[], erodata[], kernel_end[];
void	rv_boot_main(unsigned long hartid, paddr_t dtb);

/* Until the console works: write straight to the UART through the direct map. */
static void
early_puts(const char *s)
{
	while (*s)
		cnputc(*s++);
}

/* Everything a hart does for itself before it enters the portable kernel. */
/* Where trapvec.S reports a kernel stack overflow (md_estack). */
static char overflow_stacks[MAXCPUS][PAGE_SIZE] __attribute__((aligned(16)));

void
cpu_init_self(int index, unsigned long hartid)
{
	struct cpu *ci = &cpus[index];

	/* tp = this CPU's struct mdcpu, for as long as we are in the kernel. */
	__asm__ volatile("mv tp, %0" :: "r"(&ci->ci_md));
	csr_write(sscratch, 0);		/* 0 = "trap came from the kernel" */
	/* No FPU state (FS = off), S-mode may not touch user pages (SUM = 0). */
	csr_clear(sstatus, SSTATUS_SIE | SSTATUS_SUM | SSTATUS_FS);
	ci->ci_md.md_cpu = ci;
	ci->ci_cpuid = index;
	ci->ci_md.md_hartid = hartid;
	ci->ci_md.md_estack = (vaddr_t)&overflow_stacks[index][PAGE_SIZE];
	trap_init_cpu();
}

/* Free RAM in [start, end) goes to the page allocator, minus the device tree. */
static void
add_free_range(paddr_t start, paddr_t end)
{
	paddr_t ds = PGROUNDDOWN(boot_fdt.dtb_start);
	paddr_t de = PGROUNDUP(boot_fdt.dtb_end);

	start = PGROUNDUP(start);
	end = PGROUNDDOWN(end);
	if (de > ds && ds < end && de > start) {
		if (ds > start)
			kmem_add_range(start, ds);
		if (end > de)
			kmem_add_range(de, end);
		return;
	}
	if (end > start)
		kmem_add_range(start, end);
}

/*
 * The boot hart, from entry.S: paging is on (early table), sp is
 * boot_stacks[0], a0/a1 are what OpenSBI gave us.
 */
void
rv_boot_main(unsigned long hartid, paddr_t dtb)
{
	paddr_t ram_end;
	int i;

	cpu_init_self(0, hartid);

	if (fdt_parse(dtb, &boot_fdt) != 0) {
		/* No usable DTB: assume QEMU's defaults (128 MiB, 10 MHz, one hart). */
		early_puts("riscv: bad device tree, assuming 128 MiB, 1 hart\n");
		memset(&boot_fdt, 0, sizeof(boot_fdt));
		boot_fdt.mem_start = VIRT_RAM;
		boot_fdt.mem_end = VIRT_RAM + 128 * 1024 * 1024;
	}
	if (boot_fdt.timebase_hz == 0)
		boot_fdt.timebase_hz = 10000000;

	/* CPU 0 is the boot hart; then the other harts in tree order. */
	ncpu = 1;
	for (i = 0; i < boot_fdt.nharts && ncpu < MAXCPUS; i++) {
		if (boot_fdt.hartids[i] == hartid)
			continue;
		cpus[ncpu].ci_cpuid = ncpu;
		cpus[ncpu].ci_md.md_hartid = boot_fdt.hartids[i];
		ncpu++;
	}

	/* The direct map covers physical 0..4 GiB: RAM 0x80000000..0xffffffff. */
	ram_end = boot_fdt.mem_end;
	if (ram_end > 0x100000000UL)
		ram_end = 0x100000000UL;
	pmap_bootstrap(ram_end);

	/*
	 * Free memory: RAM after the kernel image.  Below the kernel is
	 * OpenSBI's (PMP forbids S-mode to touch its part of it anyway).
	 */
	add_free_range(KVA_TO_PHYS(kernel_end), ram_end);

	clock_init_cpu();
	kern_main();
	panic("kern_main returned");
}

int
hart_to_cpu(unsigned long hartid)
{
	int i;

	for (i = 0; i < ncpu; i++)
		if (cpus[i].ci_md.md_hartid == hartid)
			return i;
	return -1;
}

/* curcpu() and intr_*() are inline in <machine/md.h>. */
int
cpu_number(void)
{
	return curcpu()->ci_cpuid;
}

/* wfi returns when an interrupt is pending; with SIE on it is then taken. */
void
cpu_idle(void)
{
	intr_enable();
	__asm__ volatile("wfi");
}

/*
 * Called by panic.  Each other hart gets an IPI (supervisor software
 * interrupt); its trap handler sees halt_requested and stops for good.
 * A hart spinning with interrupts off does not stop, but md_poweroff
 * ends QEMU anyway.
 */
void
cpu_halt_others(void)
{
	int i, me = cpu_number();

	halt_requested = 1;
	__sync_synchronize();
	for (i = 0; i < ncpu; i++)
		if (i != me && (i == 0 || cpus[i].ci_md.md_booted))
			sbi_send_ipi(cpus[i].ci_md.md_hartid);
}

/* The software-interrupt handler (trap.c) calls this. */
void
md_ipi(void)
{
	csr_clear(sip, SIE_SSIE);
	if (halt_requested) {
		intr_disable();
		for (;;)
			__asm__ volatile("wfi");
	}
}

/*
 * Power off.  QEMU virt has a SiFive "test finisher" at 0x100000: writing
 * 0x5555 ends QEMU with exit status 0 (FINISHER_PASS), and
 * (code << 16) | 0x3333 ends it with exit status `code' (FINISHER_FAIL).
 * If that did not stop us, SBI SRST shutdown (QEMU then exits 0).
 */
void
md_poweroff(int status)
{
	volatile uint32_t *finisher = PHYS_TO_KVA(VIRT_TEST);

	intr_disable();
	if (status == 0)
		*finisher = 0x5555;
	else
		*finisher = ((uint32_t)(status & 0xffff) << 16) | 0x3333;
	sbi_system_reset(status != 0);
	for (;;)
		__asm__ volatile("wfi");
}

const char *
md_bootargs(void)
{
	return boot_fdt.bootargs != NULL ? boot_fdt.bootargs : "";
}

/*
 * Backtrace by frame pointers.  GCC's RISC-V frame (with
 * -fno-omit-frame-pointer) puts the return address at fp-8 and the
 * caller's fp at fp-16, fp being the stack pointer on entry.  The walk
 * stops at fp == 0 (entry.S, trap entry from user mode and new contexts
 * set it), at an address outside the kernel's RAM, or after 32 frames.
 * Each line is "  #N 0x<return address>", for addr2line.
 */
void
md_backtrace_from(vaddr_t fp)
{
	vaddr_t lo = (vaddr_t)PHYS_TO_KVA(KERNEL_PHYS);
	vaddr_t hi = (vaddr_t)PHYS_TO_KVA(MIN(boot_fdt.mem_end, 0x100000000UL));
	int depth;

	for (depth = 0; depth < 32; depth++) {
		vaddr_t ra, next;

		if ((fp & 7) != 0 || !kstack_addr_ok(fp - 16))
			break;
		if ((fp < lo + 16 || fp > hi) &&
		    (fp - 16 < KSTACK_AREA || fp > KSTACK_AREA + KSTACK_AREA_SIZE))
			break;
		ra = ((vaddr_t *)fp)[-1];
		next = ((vaddr_t *)fp)[-2];
		if (ra == 0)
			break;
		printf("  #%d 0x%lx\n", depth, ra);
		if (next <= fp)
			break;			/* stacks grow down: callers are higher */
		fp = next;
	}
}

void
md_backtrace(void)
{
	md_backtrace_from((vaddr_t)__builtin_frame_address(0));
}
