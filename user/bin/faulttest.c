/*
 * faulttest: make a memory access the kernel must refuse, so a test can
 * check that the kernel kills only this process, with a one-line message.
 *
 *	faulttest null		read address 0 (page 0 is never mapped)
 *	faulttest kernel	write a kernel address (supervisor-only page)
 *	faulttest exec		execute bytes in the data segment (not executable)
 *	faulttest stack		execute bytes on the stack (not executable)
 *	faulttest jumpkernel	call kernel text (supervisor-only)
 *
 * Each case prints what it is about to do; reaching the end means the
 * kernel let the access through, which is a failure (exit status 1).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Kernel memory on both ports (KERNBASE + 2 MiB: the RISC-V kernel's
 * text, and low physical memory in the x86_64 kernel's window), and a
 * canonical address on both, so the access is a page fault on a
 * supervisor-only page rather than some other exception.
 */
#define KERNEL_ADDR	0xffffffff80200000UL

/*
 * Bytes in .data.  Should a kernel wrongly let them run, they trap anyway:
 * 0f 0b is ud2 on x86_64, and zeros are an illegal instruction on RISC-V.
 */
static unsigned char data_code[16] = { 0x0f, 0x0b };

int
main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "null";

	fflush(stdout);
	if (strcmp(what, "null") == 0) {
		int *volatile p = NULL;		/* volatile: keep the compiler from reasoning about it */
		printf("faulttest: reading address 0\n");
		fflush(stdout);
		printf("faulttest: read %d without a fault\n", *p);
	} else if (strcmp(what, "kernel") == 0) {
		volatile unsigned long *p = (volatile unsigned long *)KERNEL_ADDR;
		printf("faulttest: writing address %p\n", (void *)p);
		fflush(stdout);
		*p = 0x5a5a;
		printf("faulttest: wrote a kernel address without a fault\n");
	} else if (strcmp(what, "exec") == 0) {
		void (*volatile fn)(void) = (void (*)(void))(uintptr_t)data_code;
		printf("faulttest: executing data at %p\n", (void *)data_code);
		fflush(stdout);
		fn();
		printf("faulttest: executed data without a fault\n");
	} else if (strcmp(what, "stack") == 0) {
		unsigned char stack_code[16];
		memcpy(stack_code, data_code, sizeof(stack_code));
		void (*volatile fn)(void) = (void (*)(void))(uintptr_t)stack_code;
		printf("faulttest: executing the stack at %p\n", (void *)stack_code);
		fflush(stdout);
		fn();
		printf("faulttest: executed the stack without a fault\n");
	} else if (strcmp(what, "jumpkernel") == 0) {
		void (*volatile fn)(void) = (void (*)(void))KERNEL_ADDR;
		printf("faulttest: calling kernel text at %p\n", (void *)KERNEL_ADDR);
		fflush(stdout);
		fn();
		printf("faulttest: ran kernel code in user mode\n");
	} else {
		fprintf(stderr, "usage: faulttest null|kernel|exec|stack|jumpkernel\n");
		return 2;
	}
	return 1;
}
