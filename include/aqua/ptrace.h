/*
 * ptrace(2) requests (docs/man/ptrace.2), with OpenBSD's names and
 * numbers.  struct reg, for PT_GETREGS/PT_SETREGS, differs per port:
 * <machine/reg.h>.
 */
#ifndef AQUA_PTRACE_H
#define AQUA_PTRACE_H

#define PT_TRACE_ME	0	/* the caller is traced by its parent */
#define PT_READ_I	1	/* read a word of text (same as PT_READ_D here) */
#define PT_READ_D	2	/* read a word of data: the value is the return value */
#define PT_WRITE_I	4	/* write a word of text (same as PT_WRITE_D here) */
#define PT_WRITE_D	5	/* write the int data at addr */
#define PT_CONTINUE	7	/* resume; addr 1 = where it stopped; data = signal to deliver */
#define PT_KILL		8	/* end the process (SIGKILL) */
#define PT_ATTACH	9	/* trace a child of the caller (stops it with SIGSTOP) */
#define PT_DETACH	10	/* stop tracing; resume it as PT_CONTINUE would */
#define PT_STEP		32	/* resume for one instruction, then stop with SIGTRAP */
#define PT_GETREGS	33	/* copy struct reg out to addr */
#define PT_SETREGS	34	/* set the registers from the struct reg at addr */

#endif
