/*
 * xv6 compatibility layer: struct stat and T_DIR/T_FILE/T_DEVICE.
 * aqua6's struct stat has xv6's fields with xv6's names and types.
 */
#ifndef XV6_KERNEL_STAT_H
#define XV6_KERNEL_STAT_H

#include <aqua/stat.h>

#endif
