// xv6check: the xv6 compatibility layer, checked by a program in xv6's
// style (only xv6's headers and calls, built like an xv6 program:
// Makefile, XV6CFLAGS).  Each check prints "xv6check: NAME: OK" or
// "xv6check: NAME: FAILED why"; the exit status is the number of failures.
// grade/tests/test_core.py's test_xv6_layer runs it.

#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/param.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "kernel/riscv.h"
#include "kernel/memlayout.h"
#include "user/user.h"

int failures;

void
report(char *name, int ok, char *why)
{
  if(ok)
    printf("xv6check: %s: OK\n", name);
  else {
    printf("xv6check: %s: FAILED %s\n", name, why);
    failures++;
  }
}

// Run f in a child with its stdout (fd 1) or stderr (fd 2) on a pipe;
// return what it wrote, NUL-terminated, in out.
int
capture(void (*f)(void), int fd, char *out, int max)
{
  int p[2], n, total;

  if(pipe(p) < 0)
    return -1;
  if(fork() == 0){
    close(p[0]);
    close(fd);
    dup(p[1]);
    close(p[1]);
    f();
    exit(0);
  }
  close(p[1]);
  total = 0;
  while(total < max - 1 && (n = read(p[0], out + total, max - 1 - total)) > 0)
    total += n;
  out[total] = 0;
  close(p[0]);
  wait(0);
  return total;
}

void
formats(void)
{
  uint64 big = 5000000000UL;
  printf("%d %x %s %c %l %ld %lu %lx %p %%", -42, 255, "str", 'z', big, -big, big, big,
         (void*)0x1000);
}

void
tostderr(void)
{
  fprintf(2, "to fd %d", 2);
}

// Output before a fork must not come out twice: printf is unbuffered.
void
beforefork(void)
{
  printf("once ");
  if(fork() == 0)
    exit(0);
  wait(0);
  printf("end");
}

void
checkprintf(void)
{
  char buf[256];

  capture(formats, 1, buf, sizeof(buf));
  report("printf formats", strcmp(buf, "-42 ff str z 5000000000 -5000000000 5000000000 12a05f200 0x1000 %") == 0, buf);
  capture(tostderr, 2, buf, sizeof(buf));
  report("fprintf(2, ...)", strcmp(buf, "to fd 2") == 0, buf);
  capture(beforefork, 1, buf, sizeof(buf));
  report("printf before fork", strcmp(buf, "once end") == 0, buf);
}

int
childstatus(int code)
{
  int pid, st;

  pid = fork();
  if(pid == 0)
    exit(code);
  st = 12345;
  if(wait(&st) != pid)
    return 12345;
  return st;
}

void
checkwait(void)
{
  int pid, st;

  report("wait gives exit(0)", childstatus(0) == 0, "");
  report("wait gives exit(7)", childstatus(7) == 7, "");
  report("wait gives exit(-1)", childstatus(-1) == -1, "");

  pid = fork();
  if(pid == 0){
    for(;;)
      pause(100);
  }
  kill(pid);
  st = 0;
  wait(&st);
  report("kill(pid), then wait gives -1", st == -1, "");
}

void
checksbrk(void)
{
  char *a, *b;

  a = sbrk(PGSIZE);
  b = sbrk(0);
  report("sbrk returns the old break", a != SBRK_ERROR && b == a + PGSIZE, "");
  a[0] = 1;
  a[PGSIZE-1] = 2;
  report("sbrk(-PGSIZE)", sbrk(-PGSIZE) == b && sbrk(0) == a, "");
}

void
checktime(void)
{
  int t0, t1;

  t0 = uptime();
  sleep(3);
  t1 = uptime();
  // 3 ticks of sleep move a tick counter by at least 3.
  report("sleep and uptime count ticks", t1 - t0 >= 3, "");
}

void
checkfiles(void)
{
  int fd;
  struct stat st;
  char buf[BSIZE];

  unlink("/xv6check.tmp");
  fd = open("/xv6check.tmp", O_CREATE|O_RDWR);
  memset(buf, 'x', sizeof(buf));
  write(fd, buf, sizeof(buf));
  fstat(fd, &st);
  close(fd);
  report("O_CREATE, fstat", fd >= 0 && st.type == T_FILE && st.size == BSIZE, "");
  unlink("/xv6check.tmp");
  report("MAXFILE fits the disk", MAXFILE > 0 && MAXFILE <= FSSIZE, "");
}

// The stack rule: USERSTACK pages, and an unmapped guard page below them.
int
touch(int pages)
{
  int pid, st;

  pid = fork();
  if(pid == 0){
    volatile char *p = (char *)r_sp() - pages * PGSIZE;
    *p = 1;
    exit(0);
  }
  wait(&st);
  return st;
}

void
checkstack(void)
{
  report("stack: USERSTACK-1 pages below sp is stack", touch(USERSTACK - 1) == 0, "");
  report("stack: USERSTACK pages below sp is the guard", touch(USERSTACK) == -1, "");
}

void
checkkernel(void)
{
  int pid, st;

  pid = fork();
  if(pid == 0){
    volatile char *k = (char *)KERNBASE;
    *k = 1;
    exit(0);
  }
  wait(&st);
  report("writing KERNBASE kills", st == -1, "");
}

// xv6 programs exec each other by bare name.
void
runecho(void)
{
  char *argv[] = { "echo", "hello", 0 };
  exec("echo", argv);
  exit(1);
}

void
checkexec(void)
{
  char buf[64];

  capture(runecho, 1, buf, sizeof(buf));
  report("exec(\"echo\") by bare name", strcmp(buf, "hello\n") == 0, buf);
}

int
main(int argc, char *argv[])
{
  checkprintf();
  checkwait();
  checksbrk();
  checktime();
  checkfiles();
  checkstack();
  checkkernel();
  checkexec();
  printf("xv6check: %d failed\n", failures);
  exit(failures);
}
