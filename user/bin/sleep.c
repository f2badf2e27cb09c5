/* sleep: wait for a number of seconds (a fraction such as 0.5 is allowed). */
#include <stdio.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	unsigned long ms = 0, scale = 1000;
	const char *s;

	if (argc != 2) {
		fprintf(stderr, "usage: sleep seconds\n");
		return 1;
	}
	for (s = argv[1]; *s >= '0' && *s <= '9'; s++)
		ms = ms * 10 + (*s - '0') * 1000;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && scale > 1; s++) {
			scale /= 10;
			ms += (*s - '0') * scale;
		}
	if (*s != '\0') {
		fprintf(stderr, "sleep: %s: not a number\n", argv[1]);
		return 1;
	}
	msleep(ms);
	return 0;
}
