/*
 * insn.h: x86_64 machine code as bytes, for the tests that write a
 * program into a file by hand (hardtest, fuzz: ELF images for exec).
 */
#ifndef MACHINE_INSN_H
#define MACHINE_INSN_H

#define MD_INSN_LOOP	{ 0xeb, 0xfe }		/* jmp .: loop for ever */

#endif
