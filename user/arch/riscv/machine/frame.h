/*
 * frame.h: the stack a function expects at its first instruction on
 * RISC-V, for programs that start one by hand with makecxt(2) (family,
 * vmaptest): the return address is in ra, so sp is 16-byte aligned.
 */
#ifndef MACHINE_FRAME_H
#define MACHINE_FRAME_H

/* The sp to start a function with, from the 16-byte aligned top of its stack. */
#define MD_ENTRY_SP(top)	(top)

#endif
