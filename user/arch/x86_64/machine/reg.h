/*
 * struct reg for user programs (<sys/ptrace.h>, ptrace(2)).  One
 * definition, the port's own (arch/x86_64/include/machine/reg.h); user
 * programs do not have arch/x86_64/include on their include path, hence
 * this file, which only forwards.
 */
#include "../../../../arch/x86_64/include/machine/reg.h"
