/*
 * trapcase.h: instructions that trap, for traptest (the RISC-V half).
 * Each MD_TRAP_* says whether this port's hardware traps at all; where
 * it does, the md_* function makes it trap and traptest checks the
 * signal and code the kernel gives (arch/riscv/trap.c classifies).
 */
#ifndef MACHINE_TRAPCASE_H
#define MACHINE_TRAPCASE_H

#include <signal.h>

/* The ISA defines x / 0 = -1 and has no floating-point traps at all. */
#define MD_TRAP_INTDIV	0
#define MD_TRAP_FPE	0
/*
 * Plain misaligned loads and stores may be done by the hardware or
 * emulated by the firmware (OpenSBI); an atomic on a misaligned address
 * is never emulated and reaches the kernel as a misaligned store.
 */
#define MD_TRAP_MISALIGNED 1

/* A supervisor CSR read in user mode is an illegal instruction. */
#define MD_PRIV_SIG	SIGILL
#define MD_PRIV_CODE	ILL_ILLOPC

#define MD_ILLEGAL_LEN	4	/* .4byte 0 */

static inline void
md_illegal(void)
{
	__asm__ volatile(".4byte 0");		/* all zeros: defined as illegal */
}

static inline void
md_breakpoint(void)
{
	__asm__ volatile("ebreak");
}

static inline void
md_privileged(void)
{
	__asm__ volatile("csrr t0, sstatus" : : : "t0");
}

/* Not called (MD_TRAP_INTDIV is 0): the hardware's divide, x / 0 = -1. */
static inline long
md_intdiv(long a, long b)
{
	long q;

	__asm__ volatile("div %0, %1, %2" : "=r"(q) : "r"(a), "r"(b));
	return q;
}

static inline void
md_fpe_divide(void)
{
}

/* An atomic add at p, which the caller makes misaligned. */
static inline void
md_misaligned(void *p)
{
	int one = 1;

	__asm__ volatile("amoadd.w zero, %1, (%0)" : : "r"(p), "r"(one) : "memory");
}

#endif
