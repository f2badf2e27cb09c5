/* xv6's gets(buf, max): one line from fd 0, newline kept, NUL-terminated. */
#include <unistd.h>

char *gets(char *buf, int max);

char *
gets(char *buf, int max)
{
	int i = 0;
	char c;

	while (i + 1 < max) {
		if (read(0, &c, 1) < 1)
			break;
		buf[i++] = c;
		if (c == '\n' || c == '\r')
			break;
	}
	buf[i] = '\0';
	return buf;
}
