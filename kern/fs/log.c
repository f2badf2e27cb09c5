/*
 * The write-ahead log: what makes a file-system operation all-or-nothing.
 *
 * An operation (a system call that changes the disk) is bracketed by
 * log_begin_op() and log_end_op().  In between, it modifies blocks in the
 * buffer cache and calls log_write() instead of bwrite(): the block is only
 * noted in the in-memory log header and kept pinned in the cache.  Nothing
 * reaches its home location yet.
 *
 * When the last running operation ends, the group of operations commits:
 *   1. copy every noted block to the log area on disk;
 *   2. write the log header with the count: this one block write is the
 *      commit point -- after it the operations happened, before it they did
 *      not;
 *   3. copy the blocks to their home locations;
 *   4. write the header with a count of zero.
 * After a crash, log_init() finds a non-zero count only if step 2 finished,
 * and then redoes step 3 (copying twice is harmless).
 *
 * On disk: block logstart holds struct logheader, blocks logstart+1 ..
 * logstart+LOGSIZE the logged copies, in the order of lh.block[].
 *
 * log_begin_op() admits an operation only if the log has room for
 * MAXOPBLOCKS more blocks for it and for every operation already running,
 * so log_write() can never run out of space.
 */
#include "types.h"
#include "param.h"
#include "systm.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "proc.h"
#include "fs.h"

static struct {
	struct spinlock	lock;
	unsigned int	dev;
	unsigned int	start;		/* block of the header */
	int		outstanding;	/* operations between begin and end */
	int		committing;	/* commit in progress: admit no one */
	int		admitted;	/* operations in the group being built */
	struct logheader lh;		/* the in-memory header */
} log;

static void
read_head(void)
{
	struct buf *b;

	b = bread(log.dev, log.start);
	memcpy(&log.lh, b->b_data, sizeof(log.lh));
	brelse(b);
}

/* The commit point (with a count) and the end of a commit (with zero). */
static void
write_head(void)
{
	struct buf *b;

	b = bread(log.dev, log.start);
	memcpy(b->b_data, &log.lh, sizeof(log.lh));
	bwrite(b);
	brelse(b);
}

/* Copy the cached blocks of the operations to the log area. */
static void
write_log(void)
{
	struct buf *to, *from;
	int i;

	for (i = 0; i < log.lh.n; i++) {
		to = bread(log.dev, log.start + 1 + i);
		from = bread(log.dev, log.lh.block[i]);
		memcpy(to->b_data, from->b_data, BSIZE);
		bwrite(to);
		brelse(from);
		brelse(to);
	}
}

/*
 * Copy each logged block to its home.  During a commit the cache still holds
 * the new contents (the buffers are pinned); during recovery the only copy is
 * in the log area.
 */
static void
install_trans(int recovering)
{
	struct buf *logb, *home;
	int i;

	for (i = 0; i < log.lh.n; i++) {
		home = bread(log.dev, log.lh.block[i]);
		if (recovering) {
			logb = bread(log.dev, log.start + 1 + i);
			memcpy(home->b_data, logb->b_data, BSIZE);
			brelse(logb);
		}
		bwrite(home);
		if (!recovering)
			bunpin(home);
		brelse(home);
	}
}

static void
recover(void)
{
	read_head();
	if (log.lh.n < 0 || log.lh.n > LOGSIZE)
		panic("log: corrupt header (n=%d)", log.lh.n);
	if (log.lh.n > 0)
		printf("fs: replaying %d logged blocks\n", log.lh.n);
	install_trans(1);
	log.lh.n = 0;
	write_head();
}

void
log_init(unsigned int dev, const struct superblock *sb)
{
	if (sizeof(struct logheader) > BSIZE)
		panic("log_init: header does not fit a block");
	if (sb->nlog < LOGSIZE + 1)
		panic("log_init: log area of %u blocks is too small", sb->nlog);
	spinlock_init(&log.lock, "log");
	log.dev = dev;
	log.start = sb->logstart;
	recover();
}

static void
commit(void)
{
	/* Each operation promised to stay within MAXOPBLOCKS: check it kept its word. */
	if (log.lh.n > log.admitted * MAXOPBLOCKS)
		panic("log: %d operations wrote %d blocks", log.admitted, log.lh.n);
	log.admitted = 0;
	if (log.lh.n == 0)
		return;
	write_log();
	write_head();		/* the operations now have happened */
	install_trans(0);
	log.lh.n = 0;
	write_head();		/* the log area may be reused */
}

void
log_begin_op(void)
{
	spinlock_acquire(&log.lock);
	for (;;) {
		if (log.committing)
			sleep(&log, &log.lock, "logcmt");
		else if (log.lh.n + (log.outstanding + 1) * MAXOPBLOCKS > LOGSIZE)
			sleep(&log, &log.lock, "logfull");	/* wait for a commit */
		else
			break;
	}
	log.outstanding++;
	log.admitted++;
	spinlock_release(&log.lock);
}

/*
 * The last operation to end commits the group.  It does so without the spin
 * lock, since commit() sleeps on disk I/O; "committing" keeps others out.
 */
void
log_end_op(void)
{
	int do_commit = 0;

	spinlock_acquire(&log.lock);
	if (log.outstanding <= 0)
		panic("log_end_op: no operation");
	if (log.committing)
		panic("log_end_op: commit in progress");
	log.outstanding--;
	if (log.outstanding == 0) {
		do_commit = 1;
		log.committing = 1;
	} else {
		/* Ending frees reserved space: a waiter in begin_op may fit now. */
		wakeup(&log);
	}
	spinlock_release(&log.lock);

	if (do_commit) {
		commit();
		spinlock_acquire(&log.lock);
		log.committing = 0;
		wakeup(&log);
		spinlock_release(&log.lock);
	}
}

/*
 * Record that b (modified, locked by the caller) belongs to the running
 * transaction.  A block already in the log takes no new slot ("absorption"),
 * which is why many small writes to one block cost one log block.
 */
void
log_write(struct buf *b)
{
	int i;

	KASSERT(sleeplock_holding(&b->b_lock));
	spinlock_acquire(&log.lock);
	if (log.outstanding < 1)
		panic("log_write: outside a transaction");
	for (i = 0; i < log.lh.n; i++)
		if ((unsigned int)log.lh.block[i] == b->b_blockno)
			break;
	if (i == log.lh.n) {
		if (log.lh.n >= LOGSIZE)
			panic("log_write: transaction too big");
		log.lh.block[i] = b->b_blockno;
		log.lh.n++;
		bpin(b);
	}
	spinlock_release(&log.lock);
}
