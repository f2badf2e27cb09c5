/*
 * Trap handling in C: user traps (system calls, faults, interrupts), the
 * way back to user mode (md_userret) and kernel traps (interrupts;
 * anything else is a kernel bug).
 */
#include "riscv.h"
#include "systm.h"
#include "proc.h"
#include "vm.h"

/* trapvec.S addresses these fields by number. */
_Static_assert(__builtin_offsetof(struct trapframe, ra) == TF_RA, "tf ra");
_Static_assert(__builtin_offsetof(struct trapframe, sp) == TF_SP, "tf sp");
_Static_assert(__builtin_offsetof(struct trapframe, tp) == TF_TP, "tf tp");
_Static_assert(__builtin_offsetof(struct trapframe, t6) == 30 * 8, "tf t6");
_Static_assert(__builtin_offsetof(struct trapframe, sepc) == TF_SEPC, "tf sepc");
_Static_assert(__builtin_offsetof(struct trapframe, sstatus) == TF_SSTATUS, "tf sstatus");
_Static_assert(__builtin_offsetof(struct trapframe, scause) == TF_SCAUSE, "tf scause");
_Static_assert(__builtin_offsetof(struct trapframe, stval) == TF_STVAL, "tf stval");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "tf size");
_Static_assert(__builtin_offsetof(struct mdcpu, md_scratch) == MDCPU_SCRATCH, "scratch");
_Static_assert(__builtin_offsetof(struct mdcpu, md_utf) == MDCPU_UTF, "utf");
_Static_assert(__builtin_offsetof(struct mdcpu, md_estack) == MDCPU_ESTACK, "estack");
_Static_assert(__builtin_offsetof(struct mdcpu, md_cpu) == MDCPU_CPU, "md_cpu (curcpu)");
_Static_assert((1UL << KSTACK_SHIFT) == KSTACK_SIZE, "KSTACK_SHIFT (machine/md.h) and KSTACK_SIZE disagree");
_Static_assert(sizeof(struct md_context) == 14 * 8, "md_context");

void	user_trap(struct trapframe *tf);
void	kernel_trap(struct trapframe *tf);

void
trap_init_cpu(void)
{
	csr_write(stvec, (vaddr_t)trap_vector);	/* direct mode: low bits 0 */
	csr_set(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
}

static const char *
exception_name(unsigned long cause)
{
	static const char *const names[] = {
		[EXC_INST_MISALIGNED] = "instruction address misaligned",
		[EXC_INST_ACCESS] = "instruction access fault",
		[EXC_ILLEGAL] = "illegal instruction",
		[EXC_BREAKPOINT] = "breakpoint",
		[EXC_LOAD_MISALIGNED] = "load address misaligned",
		[EXC_LOAD_ACCESS] = "load access fault",
		[EXC_STORE_MISALIGNED] = "store address misaligned",
		[EXC_STORE_ACCESS] = "store access fault",
		[EXC_ECALL_U] = "ecall from user mode",
		[9] = "ecall from supervisor mode",
		[EXC_INST_PAGE_FAULT] = "instruction page fault",
		[EXC_LOAD_PAGE_FAULT] = "load page fault",
		[EXC_STORE_PAGE_FAULT] = "store page fault",
	};

	if (cause < nitems(names) && names[cause] != NULL)
		return names[cause];
	return "unknown exception";
}

/*
 * An interrupt, from either mode, with interrupts off.  Returns 1 for a
 * timer tick (the caller decides whether to preempt).
 */
static int
device_intr(unsigned long irq)
{
	switch (irq) {
	case IRQ_S_TIMER:
		clock_intr();
		return 1;
	case IRQ_S_EXT:
		md_external_intr();
		return 0;
	case IRQ_S_SOFT:
		md_ipi();
		return 0;
	default:
		printf("riscv: unexpected interrupt %lu\n", irq);
		return 0;
	}
}

/*
 * A synchronous exception in user mode other than ecall.  The three page
 * faults go to the VM (trap_user_fault), with the access their cause
 * names; everything else is a signal (trap_user_signal), as in OpenBSD's
 * riscv64 trap.c.  The words are the kill message's: "pid 5 (prog): page
 * fault (write) at 0x0 pc 0x400123 -- killed".
 *   - An access fault is the physical side refusing (PMP, or no memory
 *     or device there): SIGBUS, BUS_ADRERR.  A page fault is the MMU.
 *   - Misaligned loads and stores that OpenSBI does not emulate for us
 *     (atomics: lr/sc/amo*) arrive here: SIGBUS, BUS_ADRALN.
 *   - An illegal instruction includes a privileged one used in user mode
 *     (sret, csrw sstatus): the cause does not tell them apart.
 */
static const struct user_trap {
	int		sig;
	int		code;
	const char	*what;
} user_traps[] = {
	[EXC_INST_MISALIGNED] =	{ SIGBUS, BUS_ADRALN, "misaligned access (exec)" },
	[EXC_INST_ACCESS] =	{ SIGBUS, BUS_ADRERR, "access fault (exec)" },
	[EXC_ILLEGAL] =		{ SIGILL, ILL_ILLOPC, "illegal instruction" },
	[EXC_BREAKPOINT] =	{ SIGTRAP, TRAP_BRKPT, "breakpoint" },
	[EXC_LOAD_MISALIGNED] =	{ SIGBUS, BUS_ADRALN, "misaligned access (read)" },
	[EXC_LOAD_ACCESS] =	{ SIGBUS, BUS_ADRERR, "access fault (read)" },
	[EXC_STORE_MISALIGNED] = { SIGBUS, BUS_ADRALN, "misaligned access (write)" },
	[EXC_STORE_ACCESS] =	{ SIGBUS, BUS_ADRERR, "access fault (write)" },
};

static void
user_exception(struct trapframe *tf, unsigned long cause)
{
	const struct user_trap *t;

	switch (cause) {
	case EXC_LOAD_PAGE_FAULT:
		trap_user_fault(tf, "page fault (read)", tf->stval, VM_PROT_READ);
		return;
	case EXC_STORE_PAGE_FAULT:
		trap_user_fault(tf, "page fault (write)", tf->stval, VM_PROT_WRITE);
		return;
	case EXC_INST_PAGE_FAULT:
		trap_user_fault(tf, "page fault (exec)", tf->stval, VM_PROT_EXEC);
		return;
	}
	if (cause < nitems(user_traps) && user_traps[cause].sig != 0) {
		t = &user_traps[cause];
		/* stval: the address for a memory cause; the pc for the others. */
		trap_user_signal(tf, t->sig, t->code, t->what,
		    t->sig == SIGBUS ? tf->stval : tf->sepc);
	} else {
		/* Not something a user program can cause (ecall from S, a reserved cause). */
		trap_user_signal(tf, SIGSEGV, SI_USER, exception_name(cause), tf->sepc);
	}
}

/*
 * Return to user mode with p's trap frame.  sstatus is rebuilt here from
 * the current value, so nothing in the frame can give user mode S-mode
 * (SPP), SUM, MXR, big-endian data (UBE), FPU or vector state: SPP = 0
 * (user), SPIE = 1 (interrupts on after sret).
 *
 * sepc may come from user mode (sigreturn, PT_SETREGS, makecxt).  sret
 * to a kernel-half or non-canonical address would fault at once in user
 * mode, and an odd one is rounded down by the hardware (IALIGN 16): both
 * harmless to the kernel, but the program would run somewhere it did not
 * name, or fault with a confusing address.  Refuse them here, in the
 * program's name, exactly as a jump there would: SIGSEGV (a handler may
 * take it), and look again, since the handler's frame has its own pc.
 */
static int
user_pc_ok(register_t pc)
{
	return (vaddr_t)pc < USER_TOP && (pc & 1) == 0;
}

/* Out of line: the common return, with a good pc, then saves fewer registers. */
static __attribute__((noinline)) void
refuse_user_pc(struct proc *p, struct trapframe *tf)
{
	while (!user_pc_ok(tf->sepc)) {
		trapsignal(p, SIGSEGV, SEGV_MAPERR,
		    (tf->sepc & 1) ? "misaligned pc" : "pc outside user space", (vaddr_t)tf->sepc);
		userret(p);
	}
}

void
md_userret(struct proc *p)
{
	struct trapframe *tf = p->p_md.md_tf;
	struct mdcpu *m;
	unsigned long s;

	if (!user_pc_ok(tf->sepc))
		refuse_user_pc(p, tf);
	intr_disable();
	m = md_self();
	if (p->p_vmspace != NULL && m->md_pmap != p->p_vmspace->vm_pmap)
		pmap_activate(p);
	m->md_utf = tf;
	s = csr_read(sstatus);
	s &= ~(SSTATUS_SPP | SSTATUS_SIE | SSTATUS_SUM | SSTATUS_MXR | SSTATUS_UBE |
	    SSTATUS_FS | SSTATUS_VS);
	s |= SSTATUS_SPIE;
	tf->sstatus = s;
	trap_return_user(tf);
}

/* From trapvec.S, for every trap taken in user mode.  Interrupts are off. */
void
user_trap(struct trapframe *tf)
{
	struct proc *p = curcpu()->ci_curproc;
	unsigned long cause = tf->scause;

	if (cause & SCAUSE_INTR) {
		if (device_intr(cause & ~SCAUSE_INTR))
			sched_yield();		/* a tick: let others run */
	} else if (cause == EXC_ECALL_U) {
		tf->sepc += 4;			/* resume after the ecall */
		intr_enable();
		syscall(p, tf);
	} else {
		intr_enable();
		user_exception(tf, cause);
	}
	userret(p);
	md_userret(p);
}

void
md_print_trapframe(struct trapframe *tf)
{
	static const char *const names[32] = {
		"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2",
		"s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5",
		"a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7",
		"s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
	};
	const register_t *r = &tf->ra;
	int i;

	printf(" sepc 0x%016lx sstatus 0x%016lx\n", (unsigned long)tf->sepc,
	    (unsigned long)tf->sstatus);
	printf(" scause 0x%016lx stval 0x%016lx\n", (unsigned long)tf->scause,
	    (unsigned long)tf->stval);
	for (i = 1; i < 32; i++)
		printf(" %3s 0x%016lx%s", names[i], (unsigned long)r[i - 1],
		    i % 3 == 0 ? "\n" : "");
	printf("\n");
}

/* From trapvec.S, for every trap taken in the kernel. */
void
kernel_trap(struct trapframe *tf)
{
	unsigned long cause = tf->scause;
	struct cpu *ci;

	if (cause & SCAUSE_INTR) {
		if (device_intr(cause & ~SCAUSE_INTR)) {
			/*
			 * Preempt the running process on a tick.  Interrupts
			 * were on (or we would not be here), so no spin lock
			 * is held.  The scheduler itself (no curproc) is not
			 * preempted.
			 */
			ci = curcpu();
			if (ci->ci_curproc != NULL && (tf->sstatus & SSTATUS_SPIE))
				sched_yield();
		}
		intr_disable();
		return;
	}

	/* An exception in the kernel is a bug. */
	if (cause == EXC_LOAD_PAGE_FAULT || cause == EXC_STORE_PAGE_FAULT)
		kstack_overflow(tf->stval, tf->sp, tf->sepc);
	printf("kernel trap on CPU %d: %s\n", cpu_number(), exception_name(cause));
	md_print_trapframe(tf);
	panic("%s at pc 0x%lx (scause 0x%lx stval 0x%lx)", exception_name(cause),
	    (unsigned long)tf->sepc, cause, (unsigned long)tf->stval);
}

/*
 * trapvec.S comes here, on this CPU's md_estack, when a trap in the
 * kernel found its stack pointer in a guard page: pushing the trap frame
 * would fault again, and again, for ever.
 */
void kstack_overflow_trap(vaddr_t sp, vaddr_t pc, vaddr_t stval);
void
kstack_overflow_trap(vaddr_t sp, vaddr_t pc, vaddr_t stval)
{
	kstack_overflow(sp, sp, pc);
	panic("kstack_overflow_trap: sp 0x%lx is not in a guard (stval 0x%lx)", sp, stval);
}

/* A kernel thread's function returned (switch.S): that is a bug. */
void fork_func_returned(void);
void
fork_func_returned(void)
{
	panic("kernel thread function returned");
}
