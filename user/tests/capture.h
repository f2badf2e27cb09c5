/*
 * capture.h: run a program with its output on a pipe, for test programs
 * that check what a utility prints (ps, forkstat, dbg).
 *
 * Checking that output in the test program, not on the console, puts the
 * verdict under the program's signature (<verdict.h>): the grader never
 * reads a utility's lines off a console that the kernel writes.
 */
#ifndef USER_TESTS_CAPTURE_H
#define USER_TESTS_CAPTURE_H

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Run path with argv, its standard output and error into buf (at most
 * size - 1 bytes, NUL-terminated; the rest is read and dropped so the
 * program never blocks on a full pipe).  Reading until end of file waits
 * for every process that inherited the pipe.  Returns waitpid's status,
 * or -1 if it could not be started; *pidp (if not NULL) gets the pid the
 * program ran as.  The output is also echoed as "# " lines, so that a
 * failing check shows what the program printed.
 */
static __attribute__((unused)) int
capture(const char *path, char *const argv[], char *buf, size_t size, pid_t *pidp)
{
	int p[2], status;
	size_t len = 0;
	char junk[256];
	ssize_t r;
	pid_t pid;

	buf[0] = '\0';
	if (pipe(p) < 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		exec(path, argv);
		_exit(127);
	}
	close(p[1]);
	if (pidp != NULL)
		*pidp = pid;
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	while ((r = read(p[0], len < size - 1 ? buf + len : junk,
	    len < size - 1 ? size - 1 - len : sizeof(junk))) > 0)
		if (len < size - 1)
			len += r;
	buf[len] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	for (char *line = buf; *line != '\0';) {
		char *end = strchr(line, '\n');
		int n = end != NULL ? (int)(end - line) : (int)strlen(line);

		printf("# | %.*s\n", n, line);
		line += n + (end != NULL);
	}
	return status;
}

/*
 * Walk the lines of a captured buffer: ends line at its newline and
 * returns the next one, or NULL after the last.
 *	for (char *line = buf, *next; line != NULL; line = next) {
 *		next = cut_line(line);
 *		...
 */
static __attribute__((unused)) char *
cut_line(char *line)
{
	char *end = strchr(line, '\n');

	if (end == NULL)
		return NULL;
	*end = '\0';
	return end[1] != '\0' ? end + 1 : NULL;
}

/* Split line (NUL- or newline-ended) into at most max blank-separated words. */
static __attribute__((unused)) int
words(const char *line, char word[][32], int max)
{
	int n = 0;

	while (*line != '\0' && *line != '\n') {
		int len = 0;

		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '\0' || *line == '\n')
			break;
		while (*line != '\0' && *line != '\n' && *line != ' ' && *line != '\t') {
			if (n < max && len < 31)
				word[n][len++] = *line;
			line++;
		}
		if (n < max)
			word[n][len] = '\0';
		n++;
	}
	return n;
}

/* Is s a decimal number (at least one digit)? */
static __attribute__((unused)) int
is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

#endif
