/*
 * Private to the x86_64 port: instructions as inline functions, control
 * register and MSR bits, and the port's internal interfaces.
 */
#ifndef X86_H
#define X86_H

#include "types.h"
#include <machine/md.h>

/* ---- control registers, EFER, MSRs ------------------------------------ */
#define CR0_PE		(1UL << 0)
#define CR0_MP		(1UL << 1)
#define CR0_EM		(1UL << 2)
#define CR0_TS		(1UL << 3)
#define CR0_NE		(1UL << 5)
#define CR0_WP		(1UL << 16)
#define CR0_PG		(1UL << 31)
#define CR4_PAE		(1UL << 5)
#define CR4_OSFXSR	(1UL << 9)
#define CR4_OSXMMEXCPT	(1UL << 10)
#define CR4_FSGSBASE	(1UL << 16)
#define CR4_SMEP	(1UL << 20)
#define CR4_SMAP	(1UL << 21)

/* The page-fault error code (tf_err of a T_PAGEFLT) */
#define PGEX_P		0x01		/* the page was present: a protection fault */
#define PGEX_W		0x02		/* a write */
#define PGEX_U		0x04		/* from user mode */
#define PGEX_I		0x10		/* an instruction fetch */

/* Floating-point status: x87 FSW / SSE MXCSR exception flags (bits 0-5) */
#define FPX_IE		0x01		/* invalid operation */
#define FPX_DE		0x02		/* denormal operand */
#define FPX_ZE		0x04		/* divide by zero */
#define FPX_OE		0x08		/* overflow */
#define FPX_UE		0x10		/* underflow */
#define FPX_PE		0x20		/* precision (inexact) */
#define MXCSR_MASK_SHIFT 7		/* MXCSR bits 7-12 mask the flags above */

#define MSR_EFER	0xc0000080
#define EFER_SCE	(1UL << 0)	/* syscall/sysret */
#define EFER_LME	(1UL << 8)
#define EFER_NXE	(1UL << 11)
#define MSR_STAR	0xc0000081
#define MSR_LSTAR	0xc0000082
#define MSR_FMASK	0xc0000084
#define MSR_FS_BASE	0xc0000100
#define MSR_GS_BASE	0xc0000101
#define MSR_KERNEL_GS_BASE 0xc0000102

#include <machine/psl.h>	/* PSL_*: the RFLAGS bits */

/* ---- page table entries ----------------------------------------------- */
#define PTE_P		(1UL << 0)
#define PTE_W		(1UL << 1)
#define PTE_U		(1UL << 2)
#define PTE_PWT		(1UL << 3)
#define PTE_PCD		(1UL << 4)
#define PTE_A		(1UL << 5)
#define PTE_D		(1UL << 6)
#define PTE_PS		(1UL << 7)	/* 2 MiB page in a PD entry */
#define PTE_NX		(1UL << 63)
#define PTE_FRAME	0x000ffffffffff000UL

#define PML4_INDEX(va)	(((va) >> 39) & 511)
#define PDPT_INDEX(va)	(((va) >> 30) & 511)
#define PD_INDEX(va)	(((va) >> 21) & 511)
#define PT_INDEX(va)	(((va) >> 12) & 511)

/* RAM above this is not direct-mapped (pmap.c has PD pages for 16 GiB). */
#define DMAP_RAM_LIMIT	(16UL << 30)

#define V2P(va)		((paddr_t)(va) - KERNBASE)	/* kernel image only */

static inline uint8_t inb(uint16_t port)
{ uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port)
{ uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port)
{ uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outb(uint16_t port, uint8_t v)
{ __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v)
{ __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v)
{ __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port)); }

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{ __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))); }

static inline uint64_t rcr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void lcr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v)); }
static inline uint64_t rcr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t rcr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void lcr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline uint64_t rcr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void lcr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v)); }
static inline void invlpg(vaddr_t va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t read_rflags(void)
{ uint64_t v; __asm__ volatile("pushfq; popq %0" : "=r"(v)); return v; }
static inline void x86_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{ __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub)); }
static inline void pause(void) { __asm__ volatile("pause"); }

/* ---- the port's internal interfaces -------------------------------------- */
/* machdep.c */
extern int cpu_has_nx, cpu_has_fsgsbase, cpu_has_smep, cpu_has_smap;
extern uint64_t pte_nx;			/* PTE_NX if the CPU has it, else 0 */
void	cpu_init_this(int id);		/* GDT, TSS, IDT, syscall MSRs, GS base */
void	delay_us(unsigned long us);
void	md_nanotime_start(void);
void	md_backtrace_from(uint64_t pc, uint64_t rbp);
int	memmap_is_memory(paddr_t pa, paddr_t len);
paddr_t	memmap_top(void);
void	early_puts(const char *s);
/* pmap.c */
void	pmap_bootstrap(void);
void	pmap_init_cpu(void);
void	*pmap_mapdev(paddr_t pa, size_t len);	/* uncached direct-map window */
extern paddr_t kernel_pml4_pa;
extern volatile int tlb_pending[];
void	tlb_shootdown_nmi(void);		/* NMI handler part */
/* acpi.c */
void	acpi_init(paddr_t rsdp_hint);
extern uint32_t cpu_apicids[];		/* APIC id of each CPU; [0] is the boot CPU */
extern paddr_t ioapic_pa;
extern uint16_t acpi_pm1a_cnt;
extern paddr_t lapic_pa;
int	acpi_isa_irq_to_gsi(int irq, int *level, int *activelow);
/* lapic.c */
void	lapic_init(void);
void	lapic_timer_calibrate(void);
void	lapic_timer_start(void);
void	lapic_eoi(void);
uint32_t lapic_id(void);
void	lapic_send_ipi(uint32_t apicid, uint32_t icrlo);
void	lapic_nmi_others(void);
extern uint64_t tsc_hz;
void	ioapic_init(void);
void	ioapic_route(int gsi, int vector, int level, int activelow, uint32_t apicid);
/* uart.c */
void	uart_init(void);
void	uart_enable_intr(void);
void	uart_intr(void);
/* virtio_pci.c */
void	switch_context(struct md_context **from, struct md_context *to); /* switch.S */
int	virtio_pci_probe(void);		/* virtio_pci.c: attach the virtio-blk device */
void	virtio_pci_intr(void);
/* trap.c */
void	idt_init(void);
void	idt_load(void);
struct trapframe *md_fault_frame(void);
extern volatile int cpus_halting;

#endif
