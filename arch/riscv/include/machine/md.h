/*
 * Machine-dependent definitions of the RISC-V 64 port (see kern/include/md.h).
 *
 * Memory layout (Sv39, 39-bit virtual addresses, upper half sign-extended):
 *
 *   0x0000000000000000 .. USER_TOP             user space (root entries 0..255)
 *   0xffffffc000000000 .. +2 MiB               kernel stacks with guard pages
 *                                              (root entry 256, kern/proc.c)
 *   0xffffffff00000000 .. 0xffffffffffffffff   the kernel: physical 0..4 GiB
 *                                              at a fixed offset KERNBASE
 *
 * One offset serves both as the "direct map" of RAM and MMIO and as the
 * kernel's link address: physical 0x80200000, where OpenSBI enters the
 * kernel, is virtual 0xffffffff80200000, where kernel.ld links it.  So a
 * kernel pointer and a direct-map pointer are the same thing, and
 * KVA_TO_PHYS works on both.  The kernel image itself is mapped with 4 KiB
 * pages (text RX, rodata R, data RW: W^X); the rest of RAM with 2 MiB and
 * 1 GiB pages.  The price: at most 2 GiB of RAM (0x80000000..0xffffffff).
 */
#ifndef MACHINE_MD_H
#define MACHINE_MD_H

#include <machine/types.h>

#define MD_ARCH_NAME	"riscv64"
#define MD_ELF_MACHINE	243		/* EM_RISCV: exec takes only RISC-V binaries */

#define KERNBASE	0xffffffff00000000UL

/*
 * The kernel-stack area (kern/proc.c): NPROC windows of 2 * KSTACK_SIZE
 * bytes, each an unmapped guard under a KSTACK_SIZE stack.  trapvec.S
 * checks for a guard address before it pushes a trap frame, with these
 * numbers (no suffixes: the assembler reads them too); trap.c checks they
 * agree with kern/include/param.h.
 */
#define KSTACK_AREA	0xffffffc000000000
#define KSTACK_AREA_SHIFT 21		/* the area is 2 MiB: one L0 table */
#define KSTACK_AREA_SIZE (1UL << KSTACK_AREA_SHIFT)
#define KSTACK_SHIFT	14		/* log2(KSTACK_SIZE) */

#ifndef __ASSEMBLY__
#define PHYS_TO_KVA(pa)	((void *)((paddr_t)(pa) + KERNBASE))
#define KVA_TO_PHYS(va)	((paddr_t)((vaddr_t)(va) - KERNBASE))
#endif

/*
 * Offsets used by trapvec.S.  C code checks them against the structures
 * below with _Static_assert (arch/riscv/trap.c).
 */
#define TF_RA		0	/* x1; register xN is at (N-1)*8 */
#define TF_SP		8
#define TF_GP		16
#define TF_TP		24
#define TF_SEPC		(31 * 8)
#define TF_SSTATUS	(32 * 8)
#define TF_SCAUSE	(33 * 8)
#define TF_STVAL	(34 * 8)
#define TF_SIZE		(36 * 8)	/* 16-byte aligned */

#define MDCPU_SCRATCH	0
#define MDCPU_UTF	8
#define MDCPU_ESTACK	16
#define MDCPU_CPU	24

#define BOOT_STACK_SIZE	16384	/* per CPU, until the scheduler runs */

#ifndef __ASSEMBLY__
/*
 * Everything a trap saves: the 31 integer registers (x0 is always zero)
 * and the supervisor CSRs that describe the trap.  The register order is
 * the architectural one, so trapvec.S can address xN as (N-1)*8.
 */
struct trapframe {
	register_t ra, sp, gp, tp;		/* x1..x4 */
	register_t t0, t1, t2;			/* x5..x7 */
	register_t s0, s1;			/* x8, x9 */
	register_t a0, a1, a2, a3, a4, a5, a6, a7;	/* x10..x17 */
	register_t s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;	/* x18..x27 */
	register_t t3, t4, t5, t6;		/* x28..x31 */
	register_t sepc;			/* pc of the trapping instruction */
	register_t sstatus;
	register_t scause;
	register_t stval;
	register_t pad;				/* keep the size a multiple of 16 */
};

/* The accessors kern/ uses (kern/include/md.h). */
static inline register_t
tf_syscall_number(struct trapframe *tf)
{
	return tf->a7;
}

/* The syscall ABI: a0..a5, the number in a7. */
static inline register_t
tf_syscall_arg(struct trapframe *tf, int n)
{
	switch (n) {
	case 0: return tf->a0;
	case 1: return tf->a1;
	case 2: return tf->a2;
	case 3: return tf->a3;
	case 4: return tf->a4;
	case 5: return tf->a5;
	}
	return 0;
}

static inline void
tf_set_retval(struct trapframe *tf, register_t v)
{
	tf->a0 = v;
}

static inline vaddr_t
tf_pc(struct trapframe *tf)
{
	return tf->sepc;
}

static inline void
tf_set_pc(struct trapframe *tf, vaddr_t pc)
{
	tf->sepc = pc;
}

/*
 * What cpu_switchto() keeps of a kernel context: the callee-saved
 * registers and the return address.  It is pushed on the kernel stack
 * being left, and a struct md_context * is just that stack pointer.
 * tp is deliberately absent: in the kernel tp points at the CPU, and a
 * context may resume on another CPU.
 */
struct md_context {
	register_t s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
	register_t ra;
	register_t pad;
};

/* Per-process: the user trap frame at the top of the kernel stack. */
struct mdproc {
	struct trapframe *md_tf;
};

/*
 * Per-CPU.  While this CPU runs in the kernel tp holds &ci_md (struct
 * mdcpu is the first thing trapvec.S needs); while it runs user code tp is
 * the user's and sscratch holds &ci_md instead.
 */
struct pmap;
struct mdcpu {
	register_t	md_scratch;	/* user sp, for the instant of trap entry */
	struct trapframe *md_utf;	/* where the next user trap saves registers */
	vaddr_t		md_estack;	/* top of a stack for reporting a kernel stack overflow */
	struct cpu	*md_cpu;	/* MDCPU_CPU: the struct cpu this is in (curcpu) */
	unsigned long	md_hartid;	/* SBI/PLIC hart id of this CPU */
	struct pmap	*md_pmap;	/* page table loaded in satp */
	volatile int	md_booted;	/* set by a secondary once it runs */
};

/*
 * This CPU and its interrupt enable, sstatus.SIE (kern/include/md.h).
 * Inline, here, because every spin lock round trip and every system call
 * uses them: out of line they were a call and a return each, several
 * times a lock.  curcpu() is one tp-relative load, so it reads one CPU's
 * pointer even if the thread moves between CPUs around it.
 */
#define SSTATUS_SIE	(1UL << 1)	/* interrupts enabled in S-mode (riscv.h has the other bits) */

static inline struct cpu *
curcpu(void)
{
	struct cpu *c;

	__asm__ volatile("ld %0, %1(tp)" : "=r"(c) : "i"(MDCPU_CPU));
	return c;
}

/* The old state, SSTATUS_SIE or 0, for intr_restore. */
static inline register_t
intr_disable(void)
{
	unsigned long old;

	__asm__ volatile("csrrci %0, sstatus, %1" : "=r"(old) : "i"(SSTATUS_SIE) : "memory");
	return old & SSTATUS_SIE;
}

static inline void
intr_restore(register_t s)
{
	if (s & SSTATUS_SIE)
		__asm__ volatile("csrsi sstatus, %0" : : "i"(SSTATUS_SIE) : "memory");
}

static inline void
intr_enable(void)
{
	__asm__ volatile("csrsi sstatus, %0" : : "i"(SSTATUS_SIE) : "memory");
}

static inline int
intr_enabled(void)
{
	unsigned long s;

	__asm__ volatile("csrr %0, sstatus" : "=r"(s));
	return (s & SSTATUS_SIE) != 0;
}

/*
 * One turn of a spin-wait loop (OpenBSD's CPU_BUSY_CYCLE): let the CPU we
 * wait for run.  Under QEMU's -icount every hart runs in turn on one host
 * thread, each turn up to the next timer deadline, and QEMU before 8.1
 * gives the whole turn to the first hart that does not stop: a hart
 * spinning on a lock that a later hart holds spins until an event from
 * outside the guest comes, often for ever.  QEMU ends a hart's turn at a
 * wfi, so we wfi with an interrupt pending and enabled, which returns at
 * once (on hardware too).  The interrupt is our own IPI bit, sip.SSIP,
 * set with interrupts off (else it would be taken before the wfi, which
 * would then wait for the next tick); it is taken when interrupts are
 * next on, and md_ipi clears it (a spurious IPI does nothing else).
 * sie.SSIE is on from trap_init_cpu, before any lock can be contended.
 */
static inline void
cpu_busy_cycle(void)
{
	register_t s = intr_disable();

	__asm__ volatile("csrsi sip, 2; wfi" : : : "memory");	/* 2: SSIP */
	intr_restore(s);
}
#endif

#endif
