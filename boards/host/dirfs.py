# The store filesystem interface over a directory of the running system: a
# host directory on CPython, or any mounted MicroPython VFS (littlefs on flash).
#   listdir() open(name, mode) size(name) rename(a, b) remove(name) commit(file)
import os


class DirFs:
    def __init__(self, root):
        self.root = root

    def _path(self, name):
        return self.root + "/" + name

    def listdir(self):
        return os.listdir(self.root)

    def ilistdir(self):
        """The names one at a time: MicroPython makes no list of a whole folder."""
        if not hasattr(os, "ilistdir"):
            return iter(os.listdir(self.root))
        return (entry[0] for entry in os.ilistdir(self.root))

    def open(self, name, mode):
        return open(self._path(name), mode)

    def size(self, name):
        return os.stat(self._path(name))[6]

    def rename(self, old, new):
        os.rename(self._path(old), self._path(new))
        self._sync_dir()

    def remove(self, name):
        os.remove(self._path(name))
        self._sync_dir()

    def commit(self, f):
        # littlefs: flush() is lfs_file_sync; POSIX: fsync makes it durable.
        f.flush()
        if hasattr(os, "fsync"):
            os.fsync(f.fileno())
        f.close()

    def _sync_dir(self):
        if hasattr(os, "O_DIRECTORY"):
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
