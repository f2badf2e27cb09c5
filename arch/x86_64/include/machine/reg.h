/*
 * struct reg on x86_64: the user registers as ptrace(2) PT_GETREGS and
 * PT_SETREGS see them (OpenBSD's <machine/reg.h> has the same name).
 * Shared by the kernel and user programs (user/arch/x86_64/machine/reg.h
 * forwards here), so only unsigned long is used.
 *
 * PT_SETREGS takes the general registers, rip and rsp as given; of rflags
 * only the user-changeable bits (interrupts stay on, IOPL 0); cs and ss
 * are ignored (always the user selectors): nothing here can give user
 * code kernel privilege.  A non-canonical rip/rsp/fs_base/gs_base makes
 * the process fault when it resumes.
 */
#ifndef MACHINE_REG_H
#define MACHINE_REG_H

struct reg {
	unsigned long	r_rax, r_rbx, r_rcx, r_rdx, r_rsi, r_rdi, r_rbp, r_rsp;
	unsigned long	r_r8, r_r9, r_r10, r_r11, r_r12, r_r13, r_r14, r_r15;
	unsigned long	r_rip;
	unsigned long	r_rflags;
	unsigned long	r_cs, r_ss;		/* read only */
	unsigned long	r_fs_base, r_gs_base;	/* the TLS bases */
};

#define REG_PC(r)	((r)->r_rip)
#define REG_SP(r)	((r)->r_rsp)
#define REG_RETVAL(r)	((r)->r_rax)

#endif
