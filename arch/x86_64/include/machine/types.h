/*
 * x86_64 machine types: LP64, so long and pointers are 64 bits.
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

typedef long			register_t;	/* one general-purpose register */
typedef unsigned long		vaddr_t;	/* virtual address */
typedef unsigned long		paddr_t;	/* physical address */
#endif

#define PAGE_SHIFT	12
#define PAGE_SIZE	4096
/* The bytes one last-level page table maps: what fork shares at once (md.h, pmap_share). */
#define PMAP_TABLE_SPAN	(1UL << 21)
#define PAGE_MASK	(PAGE_SIZE - 1)

/*
 * User addresses are [0, USER_TOP).  The hardware allows the whole lower
 * canonical half (below 0x0000800000000000); we stop 16 MiB short of it so
 * that no user pc or stack can sit next to the non-canonical hole (a
 * return to a non-canonical address would fault in the kernel, not in
 * the program).
 */
#define USER_TOP	0x00007fffff000000UL

#endif
