/*
 * Threads: thread_create/join/exit, mutexes and condition variables
 * (thread(3)).
 *
 * A thread is a process made by rfork1(FORK_SHAREVM | FORK_SHAREFILES |
 * FORK_NOZOMBIE): same memory and descriptors as its creator, and nobody
 * has to wait(2) for it.  Each one gets a struct thread and a stack from
 * malloc, in one block; the struct records the function's result and a
 * word, t_alive, that stays 1 while the thread lives.  The thread ends
 * with threxit(&t_alive): the kernel stores 0 there and wakes whoever
 * sleeps on it in thrsleep(2), so thread_join() sleeps, not spins, and
 * may free the stack as soon as it sees 0 (the thread never returns to
 * user space after that store).
 *
 * Each thread also gets its own block of thread-local storage (<tls.h>),
 * a third part of the same malloc block: its __thread variables, errno
 * among them.  The new thread installs it with __set_tcb(2) as the first
 * thing it does in C, before it can fail a system call.
 *
 * Mutexes are the classic three-state futex lock: 0 free, 1 locked,
 * 2 locked with (maybe) sleepers.  The uncontended lock and unlock are
 * one atomic instruction each and never enter the kernel; only a thread
 * that finds the lock taken sleeps in thrsleep(&state, 2), and only an
 * unlock that finds state 2 calls thrwakeup.  thrsleep returns at once
 * when the word no longer holds 2, so a wakeup between our look at the
 * word and the sleep cannot be lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <thread.h>
#include <tls.h>

struct thread {
	volatile int	t_alive;	/* 1 until the thread ends (threxit stores 0) */
	pid_t		t_tid;		/* its pid */
	void		*(*t_func)(void *);
	void		*t_arg;
	void		*t_ret;		/* what func returned, or thread_exit's argument */
	struct thread	*t_next;	/* threads not joined yet */
	void		*t_tcb;		/* its thread pointer (TLS block after the stack) */
};

/* The stack follows the struct in the same block, 16-byte aligned. */
#define THREAD_HDR	((sizeof(struct thread) + 15) & ~(size_t)15)

static thread_mutex_t lib_lock = THREAD_MUTEX_INITIALIZER;	/* all_threads and malloc */
static struct thread *all_threads;

/* ---- mutexes ------------------------------------------------------------- */

void
thread_mutex_init(thread_mutex_t *m)
{
	m->tm_state = 0;
}

int
thread_mutex_trylock(thread_mutex_t *m)
{
	int c = 0;

	if (__atomic_compare_exchange_n(&m->tm_state, &c, 1, 0,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 0;
	errno = EBUSY;
	return -1;
}

void
thread_mutex_lock(thread_mutex_t *m)
{
	int c = 0;

	/* Fast path: free -> locked. */
	if (__atomic_compare_exchange_n(&m->tm_state, &c, 1, 0,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	/*
	 * Slow path: say "someone waits" (2) and sleep while that stays
	 * true.  Whoever swaps 2 in and gets 0 back owns the lock (and
	 * leaves it at 2: it cannot know whether others sleep, so its
	 * unlock will wake one, at worst needlessly).
	 */
	if (c != 2)
		c = __atomic_exchange_n(&m->tm_state, 2, __ATOMIC_ACQUIRE);
	while (c != 0) {
		thrsleep(&m->tm_state, 2);	/* EAGAIN if it changed: just retry */
		c = __atomic_exchange_n(&m->tm_state, 2, __ATOMIC_ACQUIRE);
	}
}

void
thread_mutex_unlock(thread_mutex_t *m)
{
	/* 1 -> 0: nobody waits.  2 -> 1: make it 0 and wake a sleeper. */
	if (__atomic_fetch_sub(&m->tm_state, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(&m->tm_state, 0, __ATOMIC_RELEASE);
		thrwakeup(&m->tm_state, 1);
	}
}

/* ---- condition variables ----------------------------------------------------- */

void
thread_cond_init(thread_cond_t *c)
{
	c->tc_seq = 0;
}

/*
 * Read the sequence number while m is held, then unlock and sleep while
 * it is unchanged: a signal sent after the unlock changes it, so
 * thrsleep returns at once instead of missing it.
 */
void
thread_cond_wait(thread_cond_t *c, thread_mutex_t *m)
{
	int seq = __atomic_load_n(&c->tc_seq, __ATOMIC_RELAXED);

	thread_mutex_unlock(m);
	thrsleep(&c->tc_seq, seq);
	/* Relock as contended (2): other waiters may be asleep on m. */
	while (__atomic_exchange_n(&m->tm_state, 2, __ATOMIC_ACQUIRE) != 0)
		thrsleep(&m->tm_state, 2);
}

void
thread_cond_signal(thread_cond_t *c)
{
	__atomic_fetch_add(&c->tc_seq, 1, __ATOMIC_RELEASE);
	thrwakeup(&c->tc_seq, 1);
}

void
thread_cond_broadcast(thread_cond_t *c)
{
	__atomic_fetch_add(&c->tc_seq, 1, __ATOMIC_RELEASE);
	thrwakeup(&c->tc_seq, 0);
}

/* ---- threads --------------------------------------------------------------- */

/* The end of every thread: publish the result, then threxit(2). */
__attribute__((noreturn)) static void
thread_finish(struct thread *t, void *ret)
{
	t->t_ret = ret;
	threxit(&t->t_alive);
	/* Only if the kernel has no threxit (ENOSYS): end as a process. */
	t->t_alive = 0;
	_exit(0);
}

/* The first C code of a new thread, on its own stack (thread.S). */
static void
thread_main(void *arg)
{
	struct thread *t = arg;

	/*
	 * Until now the thread pointer was our creator's (rfork1 copies it
	 * with the other registers): switch to our own block first.
	 */
	__set_tcb(t->t_tcb);
	t->t_tid = getpid();	/* thread_exit may look for us before the creator stores it */
	thread_finish(t, t->t_func(t->t_arg));
}

thread_t
thread_create(void *(*func)(void *), void *arg)
{
	struct thread *t;
	long pid;

	thread_mutex_lock(&lib_lock);
	t = malloc(THREAD_HDR + THREAD_STACK_SIZE + __tls_size());
	if (t == NULL) {
		thread_mutex_unlock(&lib_lock);
		errno = ENOMEM;
		return NULL;
	}
	t->t_alive = 1;
	t->t_tid = 0;
	t->t_func = func;
	t->t_arg = arg;
	t->t_ret = NULL;
	t->t_tcb = __tls_init((char *)t + THREAD_HDR + THREAD_STACK_SIZE);
	t->t_next = all_threads;
	all_threads = t;
	thread_mutex_unlock(&lib_lock);

	char *stack_top = (char *)t + THREAD_HDR + THREAD_STACK_SIZE;
	pid = __thread_start(THREAD_FORK_FLAGS, stack_top, thread_main, t);
	if (pid < 0) {
		thread_mutex_lock(&lib_lock);
		for (struct thread **pp = &all_threads; *pp != NULL; pp = &(*pp)->t_next)
			if (*pp == t) {
				*pp = t->t_next;
				break;
			}
		free(t);
		thread_mutex_unlock(&lib_lock);
		errno = (int)-pid;
		return NULL;
	}
	t->t_tid = (pid_t)pid;
	return t;
}

pid_t
thread_id(thread_t t)
{
	return t->t_tid;
}

int
thread_tryjoin(thread_t t, void **retp)
{
	if (__atomic_load_n(&t->t_alive, __ATOMIC_ACQUIRE) != 0) {
		errno = EBUSY;
		return -1;
	}
	return thread_join(t, retp);
}

int
thread_join(thread_t t, void **retp)
{
	int alive;

	while ((alive = __atomic_load_n(&t->t_alive, __ATOMIC_ACQUIRE)) != 0)
		thrsleep(&t->t_alive, alive);
	if (retp != NULL)
		*retp = t->t_ret;

	thread_mutex_lock(&lib_lock);
	for (struct thread **pp = &all_threads; *pp != NULL; pp = &(*pp)->t_next)
		if (*pp == t) {
			*pp = t->t_next;
			break;
		}
	free(t);		/* the stack too: the thread is gone */
	thread_mutex_unlock(&lib_lock);
	return 0;
}

/*
 * End the calling thread with ret for thread_join.  In the main thread
 * (not made by thread_create) only the main thread ends: threxit(NULL);
 * the others go on, and the program ends with the last of them... or
 * with the first exit(3).
 */
void
thread_exit(void *ret)
{
	pid_t me = getpid();
	struct thread *t;

	thread_mutex_lock(&lib_lock);
	for (t = all_threads; t != NULL && t->t_tid != me; t = t->t_next)
		;
	thread_mutex_unlock(&lib_lock);
	if (t != NULL)
		thread_finish(t, ret);
	threxit(NULL);
	_exit(0);		/* only if the kernel has no threxit */
}
