/*
 * frame.h: the stack a function expects at its first instruction on
 * x86_64, for programs that start one by hand with makecxt(2) (family,
 * vmaptest): the call that would have entered it pushed the return
 * address, so sp is one word below a 16-byte boundary.
 */
#ifndef MACHINE_FRAME_H
#define MACHINE_FRAME_H

/* The sp to start a function with, from the 16-byte aligned top of its stack. */
#define MD_ENTRY_SP(top)	((top) - 8)

#endif
