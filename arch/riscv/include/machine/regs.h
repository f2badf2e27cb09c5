/*
 * regs_t on RISC-V 64: the user registers a program can choose for a new
 * process with makecxt(2) (struct aqua_makecxt_data, <aqua/context.h>).
 *
 * This header is shared by the kernel and user programs (user programs
 * reach it through user/arch/riscv/machine/regs.h), so it uses no type
 * but unsigned long, which is 64 bits here as register_t is.
 *
 * Layout: x1..x31 under their ABI names, in architectural order (x0 is
 * always zero and has no slot), then pc.  tp (x4) is the thread pointer;
 * MAKECXT_INSTALL_LOCAL_SEGMENTS may override it from segs_conf.
 * Nothing else of the user state is chosen here: sstatus is the kernel's
 * (user mode, interrupts on) and user programs have no FPU state.
 */
#ifndef MACHINE_REGS_H
#define MACHINE_REGS_H

struct aqua_regs {
	unsigned long	ra, sp, gp, tp;			/* x1..x4 */
	unsigned long	t0, t1, t2;			/* x5..x7 */
	unsigned long	s0, s1;				/* x8, x9 */
	unsigned long	a0, a1, a2, a3, a4, a5, a6, a7;	/* x10..x17 */
	unsigned long	s2, s3, s4, s5, s6, s7, s8, s9, s10, s11; /* x18..x27 */
	unsigned long	t3, t4, t5, t6;			/* x28..x31 */
	unsigned long	pc;
};
typedef struct aqua_regs regs_t;

/* The first AQUA_REGS_NGPR words of a regs_t are the general registers. */
#define AQUA_REGS_NGPR		31

/*
 * Portable names for the registers a program usually sets: the program
 * counter, the stack pointer and the first four argument registers of the
 * C calling convention (a0-a3).
 */
#define AQUA_REG_PC(r)		((r)->pc)
#define AQUA_REG_SP(r)		((r)->sp)
#define AQUA_REG_ARG0(r)	((r)->a0)
#define AQUA_REG_ARG1(r)	((r)->a1)
#define AQUA_REG_ARG2(r)	((r)->a2)
#define AQUA_REG_ARG3(r)	((r)->a3)

#endif
