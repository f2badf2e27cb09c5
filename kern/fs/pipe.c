/*
 * Pipes: a ring buffer of almost a page between a writing and a reading
 * struct file.
 *
 * A reader sleeps while the pipe is empty and a writer still exists; with
 * no writer left an empty pipe reads as end of file.  A writer sleeps while
 * the pipe is full; with no reader left the write fails with EPIPE (SIGPIPE
 * will come with signals).  Both give up with EINTR if the process is
 * killed while asleep.  Readers and writers sleep on the pipe itself and
 * every change wakes them all: there are rarely more than two.
 *
 * User memory is never touched with the pipe's spin lock held: copyin and
 * copyout may need to resolve a copy-on-write page.  Data goes through a
 * small buffer on the kernel stack instead.
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
	char		data[];		/* PIPESIZE bytes, to the end of the page */
};

#define PIPESIZE	(PAGE_SIZE - sizeof(struct pipe))

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
	wakeup(pi);
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
	int error = 0;

	while (total < n && error == 0) {
		m = MIN(n - total, sizeof(kbuf));
		if (copyin(p, kbuf, ubuf + total, m) != 0) {
			error = EFAULT;
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
				wakeup(pi);		/* let the reader drain it */
				sleep(pi, &pi->lock, "pipewr");
				continue;
			}
			wpos = (pi->rpos + pi->count) % PIPESIZE;
			put = MIN(m - i, PIPESIZE - pi->count);
			put = MIN(put, PIPESIZE - wpos);	/* up to the wrap */
			memcpy(pi->data + wpos, kbuf + i, put);
			pi->count += put;
			i += put;
		}
		wakeup(pi);
		spinlock_release(&pi->lock);
		total += i;
	}
	*done = total;
	return total > 0 ? 0 : error;
}

int
pipe_read(struct pipe *pi, struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done)
{
	char kbuf[PIPE_BOUNCE];
	size_t total = 0, m, got, take;

	*done = 0;
	if (n == 0)
		return 0;
	spinlock_acquire(&pi->lock);
	while (pi->count == 0 && pi->writeopen) {
		if (p->p_killed) {
			spinlock_release(&pi->lock);
			return EINTR;
		}
		sleep(pi, &pi->lock, "piperd");
	}
	/* Take what is there (up to n) without waiting for more. */
	while (total < n && pi->count > 0) {
		m = MIN(n - total, sizeof(kbuf));
		m = MIN(m, pi->count);
		for (got = 0; got < m; got += take) {
			take = MIN(m - got, PIPESIZE - pi->rpos);
			memcpy(kbuf + got, pi->data + pi->rpos, take);
			pi->rpos = (pi->rpos + take) % PIPESIZE;
			pi->count -= take;
		}
		wakeup(pi);		/* room for the writer */
		spinlock_release(&pi->lock);
		if (copyout(p, ubuf + total, kbuf, m) != 0) {
			*done = total;
			return total > 0 ? 0 : EFAULT;
		}
		total += m;
		spinlock_acquire(&pi->lock);
	}
	spinlock_release(&pi->lock);
	*done = total;
	return 0;
}
