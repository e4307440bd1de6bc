# Power-loss injection in the style of littlefs's emulated block device: every
# NV-memory write and every flash program/erase is a numbered event. At event
# `cut_at` both memories are snapshotted as they would be if power failed
# there: without that write (clean) or with its first half landed (torn: FRAM
# commits a byte prefix, flash a partial program/erase). The live run then
# carries on undisturbed; only the snapshot matters, and the test boots it.
from boards.host.memory import RamBlockDevice, RamNvram


class Rail:
    def __init__(self, cut_at, torn):
        self.cut_at = cut_at
        self.torn = torn
        self.events = 0
        self.snapshot = None
        self.nvram = None
        self.flash = None
        self.returned = None     # the scenario's list of records whose log() returned

    def event(self, apply_torn):
        self.events += 1
        if self.events == self.cut_at:
            nv = bytearray(self.nvram.buf)
            flash = bytearray(self.flash.buf)
            if self.torn:
                apply_torn(nv, flash)
            self.snapshot = (bytes(nv), bytes(flash), list(self.returned))


class CutNvram(RamNvram):
    def __init__(self, rail, data):
        RamNvram.__init__(self, len(data), data)
        self.rail = rail
        rail.nvram = self

    def write(self, offset, data):
        def torn(nv, flash):
            half = len(data) // 2
            nv[offset:offset + half] = data[:half]
        self.rail.event(torn)
        RamNvram.write(self, offset, data)


class CutBlockDevice(RamBlockDevice):
    def __init__(self, rail, block_size, data):
        RamBlockDevice.__init__(self, block_size, len(data) // block_size, data)
        self.rail = rail
        rail.flash = self

    def writeblocks(self, block, buf, offset=None):
        start = block * self.block_size + (offset or 0)

        def torn(nv, flash):
            half = len(buf) // 2      # a partial program: only the first half of the bits cleared
            old = int.from_bytes(flash[start:start + half], "big")
            flash[start:start + half] = (old & int.from_bytes(buf[:half], "big")).to_bytes(half, "big")
        self.rail.event(torn)
        return RamBlockDevice.writeblocks(self, block, buf, offset)

    def erase(self, block):
        start = block * self.block_size
        half = self.block_size // 2

        def torn(nv, flash):
            flash[start:start + half] = b"\xff" * half
        self.rail.event(torn)
        return RamBlockDevice.erase(self, block)
