/*
 * grep: print the lines that match a simple regular expression.
 *
 *	c	a character matches itself
 *	.	matches any character
 *	x*	zero or more of the preceding character (or '.')
 *	^	at the start: the match must begin the line
 *	$	at the end: the match must end the line
 *
 * Options: -i (ignore case), -v (print lines that do not match), -c
 * (count only), -n (number the lines).  Exit status 0 if a line was selected, 1 if not,
 * 2 on an error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int at_here(const char *re, const char *text);

/* re[0] is followed by '*': try the rest after 0, 1, 2... copies of it. */
static int
at_star(char c, const char *rest, const char *text)
{
	for (;;) {
		if (at_here(rest, text))
			return 1;
		if (*text == '\0' || (c != '.' && *text != c))
			return 0;
		text++;
	}
}

/* Does re match a prefix of text? */
static int
at_here(const char *re, const char *text)
{
	for (;;) {
		if (re[0] == '\0')
			return 1;
		if (re[1] == '*')
			return at_star(re[0], re + 2, text);
		if (re[0] == '$' && re[1] == '\0')
			return *text == '\0';
		if (*text == '\0' || (re[0] != '.' && re[0] != *text))
			return 0;
		re++;
		text++;
	}
}

/* Does re match anywhere in text? */
static int
matches(const char *re, const char *text)
{
	if (re[0] == '^')
		return at_here(re + 1, text);
	for (;; text++) {
		if (at_here(re, text))
			return 1;
		if (*text == '\0')
			return 0;
	}
}

static int invert, countonly, numbered, nocase;

/* -i: match lower-case copies of the pattern and of each line. */
static void
lower(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/* Returns the number of lines selected. */
static long
scan(FILE *f, const char *re, const char *name, int showname)
{
	char line[1024], folded[1024];
	long lineno = 0, selected = 0;

	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		int nl = len > 0 && line[len - 1] == '\n';

		lineno++;
		if (nl)
			line[len - 1] = '\0';
		if (nocase)
			lower(folded, line, sizeof(folded));
		if (matches(re, nocase ? folded : line) == invert)
			continue;
		selected++;
		if (countonly)
			continue;
		if (showname)
			printf("%s:", name);
		if (numbered)
			printf("%ld:", lineno);
		printf("%s\n", line);
	}
	if (countonly) {
		if (showname)
			printf("%s:", name);
		printf("%ld\n", selected);
	}
	return selected;
}

int
main(int argc, char **argv)
{
	const char *re;
	char refolded[256];
	long selected = 0;
	int i = 1, status = 0;

	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		for (const char *o = argv[i] + 1; *o; o++) {
			if (*o == 'v')
				invert = 1;
			else if (*o == 'c')
				countonly = 1;
			else if (*o == 'n')
				numbered = 1;
			else if (*o == 'i')
				nocase = 1;
			else {
				fprintf(stderr, "usage: grep [-cinv] pattern [file...]\n");
				return 2;
			}
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: grep [-cinv] pattern [file...]\n");
		return 2;
	}
	re = argv[i++];
	if (nocase) {
		if (strlen(re) >= sizeof(refolded)) {
			fprintf(stderr, "grep: pattern too long for -i\n");
			return 2;
		}
		lower(refolded, re, sizeof(refolded));
		re = refolded;
	}
	if (i == argc)
		return scan(stdin, re, "", 0) > 0 ? 0 : 1;
	for (int first = i; i < argc; i++) {
		FILE *f = fopen(argv[i], "r");
		if (f == NULL) {
			fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(errno));
			status = 2;
			continue;
		}
		selected += scan(f, re, argv[i], argc - first > 1);
		fclose(f);
	}
	if (status)
		return status;
	return selected > 0 ? 0 : 1;
}
