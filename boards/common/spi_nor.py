# W25Q128-class SPI NOR flash (JEDEC 25-series command set, 3-byte addresses,
# up to 16 MiB) as a block device for vfs.VfsLfs2: MicroPython's extended
# block protocol, 4 KiB blocks = the chip's sector-erase unit.
#   READ 0x03 | PAGE PROGRAM 0x02 (within one 256-byte page; the chip wraps at
#   the page end) | SECTOR ERASE 0x20 | WREN 0x06 before each program/erase |
#   RDSR 0x05 polled until BUSY clears | JEDEC ID 0x9F.
# Errors are returned as -EIO, never raised: littlefs then fails the operation
# cleanly and keeps the old file (an exception would leave its files half-open).
from boards.common.ticks import ticks_diff, ticks_ms

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

_READ = const(0x03)
_PAGE_PROGRAM = const(0x02)
_SECTOR_ERASE = const(0x20)
_WRITE_ENABLE = const(0x06)
_READ_STATUS = const(0x05)
_JEDEC_ID = const(0x9F)
_BUSY = const(0x01)
_WEL = const(0x02)
_EIO = const(5)

PAGE = const(256)
SECTOR = const(4096)
PROGRAM_TIMEOUT_MS = const(50)      # datasheet: page program 3 ms max
ERASE_TIMEOUT_MS = const(1000)      # sector erase 400 ms max


class SpiNorError(OSError):
    pass


class SpiNor:
    def __init__(self, spi, cs, block_count=None):
        self._spi = spi
        self._cs = cs
        self._cmd = bytearray(4)
        self._status = bytearray(1)
        self._id = bytearray(3)
        cs(1)
        self.manufacturer, self.capacity = self.read_id()
        size = 1 << self.capacity if 16 <= self.capacity <= 24 else 0
        if self.manufacturer in (0x00, 0xFF) or not size:
            raise SpiNorError("no SPI NOR flash answers (JEDEC ID %02x %02x)" % (self.manufacturer, self.capacity))
        chip_blocks = size // SECTOR
        if block_count is not None and block_count > chip_blocks:
            raise SpiNorError("%d blocks asked of a %d-block flash" % (block_count, chip_blocks))
        self.block_count = block_count or chip_blocks
        self.block_size = SECTOR

    def read_id(self):
        """(manufacturer, capacity code): W25Q128 answers EF 40 18 (2^0x18 bytes)."""
        self._cs(0)
        try:
            self._spi.write(bytes((_JEDEC_ID,)))
            self._spi.readinto(self._id)
        finally:
            self._cs(1)
        return self._id[0], self._id[2]

    # -- the chip's operations
    def _command(self, opcode, address):
        cmd = self._cmd
        cmd[0] = opcode
        cmd[1] = address >> 16
        cmd[2] = (address >> 8) & 0xFF
        cmd[3] = address & 0xFF
        self._spi.write(cmd)

    def _simple(self, opcode):
        self._cmd[0] = opcode
        self._cs(0)
        try:
            self._spi.write(memoryview(self._cmd)[:1])
        finally:
            self._cs(1)

    def _status_byte(self):
        self._cs(0)
        try:
            self._cmd[0] = _READ_STATUS
            self._spi.write(memoryview(self._cmd)[:1])
            self._spi.readinto(self._status)
        finally:
            self._cs(1)
        return self._status[0]

    def _wait(self, timeout_ms):
        # The clock is read before the status, not after: a stall between a BUSY
        # answer and the clock (an interrupt, a collection, another thread) must
        # not make a finished operation a timeout. Only a status read begun after
        # the deadline that still says BUSY is one.
        start = ticks_ms()
        while True:
            late = ticks_diff(ticks_ms(), start) > timeout_ms
            if not self._status_byte() & _BUSY:
                return 0
            if late:
                return -_EIO

    def _write_enable(self):
        self._simple(_WRITE_ENABLE)
        return 0 if self._status_byte() & _WEL else -_EIO

    def _program(self, address, view):
        """Program `view` from `address`, split at page boundaries."""
        pos = 0
        n = len(view)
        while pos < n:
            chunk = min(n - pos, PAGE - ((address + pos) % PAGE))
            if self._write_enable():
                return -_EIO
            self._cs(0)
            try:
                self._command(_PAGE_PROGRAM, address + pos)
                self._spi.write(view[pos:pos + chunk])
            finally:
                self._cs(1)
            if self._wait(PROGRAM_TIMEOUT_MS):
                return -_EIO
            pos += chunk
        return 0

    def erase(self, block):
        if not 0 <= block < self.block_count:
            return -_EIO
        if self._write_enable():
            return -_EIO
        self._cs(0)
        try:
            self._command(_SECTOR_ERASE, block * SECTOR)
        finally:
            self._cs(1)
        return self._wait(ERASE_TIMEOUT_MS)

    def _in_range(self, block, offset, n):
        start = block * SECTOR + offset
        return 0 <= block and 0 <= offset and start + n <= self.block_count * SECTOR

    # -- the block protocol (vfs.rst): readblocks / writeblocks with an offset, ioctl
    def readblocks(self, block, buf, offset=0):
        if not self._in_range(block, offset, len(buf)):
            return -_EIO
        self._cs(0)
        try:
            self._command(_READ, block * SECTOR + offset)
            self._spi.readinto(buf)
        finally:
            self._cs(1)
        return 0

    def writeblocks(self, block, buf, offset=None):
        view = memoryview(buf)
        if offset is None:          # the simple protocol: whole blocks, erase implied
            for i in range(len(view) // SECTOR):
                if self.erase(block + i):
                    return -_EIO
            offset = 0
        if not self._in_range(block, offset, len(view)):
            return -_EIO
        return self._program(block * SECTOR + offset, view)

    def ioctl(self, op, arg):
        if op == 4:             # block count
            return self.block_count
        if op == 5:             # block size
            return SECTOR
        if op == 6:             # erase a block (littlefs erases before it programs)
            return self.erase(arg)
        return 0                # init, deinit, sync: nothing buffered here
