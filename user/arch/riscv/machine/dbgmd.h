/*
 * dbgmd.h: the RISC-V bits of the debugger (user/bin/dbg.c) and of
 * ptracetest: the breakpoint instruction and the registers' names.
 */
#ifndef MACHINE_DBGMD_H
#define MACHINE_DBGMD_H

#include <stdio.h>
#include <machine/reg.h>

/*
 * ebreak is 4 bytes; in the place of a compressed (2-byte) instruction,
 * whose low two bits are not 11, we use c.ebreak so as not to clobber
 * the instruction after it.
 */
static inline unsigned int
md_bpt_word(unsigned int orig)
{
	if ((orig & 3) != 3)
		return (orig & ~0xffffU) | 0x9002;
	return 0x00100073;
}

/* ebreak does not advance the pc: the breakpoint is at pc. */
#define MD_BPT_PC_AFTER	0

static inline void
md_print_regs(const struct reg *r)
{
	static const char *const names[31] = {
		"ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1",
		"a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6",
		"s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
	};
	for (int i = 0; i < 31; i++)
		printf("%-3s %016lx%s", names[i], r->r_x[i], i % 4 == 3 ? "\n" : " ");
	printf("pc  %016lx\n", r->r_pc);
}

/* RISC-V's struct reg has no privilege to ask for: always the user's. */
static inline int
md_regs_user(const struct reg *r)
{
	(void)r;
	return 1;
}

static inline void
md_regs_make_evil(struct reg *r)
{
	(void)r;
}

#endif
