/*
 * Processes.  One struct proc per process (aqua6 processes have one thread
 * each; FORK_SHAREVM children share an address space and so act as threads).
 * The names are OpenBSD's (p_stat, p_pptr, P_SYSTEM, SIDL, ...).
 *
 * Locking: proc_lock (kern/proc.c) protects p_stat, p_pptr, p_wchan,
 * p_xstat, p_sig and the table itself.  A process's own fields
 * (p_vmspace, p_fd, p_cwd) are changed only by the process itself, or by
 * its creator while it is SIDL (fork1, makecxt); a running process
 * changes p_vmspace under proc_lock too (exec, exit), for vmapinfo(2).
 */
#ifndef KERN_PROC_H
#define KERN_PROC_H

#include "md.h"
#include "spinlock.h"
#include <aqua/fork.h>
#include <aqua/procinfo.h>	/* SIDL, SRUN, ... */
#include "signalvar.h"		/* struct sigstate (signals, ptrace) */

/* p_flag bits */
#define P_SYSTEM	0x0001	/* system process: no signals, no user limits */
#define P_PPWAIT	0x0002	/* parent sleeps in fork1() until exec or exit */
#define P_NOZOMBIE	0x0004	/* reap at exit; the parent collects nothing */
#define P_TRACED	0x0008	/* being traced (ptrace) */
#define P_WEXIT		0x0010	/* exiting */
#define P_INEXEC	0x0020	/* in execve */
#define P_FAMILY	0x0100	/* made by makecxt(MAKECXT_SHARE_VMEM): shares memory, not a thread */

struct proc {
	int		p_stat;		/* SIDL, SRUN, SONPROC, SSLEEP, SZOMB, ... ; 0 = free slot */
	int		p_flag;		/* P_* */
	pid_t		p_pid;
	int		p_uid;		/* user id, for the per-user process limit */
	struct proc	*p_pptr;	/* parent */
	const void	*p_wchan;	/* what we sleep on, when SSLEEP */
	const char	*p_wmesg;	/* why we sleep (shown in ps) */
	struct proc	*p_slpnext;	/* next on our sleep queue (kern/sched.c), while in sleep() */
	int		p_killed;	/* a signal that kills at the next userret() */
	int		p_xstat;	/* exit status for wait (W_EXITCODE) */
	int		p_cpu;		/* CPU running it, when SONPROC */
	int		p_vforkwait;	/* we sleep in fork1() until our P_PPWAIT child lets go */
	char		p_comm[PROC_NAME_MAX];	/* name (program name) */
	unsigned long	p_pgalloc;	/* pages page_alloc() gave while we ran (procinfo: leak hunts) */
	unsigned long	p_pgfree;	/* pages that went back to the free list while we ran */
	struct sigstate	p_sig;		/* signals and tracing (kern/signal.c), under proc_lock */

	struct vmspace	*p_vmspace;	/* user address space (NULL for kernel threads) */
	struct filedesc	*p_fd;		/* descriptor table */
	struct inode	*p_cwd;		/* current directory */

	char		*p_kstack;	/* bottom of the kernel stack (KSTACK_SIZE bytes) */
	struct md_context *p_ctx;	/* saved kernel context, for cpu_switchto() */
	struct mdproc	p_md;		/* the port's per-process state (trap frame, TLS base) */
};

/*
 * A process's user trap frame.  Every port's struct mdproc keeps a pointer
 * to it (md_tf, at the top of the kernel stack in both ports).
 */
#define PROC_TRAPFRAME(p)	((p)->p_md.md_tf)

extern struct proc proc0;		/* the kernel itself; parent of init and kernel threads */
extern struct proc *initproc;		/* pid 1: inherits orphans */
extern struct spinlock proc_lock;
extern struct proc proctab[NPROC];	/* the process table */
/*
 * The end of the slots ever used since boot (proc_alloc takes the lowest
 * free one; under proc_lock): every slot from here on is free, so the
 * scheduler, which looks at every slot on every switch, stops here.
 */
extern struct proc *proc_hiwater;

/*
 * The process running on this CPU (NULL in the scheduler).  Interrupts
 * are off for the two loads, so no preemption moves us to another CPU
 * between them.  Inline: every system call and lock path asks.
 */
static inline struct proc *
curproc(void)
{
	register_t s = intr_disable();
	struct proc *p = curcpu()->ci_curproc;

	intr_restore(s);
	return p;
}

/* kern/fork.c */
int	fork1(struct proc *p1, int flags, void (*func)(void *), void *arg,
	      register_t *retval, struct proc **rnewprocp);
void	child_return(void *arg);	/* func of user forks: return 0 to user space */
int	kthread_create(void (*func)(void *), void *arg, struct proc **newpp, const char *name);
/* ktest ppwait only: called by fork1() between its steps 7 and 8 (kern/fork.c). */
extern void (*volatile fork_ktest_hook)(struct proc *p1);

/* kern/forkstat.c */
struct vmspace;
void	forkstat_count(int flags, struct vmspace *vm);	/* called by fork1() once per child */
struct forkstat;
void	forkstat_read(struct forkstat *out);		/* a copy of the counters */

/* kern/proc.c */
void	procinit(void);
void	kstack_overflow(vaddr_t addr, vaddr_t sp, vaddr_t pc);	/* port's fault path: panic if in a stack guard */
int	kstack_addr_ok(vaddr_t va);	/* backtraces: not in a stack guard */
struct proc *proc_alloc(struct proc *parent, int flags, int *errorp);	/* SIDL slot with pid and kstack */
void	proc_free(struct proc *p);	/* give back the slot of a child that never ran (SIDL) */
void	proc_reap_dead(struct proc *p);	/* scheduler: free an SDEAD slot (proc_lock held) */
int	proc_free_dead(void);		/* reaper: free every SDEAD slot (proc_lock held) */
void	proc_setrunnable(struct proc *p);	/* SIDL/SSLEEP -> SRUN */
struct proc *pfind(pid_t pid);		/* live process by pid, or NULL (proc_lock held) */
__attribute__((noreturn)) void exit1(struct proc *p, int xstat);
int	proc_kill(pid_t pid, int sig);
int	proc_wait(struct proc *p, pid_t pid, int *xstatp, int options, pid_t *pidp);
void	proc_trap_kill(struct proc *p, int sig, const char *what, vaddr_t addr); /* one-line message, exit */
void	proc_ppwait_release(struct proc *p);	/* exec/exit: let a FORK_PPWAIT parent go on */
struct procinfo;
int	proc_info(int slot, struct procinfo *pi);	/* for procinfo(2): 0, ESRCH or EINVAL */
int	proc_count(void);			/* slots in use */
void	proc_dump(void);			/* Ctrl-P: print the table (no locks, for debugging) */

/* kern/reaper.c */
void	reaper_start(void);		/* kern_main: the kernel thread "reaper" */
int	reaper_wakeup_locked(void);	/* 1 if the reaper will free SDEAD slots (proc_lock held) */

/* kern/sys_thread.c (stage sharevm): the processes sharing a vmspace are one thread group */
struct vmspace;
void	thread_group_exit(struct proc *p, int sig);	/* exit(2), fatal signal: end the other threads */
struct vmspace *thread_exec_begin(struct proc *p);	/* sys_exec, before kern_exec */
void	thread_exec_end(struct proc *p, struct vmspace *oldvm, int error); /* ... and after */

/* kern/clock.c */
int	clock_msleep(struct proc *p, unsigned int ms);	/* 0, or EINTR if killed */

/* kern/sched.c */
__attribute__((noreturn)) void scheduler(void);
void	sched_yield(void);		/* give up the CPU (from a running process) */
void	sched(void);			/* switch to the scheduler; proc_lock held */
void	sleep(const void *chan, struct spinlock *lk, const char *wmesg);
void	wakeup(const void *chan);
void	wakeup_locked(const void *chan);	/* wakeup with proc_lock already held */
int	ncpu_started(void);		/* CPUs that reached the scheduler */

/* kern/exec.c */
int	kern_exec(struct proc *p, const char *path, char *const *argv);	/* argv in kernel */

#endif
