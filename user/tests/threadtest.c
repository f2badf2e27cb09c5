/*
 * threadtest: checks for the sharevm stage (FORK_SHAREVM, the thread
 * library, thrsleep/thrwakeup/threxit), printing TAP.
 *
 *	threadtest		shared memory, join values, a mutex and a
 *				condition variable under contention, sbrk,
 *				copy-on-write faults from several threads, no
 *				leak (run with CPUS=4)
 *	threadtest exit		exit(3) from the main thread or from another one
 *				ends every thread; exec from a thread replaces
 *				the whole program; a thread's SIGSEGV and a
 *				SIGKILL of the main thread end every thread
 *
 * Check 1 of both is that a FORK_SHAREVM child's store is seen by its
 * parent at all; without that nothing else can work, so the program
 * bails out there.  Every wait is bounded: a thread that never ends is a
 * failed check, not a hang.
 */
#include <aqua/sysinfo.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <thread.h>
#include <unistd.h>
#include <verdict.h>

#include "tap.h"	/* wait_asleep */
#include "runtime.h"	/* runtime_ms: limits in the time the machine ran */

#define PAGE		4096
#define DEADLINE_MS	20000	/* generous: TCG on a busy host */

static int ntest, nfail;

static void
check(int ok, const char *what)
{
	ntest++;
	if (!ok)
		nfail++;
	printf("%sok %d - %s\n", ok ? "" : "not ", ntest, what);
	verdict_check(ntest, ok);
}

static struct sysinfo
info(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0) {
		perror("sysinfo");
		exit(2);
	}
	return si;
}

/* Join t within the deadline: 0, or -1 if it still runs. */
static int
join_within(thread_t t, void **retp)
{
	unsigned long end = runtime_ms() + DEADLINE_MS;

	while (thread_tryjoin(t, retp) != 0) {
		if (runtime_ms() > end)
			return -1;
		msleep(2);
	}
	return 0;
}

/* Poll until the process count is want (threads are reaped in the background). */
static int
nproc_back_to(int want)
{
	unsigned long end = runtime_ms() + DEADLINE_MS;
	int n;

	while ((n = info().nproc) != want && runtime_ms() < end)
		msleep(10);
	if (n != want)
		printf("# %d process slots in use, want %d\n", n, want);
	return n == want;
}

/* waitpid within the deadline: the pid, or 0 if it is still running. */
static pid_t
wait_within(pid_t pid, int *status)
{
	unsigned long end = runtime_ms() + DEADLINE_MS;
	pid_t r;

	while ((r = waitpid(pid, status, WNOHANG)) == 0 && runtime_ms() < end)
		msleep(10);
	return r;
}

/* ---- check 1: is memory shared at all? --------------------------------------- */

static volatile int shared_flag;
static char raw_stack[8192] __attribute__((aligned(16)));

static void
raw_child(void *arg)
{
	shared_flag = 42;
	threxit(NULL);
	_exit(0);		/* no threxit: end this process */
}

/* A bare FORK_SHAREVM child sets a flag; the parent must see it. */
static void
require_shared_memory(void)
{
	shared_flag = 0;
	long pid = __thread_start(FORK_SHAREVM | FORK_SHAREFILES | FORK_NOZOMBIE,
	    raw_stack + sizeof(raw_stack), raw_child, NULL);
	unsigned long end = runtime_ms() + 3000;

	if (pid < 0)
		printf("# rfork1(FORK_SHAREVM): %s\n", strerror((int)-pid));
	while (pid > 0 && shared_flag != 42 && runtime_ms() < end)
		msleep(5);
	check(pid > 0 && shared_flag == 42,
	    "a FORK_SHAREVM child's store is seen by its parent (one address space)");
	if (shared_flag != 42) {
		printf("Bail out! FORK_SHAREVM does not share the address space\n");
		exit(1);
	}
	/* Let it finish before anything counts processes. */
	msleep(20);
}

/* ---- threadtest: the library at work ------------------------------------------- */

#define NTHREAD	4
static volatile long slots[NTHREAD];

static void *
write_slot(void *arg)
{
	long i = (long)arg;

	slots[i] = i * 7 + 1;
	return (void *)(i + 100);
}

static void
deeper(long v)
{
	thread_exit((void *)v);
}

static void *
exit_from_inside(void *arg)
{
	deeper(77);
	return NULL;
}

#define ROUNDS	4000
static thread_mutex_t counter_lock = THREAD_MUTEX_INITIALIZER;
static volatile long counter;
static volatile int start_line;

static void *
count_up(void *arg)
{
	while (!start_line)
		;		/* start together, so they collide */
	for (int i = 0; i < ROUNDS; i++) {
		thread_mutex_lock(&counter_lock);
		long v = counter;	/* a read-modify-write that must not interleave */
		counter = v + 1;
		thread_mutex_unlock(&counter_lock);
	}
	return NULL;
}

/* A bounded queue: 2 producers, 2 consumers, 2 condition variables. */
#define QSIZE	4
#define NITEMS	300
static thread_mutex_t qlock = THREAD_MUTEX_INITIALIZER;
static thread_cond_t qnotempty = THREAD_COND_INITIALIZER, qnotfull = THREAD_COND_INITIALIZER;
static int queue[QSIZE], qhead, qcount;

static void *
producer(void *arg)
{
	for (int i = 1; i <= NITEMS; i++) {
		thread_mutex_lock(&qlock);
		while (qcount == QSIZE)
			thread_cond_wait(&qnotfull, &qlock);
		queue[(qhead + qcount++) % QSIZE] = i;
		thread_cond_signal(&qnotempty);
		thread_mutex_unlock(&qlock);
	}
	return NULL;
}

static void *
consumer(void *arg)
{
	long sum = 0;

	for (int i = 0; i < NITEMS; i++) {
		thread_mutex_lock(&qlock);
		while (qcount == 0)
			thread_cond_wait(&qnotempty, &qlock);
		sum += queue[qhead];
		qhead = (qhead + 1) % QSIZE;
		qcount--;
		thread_cond_signal(&qnotfull);
		thread_mutex_unlock(&qlock);
	}
	return (void *)sum;
}

#define SBRK_BYTES	(64 * 1024)

static void *
grow_heap(void *arg)
{
	char *p = sbrk(SBRK_BYTES);

	if (p == (char *)-1)
		return NULL;
	for (int i = 0; i < SBRK_BYTES; i += PAGE)
		p[i] = (char)(i / PAGE + 1);
	return p;
}

static char cowpage[PAGE] __attribute__((aligned(PAGE)));
static volatile int cow_go;

static void *
write_cowpage(void *arg)
{
	long i = (long)arg;

	while (!cow_go)
		;
	((volatile long *)cowpage)[i + 1] = 1000 + i;	/* same page, one fault each */
	return NULL;
}

/* Start n threads running f(i); 0, or -1 if one could not start. */
static volatile int thr_word;	/* checks 9 and 10 of library() */

/* Sleep once on thr_word, while it holds 0. */
static void *
sleep_on_word(void *arg)
{
	thrsleep(&thr_word, 0);
	return NULL;
}

static int
start_all(thread_t *t, int n, void *(*f)(void *))
{
	for (long i = 0; i < n; i++) {
		t[i] = thread_create(f, (void *)i);
		if (t[i] == NULL) {
			printf("# thread_create: %s\n", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Join n threads; their results in ret; the number that did not end. */
static int
join_all(thread_t *t, int n, void **ret)
{
	int stuck = 0;

	for (int i = 0; i < n; i++)
		if (join_within(t[i], &ret[i]) != 0)
			stuck++;
	if (stuck)
		printf("# %d of %d threads did not end within %d ms\n", stuck, n, DEADLINE_MS);
	return stuck;
}

static int
library(void)
{
	thread_t t[NTHREAD];
	void *ret[NTHREAD];
	char what[120];
	int ok;

	printf("1..11\n");
	verdict_plan(11);
	int nproc0 = info().nproc;
	require_shared_memory();

	/* Warm up: the thread stacks come from malloc, which keeps its heap. */
	if (start_all(t, NTHREAD, write_slot) != 0 || join_all(t, NTHREAD, ret) != 0) {
		printf("Bail out! cannot start and join %d threads\n", NTHREAD);
		return 1;
	}

	/*
	 * 2: sbrk in a thread (first: the page tables it may add stay, and
	 * must not count as a leak below).
	 */
	thread_t one = thread_create(grow_heap, NULL);
	char *p = NULL;
	ok = one != NULL && join_within(one, (void **)&p) == 0 && p != NULL;
	for (int i = 0; ok && i < SBRK_BYTES; i += PAGE)
		if (p[i] != (char)(i / PAGE + 1))
			ok = 0;
	ok = ok && (char *)sbrk(0) == p + SBRK_BYTES;
	check(ok, "sbrk in a thread: the main thread sees the new memory and break");
	if (p != NULL)
		sbrk(-SBRK_BYTES);

	nproc_back_to(nproc0);
	struct sysinfo si0 = info();

	/* 3, 4: each thread writes its slot and returns a value. */
	memset((void *)slots, 0, sizeof(slots));
	ok = start_all(t, NTHREAD, write_slot) == 0 && join_all(t, NTHREAD, ret) == 0;
	int writes = ok, values = ok;
	for (long i = 0; ok && i < NTHREAD; i++) {
		if (slots[i] != i * 7 + 1)
			writes = 0;
		if (ret[i] != (void *)(i + 100))
			values = 0;
	}
	check(writes, "threads' stores are seen by the main thread");
	check(values, "thread_join returns each thread's return value");

	/* 5: thread_exit from a nested call. */
	one = thread_create(exit_from_inside, NULL);
	void *v = NULL;
	check(one != NULL && join_within(one, &v) == 0 && v == (void *)77,
	    "thread_exit(77) in a nested call: thread_join gets 77");

	/* 6: the mutex. */
	counter = 0;
	start_line = 0;
	ok = start_all(t, NTHREAD, count_up) == 0;
	start_line = 1;
	ok = ok && join_all(t, NTHREAD, ret) == 0;
	printf("# counter %ld, want %d\n", counter, NTHREAD * ROUNDS);
	snprintf(what, sizeof(what), "%d threads x %d increments under a mutex: exactly %d",
	    NTHREAD, ROUNDS, NTHREAD * ROUNDS);
	check(ok && counter == NTHREAD * ROUNDS, what);

	/* 7: condition variables. */
	thread_t pc[4];
	pc[0] = thread_create(producer, NULL);
	pc[1] = thread_create(producer, NULL);
	pc[2] = thread_create(consumer, NULL);
	pc[3] = thread_create(consumer, NULL);
	ok = pc[0] && pc[1] && pc[2] && pc[3] && join_all(pc, 4, ret) == 0;
	long sum = ok ? (long)ret[2] + (long)ret[3] : -1, want = 2L * NITEMS * (NITEMS + 1) / 2;
	printf("# consumers got a sum of %ld, want %ld\n", sum, want);
	check(ok && sum == want,
	    "2 producers and 2 consumers on condition variables: every item once");

	/* 8: copy-on-write faults on one page from several threads at once. */
	memset(cowpage, 0, sizeof(cowpage));
	((long *)cowpage)[0] = 5;
	int go[2];
	pipe(go);
	pid_t kid = fork();
	if (kid == 0) {
		char c;
		read(go[0], &c, 1);
		int same = ((long *)cowpage)[0] == 5;
		for (int i = 1; i <= NTHREAD; i++)
			if (((long *)cowpage)[i] != 0)
				same = 0;
		_exit(same ? 0 : 1);
	}
	cow_go = 0;
	ok = kid > 0 && start_all(t, NTHREAD, write_cowpage) == 0;
	cow_go = 1;
	ok = ok && join_all(t, NTHREAD, ret) == 0;
	for (long i = 0; ok && i < NTHREAD; i++)
		if (((long *)cowpage)[i + 1] != 1000 + i)
			ok = 0;
	write(go[1], "g", 1);
	int status = -1;
	if (kid > 0 && wait_within(kid, &status) != kid)
		status = -1;
	close(go[0]);
	close(go[1]);
	check(ok && status == 0, "threads writing one copy-on-write page at once: "
	    "all their stores land, the forked child's copy is untouched");

	/* 9: thrsleep on a word that no longer holds val does not sleep: EAGAIN. */
	thr_word = 1;
	errno = 0;
	int r = thrsleep(&thr_word, 0);
	int e = errno;
	snprintf(what, sizeof(what), "thrsleep on a word that does not hold val returns -1 "
	    "EAGAIN at once (got %d, errno %d)", r, r == -1 ? e : 0);
	check(r == -1 && e == EAGAIN, what);

	/*
	 * 10: thrwakeup wakes at most n sleepers and says how many.  Three
	 * threads asleep on one word (wait_asleep: a state, not a time);
	 * thrwakeup(1) wakes one, thrwakeup(0) the other two.
	 */
	thr_word = 0;
	int one_woken = -1, rest_woken = -1;
	ok = start_all(t, 3, sleep_on_word) == 0;
	for (int i = 0; ok && i < 3; i++)
		wait_asleep(thread_id(t[i]), "thrsleep");
	if (ok) {
		one_woken = thrwakeup(&thr_word, 1);
		rest_woken = thrwakeup(&thr_word, 0);
		ok = join_all(t, 3, ret) == 0;
	}
	snprintf(what, sizeof(what), "thrwakeup(word, 1) with three asleep wakes one, "
	    "thrwakeup(word, 0) the two others (woke %d, then %d)", one_woken, rest_woken);
	check(ok && one_woken == 1 && rest_woken == 2, what);

	/* 11: nothing left behind. */
	int procs = nproc_back_to(nproc0);
	struct sysinfo si1 = info();
	printf("# free pages %lu -> %lu, processes %d -> %d\n", si0.freepages,
	    si1.freepages, nproc0, si1.nproc);
	check(procs && si1.freepages == si0.freepages,
	    "after all threads ended: free pages and process count are back");
	return nfail != 0;
}

/* ---- threadtest exit: the thread group --------------------------------------------- */

static thread_mutex_t never_lock = THREAD_MUTEX_INITIALIZER;
static thread_cond_t never = THREAD_COND_INITIALIZER;
static volatile int never_true;

static void *
sleep_forever(void *arg)
{
	thread_mutex_lock(&never_lock);
	while (!never_true)
		thread_cond_wait(&never, &never_lock);
	thread_mutex_unlock(&never_lock);
	return NULL;
}

static void *
spin_forever(void *arg)
{
	while (!never_true)
		;
	return NULL;
}

static void *
exit_six(void *arg)
{
	msleep(50);
	exit(6);
}

static int exec_fd = -1;

static void *
exec_echo(void *arg)
{
	char *argv[] = { "echo", "exec-from-thread", NULL };

	msleep(50);
	dup2(exec_fd, 1);
	exec("/bin/echo", argv);
	return (void *)1;	/* exec failed */
}

static void *
segv_thread(void *arg)
{
	msleep(50);
	*(volatile int *)arg = 1;	/* NULL: SIGSEGV, no handler */
	return NULL;
}

/* In a child process: 2 sleeping threads, 1 spinning, then how to end. */
static void
doomed_program(int how)
{
	thread_t t[4];

	t[0] = thread_create(sleep_forever, NULL);
	t[1] = thread_create(sleep_forever, NULL);
	t[2] = thread_create(spin_forever, NULL);
	if (t[0] == NULL || t[1] == NULL || t[2] == NULL)
		_exit(20);
	msleep(50);
	if (how == 0)
		exit(5);			/* from the main thread */
	if (how == 4) {
		thread_join(t[0], NULL);	/* the parent SIGKILLs us here */
		_exit(23);
	}
	t[3] = thread_create(how == 1 ? exit_six : how == 2 ? exec_echo : segv_thread, NULL);
	if (t[3] == NULL)
		_exit(21);
	thread_join(t[0], NULL);		/* never returns: the group ends first */
	_exit(22);
}

static int
group(void)
{
	int status;
	pid_t pid;

	printf("1..11\n");
	verdict_plan(11);
	int nproc0 = info().nproc;
	require_shared_memory();

	/* 2, 3: exit(5) in the main thread. */
	pid = fork();
	if (pid == 0)
		doomed_program(0);
	status = -1;
	if (pid < 0 || wait_within(pid, &status) != pid)
		status = -1;
	printf("# exit(5) in the main thread: %s\n", status == -1 ? "did not end" :
	    WIFEXITED(status) ? "exited" : "killed");
	check(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 5,
	    "exit(5) in the main thread: the program ends with status 5");
	check(nproc_back_to(nproc0), "... and its sleeping and spinning threads are gone");

	/* 4, 5: exit(6) in another thread. */
	pid = fork();
	if (pid == 0)
		doomed_program(1);
	status = -1;
	if (pid < 0 || wait_within(pid, &status) != pid)
		status = -1;
	printf("# exit(6) in a thread: the main thread %s\n", status == -1 ? "did not end" :
	    WIFEXITED(status) ? "exited" : "was killed");
	check(status != -1, "exit(6) in a thread other than the main one ends the main thread");
	check(nproc_back_to(nproc0), "... and every other thread");

	/* 6, 7: exec in a thread. */
	int fds[2];
	if (pipe(fds) < 0) {
		perror("pipe");
		return 2;
	}
	exec_fd = fds[1];
	pid = fork();
	if (pid == 0)
		doomed_program(2);
	char line[64];
	const char *want = "exec-from-thread\n";
	size_t got = 0;
	unsigned long end = runtime_ms() + DEADLINE_MS;
	while (got < strlen(want) && runtime_ms() < end) {
		ssize_t n = read(fds[0], line + got, strlen(want) - got);
		if (n <= 0)
			break;
		got += n;
	}
	line[got] = '\0';
	status = -1;
	if (pid < 0 || wait_within(pid, &status) != pid)
		status = -1;
	printf("# exec in a thread printed \"%.*s\"; the main thread %s\n", (int)got > 0 ?
	    (int)got - 1 : 0, line, status == -1 ? "did not end" :
	    WIFEXITED(status) ? "exited" : "was killed");
	check(got == strlen(want) && strcmp(line, want) == 0,
	    "exec(\"/bin/echo\") in a thread runs the new program");
	check(status != -1 && WIFSIGNALED(status) && nproc_back_to(nproc0),
	    "... which replaces the whole program: the other threads are gone");
	close(fds[0]);
	close(fds[1]);

	/* 8, 9: a thread dies of SIGSEGV: the whole program does (its joiner used to sleep for ever). */
	pid = fork();
	if (pid == 0)
		doomed_program(3);
	status = -1;
	if (pid < 0 || wait_within(pid, &status) != pid)
		status = -1;
	printf("# SIGSEGV in a thread: the main thread %s (status %#x)\n", status == -1 ?
	    "did not end" : WIFEXITED(status) ? "exited" : "was killed", status);
	check(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV,
	    "a thread's SIGSEGV kills the program with SIGSEGV");
	check(nproc_back_to(nproc0), "... and every other thread");

	/* 10, 11: SIGKILL of the main thread (it used to leave the others running under init). */
	pid = fork();
	if (pid == 0)
		doomed_program(4);
	if (pid > 0) {
		wait_asleep(pid, "thrsleep");	/* in thread_join, its threads made */
		kill(pid, SIGKILL);
	}
	status = -1;
	if (pid < 0 || wait_within(pid, &status) != pid)
		status = -1;
	check(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	    "SIGKILL of the main thread kills it");
	check(nproc_back_to(nproc0), "... and every other thread of the program");
	return nfail != 0;
}

int
main(int argc, char *argv[])
{
	verdict_begin(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "exit") == 0)
		return group();
	if (argc >= 2) {
		fprintf(stderr, "usage: threadtest [exit]\n");
		return 2;
	}
	return library();
}
