/*
 * Pipes: a ring buffer of almost a page between a writing and a reading
 * struct file.
 *
 * A reader sleeps while the pipe is empty and a writer still exists; with
 * no writer left an empty pipe reads as end of file.  A writer sleeps while
 * the pipe is full; with no reader left the write fails with EPIPE (no
 * SIGPIPE is posted).  Both give up with EINTR if the process is killed
 * while asleep.  Readers and writers sleep on the pipe itself and
 * every change wakes them all: there are rarely more than two.  The pipe
 * counts its sleepers, so a change nobody waits for (most of them, in a
 * ping-pong) costs no wakeup, which would take proc_lock.
 *
 * User memory is never touched with the pipe's spin lock held: copyin and
 * copyout may need to resolve a copy-on-write page.  Data goes through a
 * small buffer on the kernel stack instead.
 *
 * A bad user buffer loses no data.  A reader copies bytes out of the ring
 * without taking them, and takes only those that copyout_part() delivered:
 * a read into a buffer whose second half is unmapped returns the first
 * half's count and leaves the rest in the pipe, one into a kernel address
 * fails with EFAULT and takes nothing.  Since the bytes stay in the ring
 * while the lock is dropped, one reader at a time does this (pi->reading);
 * the others wait for it.  A writer puts in exactly what copyin_part()
 * fetched and counts it.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "spinlock.h"
#include "proc.h"
#include "page.h"
#include "file.h"

#define PIPE_BOUNCE	512		/* bytes moved per lock hold */

struct pipe {
	struct spinlock	lock;
	unsigned int	rpos;		/* index of the next byte to read */
	unsigned int	count;		/* bytes in the buffer */
	int		readopen;	/* read end still open? */
	int		writeopen;	/* write end still open? */
	int		reading;	/* a reader is copying out bytes still in data[] */
	int		sleepers;	/* processes in pipe_sleep() on this pipe */
	char		data[];		/* PIPESIZE bytes, to the end of the page */
};

#define PIPESIZE	(PAGE_SIZE - sizeof(struct pipe))

/*
 * Sleep until the next pipe_wakeup.
 * => called with pi->lock held; returns with it held
 */
static void
pipe_sleep(struct pipe *pi, const char *wmesg)
{
	KDASSERT(spinlock_holding(&pi->lock));
	pi->sleepers++;
	sleep(pi, &pi->lock, wmesg);
	pi->sleepers--;
}

/*
 * Wake every process in pipe_sleep: a sleeper counted itself under
 * pi->lock before it let go, so a waker that holds the lock sees it.
 * => called with pi->lock held
 */
static void
pipe_wakeup(struct pipe *pi)
{
	KDASSERT(spinlock_holding(&pi->lock));
	if (pi->sleepers > 0)
		wakeup(pi);
}

/* Two files, the read end *rf and the write end *wf: 0, ENFILE or ENOMEM. */
int
pipe_alloc(struct file **rf, struct file **wf)
{
	struct pipe *pi;

	*rf = *wf = NULL;
	if ((pi = kpage_alloc()) == NULL)
		return ENOMEM;
	if ((*rf = file_alloc()) == NULL || (*wf = file_alloc()) == NULL) {
		if (*rf)
			file_close(*rf);	/* still FT_NONE: just freed */
		*rf = NULL;
		kpage_free(pi);
		return ENFILE;
	}
	spinlock_init(&pi->lock, "pipe");
	pi->rpos = pi->count = 0;
	pi->reading = 0;
	pi->sleepers = 0;
	pi->readopen = pi->writeopen = 1;
	(*rf)->f_type = FT_PIPE;
	(*rf)->f_readable = 1;
	(*rf)->f_pipe = pi;
	(*wf)->f_type = FT_PIPE;
	(*wf)->f_writable = 1;
	(*wf)->f_pipe = pi;
	return 0;
}

/* One end is closed; the second close frees the pipe. */
void
pipe_close(struct pipe *pi, int writable)
{
	int gone;

	spinlock_acquire(&pi->lock);
	if (writable)
		pi->writeopen = 0;
	else
		pi->readopen = 0;
	pipe_wakeup(pi);
	gone = !pi->readopen && !pi->writeopen;
	spinlock_release(&pi->lock);
	if (gone)
		kpage_free(pi);
}

int
pipe_write(struct pipe *pi, struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done)
{
	char kbuf[PIPE_BOUNCE];
	size_t total = 0, m, i, put, wpos;
	int error = 0, cerr;

	while (total < n && error == 0) {
		/* The bytes up to a bad page go in; then EFAULT, or the count. */
		cerr = copyin_part(p, kbuf, ubuf + total, MIN(n - total, sizeof(kbuf)), &m);
		if (m == 0) {
			error = cerr;
			break;
		}
		spinlock_acquire(&pi->lock);
		for (i = 0; i < m; ) {
			if (!pi->readopen) {
				error = EPIPE;
				break;
			}
			if (p->p_killed) {
				error = EINTR;
				break;
			}
			if (pi->count == PIPESIZE) {
				pipe_wakeup(pi);	/* let the reader drain it */
				pipe_sleep(pi, "pipewr");
				continue;
			}
			wpos = (pi->rpos + pi->count) % PIPESIZE;
			put = MIN(m - i, PIPESIZE - pi->count);
			put = MIN(put, PIPESIZE - wpos);	/* up to the wrap */
			memcpy(pi->data + wpos, kbuf + i, put);
			pi->count += put;
			i += put;
		}
		pipe_wakeup(pi);
		spinlock_release(&pi->lock);
		total += i;
		if (error == 0)
			error = cerr;
	}
	*done = total;
	return total > 0 ? 0 : error;
}

int
pipe_read(struct pipe *pi, struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done)
{
	char kbuf[PIPE_BOUNCE];
	size_t total = 0, m, got, take, pos, out;
	int error = 0;

	*done = 0;
	if (n == 0)
		return 0;
	spinlock_acquire(&pi->lock);
	while ((pi->count == 0 && pi->writeopen) || pi->reading) {
		if (p->p_killed) {
			spinlock_release(&pi->lock);
			return EINTR;
		}
		pipe_sleep(pi, "piperd");
	}
	pi->reading = 1;
	/* Take what is there (up to n) without waiting for more. */
	while (total < n && pi->count > 0) {
		m = MIN(n - total, sizeof(kbuf));
		m = MIN(m, pi->count);
		/* Copy, but do not take: only this reader moves rpos. */
		for (got = 0, pos = pi->rpos; got < m; got += take) {
			take = MIN(m - got, PIPESIZE - pos);
			memcpy(kbuf + got, pi->data + pos, take);
			pos = (pos + take) % PIPESIZE;
		}
		spinlock_release(&pi->lock);
		error = copyout_part(p, ubuf + total, kbuf, m, &out);
		spinlock_acquire(&pi->lock);
		KASSERT(out <= pi->count);
		pi->rpos = (pi->rpos + out) % PIPESIZE;
		pi->count -= out;
		total += out;
		if (error)
			break;
	}
	pi->reading = 0;
	pipe_wakeup(pi);		/* room for a writer, the next reader's turn */
	spinlock_release(&pi->lock);
	*done = total;
	return total > 0 ? 0 : error;
}
