/*
 * Device configuration.  On QEMU q35 the one device the kernel drives
 * besides the UART (set up at boot, machdep.c) is the virtio-blk disk,
 * found by a PCI bus scan; its interrupts come by MSI-X straight to a
 * local APIC (virtio_pci.c), so, unlike RISC-V's PLIC, there is nothing
 * to route here.
 */
#include "types.h"
#include "systm.h"
#include "md.h"
#include "x86.h"

void
cpu_configure(void)
{
	if (!virtio_pci_probe())
		printf("virtio-pci: no virtio-blk device\n");
}
