# NV memory and flash block devices for the host board and the tests.
# NV memory interface (the core's view of FRAM / backup SRAM / a file):
#   .size, .read_into(offset, buf), .write(offset, data)
# Block devices follow MicroPython's extended block protocol
# (readblocks / writeblocks with offset, ioctl 4/5/6), so vfs.VfsLfs2 mounts them.
import os

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

try:
    import mmap as _mmap  # CPython: the NVRAM file is mapped (FileNvram)
except ImportError:
    _mmap = None

_IOCTL_SYNC = const(3)
_IOCTL_BLOCK_COUNT = const(4)
_IOCTL_BLOCK_SIZE = const(5)
_IOCTL_ERASE = const(6)
_ERASE_PIECE = const(1024)


class RamNvram:
    def __init__(self, size, data=None):
        self.size = size
        self.buf = bytearray(size) if data is None else bytearray(data)
        self._view = memoryview(self.buf)

    def read_into(self, offset, buf):
        buf[:] = self._view[offset:offset + len(buf)]

    def write(self, offset, data):
        self.buf[offset:offset + len(data)] = data


class FileNvram:
    """A file of exactly `size` bytes standing in for FRAM / battery-backed SRAM:
    byte-addressable memory where a store is durable once the write completes.
    The simulator models that medium against what a simulated power cut is, the
    simulator process dying: CPython maps the file (mmap, MAP_SHARED), so a write
    is in the kernel's page cache the moment it returns; MicroPython's files are
    unbuffered (each write() is a system call), so the same holds without a
    flush. Neither fsyncs: a crash of the host OS is not a power cut of the
    device (docs/ARCHITECTURE.md, "The host simulator's memories")."""

    def __init__(self, path):
        self.path = path
        self.size = os.stat(path)[6]
        self._file = open(path, "r+b")
        self._map = None
        self._view = None
        if _mmap is not None and self.size:
            self._map = _mmap.mmap(self._file.fileno(), self.size)
            self._view = memoryview(self._map)

    @staticmethod
    def create(path, size):
        zeros = bytes(512)      # in pieces: a board-sized heap has no room for the whole region
        with open(path, "wb") as f:
            for start in range(0, size, 512):
                f.write(zeros[:min(512, size - start)])

    def read_into(self, offset, buf):
        if offset + len(buf) > self.size:
            raise OSError("NV memory file %s is short" % self.path)
        if self._view is not None:
            buf[:] = self._view[offset:offset + len(buf)]
            return
        self._file.seek(offset)
        n = self._file.readinto(buf)
        if n != len(buf):
            raise OSError("NV memory file %s is short" % self.path)

    def write(self, offset, data):
        if offset + len(data) > self.size:
            raise OSError("write beyond NV memory end")
        if self._view is not None:
            self._view[offset:offset + len(data)] = data
            return
        self._file.seek(offset)
        self._file.write(data)

    def close(self):
        if self._map is not None:
            self._view.release()
            self._map.close()
            self._map = self._view = None
        self._file.close()


class RamBlockDevice:
    """NOR flash in RAM: erase sets a block to 0xFF; programming can only clear
    bits (new = old AND data), as on real flash, so a program over unerased
    bytes corrupts them instead of silently succeeding."""

    def __init__(self, block_size, block_count, data=None):
        self.block_size = block_size
        self.block_count = block_count
        self.buf = bytearray(b"\xff" * (block_size * block_count)) if data is None else bytearray(data)
        self._view = memoryview(self.buf)
        self._erased = b"\xff" * block_size

    def readblocks(self, block, buf, offset=0):
        start = block * self.block_size + offset
        buf[:] = self._view[start:start + len(buf)]

    def writeblocks(self, block, buf, offset=None):
        if offset is None:   # simple protocol: whole blocks, erase implied
            for i in range(len(buf) // self.block_size):
                self.erase(block + i)
            offset = 0
        start = block * self.block_size + offset
        n = len(buf)
        old = int.from_bytes(self._view[start:start + n], "big")
        self.buf[start:start + n] = (old & int.from_bytes(buf, "big")).to_bytes(n, "big")
        return 0

    def erase(self, block):
        start = block * self.block_size
        self.buf[start:start + self.block_size] = self._erased
        return 0

    def ioctl(self, op, arg):
        if op == _IOCTL_BLOCK_COUNT:
            return self.block_count
        if op == _IOCTL_BLOCK_SIZE:
            return self.block_size
        if op == _IOCTL_ERASE:
            return self.erase(arg)
        return 0


class FileBlockDevice(RamBlockDevice):
    """A raw flash image in a file (what `hcdaudit pull` reads from a board).
    Programs and erases reach the file when they return (MicroPython's files are
    unbuffered; CPython's buffer is flushed), so each is durable against what a
    simulated power cut is, the simulator process dying: the same model as
    FileNvram, and for the same reason neither fsyncs (a crash of the host OS is
    not a device power cut, and an fsync'ed image beside an NVRAM file that is
    not would promise nothing more). littlefs's syncs (ioctl 3) are counted
    (`syncs`) but have nothing left to commit.
    The file position is tracked, so littlefs's sequential reads cost no seek."""

    def __init__(self, path, block_size):
        self.path = path
        self.block_size = block_size
        self.block_count = os.stat(path)[6] // block_size
        self._file = open(path, "r+b")
        self._pos = 0
        self._buffered = hasattr(self._file, "raw")     # CPython's BufferedRandom
        self.syncs = 0
        # MicroPython erases in pieces: a block of 0xFF (4 KiB) would be the
        # largest object in a small board's heap, kept for a rare operation
        # (four writes per erase, ~0.2 per event). CPython writes it at once.
        self._erased = b"\xff" * (block_size if self._buffered else min(block_size, _ERASE_PIECE))

    @staticmethod
    def create(path, block_size, block_count):
        erased = b"\xff" * block_size
        with open(path, "wb") as f:
            for _ in range(block_count):
                f.write(erased)

    def _seek(self, pos):
        if pos != self._pos:
            self._file.seek(pos)

    def readblocks(self, block, buf, offset=0):
        pos = block * self.block_size + offset
        self._seek(pos)
        self._pos = pos + self._file.readinto(buf)

    def _write(self, pos, data):
        self._seek(pos)
        self._file.write(data)
        if self._buffered:
            self._file.flush()      # into the kernel: survives the process
        self._pos = pos + len(data)

    def writeblocks(self, block, buf, offset=None):
        if offset is None:
            for i in range(len(buf) // self.block_size):
                self.erase(block + i)
            offset = 0
        self._write(block * self.block_size + offset, buf)
        return 0

    def erase(self, block):
        pos = block * self.block_size
        piece = len(self._erased)
        for at in range(0, self.block_size, piece):
            self._write(pos + at, self._erased if at + piece <= self.block_size else self._erased[:self.block_size - at])
        return 0

    def sync(self):
        self.syncs += 1             # every program already reached the file

    def ioctl(self, op, arg):
        if op == _IOCTL_SYNC:
            self.sync()
            return 0
        return RamBlockDevice.ioctl(self, op, arg)

    def close(self):
        self._file.close()
