/*
 * tlsmd.h: the RISC-V half of tlstest (user/tests/tlstest.c), which
 * includes it once, after tap.h (CHECK, REQUIRE, diag) and its own
 * KERNEL_ADDR and XSTR.
 *
 * The thread pointer is the tp register, which user code reads and
 * writes freely.  Of the local segments (makecxt
 * MAKECXT_INSTALL_LOCAL_SEGMENTS) there is only FS, whose base is tp:
 * GS and ES have nothing to be on this machine.
 */
#ifndef MACHINE_TLSMD_H
#define MACHINE_TLSMD_H

#include <machine/tcb.h>

#define MD_LSEG_GS	0		/* no GS segment */
#define MD_LSEG_ES0	0		/* no ES segment, not even with base 0 */
#define MD_LSEG_FS_WORDS "0(tp), 8(tp)"	/* for messages */

/*
 * The thread pointer is the thread's own: tp written in user mode
 * survives system calls and a sleep.
 */
static int
md_tls_regs(void)
{
	unsigned long magic = 0x5a5a000UL, saved, got;
	register long a0 __asm__("a0");
	register long a7 __asm__("a7");

	__asm__ volatile(
	    "mv %[saved], tp\n\t"
	    "mv tp, %[magic]\n\t"
	    "li a7, " XSTR(SYS_msleep) "\n\t"
	    "li a0, 20\n\t"
	    "ecall\n\t"
	    "li a7, " XSTR(SYS_getpid) "\n\t"
	    "ecall\n\t"
	    "mv %[got], tp\n\t"
	    "mv tp, %[saved]"
	    : [saved] "=&r"(saved), [got] "=&r"(got), "=r"(a0), "=r"(a7)
	    : [magic] "r"(magic)
	    : "memory");
	CHECK(got == magic, "tp = %#lx after system calls, want %#lx", got, magic);
	CHECK(saved == (unsigned long)__get_tcb(), "tp %#lx, __get_tcb() %p", saved, __get_tcb());
	return 0;
}

/*
 * The words at FS+0 and FS+8 (0(tp) and 8(tp)), read in assembly: in a
 * process whose tp is not its TLS block, C code must not touch a
 * __thread variable (errno) first.  There is no GS: g0 and g1 stay.
 */
static inline void
md_lseg_read(unsigned long *f0, unsigned long *f1, unsigned long *g0, unsigned long *g1)
{
	(void)g0;
	(void)g1;
	__asm__ volatile("ld %0, 0(tp); ld %1, 8(tp)" : "=r"(*f0), "=r"(*f1));
}

/* The registers of a blob process: tp in them says otherwise, and the FS entry must win. */
static inline void
md_lseg_blob_regs(regs_t *r)
{
	r->tp = 0x1000;
}

/*
 * The blob: what runs in a process made without MAKECXT_COPY_CONTEXT
 * (only the pages it was given).  ARG0 = a descriptor.  It writes 32
 * bytes, the words at tp+0 and tp+8 and two zeros, then exits with 0.
 */
extern char lseg_blob[];
__asm__(
"	.text\n"
"	.globl lseg_blob\n"
"lseg_blob:\n"
"	addi sp, sp, -32\n"
"	ld t0, 0(tp)\n"
"	sd t0, 0(sp)\n"
"	ld t0, 8(tp)\n"
"	sd t0, 8(sp)\n"
"	sd zero, 16(sp)\n"
"	sd zero, 24(sp)\n"
"	mv a1, sp\n"
"	li a2, 32\n"
"	li a7, " XSTR(SYS_write) "\n"
"	ecall\n"
"	li a0, 0\n"
"	li a7, " XSTR(SYS_exit) "\n"
"	ecall\n"
"	unimp\n");

#endif
