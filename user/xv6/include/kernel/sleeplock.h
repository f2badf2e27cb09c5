/*
 * xv6 compatibility layer: xv6's init includes this kernel header for
 * the types kernel/file.h needs; user programs need nothing from it.
 */
#ifndef XV6_KERNEL_SLEEPLOCK_H
#define XV6_KERNEL_SLEEPLOCK_H
#endif
