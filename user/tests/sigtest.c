/*
 * sigtest: checks of signals (core system; grade/tests/test_signals.py).
 *
 *	sigtest         TAP checks: handlers, sigreturn, masks, default
 *	                actions, SIGCHLD, stop/continue, WUNTRACED, alarm,
 *	                SIGSEGV caught, bad sigreturn frames
 *	sigtest wait    print "waiting" and pause() until a signal ends us
 *	                (the Ctrl-C test types ^C at it)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <verdict.h>

int	sigreturn(void *frame);

static int ntest, nfail;
static volatile int got_sig, got_count, chld_count, alrm_count;

static void
check(int ok, const char *what)
{
	ntest++;
	if (!ok)
		nfail++;
	printf("%sok %d - %s\n", ok ? "" : "not ", ntest, what);
	verdict_check(ntest, ok);
}

static void
on_sig(int sig)
{
	got_sig = sig;
	got_count++;
}

static void
on_chld(int sig)
{
	(void)sig;
	chld_count++;
}

static void
on_alrm(int sig)
{
	(void)sig;
	alrm_count++;
}

static void
on_segv(int sig)
{
	_exit(sig == SIGSEGV ? 42 : 43);
}

/* A handler that itself takes a nested signal: the frames stack up. */
static volatile int nested;
static void
on_usr2_nested(int sig)
{
	(void)sig;
	nested++;
	if (nested == 1)
		kill(getpid(), SIGUSR1);	/* SIGUSR1 has on_sig: runs inside us */
}

static pid_t
spinner(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			;
	}
	return pid;
}

static int
catch(int sig, void (*h)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = h;
	return sigaction(sig, &sa, NULL);
}

/* Registers survive a handler: sigreturn restores every one of them. */
static int
registers_survive(void)
{
	volatile long a = 0x1111, b = 0x2222;
	long x = a * 3, y = b * 5, z = x ^ y;
	int before = got_count;

	kill(getpid(), SIGUSR1);
	return got_count == before + 1 && x == 0x3333 && y == 0xaaaa && z == (0x3333 ^ 0xaaaa);
}

int
main(int argc, char **argv)
{
	struct sigaction sa, osa;
	sigset_t set, old;
	int status = 0;
	pid_t pid;

	if (argc > 1 && strcmp(argv[1], "wait") == 0) {
		printf("waiting\n");
		for (;;)
			pause();
	}
	verdict_begin(argc, argv);	/* the test, not the helper above */

	printf("1..22\n");
	verdict_plan(22);

	/* 1-3: a handler runs, gets its number, and we carry on after it. */
	check(catch(SIGUSR1, on_sig) == 0, "sigaction(SIGUSR1, handler)");
	check(kill(getpid(), SIGUSR1) == 0 && got_sig == SIGUSR1 && got_count == 1,
	    "kill(self, SIGUSR1) runs the handler with sig = SIGUSR1");
	check(registers_survive(), "registers are intact after the handler returns (sigreturn)");

	/* 4: the old action comes back in oact. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	check(sigaction(SIGUSR1, &sa, &osa) == 0 && osa.sa_handler == on_sig,
	    "sigaction returns the old handler in oact");

	/* 5: ignored. */
	got_count = 0;
	check(kill(getpid(), SIGUSR1) == 0 && got_count == 0, "SIG_IGN: the signal is discarded");

	/* 6: SIGKILL and SIGSTOP cannot be caught. */
	sa.sa_handler = on_sig;
	check(sigaction(SIGKILL, &sa, NULL) < 0 && errno == EINVAL &&
	    sigaction(SIGSTOP, &sa, NULL) < 0 && errno == EINVAL && sigaction(0, &sa, NULL) < 0 &&
	    sigaction(NSIG, &sa, NULL) < 0, "sigaction of SIGKILL, SIGSTOP, 0, NSIG: EINVAL");

	/* 7-8: blocking. */
	catch(SIGUSR1, on_sig);
	got_count = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &old);
	kill(getpid(), SIGUSR1);
	check(got_count == 0, "a blocked signal stays pending");
	sigprocmask(SIG_SETMASK, &old, NULL);
	check(got_count == 1, "unblocking delivers it");

	/* 9: nested handlers. */
	catch(SIGUSR2, on_usr2_nested);
	got_count = 0;
	kill(getpid(), SIGUSR2);
	check(nested == 1 && got_count == 1, "a signal taken inside a handler nests and both return");

	/* 10: default action terminates. */
	pid = spinner();
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "SIGTERM's default action terminates");

	/* 11: WNOHANG with a running child. */
	pid = spinner();
	check(waitpid(pid, &status, WNOHANG) == 0, "waitpid WNOHANG: 0 while the child runs");

	/* 12-14: stop, WUNTRACED, continue. */
	kill(pid, SIGSTOP);
	check(waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status) &&
	    WSTOPSIG(status) == SIGSTOP, "SIGSTOP stops; waitpid(WUNTRACED) sees WIFSTOPPED/SIGSTOP");
	check(waitpid(pid, &status, WUNTRACED | WNOHANG) == 0, "a stop is reported once");
	kill(pid, SIGCONT);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "SIGCONT, then SIGKILL: killed");

	/* 15: SIGCHLD to the parent at a child's exit. */
	catch(SIGCHLD, on_chld);
	chld_count = 0;
	if ((pid = fork()) == 0)
		_exit(7);
	waitpid(pid, &status, 0);
	check(chld_count == 1 && WIFEXITED(status) && WEXITSTATUS(status) == 7,
	    "SIGCHLD is delivered when a child exits");
	signal(SIGCHLD, SIG_DFL);

	/* 16: SIGCHLD's default is to ignore. */
	if ((pid = fork()) == 0)
		_exit(0);
	waitpid(pid, &status, 0);
	check(1, "SIGCHLD with the default action does not kill the parent");

	/* 17: a fault caught as SIGSEGV. */
	if ((pid = fork()) == 0) {
		catch(SIGSEGV, on_segv);
		*(volatile int *)0 = 1;
		_exit(1);
	}
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 42, "a SIGSEGV handler catches a NULL write");

	/* 18: without a handler, the fault kills with SIGSEGV. */
	if ((pid = fork()) == 0) {
		*(volatile int *)0 = 1;
		_exit(1);
	}
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "an uncaught fault: killed by SIGSEGV");

	/* 19: alarm + pause. */
	catch(SIGALRM, on_alrm);
	alarm(1);
	int r = pause();
	check(r < 0 && errno == EINTR && alrm_count == 1, "alarm(1): SIGALRM ends pause() with EINTR");

	/* 20: a default-terminate signal ends a sleep. */
	if ((pid = fork()) == 0) {
		msleep(100000);
		_exit(0);
	}
	kill(pid, SIGINT);
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT, "SIGINT ends a sleeping child");

	/* 21: sigreturn with a garbage frame cannot hurt the kernel. */
	if ((pid = fork()) == 0) {
		static unsigned long junk[256];
		memset(junk, 0xff, sizeof(junk));
		sigreturn(junk);	/* kernel cs/ss and all flags asked for */
		_exit(3);
	}
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) || WIFEXITED(status), "sigreturn of a garbage frame only hurts the caller");

	/* 22: bad sigreturn pointer. */
	if ((pid = fork()) == 0)
		_exit(sigreturn((void *)8) < 0 && errno == EFAULT ? 0 : 1);
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sigreturn(bad pointer): EFAULT");

	printf("# %d of %d checks failed\n", nfail, ntest);
	return nfail != 0;
}
