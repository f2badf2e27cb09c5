/*
 * cowpage: fork of a page that is writable inside a read-only region.
 *
 * Linked by user/tests/cowpage.ld so that the first data of the program
 * sits on the last page of its read-only data.  exec maps that page
 * read-write (its two segments need both), in the region of the
 * read-only segment.  The copy-on-write rule (region writable, mapping
 * not) cannot tell such a page from a private writable one, so fork must
 * copy it at once; sharing it would leave it writable in both processes.
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

#define PAGE	4096UL

static const char label[] = "read-only data, on the page the data starts on";
static volatile long shared_word = 1;	/* .data: the first variable */

int
main(void)
{
	int status;

	if ((unsigned long)label / PAGE != (unsigned long)&shared_word / PAGE) {
		printf("cowpage: label at %p and shared_word at %p are on different pages\n",
		    (void *)label, (void *)&shared_word);
		return 3;
	}
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
