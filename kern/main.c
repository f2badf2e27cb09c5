/*
 * Where the portable kernel starts.  The port has set up the CPU, paging,
 * traps and the physical memory ranges (kmem_add_range) when it calls
 * kern_main() on the boot CPU, and kern_main_ap() on each other CPU.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "page.h"
#include "fs.h"
#include "file.h"

struct cpu cpus[MAXCPUS];
int ncpu;

/*
 * Was the kernel booted with the blank-separated word `word'?  Only the
 * words before `run=' count: what follows it is init's program and its
 * arguments, which a user may choose, not a kernel option.
 */
int
booted_with(const char *word)
{
	const char *s = md_bootargs();
	size_t n = strlen(word);

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || strncmp(s, "run=", 4) == 0)
			return 0;
		if (strncmp(s, word, n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == '\t'))
			return 1;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
	}
}

/*
 * The first code of process 1, in the kernel.  Mounting the root file
 * system reads the disk, and disk I/O sleeps, so it must happen here in
 * a process rather than in kern_main.  Then init becomes /bin/init.
 */
static void
start_init(void *arg)
{
	struct proc *p = arg;
	char *argv[] = { "init", NULL };
	int error;

	fs_init(ROOTDEV);

	log_begin_op();
	p->p_cwd = namei(p, "/");
	log_end_op();
	if (p->p_cwd == NULL)
		panic("start_init: no root directory");

	error = kern_exec(p, "/bin/init", argv);
	if (error)
		panic("start_init: cannot exec /bin/init (error %d)", error);
	md_userret(p);
}

void
kern_main(void)
{
	int error;

	consinit();
	printf("\naqua6: %s, %d CPUs, %lu MiB\n", MD_ARCH_NAME, ncpu,
	    page_total_count() * PAGE_SIZE / (1024 * 1024));

	procinit();
	fileinit();
	binit();
	cpu_configure();

	/*
	 * init is proc0's child, created like any other process.  FORK_IDLE
	 * keeps it from running until initproc is set.
	 */
	error = fork1(&proc0, FORK_FORK | FORK_IDLE, start_init, NULL, NULL, &initproc);
	if (error)
		panic("kern_main: cannot create init (error %d)", error);
	strlcpy(initproc->p_comm, "init", sizeof(initproc->p_comm));
	proc_setrunnable(initproc);
	reaper_start();		/* kernel thread: frees FORK_NOZOMBIE slots */

	cpu_boot_secondary_processors();
	scheduler();
}

void
kern_main_ap(void)
{
	scheduler();
}
