/*
 * regs_t on x86_64: the user registers a program can choose for a new
 * process with makecxt(2) (struct aqua_makecxt_data, <aqua/context.h>).
 *
 * This header is shared by the kernel and user programs (user programs
 * reach it through user/arch/x86_64/machine/regs.h), so it uses no type
 * but unsigned long, which is 64 bits here as register_t is.
 *
 * Layout: the 16 general-purpose registers first (in the order gdb
 * prints them), then rip and rflags.  Of rflags only the bits a user
 * program may change are kept (the arithmetic flags, DF, AC...): the
 * kernel turns interrupts on and clears IOPL whatever is asked.  Segment registers are not here:
 * cs and ss are the kernel's choice, and fs/gs bases belong to
 * MAKECXT_INSTALL_LOCAL_SEGMENTS (segs_conf).
 */
#ifndef MACHINE_REGS_H
#define MACHINE_REGS_H

struct aqua_regs {
	unsigned long	rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	unsigned long	r8, r9, r10, r11, r12, r13, r14, r15;
	unsigned long	rip;
	unsigned long	rflags;
};
typedef struct aqua_regs regs_t;

/* The first AQUA_REGS_NGPR words of a regs_t are the general registers. */
#define AQUA_REGS_NGPR		16

/*
 * Portable names for the registers a program usually sets: the program
 * counter, the stack pointer and the first four argument registers of the
 * C calling convention (the System V ABI: rdi rsi rdx rcx).
 */
#define AQUA_REG_PC(r)		((r)->rip)
#define AQUA_REG_SP(r)		((r)->rsp)
#define AQUA_REG_ARG0(r)	((r)->rdi)
#define AQUA_REG_ARG1(r)	((r)->rsi)
#define AQUA_REG_ARG2(r)	((r)->rdx)
#define AQUA_REG_ARG3(r)	((r)->rcx)

#endif
