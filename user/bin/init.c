/*
 * init: the first user process.
 *
 * It gives itself the console as standard input, output and error (the
 * descriptors every later process inherits), then either runs the one
 * program named by the boot argument `run=PATH args...' and powers the
 * machine off with its exit status (how the grader runs a test), or keeps
 * a shell running on the console.  As the parent of orphans it also
 * collects their exit status, so no zombie stays behind.
 *
 * Leak check (run= only): init reads sysinfo(2) just before it starts the
 * program and again once the program and every orphan it left are gone,
 * and prints
 *	init: leak check: pages 61234 -> 61234, procs 2 -> 2, files 1 -> 1
 * before its `exited with status' line.  The grader fails a test whose
 * counts differ (grade/harness.py, expect_exit).  In a graded run init
 * then signs the exit status and the counts (<verdict.h>):
 *	init: verdict exit 0 leak 61234 61234 2 2 1 1 hmac 9a1f...
 * and the grader believes that line, not the two above it.  The counts are exact:
 * the buffer and inode caches are static arrays, not pages, and init
 * samples only once every process the program left has ended.
 */
#include <aqua/fsformat.h>	/* CONSOLE_MAJOR */
#include <aqua/procinfo.h>
#include <aqua/sysinfo.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <verdict.h>

#define BOOTARGS_MAX	512

static void
open_console(void)
{
	if (open("/dev/console", O_RDWR) < 0) {
		mkdir("/dev");
		mknod("/dev/console", CONSOLE_MAJOR, 0);
		if (open("/dev/console", O_RDWR) < 0)
			_exit(1);	/* nowhere to even say so */
	}
	dup(0);		/* standard output */
	dup(0);		/* standard error */
}

/*
 * Start path with argv; returns the child's pid, or -1.
 *
 * reached, if not NULL, is a pipe through which the child tells init that
 * it got as far as exec: a child that dies before (a broken fork, or a
 * new process that faults on its first return to user space) still has
 * init's name, and without this its page fault would read as init's own.
 * The kernel has no close-on-exec (kern/fs knows neither O_CLOEXEC nor
 * FD_CLOEXEC), so instead of "the pipe closed at exec" the child writes
 * one byte just before exec and closes its ends: the program then starts
 * with only 0, 1 and 2 open, as without the pipe.  init closes its write
 * end at once, so once the child is gone a read gives the byte, or end of
 * file if the child never reached exec.
 */
static pid_t
spawn(const char *path, char **argv, int *reached)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "init: fork: %s\n", strerror(errno));
		if (reached != NULL) {
			close(reached[0]);
			close(reached[1]);
		}
		return -1;
	}
	if (pid == 0) {
		if (reached != NULL) {
			close(reached[0]);
			write(reached[1], "x", 1);
			close(reached[1]);
		}
		exec(path, argv);
		fprintf(stderr, "init: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	if (reached != NULL)
		close(reached[1]);
	return pid;
}

/* Wait for pid, collecting any orphans that exit meanwhile. */
static int
await(pid_t pid)
{
	int status;
	pid_t w;

	for (;;) {
		w = wait(&status);
		if (w == pid)
			return status;
		if (w < 0 && errno == ECHILD)
			return W_EXITCODE(127, 0);
	}
}

/*
 * Can a process the program left behind still end by itself?  It can while
 * it runs or waits for a CPU, sleeps for a time (msleep) or for the disk
 * or a lock, or is being torn down.  It cannot while it is stopped, left
 * idle (FORK_IDLE), or asleep until another process acts: on a pipe, in
 * wait, for a thread, for the terminal.  (If the one it waits for can
 * still act, that one counts.)  Zombies are init's to collect.
 */
static int
may_still_end(const struct procinfo *pi)
{
	static const char *const blocked[] = {
		"piperd", "pipewr", "wait", "ppwait", "thrsleep", "ttyin", "pause",
	};

	switch (pi->state) {
	case SRUN: case SONPROC: case SDEAD:
		return 1;
	case SSLEEP:
		for (unsigned i = 0; i < sizeof(blocked) / sizeof(blocked[0]); i++)
			if (strcmp(pi->wmesg, blocked[i]) == 0)
				return 0;
		return 1;
	default:		/* SIDL, SSTOP, SZOMB */
		return 0;
	}
}

/*
 * Does any process of the program still make progress?  Not init or a
 * kernel thread: those have ppid 0.  (Not PI_SYSTEM: before the system
 * stage's solution procinfo reports no flags, and a starter tree's
 * leak check must still end.)
 */
static int
leftovers_may_end(void)
{
	struct procinfo pi;

	for (int slot = 0;; slot++) {
		if (procinfo(slot, &pi) < 0) {
			if (errno == ESRCH)
				continue;
			return 0;
		}
		/* ppid 0: init itself and the kernel's threads (proc0's children). */
		if (pi.ppid != 0 && may_still_end(&pi))
			return 1;
	}
}

/*
 * After the program: collect the orphans it left as they end, and wait for
 * the slots of FORK_NOZOMBIE children to be freed; then say what the
 * counts of free pages, process slots and open files are.
 *
 * This waits for a state, not for a time: every page and open file of a
 * process is given back before it becomes a zombie (exit1), so once no
 * process of the program is left the counts are exact, however slowly a
 * loaded host ran it.  A leftover that can no longer end by itself
 * (blocked on a pipe nobody writes, stopped, left idle) is a leak: init
 * stops waiting and the line shows it (procs 2 -> 3), at once rather than
 * after a time-out.
 */
static void
leak_check(const struct sysinfo *before, char *signed_leak, size_t size)
{
	struct sysinfo now;
	int status;

	for (;;) {
		while (waitpid(-1, &status, WNOHANG) > 0)
			;		/* orphans that ended */
		if (sysinfo(&now) < 0) {
			printf("init: leak check: sysinfo: %s\n", strerror(errno));
			return;
		}
		if (now.nproc <= before->nproc || !leftovers_may_end())
			break;
		msleep(1);
	}
	printf("init: leak check: pages %lu -> %lu, procs %d -> %d, files %d -> %d\n",
	    before->freepages, now.freepages, before->nproc, now.nproc,
	    before->nfile, now.nfile);
	snprintf(signed_leak, size, "leak %lu %lu %d %d %d %d", before->freepages,
	    now.freepages, before->nproc, now.nproc, before->nfile, now.nfile);
}

/*
 * Split the words after `run=' in place into argv; returns argc.  A word
 * may be quoted with '...' or "..." to hold blanks, as in
 * run=/bin/sh -c 'echo hi; exit 3'.
 */
static int
split(char *s, char **argv, int max)
{
	char *out;
	int argc = 0;

	while (argc < max - 1) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		argv[argc++] = out = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n') {
			if (*s == '\'' || *s == '"') {
				char quote = *s++;
				while (*s != '\0' && *s != quote)
					*out++ = *s++;
				if (*s == quote)
					s++;
			} else {
				*out++ = *s++;
			}
		}
		if (*s != '\0')
			s++;	/* step over the blank that ended the word */
		*out = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

/* The `run=' argument: at the start of the boot arguments or after a blank. */
static char *
find_run(char *args)
{
	for (char *p = args; (p = strstr(p, "run=")) != NULL; p++)
		if (p == args || p[-1] == ' ' || p[-1] == '\t')
			return p + 4;
	return NULL;
}

int
main(void)
{
	static char args[BOOTARGS_MAX];
	char *argv[MAXARG + 1];
	char *run;
	int argc;

	open_console();

	memset(args, 0, sizeof(args));
	if (bootargs(args, sizeof(args) - 1) < 0)
		args[0] = '\0';
	args[sizeof(args) - 1] = '\0';

	if ((run = find_run(args)) != NULL && (argc = split(run, argv, MAXARG + 1)) > 0) {
		char summary[128], leak[96] = "leak none";
		struct sysinfo before;
		int have_before;

		/* First, so that the key file is closed before the counts. */
		verdict_begin(argc, argv);
		have_before = sysinfo(&before) == 0;
		int reached[2];
		/* Without a pipe (none free?) the program still runs, unwatched. */
		int watch = pipe(reached) == 0;
		pid_t pid = spawn(argv[0], argv, watch ? reached : NULL);
		int status = pid < 0 ? W_EXITCODE(127, 0) : await(pid);
		int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);

		if (watch && pid >= 0) {
			char byte;

			/* grade/explain.py reads this line: keep the two in step. */
			if (read(reached[0], &byte, 1) != 1) {
				if (WIFSIGNALED(status))
					printf("init: the child (pid %d) forked to run %s died "
					    "before exec (killed by signal %d)\n", pid, argv[0],
					    WTERMSIG(status));
				else
					printf("init: the child (pid %d) forked to run %s died "
					    "before exec (exit status %d)\n", pid, argv[0],
					    WEXITSTATUS(status));
			}
			close(reached[0]);
		}
		if (have_before)
			leak_check(&before, leak, sizeof(leak));
		printf("init: %s exited with status %d\n", argv[0], code);
		/* What the grader believes: the two lines above, signed. */
		snprintf(summary, sizeof(summary), "exit %d %s", code, leak);
		verdict_sign_init(summary);
		fflush(stdout);
		poweroff(code);
		fprintf(stderr, "init: poweroff: %s\n", strerror(errno));
		for (;;)
			await(-1);
	}

	for (;;) {
		char *shargv[] = { "sh", NULL };
		pid_t pid = spawn("/bin/sh", shargv, NULL);

		if (pid < 0) {
			msleep(1000);
			continue;
		}
		await(pid);
	}
}
