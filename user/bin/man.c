/*
 * man: print a page of the manual.
 *
 *	man [section] name	the file /man/name.section
 *	man -k word		every page whose NAME line contains word
 *
 * The pages are the plain-text files docs/man/<name>.<section> of the
 * source tree, which the Makefile copies into /man in the file system
 * image.  Without a section man tries sections 1, 2, 9, 8, 3 in turn.
 *
 * One page may describe several names ("waitpid, wait - ..."), and some
 * names do not fit in a file name at all: a directory entry holds at
 * most DIRSIZ (14) bytes, so kthread_create(9) lives in kthread.9.  So
 * when no file is called name.section, man also reads the NAME line of
 * each page of that section and takes the page that lists name there,
 * as the links (MLINKS) of a BSD manual would.
 *
 * There is no pager: the page goes to standard output a block at a time.
 */
#include <aqua/fsformat.h>	/* struct dirent, DIRSIZ */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MANDIR		"/man"
#define SEARCH_ORDER	"12983"	/* sections tried when none is given */
#define HEAD_MAX	2048	/* the NAME line is within this many bytes */
#define NAMELINE_MAX	160

/* Write all n bytes to fd (a pipe may take them in pieces).  0 or -1. */
static int
write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w <= 0)
			return -1;
		buf += w;
		n -= w;
	}
	return 0;
}

/* Copy the open page fd to standard output.  0, or 1 after a message. */
static int
show(int fd, const char *path)
{
	char buf[1024];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write_all(STDOUT_FILENO, buf, n) < 0) {
			/* A reader that went away (EPIPE) is not worth a word. */
			if (errno != EPIPE)
				perror("man: write");
			return 1;
		}
	}
	if (n < 0) {
		fprintf(stderr, "man: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/*
 * The NAME line of the page at path, without its indentation, into line
 * (for example "waitpid, wait - collect the status ...").  0, or -1 if
 * the page cannot be read or has no NAME section.
 */
static int
name_line(const char *path, char *line, size_t size)
{
	char head[HEAD_MAX + 1];
	ssize_t n;
	int fd;
	char *p, *end;

	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	n = read(fd, head, HEAD_MAX);
	close(fd);
	if (n <= 0)
		return -1;
	head[n] = '\0';

	/* The heading is a line of its own: "NAME" at the start of a line. */
	p = head;
	while (strncmp(p, "NAME", 4) != 0 || (p[4] != '\n' && p[4] != ' ')) {
		if ((p = strchr(p, '\n')) == NULL)
			return -1;
		p++;
	}
	if ((p = strchr(p, '\n')) == NULL)
		return -1;
	/* The first non-blank line after it is the NAME line. */
	while (*p == '\n' || *p == ' ')
		p++;
	if ((end = strchr(p, '\n')) == NULL)
		end = p + strlen(p);
	while (end > p && end[-1] == ' ')
		end--;
	if (end == p)
		return -1;
	if ((size_t)(end - p) >= size)
		end = p + size - 1;
	memcpy(line, p, end - p);
	line[end - p] = '\0';
	return 0;
}

/* Does the names part of a NAME line ("waitpid, wait - ...") list name? */
static int
lists_name(const char *line, const char *name)
{
	const char *dash = strstr(line, " - ");
	const char *p = line, *end = dash ? dash : line + strlen(line);
	size_t len = strlen(name);

	while (p < end) {
		const char *q = p;
		while (q < end && *q != ',' && *q != ' ')
			q++;
		if ((size_t)(q - p) == len && strncmp(p, name, len) == 0)
			return 1;
		p = q + 1;
	}
	return 0;
}

/*
 * Call fn(file, section, arg) for every page in /man, in directory
 * order; file is the entry's name ("waitpid.2").  Stops when fn returns
 * non-zero and returns that value; 0 when every page was seen.
 */
static int
each_page(int (*fn)(const char *file, char section, void *arg), void *arg)
{
	struct dirent de;
	char file[DIRSIZ + 1];
	int fd, r = 0;

	if ((fd = open(MANDIR, O_RDONLY)) < 0) {
		fprintf(stderr, "man: %s: %s\n", MANDIR, strerror(errno));
		return -1;
	}
	while (r == 0 && read(fd, &de, sizeof(de)) == (ssize_t)sizeof(de)) {
		size_t len;

		if (de.inum == 0)
			continue;
		memcpy(file, de.name, DIRSIZ);
		file[DIRSIZ] = '\0';
		len = strlen(file);
		/* Only "something.<digit>" is a page. */
		if (len < 3 || file[len - 2] != '.' || !isdigit(file[len - 1]))
			continue;
		r = fn(file, file[len - 1], arg);
	}
	close(fd);
	return r;
}

/* The search for the page that lists a name in one section. */
struct alias_search {
	const char *name;
	char	section;
	char	path[sizeof(MANDIR) + DIRSIZ + 1];
};

static int
alias_match(const char *file, char section, void *arg)
{
	struct alias_search *s = arg;
	char line[NAMELINE_MAX];

	if (section != s->section)
		return 0;
	snprintf(s->path, sizeof(s->path), "%s/%s", MANDIR, file);
	return name_line(s->path, line, sizeof(line)) == 0 && lists_name(line, s->name);
}

/*
 * Open the page for name in section: the file name.section, or the page
 * of that section whose NAME line lists name.  The descriptor (path in
 * path), or -1.
 */
static int
open_page(const char *name, char section, char *path, size_t size)
{
	struct alias_search s;
	int fd;

	/* A '/' would leave /man: such a name has no page. */
	if (strchr(name, '/') != NULL)
		return -1;
	if (snprintf(path, size, "%s/%s.%c", MANDIR, name, section) < (int)size &&
	    (fd = open(path, O_RDONLY)) >= 0)
		return fd;
	/* ENOENT, or ENAMETOOLONG for a name over DIRSIZ: look for an alias. */
	s.name = name;
	s.section = section;
	if (each_page(alias_match, &s) != 1)
		return -1;
	snprintf(path, size, "%s", s.path);
	return open(path, O_RDONLY);
}

/* Lower-case substring test, for -k. */
static int
contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay != '\0'; hay++) {
		size_t i;
		for (i = 0; i < n && hay[i] != '\0'; i++)
			if (tolower((unsigned char)hay[i]) != tolower((unsigned char)needle[i]))
				break;
		if (i == n)
			return 1;
	}
	return n == 0;
}

struct keyword_search {
	const char *word;
	int	found;
};

/* -k: print "names(section) - description" for a page that matches. */
static int
keyword_match(const char *file, char section, void *arg)
{
	struct keyword_search *k = arg;
	char path[sizeof(MANDIR) + DIRSIZ + 1], line[NAMELINE_MAX];
	const char *dash;

	snprintf(path, sizeof(path), "%s/%s", MANDIR, file);
	if (name_line(path, line, sizeof(line)) < 0 || !contains_nocase(line, k->word))
		return 0;
	k->found = 1;
	if ((dash = strstr(line, " - ")) != NULL)
		printf("%.*s(%c)%s\n", (int)(dash - line), line, section, dash);
	else
		printf("%s(%c)\n", line, section);
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: man [section] name\n       man -k word\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	char path[sizeof(MANDIR) + 64];
	const char *name, *sections = SEARCH_ORDER;
	char one[2] = { 0, 0 };
	int fd, r;

	if (argc == 3 && strcmp(argv[1], "-k") == 0) {
		struct keyword_search k = { argv[2], 0 };

		if (each_page(keyword_match, &k) < 0)
			return 1;
		if (!k.found) {
			fprintf(stderr, "man: nothing appropriate for %s\n", argv[2]);
			return 1;
		}
		return 0;
	}
	if (argc == 3 && isdigit(argv[1][0]) && argv[1][1] == '\0') {
		one[0] = argv[1][0];
		sections = one;
		name = argv[2];
	} else if (argc == 2 && argv[1][0] != '-') {
		name = argv[1];
	} else {
		return usage();
	}

	for (const char *s = sections; *s != '\0'; s++) {
		if ((fd = open_page(name, *s, path, sizeof(path))) >= 0) {
			r = show(fd, path);
			close(fd);
			return r;
		}
	}
	if (sections == one)
		fprintf(stderr, "man: no manual entry for %s in section %s\n", name, one);
	else
		fprintf(stderr, "man: no manual entry for %s\n", name);
	return 1;
}
