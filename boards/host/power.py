# Power cuts for the host board, used by the simulator: an NVRAM file and a
# store folder that lose power at a chosen write. A cut leaves the cut write
# torn (half written) and raises PowerCut, whose text says which write it
# was; the caller then discards the AuditLog (RAM is gone) and boots again
# from the files, as a device would.
from hcdaudit.ring import HEADERS_SIZE


class PowerCut(Exception):
    """`where`: the write it cut, in short (nvram header / nvram slot / store write / store sync /
    store rename / store remove); the text says which file or slot."""

    def __init__(self, where, detail):
        super().__init__(detail)
        self.where = where


class PowerSupply:
    def __init__(self):
        self.nvram_countdown = 0    # 0 = not armed
        self.store_countdown = 0
        self.cuts = 0

    def arm(self, nvram_writes=0, store_writes=0):
        self.nvram_countdown = nvram_writes
        self.store_countdown = store_writes

    def armed(self):
        return bool(self.nvram_countdown or self.store_countdown)

    def _due(self, kind):
        if kind == "nvram":
            if self.nvram_countdown:
                self.nvram_countdown -= 1
                if not self.nvram_countdown:
                    self.cuts += 1
                    return True
        elif self.store_countdown:
            self.store_countdown -= 1
            if not self.store_countdown:
                self.cuts += 1
                return True
        return False


class CutNvram:
    def __init__(self, inner, supply):
        self.inner = inner
        self.supply = supply
        self.size = inner.size

    def read_into(self, offset, buf):
        self.inner.read_into(offset, buf)

    def write(self, offset, data):
        if self.supply._due("nvram"):
            self.inner.write(offset, data[:len(data) // 2])
            part = "header" if offset < HEADERS_SIZE else "slot"
            raise PowerCut("nvram " + part, "power cut during an NVRAM %s write" % part)
        self.inner.write(offset, data)


class _CutFile:
    def __init__(self, f, supply, name):
        self._f = f
        self.supply = supply
        self.name = name

    def write(self, data):
        if self.supply._due("store"):
            self._f.write(data[:len(data) // 2])
            self._f.flush()
            self._f.close()
            raise PowerCut("store write", "power cut while writing store file %s" % self.name)
        return self._f.write(data)

    def __getattr__(self, name):
        return getattr(self._f, name)


class CutFs:
    def __init__(self, inner, supply):
        self.inner = inner
        self.supply = supply

    def listdir(self):
        return self.inner.listdir()

    def size(self, name):
        return self.inner.size(name)

    def open(self, name, mode):
        f = self.inner.open(name, mode)
        return _CutFile(f, self.supply, name) if "w" in mode else f

    def commit(self, f):
        if self.supply._due("store"):
            f._f.close()   # closed without sync: littlefs keeps the old state, POSIX may keep any prefix
            raise PowerCut("store sync", "power cut before store file %s was synced" % getattr(f, "name", "?"))
        self.inner.commit(f._f if isinstance(f, _CutFile) else f)

    def rename(self, old, new):
        if self.supply._due("store"):
            raise PowerCut("store rename", "power cut before renaming %s to %s" % (old, new))
        self.inner.rename(old, new)

    def remove(self, name):
        if self.supply._due("store"):
            raise PowerCut("store remove", "power cut before an eviction removed %s" % name)
        self.inner.remove(name)
