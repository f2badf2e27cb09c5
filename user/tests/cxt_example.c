#include <aqua/context.h>
#include <stdio.h>

int main(void) {

	pid_t new_proc = makecxt(0, 0, -1, NULL, 0, MAKECXT_COPY_CONTEXT);

	printf("Calling from process: %u\n", getpid());
}
