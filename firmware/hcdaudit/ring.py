# The NVRAM ring: a fixed region of byte-addressable NV memory holding two
# copies of a small header (the persistent boot counter) and exactly
# `slot_count` slots. Seq n always lives in slot n % slot_count, so the slot
# being written is known from the newest valid seq: after a power cut only that
# slot may be torn; damage anywhere else is tampering.
#
# Region:  header A (32) | header B (32) | slot 0 | slot 1 | ...
# Header:  magic "HCDN" | version | slot_count | slot_size u16 | generation u32 |
#          boot u32 | mac[16]                       (written alternately A/B)
# Slot:    length u16 | boot u32 | salt u32 | seq u32 | link[16] | sealed[length]
import struct

from hcdaudit import ccm, chain

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

HEADER_COPY_SIZE = const(32)
HEADERS_SIZE = const(64)
SLOT_HEADER_SIZE = const(30)
_MAGIC = b"HCDN"
_VERSION = const(1)
_HEADER_FMT = ">4sBBHII"      # magic, version, slot_count, slot_size, generation, boot
_HEADER_BODY = const(16)
_SLOT_FMT = ">HIII"           # length, boot, salt, seq (link follows)

EMPTY = const(0)
VALID = const(1)
INVALID = const(2)


class RingError(Exception):
    pass


def region_size(slot_count, slot_size):
    return HEADERS_SIZE + slot_count * slot_size


class Slot:
    """What a slot holds, as read at boot or by a reader."""

    def __init__(self, index, state, seq=0, boot=0, salt=0, link=None, plaintext=None, reason=""):
        self.index = index
        self.state = state
        self.seq = seq
        self.boot = boot
        self.salt = salt
        self.link = link
        self.plaintext = plaintext
        self.reason = reason


class Ring:
    def __init__(self, nvram, slot_count, slot_size, sealer, mac_key):
        if slot_size < SLOT_HEADER_SIZE + ccm.TAG_SIZE + 16 or slot_size > 0xFFFF:
            raise RingError("slot size %d out of range" % slot_size)
        need = region_size(slot_count, slot_size)
        if nvram.size < need:
            raise RingError("NV memory holds %d bytes, the ring needs %d" % (nvram.size, need))
        self.nvram = nvram
        self.slot_count = slot_count
        self.slot_size = slot_size
        self.max_sealed = slot_size - SLOT_HEADER_SIZE
        self.max_plaintext = self.max_sealed - ccm.TAG_SIZE
        self._sealer = sealer      # seal.Sealer under the NVRAM key
        self._mac = mac_key
        self._buf = bytearray(slot_size)   # the one slot buffer, reused for every read/write
        self._view = memoryview(self._buf)
        self._header = bytearray(HEADER_COPY_SIZE)

    # -- header: two copies, the newer valid one wins; a torn write spoils only one
    def _header_mac(self, body):
        return self._mac.digest(b"H", body)[:16]

    def read_header(self):
        """Return (generation, boot, copy_index) of the newest valid copy, or None,
        and the list of copies that failed their check (for the boot report)."""
        best = None
        bad = []
        for copy in (0, 1):
            self.nvram.read_into(copy * HEADER_COPY_SIZE, self._header)
            body = bytes(self._header[:_HEADER_BODY])
            if body == bytes(_HEADER_BODY):
                continue   # never written
            magic, version, count, size, gen, boot = struct.unpack(_HEADER_FMT, body)
            if (magic != _MAGIC or version != _VERSION
                    or bytes(self._header[_HEADER_BODY:]) != self._header_mac(body)):
                bad.append(copy)
                continue
            if count != self.slot_count or size != self.slot_size:
                raise RingError("NV memory was formatted for %d slots of %d bytes, this board has %d of %d"
                                % (count, size, self.slot_count, self.slot_size))
            if best is None or gen > best[0]:
                best = (gen, boot, copy)
        return best, bad

    def write_header(self, generation, boot, copy):
        body = struct.pack(_HEADER_FMT, _MAGIC, _VERSION, self.slot_count, self.slot_size,
                           generation, boot)
        self.nvram.write(copy * HEADER_COPY_SIZE, body + self._header_mac(body))

    # -- slots
    def slot_offset(self, index):
        return HEADERS_SIZE + index * self.slot_size

    def write(self, seq, boot, salt, link, sealed):
        """Write one sealed record into its slot in a single NV write."""
        n = len(sealed)
        if n > self.max_sealed:
            raise RingError("sealed record of %d bytes exceeds the %d-byte slot" % (n, self.max_sealed))
        buf = self._buf
        struct.pack_into(_SLOT_FMT, buf, 0, n, boot, salt, seq)
        buf[14:SLOT_HEADER_SIZE] = link
        buf[SLOT_HEADER_SIZE:SLOT_HEADER_SIZE + n] = sealed
        self.nvram.write(self.slot_offset(seq % self.slot_count), self._view[:SLOT_HEADER_SIZE + n])

    def read(self, index):
        """Read and authenticate one slot; never raises on bad content."""
        buf = self._buf
        self.nvram.read_into(self.slot_offset(index), buf)
        n, boot, salt, seq = struct.unpack_from(_SLOT_FMT, buf, 0)
        link = bytes(buf[14:SLOT_HEADER_SIZE])
        if n == 0 and boot == 0 and seq == 0:
            return Slot(index, EMPTY)
        if n < ccm.TAG_SIZE or n > self.max_sealed:
            return Slot(index, INVALID, seq, boot, salt, link, reason="bad length %d" % n)
        if seq % self.slot_count != index:
            return Slot(index, INVALID, seq, boot, salt, link, reason="seq %d does not belong in this slot" % seq)
        try:
            plaintext = self._sealer.open(boot, salt, seq, link, self._view[SLOT_HEADER_SIZE:SLOT_HEADER_SIZE + n])
        except ccm.AuthError:
            return Slot(index, INVALID, seq, boot, salt, link, reason="authentication failed")
        return Slot(index, VALID, seq, boot, salt, link, plaintext)

    def open_into(self, seq, out):
        """Decrypt the record of seq from its slot into out: its length, or -1 when
        the slot does not hold seq authentically. No Slot and no copies (the
        sender reads each record this way, a flush each unflushed one); the
        slot's link stays readable through opened_link() until the next read."""
        buf = self._buf
        self.nvram.read_into(self.slot_offset(seq % self.slot_count), buf)
        n, boot, salt, slot_seq = struct.unpack_from(_SLOT_FMT, buf, 0)
        if slot_seq != seq or n < ccm.TAG_SIZE or n > self.max_sealed:
            return -1
        view = self._view
        try:
            return self._sealer.open_into(boot, salt, seq, view[14:SLOT_HEADER_SIZE],
                                          view[SLOT_HEADER_SIZE:SLOT_HEADER_SIZE + n], out)
        except ccm.AuthError:
            return -1

    def opened_link(self):
        """The chain link stored with the record open_into() last read."""
        return bytes(self._buf[14:SLOT_HEADER_SIZE])

    def scan(self):
        return [self.read(i) for i in range(self.slot_count)]


def link_after(mac_key, slot):
    return chain.next_link(mac_key, slot.link, slot.seq, slot.plaintext)
