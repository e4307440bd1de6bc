# A W25Q128-class SPI NOR chip on a simulated SPI bus, speaking the datasheet's
# protocol as the chip sees it: a command is the bytes clocked in while CS is
# low; a program or erase starts when CS goes high, and the chip is then BUSY
# for a while (here: a number of status reads) and ignores every command but
# RDSR; like a real chip, never for longer than the datasheet's maximum (page
# program 3 ms, sector erase 400 ms; the driver's timeouts are longer), so a
# stalled test process never sees a chip still busy past the driver's deadline,
# which no real chip is. PAGE PROGRAM and SECTOR ERASE need a WRITE ENABLE
# first, which they clear. A page program past the page end wraps to the page
# start. The array is a sim_flash.NorFlash, so NOR semantics and power cuts
# come with it.
# Protocol violations a driver could commit are counted, for tests to assert.
from boards.common.ticks import ticks_diff, ticks_ms
from sim_flash import NorFlash

_READ = 0x03
_PAGE_PROGRAM = 0x02
_SECTOR_ERASE = 0x20
_WRITE_ENABLE = 0x06
_WRITE_DISABLE = 0x04
_READ_STATUS = 0x05
_JEDEC_ID = 0x9F
PROGRAM_MAX_MS = 3      # W25Q128 datasheet: page program, maximum
ERASE_MAX_MS = 400      # sector erase, maximum


def capacity_code(size):
    code = 0
    while (1 << code) < size:
        code += 1
    return code


class SpiNorChip:
    def __init__(self, array=None, manufacturer=0xEF, program_polls=2, erase_polls=6):
        self.array = array if array is not None else NorFlash(4096, 64)
        self.id = bytes((manufacturer, 0x40, capacity_code(self.array.size)))
        self.program_polls = program_polls
        self.erase_polls = erase_polls
        self.stuck_busy = False          # a dead chip: BUSY forever
        self.selected = False
        self.busy = 0
        self._busy_since = 0
        self._busy_max_ms = 0
        self.wel = False
        self.rx = bytearray()
        self.read_at = 0
        self.status_reads = 0
        self.ignored_while_busy = 0      # commands sent without waiting for BUSY to clear
        self.refused_without_wel = 0     # programs/erases sent without WRITE ENABLE
        self.spi = _Bus(self)
        self.cs = _ChipSelect(self)

    def _start_busy(self, polls, max_ms):
        self.busy = polls
        self._busy_since = ticks_ms()
        self._busy_max_ms = max_ms

    def _status(self):
        if self.busy and ticks_diff(ticks_ms(), self._busy_since) >= self._busy_max_ms:
            self.busy = 0       # past the datasheet's maximum: done, however few the polls
        return (1 if self.busy or self.stuck_busy else 0) | (2 if self.wel else 0)

    def select(self, low):
        if low and not self.selected:
            self.selected = True
            self.rx = bytearray()
        elif not low and self.selected:
            self.selected = False
            self._end()

    def _busy_now(self):
        self._status()
        return self.busy or self.stuck_busy

    def clock_in(self, data):
        if not self.selected:
            return          # not selected: the chip ignores the bus
        self.rx.extend(data)

    def clock_out(self, buf):
        if not self.selected or not self.rx:
            for i in range(len(buf)):
                buf[i] = 0xFF
            return
        op = self.rx[0]
        if op == _READ_STATUS:
            self.status_reads += 1
            if self.busy:
                self.busy -= 1
            for i in range(len(buf)):
                buf[i] = self._status()
        elif self._busy_now():
            for i in range(len(buf)):
                buf[i] = 0xFF
        elif op == _JEDEC_ID:
            for i in range(len(buf)):
                buf[i] = self.id[i] if i < 3 else 0xFF
        elif op == _READ and len(self.rx) >= 4:
            if len(self.rx) == 4:
                self.read_at = (self.rx[1] << 16) | (self.rx[2] << 8) | self.rx[3]
                self.rx.append(0)        # address consumed
            size = self.array.size
            done = 0
            while done < len(buf):          # a read runs on across the chip end to address 0
                start = self.read_at % size
                chunk = self.array.read(start, min(len(buf) - done, size - start))
                buf[done:done + len(chunk)] = chunk
                done += len(chunk)
                self.read_at += len(chunk)
        else:
            for i in range(len(buf)):
                buf[i] = 0xFF

    def _end(self):
        rx = self.rx
        if not rx:
            return
        op = rx[0]
        if op == _READ_STATUS:
            return
        if self._busy_now():
            self.ignored_while_busy += 1
            return
        if op == _WRITE_ENABLE:
            self.wel = True
        elif op == _WRITE_DISABLE:
            self.wel = False
        elif op in (_PAGE_PROGRAM, _SECTOR_ERASE):
            if not self.wel:
                self.refused_without_wel += 1
                return
            self.wel = False
            address = ((rx[1] << 16) | (rx[2] << 8) | rx[3]) % self.array.size
            if op == _SECTOR_ERASE:
                self.array.erase_range(address & ~0xFFF, 4096)
                self._start_busy(self.erase_polls, ERASE_MAX_MS)
            else:
                self._page_program(address, bytes(rx[4:]))
                self._start_busy(self.program_polls, PROGRAM_MAX_MS)

    def _page_program(self, address, data):
        if len(data) > 256:
            data = data[-256:]      # datasheet: only the last 256 bytes clocked in are kept
        page = address & ~0xFF
        first = address - page
        head = data[:256 - first]
        self.array.program(address, head)
        if len(head) < len(data):           # wraps to the start of the same page
            self.array.program(page, data[len(head):])


class _Bus:
    """machine.SPI's byte interface."""

    def __init__(self, chip):
        self._chip = chip

    def write(self, buf):
        self._chip.clock_in(bytes(buf))

    def readinto(self, buf, write=0):
        self._chip.clock_out(buf)

    def read(self, n, write=0):
        buf = bytearray(n)
        self._chip.clock_out(buf)
        return bytes(buf)


class _ChipSelect:
    """machine.Pin, active low: cs(0) selects the chip."""

    def __init__(self, chip):
        self._chip = chip
        self.level = 1

    def __call__(self, value=None):
        if value is None:
            return self.level
        self.level = 1 if value else 0
        self._chip.select(self.level == 0)

    def value(self, value=None):
        return self(value)
