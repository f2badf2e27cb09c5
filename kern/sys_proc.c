/*
 * System calls about processes, time and the machine.  Each handler has
 * OpenBSD's shape: it returns 0 or an errno, and its result in retval[0].
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "page.h"
#include "file.h"
#include "syscall.h"
#include <aqua/wait.h>
#include <aqua/procinfo.h>
#include <aqua/sysinfo.h>

int
sys_exit(struct proc *p, const register_t *args, register_t *retval)
{
	thread_group_exit(p, SIGKILL);	/* exit(2) ends every thread (kern/sys_thread.c) */
	exit1(p, W_EXITCODE(SCARG_INT(args, 0), 0));
}

int
sys_fork(struct proc *p, const register_t *args, register_t *retval)
{
	return fork1(p, FORK_FORK, child_return, NULL, retval, NULL);
}

/*
 * vfork: the parent waits (FORK_PPWAIT) until the child execs or exits.
 * The child gets a copy of the address space, so it cannot harm the
 * parent's memory as a BSD vfork child could.
 */
int
sys_vfork(struct proc *p, const register_t *args, register_t *retval)
{
	return fork1(p, FORK_VFORK | FORK_PPWAIT, child_return, NULL, retval, NULL);
}

/*
 * rfork1(flags): fork1 with the flags a user program may choose, so the
 * labs can exercise each of them (Plan 9's rfork works the same way).
 * The user's flags are checked here, once; fork1 asserts what it is
 * given.  Kernel-only flags (FORK_IDLE, FORK_SYSTEM, FORK_NOVM) and
 * unknown bits are EINVAL, and so is FORK_PTRACE with FORK_PPWAIT (the
 * parent would sleep until a child that stops for it execs or exits).
 */
#define RFORK1_USER_FLAGS (FORK_FORK | FORK_VFORK | FORK_PPWAIT | \
	FORK_SHAREFILES | FORK_NOZOMBIE | FORK_SHAREVM | FORK_PTRACE)

int
sys_rfork1(struct proc *p, const register_t *args, register_t *retval)
{
	int flags = SCARG_INT(args, 0);

	if (flags & ~RFORK1_USER_FLAGS)
		return EINVAL;
	/* SOLUTION BEGIN ptrace: FORK_PTRACE is a flag like the others */
	/* SOLUTION ELSE ptrace */
	//> /* TODO(ptrace): accept FORK_PTRACE (fork1's fork_mark() marks the child). */
	//> if (flags & FORK_PTRACE)
	//> 	return EINVAL;
	/* SOLUTION END ptrace */
	if ((flags & (FORK_PTRACE | FORK_PPWAIT)) == (FORK_PTRACE | FORK_PPWAIT))
		return EINVAL;
	return fork1(p, flags, child_return, NULL, retval, NULL);
}

int
sys_waitpid(struct proc *p, const register_t *args, register_t *retval)
{
	pid_t pid = SCARG_INT(args, 0);
	vaddr_t ustatus = SCARG_PTR(args, 1);
	int options = SCARG_INT(args, 2);
	int xstat = 0, error;
	pid_t got;

	if (options & ~(WNOHANG | WUNTRACED))
		return EINVAL;
	/*
	 * Check the status pointer before reaping: after proc_wait the
	 * child is gone, and a bad pointer must not lose its status.  The
	 * check writes back what is there already, so a wait that then
	 * fails (ECHILD, EINTR) leaves *status as it was.
	 */
	if (ustatus != 0 && ((error = copyin(p, &xstat, ustatus, sizeof(xstat))) != 0 ||
	    (error = copyout(p, ustatus, &xstat, sizeof(xstat))) != 0))
		return error;
	xstat = 0;
	if ((error = proc_wait(p, pid, &xstat, options, &got)) != 0)
		return error;
	if (ustatus != 0 && got != 0 &&
	    (error = copyout(p, ustatus, &xstat, sizeof(xstat))) != 0)
		return error;
	retval[0] = got;
	return 0;
}

/*
 * exec(path, argv): copy the path and the arguments into the kernel (the
 * old image, which holds them, is about to go), then kern_exec.
 */
int
sys_exec(struct proc *p, const register_t *args, register_t *retval)
{
	char path[MAXPATH];
	char *kargv[MAXARG + 1];
	vaddr_t uargv = SCARG_PTR(args, 1);
	char *strbuf;
	size_t used = 0, len;
	int argc, error;

	error = copyinstr(p, path, SCARG_PTR(args, 0), sizeof(path), NULL);
	if (error)
		return error;
	if (uargv == 0)
		return EFAULT;
	if ((strbuf = kpage_alloc()) == NULL)
		return ENOMEM;
	_Static_assert(MAXARGLEN <= PAGE_SIZE, "exec arguments must fit in a page");

	for (argc = 0;; argc++) {
		uint64_t uarg;
		if ((error = copyin(p, &uarg, uargv + argc * sizeof(uarg), sizeof(uarg))) != 0)
			goto out;
		if (uarg == 0)
			break;
		if (argc >= MAXARG) {
			error = E2BIG;
			goto out;
		}
		error = copyinstr(p, strbuf + used, uarg, MAXARGLEN - used, &len);
		if (error == ENAMETOOLONG)
			error = E2BIG;
		if (error)
			goto out;
		kargv[argc] = strbuf + used;
		used += len;
	}
	kargv[argc] = NULL;

	struct vmspace *oldvm = thread_exec_begin(p);	/* exec from a thread (kern/sys_thread.c) */
	error = kern_exec(p, path, kargv);
	thread_exec_end(p, oldvm, error);
	if (error == 0)
		error = EJUSTRETURN;
out:
	kpage_free(strbuf);
	return error;
}

int
sys_getpid(struct proc *p, const register_t *args, register_t *retval)
{
	retval[0] = p->p_pid;
	return 0;
}

int
sys_getppid(struct proc *p, const register_t *args, register_t *retval)
{
	spinlock_acquire(&proc_lock);
	retval[0] = p->p_pptr ? p->p_pptr->p_pid : 0;
	spinlock_release(&proc_lock);
	return 0;
}

int
sys_kill(struct proc *p, const register_t *args, register_t *retval)
{
	int sig = SCARG_INT(args, 1);

	if (sig < 0 || sig >= 32)
		return EINVAL;
	return proc_kill(SCARG_INT(args, 0), sig);
}

int
sys_sbrk(struct proc *p, const register_t *args, register_t *retval)
{
	vaddr_t old;
	int error = vm_sbrk(p, (intptr_t)args[0], &old);

	if (error == 0)
		retval[0] = old;
	return error;
}

int
sys_msleep(struct proc *p, const register_t *args, register_t *retval)
{
	return clock_msleep(p, (unsigned int)args[0]);
}

int
sys_uptime(struct proc *p, const register_t *args, register_t *retval)
{
	retval[0] = uptime_ms();
	return 0;
}

int
sys_procinfo(struct proc *p, const register_t *args, register_t *retval)
{
	struct procinfo pi;
	int error = proc_info(SCARG_INT(args, 0), &pi);

	if (error)
		return error;
	return copyout(p, SCARG_PTR(args, 1), &pi, sizeof(pi));
}

int
sys_poweroff(struct proc *p, const register_t *args, register_t *retval)
{
	md_poweroff(SCARG_INT(args, 0));
}

/* bootargs(buf, len): the kernel command line; its length in retval. */
int
sys_bootargs(struct proc *p, const register_t *args, register_t *retval)
{
	const char *s = md_bootargs();
	size_t n = strlen(s) + 1;

	if (SCARG_SIZE(args, 1) < n)
		return ERANGE;
	if (copyout(p, SCARG_PTR(args, 0), s, n) != 0)
		return EFAULT;
	retval[0] = n - 1;
	return 0;
}

int
sys_sysinfo(struct proc *p, const register_t *args, register_t *retval)
{
	struct sysinfo si;

	memset(&si, 0, sizeof(si));
	si.freepages = page_free_count();
	si.totalpages = page_total_count();
	si.nproc = proc_count();
	si.maxproc = NPROC;
	si.ncpu = ncpu_started();
	si.nfile = file_count_inuse();
	si.hz = HZ;
	si.ticks = ticks;
	return copyout(p, SCARG_PTR(args, 0), &si, sizeof(si));
}

/* ktest(name): run kernel self-tests; retval is the number that failed. */
int
sys_ktest(struct proc *p, const register_t *args, register_t *retval)
{
	char name[32];
	int error = copyinstr(p, name, SCARG_PTR(args, 0), sizeof(name), NULL);
	int failed;

	if (error)
		return error;
	failed = ktest_run(name);
	if (failed == -2)
		return EPERM;		/* "panic" without the boot argument ktest.panic=1 */
	if (failed < 0)
		return EINVAL;		/* no such test */
	retval[0] = failed;
	return 0;
}
