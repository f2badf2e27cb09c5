/*
 * Open files and descriptor tables (kern/fs/file.c, kern/fs/filedesc.c).
 *
 * A struct file is one open of a file, pipe or device: it holds the offset,
 * so two descriptors that refer to the same struct file share an offset
 * (after dup, or in a parent and child after fork).  A struct filedesc is a
 * process's descriptor table.  fork1() gives the child fdcopy() (a new
 * table whose entries point at the same files) or, with FORK_SHAREFILES,
 * fdshare() (the same table, reference counted), as OpenBSD does.
 */
#ifndef KERN_FILE_H
#define KERN_FILE_H

#include "types.h"
#include "spinlock.h"
#include <aqua/limits.h>

struct stat;

enum filetype { FT_NONE, FT_PIPE, FT_INODE, FT_DEVICE };

struct file {
	enum filetype	f_type;
	int		f_count;	/* references: descriptor slots, plus calls using it */
	char		f_readable;
	char		f_writable;
	char		f_append;
	struct pipe	*f_pipe;	/* FT_PIPE */
	struct inode	*f_inode;	/* FT_INODE and FT_DEVICE */
	off_t		f_offset;	/* FT_INODE */
	short		f_major;	/* FT_DEVICE */
};

struct filedesc {
	int		fd_refcnt;	/* processes using this table */
	struct spinlock	fd_lock;	/* protects fd_ofiles when shared */
	struct file	*fd_ofiles[NOFILE];
};

/* kern/fs/file.c */
void	fileinit(void);
struct file *file_alloc(void);		/* NULL when the system table (NFILE) is full */
struct file *file_dup(struct file *f);
void	file_close(struct file *f);
int	file_stat(struct file *f, struct proc *p, vaddr_t ust);
int	file_read(struct file *f, struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done);
int	file_write(struct file *f, struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done);
int	file_count_inuse(void);

/* kern/fs/filedesc.c */
struct filedesc *fdinit(void);		/* empty table, or NULL */
struct filedesc *fdcopy(struct proc *p);	/* copy of p's table, or NULL */
struct filedesc *fdshare(struct proc *p);	/* p's table, one more reference */
void	fdfree(struct proc *p);		/* drop p's reference; the last closes every file */
int	fdalloc(struct proc *p, struct file *f, int *fdp);	/* lowest free slot, EMFILE */
struct file *fd_getfile(struct proc *p, int fd);	/* referenced (FRELE it), or NULL */
struct file *fd_release(struct proc *p, int fd);	/* empty the slot; its file, or NULL */
void	fdremove(struct proc *p, int fd, struct file *f);	/* undo fdalloc if slot fd still holds f */
int	fd_replace(struct proc *p, int fd, struct file *f, struct file **oldp);	/* dup2: 0 or EBADF */

/*
 * References held by a system call, as in OpenBSD.  fd_getfile() returns
 * the file with one more reference, which the caller drops with FRELE()
 * when it is done with the file.  In a table shared by threads or by
 * FORK_SHAREFILES processes, another CPU may close the descriptor (or
 * close it and open another file under the same number) at any moment:
 * that drops only the slot's reference, and the file -- its inode, its
 * pipe -- lives until the last call using it lets go.
 */
#define FREF(f)		((void)file_dup(f))
#define FRELE(f, p)	((void)(p), file_close(f))

/* Device switch: the console is major CONSOLE_MAJOR. */
struct devsw {
	int	(*d_read)(struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done);
	int	(*d_write)(struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done);
};
extern struct devsw devsw[];

/* kern/fs/pipe.c */
int	pipe_alloc(struct file **rf, struct file **wf);
void	pipe_close(struct pipe *pi, int writable);
int	pipe_read(struct pipe *pi, struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done);
int	pipe_write(struct pipe *pi, struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done);

#endif
