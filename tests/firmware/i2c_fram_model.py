# A simulated MB85RC256V on a simulated I2C bus, speaking the datasheet's
# protocol: 16-bit memory address (upper bit ignored: 15 address bits), writes
# and reads wrap at 32 KiB, device ID via the reserved address 0xF8, NACK
# (OSError ENODEV) for an absent device. Address pins A2..A0 select 0x50-0x57;
# several chips may share the bus. `cut_after` bytes models a power cut
# mid-transaction: FRAM keeps the bytes already clocked in. A sim_power.Rail
# may number each write as a power-cut point (a torn write = a byte prefix).
_ENODEV = 19
_ID = b"\x00\xa5\x10"      # manufacturer 0x00A (Fujitsu), product 0x510 (density 5 = 256 Kbit)


class I2cFramBus:
    def __init__(self, address=0x50, cut_after=None, mem=None, others=()):
        self.address = address
        self.mem = mem if mem is not None else bytearray(32768)
        self.cut_after = cut_after      # bytes left before power fails; None = never
        self.transactions = 0
        self.rail = None
        self.rail_name = None
        self._chips = {address: self}
        for other in others:            # more chips on the same bus, at their own addresses
            self._chips[other.address] = other
        self._id_for = None

    def image(self):
        return bytearray(self.mem)

    def _device(self, addr):
        chip = self._chips.get(addr)
        if chip is None:
            raise OSError(_ENODEV)
        return chip

    def writeto_mem(self, addr, memaddr, buf, addrsize=8):
        chip = self._device(addr)
        assert addrsize == 16, "MB85RC256V takes a two-byte memory address"
        self.transactions += 1
        data = bytes(buf)
        pos = memaddr & 0x7FFF
        if chip.rail is not None:
            def torn(image):
                p = pos
                for b in data[:len(data) // 2]:
                    image[p] = b
                    p = (p + 1) & 0x7FFF
            chip.rail.event(chip, torn)
        for b in data:
            if self.cut_after is not None:
                if self.cut_after == 0:
                    raise OSError(5)   # power gone: the rest never reaches the chip
                self.cut_after -= 1
            chip.mem[pos] = b
            pos = (pos + 1) & 0x7FFF

    def readfrom_mem_into(self, addr, memaddr, buf, addrsize=8):
        chip = self._device(addr)
        assert addrsize == 16
        self.transactions += 1
        pos = memaddr & 0x7FFF
        n = len(buf)
        if pos + n <= 32768:
            buf[:] = chip.mem[pos:pos + n]
            return
        for i in range(n):
            buf[i] = chip.mem[pos]
            pos = (pos + 1) & 0x7FFF

    def writeto(self, addr, buf, stop=True):
        # Device ID: the reserved address 0xF8 (7-bit 0x7C), then the chip's own address byte.
        data = bytes(buf)
        if addr != 0x7C or len(data) != 1 or (data[0] >> 1) not in self._chips:
            raise OSError(_ENODEV)
        self._id_for = data[0] >> 1

    def readfrom_into(self, addr, buf):
        if addr != 0x7C or self._id_for is None:
            raise OSError(_ENODEV)
        buf[:] = _ID[:len(buf)]
        self._id_for = None
