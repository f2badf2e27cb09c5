/*
 * Thread-local storage for aqua6 user programs (user/lib/tls.c,
 * docs/man/__get_tcb.2).
 *
 * `__thread int x;' gives every thread its own x.  The compiler reaches it
 * through the thread pointer (x86_64: the FS base, `%fs:offset'; RISC-V:
 * the tp register, `tp + offset'), with offsets the linker computed from
 * the program's TLS template (.tdata and .tbss, user/user.ld).  The C
 * library gives each thread a block laid out as the ABI wants:
 *
 *   x86_64 (TLS "variant II")          RISC-V (variant I, no TCB)
 *
 *     [ .tdata | .tbss | TCB ]           [ .tdata | .tbss ]
 *                       ^ FS base          ^ tp
 *   the block ends where the TCB        the block starts at tp
 *   starts; the TCB's first word
 *   points to itself (%fs:0 gives
 *   the thread pointer)
 *
 * crt0 makes the main thread's block before main(), thread_create() one
 * for each thread (thread(3)).  errno is one of these variables.
 */
#ifndef _TLS_H
#define _TLS_H

#include <stddef.h>

/* The system calls: the calling thread's thread pointer. */
void	*__get_tcb(void);
int	 __set_tcb(void *tcb);		/* 0, or -1 and EINVAL: not a user address */

/* The C library's blocks (user/lib/tls.c). */
size_t	 __tls_size(void);		/* bytes a block needs, alignment slack included */
void	*__tls_init(void *mem);		/* build a block in mem: its thread pointer */

#endif
