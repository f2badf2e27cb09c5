/* wc: count lines, words and bytes. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static unsigned long tlines, twords, tbytes;

static int
count(int fd, const char *name)
{
	char buf[1024];
	unsigned long lines = 0, words = 0, bytes = 0;
	int inword = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		bytes += n;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n')
				lines++;
			if (isspace((unsigned char)buf[i])) {
				inword = 0;
			} else if (!inword) {
				inword = 1;
				words++;
			}
		}
	}
	if (n < 0) {
		fprintf(stderr, "wc: %s: %s\n", name, strerror(errno));
		return -1;
	}
	printf("%lu %lu %lu%s%s\n", lines, words, bytes, *name ? " " : "", name);
	tlines += lines;
	twords += words;
	tbytes += bytes;
	return 0;
}

int
main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return count(0, "") < 0;
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0) {
			fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		if (count(fd, argv[i]) < 0)
			status = 1;
		close(fd);
	}
	if (argc > 2)
		printf("%lu %lu %lu total\n", tlines, twords, tbytes);
	return status;
}
