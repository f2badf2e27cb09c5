"""Host tests for mkfs/mkfs.c and mkfs/fsck.c (run by `make test-host`).

The tests build images with build/host/mkfs, read them back with a small
independent reader of the on-disk format (include/aqua/fsformat.h) written
below, and check that build/host/fsck accepts good images and names each
kind of damage in bad ones.
"""
import os
import struct
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
MKFS = os.path.join(ROOT, 'build', 'host', 'mkfs')
FSCK = os.path.join(ROOT, 'build', 'host', 'fsck')

# ---- the format, as fsformat.h defines it --------------------------------
BSIZE = 1024
FSMAGIC = 0x41513646
ROOTINO = 1
NDIRECT = 12
NINDIRECT = BSIZE // 4
DINODE = struct.Struct('<hhhhI%dI' % (NDIRECT + 2))   # 68 bytes
IPB = BSIZE // DINODE.size
BPB = BSIZE * 8
DIRENT = struct.Struct('<H14s')
LOGSIZE = 30
T_DIR, T_FILE, T_DEVICE = 1, 2, 3
CONSOLE_MAJOR = 1

pytestmark = pytest.mark.skipif(not (os.access(MKFS, os.X_OK) and os.access(FSCK, os.X_OK)),
                                reason='build/host/mkfs and fsck not built (make test-host builds them)')


class Image:
    """A read/write view of an image file in memory."""

    def __init__(self, path):
        self.path = path
        self.data = bytearray(open(path, 'rb').read())
        (self.magic, self.size, self.nblocks, self.ninodes, self.nlog,
         self.logstart, self.inodestart, self.bmapstart) = struct.unpack_from('<8I', self.data, BSIZE)

    def save(self):
        with open(self.path, 'wb') as f:
            f.write(self.data)

    def block(self, b):
        return self.data[b * BSIZE:(b + 1) * BSIZE]

    def inode_off(self, inum):
        return (self.inodestart + inum // IPB) * BSIZE + (inum % IPB) * DINODE.size

    def inode(self, inum):
        f = DINODE.unpack_from(self.data, self.inode_off(inum))
        return {'type': f[0], 'major': f[1], 'minor': f[2], 'nlink': f[3],
                'size': f[4], 'addrs': list(f[5:])}

    def put_inode(self, inum, ino):
        DINODE.pack_into(self.data, self.inode_off(inum), ino['type'], ino['major'],
                         ino['minor'], ino['nlink'], ino['size'], *ino['addrs'])

    def u32(self, b, i):
        return struct.unpack_from('<I', self.data, b * BSIZE + 4 * i)[0]

    def bmap(self, ino, bn):
        if bn < NDIRECT:
            return ino['addrs'][bn]
        bn -= NDIRECT
        if bn < NINDIRECT:
            ind = ino['addrs'][NDIRECT]
            return self.u32(ind, bn) if ind else 0
        bn -= NINDIRECT
        top = ino['addrs'][NDIRECT + 1]
        if not top:
            return 0
        mid = self.u32(top, bn // NINDIRECT)
        return self.u32(mid, bn % NINDIRECT) if mid else 0

    def read(self, inum):
        ino = self.inode(inum)
        out = bytearray()
        for bn in range((ino['size'] + BSIZE - 1) // BSIZE):
            b = self.bmap(ino, bn)
            out += self.block(b) if b else bytes(BSIZE)
        return bytes(out[:ino['size']])

    def entries(self, inum):
        raw = self.read(inum)
        for off in range(0, len(raw), DIRENT.size):
            n, name = DIRENT.unpack_from(raw, off)
            if n:
                yield name.rstrip(b'\0').decode(), n

    def lookup(self, path):
        inum = ROOTINO
        for comp in [c for c in path.split('/') if c]:
            inum = dict(self.entries(inum))[comp]
        return inum

    def bit(self, b):
        byte = (self.bmapstart + b // BPB) * BSIZE + (b % BPB) // 8
        return (self.data[byte] >> (b % 8)) & 1

    def flip_bit(self, b):
        byte = (self.bmapstart + b // BPB) * BSIZE + (b % BPB) // 8
        self.data[byte] ^= 1 << (b % 8)

    def datastart(self):
        return self.size - self.nblocks


def mkfs(img, files, *extra):
    args = [MKFS, str(img)] + list(extra)
    for fspath, host in files.items():
        args += ['--file', '%s=%s' % (fspath, host)]
    return subprocess.run(args, capture_output=True, text=True)


def fsck(img, *extra):
    return subprocess.run([FSCK, str(img)] + list(extra), capture_output=True)


SAMPLE_SIZE = ('--size', '4096')     # small images keep the tests quick


@pytest.fixture
def sample(tmp_path):
    """An image with files of awkward sizes, and their expected contents."""
    contents = {
        'README': b'hello, aqua6\n',
        'bin/empty': b'',
        'bin/oneblock': bytes(range(256)) * 4,                  # exactly BSIZE
        'bin/direct': os.urandom(NDIRECT * BSIZE),              # fills the direct blocks
        'bin/indirect': os.urandom(100 * BSIZE + 17),           # needs the indirect block
        'bin/double': os.urandom((NDIRECT + NINDIRECT + 40) * BSIZE + 5),  # double indirect
        'man/sub/dir/deep': b'deep\n' * 300,
        'x' * 14: b'a name of exactly DIRSIZ bytes\n',
    }
    files = {}
    for i, (fspath, data) in enumerate(contents.items()):
        host = tmp_path / ('in%d' % i)
        host.write_bytes(data)
        files[fspath] = host
    img = tmp_path / 'fs.img'
    r = mkfs(img, files, *SAMPLE_SIZE)
    assert r.returncode == 0, r.stderr
    return img, contents, files


def test_clean_image_passes_fsck(sample):
    img, _, _ = sample
    r = fsck(img)
    assert r.returncode == 0, r.stdout.decode()


def test_files_byte_for_byte(sample):
    img, contents, _ = sample
    im = Image(img)
    assert im.magic == FSMAGIC
    for fspath, data in contents.items():
        inum = im.lookup(fspath)
        assert im.inode(inum)['type'] == T_FILE
        assert im.read(inum) == data, fspath
        # fsck --cat must agree with the independent reader.
        r = fsck(img, '--cat', fspath)
        assert r.returncode == 0 and r.stdout == data, fspath


def test_layout_root_and_console(sample):
    img, _, _ = sample
    im = Image(img)
    assert im.size == 4096
    root = dict(im.entries(ROOTINO))
    assert root['.'] == ROOTINO and root['..'] == ROOTINO
    con = im.inode(im.lookup('dev/console'))
    assert con['type'] == T_DEVICE and con['major'] == CONSOLE_MAJOR
    for d in ('bin', 'man', 'man/sub', 'man/sub/dir', 'dev'):
        inum = im.lookup(d)
        ents = dict(im.entries(inum))
        assert im.inode(inum)['type'] == T_DIR
        assert ents['.'] == inum
        parent = d.rsplit('/', 1)[0] if '/' in d else ''
        assert ents['..'] == im.lookup(parent)


def test_deterministic(sample, tmp_path):
    img, _, files = sample
    img2 = tmp_path / 'again.img'
    assert mkfs(img2, files, *SAMPLE_SIZE).returncode == 0
    assert img.read_bytes() == img2.read_bytes()


def test_default_size_is_generous(tmp_path):
    img = tmp_path / 'default.img'
    assert mkfs(img, {}).returncode == 0
    im = Image(img)
    assert im.size * BSIZE >= 32 << 20 and im.ninodes >= 1024
    assert fsck(img).returncode == 0


def test_size_and_inodes_options(tmp_path):
    img = tmp_path / 'small.img'
    r = mkfs(img, {}, '--size', '2000', '--inodes', '200')
    assert r.returncode == 0, r.stderr
    im = Image(img)
    assert im.size == 2000 and im.ninodes == 200
    assert os.path.getsize(img) == 2000 * BSIZE
    assert fsck(img).returncode == 0


def test_mkfs_rejects_bad_input(tmp_path):
    f = tmp_path / 'f'
    f.write_bytes(b'x')
    assert mkfs(tmp_path / 'a.img', {'bin/' + 'n' * 15: f}).returncode != 0
    assert mkfs(tmp_path / 'b.img', {'bin/x': tmp_path / 'missing'}).returncode != 0
    assert mkfs(tmp_path / 'c.img', {'x': f, 'x/y': f}).returncode != 0


def damaged(img, change):
    im = Image(img)
    change(im)
    im.save()
    r = fsck(img)
    return r.returncode, r.stdout.decode()


def test_bad_magic(sample):
    img, _, _ = sample

    def change(im):
        struct.pack_into('<I', im.data, BSIZE, 0x12345678)
    rc, out = damaged(img, change)
    assert rc == 1 and 'bad magic' in out


def test_bitmap_leak(sample):
    img, _, _ = sample
    im = Image(img)
    free = next(b for b in range(im.datastart(), im.size) if not im.bit(b))

    rc, out = damaged(img, lambda im: im.flip_bit(free))
    assert rc == 1
    assert 'block %d marked in use in the bitmap but not used (leak)' % free in out
    assert len(out.strip().splitlines()) == 1


def test_bitmap_used_block_marked_free(sample):
    img, _, _ = sample
    im = Image(img)
    used = im.inode(im.lookup('README'))['addrs'][0]
    rc, out = damaged(img, lambda im: im.flip_bit(used))
    assert rc == 1 and 'block %d used but marked free in the bitmap' % used in out


def test_bad_link_count(sample):
    img, _, _ = sample
    inum = Image(img).lookup('bin/oneblock')

    def change(im):
        ino = im.inode(inum)
        ino['nlink'] = 3
        im.put_inode(inum, ino)
    rc, out = damaged(img, change)
    assert rc == 1 and 'inode %d: link count 3, but 1 directory references' % inum in out


def test_duplicate_block_pointer(sample):
    img, _, _ = sample
    im0 = Image(img)
    a, b = im0.lookup('bin/direct'), im0.lookup('README')
    shared = im0.inode(a)['addrs'][0]

    def change(im):
        ino = im.inode(b)
        ino['addrs'][0] = shared
        im.put_inode(b, ino)
    rc, out = damaged(img, change)
    assert rc == 1 and 'block %d used twice' % shared in out


def test_block_pointer_out_of_range(sample):
    img, _, _ = sample
    inum = Image(img).lookup('README')

    def change(im):
        ino = im.inode(inum)
        ino['addrs'][0] = im.size + 5
        im.put_inode(inum, ino)
    rc, out = damaged(img, change)
    assert rc == 1 and 'inode %d: data block %d out of range' % (inum, Image(img).size + 5) in out


def test_entry_to_free_inode(sample):
    img, _, _ = sample
    inum = Image(img).lookup('README')

    def change(im):
        ino = im.inode(inum)
        for i in range(NDIRECT):
            if ino['addrs'][i]:
                im.flip_bit(ino['addrs'][i])     # keep the bitmap consistent
        im.put_inode(inum, {'type': 0, 'major': 0, 'minor': 0, 'nlink': 0, 'size': 0,
                            'addrs': [0] * (NDIRECT + 2)})
    rc, out = damaged(img, change)
    assert rc == 1 and "entry 'README' names free inode %d" % inum in out


def test_wrong_dotdot(sample):
    img, _, _ = sample
    im0 = Image(img)
    sub = im0.lookup('man/sub')
    blk = im0.inode(sub)['addrs'][0]

    def change(im):
        DIRENT.pack_into(im.data, blk * BSIZE + DIRENT.size, ROOTINO, b'..')
    rc, out = damaged(img, change)
    assert rc == 1 and "'..' is %d, expected %d" % (ROOTINO, im0.lookup('man')) in out


def test_pending_log_is_applied(sample):
    """A committed log is recovered at boot: fsck checks the image as if it were."""
    img, _, _ = sample
    im = Image(img)
    inum = im.lookup('bin/oneblock')
    iblock = im.inodestart + inum // IPB
    good = bytes(im.block(iblock))

    # Damage the home copy of the inode block, and put the good copy in the log.
    ino = im.inode(inum)
    ino['nlink'] = 7
    im.put_inode(inum, ino)
    im.data[(im.logstart + 1) * BSIZE:(im.logstart + 2) * BSIZE] = good
    struct.pack_into('<%di' % (LOGSIZE + 1), im.data, im.logstart * BSIZE,
                     1, iblock, *([0] * (LOGSIZE - 1)))
    im.save()
    r = fsck(img)
    out = r.stdout.decode()
    assert 'log not empty: 1 blocks pending (recovered at next boot)' in out
    assert r.returncode == 0, out
    # fsck never writes the image: the damage is still on disk.
    assert Image(img).inode(inum)['nlink'] == 7


def test_corrupt_log_header(sample):
    img, _, _ = sample

    def change(im):
        struct.pack_into('<i', im.data, im.logstart * BSIZE, LOGSIZE + 5)
    rc, out = damaged(img, change)
    assert rc == 1 and 'log header corrupt' in out
