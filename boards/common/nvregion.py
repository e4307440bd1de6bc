# NV memory regions (the interface the ring needs: size, read_into(offset, buf),
# write(offset, data)) built from the parts a board has:
#   MemoryNvram  a RAM-speed region over a buffer: backup SRAM (machine.mem_backup())
#   Window       `size` bytes of a larger part, from `base` (the ring's share of a FRAM)
#   Split        the first `low.size` bytes in one part, the rest in another: the ring's
#                A/B header (boot counter, generation) in backup SRAM, its slots in FRAM


class NvError(OSError):
    pass


def _check(region, offset, n):
    if offset < 0 or offset + n > region.size:
        raise NvError("NV access %d+%d beyond the %d-byte region" % (offset, n, region.size))


class MemoryNvram:
    """A memory buffer (bytearray, memoryview) as NV memory. A store is a CPU
    copy: a reset in the middle leaves a prefix of the write, as with FRAM."""

    def __init__(self, mem, size=None):
        self._mem = mem
        self.size = len(mem) if size is None else size

    def read_into(self, offset, buf):
        _check(self, offset, len(buf))
        buf[:] = self._mem[offset:offset + len(buf)]

    def write(self, offset, data):
        _check(self, offset, len(data))
        self._mem[offset:offset + len(data)] = data


class Window:
    def __init__(self, part, base, size):
        if base < 0 or base + size > part.size:
            raise NvError("a %d-byte region at %d does not fit the %d-byte part" % (size, base, part.size))
        self._part = part
        self._base = base
        self.size = size

    def read_into(self, offset, buf):
        _check(self, offset, len(buf))
        self._part.read_into(self._base + offset, buf)

    def write(self, offset, data):
        _check(self, offset, len(data))
        self._part.write(self._base + offset, data)


class Split:
    """low holds offsets [0, low.size), high the rest (high's offset 0 = our low.size)."""

    def __init__(self, low, high):
        self._low = low
        self._high = high
        self._cut = low.size
        self.size = low.size + high.size

    def read_into(self, offset, buf):
        _check(self, offset, len(buf))
        self._apply(offset, memoryview(buf), True)

    def write(self, offset, data):
        _check(self, offset, len(data))
        self._apply(offset, memoryview(data), False)

    def _apply(self, offset, view, read):
        n = len(view)
        if offset < self._cut:
            k = min(n, self._cut - offset)
            if read:
                self._low.read_into(offset, view[:k])
            else:
                self._low.write(offset, view[:k])
            view = view[k:]
            offset += k
            n -= k
        if n:
            if read:
                self._high.read_into(offset - self._cut, view)
            else:
                self._high.write(offset - self._cut, view)
