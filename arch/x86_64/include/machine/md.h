/*
 * x86_64 machine-dependent definitions seen by kern/ (through md.h) and
 * by the port itself.  Everything an assembly file needs is above the
 * __ASSEMBLY__ guard.
 */
#ifndef MACHINE_MD_H
#define MACHINE_MD_H

#define MD_ARCH_NAME	"x86_64"
#define MD_ELF_MACHINE	62		/* EM_X86_64: exec takes only x86_64 binaries */

/*
 * Virtual memory layout (4-level paging, 48-bit addresses):
 *
 *   0x0000000000000000 .. USER_TOP            user space (PML4 slots 0..255)
 *   0xffff800000000000 .. +512 GiB            direct map of physical memory
 *                                             (PML4 slot 256): RAM write-back,
 *                                             LAPIC/IOAPIC/PCI BARs uncached
 *   0xffffff0000000000 .. +2 MiB              kernel stacks with guard pages
 *                                             (PML4 slot 510, kern/proc.c)
 *   0xffffffff80000000 .. +2 GiB              the kernel image (PML4 slot 511),
 *                                             linked at KERNBASE + its physical
 *                                             load address, -mcmodel=kernel
 */
#define DMAP_BASE	0xffff800000000000
#define KSTACK_AREA	0xffffff0000000000
#define KSTACK_AREA_SIZE (2UL << 20)		/* one page table's worth */
#define KERNBASE	0xffffffff80000000
#define KERN_LOADADDR	0x100000		/* physical: 1 MiB */

/* GDT selectors.  The order of the user ones is what sysret requires. */
#define GSEL_KCODE	0x08
#define GSEL_KDATA	0x10
#define GSEL_UDATA	0x18		/* STAR[63:48] + 8 */
#define GSEL_UCODE	0x20		/* STAR[63:48] + 16 */
#define GSEL_TSS	0x28		/* 16 bytes: two slots */
#define GDT_NSLOTS	7
#define SEL_UPL		3		/* requested privilege level of user selectors */

/* Interrupt vectors: the exceptions (OpenBSD's names; here = the vector) */
#define T_DIVIDE	0		/* #DE integer divide by zero or overflow */
#define T_TRCTRAP	1		/* #DB debug: the trace flag (ptrace PT_STEP) */
#define T_NMI		2
#define T_BPT		3		/* #BP int3 */
#define T_OFLOW		4		/* #OF int $4 (into is not a 64-bit instruction) */
#define T_BOUND		5		/* #BR */
#define T_PRIVINFLT	6		/* #UD invalid opcode (ud2) */
#define T_DNA		7		/* #NM FPU not available */
#define T_DOUBLEFLT	8
#define T_TSSFLT	10		/* #TS */
#define T_SEGNPFLT	11		/* #NP segment not present */
#define T_STKFLT	12		/* #SS stack segment fault */
#define T_PROTFLT	13		/* #GP general protection */
#define T_PAGEFLT	14		/* #PF */
#define T_ARITHTRAP	16		/* #MF x87 floating-point error */
#define T_ALIGNFLT	17		/* #AC alignment check */
#define T_MCA		18		/* #MC machine check */
#define T_XMM		19		/* #XM SSE floating-point error */
#define T_IRQ0		32		/* IOAPIC pin n arrives at T_IRQ0 + n */
#define T_LAPIC_TIMER	64
#define T_VIRTIO	65		/* MSI-X vector of the virtio-blk queue */
#define T_SYSCALL	128		/* pseudo vector in trap frames of syscalls */
#define T_SPURIOUS	255

/*
 * struct mdcpu starts with the fields the syscall entry reaches through
 * %gs (the kernel GS base points at the mdcpu of this CPU).
 */
#define MC_KSTACK_TOP	0		/* top of the current process's kernel stack */
#define MC_SCRATCH	8		/* user %rsp while the syscall entry switches stacks */
#define MC_SELF		16		/* struct cpu * of this CPU */

#define TF_SIZE		(24 * 8)
#define TF_CS		(20 * 8)	/* offset of tf_cs in struct trapframe */

#ifndef __ASSEMBLY__

#include <machine/types.h>
#include <machine/psl.h>

/*
 * The direct map.  PHYS_TO_KVA gives a pointer; KVA_TO_PHYS accepts a
 * direct-map address or an address in the kernel image (static data,
 * e.g. the buffer cache), which is physically contiguous too.
 */
#define PHYS_TO_KVA(pa)	((void *)((unsigned long)(pa) + DMAP_BASE))
#define KVA_TO_PHYS(va)	((paddr_t)((unsigned long)(va) >= KERNBASE ? \
			    (unsigned long)(va) - KERNBASE : (unsigned long)(va) - DMAP_BASE))

/*
 * The trap frame: what every entry from user mode (interrupt, exception,
 * syscall) leaves at the top of the process's kernel stack, lowest
 * address first.  The CPU pushes tf_ss .. tf_rip (and tf_err for some
 * exceptions); the entry code pushes the rest.  The user's FS and GS
 * bases are part of it: saved on every entry from user mode and loaded
 * on every return, so they follow the process across CPUs and fork.
 */
struct trapframe {
	uint64_t	tf_fsbase;
	uint64_t	tf_gsbase;
	uint64_t	tf_r15, tf_r14, tf_r13, tf_r12, tf_r11, tf_r10, tf_r9, tf_r8;
	uint64_t	tf_rbp, tf_rdi, tf_rsi, tf_rdx, tf_rcx, tf_rbx, tf_rax;
	uint64_t	tf_trapno;
	uint64_t	tf_err;
	uint64_t	tf_rip, tf_cs, tf_rflags, tf_rsp, tf_ss;
};

/* The accessors kern/ uses (kern/include/md.h). */
static inline register_t
tf_syscall_number(struct trapframe *tf)
{
	return tf->tf_rax;
}

/* The syscall ABI: rdi rsi rdx r10 r8 r9 (r10, not rcx: syscall uses rcx). */
static inline register_t
tf_syscall_arg(struct trapframe *tf, int n)
{
	switch (n) {
	case 0: return tf->tf_rdi;
	case 1: return tf->tf_rsi;
	case 2: return tf->tf_rdx;
	case 3: return tf->tf_r10;
	case 4: return tf->tf_r8;
	case 5: return tf->tf_r9;
	}
	return 0;
}

static inline void
tf_set_retval(struct trapframe *tf, register_t v)
{
	tf->tf_rax = v;
}

static inline vaddr_t
tf_pc(struct trapframe *tf)
{
	return tf->tf_rip;
}

static inline void
tf_set_pc(struct trapframe *tf, vaddr_t pc)
{
	tf->tf_rip = pc;
}

/*
 * A saved kernel context (cpu_switchto): the FPU/SSE state of the user
 * program that was running (the kernel itself never touches it; see
 * switch.S), then the callee-saved registers and the return address.
 */
struct md_context {
	uint8_t		ctx_fpu[512];	/* fxsave image, 16-byte aligned */
	uint64_t	ctx_pad;
	uint64_t	ctx_r15, ctx_r14, ctx_r13, ctx_r12, ctx_rbx, ctx_rbp;
	uint64_t	ctx_rip;
};

struct mdproc {
	struct trapframe *md_tf;	/* user trap frame at the top of p_kstack */
};

/* The 64-bit task state segment (no I/O bitmap). */
struct x86_tss {
	uint32_t	tss_reserved0;
	uint64_t	tss_rsp[3];	/* rsp0: stack for traps from user mode */
	uint64_t	tss_reserved1;
	uint64_t	tss_ist[7];	/* interrupt stacks: 1 = double fault, 2 = NMI */
	uint64_t	tss_reserved2;
	uint16_t	tss_reserved3;
	uint16_t	tss_iomap;
} __attribute__((packed));

struct mdcpu {
	uint64_t	mc_kstack_top;	/* MC_KSTACK_TOP */
	uint64_t	mc_scratch;	/* MC_SCRATCH */
	struct cpu	*mc_self;	/* MC_SELF */
	uint32_t	mc_apicid;
	struct pmap	*mc_pmap;	/* pmap loaded in %cr3 */
	uint64_t	mc_gdt[GDT_NSLOTS] __attribute__((aligned(16)));
	struct x86_tss	mc_tss __attribute__((aligned(16)));
};

/*
 * This CPU and its interrupt flag (kern/include/md.h).  Inline, here,
 * because every spin lock round trip and every system call uses them:
 * out of line they were a call and a return each, several times a lock.
 * curcpu() is one %gs-relative load, so it reads one CPU's pointer even
 * if the thread moves between CPUs around it.
 */
struct cpu;

static inline struct cpu *
curcpu(void)
{
	struct cpu *c;

	__asm__ volatile("movq %%gs:%c1, %0" : "=r"(c) : "i"(MC_SELF));
	return c;
}

/* The old state, PSL_I or 0, for intr_restore. */
static inline register_t
intr_disable(void)
{
	register_t rf;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(rf) : : "memory");
	return rf & PSL_I;
}

static inline void
intr_restore(register_t s)
{
	if (s & PSL_I)
		__asm__ volatile("sti" : : : "memory");
}

static inline void
intr_enable(void)
{
	__asm__ volatile("sti" : : : "memory");
}

static inline int
intr_enabled(void)
{
	register_t rf;

	__asm__ volatile("pushfq; popq %0" : "=r"(rf));
	return (rf & PSL_I) != 0;
}

/*
 * One turn of a spin-wait loop (OpenBSD's CPU_BUSY_CYCLE): pause, the
 * spin-loop hint.  QEMU also ends a vCPU's turn at a pause, which under
 * -icount (all vCPUs in turn on one host thread) lets the CPU we wait for
 * run.
 */
static inline void
cpu_busy_cycle(void)
{
	__asm__ volatile("pause" : : : "memory");
}

#endif /* !__ASSEMBLY__ */
#endif
