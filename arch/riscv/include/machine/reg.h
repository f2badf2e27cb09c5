/*
 * struct reg on RISC-V 64: the user registers as ptrace(2) PT_GETREGS and
 * PT_SETREGS see them (OpenBSD's <machine/reg.h> has the same name).
 * Shared by the kernel and user programs (user/arch/riscv/machine/reg.h
 * forwards here), so only unsigned long is used.
 *
 * x1..x31 in architectural order (r_x[0] is x1 = ra), then pc.  There is
 * no status register here: PT_SETREGS cannot reach sstatus, and the
 * return to user mode forces SPP = user anyway (md_userret).
 */
#ifndef MACHINE_REG_H
#define MACHINE_REG_H

struct reg {
	unsigned long	r_x[31];	/* x1 (ra) .. x31 (t6) */
	unsigned long	r_pc;
};

#define REG_PC(r)	((r)->r_pc)
#define REG_SP(r)	((r)->r_x[1])	/* x2 */
#define REG_RETVAL(r)	((r)->r_x[9])	/* x10 = a0 */

#endif
