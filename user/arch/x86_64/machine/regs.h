/*
 * regs_t for user programs (<aqua/context.h> includes <machine/regs.h>).
 * The kernel and user space must agree on it to the byte, so there is one
 * definition, the port's own: arch/x86_64/include/machine/regs.h.  User
 * programs do not have arch/x86_64/include on their include path (it holds
 * kernel-only headers too), hence this file, which only forwards.
 */
#include "../../../../arch/x86_64/include/machine/regs.h"
