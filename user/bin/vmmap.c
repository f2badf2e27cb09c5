/*
 * vmmap: print a process's memory map (vmapinfo(2)), with each vmap page's
 * sharing status, owners and partners.
 *
 *	vmmap [pid]	(default: vmmap itself, which has no vmap memory
 *			unless -d is given)
 *	vmmap -d	make a small demonstration first: a private page, a
 *			shared page and a fork child (a partner of it), then
 *			print our own map
 *
 * Consecutive vmap pages with the same protection, status, owners and
 * partners are printed as one line.
 */
#include <aqua/memory.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *
kindname(int kind)
{
	switch (kind) {
	case VMI_TEXT:	return "image";
	case VMI_HEAP:	return "heap";
	case VMI_STACK:	return "stack";
	case VMI_VMAP:	return "vmap";
	default:	return "?";
	}
}

static const char *
statusname(int status)
{
	switch (status) {
	case VSTAT_PRIVATE:	return "private";
	case VSTAT_LOCAL:	return "local";
	case VSTAT_SHARED:	return "shared";
	default:		return "?";
	}
}

static void
pidlist(char *buf, size_t len, const int *pids, int n)
{
	size_t used = 0;

	buf[0] = '\0';
	if (n == 0) {
		snprintf(buf, len, "-");
		return;
	}
	for (int i = 0; i < n && i < VMI_MAXLIST && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%d", i ? "," : "", pids[i]);
	if (n > VMI_MAXLIST && used < len)
		snprintf(buf + used, len - used, ",+%d", n - VMI_MAXLIST);
}

/* Same line for vmmap's purposes (everything but the addresses). */
static int
same(const struct vmapent *a, const struct vmapent *b)
{
	return a->kind == VMI_VMAP && b->kind == VMI_VMAP && a->end == b->start &&
	    a->prot == b->prot && a->status == b->status && a->terminate == b->terminate &&
	    a->second_owner == b->second_owner && a->shared_prot == b->shared_prot &&
	    a->nowners == b->nowners && a->npartners == b->npartners &&
	    memcmp(a->owners, b->owners, sizeof(a->owners)) == 0 &&
	    memcmp(a->partners, b->partners, sizeof(a->partners)) == 0;
}

static void
print(const struct vmapent *e)
{
	char own[48], par[48], conv[32] = "";

	pidlist(own, sizeof(own), e->owners, e->nowners);
	pidlist(par, sizeof(par), e->partners, e->npartners);
	if (e->status != VSTAT_PRIVATE)
		snprintf(conv, sizeof(conv), " conv={%d,%c%c%c}%s", e->second_owner,
		    e->shared_prot & PROT_READ ? 'r' : '-', e->shared_prot & PROT_WRITE ? 'w' : '-',
		    e->shared_prot & PROT_EXEC ? 'x' : '-', e->terminate ? " term" : "");
	printf("%012lx-%012lx %c%c%c %-5s %-7s owners=%s partners=%s%s\n", e->start, e->end,
	    e->prot & PROT_READ ? 'r' : '-', e->prot & PROT_WRITE ? 'w' : '-',
	    e->prot & PROT_EXEC ? 'x' : '-', kindname(e->kind), statusname(e->status),
	    own, par, conv);
}

static int
show(int pid)
{
	struct vmapent e, run;
	int have = 0;

	printf("map of pid %d:\n", pid ? pid : getpid());
	for (int i = 0;; i++) {
		if (vmapinfo(pid, i, &e) != 0) {
			if (errno == ENOENT)
				break;
			fprintf(stderr, "vmmap: %d: %s\n", pid, strerror(errno));
			return 1;
		}
		if (have && same(&run, &e)) {
			run.end = e.end;
			continue;
		}
		if (have)
			print(&run);
		run = e;
		have = 1;
	}
	if (have)
		print(&run);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "-d") == 0) {
		struct vmap_conv c = { 0, PROT_READ };
		char *priv = vmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, 0, NULL, NULL);
		char *sh = vmap(NULL, 4096, PROT_READ | PROT_WRITE, VMAP_SHARE, NULL, &c);
		int p[2];
		pid_t pid;

		if (priv == VMAP_FAILED || sh == VMAP_FAILED || pipe(p) != 0) {
			perror("vmmap: vmap");
			return 1;
		}
		fflush(stdout);
		if ((pid = fork()) == 0) {	/* a partner of sh, until we close the pipe */
			char ch;
			close(p[1]);
			read(p[0], &ch, 1);
			_exit(0);
		}
		close(p[0]);
		int r = show(0);
		printf("map of the partner:\n");
		r |= show(pid);
		close(p[1]);
		waitpid(pid, NULL, 0);
		return r;
	}
	return show(argc > 1 ? atoi(argv[1]) : 0);
}
