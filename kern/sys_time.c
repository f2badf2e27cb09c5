/*
 * nanotime(2): the monotonic clock in nanoseconds.
 *
 * uptime(2) counts milliseconds, far too coarse to time one system call
 * (a getpid round trip takes a few hundred nanoseconds under QEMU), so
 * the benchmarks (user/tests/bench.c, `make bench') read this instead.
 * It is the same clock as uptime(): the TSC on x86_64, the time CSR on
 * RISC-V, counted from the same zero.  Under QEMU's -icount it runs on
 * virtual time, which counts guest instructions, so a benchmark then
 * measures the same figure on a busy host as on an idle one.
 */
#include "systm.h"
#include "md.h"
#include "syscall.h"

int
sys_nanotime(struct proc *p, const register_t *args, register_t *retval)
{
	retval[0] = (register_t)md_nanotime();
	return 0;
}
