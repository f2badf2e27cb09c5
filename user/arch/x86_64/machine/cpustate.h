/*
 * cpustate.h: hostile user CPU state for the tests (hardtest cpu_state,
 * ptracetest setregs, makecxttest): the x86_64 half.  A user program may
 * set any RFLAGS bit popfq lets it (NT, AC, TF, ID, ...), then enter the
 * kernel by syscall or be interrupted; or hand the kernel any value to
 * load (sigreturn's frame, PT_SETREGS, makecxt).  The kernel must never
 * run with such a flag, nor fault loading such state: the program
 * survives or gets a signal.
 */
#ifndef MACHINE_CPUSTATE_H
#define MACHINE_CPUSTATE_H

#include <aqua/syscall.h>
#include <machine/reg.h>

#define MD_FLAG_BITS	32	/* RFLAGS bits 0..31 (the upper half is reserved) */
#define MD_FLAG_NT	14	/* the bit that panicked the kernel (issue 26) */

/*
 * getpid by syscall with RFLAGS bit `bit' set; the flags are put back
 * after.  The pushes go below the red zone, which the compiler may use.
 */
static inline long
md_syscall_with_flag(int bit)
{
	long r = SYS_getpid;
	unsigned long b = 1UL << bit;

	__asm__ volatile(
	    "subq $128, %%rsp\n\t"
	    "pushfq\n\t"
	    "pushfq\n\t"
	    "orq %[b], (%%rsp)\n\t"
	    "popfq\n\t"
	    "syscall\n\t"
	    "popfq\n\t"
	    "addq $128, %%rsp"
	    : "+a"(r) : [b] "r"(b) : "rcx", "r11", "memory", "cc");
	return r;
}

/* Spin n times, in user mode only, with the bit set: a timer tick comes in with it. */
static inline void
md_spin_with_flag(int bit, unsigned long n)
{
	unsigned long b = 1UL << bit;

	__asm__ volatile(
	    "subq $128, %%rsp\n\t"
	    "pushfq\n\t"
	    "pushfq\n\t"
	    "orq %[b], (%%rsp)\n\t"
	    "popfq\n\t"
	    "1: decq %[n]\n\t"
	    "jnz 1b\n\t"
	    "popfq\n\t"
	    "addq $128, %%rsp"
	    : [n] "+r"(n) : [b] "r"(b) : "memory", "cc");
}

/*
 * Make a saved context (sigreturn's, PT_SETREGS's) hostile: the flag bit
 * set, and for some variants the kernel's selectors.
 */
static inline void
md_reg_set_flag(struct reg *r, int bit)
{
	r->r_rflags |= 1UL << bit;
	if (bit % 2 == 0) {
		r->r_cs = 0x08;		/* the kernel's code and data selectors */
		r->r_ss = 0x10;
	}
}

/* The same for makecxt's regs_t. */
#define MD_REGS_SET_FLAG(rg, bit)	((rg)->rflags |= 1UL << (bit))

/*
 * Program counters a returning frame may not have: the kernel half (a
 * page fault in user mode) and non-canonical ones (iretq would fault in
 * ring 0; the kernel must turn it into the program's SIGSEGV).  Every
 * x86_64 address is aligned enough for an instruction.
 */
static const unsigned long md_hostile_pcs[] = {
	0xffffffff80100000UL, 0x0000800000000000UL, 0x8000000000000000UL, 0xfffffffffffffff0UL,
};
#define MD_ODD_PC_FAULTS	0	/* an odd pc is a fine pc */

/*
 * What a hostile PT_SETREGS (or sigreturn) may ask for besides one flag
 * bit or one pc: variant i of the registers r of a process stopped just
 * before it would _exit(0), or NULL past the last.  *want says what must
 * follow: MD_WANT_RUN, the kernel ignores it and the process exits 0;
 * MD_WANT_SEGV, the process cannot run with it and dies of SIGSEGV;
 * MD_WANT_ANY, either, or another signal.
 */
enum { MD_WANT_RUN, MD_WANT_SEGV, MD_WANT_ANY };

static inline const char *
md_reg_hostile(struct reg *r, int i, int *want)
{
	*want = MD_WANT_RUN;
	switch (i) {
	case 0: r->r_cs = 0; r->r_ss = 0; return "null cs and ss";
	case 1: r->r_cs = 0x08; r->r_ss = 0x10; return "the kernel's cs and ss";
	case 2: r->r_cs = 0xffff; r->r_ss = 0xffff; return "cs and ss 0xffff (past the GDT)";
	case 3: r->r_cs = 0x1b; r->r_ss = 0x0b; return "other ring 3 selectors";
	case 4: r->r_rflags = ~0UL; *want = MD_WANT_ANY; return "every RFLAGS bit";
	case 5: r->r_rflags = 0; return "no RFLAGS bit (interrupts off, reserved bit 1 clear)";
	case 6: r->r_fs_base = 0x0000800000000000UL; *want = MD_WANT_SEGV;
		return "non-canonical fs base";
	case 7: r->r_gs_base = 0x8000000000000000UL; *want = MD_WANT_SEGV;
		return "non-canonical gs base";
	case 8: r->r_gs_base = 0xffffffff80100000UL; *want = MD_WANT_ANY;
		return "the kernel's half as gs base";
	case 9: r->r_rsp = 0x0000800000000000UL; *want = MD_WANT_SEGV; return "non-canonical rsp";
	case 10: r->r_rsp = 0xffffffff80100000UL; *want = MD_WANT_SEGV; return "a kernel rsp";
	case 11: r->r_rsp = 0; *want = MD_WANT_SEGV; return "rsp 0";
	case 12: r->r_rip = 0; *want = MD_WANT_SEGV; return "rip 0";
	default: return NULL;
	}
}

#endif
