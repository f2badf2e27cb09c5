/*
 * tcb.h: the thread pointer and the TLS block around it on RISC-V, for
 * the C library (user/lib/tls.c) and tlstest.  The ELF TLS "variant I"
 * without a TCB: the variables start at the thread pointer (tp), aligned
 * to their alignment.
 */
#ifndef MACHINE_TCB_H
#define MACHINE_TCB_H

#define TLS_VARIANT	1
#define TCB_SIZE	0
#define TCB_ALIGN	16	/* the psABI's stack alignment: plenty */

/* The thread pointer as the hardware sees it, without the system call. */
static inline void *
md_live_tp(void)
{
	void *tp;

	__asm__ volatile("mv %0, tp" : "=r"(tp));
	return tp;
}

#endif
