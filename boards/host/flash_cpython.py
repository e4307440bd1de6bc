# CPython side of flash.py: littlefs-python over our block-device protocol.
from littlefs import LittleFS, UserContext
from littlefs.errors import LittleFSError

from boards.host import flash


class _BlockDeviceContext(UserContext):
    def __init__(self, bdev):
        self.bdev = bdev
        self.buffer = None

    def read(self, cfg, block, off, size):
        buf = bytearray(size)
        self.bdev.readblocks(block, buf, off)
        return buf

    def prog(self, cfg, block, off, data):
        return self.bdev.writeblocks(block, bytes(data), off) or 0

    def erase(self, cfg, block):
        return self.bdev.ioctl(6, block) or 0

    def sync(self, cfg):
        return self.bdev.ioctl(3, 0) or 0      # littlefs syncs: the device commits what it holds


def _as_oserror(fn):
    # littlefs-python raises LittleFSError; the core expects OSError, as on MicroPython.
    def call(*args):
        try:
            return fn(*args)
        except LittleFSError as exc:
            raise OSError(-exc.code if isinstance(getattr(exc, "code", None), int) else 5, str(exc))
    return call


class _File:
    def __init__(self, f):
        self._f = f
        self.read = _as_oserror(f.read)
        self.write = _as_oserror(f.write)
        self.seek = _as_oserror(f.seek)
        self.tell = _as_oserror(f.tell)
        self.flush = _as_oserror(f.flush)
        self.readinto = _as_oserror(f.readinto)

    def close(self):
        try:
            self._f.close()
        except LittleFSError as exc:
            # littlefs has dropped the file even though its close (a sync) failed:
            # mark littlefs-python's raw handle closed as it does on success, or the
            # next close (an error path's, a finalizer's) trips littlefs's assert.
            setattr(getattr(self._f, "raw", self._f), "__IOBase_closed", True)
            raise OSError(5, str(exc))


class LittleFsStore:
    """The store filesystem interface over a littlefs-python filesystem."""

    def __init__(self, lfs):
        self.lfs = lfs

    def listdir(self):
        return _as_oserror(self.lfs.listdir)("/")

    def open(self, name, mode):
        return _File(_as_oserror(self.lfs.open)(name, mode))

    def size(self, name):
        return _as_oserror(self.lfs.stat)(name).size

    def rename(self, old, new):
        _as_oserror(self.lfs.rename)(old, new)

    def remove(self, name):
        _as_oserror(self.lfs.remove)(name)

    def commit(self, f):
        f.flush()   # littlefs-python: lfs_file_sync
        f.close()

    def unmount(self):
        try:
            self.lfs.unmount()
        except LittleFSError as exc:
            raise OSError(5, str(exc))


def mount_littlefs_python(bdev, format=False):
    # The layout is the one VfsLfs2 writes (same block, prog and inline sizes:
    # littlefs derives inline_max from the cache size, so it is given as VfsLfs2's
    # derives it: flash.inline_max). What only costs time is sized for the host: reads and a cache of a
    # whole block (a metadata block is fetched in one callback, where tag by tag
    # reads of 128 bytes took ~300 callbacks per rename) and a lookahead window
    # over the whole device (no rescan of the filesystem for free blocks
    # halfway through it).
    lfs = LittleFS(context=_BlockDeviceContext(bdev), mount=False, block_size=bdev.block_size,
                   block_count=bdev.block_count, read_size=bdev.block_size, prog_size=flash.PROG_SIZE,
                   lookahead_size=max(flash.LOOKAHEAD, (bdev.block_count + 63) // 64 * 8),
                   cache_size=bdev.block_size, inline_max=flash.inline_max(bdev.block_size))
    if format:
        lfs.format()
    try:
        lfs.mount()
    except LittleFSError as exc:
        raise OSError("littlefs mount failed: %s" % exc)
    return LittleFsStore(lfs)
