/* poweroff: turn the machine off; QEMU exits with the given status (default 0). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int status = argc > 1 ? atoi(argv[1]) : 0;

	fflush(NULL);
	poweroff(status);
	perror("poweroff");
	return 1;
}
