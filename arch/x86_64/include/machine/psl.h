/*
 * psl.h: the x86_64 RFLAGS bits (OpenBSD's PSL_ names), without C, so
 * that trapentry.S can use them too.
 */
#ifndef MACHINE_PSL_H
#define MACHINE_PSL_H

#define PSL_C		0x00000001	/* carry */
#define PSL_MBO		0x00000002	/* must be one */
#define PSL_PF		0x00000004	/* parity */
#define PSL_AF		0x00000010	/* auxiliary carry */
#define PSL_Z		0x00000040	/* zero */
#define PSL_N		0x00000080	/* sign */
#define PSL_T		0x00000100	/* trap flag (single step) */
#define PSL_I		0x00000200	/* interrupts enabled */
#define PSL_D		0x00000400	/* direction */
#define PSL_V		0x00000800	/* overflow */
#define PSL_IOPL	0x00003000	/* I/O privilege level (two bits) */
#define PSL_NT		0x00004000	/* nested task: iretq would #GP in long mode */
#define PSL_RF		0x00010000	/* resume: no instruction breakpoint for one instruction */
#define PSL_VM		0x00020000	/* virtual 8086 mode (not in long mode) */
#define PSL_AC		0x00040000	/* alignment check; with SMAP: user access allowed */
#define PSL_VIF		0x00080000	/* virtual interrupt flag */
#define PSL_VIP		0x00100000	/* virtual interrupt pending */
#define PSL_ID		0x00200000	/* cpuid available */

/* Flags a user program may set for itself (no IOPL, NT, RF, VM, VIF, VIP). */
#define PSL_USERCHANGE	(PSL_C | PSL_PF | PSL_AF | PSL_Z | PSL_N | PSL_T | PSL_D | PSL_V | PSL_AC | PSL_ID)

/*
 * What the syscall instruction clears on entry (MSR_FMASK), so that the
 * kernel never runs with a flag user mode chose: every flag that is not
 * plain arithmetic.  IF: interrupts stay off until the entry code is on
 * the kernel stack; TF: no single-step trap in the kernel; DF: the C ABI;
 * AC: SMAP stays armed; NT: the kernel's own iretq would #GP with it;
 * IOPL, RF, VM, VIF, VIP: never the kernel's business to inherit.
 * Interrupts and exceptions clear TF, NT, RF and VM themselves; the
 * entry code clears DF and AC (trapentry.S, alltraps).
 */
#define PSL_SYSCALL_MASK (PSL_I | PSL_T | PSL_D | PSL_AC | PSL_NT | PSL_IOPL | PSL_RF | \
			  PSL_VM | PSL_VIF | PSL_VIP)

#endif
