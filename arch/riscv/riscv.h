/*
 * riscv.h: CSR access, page-table bits and the declarations the files of
 * the RISC-V port share among themselves (kern/ never includes this).
 */
#ifndef RISCV_RISCV_H
#define RISCV_RISCV_H

#include "types.h"
#include "param.h"
#include "md.h"

/* ---- control and status registers -------------------------------------- */
#define csr_read(csr) ({ unsigned long __v; \
	__asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) \
	__asm__ volatile("csrw " #csr ", %0" :: "rK"((unsigned long)(val)) : "memory")
#define csr_set(csr, bits) \
	__asm__ volatile("csrs " #csr ", %0" :: "rK"((unsigned long)(bits)) : "memory")
#define csr_clear(csr, bits) \
	__asm__ volatile("csrc " #csr ", %0" :: "rK"((unsigned long)(bits)) : "memory")

/* sstatus */
/* SSTATUS_SIE, interrupts enabled in S-mode: <machine/md.h> (intr_disable) */
#define SSTATUS_SPIE	(1UL << 5)	/* SIE before the trap; sret copies it back */
#define SSTATUS_SPP	(1UL << 8)	/* trap came from S-mode (1) or U-mode (0) */
#define SSTATUS_FS	(3UL << 13)	/* FPU state: 0 = off, so FP instructions trap */
#define SSTATUS_UBE	(1UL << 6)	/* U-mode data accesses big-endian: kept clear */
#define SSTATUS_VS	(3UL << 9)	/* vector state: 0 = off */
#define SSTATUS_SUM	(1UL << 18)	/* S-mode may touch U pages: kept clear */
#define SSTATUS_MXR	(1UL << 19)	/* loads from execute-only pages: kept clear */

/* sie / sip */
#define SIE_SSIE	(1UL << 1)	/* software interrupt (IPI) */
#define SIE_STIE	(1UL << 5)	/* timer */
#define SIE_SEIE	(1UL << 9)	/* external (PLIC) */

/* scause */
#define SCAUSE_INTR	(1UL << 63)
#define IRQ_S_SOFT	1
#define IRQ_S_TIMER	5
#define IRQ_S_EXT	9
#define EXC_INST_MISALIGNED	0
#define EXC_INST_ACCESS		1
#define EXC_ILLEGAL		2
#define EXC_BREAKPOINT		3
#define EXC_LOAD_MISALIGNED	4
#define EXC_LOAD_ACCESS		5
#define EXC_STORE_MISALIGNED	6
#define EXC_STORE_ACCESS	7
#define EXC_ECALL_U		8
#define EXC_INST_PAGE_FAULT	12
#define EXC_LOAD_PAGE_FAULT	13
#define EXC_STORE_PAGE_FAULT	15

static inline void
sfence_vma_all(void)
{
	__asm__ volatile("sfence.vma zero, zero" ::: "memory");
}

static inline void
sfence_vma_page(vaddr_t va)
{
	__asm__ volatile("sfence.vma %0, zero" :: "r"(va) : "memory");
}

static inline struct mdcpu *
md_self(void)
{
	struct mdcpu *m;

	__asm__ volatile("mv %0, tp" : "=r"(m));
	return m;
}

/* ---- Sv39 page tables -------------------------------------------------- */
typedef uint64_t pt_entry_t;

#define PTE_V		(1UL << 0)
#define PTE_R		(1UL << 1)
#define PTE_W		(1UL << 2)
#define PTE_X		(1UL << 3)
#define PTE_U		(1UL << 4)
#define PTE_G		(1UL << 5)
#define PTE_A		(1UL << 6)
#define PTE_D		(1UL << 7)
#define PTE_RWX		(PTE_R | PTE_W | PTE_X)
#define PTE_PPN_SHIFT	10
#define PTE_PPN_MASK	(((1UL << 44) - 1) << PTE_PPN_SHIFT)	/* bits 10..53 */
#define PTE_TO_PA(pte)	((((pte) & PTE_PPN_MASK) >> PTE_PPN_SHIFT) << PAGE_SHIFT)
#define PA_TO_PTE(pa)	(((paddr_t)(pa) >> PAGE_SHIFT) << PTE_PPN_SHIFT)
#define PTE_IS_LEAF(pte) (((pte) & PTE_RWX) != 0)

#define NPTE		512
#define L2_SHIFT	30		/* root level: 1 GiB per entry */
#define L1_SHIFT	21		/* 2 MiB per entry */
#define L0_SHIFT	12		/* 4 KiB per entry */
#define PT_INDEX(va, shift) (((vaddr_t)(va) >> (shift)) & (NPTE - 1))
#define SATP_SV39	(8UL << 60)
#define SATP_FOR(rootpa) (SATP_SV39 | ((paddr_t)(rootpa) >> PAGE_SHIFT))

/* ---- QEMU virt: fixed physical addresses (hw/riscv/virt.c memmap) ------ */
#define VIRT_TEST	0x00100000UL	/* sifive_test finisher */
#define VIRT_PLIC	0x0c000000UL
#define VIRT_UART0	0x10000000UL
#define VIRT_VIRTIO	0x10001000UL	/* 8 virtio-mmio slots, 0x1000 apart */
#define VIRT_VIRTIO_STRIDE 0x1000UL
#define VIRT_VIRTIO_COUNT 8
#define VIRT_RAM	0x80000000UL
#define KERNEL_PHYS	0x80200000UL	/* OpenSBI owns what lies below */
#define IRQ_UART0	10
#define IRQ_VIRTIO0	1		/* slot n uses irq 1+n */

/* ---- sbi.c ------------------------------------------------------------- */
struct sbiret { long error; long value; };
struct sbiret sbi_call(long eid, long fid, unsigned long a0, unsigned long a1,
		       unsigned long a2, unsigned long a3);
void	sbi_set_timer(uint64_t when);
int	sbi_hart_start(unsigned long hartid, paddr_t start, unsigned long opaque);
/* sbi_hart_get_status: 0 started, 1 stopped, 2 start pending, 3 stop pending; < 0 an SBI error */
#define SBI_HSM_STARTED		0
#define SBI_HSM_START_PENDING	2
#define SBI_ERR_ALREADY_AVAILABLE (-6)
long	sbi_hart_get_status(unsigned long hartid);
void	sbi_send_ipi(unsigned long hartid);
void	sbi_remote_sfence_vma(unsigned long hartid, vaddr_t va, size_t len);
void	sbi_system_reset(int failure);
void	sbi_console_putchar(int c);

/* ---- fdt.c ------------------------------------------------------------- */
#define FDT_MAXHARTS	MAXCPUS
struct fdt_info {
	paddr_t		mem_start, mem_end;	/* first /memory reg range */
	int		nharts;
	unsigned long	hartids[FDT_MAXHARTS];	/* /cpus/cpu@N reg, in tree order */
	uint64_t	timebase_hz;		/* /cpus timebase-frequency */
	const char	*bootargs;		/* /chosen bootargs, in the DTB */
	paddr_t		dtb_start, dtb_end;	/* where the blob itself lies */
};
int	fdt_parse(paddr_t dtb, struct fdt_info *fi);	/* 0 on success */

/* ---- machdep.c --------------------------------------------------------- */
extern struct fdt_info boot_fdt;
int	hart_to_cpu(unsigned long hartid);	/* -1 if unknown */
void	md_print_trapframe(struct trapframe *tf);
void	md_backtrace_from(vaddr_t fp);
void	md_ipi(void);

/* ---- pmap.c ------------------------------------------------------------ */
void	pmap_bootstrap(paddr_t ram_end);	/* build and load the kernel page table */
void	pmap_init_cpu(void);			/* load the kernel page table on this CPU */
extern paddr_t kernel_satp;

/* ---- trap.c / trapvec.S --------------------------------------------------- */
void	trap_init_cpu(void);
void	cpu_init_self(int index, unsigned long hartid);	/* machdep.c: a hart's own setup */
void	trap_vector(void);
__attribute__((noreturn)) void trap_return_user(struct trapframe *tf);

/* ---- clock.c ----------------------------------------------------------- */
void	clock_init_cpu(void);
void	clock_intr(void);

/* ---- plic.c, uart.c, virtio_mmio.c ------------------------------------ */
void	plic_init(void);
void	plic_init_cpu(void);
int	plic_claim(void);
void	plic_complete(int irq);
void	plic_enable_irq(int irq);
void	uart_init(void);
void	uart_intr(void);
void	virtio_mmio_probe(void);
void	virtio_mmio_intr(int irq);
void	md_external_intr(void);

/* ---- switch.S ---------------------------------------------------------- */
void	fork_trampoline(void);
void	switch_context(struct md_context **from, struct md_context *to);
void	pmap_kernel_load(void);

#endif
