/*
 * virtio_blk.c: the disk, a virtio block device, over any transport
 * (PCI on x86_64, MMIO on RISC-V; see virtio.h).
 *
 * One split virtqueue (virtio 1.0, 2.6) carries requests.  Each request
 * is a chain of three descriptors:
 *   the header  (type: read or write, and the first 512-byte sector),
 *   the data    (one BSIZE block, two sectors; device-writable for reads),
 *   the status  (one byte the device writes: 0 = OK).
 * disk_rw() puts the chain's head in the available ring, notifies the
 * device and sleeps on the buf; the interrupt handler walks the used
 * ring, clears b_disk and wakes the sleeper.  Several processes may have
 * requests in flight at once, up to a third of the queue's descriptors;
 * more wait for free descriptors.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "md.h"
#include "spinlock.h"
#include "proc.h"
#include "page.h"
#include "fs.h"
#include "virtio.h"

/* Feature-independent layout of a split virtqueue. */
struct vring_desc {
	uint64_t	addr;		/* physical */
	uint32_t	len;
	uint16_t	flags;
	uint16_t	next;
};
#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2	/* the device writes this buffer */

struct vring_avail {
	uint16_t	flags;
	uint16_t	idx;		/* where the driver puts the next entry */
	uint16_t	ring[];
};

struct vring_used_elem {
	uint32_t	id;		/* head of a finished chain */
	uint32_t	len;
};

struct vring_used {
	uint16_t	flags;
	uint16_t	idx;		/* where the device puts the next entry */
	struct vring_used_elem ring[];
};

/* virtio_blk request header (virtio 1.0, 5.2.6) */
struct virtio_blk_outhdr {
	uint32_t	type;
	uint32_t	reserved;
	uint64_t	sector;
};
#define VIRTIO_BLK_T_IN		0	/* read */
#define VIRTIO_BLK_T_OUT	1	/* write */

#define VBLK_QMAX	64		/* descriptors we use at most */
#define SECTOR_SIZE	512

/* Per head descriptor: the request's header, status and buf (DMA'd). */
struct vblk_req {
	struct virtio_blk_outhdr hdr;
	uint8_t		status;
	struct buf	*b;
};

static struct vblk {
	struct virtio_dev *dev;
	struct spinlock	lock;
	int		qsize;
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
	struct vblk_req	*reqs;		/* [qsize], in one page */
	char		free[VBLK_QMAX];	/* is descriptor i free? */
	uint16_t	used_seen;	/* used ring entries already handled */
} vblk;

static int
alloc_desc(void)
{
	int i;

	for (i = 0; i < vblk.qsize; i++) {
		if (vblk.free[i]) {
			vblk.free[i] = 0;
			return i;
		}
	}
	return -1;
}

static void
free_desc(int i)
{
	vblk.desc[i].addr = 0;
	vblk.desc[i].flags = 0;
	vblk.free[i] = 1;
}

/* Three descriptors or none. */
static int
alloc3(int d[3])
{
	int i;

	for (i = 0; i < 3; i++) {
		if ((d[i] = alloc_desc()) < 0) {
			while (--i >= 0)
				free_desc(d[i]);
			return -1;
		}
	}
	return 0;
}

static void
attach_fail(struct virtio_dev *d, const char *why)
{
	d->t->set_status(d, VIRTIO_STATUS_FAILED);
	printf("virtio-blk: %s\n", why);
}

void
virtio_blk_attach(struct virtio_dev *d)
{
	const struct virtio_transport *t = d->t;
	paddr_t pdesc, pavail, pused, preqs;
	uint8_t status = 0;
	int max, i;

	spinlock_init(&vblk.lock, "virtio_blk");
	vblk.dev = d;

	/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues, DRIVER_OK. */
	t->set_status(d, 0);
	status |= VIRTIO_STATUS_ACKNOWLEDGE;
	t->set_status(d, status);
	status |= VIRTIO_STATUS_DRIVER;
	t->set_status(d, status);

	/* We need nothing but the virtio 1.0 layout. */
	if (!(t->get_features(d, VIRTIO_F_VERSION_1 / 32) & (1U << (VIRTIO_F_VERSION_1 % 32)))) {
		attach_fail(d, "device is not virtio 1.0");
		return;
	}
	t->set_features(d, 0, 0);
	t->set_features(d, 1, 1U << (VIRTIO_F_VERSION_1 % 32));
	status |= VIRTIO_STATUS_FEATURES_OK;
	t->set_status(d, status);
	if (!(t->get_status(d) & VIRTIO_STATUS_FEATURES_OK)) {
		attach_fail(d, "features not accepted");
		return;
	}

	max = t->queue_max(d, 0);
	if (max <= 0) {
		attach_fail(d, "no queue 0");
		return;
	}
	/* Split virtqueue sizes are powers of two. */
	for (vblk.qsize = 1; vblk.qsize * 2 <= max && vblk.qsize * 2 <= VBLK_QMAX; vblk.qsize *= 2)
		;
	pdesc = page_alloc();
	pavail = page_alloc();
	pused = page_alloc();
	preqs = page_alloc();
	if (!pdesc || !pavail || !pused || !preqs) {
		attach_fail(d, "out of memory");
		return;
	}
	vblk.desc = PHYS_TO_KVA(pdesc);
	vblk.avail = PHYS_TO_KVA(pavail);
	vblk.used = PHYS_TO_KVA(pused);
	vblk.reqs = PHYS_TO_KVA(preqs);
	for (i = 0; i < vblk.qsize; i++)
		vblk.free[i] = 1;
	vblk.used_seen = 0;
	t->queue_setup(d, 0, vblk.qsize, pdesc, pavail, pused);

	status |= VIRTIO_STATUS_DRIVER_OK;
	t->set_status(d, status);
}

/* Read or write b's block; sleeps until done.  The caller holds b->b_lock. */
void
disk_rw(struct buf *b, int write)
{
	struct virtio_dev *d = vblk.dev;
	struct vblk_req *r;
	int c[3];

	KASSERT(sleeplock_holding(&b->b_lock));
	if (d == NULL)
		panic("disk_rw: no disk");
	spinlock_acquire(&vblk.lock);
	while (alloc3(c) < 0)
		sleep(&vblk.free, &vblk.lock, "diskq");

	r = &vblk.reqs[c[0]];
	r->hdr.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
	r->hdr.reserved = 0;
	r->hdr.sector = (uint64_t)b->b_blockno * (BSIZE / SECTOR_SIZE);
	r->status = 0xff;
	r->b = b;

	vblk.desc[c[0]].addr = KVA_TO_PHYS(&r->hdr);
	vblk.desc[c[0]].len = sizeof(r->hdr);
	vblk.desc[c[0]].flags = VRING_DESC_F_NEXT;
	vblk.desc[c[0]].next = c[1];

	vblk.desc[c[1]].addr = KVA_TO_PHYS(b->b_data);
	vblk.desc[c[1]].len = BSIZE;
	vblk.desc[c[1]].flags = VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE);
	vblk.desc[c[1]].next = c[2];

	vblk.desc[c[2]].addr = KVA_TO_PHYS(&r->status);
	vblk.desc[c[2]].len = 1;
	vblk.desc[c[2]].flags = VRING_DESC_F_WRITE;
	vblk.desc[c[2]].next = 0;

	b->b_disk = 1;
	vblk.avail->ring[vblk.avail->idx % vblk.qsize] = c[0];
	__sync_synchronize();		/* the ring entry before the index */
	vblk.avail->idx = vblk.avail->idx + 1;
	__sync_synchronize();		/* the index before the notification */
	d->t->notify(d, 0);

	while (b->b_disk)
		sleep(b, &vblk.lock, "disk");

	if (r->status != 0)
		panic("virtio-blk: %s of block %u failed (status %d)",
		    write ? "write" : "read", b->b_blockno, r->status);
	r->b = NULL;
	free_desc(c[0]);
	free_desc(c[1]);
	free_desc(c[2]);
	wakeup(&vblk.free);
	spinlock_release(&vblk.lock);
}

void
virtio_blk_intr(struct virtio_dev *d)
{
	struct buf *b;
	uint32_t id;

	if (vblk.used == NULL) {	/* not (or not successfully) attached */
		d->t->intr_ack(d);
		return;
	}
	spinlock_acquire(&vblk.lock);
	d->t->intr_ack(d);
	__sync_synchronize();
	while (vblk.used_seen != vblk.used->idx) {
		__sync_synchronize();	/* the index before the entry */
		id = vblk.used->ring[vblk.used_seen % vblk.qsize].id;
		if (id < (uint32_t)vblk.qsize && (b = vblk.reqs[id].b) != NULL) {
			b->b_disk = 0;
			wakeup(b);
		}
		vblk.used_seen++;
	}
	spinlock_release(&vblk.lock);
}
