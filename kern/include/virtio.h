/*
 * Portable virtio (kern/dev/virtio.c, kern/dev/virtio_blk.c).
 *
 * virtio devices look the same to a driver whatever the bus: feature bits,
 * a status byte, device configuration space and virtqueues.  Only how the
 * driver reaches those registers differs: PCI capabilities on x86_64
 * (arch/x86_64/virtio_pci.c), memory-mapped registers on RISC-V
 * (arch/riscv/virtio_mmio.c).  A port implements this transport interface
 * and calls virtio_blk_attach(); everything above it is shared.
 * Both transports are driven in "modern" (virtio 1.0) mode, which lets the
 * three parts of a virtqueue live in separate pages.
 */
#ifndef KERN_VIRTIO_H
#define KERN_VIRTIO_H

#include "types.h"

/* Device status bits (virtio 1.0, 2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE	1
#define VIRTIO_STATUS_DRIVER		2
#define VIRTIO_STATUS_DRIVER_OK		4
#define VIRTIO_STATUS_FEATURES_OK	8
#define VIRTIO_STATUS_FAILED		128

#define VIRTIO_F_VERSION_1		32	/* feature bit number */

struct virtio_dev;

struct virtio_transport {
	uint32_t (*get_features)(struct virtio_dev *d, int word);	/* device feature bits 32*word.. */
	void	(*set_features)(struct virtio_dev *d, int word, uint32_t bits);
	uint8_t	(*get_status)(struct virtio_dev *d);
	void	(*set_status)(struct virtio_dev *d, uint8_t status);
	uint32_t (*config_read32)(struct virtio_dev *d, size_t off);	/* device-specific config */
	int	(*queue_max)(struct virtio_dev *d, int q);	/* 0 if the queue does not exist */
	void	(*queue_setup)(struct virtio_dev *d, int q, int size,
			       paddr_t desc, paddr_t avail, paddr_t used);	/* and enable it */
	void	(*notify)(struct virtio_dev *d, int q);
	uint32_t (*intr_ack)(struct virtio_dev *d);	/* read and clear the interrupt status */
};

struct virtio_dev {
	const struct virtio_transport *t;
	void	*cookie;		/* the transport's own data (BAR addresses, MMIO base) */
	int	irq;			/* the port routes it to virtio_blk_intr() */
};

void	virtio_blk_attach(struct virtio_dev *d);
void	virtio_blk_intr(struct virtio_dev *d);

#endif
