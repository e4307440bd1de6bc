# A simulated MB85RC256V on a simulated I2C bus, speaking the datasheet's
# protocol: 16-bit memory address (upper bit ignored: 15 address bits), writes
# and reads wrap at 32 KiB, device ID via the reserved address 0xF8, NACK
# (OSError ENODEV) for an absent device. `cut_after` bytes models a power cut
# mid-transaction: FRAM keeps the bytes already clocked in.
_ENODEV = 19


class I2cFramBus:
    def __init__(self, address=0x50, cut_after=None):
        self.address = address
        self.mem = bytearray(32768)
        self.cut_after = cut_after      # bytes left before power fails; None = never
        self.transactions = 0
        self._id_requested = False

    def _device(self, addr):
        if addr != self.address:
            raise OSError(_ENODEV)

    def writeto_mem(self, addr, memaddr, buf, addrsize=8):
        self._device(addr)
        assert addrsize == 16, "MB85RC256V takes a two-byte memory address"
        self.transactions += 1
        pos = memaddr & 0x7FFF
        for b in bytes(buf):
            if self.cut_after is not None:
                if self.cut_after == 0:
                    raise OSError(5)   # power gone: the rest never reaches the chip
                self.cut_after -= 1
            self.mem[pos] = b
            pos = (pos + 1) & 0x7FFF

    def readfrom_mem_into(self, addr, memaddr, buf, addrsize=8):
        self._device(addr)
        assert addrsize == 16
        self.transactions += 1
        pos = memaddr & 0x7FFF
        for i in range(len(buf)):
            buf[i] = self.mem[pos]
            pos = (pos + 1) & 0x7FFF

    def writeto(self, addr, buf, stop=True):
        if addr != 0x7C or bytes(buf) != bytes((self.address << 1,)):
            raise OSError(_ENODEV)
        self._id_requested = True

    def readfrom_into(self, addr, buf):
        if addr != 0x7C or not self._id_requested:
            raise OSError(_ENODEV)
        buf[:] = b"\x00\xa5\x10"     # manufacturer 0x00A, product 0x510
        self._id_requested = False
