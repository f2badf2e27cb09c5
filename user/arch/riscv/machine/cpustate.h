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

#endif
