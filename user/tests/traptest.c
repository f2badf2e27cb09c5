/*
 * traptest: every kind of user-mode trap reaches the program as the
 * right signal with the right code (core system; grade/tests/test_signals.py).
 *
 * The port classifies a trap (arch/<port>/trap.c): an illegal instruction
 * is SIGILL, an integer divide by zero SIGFPE, a misaligned access the
 * hardware refuses SIGBUS, a breakpoint SIGTRAP, and only a page fault
 * goes to the VM, which gives SIGSEGV when it cannot resolve it.  A
 * handler gets the code (<aqua/signal.h>) as its second argument.
 *
 * Each case runs in a child twice: once with no handler (the kernel kills
 * it: wait(2) must name the signal) and once with a handler, which exits
 * with 100 + the code it was given.  Cases whose hardware does not trap
 * on this port (RISC-V has no divide or floating-point traps) are left
 * out, not skipped: machine/trapcase.h says which.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <verdict.h>
#include <machine/reg.h>
#include <machine/trapcase.h>

static int ntest, nfail;
static int want_sig;			/* the signal the handler expects */

static void
check(int ok, const char *what, int status)
{
	ntest++;
	if (!ok)
		nfail++;
	printf("%sok %d - %s\n", ok ? "" : "not ", ntest, what);
	if (!ok) {
		if (WIFSIGNALED(status))
			printf("# the child was killed by signal %d\n", WTERMSIG(status));
		else if (WIFEXITED(status) && WEXITSTATUS(status) >= 100)
			printf("# the handler got code %d\n", WEXITSTATUS(status) - 100);
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 99)
			printf("# the handler got another signal than %d\n", want_sig);
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 97)
			printf("# the trap's handler did not get ILL_ILLOPC\n");
		else if (WIFEXITED(status) && WEXITSTATUS(status) == 98)
			printf("# no trap: the instruction went through\n");
		else
			printf("# the child: status %#x\n", status);
	}
	verdict_check(ntest, ok);
}

/* 4.3BSD's handler arguments: the signal, the code, the saved context. */
static void
handler(int sig, int code, void *ctx)
{
	(void)ctx;
	_exit(sig == want_sig ? 100 + code : 99);
}

/* The wait(2) status of a child that ran fn, with a handler for sig or not. */
static int
run(void (*fn)(void), int sig, int caught)
{
	int status = -1;
	pid_t pid;

	want_sig = sig;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if (caught) {
			struct sigaction sa;
			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = (void (*)(int))(void (*)(void))handler;
			sigaction(sig, &sa, NULL);
		}
		fn();
		_exit(98);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* One case: killed by sig without a handler, code given to a handler. */
static void
trap_case(const char *what, void (*fn)(void), int sig, int code)
{
	char name[128];
	int st;

	st = run(fn, sig, 0);
	snprintf(name, sizeof(name), "%s: killed by signal %d", what, sig);
	check(WIFSIGNALED(st) && WTERMSIG(st) == sig, name, st);
	st = run(fn, sig, 1);
	snprintf(name, sizeof(name), "%s: a handler gets signal %d, code %d", what, sig, code);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 100 + code, name, st);
}

static void
do_illegal(void)
{
	md_illegal();
}

static void
do_privileged(void)
{
	md_privileged();
}

static void
do_breakpoint(void)
{
	md_breakpoint();
}

static void
do_null_read(void)
{
	volatile int *volatile p = NULL;
	(void)*p;
}

/* Text is mapped, read and execute only: a write is refused access, not "nothing there". */
static void
do_text_write(void)
{
	volatile unsigned char *p = (volatile unsigned char *)(void *)do_text_write;
	*p = 0;
}

static volatile long zero;

static void
do_intdiv(void)
{
	(void)md_intdiv(1, zero);
}

static void
do_fpe(void)
{
	md_fpe_divide();
}

static void
do_misaligned(void)
{
	static long words[2];
	md_misaligned((char *)words + 1);
}

/* kill(2) of a signal the hardware could also raise carries SI_USER. */
static void
do_kill_self(void)
{
	kill(getpid(), SIGILL);
}

/*
 * A trap's code must not stick to the next signal: the first SIGILL (the
 * trap) is handled and returns past the instruction, then kill(2) sends
 * another, whose handler must see SI_USER.
 */
static volatile int first_code = -1;

static void
skip_handler(int sig, int code, void *ctx)
{
	struct reg *r = ctx;

	if (sig != SIGILL)
		_exit(99);
	if (first_code < 0) {
		first_code = code;
		REG_PC(r) += MD_ILLEGAL_LEN;	/* sigreturn resumes after it */
		return;
	}
	_exit(first_code == ILL_ILLOPC ? 100 + code : 97);
}

static void
do_trap_then_kill(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = (void (*)(int))(void (*)(void))skip_handler;
	sigaction(SIGILL, &sa, NULL);
	md_illegal();
	kill(getpid(), SIGILL);
}

int
main(int argc, char **argv)
{
	int st;

	verdict_begin(argc, argv);
	verdict_plan(12 + 2 * (MD_TRAP_INTDIV + MD_TRAP_FPE + MD_TRAP_MISALIGNED));
	printf("1..%d\n", 12 + 2 * (MD_TRAP_INTDIV + MD_TRAP_FPE + MD_TRAP_MISALIGNED));

	trap_case("illegal instruction", do_illegal, SIGILL, ILL_ILLOPC);
	trap_case("privileged instruction", do_privileged, MD_PRIV_SIG, MD_PRIV_CODE);
	trap_case("breakpoint", do_breakpoint, SIGTRAP, TRAP_BRKPT);
	trap_case("read of address 0", do_null_read, SIGSEGV, SEGV_MAPERR);
	trap_case("write to the program's text", do_text_write, SIGSEGV, SEGV_ACCERR);
	if (MD_TRAP_INTDIV)
		trap_case("integer divide by zero", do_intdiv, SIGFPE, FPE_INTDIV);
	if (MD_TRAP_FPE)
		trap_case("unmasked floating-point divide by zero", do_fpe, SIGFPE, FPE_FLTDIV);
	if (MD_TRAP_MISALIGNED)
		trap_case("misaligned atomic", do_misaligned, SIGBUS, BUS_ADRALN);

	st = run(do_kill_self, SIGILL, 1);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 100 + SI_USER,
	    "kill(2) of SIGILL: a handler gets code 0 (SI_USER)", st);
	st = run(do_trap_then_kill, SIGILL, 0);
	check(WIFEXITED(st) && WEXITSTATUS(st) == 100 + SI_USER,
	    "a handled SIGILL trap, then kill(2): code 0 (the trap's code does not stay)", st);

	printf("# %d of %d checks failed\n", nfail, ntest);
	return nfail != 0;
}
