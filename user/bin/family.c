/*
 * family: the owner-family scenario of vctl(2) and docs/labs/share-vmem.md,
 * told step by step.
 *
 *	M  the maker: vmap(VMAP_SHARE) a page with convention { S, PROT_READ }
 *	F  its sibling: makecxt(MAKECXT_SHARE_VMEM), a first-place owner too
 *	S  the second owner (maps nothing)
 *	Q  a partner: a fork child of M, which prints the owners it sees
 *
 * Then M exits, F exits, S exits; after each step Q prints the owners
 * again.  Needs the share-vmem stage (else makecxt says EINVAL).
 */
#include <aqua/context.h>
#include <aqua/memory.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <machine/frame.h>	/* MD_ENTRY_SP */

static char *volatile page;
static char sibstack[8192] __attribute__((aligned(16)));

static void __attribute__((noreturn))
sibling(long fd)
{
	char c;

	read((int)fd, &c, 1);
	_exit(0);
}

/* Q: on each byte from cmd, wait (up to 3 s) for the owners to change, print them. */
static void __attribute__((noreturn))
partner(int cmd, int done)
{
	int last[8], lastn = -1;
	char c;

	while (read(cmd, &c, 1) == 1 && c != 'q') {
		int pids[8];
		long n = 0;
		for (int i = 0; i < 300; i++) {
			n = vctl(page, VCTL_OWNERS, pids, 8);
			if (n != lastn || memcmp(pids, last, sizeof(int) * (n > 0 ? n : 0)) != 0)
				break;
			msleep(10);
		}
		printf("  partner %d sees owners:", getpid());
		for (int i = 0; i < n && i < 8; i++)
			printf(" %d", pids[i]);
		printf("%s; the page says \"%s\"\n", n == 0 ? " none" : "", page);
		fflush(stdout);
		memcpy(last, pids, sizeof(last));
		lastn = n;
		write(done, "k", 1);
	}
	_exit(0);
}

static void
step(int cmd, int done)
{
	char c;

	write(cmd, "s", 1);
	read(done, &c, 1);
}

int
main(void)
{
	int sp[2], mp[2], fp[2], cmd[2], done[2], info[2];
	pid_t s, m, ids[2];
	char c;

	if (pipe(sp) || pipe(mp) || pipe(fp) || pipe(cmd) || pipe(done) || pipe(info)) {
		perror("family: pipe");
		return 1;
	}
	fflush(stdout);
	if ((s = fork()) == 0) {		/* S: waits for its byte */
		read(sp[0], &c, 1);
		_exit(0);
	}
	printf("second owner S = %d\n", s);
	fflush(stdout);
	if ((m = fork()) == 0) {		/* M */
		struct vmap_conv conv = { s, PROT_READ };
		struct aqua_makecxt_data cx;
		unsigned long sp_top = MD_ENTRY_SP((unsigned long)(sibstack + sizeof(sibstack) - 16));

		ids[0] = ids[1] = -1;
		page = vmap(NULL, 4096, PROT_READ | PROT_WRITE, VMAP_SHARE, NULL, &conv);
		if (page == VMAP_FAILED) {
			perror("family: vmap");
		} else {
			strcpy(page, "treasure");
			memset(&cx, 0, sizeof(cx));
			AQUA_REG_PC(&cx.registers) = (unsigned long)sibling;
			AQUA_REG_SP(&cx.registers) = sp_top;
			AQUA_REG_ARG0(&cx.registers) = fp[0];
			ids[0] = makecxt(NULL, NULL, 0, &cx, 0, MAKECXT_SHARE_VMEM);
			if (ids[0] < 0)
				perror("family: makecxt(MAKECXT_SHARE_VMEM)");
			else {
				fflush(stdout);
				if ((ids[1] = fork()) == 0)
					partner(cmd[0], done[1]);
			}
		}
		write(info[1], ids, sizeof(ids));
		read(mp[0], &c, 1);
		_exit(0);
	}
	if (read(info[0], ids, sizeof(ids)) != sizeof(ids) || ids[1] <= 0) {
		write(mp[1], "x", 1);
		write(sp[1], "x", 1);
		waitpid(m, NULL, 0);
		waitpid(s, NULL, 0);
		return 1;
	}
	printf("maker M = %d made a shared page, convention { second_owner %d, PROT_READ }\n", m, s);
	printf("sibling F = %d (makecxt MAKECXT_SHARE_VMEM), partner Q = %d (fork of M)\n",
	    ids[0], ids[1]);
	fflush(stdout);
	step(cmd[1], done[0]);
	printf("M exits (F, a first-place owner, is still alive):\n");
	fflush(stdout);
	write(mp[1], "x", 1);
	waitpid(m, NULL, 0);
	step(cmd[1], done[0]);
	printf("F exits (the family is gone: the second owner inherits):\n");
	fflush(stdout);
	write(fp[1], "x", 1);
	step(cmd[1], done[0]);
	printf("S exits (nobody owns the page; it lives on for its partner):\n");
	fflush(stdout);
	write(sp[1], "x", 1);
	waitpid(s, NULL, 0);
	step(cmd[1], done[0]);
	write(cmd[1], "q", 1);
	return 0;
}
