/*
 * md.h: the machine-dependent interface.
 *
 * This is the only header through which kern/ sees a port.  A port lives in
 * arch/<name>/ and provides:
 *   <machine/types.h>  register_t, vaddr_t, paddr_t, PAGE_SIZE, USER_TOP
 *                      and the sized integer types;
 *   <machine/md.h>     struct trapframe and its inline tf_* accessors,
 *                      struct md_context, struct mdproc, struct mdcpu,
 *                      PHYS_TO_KVA / KVA_TO_PHYS, MD_ARCH_NAME;
 *   and the functions declared below.
 * The names follow OpenBSD where it has one (pmap_*, cpu_fork, setregs,
 * sendsig, process_read_regs, process_sstep, cpu_configure, cnputc,
 * cpu_number, intr_disable/intr_restore, curcpu, cpu_switchto), so
 * students meet words they will see again; md_* marks the rest.  docs/ARCHITECTURE.md documents each function and
 * compares how the two ports implement it.
 */
#ifndef KERN_MD_H
#define KERN_MD_H

#include "types.h"
#include <machine/md.h>

/*
 * Per-CPU data.  The portable part is here; the port keeps what only it
 * needs (TSS, GDT, scratch space for trap entry) in struct mdcpu.
 */
struct cpu {
	int		ci_cpuid;	/* 0 .. ncpu-1 */
	struct proc	*ci_curproc;	/* process running here, or NULL */
	struct md_context *ci_schedctx;	/* scheduler's saved context */
	int		ci_noff;	/* depth of nested intr_push() */
	register_t	ci_intrsave;	/* interrupt state before the outermost push */
	volatile int	ci_started;	/* set once the CPU is in the scheduler */
	unsigned long	ci_ticks;	/* timer ticks seen by this CPU */
	struct mdcpu	ci_md;		/* the port's own per-CPU state */
};

extern struct cpu cpus[];		/* indexed by ci_cpuid */
extern int ncpu;			/* CPUs found (set by the port at boot) */

/* ---- CPU and interrupts ------------------------------------------------ */
/*
 * Inline in <machine/md.h>, because every lock and system call uses them:
 *	struct cpu *curcpu(void);	this CPU (interrupts must be off or preemption harmless)
 *	register_t intr_disable(void);	disable interrupts, return the old state
 *	void	intr_restore(register_t s);	turn them back on if s says they were
 *	void	intr_enable(void);	enable interrupts
 *	int	intr_enabled(void);	are interrupts on?
 *	void	cpu_busy_cycle(void);	one turn of a spin-wait loop (lets the CPU waited for run)
 */
int	cpu_number(void);		/* curcpu()->ci_cpuid */
void	cpu_idle(void);			/* wait for an interrupt (interrupts enabled) */
void	cpu_boot_secondary_processors(void); /* start the other CPUs; each calls kern_main_ap() */
void	cpu_halt_others(void);		/* stop every other CPU (used by panic) */
__attribute__((noreturn)) void md_poweroff(int status);	/* end QEMU with status (see port) */
void	md_backtrace(void);		/* print return addresses of the current kernel stack */
const char *md_bootargs(void);		/* the kernel command line ("" if none) */

/* ---- time -------------------------------------------------------------- */
uint64_t md_nanotime(void);		/* monotonic nanoseconds since boot */
/* The port calls clockintr() on every CPU HZ times a second (kern/clock.c). */

/* ---- console ----------------------------------------------------------- */
void	cnputc(int c);			/* write one byte to the console UART (spins) */
/* The UART interrupt handler calls consintr(c) for each received byte. */

/* ---- address spaces (pmap) --------------------------------------------- */
/*
 * One contract for both ports; kern/ktest/ktest.c's "pmap" group checks it.
 *
 * prot is a set of VM_PROT_* bits, taken as given: pmap_enter and
 *   pmap_protect give a page exactly that access, VM_PROT_USER included
 *   (without it the page is the kernel's only), and keep no bit of the
 *   old mapping.  One hardware rule on top: WRITE or EXEC implies READ
 *   (x86 has no unreadable page, RISC-V reserves W without R), so every
 *   mapping is readable and pmap_extract reports VM_PROT_READ.  (x86_64
 *   without NX cannot refuse EXEC; QEMU's CPU has NX.)
 * Addresses: va, sva, eva and pa are page aligned, user ranges lie in
 *   [0, USER_TOP).  Only pmap_extract takes any va.  Both ports KASSERT
 *   the preconditions with the PMAP_ASSERT_* macros below.
 * TLBs are the pmap's job: when pmap_enter, pmap_remove or pmap_protect
 *   returns, no CPU can still use a translation it removed or weakened.
 *   Callers never flush.
 * Pages are the caller's: the pmap takes no page reference (page.h) and
 *   frees no mapped page, only its own table pages -- except for shared
 *   page tables (below).  No pmap_* sleeps.
 */
#define VM_PROT_READ	0x1		/* PROT_* from <aqua/mman.h> agree */
#define VM_PROT_WRITE	0x2
#define VM_PROT_EXEC	0x4
#define VM_PROT_USER	0x8		/* user-accessible; absent = kernel only */
#define VM_PROT_ALL	(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXEC)

/*
 * pmap_create: a new user address space; the kernel half is shared.
 * => maps no user page, pmap_table_count() is 0; NULL when memory is out
 */
struct pmap *pmap_create(void);
/*
 * pmap_destroy: free pm's table pages and pm.
 * => no thread runs on pm any more (a CPU may still have it loaded: the
 *    port switches away from it or frees it when the last CPU leaves)
 * => pages still mapped are not touched: their references are the caller's
 */
void	pmap_destroy(struct pmap *pm);
/*
 * pmap_enter: map va to the page pa with prot, replacing va's old mapping.
 * => va < USER_TOP; va and pa page aligned; prot has some of VM_PROT_ALL
 * => 0, or ENOMEM (no table page, or pm holds vm_pt_limit() of them),
 *    possible only when va was unmapped; nothing is left allocated then
 */
int	pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, int prot);
/*
 * pmap_remove: unmap every mapped page in [sva, eva).
 * => sva <= eva <= USER_TOP, both page aligned; unmapped pages are skipped
 * => table pages left empty are freed at once
 */
void	pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva);
/*
 * pmap_protect: give every mapped page in [sva, eva) exactly prot: it may
 * add or drop WRITE, EXEC and USER (copy-on-write passes prot without
 * WRITE, but with VM_PROT_USER, or the page becomes the kernel's).
 * => the range as for pmap_remove; unmapped pages stay unmapped
 * => prot with nothing of VM_PROT_ALL (USER alone, say) is pmap_remove
 */
void	pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, int prot);
/*
 * pmap_extract: look va up (any byte of a page).
 * => 1 if mapped: *pap = the page's frame plus va's offset in it, *protp
 *    = its VM_PROT_* bits, READ always; either pointer may be NULL
 * => 0 if not mapped or va >= USER_TOP, *pap and *protp untouched
 */
int	pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pap, int *protp);
/*
 * pmap_next: the first mapped page in [*vap, eva).
 * => the range as for pmap_remove
 * => 1 with *vap set to that page, or 0 with *vap unchanged
 * => holes cost one step per missing page table, so a walk over a huge,
 *    mostly unmapped range costs what is mapped, not its length
 */
int	pmap_next(struct pmap *pm, vaddr_t *vap, vaddr_t eva);
/*
 * pmap_extract_range: the mapped pages of [*vap, eva), a batch at a time.
 * => the range as for pmap_remove; max > 0
 * => fills m[0..n) with the first n mapped pages at or after *vap, in
 *    address order (pa the frame, prot as pmap_extract reports it), n at
 *    most max and all from one page table; *vap is then past the last
 *    page looked at, so the next call goes on from there.  0 when none
 *    is left.
 * => one lock and one walk from the root a batch, where pmap_next plus
 *    pmap_extract took two a page: fork, exit and unmap walk every
 *    mapped page with it (pmap_iter below).  As with pmap_extract, what
 *    it reports may change at once unless the caller keeps others from
 *    changing pm (vm_lock).
 */
struct pmap_mapping {
	vaddr_t	pm_va;
	paddr_t	pm_pa;
	int	pm_prot;
};
int	pmap_extract_range(struct pmap *pm, vaddr_t *vap, vaddr_t eva, struct pmap_mapping *m,
	    int max);

/*
 * pmap_enter_range: pmap_enter of m[0], m[1], ... m[n-1] (each as
 * pmap_enter takes it), under one lock, with one walk from the root per
 * page table instead of one a page: fork maps a batch of
 * pmap_extract_range's pages in the child at once.
 * => n >= 0; the entries are in address order
 * => how many it entered: n, or i < n when m[i] hit ENOMEM (as pmap_enter)
 */
int	pmap_enter_range(struct pmap *pm, const struct pmap_mapping *m, int n);

/*
 * pmap_iter: every mapped page of [sva, eva), one at a time, in address
 * order, on top of pmap_extract_range's batches:
 *
 *	pmap_iter_init(&it, pm, sva, eva);
 *	while (pmap_iter_next(&it, &va, &pa, &prot))
 *		... the page pa is mapped at va with prot ...
 *
 * pa is the page's frame (no offset to round off).  A batch is read
 * ahead: the caller must not change the rest of the range meanwhile.
 */
#define PMAP_ITER_BATCH	64
struct pmap_iter {
	struct pmap	*pi_pmap;
	vaddr_t		pi_va, pi_eva;	/* not looked at yet */
	int		pi_next, pi_n;	/* pi_m[pi_next..pi_n) are still to give */
	struct pmap_mapping pi_m[PMAP_ITER_BATCH];
};

static inline void
pmap_iter_init(struct pmap_iter *it, struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	it->pi_pmap = pm;
	it->pi_va = sva;
	it->pi_eva = eva;
	it->pi_next = it->pi_n = 0;
}

/* The next mapped page: 1 with *vap, *pap, *protp set (protp may be NULL), or 0. */
static inline int
pmap_iter_next(struct pmap_iter *it, vaddr_t *vap, paddr_t *pap, int *protp)
{
	if (it->pi_next == it->pi_n) {
		it->pi_next = 0;
		it->pi_n = it->pi_va < it->pi_eva ? pmap_extract_range(it->pi_pmap, &it->pi_va,
		    it->pi_eva, it->pi_m, PMAP_ITER_BATCH) : 0;
		if (it->pi_n == 0)
			return 0;
	}
	const struct pmap_mapping *m = &it->pi_m[it->pi_next++];
	*vap = m->pm_va;
	*pap = m->pm_pa;
	if (protp != NULL)
		*protp = m->pm_prot;
	return 1;
}
/*
 * pmap_table_count: page-table pages pm holds (the root not counted).
 * => pmap_enter adds what it needs; pmap_remove (and a pmap_protect that
 *    removes) frees what it leaves empty: with every page unmapped it is
 *    0 again.  pmap_enter fails with ENOMEM rather than hold more than
 *    vm_pt_limit() (kern/vm/vm.c).
 */
unsigned long pmap_table_count(struct pmap *pm);

/*
 * Shared page tables (kern/vm/vm.c says when).  fork
 * may give the child the parent's last-level page tables themselves, each
 * mapping PMAP_TABLE_SPAN bytes (<machine/types.h>), rather than copy
 * their entries.  A shared table holds no writable entry: reads go
 * through it, on every CPU, for every holder, and a write faults, so
 * vm_fault() makes the table private (pmap_unshare) before it resolves
 * the write copy-on-write.  (A RISC-V non-leaf entry has no permission
 * bits: a table cannot be made read-only through it, as x86 could with
 * PDE.RW, so it is its entries that are write-protected, once, by the
 * first pmap_share.)  The table page's reference count (page.h) counts
 * its holders, and while it is shared the pages it maps hold one
 * reference for all of them.
 *   pmap_extract looks through a shared table (no page there is writable);
 *   pmap_extract_range and pmap_next (so pmap_iter) skip it as a hole:
 *     they report what pm maps privately, the pages whose references its
 *     caller owns;
 *   pmap_enter and pmap_enter_range make the table private first, which
 *     may fail with ENOMEM; pmap_remove and pmap_protect must not meet
 *     one (pmap_unshare first; they panic), except that pmap_protect
 *     without VM_PROT_WRITE skips it (its pages are read-only already:
 *     fork's write protection of the parent);
 *   pmap_destroy lets go of pm's shared tables; the last holder of one
 *     drops the references of its pages, and frees it;
 *   pmap_table_count counts a shared table in each of its holders.
 */
/*
 * pmap_share: share each page table of src in [sva, eva) with dst.  The
 * first share of a table write-protects every page in it (and shoots
 * down src's TLBs); sharing it again costs no step per page.
 * => sva and eva are PMAP_TABLE_SPAN aligned, the range as for pmap_remove;
 *    src != dst
 * => dst has no table there, or shares the same one already (a no-op)
 * => 0 (also where src has no table), or ENOMEM (a table of dst's upper
 *    levels, or vm_pt_limit()); the tables of src it reached are shared
 *    either way
 */
int	pmap_share(struct pmap *src, struct pmap *dst, vaddr_t sva, vaddr_t eva);
/*
 * pmap_unshare: make every page table of pm in [sva, eva) private.  The
 * last holder of a shared table takes it back as it is; any other gets a
 * copy, which takes a reference on each page it maps (page_ref: the only
 * page references a pmap ever takes), and lets go of the shared one.
 * The pages stay write-protected: copy-on-write resolves each write.
 * => the range as for pmap_remove
 * => 0, or ENOMEM (no page for a copy; the tables before it are private)
 */
int	pmap_unshare(struct pmap *pm, vaddr_t sva, vaddr_t eva);
/*
 * pmap_table_shared: 0 if va's page table is not shared (or missing),
 * else how many address spaces hold it now (1: the others let go, and pm
 * takes it back at its next pmap_unshare).  For tests (kern/ktest).
 */
int	pmap_table_shared(struct pmap *pm, vaddr_t va);
/*
 * pmap_activate: run p on this CPU: load its address space (the kernel's
 * when it has no vmspace) and its kernel stack for traps.  p != NULL.
 * pmap_deactivate: switch this CPU to the kernel-only tables.
 */
void	pmap_activate(struct proc *p);
void	pmap_deactivate(void);
/*
 * Kernel stacks (kern/proc.c) live in [KSTACK_AREA, KSTACK_AREA +
 * KSTACK_AREA_SIZE), a range of the kernel half that the port sets aside
 * (machine/md.h) and whose page tables it shares with every address space.
 * pmap_kenter_pa maps one page there, for good; addresses left unmapped
 * are the guard pages under each stack.
 * => va a page of the area not mapped yet (else panic), pa page aligned
 * => prot is VM_PROT_READ, with or without WRITE: never EXEC or USER
 */
void	pmap_kenter_pa(vaddr_t va, paddr_t pa, int prot);

/*
 * The preconditions above, in the words both ports check them (each also
 * checks that pm is not its kernel pmap, which kern/ never sees).  The
 * checks of pmap_enter, pmap_next and the batch calls, which fork and
 * exit make once a page or a batch (and pmap_enter_range checks once an
 * entry), are KDASSERTs, in debug kernels only (make witness): they
 * alone made a big fork 2% slower.  The once-a-call checks stay on in every
 * kernel.
 */
#define PMAP_ASSERT_PROT(prot)							\
	KASSERT(((prot) & ~(VM_PROT_ALL | VM_PROT_USER)) == 0)
#define PMAP_ASSERT_ENTER(va, pa, prot) do {					\
	KDASSERT((va) < USER_TOP && (va) % PAGE_SIZE == 0 && (pa) % PAGE_SIZE == 0); \
	KDASSERT(((prot) & VM_PROT_ALL) != 0);					\
	KDASSERT(((prot) & ~(VM_PROT_ALL | VM_PROT_USER)) == 0);		\
} while (0)
#define PMAP_ASSERT_RANGE(sva, eva) do {					\
	KASSERT((sva) % PAGE_SIZE == 0 && (eva) % PAGE_SIZE == 0);		\
	KASSERT((sva) <= (eva) && (eva) <= USER_TOP);				\
} while (0)
/* The same for pmap_next, which a walk over mapped pages calls once a page. */
#define PMAP_DASSERT_RANGE(sva, eva)						\
	KDASSERT((sva) % PAGE_SIZE == 0 && (eva) % PAGE_SIZE == 0 && (sva) <= (eva) && (eva) <= USER_TOP)
#define PMAP_ASSERT_KENTER(pa, prot)						\
	KASSERT((pa) % PAGE_SIZE == 0 && ((prot) & ~(VM_PROT_READ | VM_PROT_WRITE)) == 0)

/* ---- contexts ------------------------------------------------------------ */
/*
 * cpu_fork: prepare p2's kernel stack so that the first cpu_switchto() to it
 * runs func(arg) in p2 (with interrupts enabled after the scheduler lock is
 * released: it calls fork_trampoline_entry() first).  When p1 has a user
 * trap frame it is copied to p2, so a child_return() can go back to user
 * space as a copy of p1.
 */
void	cpu_fork(struct proc *p1, struct proc *p2, void (*func)(void *), void *arg);
void	cpu_switchto(struct md_context **from, struct md_context *to);	/* save callee-saved regs */
__attribute__((noreturn)) void md_userret(struct proc *p); /* return to user space with p's trap frame */
void	setregs(struct proc *p, vaddr_t entry, vaddr_t sp, register_t arg0, register_t arg1); /* fresh user registers for exec */
/*
 * makecxt(2) (added by the makecxt stage; arch/<arch>/cxt_machdep.c): give
 * p, a new process that has not run yet (SIDL), the user registers *regs
 * (regs_t of <machine/regs.h>, <aqua/context.h>) instead of the copy of
 * its parent's frame that cpu_fork() made.  The port keeps what user mode
 * must not choose (privilege level, segments, interrupts enabled), sets
 * the FS/GS bases or thread pointer to 0 and resets the FPU state.
 */
struct aqua_regs;
void	md_set_user_regs(struct proc *p, const struct aqua_regs *regs);

/*
 * Thread-local storage (added by tls; arch/<arch>/cxt_machdep.c).
 * md_get_tcb / md_set_tcb: the user thread pointer of p, as saved in its
 *   trap frame (x86_64: the FS base; RISC-V: tp), for __get_tcb(2) and
 *   __set_tcb(2).  The caller has checked that tcb is a user address.
 * md_check_local_segment / md_set_local_segment: one entry of makecxt's
 *   segs_conf[] (stage local-segments).  check: 0 if the port can install
 *   segment seg (_AQUA_SEG_ES/FS/GS) with that base, else EINVAL; set:
 *   install it in p (SIDL, not running), after md_set_user_regs().
 */
vaddr_t	md_get_tcb(struct proc *p);
void	md_set_tcb(struct proc *p, vaddr_t tcb);
int	md_check_local_segment(int seg, unsigned long base);
void	md_set_local_segment(struct proc *p, int seg, unsigned long base);

/*
 * Trap-frame accessors: kern/ never looks inside struct trapframe.  They
 * are inline functions in <machine/md.h>, next to the struct, because
 * every system call uses them:
 *	register_t tf_syscall_number(struct trapframe *tf);
 *	register_t tf_syscall_arg(struct trapframe *tf, int n);	n = 0..5
 *	void	tf_set_retval(struct trapframe *tf, register_t v);
 *	vaddr_t	tf_pc(struct trapframe *tf);
 *	void	tf_set_pc(struct trapframe *tf, vaddr_t pc);
 */

/*
 * ELF machine number (added by core): <machine/md.h> defines MD_ELF_MACHINE
 * (62 = EM_X86_64, 243 = EM_RISCV); exec rejects other binaries.
 */

/*
 * ---- signals and tracing (added by signals/ptrace; kern/signal.c, kern/ptrace.c) ----
 * sendsig: p (the current process, on its way back to user mode) takes
 *   signal sig with a user handler.  Build a signal frame on its user stack
 *   (below the x86 red zone, aligned as the C ABI wants) holding every user
 *   register (x86: and the FPU/SSE state) and the blocked mask to restore;
 *   then set the trap frame so that user mode resumes in
 *   handler(sig, code, frame) (code: why a trap signal came, SI_USER else) with
 *   the trampoline tramp as its return address and the frame where the
 *   trampoline finds it.  0, or EFAULT if the stack cannot take the frame
 *   (kern then kills p with SIGSEGV).
 * md_sigreturn: sigreturn(2) from the trampoline: copy the frame at
 *   `frame' in, VALIDATE it (the user chose its bytes: x86 forces the user
 *   cs/ss and keeps only user-changeable rflags bits, RISC-V takes nothing
 *   from sstatus and md_userret forces SPP = user), load the registers and
 *   give back the saved mask in *maskp.  0 or EFAULT.
 * process_read_regs / process_write_regs: ptrace PT_GETREGS / PT_SETREGS
 *   (struct reg of <machine/reg.h>) on a stopped process; writing never
 *   grants privilege.
 * process_sstep(p, on, next): arm (on) or disarm a single step.  A port
 *   with a trace flag (x86 PSL_T) sets or clears it and returns 0.  A port
 *   without one (RISC-V) decodes the instruction at p's pc and returns the
 *   1 or 2 addresses where execution can go next in next[] (kern/ptrace.c
 *   places breakpoints there); a negative value is an error.
 * md_breakpoint: the breakpoint instruction that replaces the instruction
 *   whose first bytes are `orig' (RISC-V: c.ebreak for a compressed one);
 *   returns its length in bytes and the bytes in *bpt.
 */
int	sendsig(struct proc *p, int sig, int code, vaddr_t handler, vaddr_t tramp, unsigned int mask);
int	md_sigreturn(struct proc *p, vaddr_t frame, unsigned int *maskp);
struct reg;
void	process_read_regs(struct proc *p, struct reg *r);
int	process_write_regs(struct proc *p, const struct reg *r);
int	process_sstep(struct proc *p, int on, vaddr_t next[2]);
int	md_breakpoint(uint32_t orig, uint32_t *bpt);
/*
 * A trap from user mode, classified by the port as OpenBSD's trap.c
 * does, by named hardware causes, never raw numbers:
 *   a page fault (and nothing else) -> trap_user_fault() (kern/proc.c):
 *     vm_fault() first, then SIGSEGV (SEGV_MAPERR / SEGV_ACCERR);
 *   every other exception -> trap_user_signal() (kern/signal.c) with
 *     SIGILL (an illegal instruction), SIGFPE (integer divide, an
 *     unmasked floating-point exception), SIGBUS (a misaligned access
 *     the hardware refuses), SIGTRAP (breakpoint, single step) or
 *     SIGSEGV (a protection fault that is not a page fault), and the
 *     <aqua/signal.h> code saying why.
 * With no handler and no tracer the process is killed with the one-line
 * message "pid N (prog): <what> at <addr> pc <pc> -- killed".
 */
void	trap_user_signal(struct trapframe *tf, int sig, int code, const char *what, vaddr_t addr);

/* ---- devices --------------------------------------------------------- */
/* At boot the port finds its virtio devices and calls virtio_blk_attach(). */
void	cpu_configure(void);

/* ---- what the port calls in kern/ ------------------------------------- */
void	kern_main(void);		/* boot CPU, after the port set up memory and traps */
void	kern_main_ap(void);		/* every other CPU, once it has its own traps */
void	clockintr(void);		/* timer tick, interrupts off */
void	consintr(int c);		/* byte from the console UART */
void	syscall(struct proc *p, struct trapframe *tf);	/* system call from p, the current process */
void	userret(struct proc *p);	/* before every return to user: a killed process exits */
/*
 * Preemption (note added by core; both ports do the same): after a timer
 * interrupt's clockintr(), the trap handler calls sched_yield() when the
 * interrupted context was user mode, or kernel mode with interrupts
 * enabled and a current process (curcpu()->ci_curproc != NULL; the
 * scheduler loop itself is never preempted).
 */
void	trap_user_fault(struct trapframe *tf, const char *what, vaddr_t addr, int access);
					/* user-mode page fault: VM first, then SIGSEGV (above) */
void	kmem_add_range(paddr_t start, paddr_t end); /* hand free physical memory to the allocator */
void	fork_trampoline_entry(void);	/* first thing a new kernel context runs */

#endif
