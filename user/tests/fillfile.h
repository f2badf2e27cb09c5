/*
 * fillfile.h: make a file of n bytes that are all c, for the test
 * programs that read a file's bytes back and must tell whose they are.
 */
#ifndef USER_TESTS_FILLFILE_H
#define USER_TESTS_FILLFILE_H

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* 0, or -1 with errno set (the file may then be short). */
static __attribute__((unused)) int
fill_file(const char *path, char c, size_t n)
{
	char bytes[512];
	int fd = open(path, O_CREAT | O_RDWR | O_TRUNC);

	if (fd < 0)
		return -1;
	memset(bytes, c, sizeof(bytes));
	for (size_t done = 0; done < n; ) {
		size_t k = n - done < sizeof(bytes) ? n - done : sizeof(bytes);
		if (write(fd, bytes, k) != (long)k) {
			close(fd);
			return -1;
		}
		done += k;
	}
	close(fd);
	return 0;
}

#endif
