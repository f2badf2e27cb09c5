/*
 * ls: list files and directories, one per line:
 *	name  type  inode  size
 * type is 1 (directory), 2 (file) or 3 (device); directory names end
 * in '/'.
 */
#include <aqua/fsformat.h>	/* struct dirent */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void
show(const char *name, const struct stat *st)
{
	char label[DIRSIZ + 2];

	snprintf(label, sizeof(label), "%s%s", name, st->type == T_DIR ? "/" : "");
	printf("%-15s %d %4u %7lu\n", label, st->type, st->ino, st->size);
}

static int
list(const char *path)
{
	struct stat st;
	struct dirent de;
	char full[MAXPATH], name[DIRSIZ + 1];
	int fd;

	if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (st.type != T_DIR) {
		show(path, &st);
		close(fd);
		return 0;
	}
	while (read(fd, &de, sizeof(de)) == sizeof(de)) {
		if (de.inum == 0)
			continue;
		memcpy(name, de.name, DIRSIZ);
		name[DIRSIZ] = '\0';
		if (snprintf(full, sizeof(full), "%s/%s", path, name) >= (int)sizeof(full)) {
			fprintf(stderr, "ls: %s/%s: path too long\n", path, name);
			continue;
		}
		if (stat(full, &st) < 0) {
			fprintf(stderr, "ls: %s: %s\n", full, strerror(errno));
			continue;
		}
		show(name, &st);
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return list(".") < 0;
	for (int i = 1; i < argc; i++)
		if (list(argv[i]) < 0)
			status = 1;
	return status;
}
