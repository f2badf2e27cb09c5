/*
 * The console: kernel output (printf, cons_write) and the console device
 * /dev/console (major CONSOLE_MAJOR) that user programs read and write.
 *
 * Input is line-buffered and edited here, as a terminal line discipline
 * would: the UART interrupt hands us each byte (consintr), we echo it and
 * keep it; read() gets whole lines.
 *   Backspace / DEL  erase the last character
 *   Ctrl-U           erase the line
 *   Ctrl-D           end of file (a read returns what the line had so far,
 *                    or 0 at the start of a line)
 *   Ctrl-P           print the process table (debugging, like ps)
 *   Ctrl-C           SIGINT to the foreground programs (kern/signal.c)
 */
#include "systm.h"
#include "md.h"
#include "proc.h"
#include "spinlock.h"
#include "file.h"
#include "fs.h"

#define CTRL(c)		((c) - '@')
#define INPUT_SIZE	256

/* Output lock, shared with printf.c.  Statically ready: printing may come first. */
struct spinlock cons_lock = { .name = "console" };

static struct {
	struct spinlock	lock;
	char		buf[INPUT_SIZE];
	unsigned int	r;		/* next byte read() returns */
	unsigned int	w;		/* end of the completed lines */
	unsigned int	e;		/* end of the line being edited */
	int		reading;	/* a read() is copying out bytes from r on */
} input = { .lock = { .name = "console input" } };

void
cons_write(const char *s, size_t n)
{
	int locked = !panicking;

	if (locked)
		spinlock_acquire(&cons_lock);
	for (size_t i = 0; i < n; i++)
		cnputc(s[i]);
	if (locked)
		spinlock_release(&cons_lock);
}

static void
echo(int c)
{
	if (c == '\b') {
		cons_write("\b \b", 3);	/* step back, blank it, step back */
	} else {
		char ch = c;
		cons_write(&ch, 1);
	}
}

/*
 * read() from the console: the completed input up to the end of a line (or
 * n bytes).  The bytes are copied out before they are taken, and only those
 * that copyout_part() delivered are taken: a read into a bad buffer leaves
 * the typed line for the next read instead of losing it.  Since the bytes
 * stay in the buffer while the lock is dropped, one reader at a time does
 * this (input.reading).
 */
static int
console_read(struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done)
{
	char kbuf[INPUT_SIZE];
	size_t got = 0, out = 0;
	unsigned int pos;
	int error = 0;

	if (n > sizeof(kbuf))
		n = sizeof(kbuf);
	if (n == 0)
		return 0;
	spinlock_acquire(&input.lock);
	while (input.r == input.w || input.reading) {
		if (p->p_killed) {
			spinlock_release(&input.lock);
			return EINTR;
		}
		sleep(&input.r, &input.lock, "ttyin");
	}
	for (pos = input.r; got < n && pos != input.w; pos++) {
		char c = input.buf[pos % INPUT_SIZE];
		if (c == CTRL('D')) {
			/*
			 * End of file: a read at the start of a line takes the
			 * Ctrl-D and returns 0; one with bytes before it leaves
			 * it for the next read.
			 */
			if (got == 0)
				input.r++;
			break;
		}
		kbuf[got++] = c;
		if (c == '\n')
			break;
	}
	if (got == 0) {
		spinlock_release(&input.lock);
		*done = 0;
		return 0;
	}
	input.reading = 1;
	spinlock_release(&input.lock);

	error = copyout_part(p, ubuf, kbuf, got, &out);

	spinlock_acquire(&input.lock);
	input.r += out;
	input.reading = 0;
	wakeup(&input.r);
	spinlock_release(&input.lock);
	*done = out;
	return out > 0 ? 0 : error;
}

static int
console_write(struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done)
{
	char kbuf[128];
	size_t off = 0;

	while (off < n) {
		size_t chunk;
		/* Up to a bad page the bytes are written and counted. */
		int error = copyin_part(p, kbuf, ubuf + off, MIN(n - off, sizeof(kbuf)), &chunk);
		cons_write(kbuf, chunk);
		off += chunk;
		if (error) {
			if (off > 0)
				break;
			return error;
		}
	}
	*done = off;
	return 0;
}

/* A byte typed on the console (from the UART interrupt). */
void
consintr(int c)
{
	if (c == CTRL('P')) {
		proc_dump();
		return;
	}
	if (c == CTRL('C')) {
		/*
		 * Ctrl-C: drop the line being typed and send SIGINT to the
		 * foreground, which is every user process that does not
		 * ignore SIGINT (kern/signal.c explains; sh ignores it).
		 */
		spinlock_acquire(&input.lock);
		input.e = input.w;
		spinlock_release(&input.lock);
		cons_write("^C\n", 3);
		signal_console_intr();
		return;
	}

	spinlock_acquire(&input.lock);
	switch (c) {
	case CTRL('U'):
		while (input.e != input.w &&
		    input.buf[(input.e - 1) % INPUT_SIZE] != '\n') {
			input.e--;
			echo('\b');
		}
		break;
	case '\b':
	case 0x7f:
		if (input.e != input.w) {
			input.e--;
			echo('\b');
		}
		break;
	default:
		if (c == 0 || input.e - input.r >= INPUT_SIZE)
			break;
		if (c == '\r')
			c = '\n';
		if (c != CTRL('D'))
			echo(c);
		input.buf[input.e++ % INPUT_SIZE] = c;
		/* A line is ready for read() at newline, EOF, or a full buffer. */
		if (c == '\n' || c == CTRL('D') || input.e - input.r == INPUT_SIZE) {
			input.w = input.e;
			wakeup(&input.r);
		}
		break;
	}
	spinlock_release(&input.lock);
}

void
consinit(void)
{
	devsw[CONSOLE_MAJOR].d_read = console_read;
	devsw[CONSOLE_MAJOR].d_write = console_write;
}
