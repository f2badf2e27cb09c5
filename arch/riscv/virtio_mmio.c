/*
 * The virtio-over-MMIO transport (virtio 1.1, section 4.2.2, the
 * "modern" register layout, Version = 2; QEMU gives us that because it
 * is started with -global virtio-mmio.force-legacy=false).  QEMU virt has
 * eight slots at 0x10001000 + 0x1000*n, PLIC source 1+n; an empty slot
 * reads DeviceID 0.  Everything above the transport is the portable
 * driver (kern/dev/virtio_blk.c).
 */
#include "riscv.h"
#include "systm.h"
#include "virtio.h"

#define VIRTIO_MMIO_MAGIC		0x000	/* "virt" */
#define VIRTIO_MMIO_VERSION		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090	/* the available ring */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0	/* the used ring */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG		0x100

#define VIRTIO_MMIO_MAGIC_VALUE		0x74726976
#define VIRTIO_ID_BLOCK			2

static struct virtio_dev mmio_devs[VIRT_VIRTIO_COUNT];
static int mmio_ndevs;

static volatile uint32_t *
reg(struct virtio_dev *d, size_t off)
{
	return (volatile uint32_t *)((char *)d->cookie + off);
}

static uint32_t
mmio_get_features(struct virtio_dev *d, int word)
{
	*reg(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL) = word;
	return *reg(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void
mmio_set_features(struct virtio_dev *d, int word, uint32_t bits)
{
	*reg(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL) = word;
	*reg(d, VIRTIO_MMIO_DRIVER_FEATURES) = bits;
}

static uint8_t
mmio_get_status(struct virtio_dev *d)
{
	return *reg(d, VIRTIO_MMIO_STATUS);
}

static void
mmio_set_status(struct virtio_dev *d, uint8_t status)
{
	*reg(d, VIRTIO_MMIO_STATUS) = status;
}

static uint32_t
mmio_config_read32(struct virtio_dev *d, size_t off)
{
	return *reg(d, VIRTIO_MMIO_CONFIG + off);
}

static int
mmio_queue_max(struct virtio_dev *d, int q)
{
	*reg(d, VIRTIO_MMIO_QUEUE_SEL) = q;
	return *reg(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
}

static void
mmio_queue_setup(struct virtio_dev *d, int q, int size, paddr_t desc,
		 paddr_t avail, paddr_t used)
{
	*reg(d, VIRTIO_MMIO_QUEUE_SEL) = q;
	*reg(d, VIRTIO_MMIO_QUEUE_NUM) = size;
	*reg(d, VIRTIO_MMIO_QUEUE_DESC_LOW) = (uint32_t)desc;
	*reg(d, VIRTIO_MMIO_QUEUE_DESC_HIGH) = (uint32_t)(desc >> 32);
	*reg(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW) = (uint32_t)avail;
	*reg(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH) = (uint32_t)(avail >> 32);
	*reg(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW) = (uint32_t)used;
	*reg(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH) = (uint32_t)(used >> 32);
	*reg(d, VIRTIO_MMIO_QUEUE_READY) = 1;
}

static void
mmio_notify(struct virtio_dev *d, int q)
{
	__sync_synchronize();		/* ring updates before the doorbell */
	*reg(d, VIRTIO_MMIO_QUEUE_NOTIFY) = q;
}

static uint32_t
mmio_intr_ack(struct virtio_dev *d)
{
	uint32_t status = *reg(d, VIRTIO_MMIO_INTERRUPT_STATUS);

	*reg(d, VIRTIO_MMIO_INTERRUPT_ACK) = status;
	return status;
}

static const struct virtio_transport mmio_transport = {
	.get_features = mmio_get_features,
	.set_features = mmio_set_features,
	.get_status = mmio_get_status,
	.set_status = mmio_set_status,
	.config_read32 = mmio_config_read32,
	.queue_max = mmio_queue_max,
	.queue_setup = mmio_queue_setup,
	.notify = mmio_notify,
	.intr_ack = mmio_intr_ack,
};

/* Look at every slot; attach each modern virtio-blk device found. */
void
virtio_mmio_probe(void)
{
	int slot;

	for (slot = 0; slot < VIRT_VIRTIO_COUNT; slot++) {
		paddr_t pa = VIRT_VIRTIO + slot * VIRT_VIRTIO_STRIDE;
		volatile uint32_t *base = PHYS_TO_KVA(pa);
		struct virtio_dev *d;

		if (base[VIRTIO_MMIO_MAGIC / 4] != VIRTIO_MMIO_MAGIC_VALUE ||
		    base[VIRTIO_MMIO_DEVICE_ID / 4] != VIRTIO_ID_BLOCK)
			continue;
		if (base[VIRTIO_MMIO_VERSION / 4] != 2) {
			printf("virtio-mmio@%lx: legacy device (version %u), ignored\n",
			    pa, base[VIRTIO_MMIO_VERSION / 4]);
			continue;
		}
		d = &mmio_devs[mmio_ndevs++];
		d->t = &mmio_transport;
		d->cookie = (void *)base;
		d->irq = IRQ_VIRTIO0 + slot;
		plic_enable_irq(d->irq);
		virtio_blk_attach(d);
	}
}

void
virtio_mmio_intr(int irq)
{
	int i;

	for (i = 0; i < mmio_ndevs; i++)
		if (mmio_devs[i].irq == irq)
			virtio_blk_intr(&mmio_devs[i]);
}
