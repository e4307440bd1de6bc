# Power cuts for the host board, used by the simulator: an NVRAM file and a
# store folder that lose power at a chosen write. A cut leaves the cut write
# torn (half written) and raises PowerCut; the caller then discards the
# AuditLog (RAM is gone) and boots again from the files, as a device would.


class PowerCut(Exception):
    pass


class PowerSupply:
    def __init__(self):
        self.nvram_countdown = 0    # 0 = not armed
        self.store_countdown = 0
        self.cuts = 0

    def arm(self, nvram_writes=0, store_writes=0):
        self.nvram_countdown = nvram_writes
        self.store_countdown = store_writes

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
            raise PowerCut("power cut during an NVRAM slot write")
        self.inner.write(offset, data)


class _CutFile:
    def __init__(self, f, supply):
        self._f = f
        self.supply = supply

    def write(self, data):
        if self.supply._due("store"):
            self._f.write(data[:len(data) // 2])
            self._f.flush()
            self._f.close()
            raise PowerCut("power cut while writing a segment")
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
        return _CutFile(f, self.supply) if "w" in mode else f

    def commit(self, f):
        if self.supply._due("store"):
            f._f.close()   # closed without sync: littlefs keeps the old state, POSIX may keep any prefix
            raise PowerCut("power cut before a segment was synced")
        self.inner.commit(f._f if isinstance(f, _CutFile) else f)

    def rename(self, old, new):
        if self.supply._due("store"):
            raise PowerCut("power cut before a rename")
        self.inner.rename(old, new)

    def remove(self, name):
        if self.supply._due("store"):
            raise PowerCut("power cut before an eviction removed %s" % name)
        self.inner.remove(name)
