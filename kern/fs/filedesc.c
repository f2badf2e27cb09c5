/*
 * Descriptor tables (struct filedesc), with OpenBSD's names.
 *
 * A process's descriptors are an index into its table, whose slots point at
 * shared struct files.  fork1() gives the child either
 *   fdcopy()  -- the default: a new table whose slots point at the same
 *                files (each file gains a reference), so later open/close
 *                in one process do not affect the other; or
 *   fdshare() -- with FORK_SHAREFILES: the very same table, so a descriptor
 *                opened or closed by one is opened or closed for both.
 * fd_refcnt counts the processes using a table; fdfree() drops one, and the
 * last one closes every file in it.
 *
 * Tables come from a static pool of NPROC: every process has at most one,
 * and a shared table serves several.  fdpool_lock guards fd_refcnt (so a
 * table cannot be handed out while its last user is still emptying it);
 * fd_lock guards the slots of one table, which matters when it is shared.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "spinlock.h"
#include "proc.h"
#include "file.h"

static struct spinlock fdpool_lock = { 0, "fdpool", NULL };
static struct filedesc fdpool[NPROC];

/* An empty table with one reference, or NULL when the pool is exhausted. */
struct filedesc *
fdinit(void)
{
	struct filedesc *fdp;

	spinlock_acquire(&fdpool_lock);
	for (fdp = fdpool; fdp < fdpool + NPROC; fdp++) {
		if (fdp->fd_refcnt == 0) {
			fdp->fd_refcnt = 1;
			spinlock_init(&fdp->fd_lock, "filedesc");
			memset(fdp->fd_ofiles, 0, sizeof(fdp->fd_ofiles));
			spinlock_release(&fdpool_lock);
			return fdp;
		}
	}
	spinlock_release(&fdpool_lock);
	return NULL;
}

/* A new table for a child: the same files, each one more reference. */
struct filedesc *
fdcopy(struct proc *p)
{
	struct filedesc *newfdp, *fdp = p->p_fd;
	int i;

	if ((newfdp = fdinit()) == NULL)
		return NULL;
	if (fdp == NULL)
		return newfdp;
	spinlock_acquire(&fdp->fd_lock);
	for (i = 0; i < NOFILE; i++)
		if (fdp->fd_ofiles[i])
			newfdp->fd_ofiles[i] = file_dup(fdp->fd_ofiles[i]);
	spinlock_release(&fdp->fd_lock);
	return newfdp;
}

/* FORK_SHAREFILES: the child uses p's table itself. */
struct filedesc *
fdshare(struct proc *p)
{
	/* SOLUTION BEGIN sharefiles: one more user of the same table */
	struct filedesc *fdp = p->p_fd;

	if (fdp == NULL)
		return fdinit();
	spinlock_acquire(&fdpool_lock);
	fdp->fd_refcnt++;
	spinlock_release(&fdpool_lock);
	return fdp;
	/* SOLUTION ELSE sharefiles */
	//> /*
	//>  * TODO(sharefiles): give the child p's table itself, counting one
	//>  * more user in fd_refcnt (under fdpool_lock), so that descriptors
	//>  * opened or closed by one process are so for both.  Until then the
	//>  * child gets a copy, as without FORK_SHAREFILES.
	//>  */
	//> return fdcopy(p);
	/* SOLUTION END sharefiles */
}

/*
 * p lets go of its table.  The last user empties the slots while still
 * holding the pool lock, then closes the files without it (file_close may
 * sleep on the disk).
 */
void
fdfree(struct proc *p)
{
	struct filedesc *fdp = p->p_fd;
	struct file *files[NOFILE];
	int i, last;

	if (fdp == NULL)
		return;
	p->p_fd = NULL;
	spinlock_acquire(&fdpool_lock);
	if (fdp->fd_refcnt < 1)
		panic("fdfree: table not in use");
	/* SOLUTION BEGIN sharefiles: only the last user empties the table */
	last = --fdp->fd_refcnt == 0;
	/* SOLUTION ELSE sharefiles */
	//> /*
	//>  * TODO(sharefiles): a shared table has fd_refcnt users; drop ours,
	//>  * and empty the table only if we were the last.  Until then every
	//>  * table has one user.
	//>  */
	//> fdp->fd_refcnt = 0;
	//> last = 1;
	/* SOLUTION END sharefiles */
	if (last) {
		for (i = 0; i < NOFILE; i++) {
			files[i] = fdp->fd_ofiles[i];
			fdp->fd_ofiles[i] = NULL;
		}
	}
	spinlock_release(&fdpool_lock);
	if (!last)
		return;
	for (i = 0; i < NOFILE; i++)
		if (files[i])
			file_close(files[i]);
}

/* Put f in the lowest free slot of p's table: 0 and *fdp, or EMFILE. */
int
fdalloc(struct proc *p, struct file *f, int *fdp)
{
	struct filedesc *fdt = p->p_fd;
	int fd;

	if (fdt == NULL)
		return EMFILE;
	spinlock_acquire(&fdt->fd_lock);
	for (fd = 0; fd < NOFILE; fd++) {
		if (fdt->fd_ofiles[fd] == NULL) {
			fdt->fd_ofiles[fd] = f;
			spinlock_release(&fdt->fd_lock);
			*fdp = fd;
			return 0;
		}
	}
	spinlock_release(&fdt->fd_lock);
	return EMFILE;
}

/*
 * The file behind descriptor fd with a reference for the caller, who drops
 * it with FRELE(); NULL if fd is out of range or closed.  The reference is
 * taken while the table lock keeps the slot's own reference alive: after
 * the lock is released, a close(2) on another CPU may empty the slot, and
 * without ours the file could be freed (and its slot reused by another
 * open) under the caller's feet.  Lock order: fd_lock, then the file table.
 */
struct file *
fd_getfile(struct proc *p, int fd)
{
	struct filedesc *fdt = p->p_fd;
	struct file *f;

	if (fdt == NULL || fd < 0 || fd >= NOFILE)
		return NULL;
	spinlock_acquire(&fdt->fd_lock);
	if ((f = fdt->fd_ofiles[fd]) != NULL)
		FREF(f);
	spinlock_release(&fdt->fd_lock);
	return f;
}

/* close(2)'s half: empty slot fd and return what it held (NULL if nothing). */
struct file *
fd_release(struct proc *p, int fd)
{
	struct filedesc *fdt = p->p_fd;
	struct file *f;

	if (fdt == NULL || fd < 0 || fd >= NOFILE)
		return NULL;
	spinlock_acquire(&fdt->fd_lock);
	f = fdt->fd_ofiles[fd];
	fdt->fd_ofiles[fd] = NULL;
	spinlock_release(&fdt->fd_lock);
	return f;
}

/*
 * Undo fdalloc(p, f, fd) on a failing path (pipe(2) whose copyout
 * faulted): empty slot fd and close f, but only if the slot still holds f.
 * Another thread sharing the table may have closed the descriptor already,
 * dropping the slot's reference itself, and perhaps opened another file
 * under the number, which is not ours to close.
 */
void
fdremove(struct proc *p, int fd, struct file *f)
{
	struct filedesc *fdt = p->p_fd;
	int ours = 0;

	if (fdt == NULL || fd < 0 || fd >= NOFILE)
		return;
	spinlock_acquire(&fdt->fd_lock);
	if (fdt->fd_ofiles[fd] == f) {
		fdt->fd_ofiles[fd] = NULL;
		ours = 1;
	}
	spinlock_release(&fdt->fd_lock);
	if (ours)
		file_close(f);
}

/*
 * dup2(2)'s half: put f in slot fd in one step, handing back the file it
 * replaces (for the caller to close), so no other thread sharing the table
 * can slip into the slot in between.
 */
int
fd_replace(struct proc *p, int fd, struct file *f, struct file **oldp)
{
	struct filedesc *fdt = p->p_fd;

	*oldp = NULL;
	if (fdt == NULL || fd < 0 || fd >= NOFILE)
		return EBADF;
	spinlock_acquire(&fdt->fd_lock);
	*oldp = fdt->fd_ofiles[fd];
	fdt->fd_ofiles[fd] = f;
	spinlock_release(&fdt->fd_lock);
	return 0;
}
