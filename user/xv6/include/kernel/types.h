/*
 * xv6 compatibility layer (docs/INSTRUCTORS.md, "Bring your xv6
 * material"): the short type names xv6 programs use.  Both aqua6 ports
 * are LP64, as xv6-riscv is.
 */
#ifndef XV6_KERNEL_TYPES_H
#define XV6_KERNEL_TYPES_H

typedef unsigned char	uchar;
typedef unsigned short	ushort;
typedef unsigned int	uint;

typedef unsigned char	uint8;
typedef unsigned short	uint16;
typedef unsigned int	uint32;
typedef unsigned long	uint64;

typedef uint64		pde_t;

#endif
