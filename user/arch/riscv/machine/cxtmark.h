/*
 * cxtmark.h (RISC-V): makecxt(NULL, NULL, (size_t)-1, NULL, 0,
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
	register long ret __asm__("a0") = 0;
	register long a1 __asm__("a1") = 0;
	register long a2 __asm__("a2") = -1;
	register long a3 __asm__("a3") = 0;
	register long a4 __asm__("a4") = 0;
	register long a5 __asm__("a5") = MAKECXT_COPY_CONTEXT;
	register long a7 __asm__("a7") = SYS_makecxt;

	__asm__ volatile("li %0, 0\n\tecall\n\tli %0, 1"
	    : "=&r"(m), "+r"(ret)
	    : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7)
	    : "memory");
	*mark = m;
	return ret;
}

#endif
