/*
 * File-system system calls.
 *
 * Each handler checks its arguments, does the work with the layers below
 * (file.c, filedesc.c, fs.c) and returns 0 or an errno, with its result in
 * retval[0].  Anything that can change the disk -- including dropping an
 * inode reference, which may free the inode -- runs inside one
 * log_begin_op()/log_end_op() transaction.
 *
 * User pointers are only ever touched through copyin, copyout and
 * copyinstr: a bad pointer is EFAULT.  Path names are copied in whole
 * (at most MAXPATH bytes with the NUL) before anything is looked up.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "proc.h"
#include "syscall.h"
#include "fs.h"
#include "file.h"
#include <aqua/fcntl.h>

/* Copy a user path in: 0, EFAULT, or ENAMETOOLONG (no NUL in MAXPATH bytes). */
static int
get_path(struct proc *p, vaddr_t upath, char *path)
{
	size_t done = 0;
	int error;

	error = copyinstr(p, path, upath, MAXPATH, &done);
	if (error == 0 && strnlen(path, MAXPATH) >= MAXPATH)
		error = ENAMETOOLONG;
	return error;
}

/*
 * A path with no last component ("/", "//") has no parent, so looking its
 * parent up fails with ENOENT even though the path exists: the root.
 */
static int
is_root(struct proc *p, const char *path, int error)
{
	struct inode *ip;

	if (error != ENOENT || namei_lookup(p, path, 0, NULL, &ip) != 0)
		return 0;
	iput(ip);
	return 1;
}

/*
 * The file behind descriptor args[n] with a reference the handler must drop
 * with FRELE() on every way out, or NULL (EBADF).  Another thread sharing
 * the table may close the descriptor meanwhile; the reference keeps the
 * file, and what it holds, alive until the handler is done with it.
 */
#define ARG_FILE(p, args, n)	fd_getfile((p), SCARG_INT((args), (n)))

int
sys_read(struct proc *p, const register_t *args, register_t *retval)
{
	struct file *f;
	ssize_t done;
	int error;

	if ((f = ARG_FILE(p, args, 0)) == NULL)
		return EBADF;
	error = file_read(f, p, SCARG_PTR(args, 1), SCARG_SIZE(args, 2), &done);
	FRELE(f, p);
	if (error)
		return error;
	retval[0] = done;
	return 0;
}

int
sys_write(struct proc *p, const register_t *args, register_t *retval)
{
	struct file *f;
	ssize_t done;
	int error;

	if ((f = ARG_FILE(p, args, 0)) == NULL)
		return EBADF;
	error = file_write(f, p, SCARG_PTR(args, 1), SCARG_SIZE(args, 2), &done);
	FRELE(f, p);
	if (error)
		return error;
	retval[0] = done;
	return 0;
}

/*
 * Make a new inode named path, of the given type, and return it locked in
 * *ipp.  If the name exists: for a plain file (open with O_CREAT and no
 * O_EXCL) the existing file or device will do; a directory there is EISDIR;
 * anything else is EEXIST.  In a transaction.
 */
static int
create(struct proc *p, const char *path, short type, short major, short minor,
       int excl, struct inode **ipp)
{
	struct inode *dp, *ip;
	char name[DIRSIZ + 1];
	int error, slash = path[0] != '\0' && path[strlen(path) - 1] == '/';

	*ipp = NULL;
	if ((error = namei_lookup(p, path, 1, name, &dp)) != 0) {
		if (!is_root(p, path, error))
			return error;
		/* The root exists; like any directory, open(O_CREAT) gives EISDIR. */
		return type == T_FILE && !excl ? EISDIR : EEXIST;
	}
	ilock(dp);
	if (dp->i_nlink == 0) {
		/* The directory was removed while someone still had it open. */
		iunlockput(dp);
		return ENOENT;
	}
	if ((ip = dirlookup(dp, name, NULL, &error)) != NULL) {
		iunlockput(dp);
		ilock(ip);
		if (type == T_FILE && !excl && (ip->i_type == T_FILE || ip->i_type == T_DEVICE)) {
			if (slash) {
				/* "file/" names a directory or nothing: ENOTDIR. */
				iunlockput(ip);
				return ENOTDIR;
			}
			*ipp = ip;
			return 0;
		}
		error = (type == T_FILE && !excl && ip->i_type == T_DIR) ? EISDIR : EEXIST;
		iunlockput(ip);
		return error;
	}
	if (error != ENOENT) {
		/* The name exists, but the in-core inode table is full (ENFILE). */
		iunlockput(dp);
		return error;
	}
	if (slash && type != T_DIR) {
		/* Only a directory may be made under a name ending in '/' (Linux: EISDIR). */
		iunlockput(dp);
		return EISDIR;
	}

	if ((ip = ialloc(dp->i_dev, type, &error)) == NULL) {
		iunlockput(dp);
		return error;
	}
	ilock(ip);
	ip->i_major = major;
	ip->i_minor = minor;
	ip->i_nlink = 1;
	iupdate(ip);

	if (type == T_DIR) {
		/* "." names the directory itself and is not counted in its
		 * link count (that would keep it alive forever); ".." is
		 * counted in the parent's. */
		if ((error = dirlink(ip, ".", ip->i_inum)) != 0 ||
		    (error = dirlink(ip, "..", dp->i_inum)) != 0)
			goto undo;
	}
	if ((error = dirlink(dp, name, ip->i_inum)) != 0)
		goto undo;
	if (type == T_DIR) {
		dp->i_nlink++;
		iupdate(dp);
	}
	iunlockput(dp);
	*ipp = ip;
	return 0;

undo:
	/* No entry names the new inode: iput frees it and its blocks. */
	ip->i_nlink = 0;
	iupdate(ip);
	iunlockput(ip);
	iunlockput(dp);
	return error;
}

int
sys_open(struct proc *p, const register_t *args, register_t *retval)
{
	char path[MAXPATH];
	int flags = SCARG_INT(args, 1);
	int acc = flags & O_ACCMODE;
	int readable, writable, error, fd;
	struct inode *ip;
	struct file *f;

	if (acc == O_ACCMODE)
		return EINVAL;
	readable = acc != O_WRONLY;
	writable = acc != O_RDONLY;
	if ((error = get_path(p, SCARG_PTR(args, 0), path)) != 0)
		return error;

	log_begin_op();
	if (flags & O_CREAT) {
		error = create(p, path, T_FILE, 0, 0, flags & O_EXCL, &ip);
		if (error) {
			log_end_op();
			return error;
		}
	} else {
		if ((error = namei_lookup(p, path, 0, NULL, &ip)) != 0) {
			log_end_op();
			return error;
		}
		ilock(ip);
	}

	if (ip->i_type == T_DIR && writable) {
		error = EISDIR;
		goto bad;
	}
	if (ip->i_type == T_DEVICE && (ip->i_major < 0 || ip->i_major >= NDEV)) {
		error = ENXIO;
		goto bad;
	}
	if ((f = file_alloc()) == NULL) {
		error = ENFILE;
		goto bad;
	}
	/*
	 * Complete the file before a descriptor names it: from then on
	 * another thread sharing the table can use it.
	 */
	if (ip->i_type == T_DEVICE) {
		f->f_type = FT_DEVICE;
		f->f_major = ip->i_major;
	} else {
		f->f_type = FT_INODE;
	}
	f->f_inode = ip;
	f->f_offset = 0;
	f->f_readable = readable;
	f->f_writable = writable;
	f->f_append = (flags & O_APPEND) != 0;
	if ((error = fdalloc(p, f, &fd)) != 0) {
		/* Nobody saw f: free the slot only; the inode goes below. */
		f->f_type = FT_NONE;
		f->f_inode = NULL;
		file_close(f);
		goto bad;
	}
	if ((flags & O_TRUNC) && writable && ip->i_type == T_FILE)
		itrunc(ip);
	iunlock(ip);
	log_end_op();
	retval[0] = fd;
	return 0;

bad:
	iunlockput(ip);
	log_end_op();
	return error;
}

int
sys_close(struct proc *p, const register_t *args, register_t *retval)
{
	struct file *f;

	if ((f = fd_release(p, SCARG_INT(args, 0))) == NULL)
		return EBADF;
	file_close(f);
	return 0;
}

int
sys_pipe(struct proc *p, const register_t *args, register_t *retval)
{
	struct file *rf, *wf;
	int fds[2], error;

	if ((error = pipe_alloc(&rf, &wf)) != 0)
		return error;
	if ((error = fdalloc(p, rf, &fds[0])) != 0) {
		file_close(rf);
		file_close(wf);
		return error;
	}
	if ((error = fdalloc(p, wf, &fds[1])) != 0) {
		fdremove(p, fds[0], rf);
		file_close(wf);
		return error;
	}
	if (copyout(p, SCARG_PTR(args, 0), fds, sizeof(fds)) != 0) {
		fdremove(p, fds[0], rf);
		fdremove(p, fds[1], wf);
		return EFAULT;
	}
	return 0;
}

int
sys_link(struct proc *p, const register_t *args, register_t *retval)
{
	char old[MAXPATH], new[MAXPATH], name[DIRSIZ + 1];
	struct inode *ip, *dp;
	int error;

	if ((error = get_path(p, SCARG_PTR(args, 0), old)) != 0 ||
	    (error = get_path(p, SCARG_PTR(args, 1), new)) != 0)
		return error;

	log_begin_op();
	if ((error = namei_lookup(p, old, 0, NULL, &ip)) != 0) {
		log_end_op();
		return error;
	}
	ilock(ip);
	if (ip->i_type == T_DIR) {
		/* Hard links to directories would make the tree a graph. */
		iunlockput(ip);
		log_end_op();
		return EPERM;
	}
	if (ip->i_nlink >= 32767) {
		iunlockput(ip);
		log_end_op();
		return EMLINK;
	}
	/* Count the new link first: a crash then leaves one too many, never too few. */
	ip->i_nlink++;
	iupdate(ip);
	iunlock(ip);

	if ((error = namei_lookup(p, new, 1, name, &dp)) != 0) {
		if (is_root(p, new, error))
			error = EEXIST;
		goto undo;
	}
	ilock(dp);
	if (dp->i_dev != ip->i_dev)
		error = EXDEV;
	else if (dp->i_nlink == 0)
		error = ENOENT;
	else
		error = dirlink(dp, name, ip->i_inum);
	iunlockput(dp);
	if (error)
		goto undo;
	iput(ip);
	log_end_op();
	return 0;

undo:
	ilock(ip);
	ip->i_nlink--;
	iupdate(ip);
	iunlockput(ip);
	log_end_op();
	return error;
}

int
sys_unlink(struct proc *p, const register_t *args, register_t *retval)
{
	char path[MAXPATH], name[DIRSIZ + 1];
	struct inode *dp, *ip;
	struct dirent de;
	unsigned int off;
	int error;

	if ((error = get_path(p, SCARG_PTR(args, 0), path)) != 0)
		return error;

	log_begin_op();
	if ((error = namei_lookup(p, path, 1, name, &dp)) != 0) {
		if (is_root(p, path, error))
			error = EBUSY;
		log_end_op();
		return error;
	}
	ilock(dp);
	/* "." and ".." are part of the directory, not names to remove. */
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		error = EINVAL;
		goto out_dp;
	}
	if ((ip = dirlookup(dp, name, &off, &error)) == NULL)
		goto out_dp;		/* ENOENT, or ENFILE */
	ilock(ip);
	if (ip->i_nlink < 1)
		panic("unlink: inode %u has no links", ip->i_inum);
	if (ip->i_type != T_DIR && path[strlen(path) - 1] == '/') {
		/* "file/" names a directory or nothing: ENOTDIR. */
		iunlockput(ip);
		error = ENOTDIR;
		goto out_dp;
	}
	if (ip->i_type == T_DIR && !dir_isempty(ip)) {
		iunlockput(ip);
		error = ENOTEMPTY;
		goto out_dp;
	}

	memset(&de, 0, sizeof(de));
	if (writei(dp, 0, NULL, (uintptr_t)&de, off, sizeof(de)) != sizeof(de))
		panic("unlink: cannot clear the entry");
	if (ip->i_type == T_DIR) {
		dp->i_nlink--;		/* the ".." that pointed at dp */
		iupdate(dp);
	}
	iunlockput(dp);
	ip->i_nlink--;
	iupdate(ip);
	iunlockput(ip);		/* frees it if nobody has it open */
	log_end_op();
	return 0;

out_dp:
	iunlockput(dp);
	log_end_op();
	return error;
}

int
sys_chdir(struct proc *p, const register_t *args, register_t *retval)
{
	char path[MAXPATH];
	struct inode *ip;
	int error;

	if ((error = get_path(p, SCARG_PTR(args, 0), path)) != 0)
		return error;
	log_begin_op();
	if ((error = namei_lookup(p, path, 0, NULL, &ip)) != 0) {
		log_end_op();
		return error;
	}
	ilock(ip);
	if (ip->i_type != T_DIR) {
		iunlockput(ip);
		log_end_op();
		return ENOTDIR;
	}
	iunlock(ip);
	if (p->p_cwd)
		iput(p->p_cwd);
	p->p_cwd = ip;
	log_end_op();
	return 0;
}

int
sys_mknod(struct proc *p, const register_t *args, register_t *retval)
{
	char path[MAXPATH];
	int major = SCARG_INT(args, 1), minor = SCARG_INT(args, 2);
	struct inode *ip;
	int error;

	if (major < 0 || major >= NDEV || minor < 0 || minor > 32767)
		return EINVAL;
	if ((error = get_path(p, SCARG_PTR(args, 0), path)) != 0)
		return error;
	log_begin_op();
	error = create(p, path, T_DEVICE, major, minor, 1, &ip);
	if (error == 0)
		iunlockput(ip);
	log_end_op();
	return error;
}

int
sys_mkdir(struct proc *p, const register_t *args, register_t *retval)
{
	char path[MAXPATH];
	struct inode *ip;
	int error;

	if ((error = get_path(p, SCARG_PTR(args, 0), path)) != 0)
		return error;
	log_begin_op();
	error = create(p, path, T_DIR, 0, 0, 1, &ip);
	if (error == 0)
		iunlockput(ip);
	log_end_op();
	return error;
}

int
sys_fstat(struct proc *p, const register_t *args, register_t *retval)
{
	struct file *f;

	int error;

	if ((f = ARG_FILE(p, args, 0)) == NULL)
		return EBADF;
	error = file_stat(f, p, SCARG_PTR(args, 1));
	FRELE(f, p);
	return error;
}

int
sys_lseek(struct proc *p, const register_t *args, register_t *retval)
{
	struct file *f;
	off_t off = (off_t)args[1], base;
	int whence = SCARG_INT(args, 2);
	int error = 0;

	if ((f = ARG_FILE(p, args, 0)) == NULL)
		return EBADF;
	if (f->f_type != FT_INODE) {
		FRELE(f, p);
		return ESPIPE;
	}
	ilock(f->f_inode);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = f->f_offset;
		break;
	case SEEK_END:
		base = f->f_inode->i_size;
		break;
	default:
		error = EINVAL;
		goto out;
	}
	/* base is small (< 2^63), so only a huge positive off can overflow. */
	if ((off > 0 && base > 0x7fffffffffffffffL - off) || base + off < 0) {
		error = EINVAL;
		goto out;
	}
	f->f_offset = base + off;
	retval[0] = f->f_offset;
out:
	iunlock(f->f_inode);
	FRELE(f, p);
	return error;
}

int
sys_dup(struct proc *p, const register_t *args, register_t *retval)
{
	struct file *f;
	int fd, error;

	/* fd_getfile's reference becomes the new slot's. */
	if ((f = ARG_FILE(p, args, 0)) == NULL)
		return EBADF;
	if ((error = fdalloc(p, f, &fd)) != 0) {
		FRELE(f, p);
		return error;
	}
	retval[0] = fd;
	return 0;
}

int
sys_dup2(struct proc *p, const register_t *args, register_t *retval)
{
	int from = SCARG_INT(args, 0), to = SCARG_INT(args, 1);
	struct file *f, *old;
	int error;

	if (to < 0 || to >= NOFILE || (f = fd_getfile(p, from)) == NULL)
		return EBADF;
	if (from == to) {
		FRELE(f, p);
		retval[0] = to;
		return 0;
	}
	/* fd_getfile's reference becomes slot to's. */
	if ((error = fd_replace(p, to, f, &old)) != 0) {
		FRELE(f, p);
		return error;
	}
	if (old)
		file_close(old);
	retval[0] = to;
	return 0;
}

/*
 * The name under which directory dir (inode number inum) appears in its
 * parent dp (locked), into name.  0 or ENOENT.
 */
static int
name_in_parent(struct inode *dp, unsigned int inum, char *name)
{
	struct dirent de;
	unsigned int off;

	KASSERT(sleeplock_holding(&dp->i_lock));
	for (off = 0; off + sizeof(de) <= dp->i_size; off += sizeof(de)) {
		if (readi(dp, 0, NULL, (uintptr_t)&de, off, sizeof(de)) != sizeof(de))
			break;
		if (de.inum != inum || strncmp(de.name, ".", DIRSIZ) == 0 ||
		    strncmp(de.name, "..", DIRSIZ) == 0)
			continue;
		memmove(name, de.name, DIRSIZ);
		name[DIRSIZ] = '\0';
		return 0;
	}
	return ENOENT;
}

/*
 * getcwd: there are no names stored with the current directory, so climb
 * "..", asking each parent which of its entries is the child, and build the
 * path from its end.  The root is its own parent.  ERANGE if the path and
 * its NUL do not fit in len bytes; ENOENT if the directory was removed.
 */
int
sys_getcwd(struct proc *p, const register_t *args, register_t *retval)
{
	vaddr_t ubuf = SCARG_PTR(args, 0);
	size_t len = SCARG_SIZE(args, 1), plen, nlen;
	char path[MAXPATH], name[DIRSIZ + 1];
	struct inode *cur, *parent;
	size_t pos = MAXPATH - 1;
	int error = 0;

	path[pos] = '\0';
	log_begin_op();		/* iput below could, in principle, free an inode */
	cur = p->p_cwd ? idup(p->p_cwd) : namei(p, "/");
	while (cur != NULL) {
		ilock(cur);
		if (cur->i_inum == ROOTINO) {
			iunlockput(cur);
			break;
		}
		parent = dirlookup(cur, "..", NULL, &error);
		iunlock(cur);
		if (parent == NULL) {
			iput(cur);	/* error: ENOENT (removed), or ENFILE */
			break;
		}
		ilock(parent);
		error = name_in_parent(parent, cur->i_inum, name);
		iunlock(parent);
		iput(cur);
		cur = parent;
		if (error == 0) {
			nlen = strnlen(name, DIRSIZ);
			if (pos < nlen + 1)
				error = ENAMETOOLONG;
		}
		if (error) {
			iput(cur);
			break;
		}
		pos -= nlen;
		memmove(path + pos, name, nlen);
		path[--pos] = '/';
	}
	log_end_op();
	if (error)
		return error;
	if (path[pos] == '\0')
		path[--pos] = '/';	/* the root itself */
	plen = MAXPATH - 1 - pos;
	if (len < plen + 1)
		return ERANGE;
	if (copyout(p, ubuf, path + pos, plen + 1) != 0)
		return EFAULT;
	retval[0] = 0;
	return 0;
}
