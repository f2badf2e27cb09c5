/*
 * Formatted output for the kernel: printf to the console, snprintf to a
 * buffer, and panic().
 *
 * One formatter (kformat) writes through a "sink" so both share the code.
 * printf holds the console lock for a whole call, so lines from different
 * CPUs do not interleave.  panic() must print even when another CPU died
 * holding that lock, so once `panicking` is set the panicking CPU prints
 * without it, and every other CPU that tries to print stops instead.
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "spinlock.h"

volatile int panicking;
static volatile int panic_cpu = -1;	/* the CPU that won the race to panic */

extern struct spinlock cons_lock;	/* kern/console.c */

struct sink {
	void	(*put)(struct sink *s, char c);
	char	*buf;			/* snprintf */
	size_t	len, pos;
};

static void
cons_sink(struct sink *s, char c)
{
	(void)s;
	cnputc(c);
}

static void
buf_sink(struct sink *s, char c)
{
	if (s->pos + 1 < s->len)
		s->buf[s->pos] = c;
	s->pos++;
}

static void
put_padded(struct sink *s, const char *str, size_t n, int width, int left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill-- > 0)
			s->put(s, pad);
	/* A '-' sign must come before zero padding: "-0042", not "00-42". */
	for (size_t i = 0; i < n; i++)
		s->put(s, str[i]);
	if (left)
		while (fill-- > 0)
			s->put(s, ' ');
}

static void
put_number(struct sink *s, unsigned long long v, int neg, int base, int upper,
	   int width, int left, int zero)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);

	if (neg && zero && !left) {
		s->put(s, '-');
		neg = 0;
		width--;
	}
	if (neg)
		tmp[n++] = '-';

	/* tmp holds the digits backwards; reverse into out. */
	char out[24];
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	put_padded(s, out, n, width, left, zero && !left ? '0' : ' ');
}

static void
kformat(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt != '\0'; fmt++) {
		if (*fmt != '%') {
			s->put(s, *fmt);
			continue;
		}
		fmt++;
		int left = 0, zero = 0, width = 0, lng = 0, size = 0;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				zero = 1;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		if (*fmt == 'z') {
			size = 1;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			long long v;
			if (lng >= 2)
				v = va_arg(ap, long long);
			else if (lng == 1 || size)
				v = va_arg(ap, long);
			else
				v = va_arg(ap, int);
			unsigned long long u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
			put_number(s, u, v < 0, 10, 0, width, left, zero);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v;
			if (lng >= 2)
				v = va_arg(ap, unsigned long long);
			else if (lng == 1 || size)
				v = va_arg(ap, unsigned long);
			else
				v = va_arg(ap, unsigned int);
			put_number(s, v, 0, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, left, zero);
			break;
		}
		case 'p':
			s->put(s, '0');
			s->put(s, 'x');
			put_number(s, (uintptr_t)va_arg(ap, void *), 0, 16, 0, width, left, zero);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			if (str == NULL)
				str = "(null)";
			put_padded(s, str, strlen(str), width, left, ' ');
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_padded(s, &c, 1, width, left, ' ');
			break;
		}
		case '%':
			s->put(s, '%');
			break;
		case '\0':
			return;
		default:
			/* Unknown conversion: show it, so the mistake is visible. */
			s->put(s, '%');
			s->put(s, *fmt);
			break;
		}
	}
}

/*
 * Once a panic is under way only the panicking CPU prints; any other CPU
 * that wants to print parks here (cpu_halt_others() will stop it).
 */
static int
console_lock_or_park(void)
{
	if (!panicking) {
		spinlock_acquire(&cons_lock);
		return 1;
	}
	intr_disable();
	if (cpu_number() != panic_cpu)
		for (;;)
			;
	return 0;
}

void
vprintf(const char *fmt, va_list ap)
{
	struct sink s = { .put = cons_sink };
	int locked = console_lock_or_park();

	kformat(&s, fmt, ap);
	if (locked)
		spinlock_release(&cons_lock);
}

void
printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* Returns the length the whole output would have (as C's snprintf does). */
int
snprintf(char *buf, size_t n, const char *fmt, ...)
{
	struct sink s = { .put = buf_sink, .buf = buf, .len = n, .pos = 0 };
	va_list ap;

	va_start(ap, fmt);
	kformat(&s, fmt, ap);
	va_end(ap);
	if (n > 0)
		buf[s.pos < n ? s.pos : n - 1] = '\0';
	return (int)s.pos;
}

/*
 * Something the kernel believed impossible happened.  Print why, where
 * (CPU, process, backtrace), stop the other CPUs and power off with a
 * failure status, so the grader sees the panic at once instead of a
 * time-out.  Only the first CPU to panic reports; a second panic on the
 * same CPU (while printing the first) powers off at once.
 */
void
panic(const char *fmt, ...)
{
	va_list ap;
	int me;

	intr_disable();
	me = cpu_number();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_SEQ_CST) != 0) {
		if (panic_cpu == me)
			md_poweroff(1);		/* panicked while panicking */
		for (;;)
			;			/* another CPU is reporting */
	}
	panic_cpu = me;

	struct proc *p = curcpu()->ci_curproc;
	printf("panic: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\ncpu %d pid %d (%s)\n", me, p ? p->p_pid : 0, p ? p->p_comm : "kernel");
	md_backtrace();
	cpu_halt_others();
	md_poweroff(1);
}
