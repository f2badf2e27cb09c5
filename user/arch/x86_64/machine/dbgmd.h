/*
 * dbgmd.h: the x86_64 bits of the debugger (user/bin/dbg.c) and of
 * ptracetest: the breakpoint instruction and the registers' names.
 */
#ifndef MACHINE_DBGMD_H
#define MACHINE_DBGMD_H

#include <stdio.h>
#include <machine/reg.h>

/*
 * int3 (0xcc) is one byte: put it in the low byte of the (little-endian)
 * word read at the breakpoint address.
 */
static inline unsigned int
md_bpt_word(unsigned int orig)
{
	return (orig & ~0xffU) | 0xcc;
}

/* After int3 traps, rip is one past it: the breakpoint is at pc - 1. */
#define MD_BPT_PC_AFTER	1

static inline void
md_print_regs(const struct reg *r)
{
	printf("rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", r->r_rax, r->r_rbx, r->r_rcx, r->r_rdx);
	printf("rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n", r->r_rsi, r->r_rdi, r->r_rbp, r->r_rsp);
	printf("r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", r->r_r8, r->r_r9, r->r_r10, r->r_r11);
	printf("r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", r->r_r12, r->r_r13, r->r_r14, r->r_r15);
	printf("rip %016lx rflags %08lx cs %lx ss %lx\n", r->r_rip, r->r_rflags, r->r_cs, r->r_ss);
}

/* Is the privilege in *r the user's?  (ring 3 cs and ss, IOPL 0) */
static inline int
md_regs_user(const struct reg *r)
{
	return (r->r_cs & 3) == 3 && (r->r_ss & 3) == 3 && (r->r_rflags & 0x3000) == 0;
}

/* Ask for kernel privilege (PT_SETREGS must refuse it silently). */
static inline void
md_regs_make_evil(struct reg *r)
{
	r->r_cs = 0x08;
	r->r_ss = 0x10;
	r->r_rflags |= 0x3000;		/* IOPL 3 */
}

#endif
