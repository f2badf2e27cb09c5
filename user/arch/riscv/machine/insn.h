/*
 * insn.h: RISC-V machine code as bytes, for the tests that write a
 * program into a file by hand (hardtest, fuzz: ELF images for exec).
 */
#ifndef MACHINE_INSN_H
#define MACHINE_INSN_H

#define MD_INSN_LOOP	{ 0x6f, 0x00, 0x00, 0x00 }	/* j .: loop for ever */

#endif
