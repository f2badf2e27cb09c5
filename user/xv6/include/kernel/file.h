/* xv6 compatibility layer: the console's device number, as init needs it. */
#ifndef XV6_KERNEL_FILE_H
#define XV6_KERNEL_FILE_H

#include <aqua/fsformat.h>

#define CONSOLE		CONSOLE_MAJOR

#endif
