/*
 * trap.c: the IDT and the C half of every trap, interrupt and syscall.
 *
 * From user mode: exceptions become trap_user_fault() (kern decides:
 * resolve the fault, or kill the process); after any trap kern's
 * userret() runs, then we return with iretq (trapentry.S).
 * From kernel mode: an exception is a kernel bug and panics with the
 * registers and a backtrace.
 *
 * Preemption: after clockintr() the timer handler calls sched_yield()
 * when a process is running here and the interrupted code could be
 * interrupted (user mode, or kernel mode with interrupts enabled, which
 * means no spin lock was held).  kern's userret() does the rest (kill).
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "x86.h"

struct gate {
	uint16_t	off_lo;
	uint16_t	sel;
	uint8_t		ist;
	uint8_t		type;		/* P | DPL | 0xe (64-bit interrupt gate) */
	uint16_t	off_mid;
	uint32_t	off_hi;
	uint32_t	zero;
} __attribute__((packed));

static struct gate idt[256] __attribute__((aligned(16)));
extern char vectors[];			/* trapentry.S: 16 bytes per vector */
extern void nmi_entry(void);
void	trapret_to(struct trapframe *tf) __attribute__((noreturn));

static void
set_gate(int n, void *handler, int ist, int dpl)
{
	uint64_t a = (uint64_t)handler;

	idt[n].off_lo = a & 0xffff;
	idt[n].sel = GSEL_KCODE;
	idt[n].ist = ist;
	idt[n].type = 0x8e | (dpl << 5);
	idt[n].off_mid = (a >> 16) & 0xffff;
	idt[n].off_hi = a >> 32;
	idt[n].zero = 0;
}

/*
 * All interrupt gates (interrupts off on entry).  int3 and into may be
 * used by user programs (DPL 3); every other vector from user mode with
 * "int $n" is a general protection fault.  The double fault runs on IST
 * stack 1 (the kernel stack may be what overflowed), NMIs on IST 2.
 */
void
idt_init(void)
{
	int i;

	for (i = 0; i < 256; i++)
		set_gate(i, vectors + 16 * i, 0, 0);
	set_gate(T_BPT, vectors + 16 * T_BPT, 0, 3);
	set_gate(T_OFLOW, vectors + 16 * T_OFLOW, 0, 3);
	set_gate(T_DOUBLEFLT, vectors + 16 * T_DOUBLEFLT, 1, 0);
	set_gate(T_NMI, nmi_entry, 2, 0);
}

void
idt_load(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) d = {
		sizeof(idt) - 1, (uint64_t)idt };

	if (idt[0].sel == 0)
		idt_init();
	__asm__ volatile("lidt %0" : : "m"(d));
}

static const char *const exception_names[32] = {
	"divide error", "debug exception", "NMI", "breakpoint",
	"overflow", "bound range exceeded", "invalid opcode", "device not available",
	"double fault", "coprocessor segment overrun", "invalid TSS", "segment not present",
	"stack fault", "general protection fault", "page fault", "reserved exception 15",
	"x87 floating-point error", "alignment check", "machine check", "SIMD floating-point exception",
	"virtualization exception", "control protection exception", "reserved exception 22", "reserved exception 23",
	"reserved exception 24", "reserved exception 25", "reserved exception 26", "reserved exception 27",
	"hypervisor injection exception", "VMM communication exception", "security exception", "reserved exception 31",
};

/* ---- user FS/GS bases ---------------------------------------------------- */
/*
 * On entry from user mode the user's GS base has just been swapped into
 * MSR_KERNEL_GS_BASE; its FS base is still live.  Both go into the trap
 * frame, and come back from it just before the return to user mode.
 */
static void
save_user_bases(struct trapframe *tf)
{
	tf->tf_fsbase = rdmsr(MSR_FS_BASE);
	tf->tf_gsbase = rdmsr(MSR_KERNEL_GS_BASE);
}

/*
 * The kernel never trusts a GS base that user mode could have written.
 * With CR4.FSGSBASE a user program may wrgsbase any canonical value,
 * kernel addresses included, at any time; without it, it can still load a
 * selector into %gs.  Either way it changes only the GS base that is live
 * in user mode, and the kernel finds its own (this CPU's struct mdcpu)
 * only after a swapgs.  So every path into the kernel must know for sure
 * whether to swapgs:
 *
 *   - syscall_entry comes only from user mode: swapgs is its first
 *     instruction, and until then no interrupt can come (MSR_FMASK
 *     clears IF; TF too, so no debug trap);
 *   - alltraps looks at the saved CS: only a trap from user mode swaps;
 *     trapret swaps back with interrupts off, and the iretq after it
 *     cannot fault (prepare_user_return forced user selectors and checked
 *     that rip, rsp and both bases are canonical), so no kernel-mode trap
 *     ever starts with the user's GS base live;
 *   - an NMI can arrive anywhere, even between those swapgs and iretq:
 *     nmi_entry never touches %gs, it finds its CPU by local APIC id.
 *
 * The user's value itself is only ever stored (tf_gsbase) and given back.
 * As a last line, a kernel-mode exception (a bug: we are about to panic,
 * and panic() uses curcpu()) checks the live GS base against the one
 * this CPU must have, found without %gs, and repairs it first.
 */
static void
kernel_gs_repair(void)
{
	uint32_t id = lapic_id();

	for (int i = 0; i < ncpu; i++) {
		if (cpu_apicids[i] != id)
			continue;
		if (rdmsr(MSR_GS_BASE) != (uint64_t)&cpus[i].ci_md) {
			wrmsr(MSR_GS_BASE, (uint64_t)&cpus[i].ci_md);
			printf("trap: kernel-mode trap with a foreign GS base, repaired\n");
		}
		return;
	}
}

static int
canonical(uint64_t a)
{
	return a < 0x0000800000000000UL || a >= 0xffff800000000000UL;
}

/*
 * Last step before trapret: interrupts off for good, a frame the
 * hardware will accept.  kern code (exec, makecxt, ptrace) may have
 * changed pc and sp: iretq to a non-canonical address would fault in
 * ring 0, so such a process gets a general protection fault instead.
 */
static void
prepare_user_return(struct trapframe *tf)
{
	for (;;) {
		__asm__ volatile("cli");
		if (canonical(tf->tf_rip) && canonical(tf->tf_rsp) &&
		    canonical(tf->tf_fsbase) && canonical(tf->tf_gsbase))
			break;
		intr_enable();
		/* Nothing can be mapped at a non-canonical address. */
		trap_user_signal(tf, SIGSEGV, SEGV_MAPERR, "general protection fault", tf->tf_rip);
		userret(curproc());
	}
	tf->tf_cs = GSEL_UCODE | SEL_UPL;
	tf->tf_ss = GSEL_UDATA | SEL_UPL;
	tf->tf_rflags = (tf->tf_rflags & PSL_USERCHANGE) | PSL_I | PSL_MBO;
	wrmsr(MSR_FS_BASE, tf->tf_fsbase);
	wrmsr(MSR_KERNEL_GS_BASE, tf->tf_gsbase);	/* swapgs makes it the GS base */
}

void
md_userret(struct proc *p)
{
	struct trapframe *tf = p->p_md.md_tf;

	prepare_user_return(tf);
	trapret_to(tf);
}

/* ---- kernel faults --------------------------------------------------------- */
/*
 * A trap in kernel mode is a kernel bug: panic with the registers in the
 * message.  kern's panic() prints it, then calls md_backtrace(), which
 * starts from the faulting frame recorded here (so #0 is the faulting
 * pc), stops the other CPUs and powers off with status 1.
 */
static struct trapframe *fault_frame[MAXCPUS];

static void
kernel_fault(struct trapframe *tf)
{
	int n = tf->tf_trapno;

	fault_frame[cpu_number()] = tf;
	/*
	 * A kernel stack that ran into its guard page (kern/proc.c): the
	 * page fault could not even push its frame there, so it became a
	 * double fault, which runs on its own stack (IST 1).  CR2 still
	 * holds the address of the page fault.
	 */
	if (n == T_PAGEFLT || n == T_DOUBLEFLT)
		kstack_overflow(rcr2(), tf->tf_rsp, tf->tf_rip);
	panic("%s at pc 0x%lx (trap %d err 0x%lx cr2 0x%lx)\n"
	    "rax %016lx rbx %016lx rcx %016lx rdx %016lx\n"
	    "rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n"
	    "r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n"
	    "r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n"
	    "rflags %08lx cs %lx ss %lx cr3 %lx",
	    n < 32 ? exception_names[n] : "unexpected trap", tf->tf_rip, n, tf->tf_err, rcr2(),
	    tf->tf_rax, tf->tf_rbx, tf->tf_rcx, tf->tf_rdx,
	    tf->tf_rsi, tf->tf_rdi, tf->tf_rbp, tf->tf_rsp,
	    tf->tf_r8, tf->tf_r9, tf->tf_r10, tf->tf_r11,
	    tf->tf_r12, tf->tf_r13, tf->tf_r14, tf->tf_r15,
	    tf->tf_rflags, tf->tf_cs, tf->tf_ss, rcr3());
}

/* md_backtrace() (machdep.c): the faulting frame, if this CPU has one. */
struct trapframe *
md_fault_frame(void)
{
	return fault_frame[cpu_number()];
}

/* ---- user exceptions --------------------------------------------------- */
/*
 * What an exception in user mode means to the process: its signal, the
 * code saying why (<aqua/signal.h>), and the words of the kill message.
 * Only page faults go to the VM (trap_user_fault); everything else is a
 * signal (trap_user_signal), as in OpenBSD's amd64 trap.c.
 *   - #GP has no finer cause to give: a privileged instruction (hlt,
 *     cli, in, out) and a non-canonical address look the same (error
 *     code 0), so it is SIGSEGV without a code, as on OpenBSD and Linux.
 *   - #NP, #SS and #TS come from loading a bad segment selector: SIGBUS.
 *   - A vector missing here (NMI, double fault, machine check, the
 *     reserved ones) is not something a user program can cause: "int $n"
 *     from user mode is a #GP except for the DPL 3 gates (int3, int $4).
 */
static const struct user_trap {
	int		sig;
	int		code;
	const char	*what;
} user_traps[32] = {
	[T_DIVIDE] =	{ SIGFPE, FPE_INTDIV, "integer divide error" },
	[T_TRCTRAP] =	{ SIGTRAP, TRAP_TRACE, "trace trap" },
	[T_BPT] =	{ SIGTRAP, TRAP_BRKPT, "breakpoint" },
	[T_OFLOW] =	{ SIGFPE, FPE_INTOVF, "overflow trap" },
	[T_PRIVINFLT] =	{ SIGILL, ILL_ILLOPC, "illegal instruction" },
	[T_TSSFLT] =	{ SIGBUS, BUS_OBJERR, "invalid TSS" },
	[T_SEGNPFLT] =	{ SIGBUS, BUS_OBJERR, "segment not present" },
	[T_STKFLT] =	{ SIGBUS, BUS_OBJERR, "stack segment fault" },
	[T_PROTFLT] =	{ SIGSEGV, SI_USER, "general protection fault" },
	[T_ARITHTRAP] =	{ SIGFPE, 0, "x87 floating-point exception" },
	[T_ALIGNFLT] =	{ SIGBUS, BUS_ADRALN, "alignment check" },
	[T_XMM] =	{ SIGFPE, 0, "SSE floating-point exception" },
};

/*
 * The code of an unmasked floating-point exception: the first flag that
 * is raised and not masked.  The kernel never uses the FPU, so the
 * registers still hold the process's state.
 */
static int
fpe_code(int n)
{
	static const struct { int flag, code; } order[] = {
		{ FPX_IE, FPE_FLTINV }, { FPX_ZE, FPE_FLTDIV }, { FPX_DE, FPE_FLTSUB },
		{ FPX_OE, FPE_FLTOVF }, { FPX_UE, FPE_FLTUND }, { FPX_PE, FPE_FLTRES },
	};
	uint32_t flags, masks;

	if (n == T_XMM) {
		uint32_t mxcsr;
		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
		flags = mxcsr;
		masks = mxcsr >> MXCSR_MASK_SHIFT;
	} else {
		uint16_t sw, cw;
		__asm__ volatile("fnstsw %0; fnstcw %1" : "=m"(sw), "=m"(cw));
		flags = sw;
		masks = cw;		/* x87: the control word's bits 0-5 mask them */
	}
	for (unsigned i = 0; i < nitems(order); i++)
		if ((flags & order[i].flag) && !(masks & order[i].flag))
			return order[i].code;
	return SI_USER;
}

static void
user_exception(struct trapframe *tf)
{
	int n = tf->tf_trapno;
	const struct user_trap *t = &user_traps[n];
	int code;

	if (n == T_PAGEFLT) {
		/* The error code says what the access was, as RISC-V's three causes do. */
		vaddr_t addr = rcr2();
		intr_enable();
		if (tf->tf_err & PGEX_I)
			trap_user_fault(tf, "page fault (exec)", addr, VM_PROT_EXEC);
		else if (tf->tf_err & PGEX_W)
			trap_user_fault(tf, "page fault (write)", addr, VM_PROT_WRITE);
		else
			trap_user_fault(tf, "page fault (read)", addr, VM_PROT_READ);
		return;
	}
	if (t->sig == 0) {
		/* Not something a user program can cause (NMI, a machine check, ...). */
		intr_enable();
		trap_user_signal(tf, SIGSEGV, SI_USER, exception_names[n], tf->tf_rip);
		return;
	}
	code = (n == T_XMM || n == T_ARITHTRAP) ? fpe_code(n) : t->code;
	intr_enable();
	trap_user_signal(tf, t->sig, code, t->what, tf->tf_rip);
}

void
trap(struct trapframe *tf)
{
	int user = (tf->tf_cs & 3) != 0;
	int n = tf->tf_trapno;
	struct proc *p;

	if (user)
		save_user_bases(tf);
	if (n < 32) {
		if (!user) {
			kernel_gs_repair();
			kernel_fault(tf);
		}
		user_exception(tf);
	} else if (n == T_LAPIC_TIMER) {
		lapic_eoi();
		clockintr();
		if (curproc() != NULL && !panicking && (user || (tf->tf_rflags & PSL_I)))
			sched_yield();
	} else if (n == T_IRQ0 + 4) {
		uart_intr();
		lapic_eoi();
	} else if (n == T_VIRTIO) {
		virtio_pci_intr();
		lapic_eoi();
	} else if (n == T_SPURIOUS) {
		/* no EOI for the spurious vector */
	} else {
		printf("trap: unexpected interrupt %d on cpu %d\n", n, cpu_number());
		lapic_eoi();
	}
	if (user) {
		p = curproc();
		intr_enable();
		userret(p);
		prepare_user_return(tf);
	}
}

/* The C side of syscall_entry (trapentry.S); interrupts are off. */
void
syscall_trap(struct trapframe *tf)
{
	struct proc *p = curcpu()->ci_curproc;	/* interrupts off: we cannot move */

	save_user_bases(tf);
	intr_enable();
	syscall(p, tf);
	userret(p);
	prepare_user_return(tf);
}

/*
 * NMIs are our "stop now" (cpu_halt_others, during a panic) and TLB
 * shootdown (pmap.c) messages; both must work even when the target has
 * interrupts off.
 */
void
nmi_handler(void)
{
	if (cpus_halting)
		for (;;)
			__asm__ volatile("cli; hlt");
	tlb_shootdown_nmi();
}

