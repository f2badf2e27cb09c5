/* xv6 compatibility layer: open(2) flags under xv6's names. */
#ifndef XV6_KERNEL_FCNTL_H
#define XV6_KERNEL_FCNTL_H

#include <aqua/fcntl.h>

#define O_CREATE	O_CREAT		/* xv6 spells it with an E */

#endif
