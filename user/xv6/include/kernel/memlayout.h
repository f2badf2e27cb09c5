/*
 * xv6 compatibility layer: the addresses xv6 user programs probe.
 * KERNBASE is where the kernel's half of the address space begins: a
 * user program that touches it is killed, as on xv6.
 */
#ifndef XV6_KERNEL_MEMLAYOUT_H
#define XV6_KERNEL_MEMLAYOUT_H

#include <machine/vmparam.h>

#define KERNBASE	VM_MIN_KERNEL_ADDRESS

#endif
