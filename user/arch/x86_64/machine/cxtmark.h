/*
 * cxtmark.h (x86_64): makecxt(NULL, NULL, (size_t)-1, NULL, 0,
 * MAKECXT_COPY_CONTEXT) as a bare system call, followed at once by an
 * instruction that sets *mark to 1 (user/tests/makecxttest.c,
 * fork_resume_pc: the child must resume exactly there).
 */
#ifndef MACHINE_CXTMARK_H
#define MACHINE_CXTMARK_H

#include <aqua/context.h>
#include <aqua/syscall.h>

static inline long
md_makecxt_fork_marked(long *mark)
{
	long m;
	register long r10 __asm__("r10") = 0;
	register long r8 __asm__("r8") = 0;
	register long r9 __asm__("r9") = MAKECXT_COPY_CONTEXT;
	long ret = SYS_makecxt;

	__asm__ volatile("xor %k0, %k0\n\tsyscall\n\tmov $1, %k0"
	    : "=&r"(m), "+a"(ret)
	    : "D"(0L), "S"(0L), "d"(-1L), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "cc", "memory");
	*mark = m;
	return ret;
}

#endif
