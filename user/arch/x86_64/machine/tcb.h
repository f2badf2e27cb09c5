/*
 * tcb.h: the thread pointer and the TLS block around it on x86_64, for
 * the C library (user/lib/tls.c) and tlstest.  The ELF TLS "variant II":
 * the variables end at the thread pointer (the FS base), which points at
 * the TCB, whose first word holds its own address; compiled code reads
 * %fs:0 to learn where its block is (to take &x, for example).
 */
#ifndef MACHINE_TCB_H
#define MACHINE_TCB_H

#define TLS_VARIANT	2
#define TCB_SIZE	16	/* self pointer, and a spare word */
#define TCB_ALIGN	16

/* The thread pointer as the hardware sees it, without the system call. */
static inline void *
md_live_tp(void)
{
	void *tp;

	__asm__ volatile("movq %%fs:0, %0" : "=r"(tp));	/* the TCB's self pointer */
	return tp;
}

#endif
