# A folder of the host, mounted into the emulated board's VFS (a Python VFS
# object over qemu_m3.HostFile): where the test harness keeps the simulated
# parts' contents and the collector file that on a real board would be chips
# and a network (tests/mcu/heap.py). Semihosting has no directory listing:
# folders are not listed or made here; a subfolder that needs them gets its
# own littlefs mount.
import qemu_m3

_S_IFDIR = 0x4000
_S_IFREG = 0x8000


class HostFs:
    def __init__(self, host_dir):
        self.host_dir = host_dir.rstrip("/")

    def _path(self, path):
        return self.host_dir + ("/" + path.lstrip("/") if path.strip("/") else "")

    def mount(self, readonly, mkfs):
        pass

    def umount(self):
        pass

    def open(self, path, mode):
        return qemu_m3.HostFile(self._path(path), mode)

    def stat(self, path):
        if not path.strip("/"):
            return (_S_IFDIR, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        with qemu_m3.HostFile(self._path(path), "rb") as f:    # OSError(ENOENT) when absent
            size = f.seek(0, 2)
        return (_S_IFREG, 0, 0, 0, 0, 0, size, 0, 0, 0)

    def remove(self, path):
        qemu_m3.host_remove(self._path(path))

    def rename(self, old, new):
        qemu_m3.host_rename(self._path(old), self._path(new))

    def ilistdir(self, path):
        raise OSError(95)       # EOPNOTSUPP: semihosting lists no folders

    def mkdir(self, path):
        raise OSError(95)

    def rmdir(self, path):
        raise OSError(95)

    def chdir(self, path):
        pass

    def getcwd(self):
        return ""

    def statvfs(self, path):
        return (4096, 4096, 0, 0, 0, 0, 0, 0, 0, 255)


def mount(host_dir, point=None):
    import vfs
    vfs.mount(HostFs(host_dir), point or host_dir)
