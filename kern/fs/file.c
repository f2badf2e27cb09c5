/*
 * Open files: the system-wide table of struct file (NFILE of them).
 *
 * A struct file is what open(2) and pipe(2) create and what descriptors
 * point at.  It is shared, not copied, by dup(2) and fork(2), which is why
 * the offset lives here: a parent and child writing to one inherited file
 * append to each other's output instead of overwriting it.  f_count counts
 * the descriptor slots (in any process) that point at it.
 *
 * Reads and writes dispatch on the kind of file: an inode (regular file or
 * directory), a pipe, or a device through devsw[].
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "spinlock.h"
#include "proc.h"
#include "fs.h"
#include "file.h"

/* The console driver (kern/console.c) fills devsw[CONSOLE_MAJOR] at consinit. */
struct devsw devsw[NDEV];

static struct {
	struct spinlock	lock;		/* protects f_type of every file, and f_count's 0 <-> 1 */
	struct file	file[NFILE];
} ftable;
static int ftable_ready;

void
fileinit(void)
{
	/* fs_init calls us too; only the first call initializes. */
	if (ftable_ready)
		return;
	ftable_ready = 1;
	spinlock_init(&ftable.lock, "ftable");
}

/* A free struct file with one reference, or NULL when the table is full. */
struct file *
file_alloc(void)
{
	struct file *f;

	spinlock_acquire(&ftable.lock);
	for (f = ftable.file; f < ftable.file + NFILE; f++) {
		if (f->f_count == 0) {
			memset(f, 0, sizeof(*f));
			f->f_count = 1;
			f->f_type = FT_NONE;
			spinlock_release(&ftable.lock);
			return f;
		}
	}
	spinlock_release(&ftable.lock);
	return NULL;
}

/*
 * Another reference to f.  Every read(2) and write(2) takes one (FREF)
 * and drops it (FRELE), so neither takes the table lock unless it may
 * free the slot: the caller already holds a reference (a descriptor,
 * under fd_lock, or its own), so the count is at least 1 and no
 * file_alloc can look at the slot while it changes.  Counts change
 * atomically, so the lock's holders see them whole.
 */
struct file *
file_dup(struct file *f)
{
	if (__atomic_fetch_add(&f->f_count, 1, __ATOMIC_RELAXED) < 1)
		panic("file_dup: free file");
	return f;
}

/*
 * Drop a reference; the last one releases what the file holds.  That work
 * (closing a pipe end, dropping an inode, which may free it) happens after
 * the slot is marked free, without the table lock, because iput() sleeps.
 * A reference that is not the last goes without the lock (file_dup).
 */
static void file_close_last(struct file *f);

void
file_close(struct file *f)
{
	int n = __atomic_load_n(&f->f_count, __ATOMIC_RELAXED);

	while (n > 1)
		if (__atomic_compare_exchange_n(&f->f_count, &n, n - 1, 0,
		    __ATOMIC_RELEASE, __ATOMIC_RELAXED))
			return;
	file_close_last(f);
}

/* What may be the last reference, under the lock; out of line, so the common case saves no registers. */
static __attribute__((noinline)) void
file_close_last(struct file *f)
{
	struct file copy;

	spinlock_acquire(&ftable.lock);
	if (f->f_count < 1)
		panic("file_close: free file");
	if (__atomic_sub_fetch(&f->f_count, 1, __ATOMIC_ACQ_REL) > 0) {
		spinlock_release(&ftable.lock);
		return;
	}
	copy = *f;
	f->f_type = FT_NONE;
	f->f_pipe = NULL;
	f->f_inode = NULL;
	spinlock_release(&ftable.lock);

	if (copy.f_type == FT_PIPE) {
		pipe_close(copy.f_pipe, copy.f_writable);
	} else if ((copy.f_type == FT_INODE || copy.f_type == FT_DEVICE) && copy.f_inode) {
		log_begin_op();
		iput(copy.f_inode);
		log_end_op();
	}
}

/* Files in use, for sysinfo(2). */
int
file_count_inuse(void)
{
	struct file *f;
	int n = 0;

	spinlock_acquire(&ftable.lock);
	for (f = ftable.file; f < ftable.file + NFILE; f++)
		if (f->f_count > 0)
			n++;
	spinlock_release(&ftable.lock);
	return n;
}

/* fstat: copy the status to user address ust.  A pipe has an all-zero status. */
int
file_stat(struct file *f, struct proc *p, vaddr_t ust)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	if ((f->f_type == FT_INODE || f->f_type == FT_DEVICE) && f->f_inode) {
		ilock(f->f_inode);
		stati(f->f_inode, &st);
		iunlock(f->f_inode);
	}
	if (copyout(p, ust, &st, sizeof(st)) != 0)
		return EFAULT;
	return 0;
}

static int
dev_ok(struct file *f)
{
	return f->f_major >= 0 && f->f_major < NDEV;
}

int
file_read(struct file *f, struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done)
{
	struct inode *ip;
	int r;

	*done = 0;
	if (!f->f_readable)
		return EBADF;
	switch (f->f_type) {
	case FT_PIPE:
		return pipe_read(f->f_pipe, p, ubuf, n, done);
	case FT_DEVICE:
		if (!dev_ok(f) || devsw[f->f_major].d_read == NULL)
			return ENODEV;
		return devsw[f->f_major].d_read(p, ubuf, n, done);
	case FT_INODE:
		ip = f->f_inode;
		ilock(ip);
		if (f->f_offset >= (off_t)ip->i_size) {
			iunlock(ip);
			return 0;
		}
		/* The file is smaller than 4 GiB, so the clamp loses nothing. */
		if (n > 0x7fffffff)
			n = 0x7fffffff;
		r = readi(ip, 1, p, ubuf, (unsigned int)f->f_offset, (unsigned int)n);
		if (r > 0)
			f->f_offset += r;
		iunlock(ip);
		if (r < 0)
			return EFAULT;
		*done = r;
		return 0;
	default:
		panic("file_read: bad file type %d", f->f_type);
	}
}

/*
 * Writing to an inode: each piece of at most fs_write_chunk() bytes is its own
 * transaction, since one transaction may not dirty more than MAXOPBLOCKS
 * blocks.  A crash in the middle of a big write(2) therefore keeps a prefix
 * of it, which POSIX allows (the write would have returned a short count).
 */
static int
inode_write(struct file *f, struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done)
{
	struct inode *ip = f->f_inode;
	size_t total = 0, m, chunk = fs_write_chunk();
	int r, error = 0;

	while (total < n) {
		m = MIN(n - total, chunk);
		log_begin_op();
		ilock(ip);
		if (f->f_append)
			f->f_offset = ip->i_size;
		if ((unsigned long)f->f_offset >= MAXFILESIZE) {
			r = 0;
			error = EFBIG;
		} else {
			r = writei(ip, 1, p, ubuf + total, (unsigned int)f->f_offset, (unsigned int)m);
			if (r < 0)
				error = EFAULT;
			else if ((size_t)r < m)
				error = ((unsigned long)f->f_offset + r >= MAXFILESIZE) ? EFBIG : ENOSPC;
		}
		if (r > 0)
			f->f_offset += r;
		iunlock(ip);
		log_end_op();
		if (r > 0)
			total += r;
		if (error)
			break;
	}
	*done = total;
	/* A partial write succeeds with a short count, as POSIX says. */
	return total > 0 ? 0 : error;
}

int
file_write(struct file *f, struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done)
{
	*done = 0;
	if (!f->f_writable)
		return EBADF;
	switch (f->f_type) {
	case FT_PIPE:
		return pipe_write(f->f_pipe, p, ubuf, n, done);
	case FT_DEVICE:
		if (!dev_ok(f) || devsw[f->f_major].d_write == NULL)
			return ENODEV;
		return devsw[f->f_major].d_write(p, ubuf, n, done);
	case FT_INODE:
		if (n > 0x7fffffff)	/* keep *done representable */
			n = 0x7fffffff;
		return inode_write(f, p, ubuf, n, done);
	default:
		panic("file_write: bad file type %d", f->f_type);
	}
}
