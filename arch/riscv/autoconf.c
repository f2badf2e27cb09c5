/*
 * Device configuration and external-interrupt dispatch.  On QEMU virt the
 * devices sit at fixed addresses (riscv.h), so "configuration" is: set up
 * the UART, probe the eight virtio-mmio slots, and route PLIC sources.
 */
#include "riscv.h"
#include "systm.h"

void
cpu_configure(void)
{
	plic_init();
	uart_init();
	virtio_mmio_probe();
	plic_init_cpu();
}

/* A PLIC interrupt: claim the source, run its handler, complete it. */
void
md_external_intr(void)
{
	int irq = plic_claim();

	if (irq == 0)
		return;			/* another hart claimed it */
	if (irq == IRQ_UART0)
		uart_intr();
	else if (irq >= IRQ_VIRTIO0 && irq < IRQ_VIRTIO0 + VIRT_VIRTIO_COUNT)
		virtio_mmio_intr(irq);
	else
		printf("riscv: unexpected PLIC source %d\n", irq);
	plic_complete(irq);
}
