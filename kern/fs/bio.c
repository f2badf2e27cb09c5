/*
 * The buffer cache: NBUF copies of disk blocks in memory.
 *
 * It does two jobs.  It saves disk reads, since recently used blocks stay in
 * memory; and it is the one place a block lives in memory, so two processes
 * that touch the same block see the same copy and serialize on its sleep
 * lock.  bread() returns a locked buffer holding the block's contents; the
 * caller changes b_data, calls bwrite() (or log_write() inside a
 * transaction) and finally brelse().
 *
 * The buffers form a circular list ordered by last release: the head's
 * b_next is the most recently released, b_prev the least recently.  A
 * lookup walks from the front; a buffer to recycle is taken from the back.
 * bcache_lock protects the list, b_dev, b_blockno and b_refcnt; a buffer's
 * sleep lock protects b_data and b_valid.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "proc.h"
#include "fs.h"

static struct spinlock bcache_lock;
static struct buf bufs[NBUF];
static struct buf lru;			/* list head; not a real buffer */
static int bcache_ready;

void
binit(void)
{
	struct buf *b;

	/* fs_init calls us too; the first caller wins. */
	if (bcache_ready)
		return;
	bcache_ready = 1;
	spinlock_init(&bcache_lock, "bcache");
	lru.b_next = lru.b_prev = &lru;
	for (b = bufs; b < bufs + NBUF; b++) {
		sleeplock_init(&b->b_lock, "buffer");
		b->b_next = lru.b_next;
		b->b_prev = &lru;
		lru.b_next->b_prev = b;
		lru.b_next = b;
	}
}

/*
 * Find the buffer for (dev, blockno), or recycle the least recently used
 * idle buffer for it.  Returns the buffer locked.
 */
static struct buf *
bget(unsigned int dev, unsigned int blockno)
{
	struct buf *b;

	spinlock_acquire(&bcache_lock);
	for (;;) {
		for (b = lru.b_next; b != &lru; b = b->b_next) {
			if (b->b_dev == dev && b->b_blockno == blockno) {
				b->b_refcnt++;
				spinlock_release(&bcache_lock);
				sleeplock_acquire(&b->b_lock);
				return b;
			}
		}
		for (b = lru.b_prev; b != &lru; b = b->b_prev) {
			if (b->b_refcnt == 0) {
				b->b_dev = dev;
				b->b_blockno = blockno;
				b->b_valid = 0;
				b->b_refcnt = 1;
				spinlock_release(&bcache_lock);
				sleeplock_acquire(&b->b_lock);
				return b;
			}
		}
		/*
		 * Every buffer is held (many processes in the middle of
		 * disk I/O, plus the blocks pinned by the log).  Wait for a
		 * brelse and look again: by then someone else may even have
		 * read the block.
		 */
		sleep(&lru, &bcache_lock, "bcache");
	}
}

/* A locked buffer with the contents of the block. */
struct buf *
bread(unsigned int dev, unsigned int blockno)
{
	struct buf *b;

	b = bget(dev, blockno);
	if (!b->b_valid) {
		disk_rw(b, 0);
		b->b_valid = 1;
	}
	return b;
}

/* Write a locked buffer's contents to its disk block now. */
void
bwrite(struct buf *b)
{
	if (!sleeplock_holding(&b->b_lock))
		panic("bwrite: buffer not locked");
	disk_rw(b, 1);
}

/*
 * Give up a locked buffer.  When nobody else holds it, it moves to the front
 * of the list: the most recently used blocks are the last to be recycled.
 */
void
brelse(struct buf *b)
{
	if (!sleeplock_holding(&b->b_lock))
		panic("brelse: buffer not locked");
	sleeplock_release(&b->b_lock);

	spinlock_acquire(&bcache_lock);
	KASSERT(b->b_refcnt > 0);
	b->b_refcnt--;
	if (b->b_refcnt == 0) {
		wakeup(&lru);		/* someone may be waiting in bget */
		b->b_next->b_prev = b->b_prev;
		b->b_prev->b_next = b->b_next;
		b->b_next = lru.b_next;
		b->b_prev = &lru;
		lru.b_next->b_prev = b;
		lru.b_next = b;
	}
	spinlock_release(&bcache_lock);
}

/*
 * The log keeps a block it has recorded in the cache until the commit has
 * written it home: if the buffer were recycled, a later bread would fetch
 * the stale copy from the disk.  bpin/bunpin hold that extra reference.
 */
void
bpin(struct buf *b)
{
	spinlock_acquire(&bcache_lock);
	b->b_refcnt++;
	spinlock_release(&bcache_lock);
}

void
bunpin(struct buf *b)
{
	spinlock_acquire(&bcache_lock);
	KASSERT(b->b_refcnt > 0);	/* bpin's reference, at least */
	b->b_refcnt--;
	if (b->b_refcnt == 0)
		wakeup(&lru);
	spinlock_release(&bcache_lock);
}
