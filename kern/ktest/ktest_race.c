/*
 * ktest race (debug kernels, by name, with ktest.panic=1): the race
 * checker (kern/racecheck.c) proves it works, as ktest witness does for
 * witness.  This file is built with -fsanitize=thread in debug kernels
 * (the Makefile's RACECHECK_SRCS), so its plain writes are checked.
 *
 * Two processes -- the caller and a kernel thread -- write one word under
 * one spin lock: no report (check 1).  Then each writes another word with
 * no lock (the caller first, then the thread, which holds nothing): the
 * thread's write must panic with "data race on the variable at ...", which
 * tools/witnesscheck.py expects.  A kernel whose checker is off prints
 * check 2 as failed instead.
 */
#include "systm.h"
#include "proc.h"
#include "spinlock.h"
#include "witness.h"
#include "ktest.h"

static struct spinlock race_lock = { .name = "ktest-race" };
static long locked_word;	/* always written under race_lock */
static long racy_word;		/* written by two processes, no lock */
static int writer_done;		/* atomic: the checker ignores it */

static void
race_writer(void *arg)
{
	struct proc *self = curproc();

	spinlock_acquire(&race_lock);
	locked_word++;
	spinlock_release(&race_lock);
	__atomic_store_n(&writer_done, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&writer_done, __ATOMIC_ACQUIRE) != 2)
		clock_msleep(self, 10);
	racy_word++;	/* the race checker panics here */
	__atomic_store_n(&writer_done, 3, __ATOMIC_RELEASE);
	exit1(self, 0);
}

void
ktest_race(struct proc *p)
{
	struct proc *np = NULL;

	spinlock_acquire(&race_lock);
	locked_word++;
	spinlock_release(&race_lock);
	__atomic_store_n(&writer_done, 0, __ATOMIC_RELAXED);
	int error = kthread_create(race_writer, NULL, &np, "ktest-race");
	for (int i = 0; error == 0 && i < 1000 && !__atomic_load_n(&writer_done, __ATOMIC_ACQUIRE); i++)
		clock_msleep(p, 10);
	ktest_check(error == 0 && __atomic_load_n(&writer_done, __ATOMIC_ACQUIRE),
	    "two processes write a word under one lock: no report",
	    "kthread_create returned %d; the writer %s", error,
	    __atomic_load_n(&writer_done, __ATOMIC_ACQUIRE) ? "finished" : "did not finish in 10 s");
	racy_word++;
	__atomic_store_n(&writer_done, 2, __ATOMIC_RELEASE);
	for (int i = 0; error == 0 && i < 1000 && __atomic_load_n(&writer_done, __ATOMIC_ACQUIRE) != 3; i++)
		clock_msleep(p, 10);
	ktest_check(0, "a word two processes write with no lock is reported (a panic)",
	    "no panic: is this a debug kernel (make DEBUG=1) with kern/ktest/ktest_race.c in "
	    "RACECHECK_SRCS?");
}
