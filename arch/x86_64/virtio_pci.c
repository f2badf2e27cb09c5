/*
 * virtio_pci.c: the virtio 1.0 PCI transport, and cpu_configure().
 *
 * A modern virtio PCI device (vendor 0x1af4, device 0x1040 + type; the
 * block device is 0x1042) describes where its registers are with vendor
 * capabilities (id 9) in configuration space: each names a BAR and an
 * offset in it for one structure:
 *   type 1  common configuration: features, status, queue setup
 *   type 2  notifications: queue q is kicked by writing q at
 *           base + queue_notify_off(q) * notify_off_multiplier
 *   type 3  ISR status: reading it acknowledges the interrupt
 *   type 4  device-specific configuration (virtio_blk_config)
 *
 * Interrupts: MSI-X, not INTx.  With MSI-X the device writes the vector
 * straight to a local APIC: nothing to route through the IOAPIC, no
 * sharing, and no need to know how q35's chipset swizzles PCI pins onto
 * IOAPIC inputs.  Table entry 0 is aimed at the boot CPU with vector
 * T_VIRTIO, and queue 0 uses it; configuration changes get no vector.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "virtio.h"
#include "x86.h"
#include "pci.h"

#define VIRTIO_VENDOR		0x1af4
#define VIRTIO_DEV_BLK		0x1042

#define VIRTIO_CAP_COMMON	1
#define VIRTIO_CAP_NOTIFY	2
#define VIRTIO_CAP_ISR		3
#define VIRTIO_CAP_DEVICE	4

/* struct virtio_pci_common_cfg, as byte offsets */
#define COMMON_DFSELECT		0x00
#define COMMON_DF		0x04
#define COMMON_GFSELECT		0x08
#define COMMON_GF		0x0c
#define COMMON_MSIX		0x10
#define COMMON_NUMQ		0x12
#define COMMON_STATUS		0x14
#define COMMON_Q_SELECT		0x16
#define COMMON_Q_SIZE		0x18
#define COMMON_Q_MSIX		0x1a
#define COMMON_Q_ENABLE		0x1c
#define COMMON_Q_NOFF		0x1e
#define COMMON_Q_DESC		0x20
#define COMMON_Q_AVAIL		0x28
#define COMMON_Q_USED		0x30

#define VIRTIO_MSI_NO_VECTOR	0xffff

struct virtio_pci {
	struct pci_func	pf;
	volatile uint8_t *common;
	volatile uint8_t *notify;
	uint32_t	notify_mult;
	volatile uint8_t *isr;
	volatile uint8_t *devcfg;
};

static struct virtio_pci vpci;
static struct virtio_dev vdev;

#define R8(p, o)	(*(volatile uint8_t *)((p) + (o)))
#define R16(p, o)	(*(volatile uint16_t *)((p) + (o)))
#define R32(p, o)	(*(volatile uint32_t *)((p) + (o)))
#define R64(p, o)	(*(volatile uint64_t *)((p) + (o)))

static struct virtio_pci *
vp(struct virtio_dev *d)
{
	return d->cookie;
}

static uint32_t
vp_get_features(struct virtio_dev *d, int word)
{
	R32(vp(d)->common, COMMON_DFSELECT) = word;
	return R32(vp(d)->common, COMMON_DF);
}

static void
vp_set_features(struct virtio_dev *d, int word, uint32_t bits)
{
	R32(vp(d)->common, COMMON_GFSELECT) = word;
	R32(vp(d)->common, COMMON_GF) = bits;
}

static uint8_t
vp_get_status(struct virtio_dev *d)
{
	return R8(vp(d)->common, COMMON_STATUS);
}

static void
vp_set_status(struct virtio_dev *d, uint8_t status)
{
	R8(vp(d)->common, COMMON_STATUS) = status;
}

static uint32_t
vp_config_read32(struct virtio_dev *d, size_t off)
{
	return R32(vp(d)->devcfg, off);
}

static int
vp_queue_max(struct virtio_dev *d, int q)
{
	if (q >= R16(vp(d)->common, COMMON_NUMQ))
		return 0;
	R16(vp(d)->common, COMMON_Q_SELECT) = q;
	return R16(vp(d)->common, COMMON_Q_SIZE);
}

static void
vp_queue_setup(struct virtio_dev *d, int q, int size, paddr_t desc, paddr_t avail, paddr_t used)
{
	volatile uint8_t *c = vp(d)->common;

	R16(c, COMMON_Q_SELECT) = q;
	R16(c, COMMON_Q_SIZE) = size;
	R16(c, COMMON_Q_MSIX) = 0;		/* MSI-X table entry 0 */
	if (R16(c, COMMON_Q_MSIX) != 0)
		printf("virtio-pci: queue %d has no MSI-X vector\n", q);
	R64(c, COMMON_Q_DESC) = desc;
	R64(c, COMMON_Q_AVAIL) = avail;
	R64(c, COMMON_Q_USED) = used;
	R16(c, COMMON_Q_ENABLE) = 1;
}

static void
vp_notify(struct virtio_dev *d, int q)
{
	volatile uint8_t *c = vp(d)->common;
	uint16_t off;

	R16(c, COMMON_Q_SELECT) = q;
	off = R16(c, COMMON_Q_NOFF);
	R16(vp(d)->notify, off * vp(d)->notify_mult) = q;
}

static uint32_t
vp_intr_ack(struct virtio_dev *d)
{
	return R8(vp(d)->isr, 0);
}

static const struct virtio_transport virtio_pci_transport = {
	.get_features = vp_get_features,
	.set_features = vp_set_features,
	.get_status = vp_get_status,
	.set_status = vp_set_status,
	.config_read32 = vp_config_read32,
	.queue_max = vp_queue_max,
	.queue_setup = vp_queue_setup,
	.notify = vp_notify,
	.intr_ack = vp_intr_ack,
};

/* Map the structure a virtio capability at 'off' describes. */
static volatile uint8_t *
map_cap(struct pci_func *f, int off)
{
	int bar = pci_read8(f, off + 4);
	uint32_t boff = pci_read32(f, off + 8), len = pci_read32(f, off + 12);
	paddr_t base = pci_bar_addr(f, bar);

	if (base == 0)
		return NULL;
	return pmap_mapdev(base + boff, len);
}

static void
setup_msix(struct pci_func *f)
{
	int cap = pci_find_cap(f, PCI_CAP_MSIX, 0);
	uint32_t tbl;
	volatile uint32_t *entry;

	if (cap == 0) {
		printf("virtio-pci: no MSI-X capability; disk interrupts will not arrive\n");
		return;
	}
	tbl = pci_read32(f, cap + 4);
	entry = pmap_mapdev(pci_bar_addr(f, tbl & 7) + (tbl & ~7U), 16);
	entry[0] = 0xfee00000U | (cpu_apicids[0] << 12);	/* message address: the boot CPU */
	entry[1] = 0;
	entry[2] = T_VIRTIO;					/* data: fixed, edge, vector */
	entry[3] = 0;						/* unmasked */
	/* Message control: enable (bit 15), function mask off (bit 14). */
	pci_write16(f, cap + 2, (pci_read16(f, cap + 2) | 0x8000) & ~0x4000);
}

static int
match_virtio_blk(struct pci_func *f)
{
	struct virtio_pci *v = &vpci;
	int off;

	if (f->vendor != VIRTIO_VENDOR || f->device != VIRTIO_DEV_BLK)
		return 0;
	v->pf = *f;
	pci_write16(f, PCI_COMMAND, pci_read16(f, PCI_COMMAND) |
	    PCI_COMMAND_MEM | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF);
	for (off = pci_find_cap(f, PCI_CAP_VENDOR, 0); off != 0;
	    off = pci_find_cap(f, PCI_CAP_VENDOR, off)) {
		switch (pci_read8(f, off + 3)) {
		case VIRTIO_CAP_COMMON:
			if (!v->common)
				v->common = map_cap(f, off);
			break;
		case VIRTIO_CAP_NOTIFY:
			if (!v->notify) {
				v->notify = map_cap(f, off);
				v->notify_mult = pci_read32(f, off + 16);
			}
			break;
		case VIRTIO_CAP_ISR:
			if (!v->isr)
				v->isr = map_cap(f, off);
			break;
		case VIRTIO_CAP_DEVICE:
			if (!v->devcfg)
				v->devcfg = map_cap(f, off);
			break;
		}
	}
	if (!v->common || !v->notify || !v->isr || !v->devcfg) {
		printf("virtio-pci: %d:%d.%d lacks a capability\n", f->bus, f->dev, f->fn);
		return 0;
	}
	/* Reset before touching MSI-X, so the device starts from scratch. */
	R8(v->common, COMMON_STATUS) = 0;
	while (R8(v->common, COMMON_STATUS) != 0)
		pause();
	R16(v->common, COMMON_MSIX) = VIRTIO_MSI_NO_VECTOR;
	setup_msix(f);
	return 1;
}

void
cpu_configure(void)
{
	if (!pci_scan(match_virtio_blk)) {
		printf("virtio-pci: no virtio-blk device\n");
		return;
	}
	vdev.t = &virtio_pci_transport;
	vdev.cookie = &vpci;
	vdev.irq = T_VIRTIO;
	virtio_blk_attach(&vdev);
}

void
virtio_pci_intr(void)
{
	if (vdev.t != NULL)
		virtio_blk_intr(&vdev);
}
