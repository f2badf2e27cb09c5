/*
 * forkstat: print the kernel's fork statistics (forkstat(2)), like the
 * forkstat part of OpenBSD's `sysctl kern.forkstat`.
 */
#include <stdio.h>
#include <aqua/forkstat.h>

int
main(void)
{
	struct forkstat fs;

	if (forkstat(&fs) < 0) {
		perror("forkstat");
		return 1;
	}
	printf("%-12s %10s %12s\n", "kind", "processes", "pages");
	printf("%-12s %10lu %12lu\n", "fork", fs.cntfork, fs.sizfork);
	printf("%-12s %10lu %12lu\n", "vfork", fs.cntvfork, fs.sizvfork);
	printf("%-12s %10lu %12lu\n", "thread", fs.cnttfork, fs.siztfork);
	printf("%-12s %10lu %12lu\n", "kthread", fs.cntkthread, fs.sizkthread);
	return 0;
}
