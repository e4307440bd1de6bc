# The board's littlefs volume: where the bundle (ROOT) and the store
# (ROOT/store) live. On esp32 and rp2 the port's _boot.py has already mounted
# littlefs at "/" (the 'vfs' partition, rp2.Flash); the stm32 board mounts its
# SPI NOR there itself. Tests mount a simulated flash at a private point.
#   volume.dir(path)   the store-filesystem interface (DirFs) over a directory
#   volume.makedirs(path), volume.exists(path), volume.unmount()
# A flash is formatted only when it is blank (never written since erased): a
# littlefs that fails to mount may still hold audit records, so it is reported,
# never reformatted.
import sys

from boards.host.dirfs import DirFs

_MICROPYTHON = sys.implementation.name == "micropython"
_mounts = [0]


class VolumeError(OSError):
    pass


def options(geometry):
    """vfs.VfsLfs2 keyword arguments for a board's flash geometry (boards/profiles.py)."""
    return {"readsize": geometry["read_size"], "progsize": geometry["prog_size"], "lookahead": 32}


def is_blank(bdev, block_size, blocks=2):
    """True if the first `blocks` blocks (the littlefs superblock pair) read all 0xFF."""
    buf = bytearray(256)
    erased = b"\xff" * 256
    for block in range(blocks):
        for offset in range(0, block_size, 256):
            if bdev.readblocks(block, buf, offset):
                raise VolumeError("flash read failed at block %d" % block)
            if buf != erased:
                return False
    return True


class PathVolume:
    """A littlefs mounted in MicroPython's VFS at `prefix` ("" for "/")."""

    def __init__(self, prefix, point=None):
        self.prefix = prefix
        self._point = point

    def dir(self, path):
        return DirFs(self.prefix + path)

    def exists(self, path):
        import os
        try:
            os.stat(self.prefix + path)
            return True
        except OSError:
            return False

    def makedirs(self, path):
        import os
        built = self.prefix
        for part in path.strip("/").split("/"):
            built += "/" + part
            try:
                os.mkdir(built)
            except OSError:
                if not self.exists(built[len(self.prefix):]):
                    raise

    def unmount(self):
        if self._point is not None:
            import vfs
            vfs.umount(self._point)
            self._point = None


def mounted_root():
    """The littlefs the port mounted at "/", or None. A FAT root is refused: it
    is not power-safe and its rename is not atomic (the store relies on both)."""
    import vfs
    try:
        mounts = vfs.mount()
    except TypeError:       # firmware older than vfs.mount() listing: trust the port
        return PathVolume("")
    for fs, point in mounts:
        if point == "/":
            if not isinstance(fs, vfs.VfsLfs2):
                raise VolumeError("the filesystem at / is %s, not littlefs: the store needs littlefs "
                                  "(power-safe, atomic rename)" % type(fs).__name__)
            return PathVolume("")
    return None


def mount(bdev, geometry, point=None):
    """littlefs on `bdev` (formatted first if the flash is blank), mounted at
    `point` ("/" on a board; None: a fresh private point, for tests)."""
    blank = is_blank(bdev, geometry["block_size"])
    if not _MICROPYTHON:
        from boards.common.volume_cpython import mount_littlefs_python
        return mount_littlefs_python(bdev, geometry, blank)
    import vfs
    opts = options(geometry)
    if blank:
        try:
            vfs.VfsLfs2.mkfs(bdev, **opts)
        except OSError as exc:
            raise VolumeError("formatting the blank store flash failed: %s" % exc)
    try:
        fs = vfs.VfsLfs2(bdev, **opts)
    except OSError as exc:
        raise VolumeError("the store flash holds no mountable littlefs (%s) and is not blank: not "
                          "formatting it, it may hold audit records" % exc)
    if point is None:
        _mounts[0] += 1
        point = "/hcdaudit_volume%d" % _mounts[0]
    vfs.mount(fs, point)
    return PathVolume("" if point == "/" else point, point)
