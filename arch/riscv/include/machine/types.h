/*
 * Basic machine types of the RISC-V 64 port (LP64: long and pointers are
 * 64 bits, int is 32).
 */
#ifndef MACHINE_TYPES_H
#define MACHINE_TYPES_H

#ifndef __ASSEMBLY__
typedef signed char		int8_t;
typedef unsigned char		uint8_t;
typedef short			int16_t;
typedef unsigned short		uint16_t;
typedef int			int32_t;
typedef unsigned int		uint32_t;
typedef long			int64_t;
typedef unsigned long		uint64_t;

typedef long			register_t;	/* one integer register (x1..x31) */
typedef unsigned long		vaddr_t;	/* a virtual address */
typedef unsigned long		paddr_t;	/* a physical address */
#endif

#define PAGE_SHIFT	12
#define PAGE_SIZE	4096
/* The bytes one last-level page table maps: what fork shares at once (md.h, pmap_share). */
#define PMAP_TABLE_SPAN	(1UL << 21)

/*
 * Sv39 gives user space the lower half of a 39-bit address space, that is
 * [0, 0x4000000000) (256 GiB).  The last 1 GiB below that is left unused
 * so that no user mapping ever sits next to the sign-extension boundary;
 * the user stack ends at USER_TOP.
 */
#define USER_TOP	0x3fc0000000UL

#endif
