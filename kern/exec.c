/*
 * exec: replace a process's program with an ELF64 executable.
 *
 * The new address space is built on the side (text and data from the
 * PT_LOAD segments, an empty heap after them, a stack under USER_TOP
 * with an unmapped guard page below it, the arguments on the stack), and
 * only when all of that worked does it replace the old one.  So a failed
 * exec returns its errno to a process whose image is untouched:
 * ENOENT (no such file), ENOTDIR or ENAMETOOLONG (from the path lookup),
 * EACCES (not a regular file), ENOEXEC (not an ELF64 executable for this
 * machine, no PT_LOAD segment, or a segment both writable and
 * executable), E2BIG (arguments do not fit), ENOMEM.
 *
 * The file may be hostile (any user can write one): every size in it is
 * checked before anything is allocated (check_segments), so the work of
 * an exec is bounded by the memory it really gets, and a kill ends a long
 * one between two pages.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "vm.h"
#include "page.h"
#include "fs.h"

/* The ELF64 structures and constants exec needs (from the ELF spec). */
#define ELF_MAGIC	0x464c457fU	/* "\x7fELF" read as a little-endian word */
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define ET_EXEC		2
#define PT_LOAD		1
#define PF_X		0x1
#define PF_W		0x2
#define PF_R		0x4

struct elf64_ehdr {
	uint32_t e_magic;
	uint8_t	e_class, e_data, e_version, e_osabi;
	uint8_t	e_pad[8];
	uint16_t e_type, e_machine;
	uint32_t e_version2;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

static int
check_header(const struct elf64_ehdr *eh)
{
	if (eh->e_magic != ELF_MAGIC || eh->e_class != ELFCLASS64 ||
	    eh->e_data != ELFDATA2LSB || eh->e_type != ET_EXEC ||
	    eh->e_phentsize != sizeof(struct elf64_phdr))
		return ENOEXEC;
#ifdef MD_ELF_MACHINE
	/* The port names its machine (EM_X86_64, EM_RISCV). */
	if (eh->e_machine != MD_ELF_MACHINE)
		return ENOEXEC;
#endif
	return 0;
}

/*
 * Check a PT_LOAD segment against the file and the address space, before
 * anything is allocated: ENOEXEC for what no ELF file may say (file bytes
 * past the end of the file or more than the segment's memory, a vaddr
 * and file offset that disagree within a page, a range outside user
 * space, a segment before the previous one's page, a segment that allows
 * no access at all: its region would have no protection, and a region
 * with r_prot 0 is a free slot, so its pages would be mapped with no
 * region to free them at exit), ENOMEM for a segment
 * that reaches the stack.  *pages grows by the pages it needs.
 */
static int
check_segment(const struct inode *ip, const struct elf64_phdr *ph, vaddr_t *prev_end,
    uint64_t *pages)
{
	vaddr_t stack_bottom = USER_TOP - USTACK_PAGES * PAGE_SIZE;

	if ((ph->p_flags & (PF_R | PF_W | PF_X)) == 0 ||
	    ph->p_memsz < ph->p_filesz || ph->p_offset + ph->p_filesz < ph->p_offset ||
	    ph->p_offset + ph->p_filesz > ip->i_size ||
	    (ph->p_filesz > 0 && ph->p_vaddr % PAGE_SIZE != ph->p_offset % PAGE_SIZE) ||
	    !user_range_ok(ph->p_vaddr, ph->p_memsz) ||
	    ph->p_vaddr < *prev_end - (*prev_end ? PAGE_SIZE : 0))
		return ENOEXEC;
	vaddr_t end = PGROUNDUP(ph->p_vaddr + ph->p_memsz);
	if (end > stack_bottom - PAGE_SIZE)
		return ENOMEM;		/* the image would run into the stack (exec.2) */
	*pages += (end - PGROUNDDOWN(ph->p_vaddr)) / PAGE_SIZE;
	if (end > *prev_end)
		*prev_end = end;
	return 0;
}

/* Program header i of the file (both passes of exec read them): 0, or -1. ip locked. */
static int
read_phdr(struct inode *ip, const struct elf64_ehdr *eh, int i, struct elf64_phdr *ph)
{
	uint64_t off = eh->e_phoff + (uint64_t)i * sizeof(*ph);

	KASSERT(sleeplock_holding(&ip->i_lock));
	return readi(ip, 0, NULL, (uintptr_t)ph, off, sizeof(*ph)) == sizeof(*ph) ? 0 : -1;
}

/*
 * Map one PT_LOAD segment (checked by check_segment) and read its file
 * bytes.  Segments are sorted by address (the ELF spec requires it); when
 * one starts in the page the previous one ended in, that page is shared,
 * its protection widened.  *mapped_end is the end of what earlier
 * segments mapped.  A kill (p_killed) stops it between two pages: EINTR,
 * which nobody sees (the process dies on its way out).
 */
static int
load_segment(struct proc *p, struct vmspace *vm, struct inode *ip, const struct elf64_phdr *ph,
    vaddr_t *mapped_end)
{
	int prot = VM_PROT_USER;

	if (ph->p_flags & PF_R)
		prot |= VM_PROT_READ;
	if (ph->p_flags & PF_W)
		prot |= VM_PROT_WRITE;
	if (ph->p_flags & PF_X)
		prot |= VM_PROT_EXEC;
	/* W^X: a page is writable or executable, never both. */
	if ((prot & VM_PROT_WRITE) && (prot & VM_PROT_EXEC))
		return ENOEXEC;
	if (ph->p_memsz < ph->p_filesz || ph->p_vaddr < *mapped_end - (*mapped_end ? PAGE_SIZE : 0) ||
	    !user_range_ok(ph->p_vaddr, ph->p_memsz) || ph->p_offset + ph->p_filesz < ph->p_offset)
		return ENOEXEC;

	vaddr_t start = PGROUNDDOWN(ph->p_vaddr);
	vaddr_t end = PGROUNDUP(ph->p_vaddr + ph->p_memsz);
	if (start < *mapped_end) {
		/* The first page is the previous segment's last: widen it. */
		paddr_t pa;
		int oldprot;
		if (!pmap_extract(vm->vm_pmap, start, &pa, &oldprot))
			return ENOEXEC;
		if (((oldprot | prot) & (VM_PROT_WRITE | VM_PROT_EXEC)) ==
		    (VM_PROT_WRITE | VM_PROT_EXEC))
			return ENOEXEC;
		pmap_protect(vm->vm_pmap, start, start + PAGE_SIZE, oldprot | prot);
		start += PAGE_SIZE;
	}
	if (start < end) {
		KASSERT((prot & ~VM_PROT_USER) != 0);	/* check_segment: else a free slot */
		if (vm_region_add(vm, start, end, prot & ~VM_PROT_USER, 0, NULL) == NULL)
			return ENOMEM;
		for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
			if (p->p_killed)
				return EINTR;	/* the caller frees vm, pages included */
			paddr_t pa = page_alloc();
			if (pa == 0)
				return ENOMEM;
			if (pmap_enter(vm->vm_pmap, va, pa, prot) != 0) {
				page_unref(pa);
				return ENOMEM;
			}
		}
	}
	if (end > *mapped_end)
		*mapped_end = end;

	/* The file's bytes, page by page through the direct map (pages are zeroed). */
	for (uint64_t done = 0; done < ph->p_filesz; ) {
		vaddr_t va = ph->p_vaddr + done;
		paddr_t pa;
		int prot2;
		if (p->p_killed)
			return EINTR;
		if (!pmap_extract(vm->vm_pmap, PGROUNDDOWN(va), &pa, &prot2))
			return ENOEXEC;
		unsigned int n = MIN(ph->p_filesz - done, PAGE_SIZE - va % PAGE_SIZE);
		char *dst = (char *)PA_TO_PTR(PGROUNDDOWN(pa)) + va % PAGE_SIZE;
		if (readi(ip, 0, NULL, (uintptr_t)dst, ph->p_offset + done, n) != (int)n)
			return ENOEXEC;
		done += n;
	}
	return 0;
}

/*
 * Put argv on the new stack: the strings at the top, then the pointer
 * array (NULL-terminated), 16-byte aligned as both ABIs want at entry.
 */
static int
push_args(struct vmspace *vm, vaddr_t stack_bottom, char *const *argv,
    vaddr_t *spp, int *argcp, vaddr_t *argvp)
{
	uint64_t uargv[MAXARG + 1];
	vaddr_t sp = USER_TOP;
	int argc;

	for (argc = 0; argv[argc] != NULL; argc++) {
		if (argc >= MAXARG)
			return E2BIG;
		size_t len = strlen(argv[argc]) + 1;
		if (sp - stack_bottom < len + PAGE_SIZE)
			return E2BIG;
		sp -= len;
		if (copyout_vm(vm, sp, argv[argc], len) != 0)
			return EFAULT;
		uargv[argc] = sp;
	}
	uargv[argc] = 0;

	size_t size = (argc + 1) * sizeof(uint64_t);
	sp = (sp - size) & ~(vaddr_t)15;
	if (sp < stack_bottom)
		return E2BIG;
	if (copyout_vm(vm, sp, uargv, size) != 0)
		return EFAULT;
	*spp = sp;
	*argcp = argc;
	*argvp = sp;
	return 0;
}

int
kern_exec(struct proc *p, const char *path, char *const *argv)
{
	struct elf64_ehdr eh;
	struct vmspace *vm = NULL;
	struct inode *ip;
	vaddr_t image_end = 0, sp, uargv;
	int argc, error;

	log_begin_op();
	/* The lookup's own reason: ENOENT, ENOTDIR or ENAMETOOLONG (not always ENOENT). */
	if ((error = namei_lookup(p, path, 0, NULL, &ip)) != 0) {
		log_end_op();
		return error;
	}
	ilock(ip);

	error = EACCES;			/* a directory or a device (POSIX) */
	if (ip->i_type != T_FILE)
		goto fail;
	error = ENOEXEC;
	if (readi(ip, 0, NULL, (uintptr_t)&eh, 0, sizeof(eh)) != sizeof(eh) ||
	    check_header(&eh) != 0)
		goto fail;

	/*
	 * First every segment is checked, and the pages they need counted:
	 * more than are free cannot succeed (as sbrk and vmap: ENOMEM at
	 * once), and nothing is allocated for a file that lies.  So a memsz
	 * of 127 TiB costs a few comparisons, not an allocation loop and an
	 * unwinding over the range.  The pass reads the headers only (at
	 * most e_phnum of them, 65535).
	 */
	uint64_t pages = 0;
	vaddr_t prev_end = 0;
	/* Every header inside the file (readi's offsets are 32 bits: no wrapping). */
	error = ENOEXEC;
	if (eh.e_phoff > ip->i_size ||
	    (uint64_t)eh.e_phnum * sizeof(struct elf64_phdr) > ip->i_size - eh.e_phoff)
		goto fail;
	for (int i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		error = ENOEXEC;
		if (read_phdr(ip, &eh, i, &ph) != 0)
			goto fail;
		if (ph.p_type != PT_LOAD)
			continue;
		if ((error = check_segment(ip, &ph, &prev_end, &pages)) != 0)
			goto fail;
		error = EINTR;
		if (p->p_killed)
			goto fail;
	}
	error = ENOMEM;
	if (pages + USTACK_PAGES > page_free_count())
		goto fail;
	if ((vm = vmspace_alloc()) == NULL)
		goto fail;

	for (int i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;
		error = ENOEXEC;
		if (read_phdr(ip, &eh, i, &ph) != 0)
			goto fail;
		if (ph.p_type != PT_LOAD)
			continue;
		if ((error = load_segment(p, vm, ip, &ph, &image_end)) != 0)
			goto fail;
	}
	iunlockput(ip);
	log_end_op();
	ip = NULL;

	/* The stack under USER_TOP, a guard page below it, the heap after the image. */
	vaddr_t stack_bottom = USER_TOP - USTACK_PAGES * PAGE_SIZE;
	error = ENOEXEC;		/* no PT_LOAD segment: nothing to run */
	if (image_end == 0)
		goto fail;
	error = ENOMEM;
	if (image_end > stack_bottom - PAGE_SIZE)
		goto fail;
	if ((error = vm_map_anon(vm, stack_bottom, USER_TOP,
	    VM_PROT_READ | VM_PROT_WRITE, VR_STACK)) != 0)
		goto fail;
	error = ENOMEM;
	if (vm_region_add(vm, image_end, image_end, VM_PROT_READ | VM_PROT_WRITE, VR_HEAP, NULL) == NULL)
		goto fail;
	vm->vm_heap_start = vm->vm_brk = image_end;

	if ((error = push_args(vm, stack_bottom, argv, &sp, &argc, &uargv)) != 0)
		goto fail;

	/* ---- commit: nothing below can fail ---- */
	const char *name = path;
	for (const char *s = path; *s != '\0'; s++)
		if (*s == '/' && s[1] != '\0')
			name = s + 1;
	strlcpy(p->p_comm, name, sizeof(p->p_comm));

	struct vmspace *old = p->p_vmspace;
	intr_push();
	spinlock_acquire(&proc_lock);	/* vmapinfo(2) reads other processes' maps under it */
	p->p_vmspace = vm;
	spinlock_release(&proc_lock);
	pmap_activate(p);
	intr_pop();
	setregs(p, eh.e_entry, sp, argc, uargv);
	if (old != NULL)
		vmspace_free(old);
	proc_ppwait_release(p);		/* vfork: the parent may go on now */
	signal_exec(p);			/* handlers reset; a traced process stops (kern/signal.c) */
	return 0;

fail:
	if (vm != NULL)
		vmspace_free(vm);
	if (ip != NULL) {
		iunlockput(ip);
		log_end_op();
	}
	return error;
}
