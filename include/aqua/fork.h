/*
 * fork1(9) flags: the exact names of OpenBSD's <sys/proc.h>, see
 * docs/man/fork1.9.  User programs reach a subset of them through the
 * rfork1(2) system call; the kernel rejects the others with EINVAL.
 */
#ifndef AQUA_FORK_H
#define AQUA_FORK_H

#define FORK_FORK	0x00000001	/* called by fork(2): statistics only */
#define FORK_VFORK	0x00000002	/* called by vfork(2): statistics only */
#define FORK_IDLE	0x00000004	/* leave the child in SIDL, not runnable */
#define FORK_PPWAIT	0x00000008	/* parent sleeps until child exits or execs */
#define FORK_SHAREFILES	0x00000010	/* share the descriptor table (fdshare) */
#define FORK_SYSTEM	0x00000020	/* child is a system process (P_SYSTEM) */
#define FORK_NOZOMBIE	0x00000040	/* child leaves no status for the parent */
#define FORK_SHAREVM	0x00000080	/* share the address space */
#define FORK_PTRACE	0x00000400	/* child starts traced */
#define FORK_NOVM	0x00000800	/* kernel only: no address space yet (makecxt gives one) */

/* Every flag fork1() knows; anything outside this mask is EINVAL. */
#define FORK_ALLFLAGS	(FORK_FORK | FORK_VFORK | FORK_IDLE | FORK_PPWAIT | \
			 FORK_SHAREFILES | FORK_SYSTEM | FORK_NOZOMBIE | \
			 FORK_SHAREVM | FORK_PTRACE | FORK_NOVM)

#endif
