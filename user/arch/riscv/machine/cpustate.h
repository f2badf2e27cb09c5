/*
 * cpustate.h: hostile user CPU state for the tests (hardtest cpu_state,
 * ptracetest setregs, makecxttest): the RISC-V half.  User mode has no
 * status register of its own to set (sstatus is the kernel's; the
 * kernel rebuilds it on every return), so what a program can hand the
 * kernel is a pc: the kernel half, non-canonical (Sv39), or odd (sret
 * would drop bit 0 and run code the program did not name).  Each must
 * end in the program's SIGSEGV.
 */
#ifndef MACHINE_CPUSTATE_H
#define MACHINE_CPUSTATE_H

#include <machine/reg.h>

#define MD_FLAG_BITS	0	/* no user-settable flag register */
#define MD_FLAG_NT	-1

static inline long md_syscall_with_flag(int bit) { (void)bit; return 0; }
static inline void md_spin_with_flag(int bit, unsigned long n) { (void)bit; (void)n; }
static inline void md_reg_set_flag(struct reg *r, int bit) { (void)r; (void)bit; }
#define MD_REGS_SET_FLAG(rg, bit)	((void)(rg), (void)(bit))

static const unsigned long md_hostile_pcs[] = {
	0xffffffff80200000UL, 0x0000004000000000UL, 0x8000000000000000UL, 0xfffffffffffffff0UL,
};
#define MD_ODD_PC_FAULTS	1	/* sret would round an odd pc down */

/*
 * What a hostile PT_SETREGS (or sigreturn) may ask for besides a pc:
 * variant i of the registers r of a process stopped just before it would
 * _exit(0), or NULL past the last.  struct reg has no sstatus (nor any
 * other CSR) to set: only x1..x31 and pc, so the rest is stack and
 * thread pointers the kernel must not trust (trapvec.S keeps its own tp).
 * *want: MD_WANT_RUN, the process exits 0; MD_WANT_SEGV, it dies of
 * SIGSEGV; MD_WANT_ANY, either, or another signal.
 */
enum { MD_WANT_RUN, MD_WANT_SEGV, MD_WANT_ANY };

static inline const char *
md_reg_hostile(struct reg *r, int i, int *want)
{
	*want = MD_WANT_RUN;
	switch (i) {
	case 0: r->r_x[1] = 0x0000004000000000UL; *want = MD_WANT_SEGV; return "non-canonical sp";
	case 1: r->r_x[1] = 0xffffffff80200000UL; *want = MD_WANT_SEGV; return "a kernel sp";
	case 2: r->r_x[1] = 0; *want = MD_WANT_SEGV; return "sp 0";
	case 3: r->r_x[3] = 0xffffffff80200000UL; *want = MD_WANT_ANY; return "a kernel tp";
	case 4: r->r_x[2] = 0x8000000000000000UL; *want = MD_WANT_ANY; return "a non-canonical gp";
	case 5: r->r_pc = 0; *want = MD_WANT_SEGV; return "pc 0";
	case 6: r->r_pc += 2; *want = MD_WANT_ANY; return "pc into the middle of an instruction";
	default: return NULL;
	}
}

#endif
