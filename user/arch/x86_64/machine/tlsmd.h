/*
 * tlsmd.h: the x86_64 half of tlstest (user/tests/tlstest.c), which
 * includes it once, after tap.h (CHECK, REQUIRE, diag) and its own
 * KERNEL_ADDR and XSTR.
 *
 * The thread pointer is the FS base, and user code has a GS base too,
 * both readable and writable in user mode with FSGSBASE.  Local segments
 * (makecxt MAKECXT_INSTALL_LOCAL_SEGMENTS) are FS and GS; ES exists but
 * long mode gives it no base, so only base 0 is accepted.
 */
#ifndef MACHINE_TLSMD_H
#define MACHINE_TLSMD_H

#include <machine/tcb.h>

#define MD_LSEG_GS	1		/* a GS segment (the user GS base) */
#define MD_LSEG_ES0	1		/* ES with base 0 is accepted */
#define MD_LSEG_FS_WORDS "%fs:0, %fs:8"	/* for messages */
#define MD_LSEG_GS_WORDS "%gs:0, %gs:8"

static int
have_fsgsbase(void)
{
	uint32_t a = 7, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return b & 1;
}

/*
 * The thread pointer and the user GS base are the thread's own: written
 * in user mode, they survive system calls and context switches, and the
 * kernel does not use them for itself.
 */
static int
md_tls_regs(void)
{
	unsigned long fs, gs, buf[2] = { 0x1111, 0x2222 }, v;
	void *tcb = __get_tcb();

	if (!have_fsgsbase()) {
		diag("this CPU has no FSGSBASE (run QEMU with -cpu max): only __get_tcb checked");
		CHECK(md_live_tp() == tcb, "live thread pointer");
		return 0;
	}
	__asm__ volatile("rdfsbase %0" : "=r"(fs));
	CHECK(fs == (unsigned long)tcb, "rdfsbase %#lx, __get_tcb() %p", fs, tcb);

	/* A GS base written in user mode, read through %gs, across sleeps. */
	__asm__ volatile("wrgsbase %0" : : "r"(buf));
	for (int i = 0; i < 5; i++) {
		msleep(5);
		getpid();
	}
	__asm__ volatile("rdgsbase %0" : "=r"(gs));
	__asm__ volatile("movq %%gs:8, %0" : "=r"(v));
	CHECK(gs == (unsigned long)buf, "rdgsbase %#lx after sleeps, want %p", gs, (void *)buf);
	CHECK(v == 0x2222, "%%gs:8 = %#lx, want 0x2222", v);

	/* A kernel address as user GS base: the kernel must not take it for its own. */
	__asm__ volatile("wrgsbase %0" : : "r"(KERNEL_ADDR));
	for (int i = 0; i < 5; i++) {
		msleep(5);
		getppid();
	}
	__asm__ volatile("rdgsbase %0" : "=r"(gs));
	CHECK(gs == KERNEL_ADDR, "rdgsbase %#lx, want the kernel address written", gs);
	__asm__ volatile("wrgsbase %0" : : "r"(0UL));

	/* wrfsbase in user mode is seen by the kernel (__get_tcb). */
	void *mem = malloc(__tls_size()), *tcb2;
	REQUIRE(mem != NULL, "malloc");
	tcb2 = __tls_init(mem);
	__asm__ volatile("wrfsbase %0" : : "r"(tcb2));
	msleep(5);
	void *seen = __get_tcb();
	__asm__ volatile("wrfsbase %0" : : "r"(tcb));
	CHECK(seen == tcb2, "__get_tcb() %p after wrfsbase %p", seen, tcb2);
	free(mem);
	return 0;
}

/*
 * The words at FS+0 and FS+8, and at GS+0 and GS+8 when g0 is not NULL,
 * read in assembly: in a process whose FS base is not its TLS block, C
 * code must not touch a __thread variable (errno) first.
 */
static inline void
md_lseg_read(unsigned long *f0, unsigned long *f1, unsigned long *g0, unsigned long *g1)
{
	__asm__ volatile("movq %%fs:0, %0; movq %%fs:8, %1" : "=r"(*f0), "=r"(*f1));
	if (g0 != NULL)
		__asm__ volatile("movq %%gs:0, %0; movq %%gs:8, %1" : "=r"(*g0), "=r"(*g1));
}

/* The registers of a blob process: nothing here competes with the segments. */
static inline void
md_lseg_blob_regs(regs_t *r)
{
	(void)r;
}

/*
 * The blob: what runs in a process made without MAKECXT_COPY_CONTEXT
 * (only the pages it was given).  ARG0 = a descriptor, ARG1 = "read GS".
 * It writes 32 bytes, the words at FS+0, FS+8, GS+0, GS+8 (zeros for GS
 * when not asked), then exits with 0.
 */
extern char lseg_blob[];
__asm__(
"	.text\n"
"	.globl lseg_blob\n"
"lseg_blob:\n"
"	sub $32, %rsp\n"
"	mov %fs:0, %rax\n"
"	mov %rax, 0(%rsp)\n"
"	mov %fs:8, %rax\n"
"	mov %rax, 8(%rsp)\n"
"	movq $0, 16(%rsp)\n"
"	movq $0, 24(%rsp)\n"
"	test %rsi, %rsi\n"
"	jz 1f\n"
"	mov %gs:0, %rax\n"
"	mov %rax, 16(%rsp)\n"
"	mov %gs:8, %rax\n"
"	mov %rax, 24(%rsp)\n"
"1:	mov %rsp, %rsi\n"
"	mov $32, %edx\n"
"	mov $" XSTR(SYS_write) ", %eax\n"
"	syscall\n"
"	xor %edi, %edi\n"
"	mov $" XSTR(SYS_exit) ", %eax\n"
"	syscall\n"
"	ud2\n");

#endif
