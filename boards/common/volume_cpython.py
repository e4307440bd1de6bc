# CPython side of volume.py: the same littlefs volume through littlefs-python,
# with directory views giving the store-filesystem interface.
from littlefs import LittleFS
from littlefs.errors import LittleFSError

from boards.host.flash_cpython import LittleFsStore, _as_oserror, _BlockDeviceContext


class LittleFsDir(LittleFsStore):
    def __init__(self, lfs, path):
        LittleFsStore.__init__(self, lfs)
        self.path = path.rstrip("/")

    def _name(self, name):
        return self.path + "/" + name

    def listdir(self):
        return _as_oserror(self.lfs.listdir)(self.path or "/")

    def open(self, name, mode):
        return LittleFsStore.open(self, self._name(name), mode)

    def size(self, name):
        return LittleFsStore.size(self, self._name(name))

    def rename(self, old, new):
        LittleFsStore.rename(self, self._name(old), self._name(new))

    def remove(self, name):
        LittleFsStore.remove(self, self._name(name))


class LfsVolume:
    def __init__(self, lfs):
        self.lfs = lfs
        self._mounted = True

    def dir(self, path):
        return LittleFsDir(self.lfs, path)

    def exists(self, path):
        try:
            self.lfs.stat(path)
            return True
        except LittleFSError:
            return False

    def makedirs(self, path):
        built = ""
        for part in path.strip("/").split("/"):
            built += "/" + part
            if not self.exists(built):
                _as_oserror(self.lfs.mkdir)(built)

    def unmount(self):
        if not self._mounted:
            return              # littlefs-python frees its state on unmount: a second one double-frees
        self._mounted = False
        try:
            self.lfs.unmount()
        except LittleFSError as exc:
            raise OSError(5, str(exc))


def mount_littlefs_python(bdev, geometry, blank):
    from boards.common.volume import VolumeError
    read, prog = geometry["read_size"], geometry["prog_size"]
    lfs = LittleFS(context=_BlockDeviceContext(bdev), mount=False, block_size=geometry["block_size"],
                   block_count=bdev.ioctl(4, 0), read_size=read, prog_size=prog,
                   cache_size=min(geometry["block_size"], 4 * max(read, prog)), lookahead_size=32,
                   block_cycles=100)
    try:
        if blank:
            lfs.format()
    except LittleFSError as exc:
        raise VolumeError("formatting the blank store flash failed: %s" % exc)
    try:
        lfs.mount()
    except LittleFSError as exc:
        raise VolumeError("the store flash holds no mountable littlefs (%s) and is not blank: not "
                          "formatting it, it may hold audit records" % exc)
    return LfsVolume(lfs)
