/* xv6 compatibility layer: system call numbers (aqua6's, SYS_name). */
#ifndef XV6_KERNEL_SYSCALL_H
#define XV6_KERNEL_SYSCALL_H

#include <aqua/syscall.h>

#endif
