/*
 * sh: the command interpreter.
 *
 *	sh		read commands from standard input; prompt `$ ' on the console
 *	sh file		read commands from file, without a prompt
 *	sh -c command	run one command line
 *
 * A line is a list of jobs separated by `;' (run in turn) or `&' (run
 * in the background).  A job is a pipeline `a | b | c' of commands; each
 * command is words with redirections `< file', `> file', `>> file'.
 * Words may be quoted with '...' (literal) or "..." (where $? still
 * expands); `$?' is the exit status of the last foreground job, and a
 * `#' that starts a word begins a comment.  Built in: cd [dir], exit [n].
 *
 * The work happens in three steps: lex() turns the line into tokens,
 * parse() groups them into jobs and commands, run_job() forks and execs.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX	1024
#define MAXTOKENS	128
#define MAXCMDS		16	/* commands in one pipeline */
#define MAXJOBS		16	/* jobs on one line */

/* ---- tokens ---------------------------------------------------------- */

enum toktype { T_WORD, T_PIPE, T_IN, T_OUT, T_APPEND, T_SEMI, T_AMP };

struct token {
	enum toktype type;
	char	*word;		/* T_WORD: the text, quotes removed, $? expanded */
};

static int laststatus;		/* $? */
static const char *scriptname;	/* for error messages when running a file */

static char wordspace[2 * LINE_MAX];	/* the words of one line, NUL-separated */

/* Stands for `$?' in a lexed word until the job runs (never typed). */
#define STATUS_MARK	'\001'
static char expandspace[4 * LINE_MAX];	/* the expanded words of one job */
static int expandused;

static void
error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "sh: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n");
}

static int
isblank_char(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
isspecial(char c)
{
	return c == '|' || c == '<' || c == '>' || c == ';' || c == '&';
}

/*
 * Split line into tokens.  Returns the number of tokens, or -1 after an
 * error message (unterminated quote, line too long).
 */
static int
lex(const char *line, struct token *tok, int max)
{
	const char *p = line;
	char *out = wordspace, *end = wordspace + sizeof(wordspace) - 4;
	int n = 0;

	for (;;) {
		while (isblank_char(*p))
			p++;
		if (*p == '\0' || *p == '#')
			return n;
		if (n == max) {
			error("%s%s", "too many words", "");
			return -1;
		}
		if (isspecial(*p)) {
			switch (*p++) {
			case '|': tok[n].type = T_PIPE; break;
			case '<': tok[n].type = T_IN; break;
			case ';': tok[n].type = T_SEMI; break;
			case '&': tok[n].type = T_AMP; break;
			case '>':
				tok[n].type = T_OUT;
				if (*p == '>') {
					tok[n].type = T_APPEND;
					p++;
				}
				break;
			}
			tok[n++].word = NULL;
			continue;
		}

		/* A word: runs of plain, '-quoted and "-quoted text. */
		tok[n].type = T_WORD;
		tok[n].word = out;
		while (*p != '\0' && !isblank_char(*p) && !isspecial(*p)) {
			char quote = 0;

			if (*p == '\'' || *p == '"')
				quote = *p++;
			while (*p != '\0' && (quote ? *p != quote : !isblank_char(*p) &&
			    !isspecial(*p) && *p != '\'' && *p != '"')) {
				if (out >= end) {
					error("%s%s", "line too long", "");
					return -1;
				}
				if (quote != '\'' && p[0] == '$' && p[1] == '?') {
					/* Expanded when the job runs: `false; echo $?' */
					*out++ = STATUS_MARK;
					p += 2;
					continue;
				}
				*out++ = *p++;
			}
			if (quote) {
				if (*p != quote) {
					error("unterminated %s quote%s", quote == '"' ? "\"" : "'", "");
					return -1;
				}
				p++;
			}
		}
		*out++ = '\0';
		n++;
	}
}

/* ---- commands ---------------------------------------------------------- */

struct cmd {
	char	*argv[MAXARG + 1];
	int	argc;
	char	*in, *out;	/* redirection files, or NULL */
	int	append;		/* out is `>>' */
};

struct job {
	struct cmd cmds[MAXCMDS];
	int	ncmds;
	int	background;
};

/* Group tokens into jobs.  Returns the number of jobs, or -1 on an error. */
static int
parse(struct token *tok, int ntok, struct job *jobs, int maxjobs)
{
	int njobs = 0, i = 0;

	while (i < ntok) {
		struct job *j;
		struct cmd *c;

		if (njobs == maxjobs) {
			error("%s%s", "too many commands", "");
			return -1;
		}
		j = &jobs[njobs++];
		memset(j, 0, sizeof(*j));
		c = &j->cmds[j->ncmds++];
		for (; i < ntok; i++) {
			struct token *t = &tok[i];

			if (t->type == T_SEMI || t->type == T_AMP) {
				j->background = t->type == T_AMP;
				i++;
				break;
			}
			if (t->type == T_WORD) {
				if (c->argc == MAXARG) {
					error("%s%s", "too many arguments", "");
					return -1;
				}
				c->argv[c->argc++] = t->word;
				continue;
			}
			if (t->type == T_PIPE) {
				if (c->argc == 0 || j->ncmds == MAXCMDS) {
					error("%s%s", c->argc ? "pipeline too long" : "syntax error near `|'", "");
					return -1;
				}
				c = &j->cmds[j->ncmds++];
				continue;
			}
			/* A redirection takes the next word. */
			if (i + 1 >= ntok || tok[i + 1].type != T_WORD) {
				error("%s%s", "syntax error: redirection without a file", "");
				return -1;
			}
			if (t->type == T_IN) {
				c->in = tok[++i].word;
			} else {
				c->out = tok[++i].word;
				c->append = t->type == T_APPEND;
			}
		}
		/* An empty last command (`a |' or `;;') is an error, an empty job is not. */
		if (c->argc == 0) {
			if (j->ncmds > 1 || c->in != NULL || c->out != NULL) {
				error("%s%s", "syntax error: missing command", "");
				return -1;
			}
			njobs--;
		}
	}
	return njobs;
}

/* ---- running ------------------------------------------------------------ */

/* Built-in commands that must run in the shell itself. Returns 1 if c was one. */
static int
builtin(struct cmd *c)
{
	if (strcmp(c->argv[0], "cd") == 0) {
		const char *dir = c->argc > 1 ? c->argv[1] : "/";
		if (chdir(dir) < 0) {
			error("cd: %s: %s", dir, strerror(errno));
			laststatus = 1;
		} else {
			laststatus = 0;
		}
		return 1;
	}
	if (strcmp(c->argv[0], "exit") == 0) {
		exit(c->argc > 1 ? atoi(c->argv[1]) : laststatus);
	}
	return 0;
}

/* In the child: set up redirections, then become the program. */
static void
child(struct cmd *c)
{
	int fd;

	if (c->in != NULL) {
		if ((fd = open(c->in, O_RDONLY)) < 0) {
			error("%s: %s", c->in, strerror(errno));
			_exit(1);
		}
		dup2(fd, 0);
		close(fd);
	}
	if (c->out != NULL) {
		int flags = O_WRONLY | O_CREAT | (c->append ? O_APPEND : O_TRUNC);
		if ((fd = open(c->out, flags)) < 0) {
			error("%s: %s", c->out, strerror(errno));
			_exit(1);
		}
		dup2(fd, 1);
		close(fd);
	}
	if (strcmp(c->argv[0], "cd") == 0 || strcmp(c->argv[0], "exit") == 0) {
		builtin(c);	/* in a pipeline: no effect on the shell, as elsewhere */
		_exit(laststatus);
	}
	c->argv[c->argc] = NULL;
	execvp(c->argv[0], c->argv);
	if (errno == ENOENT) {
		error("%s: not found", c->argv[0], "");
		_exit(127);
	}
	error("%s: %s", c->argv[0], strerror(errno));
	_exit(126);
}

static int
decode(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Replace each STATUS_MARK in w by the status of the last job. */
static char *
expand(char *w)
{
	char *start = expandspace + expandused, *out = start;
	char *end = expandspace + sizeof(expandspace) - 16;

	if (w == NULL || strchr(w, STATUS_MARK) == NULL)
		return w;
	for (; *w != '\0' && out < end; w++) {
		if (*w == STATUS_MARK)
			out += snprintf(out, 16, "%d", laststatus);
		else
			*out++ = *w;
	}
	*out++ = '\0';
	expandused = out - expandspace;
	return start;
}

static void
run_job(struct job *j)
{
	pid_t pids[MAXCMDS];
	int nstarted = 0, prev_read = -1;

	expandused = 0;
	for (int i = 0; i < j->ncmds; i++) {
		struct cmd *c = &j->cmds[i];
		for (int a = 0; a < c->argc; a++)
			c->argv[a] = expand(c->argv[a]);
		c->in = expand(c->in);
		c->out = expand(c->out);
	}

	if (j->ncmds == 1 && !j->background && j->cmds[0].in == NULL &&
	    j->cmds[0].out == NULL && builtin(&j->cmds[0]))
		return;

	for (int i = 0; i < j->ncmds; i++) {
		int p[2] = { -1, -1 };
		pid_t pid;

		if (i + 1 < j->ncmds && pipe(p) < 0) {
			error("pipe: %s%s", strerror(errno), "");
			break;
		}
		if ((pid = fork()) < 0) {
			error("fork: %s%s", strerror(errno), "");
			if (p[0] >= 0) {
				close(p[0]);
				close(p[1]);
			}
			break;
		}
		if (pid == 0) {
			/*
			 * Ctrl-C (SIGINT) is for the foreground job only: sh
			 * ignores it itself; a foreground child gets the default
			 * back, a background job keeps ignoring it (kern/signal.c).
			 */
			signal(SIGINT, j->background ? SIG_IGN : SIG_DFL);
			if (prev_read >= 0) {
				dup2(prev_read, 0);
				close(prev_read);
			}
			if (p[1] >= 0) {
				close(p[0]);
				dup2(p[1], 1);
				close(p[1]);
			}
			child(&j->cmds[i]);
		}
		pids[nstarted++] = pid;
		if (prev_read >= 0)
			close(prev_read);
		prev_read = p[0];
		if (p[1] >= 0)
			close(p[1]);
	}
	if (prev_read >= 0)
		close(prev_read);

	if (j->background) {
		if (nstarted > 0 && scriptname == NULL && isatty(0))
			fprintf(stderr, "[%d]\n", pids[nstarted - 1]);
		laststatus = 0;
		return;
	}
	for (int i = 0; i < nstarted; i++) {
		int status = 0;
		while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
			;
		if (i == nstarted - 1)
			laststatus = decode(status);
	}
	if (nstarted < j->ncmds)
		laststatus = 1;
}

/* Collect background jobs that have finished, so they leave no zombies. */
static void
reap(void)
{
	int status;

	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}

static void
run_line(const char *line)
{
	static struct token tok[MAXTOKENS];
	static struct job jobs[MAXJOBS];
	int ntok, njobs;

	if ((ntok = lex(line, tok, MAXTOKENS)) <= 0) {
		if (ntok < 0)
			laststatus = 2;
		return;
	}
	if ((njobs = parse(tok, ntok, jobs, MAXJOBS)) < 0) {
		laststatus = 2;
		return;
	}
	for (int i = 0; i < njobs; i++)
		run_job(&jobs[i]);
}

/*
 * Read one line from fd, a byte at a time so that no input meant for the
 * commands is swallowed by the shell.  Returns 0 at end of file.
 */
static int
getline_fd(int fd, char *buf, int size)
{
	int n = 0;
	char c;

	while (n < size - 1) {
		ssize_t r = read(fd, &c, 1);
		if (r <= 0) {
			if (n == 0)
				return 0;
			break;
		}
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 1;
}

int
main(int argc, char **argv)
{
	static char line[LINE_MAX];
	int fd = 0, interactive;

	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		run_line(argv[2]);
		return laststatus;
	}
	if (argc > 1) {
		scriptname = argv[1];
		if ((fd = open(argv[1], O_RDONLY)) < 0) {
			error("%s: %s", argv[1], strerror(errno));
			return 127;
		}
	}
	interactive = fd == 0 && isatty(0);
	if (interactive)
		signal(SIGINT, SIG_IGN);	/* Ctrl-C is for the programs we run */

	for (;;) {
		reap();
		if (interactive)
			write(2, "$ ", 2);
		if (!getline_fd(fd, line, sizeof(line)))
			break;
		run_line(line);
	}
	return laststatus;
}
