/*
 * struct reg for user programs (<sys/ptrace.h>, ptrace(2)).  One
 * definition, the port's own (arch/riscv/include/machine/reg.h); user
 * programs do not have arch/riscv/include on their include path, hence
 * this file, which only forwards.
 */
#include "../../../../arch/riscv/include/machine/reg.h"
