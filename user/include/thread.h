/*
 * Threads for aqua6 user programs (user/lib/thread.c), see thread(3).
 *
 * A thread is a process that shares its creator's address space: it is
 * made with rfork1(FORK_SHAREVM | FORK_SHAREFILES | FORK_NOZOMBIE) and
 * runs on a stack of its own.  The threads of a program are one thread
 * group: exit(3) in any of them ends them all, thread_exit() ends one.
 * Mutexes and condition variables sleep in the kernel with thrsleep(2)
 * and are woken with thrwakeup(2), so a thread that waits uses no CPU.
 *
 * Each thread has its own errno and its own copy of every __thread
 * variable (<tls.h>).  Not thread-safe: stdio buffers and malloc/free
 * outside this library (take a mutex around them).
 */
#ifndef _THREAD_H
#define _THREAD_H

#include <sys/types.h>
#include <aqua/fork.h>

#define THREAD_STACK_SIZE	(64 * 1024)	/* bytes of stack per thread */
#define THREAD_FORK_FLAGS	(FORK_SHAREVM | FORK_SHAREFILES | FORK_NOZOMBIE)

struct thread;
typedef struct thread *thread_t;

/* 0 unlocked, 1 locked, 2 locked and maybe someone asleep in thrsleep. */
typedef struct {
	volatile int	tm_state;
} thread_mutex_t;
#define THREAD_MUTEX_INITIALIZER	{ 0 }

/* A sequence number: every signal or broadcast changes it. */
typedef struct {
	volatile int	tc_seq;
} thread_cond_t;
#define THREAD_COND_INITIALIZER		{ 0 }

thread_t thread_create(void *(*func)(void *), void *arg);	/* NULL and errno on error */
int	thread_join(thread_t t, void **retp);	/* wait for t to end; 0 */
int	thread_tryjoin(thread_t t, void **retp);	/* 0, or -1 and EBUSY if t still runs */
void	thread_exit(void *ret) __attribute__((noreturn));
pid_t	thread_id(thread_t t);			/* t's pid */

void	thread_mutex_init(thread_mutex_t *m);
void	thread_mutex_lock(thread_mutex_t *m);
int	thread_mutex_trylock(thread_mutex_t *m);	/* 0, or -1 and EBUSY */
void	thread_mutex_unlock(thread_mutex_t *m);

void	thread_cond_init(thread_cond_t *c);
void	thread_cond_wait(thread_cond_t *c, thread_mutex_t *m);	/* m locked; may wake spuriously */
void	thread_cond_signal(thread_cond_t *c);
void	thread_cond_broadcast(thread_cond_t *c);

/* The system calls underneath (thrsleep(2), threxit(2)). */
int	thrsleep(volatile int *ident, int val);
int	thrwakeup(volatile int *ident, int n);
void	threxit(volatile int *notdead);	/* returns only on error */

/*
 * user/arch/<arch>/thread.S: rfork1(flags), then, in the child only,
 * switch to stack (its top) and call func(arg), which must not return.
 * Returns the child's pid, or -errno, in the parent.
 */
long	__thread_start(int flags, void *stack, void (*func)(void *), void *arg);

#endif
