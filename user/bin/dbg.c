/*
 * dbg: a very small debugger, built on ptrace(2).
 *
 *	dbg [-c 'cmd;cmd;...'] program [args...]
 *
 * Runs program traced (it stops at its exec), then reads commands from
 * -c (separated by ';') or, without -c, one per line from stdin:
 *
 *	b ADDR|SYMBOL	set a breakpoint (a symbol from the ELF symbol table)
 *	c		continue until a breakpoint or the end
 *	s [N]		single-step N instructions (1), printing the pc each time
 *	regs		print the registers
 *	x ADDR		print the 32-bit word at ADDR
 *	poke ADDR VAL	write the 32-bit word VAL at ADDR
 *	q		kill the program and quit
 *
 * The portable part is here; the breakpoint instruction and the register
 * names come from <machine/dbgmd.h> (user/arch/<arch>/machine/).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <machine/dbgmd.h>

#define MAXBPT	16

static pid_t child;
static int alive;
static const char *progpath;

static struct bpt {
	unsigned long	addr;
	unsigned int	orig;		/* the word the breakpoint replaced */
	char		name[32];
} bpts[MAXBPT];
static int nbpt;

/* ---- the ELF symbol table ------------------------------------------------ */
struct elf_ehdr {
	unsigned char	e_ident[16];
	unsigned short	e_type, e_machine;
	unsigned int	e_version;
	unsigned long	e_entry, e_phoff, e_shoff;
	unsigned int	e_flags;
	unsigned short	e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
struct elf_shdr {
	unsigned int	sh_name, sh_type;
	unsigned long	sh_flags, sh_addr, sh_offset, sh_size;
	unsigned int	sh_link, sh_info;
	unsigned long	sh_addralign, sh_entsize;
};
struct elf_sym {
	unsigned int	st_name;
	unsigned char	st_info, st_other;
	unsigned short	st_shndx;
	unsigned long	st_value, st_size;
};
#define SHT_SYMTAB	2

static int
readat(int fd, unsigned long off, void *buf, unsigned long n)
{
	return lseek(fd, off, SEEK_SET) == (off_t)off && read(fd, buf, n) == (ssize_t)n ? 0 : -1;
}

/* The address of symbol name in path's symbol table, or 0. */
static unsigned long
lookup_symbol(const char *path, const char *name)
{
	struct elf_ehdr eh;
	struct elf_shdr sh, strsh;
	unsigned long found = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	if (readat(fd, 0, &eh, sizeof(eh)) < 0 || eh.e_shentsize != sizeof(sh))
		goto out;
	for (int i = 0; i < eh.e_shnum && !found; i++) {
		if (readat(fd, eh.e_shoff + i * sizeof(sh), &sh, sizeof(sh)) < 0)
			break;
		if (sh.sh_type != SHT_SYMTAB ||
		    readat(fd, eh.e_shoff + sh.sh_link * sizeof(sh), &strsh, sizeof(strsh)) < 0)
			continue;
		for (unsigned long o = 0; o + sizeof(struct elf_sym) <= sh.sh_size; o += sizeof(struct elf_sym)) {
			struct elf_sym sym;
			char sname[64];
			if (readat(fd, sh.sh_offset + o, &sym, sizeof(sym)) < 0)
				break;
			if (sym.st_name == 0 || sym.st_value == 0)
				continue;
			memset(sname, 0, sizeof(sname));
			if (lseek(fd, strsh.sh_offset + sym.st_name, SEEK_SET) < 0 ||
			    read(fd, sname, sizeof(sname) - 1) <= 0)
				continue;
			if (strcmp(sname, name) == 0) {
				found = sym.st_value;
				break;
			}
		}
	}
out:
	close(fd);
	return found;
}

/* ---- the traced program ---------------------------------------------- */

static int
getregs(struct reg *r)
{
	if (ptrace(PT_GETREGS, child, r, 0) < 0) {
		printf("dbg: PT_GETREGS: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static unsigned long
getpc(void)
{
	struct reg r;

	return getregs(&r) == 0 ? REG_PC(&r) : 0;
}

static struct bpt *
bpt_at(unsigned long addr)
{
	for (int i = 0; i < nbpt; i++)
		if (bpts[i].addr == addr)
			return &bpts[i];
	return NULL;
}

/* Wait for the child; 1 if it stopped, 0 if it is gone (said so). */
static int
wait_child(int *sigp)
{
	int status;

	if (waitpid(child, &status, 0) != child) {
		printf("dbg: waitpid: %s\n", strerror(errno));
		alive = 0;
		return 0;
	}
	if (WIFSTOPPED(status)) {
		*sigp = WSTOPSIG(status);
		return 1;
	}
	if (WIFEXITED(status))
		printf("exited with status %d\n", WEXITSTATUS(status));
	else
		printf("killed by signal %d\n", WTERMSIG(status));
	alive = 0;
	return 0;
}

/* One instruction, stepping over a breakpoint at pc if there is one.  1 if still alive. */
static int
step_one(void)
{
	unsigned long pc = getpc();
	struct bpt *b = bpt_at(pc);
	int sig = 0;

	if (b != NULL)
		ptrace(PT_WRITE_I, child, (void *)b->addr, b->orig);
	if (ptrace(PT_STEP, child, (void *)1, 0) < 0) {
		printf("dbg: PT_STEP: %s\n", strerror(errno));
		return 0;
	}
	if (!wait_child(&sig))
		return 0;
	if (b != NULL)
		ptrace(PT_WRITE_I, child, (void *)b->addr, md_bpt_word(b->orig));
	if (sig != SIGTRAP)
		printf("signal %d\n", sig);
	return 1;
}

static void
cmd_continue(void)
{
	struct reg r;
	struct bpt *b;
	int sig = 0;

	if (bpt_at(getpc()) != NULL && !step_one())
		return;
	if (ptrace(PT_CONTINUE, child, (void *)1, 0) < 0) {
		printf("dbg: PT_CONTINUE: %s\n", strerror(errno));
		return;
	}
	while (wait_child(&sig)) {
		if (getregs(&r) < 0)
			return;
		if (sig == SIGTRAP && (b = bpt_at(REG_PC(&r) - MD_BPT_PC_AFTER)) != NULL) {
			/* Back to the breakpoint's own address: it is the next instruction. */
			REG_PC(&r) = b->addr;
			ptrace(PT_SETREGS, child, &r, 0);
			printf("breakpoint at %s (0x%lx)\n", b->name, b->addr);
			return;
		}
		printf("signal %d at pc 0x%lx\n", sig, REG_PC(&r));
		/* Pass the signal on, as gdb does by default (not SIGTRAP). */
		if (ptrace(PT_CONTINUE, child, (void *)1, sig == SIGTRAP ? 0 : sig) < 0)
			return;
	}
}

static unsigned long
parse_addr(const char *s)
{
	unsigned long a;

	if (s == NULL)
		return 0;
	if ((a = strtoul(s, NULL, 0)) != 0)
		return a;
	return lookup_symbol(progpath, s);
}

/* Run one command line; 0 means quit. */
static int
command(char *line)
{
	char *argv[4];
	int argc = 0;

	for (char *p = line; *p != '\0' && argc < 4;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			*p++ = '\0';
		if (*p == '\0')
			break;
		argv[argc++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
	}
	if (argc == 0)
		return 1;
	if (strcmp(argv[0], "q") == 0)
		return 0;
	if (!alive) {
		printf("dbg: the program is not running\n");
		return 1;
	}
	if (strcmp(argv[0], "b") == 0 && argc == 2) {
		unsigned long a = parse_addr(argv[1]);
		if (a == 0 || nbpt == MAXBPT) {
			printf("dbg: cannot break at %s\n", argv[1]);
			return 1;
		}
		errno = 0;
		unsigned int orig = ptrace(PT_READ_I, child, (void *)a, 0);
		if (errno != 0 || ptrace(PT_WRITE_I, child, (void *)a, md_bpt_word(orig)) < 0) {
			printf("dbg: breakpoint at 0x%lx: %s\n", a, strerror(errno));
			return 1;
		}
		bpts[nbpt].addr = a;
		bpts[nbpt].orig = orig;
		snprintf(bpts[nbpt].name, sizeof(bpts[nbpt].name), "%s", argv[1]);
		nbpt++;
		printf("breakpoint %d at 0x%lx\n", nbpt, a);
	} else if (strcmp(argv[0], "c") == 0) {
		cmd_continue();
	} else if (strcmp(argv[0], "s") == 0) {
		int n = argc > 1 ? atoi(argv[1]) : 1;
		for (int i = 0; i < n && alive; i++)
			if (step_one())
				printf("step pc 0x%lx\n", getpc());
	} else if (strcmp(argv[0], "regs") == 0) {
		struct reg r;
		if (getregs(&r) == 0)
			md_print_regs(&r);
	} else if (strcmp(argv[0], "x") == 0 && argc == 2) {
		unsigned long a = parse_addr(argv[1]);
		errno = 0;
		unsigned int w = ptrace(PT_READ_D, child, (void *)a, 0);
		if (errno != 0)
			printf("dbg: 0x%lx: %s\n", a, strerror(errno));
		else
			printf("0x%lx: 0x%08x\n", a, w);
	} else if (strcmp(argv[0], "poke") == 0 && argc == 3) {
		unsigned long a = parse_addr(argv[1]);
		if (ptrace(PT_WRITE_D, child, (void *)a, (int)strtoul(argv[2], NULL, 0)) < 0)
			printf("dbg: 0x%lx: %s\n", a, strerror(errno));
	} else {
		printf("dbg: commands: b ADDR|SYM, c, s [N], regs, x ADDR, poke ADDR VAL, q\n");
	}
	return 1;
}

int
main(int argc, char **argv)
{
	static char line[256];
	char *script = NULL;
	int sig = 0, i = 1;

	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		script = argv[2];
		i = 3;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: dbg [-c 'cmd;...'] program [args...]\n");
		return 2;
	}
	progpath = argv[i];
	if ((child = fork()) == 0) {
		ptrace(PT_TRACE_ME, 0, 0, 0);
		execv(argv[i], argv + i);
		fprintf(stderr, "dbg: %s: %s\n", argv[i], strerror(errno));
		_exit(127);
	}
	if (child < 0) {
		perror("dbg: fork");
		return 1;
	}
	alive = 1;
	if (!wait_child(&sig))
		return 1;
	printf("stopped at exec, pc 0x%lx\n", getpc());
	fflush(stdout);

	if (script != NULL) {
		for (char *cmd = script, *next; cmd != NULL; cmd = next) {
			next = strchr(cmd, ';');
			if (next != NULL)
				*next++ = '\0';
			snprintf(line, sizeof(line), "%s", cmd);
			int more = command(line);
			fflush(stdout);
			if (!more)
				break;
		}
	} else {
		fflush(stdout);
		while (fgets(line, sizeof(line), stdin) != NULL && command(line))
			fflush(stdout);
	}
	if (alive) {
		ptrace(PT_KILL, child, 0, 0);
		waitpid(child, NULL, 0);
	}
	return 0;
}
