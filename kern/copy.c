/*
 * copyin/copyout: the only way the kernel touches user memory.
 *
 * A user pointer is never dereferenced directly.  Each page is looked up
 * in the process's page tables (pmap_extract): it must be mapped, user
 * accessible, and writable for copyout; then the bytes are copied through
 * the kernel's direct map of physical memory.  So a bad pointer (NULL, a
 * kernel address, an unmapped page, a range running past USER_TOP) is an
 * EFAULT for the caller, never a fault in the kernel.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "page.h"

/*
 * The kernel address of user address va in vm, for an access of the given
 * kind, or NULL.  The page may be written only if its mapping allows it.
 */
static char *
user_byte(struct proc *p, struct vmspace *vm, vaddr_t va, int write)
{
	paddr_t pa;
	int prot;

	if (vm == NULL || va >= USER_TOP)
		return NULL;
	for (int tries = 0; tries < 2; tries++) {
		if (!pmap_extract(vm->vm_pmap, PGROUNDDOWN(va), &pa, &prot) ||
		    !(prot & VM_PROT_USER) ||
		    (write && !(prot & VM_PROT_WRITE))) {
			/* SOLUTION BEGIN cow: let the VM resolve it, as for a user fault */
			/*
			 * A copy-on-write page being written is the VM's to
			 * resolve exactly as a user-mode fault would be: the
			 * kernel writing a pipe's bytes into a buffer must
			 * copy the page just as the process's own store
			 * would.  Only for the process's own address space
			 * (not exec's new one), and once: a second failure
			 * is the caller's bad pointer.
			 */
			if (tries == 0 && p != NULL && vm == p->p_vmspace &&
			    vm_fault(p, va, write ? VM_PROT_WRITE : VM_PROT_READ) == 0)
				continue;
			/* SOLUTION ELSE cow */
			//> /*
			//>  * TODO(cow): a present but read-only page in a writable
			//>  * region is copy-on-write: resolve it with vm_fault() (as
			//>  * a user-mode write fault would be) and try again, once.
			//>  */
			/* SOLUTION END cow */
			return NULL;
		}
		return (char *)PA_TO_PTR(PGROUNDDOWN(pa)) + (va % PAGE_SIZE);
	}
	return NULL;
}

/*
 * Copy len bytes between kernel memory and vm at uva, one page at a time.
 * *done, if not NULL, gets the bytes moved before a fault: every page up
 * to the first bad one is copied whole, so that count is exact.
 */
static int
copy_user(struct proc *p, struct vmspace *vm, vaddr_t uva, void *kbuf, size_t len, int write,
	  size_t *done)
{
	char *k = kbuf;
	size_t moved = 0;
	int error = 0;

	if (done == NULL && !user_range_ok(uva, len))
		return EFAULT;		/* all or nothing: fail before any byte moves */
	while (len > 0) {
		char *u = uva < USER_TOP ? user_byte(p, vm, uva, write) : NULL;
		size_t n = PAGE_SIZE - uva % PAGE_SIZE;
		if (u == NULL) {
			error = EFAULT;
			break;
		}
		if (n > len)
			n = len;
		if (write)
			memmove(u, k, n);
		else
			memmove(k, u, n);
		uva += n;
		k += n;
		len -= n;
		moved += n;
	}
	if (done != NULL)
		*done = moved;
	return error;
}

int
copyin(struct proc *p, void *kdst, vaddr_t usrc, size_t len)
{
	return copy_user(p, p->p_vmspace, usrc, kdst, len, 0, NULL);
}

int
copyout(struct proc *p, vaddr_t udst, const void *ksrc, size_t len)
{
	return copy_user(p, p->p_vmspace, udst, (void *)ksrc, len, 1, NULL);
}

/*
 * The partial forms, for read(2) and write(2): copy what can be copied, up
 * to the first page that cannot be, and say how much in *done (0 or EFAULT
 * returned as for copyin/copyout).  A caller that takes data out of a pipe
 * or a terminal consumes exactly *done bytes, so a bad buffer loses none.
 */
int
copyin_part(struct proc *p, void *kdst, vaddr_t usrc, size_t len, size_t *done)
{
	return copy_user(p, p->p_vmspace, usrc, kdst, len, 0, done);
}

int
copyout_part(struct proc *p, vaddr_t udst, const void *ksrc, size_t len, size_t *done)
{
	return copy_user(p, p->p_vmspace, udst, (void *)ksrc, len, 1, done);
}

/* exec writes the new stack before the vmspace belongs to the process. */
int
copyout_vm(struct vmspace *vm, vaddr_t udst, const void *ksrc, size_t len)
{
	return copy_user(NULL, vm, udst, (void *)ksrc, len, 1, NULL);
}

/*
 * Copy a NUL-terminated string of at most max bytes (the NUL included).
 * *done, if not NULL, gets the length copied with the NUL.  A string that
 * does not end within max bytes is ENAMETOOLONG.
 */
int
copyinstr(struct proc *p, char *kdst, vaddr_t usrc, size_t max, size_t *done)
{
	size_t i = 0;

	while (i < max) {
		vaddr_t va = usrc + i;
		if (va < usrc)
			return EFAULT;		/* wrapped around */
		char *u = user_byte(p, p->p_vmspace, va, 0);
		if (u == NULL)
			return EFAULT;
		/* The rest of this page, at most. */
		size_t n = PAGE_SIZE - va % PAGE_SIZE;
		if (n > max - i)
			n = max - i;
		for (size_t j = 0; j < n; j++, i++) {
			kdst[i] = u[j];
			if (u[j] == '\0') {
				if (done != NULL)
					*done = i + 1;
				return 0;
			}
		}
	}
	return ENAMETOOLONG;
}
