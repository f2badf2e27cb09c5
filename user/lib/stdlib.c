/* Numbers from strings, and leaving the program. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "libc.h"

unsigned long
strtoul(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long v = 0;
	int neg = 0, any = 0, overflow = 0;

	while (isspace(*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    isxdigit(p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (;; p++) {
		int d;
		if (isdigit(*p))
			d = *p - '0';
		else if (isalpha(*p))
			d = tolower(*p) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (ULONG_MAX - d) / base)
			overflow = 1;
		v = v * base + d;
		any = 1;
	}
	if (end != NULL)
		*end = (char *)(any ? p : s);
	if (overflow) {
		errno = ERANGE;
		return ULONG_MAX;
	}
	return neg ? -v : v;
}

long
strtol(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long v;
	int neg;

	while (isspace(*p))
		p++;
	neg = *p == '-';
	v = strtoul(s, end, base);
	if (neg)
		v = -v;		/* magnitude, as strtoul negated it */
	if (!neg && v > (unsigned long)LONG_MAX) {
		errno = ERANGE;
		return LONG_MAX;
	}
	if (neg && v > (unsigned long)LONG_MAX + 1) {
		errno = ERANGE;
		return LONG_MIN;
	}
	return neg ? -(long)(v - 1) - 1 : (long)v;
}

long
atol(const char *s)
{
	return strtol(s, NULL, 10);
}

int
atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

int
abs(int x)
{
	return x < 0 ? -x : x;
}

long
labs(long x)
{
	return x < 0 ? -x : x;
}

#define NATEXIT	8
static void (*atexit_fns[NATEXIT])(void);
static int natexit;

int
atexit(void (*fn)(void))
{
	if (natexit == NATEXIT)
		return -1;
	atexit_fns[natexit++] = fn;
	return 0;
}

/* The status exit() was called with, for atexit functions that sign it. */
int __exit_status;

/* Run the atexit functions in reverse order, flush stdio, then leave. */
void
exit(int status)
{
	__exit_status = status;
	while (natexit > 0)
		atexit_fns[--natexit]();
	__stdio_flushall();
	_exit(status);
}

void
_Exit(int status)
{
	_exit(status);
}

/* abort: SIGABRT with its default action (terminate), whatever the handler was. */
void
abort(void)
{
	__stdio_flushall();
	signal(SIGABRT, SIG_DFL);
	kill(getpid(), SIGABRT);
	kill(getpid(), SIGKILL);
	_exit(128 + SIGABRT);
}
