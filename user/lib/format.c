/*
 * The printf engine: every printf-family function formats through
 * __format(), which hands the characters one at a time to an output
 * function (a stream, a string, a file descriptor).
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%, with the flags '-' '0' ' '
 * '+' '#', a width and a precision (numbers or '*'), and the length
 * modifiers hh h l ll z j t.  A length modifier with no conversion after
 * it, xv6's bare %l, prints an unsigned long in decimal (xv6's ls prints
 * sizes so); the character after it is ordinary text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "libc.h"

struct fmtstate {
	void	(*put)(void *ctx, char c);
	void	*ctx;
	int	count;		/* characters produced so far */
};

static void
emit(struct fmtstate *st, char c)
{
	st->put(st->ctx, c);
	st->count++;
}

static void
pad(struct fmtstate *st, char c, int n)
{
	while (n-- > 0)
		emit(st, c);
}

/*
 * Print one number: sign or prefix, zero padding for the precision (or the
 * '0' flag), then the digits, justified in width.
 */
static void
number(struct fmtstate *st, uintmax_t v, int neg, int base, int upper,
    int width, int prec, int left, int zero, char signch, const char *prefix)
{
	char digits[32];
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0, plen, body, zeros;

	while (v != 0) {
		digits[n++] = set[v % base];
		v /= base;
	}
	if (n == 0 && prec != 0)
		digits[n++] = '0';
	if (neg)
		signch = '-';
	plen = (signch ? 1 : 0) + (prefix ? (int)strlen(prefix) : 0);
	zeros = prec > n ? prec - n : 0;
	if (zero && !left && prec < 0 && width > plen + n)
		zeros = width - plen - n;
	body = plen + zeros + n;
	if (!left)
		pad(st, ' ', width - body);
	if (signch)
		emit(st, signch);
	for (; prefix && *prefix; prefix++)
		emit(st, *prefix);
	pad(st, '0', zeros);
	while (n > 0)
		emit(st, digits[--n]);
	if (left)
		pad(st, ' ', width - body);
}

int
__format(void (*put)(void *, char), void *ctx, const char *fmt, va_list ap)
{
	struct fmtstate st = { put, ctx, 0 };

	for (; *fmt != '\0'; fmt++) {
		int left = 0, zero = 0, alt = 0, width = 0, prec = -1, size = 0;
		char signch = 0;

		if (*fmt != '%') {
			emit(&st, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				zero = 1;
			else if (*fmt == '+')
				signch = '+';
			else if (*fmt == ' ' && signch == 0)
				signch = ' ';
			else if (*fmt == '#')
				alt = 1;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = 1;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* size: -2 hh, -1 h, 0 int, 1 long, 2 long long (all 64-bit longs here) */
		for (;; fmt++) {
			if (*fmt == 'h')
				size--;
			else if (*fmt == 'l' || *fmt == 'z' || *fmt == 'j' || *fmt == 't')
				size++;
			else
				break;
		}

		if (size > 0 && (*fmt == '\0' || strchr("diuxXopsc%", *fmt) == NULL)) {
			number(&st, va_arg(ap, unsigned long), 0, 10, 0,
			    width, prec, left, zero, 0, NULL);
			fmt--;
			continue;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			intmax_t v;
			if (size > 0)
				v = va_arg(ap, long);
			else
				v = va_arg(ap, int);
			if (size == -1)
				v = (short)v;
			else if (size <= -2)
				v = (signed char)v;
			number(&st, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0, 10, 0,
			    width, prec, left, zero, signch, NULL);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uintmax_t v;
			int base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			const char *prefix = NULL;
			if (size > 0)
				v = va_arg(ap, unsigned long);
			else
				v = va_arg(ap, unsigned int);
			if (size == -1)
				v = (unsigned short)v;
			else if (size <= -2)
				v = (unsigned char)v;
			if (alt && v != 0)
				prefix = base == 16 ? (*fmt == 'X' ? "0X" : "0x") : base == 8 ? "0" : NULL;
			number(&st, v, 0, base, *fmt == 'X', width, prec, left, zero, 0, prefix);
			break;
		}
		case 'p':
			number(&st, (uintptr_t)va_arg(ap, void *), 0, 16, 0,
			    width, prec, left, zero, 0, "0x");
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int len;
			if (s == NULL)
				s = "(null)";
			len = prec >= 0 ? (int)strnlen(s, prec) : (int)strlen(s);
			if (!left)
				pad(&st, ' ', width - len);
			for (int i = 0; i < len; i++)
				emit(&st, s[i]);
			if (left)
				pad(&st, ' ', width - len);
			break;
		}
		case 'c':
			if (!left)
				pad(&st, ' ', width - 1);
			emit(&st, (char)va_arg(ap, int));
			if (left)
				pad(&st, ' ', width - 1);
			break;
		case '%':
			emit(&st, '%');
			break;
		case '\0':
			/* A lone '%' at the end: print it and stop. */
			emit(&st, '%');
			fmt--;
			break;
		default:
			/* Unknown conversion: show it as written. */
			emit(&st, '%');
			emit(&st, *fmt);
			break;
		}
	}
	return st.count;
}
