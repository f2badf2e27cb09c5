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
} input = { .lock = { .name = "console input" } };

void
cons_write(const char *s, size_t n)
{
	int locked = !panicking;

	if (locked)
		spinlock_acquire(&cons_lock);
	for (size_t i = 0; i < n; i++)
		md_cons_putc(s[i]);
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

static int
console_read(struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done)
{
	char kbuf[INPUT_SIZE];
	size_t got = 0;

	if (n > sizeof(kbuf))
		n = sizeof(kbuf);
	spinlock_acquire(&input.lock);
	while (got < n) {
		while (input.r == input.w) {
			if (p->p_killed) {
				spinlock_release(&input.lock);
				return EINTR;
			}
			sleep(&input.r, &input.lock, "ttyin");
		}
		char c = input.buf[input.r++ % INPUT_SIZE];
		if (c == CTRL('D')) {
			/* Leave it for the next read, which then returns 0. */
			if (got > 0)
				input.r--;
			break;
		}
		kbuf[got++] = c;
		if (c == '\n')
			break;
	}
	spinlock_release(&input.lock);

	if (copyout(p, ubuf, kbuf, got) != 0)
		return EFAULT;
	*done = got;
	return 0;
}

static int
console_write(struct proc *p, vaddr_t ubuf, size_t n, ssize_t *done)
{
	char kbuf[128];
	size_t off = 0;

	while (off < n) {
		size_t chunk = MIN(n - off, sizeof(kbuf));
		if (copyin(p, kbuf, ubuf + off, chunk) != 0) {
			if (off > 0)
				break;
			return EFAULT;
		}
		cons_write(kbuf, chunk);
		off += chunk;
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
