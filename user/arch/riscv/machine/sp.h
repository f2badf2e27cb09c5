/* The stack pointer, for code that checks where its stack is. */
#ifndef MACHINE_SP_H
#define MACHINE_SP_H

static inline unsigned long
md_stack_pointer(void)
{
	unsigned long sp;

	__asm__ volatile("mv %0, sp" : "=r"(sp));
	return sp;
}

#endif
