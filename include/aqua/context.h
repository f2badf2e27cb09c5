/*
 * <aqua/context.h>: makecxt(2), "create a new context (process)", with
 * the names and the prototype of Aqua's makecxt.2 (docs/man/makecxt.2).
 * Shared by the kernel and user programs.
 *
 * regs_t, the user registers of a new process, differs per port: it comes
 * from <machine/regs.h>, which the include path resolves to the port's
 * own header (arch/<arch>/include/machine/regs.h; user programs reach the
 * same file through user/arch/<arch>/machine/regs.h).
 */
#ifndef AQUA_CONTEXT_H
#define AQUA_CONTEXT_H

#include <machine/regs.h>	/* regs_t, AQUA_REG_PC() ... */

/* Indexes of struct aqua_makecxt_data.segs_conf[]. */
#define _AQUA_SEG_ES	0
#define _AQUA_SEG_FS	1
#define _AQUA_SEG_GS	2

/*
 * One local segment for MAKECXT_INSTALL_LOCAL_SEGMENTS (lab
 * local-segments): when present is non-zero, the segment of the new
 * process starts at base, a user address.  In x86_64 long mode only fs
 * and gs have a base (es: base 0 only, else EINVAL); on RISC-V the fs
 * entry sets the thread pointer tp, and es or gs is EINVAL.  Limits,
 * attributes and selectors do not matter in 64-bit mode: base is all.
 */
struct aqua_local_seg_conf {
	unsigned long	base;
	int		present;
};

/* The starting context of the new process. */
struct aqua_makecxt_data {
	regs_t				registers;
	struct aqua_local_seg_conf	segs_conf[3];
};

/*
 * Flags.  Each is a stage of the contexts assignment (grade/manifest.toml):
 * makecxt-fork (COPY_CONTEXT), fixed-pid, fixed-move, share-vmem,
 * copy-shared, local-segments.  In a handout, a flag whose stage is still
 * starter code gives EINVAL.
 */
#define MAKECXT_SHARE_VMEM		0x01	/* share the whole address space */
#define MAKECXT_COPY_SHARED		0x02	/* new pages for shareable pages, shared locally */
#define MAKECXT_COPY_CONTEXT		0x04	/* start from the caller's registers */
#define MAKECXT_FORK			MAKECXT_COPY_CONTEXT	/* the same flag */
#define MAKECXT_FIXED_PID		0x08	/* exactly pid, or EEXIST */
#define MAKECXT_FIXED_MOVE		0x10	/* every page of the range, or EAGAIN */
#define MAKECXT_INSTALL_LOCAL_SEGMENTS	0x20	/* es/fs/gs from cxt->segs_conf */

#define MAKECXT_ALLFLAGS	(MAKECXT_SHARE_VMEM | MAKECXT_COPY_SHARED | \
				 MAKECXT_COPY_CONTEXT | MAKECXT_FIXED_PID | \
				 MAKECXT_FIXED_MOVE | MAKECXT_INSTALL_LOCAL_SEGMENTS)

/* The largest pid (kern/proc.c counts pids 1..MAKECXT_PID_MAX, then wraps). */
#define MAKECXT_PID_MAX		99999

#ifndef _KERNEL
#include <errno.h>
#include <unistd.h>		/* pid_t, size_t, and getpid() as the seed's EXAMPLE uses it */

/* The seed's ERRORS section spells EAGAIN "EEGAIN"; both names work. */
#define EEGAIN		EAGAIN

pid_t	makecxt(void *destination, void *src, size_t refsize,
	    const struct aqua_makecxt_data *cxt, pid_t pid, int flags);
#endif

#endif
