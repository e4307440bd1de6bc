# A NOR flash array for the board tests, as the block device MicroPython gives
# littlefs on a board (esp32.Partition, rp2.Flash): 4 KiB erase blocks, the
# extended block protocol (readblocks/writeblocks with an offset, ioctl 4/5/6).
# NOR semantics: erase sets a block to 0xFF; programming can only clear bits
# (new = old AND data), so a program over data that was not erased corrupts
# it (counted in `corrupted`). `prog_align`: rp2's flash_range_program needs
# 256-byte aligned offsets and lengths (counted in `misaligned`, refused with
# -EINVAL). A sim_power.Rail cuts power at any program or erase: a torn
# program clears the bits of its first half, a torn erase erases half a block.
# Storage is a bytearray, or a file (lean on heap, for the heap-budget runs).
import os

_EINVAL = 22


def and_bytes(old, data):
    n = len(data)
    return (int.from_bytes(old, "big") & int.from_bytes(data, "big")).to_bytes(n, "big")


class NorFlash:
    def __init__(self, block_size=4096, block_count=64, prog_align=1, data=None, path=None):
        self.block_size = block_size
        self.prog_align = prog_align
        self.rail = None
        self.rail_name = None
        self.programs = 0
        self.erases = 0
        self.corrupted = 0
        self.misaligned = 0
        self._file = None
        if path is not None:
            if data is not None or not _exists(path):
                with open(path, "wb") as f:
                    if data is not None:
                        f.write(data)
                    else:
                        erased = b"\xff" * block_size
                        for _ in range(block_count):
                            f.write(erased)
            self._file = open(path, "r+b")
            self.block_count = os.stat(path)[6] // block_size
            self.buf = None
        else:
            self.buf = bytearray(data) if data is not None else bytearray(b"\xff" * (block_size * block_count))
            self.block_count = len(self.buf) // block_size

    @property
    def size(self):
        return self.block_size * self.block_count

    # -- raw access
    def read(self, start, n):
        if self._file is None:
            return bytes(self.buf[start:start + n])
        self._file.seek(start)
        return self._file.read(n)

    def _store(self, start, data):
        if self._file is None:
            self.buf[start:start + len(data)] = data
        else:
            self._file.seek(start)
            self._file.write(data)
            self._file.flush()

    def image(self):
        return bytearray(self.read(0, self.size))

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    # -- what the chip does
    def program(self, start, data):
        data = bytes(data)
        old = self.read(start, len(data))
        new = and_bytes(old, data)
        if new != data:
            self.corrupted += 1
        self.programs += 1
        if self.rail is not None:
            def torn(image):
                half = len(data) // 2
                image[start:start + half] = and_bytes(image[start:start + half], data[:half])
            self.rail.event(self, torn)
        self._store(start, new)

    def erase_range(self, start, n):
        self.erases += 1
        if self.rail is not None:
            def torn(image):
                image[start:start + n // 2] = b"\xff" * (n // 2)
            self.rail.event(self, torn)
        self._store(start, b"\xff" * n)

    # -- the block protocol
    def readblocks(self, block, buf, offset=0):
        start = block * self.block_size + offset
        buf[:] = self.read(start, len(buf))
        return 0

    def writeblocks(self, block, buf, offset=None):
        if offset is None:
            for i in range(len(buf) // self.block_size):
                self.erase_range((block + i) * self.block_size, self.block_size)
            offset = 0
        start = block * self.block_size + offset
        if start % self.prog_align or len(buf) % self.prog_align:
            self.misaligned += 1
            return -_EINVAL
        self.program(start, buf)
        return 0

    def ioctl(self, op, arg):
        if op == 4:
            return self.block_count
        if op == 5:
            return self.block_size
        if op == 6:
            self.erase_range(arg * self.block_size, self.block_size)
            return 0
        return 0


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False
