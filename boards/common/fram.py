# MB85RC256V I2C FRAM (32 KiB) as the NV memory of the NVRAM ring: the narrow
# NV interface (size, read_into, write) over machine.I2C. FRAM commits each
# byte as it is clocked in, with no write delay, so a power cut leaves a byte
# prefix of the write: the ring's tag check tells that torn slot apart.
try:
    from micropython import const
except ImportError:
    def const(x):
        return x

_SIZE = const(32768)
_RESERVED_ID = const(0x7C)     # 0xF8 >> 1: the device-ID pseudo-address
_MANUFACTURER = const(0x00A)   # Fujitsu
_PRODUCT = const(0x510)        # MB85RC256V (density 5, 256 Kbit)
_CHUNK = const(256)            # bytes per bus transaction: bounded I2C buffers on every port


class FramError(OSError):
    pass


class Fram:
    def __init__(self, i2c, address=0x50):
        self._i2c = i2c
        self._address = address
        self.size = _SIZE
        self._id = bytearray(3)

    def check_id(self):
        """Read the device ID (datasheet: write the slave address to 0xF8, read 3 bytes)."""
        try:
            self._i2c.writeto(_RESERVED_ID, bytes((self._address << 1,)), False)
            self._i2c.readfrom_into(_RESERVED_ID, self._id)
        except OSError as exc:
            raise FramError("no MB85RC256V answers at 0x%02x (%s)" % (self._address, exc))
        manufacturer = (self._id[0] << 4) | (self._id[1] >> 4)
        product = ((self._id[1] & 0x0F) << 8) | self._id[2]
        if manufacturer != _MANUFACTURER or product != _PRODUCT:
            raise FramError("no MB85RC256V at 0x%02x (manufacturer 0x%03x, product 0x%03x)"
                            % (self._address, manufacturer, product))

    def _check(self, offset, n):
        if offset < 0 or offset + n > _SIZE:
            raise FramError("FRAM access %d+%d beyond %d bytes" % (offset, n, _SIZE))

    def read_into(self, offset, buf):
        self._check(offset, len(buf))
        view = memoryview(buf)
        for start in range(0, len(buf), _CHUNK):
            self._i2c.readfrom_mem_into(self._address, offset + start, view[start:start + _CHUNK], addrsize=16)

    def write(self, offset, data):
        self._check(offset, len(data))
        view = memoryview(data)
        for start in range(0, len(data), _CHUNK):
            self._i2c.writeto_mem(self._address, offset + start, view[start:start + _CHUNK], addrsize=16)
