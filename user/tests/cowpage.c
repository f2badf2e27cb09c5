/*
 * cowpage: fork of a page that is writable inside a read-only region.
 *
 * Linked by user/tests/cowpage.ld so that the first data of the program
 * sits on the last page of its read-only data.  exec maps that page
 * read-write (its two segments need both), in the region of the
 * read-only segment.  The copy-on-write rule (region writable, mapping
 * not) cannot tell such a page from a private writable one, so fork must
 * copy it at once; sharing it would leave it writable in both processes.
 * 70 pages of .bss put the page in a last-level page table with enough
 * other pages to be worth sharing whole at fork (stage cow-tables): the
 * table must not be, for sharing it would write-protect this page, and
 * the data on it is writable.
 *
 * Exit status: 0 the parent and the child each see only their own writes;
 * 1 the child's write reached the parent; 2 the child did not see the
 * parent's value at fork, or its own write; 3 the program is not laid out
 * as this test needs (a linker change: the test proves nothing then);
 * 4 fork or wait failed.
 */
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
#include <machine/vmparam.h>	/* VM_TABLE_SPAN */

#define PAGE	4096UL

static const char label[] = "read-only data, on the page the data starts on";
static volatile long shared_word = 1;	/* .data: the first variable */
static volatile char pad[70 * PAGE];		/* .bss, in the same page table */

int
main(void)
{
	int status;

	if ((unsigned long)label / PAGE != (unsigned long)&shared_word / PAGE) {
		printf("cowpage: label at %p and shared_word at %p are on different pages\n",
		    (void *)label, (void *)&shared_word);
		return 3;
	}
	if ((unsigned long)label / VM_TABLE_SPAN != (unsigned long)&pad[sizeof(pad) - 1] / VM_TABLE_SPAN) {
		printf("cowpage: label at %p and the end of pad at %p are in different page tables\n",
		    (void *)label, (void *)&pad[sizeof(pad) - 1]);
		return 3;
	}
	pad[0] = 1;
	shared_word = 2;
	pid_t pid = fork();
	if (pid < 0)
		return 4;
	if (pid == 0) {
		if (shared_word != 2)
			_exit(2);
		shared_word = 3;
		_exit(shared_word == 3 ? 0 : 2);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 4;
	if (WEXITSTATUS(status) != 0)
		return WEXITSTATUS(status);
	if (shared_word != 2) {
		printf("cowpage: the parent reads %ld, the value its child wrote\n", shared_word);
		return 1;
	}
	return label[0] == 'r' ? 0 : 3;
}
