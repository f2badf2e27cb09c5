/*
 * machdep.c: the boot CPU from boot.S to kern_main(), per-CPU setup
 * (GDT, TSS, syscall MSRs, GS base), and small machine functions.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "x86.h"

/* ---- the PVH start info (QEMU's pvh option ROM fills it in) ------------ */
#define HVM_START_MAGIC	0x336ec578

struct hvm_start_info {
	uint32_t	magic;
	uint32_t	version;	/* 1: has the memory map */
	uint32_t	flags;
	uint32_t	nr_modules;
	uint64_t	modlist_paddr;
	uint64_t	cmdline_paddr;	/* NUL-terminated, or 0 */
	uint64_t	rsdp_paddr;	/* ACPI RSDP, or 0: then we search for it */
	uint64_t	memmap_paddr;	/* struct hvm_memmap_entry[memmap_entries] */
	uint32_t	memmap_entries;
	uint32_t	reserved;
};

struct hvm_memmap_entry {
	uint64_t	addr;
	uint64_t	size;
	uint32_t	type;		/* 1 = usable RAM (the E820 numbering) */
	uint32_t	reserved;
};
#define MEMMAP_RAM	1

#define NMEMMAP		32
static struct hvm_memmap_entry memmap[NMEMMAP];
static int nmemmap;
static char bootargs[512];
static paddr_t acpi_hint;

int cpu_has_nx, cpu_has_fsgsbase, cpu_has_smep, cpu_has_smap;
uint64_t pte_nx;

extern char __kernel_start[], __kernel_end[];
extern void syscall_entry(void);

void	md_init(paddr_t start_info_pa);

/* Before the console lock exists (and for the last words of a crash). */
void
early_puts(const char *s)
{
	while (*s)
		cnputc(*s++);
}

static void
read_start_info(paddr_t pa)
{
	struct hvm_start_info *si = PHYS_TO_KVA(pa);
	struct hvm_memmap_entry *m;
	const char *cl;
	uint32_t i;

	if (si->magic != HVM_START_MAGIC) {
		early_puts("aqua6: no PVH start info\n");
		md_poweroff(1);
	}
	if (si->cmdline_paddr != 0) {
		cl = PHYS_TO_KVA(si->cmdline_paddr);
		for (i = 0; i < sizeof(bootargs) - 1 && cl[i] != '\0'; i++)
			bootargs[i] = cl[i];
		bootargs[i] = '\0';
	}
	if (si->version < 1 || si->memmap_paddr == 0) {
		early_puts("aqua6: PVH start info has no memory map\n");
		md_poweroff(1);
	}
	m = PHYS_TO_KVA(si->memmap_paddr);
	for (i = 0; i < si->memmap_entries && nmemmap < NMEMMAP; i++)
		memmap[nmemmap++] = m[i];
	acpi_hint = si->rsdp_paddr;
}

/* Is [pa, pa+len) of any use (RAM or ACPI tables)?  pmap.c asks. */
int
memmap_is_memory(paddr_t pa, paddr_t len)
{
	int i;

	for (i = 0; i < nmemmap; i++) {
		if (memmap[i].type == 2)
			continue;	/* reserved */
		if (pa < memmap[i].addr + memmap[i].size && memmap[i].addr < pa + len)
			return 1;
	}
	return 0;
}

paddr_t
memmap_top(void)
{
	paddr_t top = 0;
	int i;

	for (i = 0; i < nmemmap; i++)
		if (memmap[i].type != 2 && memmap[i].addr + memmap[i].size > top)
			top = memmap[i].addr + memmap[i].size;
	return top;
}

/*
 * Give the allocator every usable RAM range except the first MiB (BIOS
 * data, the AP trampoline, the PVH start info) and the kernel image
 * (which holds the boot stack and the statically allocated page tables).
 */
static void
add_free_memory(void)
{
	paddr_t kstart = V2P(__kernel_start), kend = PGROUNDUP(V2P(__kernel_end));
	paddr_t s, e;
	int i;

	for (i = 0; i < nmemmap; i++) {
		if (memmap[i].type != MEMMAP_RAM)
			continue;
		s = PGROUNDUP(memmap[i].addr);
		e = PGROUNDDOWN(memmap[i].addr + memmap[i].size);
		if (e > DMAP_RAM_LIMIT)
			e = DMAP_RAM_LIMIT;
		if (s < 0x100000)
			s = 0x100000;
		if (s >= e)
			continue;
		if (s < kend && kstart < e) {
			if (s < kstart)
				kmem_add_range(s, kstart);
			if (kend < e)
				kmem_add_range(kend, e);
		} else
			kmem_add_range(s, e);
	}
}

static void
cpu_features(void)
{
	uint32_t r[4];

	x86_cpuid(0x80000001, 0, r);
	cpu_has_nx = (r[3] >> 20) & 1;
	pte_nx = cpu_has_nx ? PTE_NX : 0;
	x86_cpuid(0, 0, r);
	if (r[0] >= 7) {
		x86_cpuid(7, 0, r);
		cpu_has_fsgsbase = r[1] & 1;
		cpu_has_smep = (r[1] >> 7) & 1;
		cpu_has_smap = (r[1] >> 20) & 1;
	}
}

/*
 * md_init: called by boot.S on the boot stack, with the boot page tables
 * (first GiB identity- and direct-mapped, kernel at KERNBASE).
 */
void
md_init(paddr_t start_info_pa)
{
	uart_init();
	cpu_features();
	read_start_info(start_info_pa);
	pmap_bootstrap();		/* the real kernel page tables */
	acpi_init(acpi_hint);		/* CPUs, IOAPIC; sets ncpu */
	cpu_init_this(0);
	lapic_init();
	ioapic_init();
	lapic_timer_calibrate();
	lapic_timer_start();
	uart_enable_intr();
	add_free_memory();
	kern_main();
	panic("kern_main returned");
}

/* ---- per-CPU setup ------------------------------------------------------- */
static char df_stacks[MAXCPUS][PAGE_SIZE] __attribute__((aligned(16)));
static char nmi_stacks[MAXCPUS][PAGE_SIZE] __attribute__((aligned(16)));

static void
lgdt(void *base, uint16_t limit)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) d = { limit, (uint64_t)base };

	__asm__ volatile("lgdt %0" : : "m"(d));
}

/*
 * GDT, TSS, the IDT, the syscall MSRs and the GS base of the CPU we run
 * on, which becomes cpus[id].
 */
void
cpu_init_this(int id)
{
	struct cpu *c = &cpus[id];
	struct mdcpu *mc = &c->ci_md;
	uint64_t tss = (uint64_t)&mc->mc_tss;

	c->ci_cpuid = id;
	mc->mc_self = c;
	mc->mc_apicid = cpu_apicids[id];

	mc->mc_gdt[0] = 0;
	mc->mc_gdt[GSEL_KCODE >> 3] = 0x00af9a000000ffffUL;	/* 64-bit, DPL 0 */
	mc->mc_gdt[GSEL_KDATA >> 3] = 0x00cf92000000ffffUL;
	mc->mc_gdt[GSEL_UDATA >> 3] = 0x00cff2000000ffffUL;	/* DPL 3 */
	mc->mc_gdt[GSEL_UCODE >> 3] = 0x00affa000000ffffUL;	/* 64-bit, DPL 3 */
	/* A 16-byte available 64-bit TSS descriptor (type 9). */
	mc->mc_gdt[GSEL_TSS >> 3] = (sizeof(struct x86_tss) - 1) | ((tss & 0xffffff) << 16) |
	    (0x89UL << 40) | (((tss >> 24) & 0xff) << 56);
	mc->mc_gdt[(GSEL_TSS >> 3) + 1] = tss >> 32;

	mc->mc_tss.tss_ist[0] = (uint64_t)&df_stacks[id][PAGE_SIZE];
	mc->mc_tss.tss_ist[1] = (uint64_t)&nmi_stacks[id][PAGE_SIZE];
	mc->mc_tss.tss_iomap = sizeof(struct x86_tss);	/* no I/O bitmap */

	lgdt(mc->mc_gdt, sizeof(mc->mc_gdt) - 1);
	/* Reload %cs with a far return, then the data segments. */
	__asm__ volatile(
	    "pushq %0\n\t"
	    "leaq 1f(%%rip), %%rax\n\t"
	    "pushq %%rax\n\t"
	    "lretq\n"
	    "1:\n\t"
	    "movw %w1, %%ds\n\t"
	    "movw %w1, %%es\n\t"
	    "movw %w1, %%ss\n\t"
	    "movw %w2, %%fs\n\t"
	    "movw %w2, %%gs"
	    : : "i"(GSEL_KCODE), "r"(GSEL_KDATA), "r"(0) : "rax", "memory");
	__asm__ volatile("ltr %w0" : : "r"(GSEL_TSS));
	idt_load();

	/* Our GS base while in the kernel; the user's is swapped in by swapgs. */
	wrmsr(MSR_GS_BASE, (uint64_t)mc);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	wrmsr(MSR_FS_BASE, 0);
	pmap_init_cpu();

	/*
	 * syscall/sysret: STAR[47:32] is the kernel %cs (and %ss = +8);
	 * STAR[63:48] + 16 is the user %cs and + 8 the user %ss of sysret.
	 * FMASK clears every flag that is not plain arithmetic
	 * (PSL_SYSCALL_MASK, <machine/psl.h>): the kernel never runs with
	 * flags user mode chose.  Without NT, a user's `popfq' with NT set
	 * followed by syscall made the kernel's own iretq fault in ring 0.
	 */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | (cpu_has_nx ? EFER_NXE : 0));
	wrmsr(MSR_STAR, ((uint64_t)(GSEL_KDATA | SEL_UPL) << 48) | ((uint64_t)GSEL_KCODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_FMASK, PSL_SYSCALL_MASK);

	/*
	 * FPU/SSE for user programs; rdfsbase & co. where the CPU has them.
	 * SMEP and SMAP: the kernel never executes user pages and never
	 * touches user memory through user addresses (kern/copy.c goes
	 * through the direct map), so either would be a bug: make it fault.
	 */
	lcr0((rcr0() | CR0_MP | CR0_NE | CR0_WP) & ~(CR0_EM | CR0_TS));
	lcr4(rcr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | (cpu_has_fsgsbase ? CR4_FSGSBASE : 0) |
	    (cpu_has_smep ? CR4_SMEP : 0) | (cpu_has_smap ? CR4_SMAP : 0));
	__asm__ volatile("fninit");
}

/* ---- CPU and interrupts ------------------------------------------------ */
/* curcpu() and intr_*() are inline in <machine/md.h>. */
int
cpu_number(void)
{
	return curcpu()->ci_cpuid;
}

void
cpu_idle(void)
{
	/* sti takes effect after the next instruction: no lost wakeup. */
	__asm__ volatile("sti; hlt" : : : "memory");
}

const char *
md_bootargs(void)
{
	return bootargs;
}

/*
 * md_poweroff: how a run's status reaches the shell that started QEMU.
 *   status 0:  ACPI S5: SLP_EN (bit 13) with SLP_TYP 0, QEMU's "soft
 *              off", in the PM1a control register the FADT names (0x604
 *              on q35 if there were no FADT); QEMU exits with status 0.
 *   status n:  isa-debug-exit at port 0xf4 (see QEMUOPTS): QEMU exits
 *              with (n << 1) | 1, so 1 -> 3 (panic), 2 -> 5, ...
 * If ACPI poweroff has not happened after a second we fall through to
 * the debug port (exit 1).
 */
void
md_poweroff(int status)
{
	__asm__ volatile("cli");
	if (status == 0) {
		/* QEMU acts on the request a little later: give it a second. */
		outw(acpi_pm1a_cnt ? acpi_pm1a_cnt : 0x604, 0x2000);
		delay_us(1000000);
	}
	outl(0xf4, (uint32_t)status);
	for (;;)
		__asm__ volatile("hlt");
}

/* ---- backtraces ---------------------------------------------------------- */
/*
 * With -fno-omit-frame-pointer every kernel function starts with
 * push %rbp; mov %rsp, %rbp, so %rbp points at (saved %rbp, return
 * address).  The walk stops at a zero %rbp (the boot stack, trap entry
 * from user mode and new contexts all start with one) or at anything
 * that is not a kernel stack address.
 */
void
md_backtrace_from(uint64_t pc, uint64_t rbp)
{
	int n = 0;

	if (pc != 0)
		printf("  #%d 0x%lx\n", n++, pc);
	while (rbp != 0 && n < 32) {
		uint64_t *frame = (uint64_t *)rbp;

		if (rbp < DMAP_BASE || (rbp & 7) != 0 || !kstack_addr_ok(rbp))
			break;
		if (frame[1] == 0)
			break;
		printf("  #%d 0x%lx\n", n++, frame[1]);
		if (frame[0] <= rbp)
			break;		/* stacks grow down: callers are above */
		rbp = frame[0];
	}
}

void
md_backtrace(void)
{
	struct trapframe *tf = md_fault_frame();

	if (tf != NULL)
		md_backtrace_from(tf->tf_rip, tf->tf_rbp);
	else
		md_backtrace_from(0, (uint64_t)__builtin_frame_address(0));
}

void
fork_func_returned(void)
{
	panic("cpu_fork: func returned");
}

/* panic(): NMI every other CPU; trap.c's nmi_handler sees cpus_halting and stops. */
volatile int cpus_halting;

void
cpu_halt_others(void)
{
	cpus_halting = 1;
	__sync_synchronize();
	if (ncpu > 1)
		lapic_nmi_others();
}
