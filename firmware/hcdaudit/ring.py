# The NVRAM ring (format v2): a fixed region of byte-addressable NV memory
# holding two copies of a small header (boot counter, integrity epoch and the
# epoch's key) and exactly `slot_count` slots. Seq n always lives in slot
# n % slot_count, so the slot being written is known from the newest valid
# seq: after a power cut only that slot may be torn; damage anywhere else is
# tampering.
#
# Region:  header A (96) | header B (96) | slot 0 | slot 1 | ...
# Header:  magic "HCDN" | version | slot_count | slot_size u16 | generation u32 |
#          boot u32 | epoch u32 | device id[16] | epoch key[32] | mac[16] | pad
#          mac: HMAC under the epoch key it holds (the host re-derives that key
#          from the escrow and checks both). Written alternately A/B; a key
#          evolution writes the new key into one copy, then overwrites the
#          other: the old key is gone from NVRAM once both writes land, and
#          boot finishes whatever a power cut left.
# Slot:    one entry exactly as seal.py lays it out (and as the store keeps it).
import struct

from hcdaudit import ccm, kdf, seal

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

HEADER_COPY_SIZE = const(96)
HEADERS_SIZE = const(192)
SLOT_HEADER_SIZE = seal.HEADER_SIZE
_MAGIC = b"HCDN"
_VERSION = const(2)
_HEADER_FMT = ">4sBBHIII"      # magic, version, slot_count, slot_size, generation, boot, epoch
_HEADER_FIXED = const(20)
_HEADER_BODY = const(68)       # fixed fields + device id + key
_HEADER_MAC_END = const(84)

EMPTY = const(0)
VALID = const(1)
INVALID = const(2)


class RingError(Exception):
    pass


class RootNotInstalled(RingError):
    """A first boot on a board that must get its integrity root from the escrow."""


def region_size(slot_count, slot_size):
    return HEADERS_SIZE + slot_count * slot_size


class Header:
    def __init__(self, copy, generation, boot, epoch, ident, key):
        self.copy = copy
        self.generation = generation
        self.boot = boot
        self.epoch = epoch
        self.ident = ident
        self.key = key


class Slot:
    """What a slot holds, as read at boot or by a reader. `entry`: its bytes
    (header, sealed, mac) when the framing holds; `verified`: True/False when
    the mac was checked under the epoch's key, None when no key was at hand."""

    def __init__(self, index, state, seq=0, epoch=0, salt=0, entry=None, reason="", verified=None):
        self.index = index
        self.state = state
        self.seq = seq
        self.epoch = epoch
        self.salt = salt
        self.entry = entry
        self.reason = reason
        self.verified = verified
        self.plaintext = None


def _u32(buf, at):
    return (buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]


def header_mac(key, body):
    return kdf.HmacKey(key).digest(b"H", body)[:16]


class Ring:
    def __init__(self, nvram, slot_count, slot_size, sealer):
        if slot_size < seal.OVERHEAD + 16 or slot_size > 0xFFFF:
            raise RingError("slot size %d out of range" % slot_size)
        need = region_size(slot_count, slot_size)
        if nvram.size < need:
            raise RingError("NV memory holds %d bytes, the ring needs %d" % (nvram.size, need))
        self.nvram = nvram
        self.slot_count = slot_count
        self.slot_size = slot_size
        self.max_sealed = slot_size - seal.HEADER_SIZE - seal.MAC_SIZE
        self.max_plaintext = slot_size - seal.OVERHEAD
        self._sealer = sealer      # seal.Sealer under the confidentiality key
        self._buf = bytearray(slot_size)   # the one slot buffer, reused for every read/write
        self._view = memoryview(self._buf)
        self._last_size = -1        # entry_view()'s last view of the buffer, and its length
        self._last_view = None
        self._header = bytearray(HEADER_COPY_SIZE)
        self._header_key = None     # (key, its HmacKey) of the header written last

    # -- header: two copies; the valid one with the newest generation wins
    def read_copy(self, copy):
        """(Header or None, problem): None and "" for a never-written copy."""
        self.nvram.read_into(copy * HEADER_COPY_SIZE, self._header)
        h = self._header
        if bytes(h[:_HEADER_MAC_END]) == bytes(_HEADER_MAC_END):
            return None, ""
        magic, version, count, size, gen, boot, epoch = struct.unpack_from(_HEADER_FMT, h, 0)
        key = bytes(h[_HEADER_FIXED + 16:_HEADER_BODY])
        if magic != _MAGIC or version != _VERSION:
            return None, "not a v%d ring header" % _VERSION
        if not kdf.equal(bytes(h[_HEADER_BODY:_HEADER_MAC_END]), header_mac(key, bytes(h[:_HEADER_BODY]))):
            return None, "MAC does not verify"
        if count != self.slot_count or size != self.slot_size:
            raise RingError("NV memory was formatted for %d slots of %d bytes, this board has %d of %d"
                            % (count, size, self.slot_count, self.slot_size))
        return Header(copy, gen, boot, epoch, bytes(h[_HEADER_FIXED:_HEADER_FIXED + 16]), key), ""

    def read_header(self):
        """(newest valid Header or None, [copies that failed their check], [all valid Headers])."""
        best = None
        bad = []
        good = []
        for copy in (0, 1):
            header, problem = self.read_copy(copy)
            if problem:
                bad.append(copy)
            if header is None:
                continue
            good.append(header)
            if best is None or header.generation > best.generation:
                best = header
        return best, bad, good

    def write_header(self, copy, generation, boot, epoch, ident, key):
        body = struct.pack(_HEADER_FMT, _MAGIC, _VERSION, self.slot_count, self.slot_size,
                           generation, boot, epoch) + ident + key
        if self._header_key is None or self._header_key[0] != key:
            self._header_key = (key, kdf.HmacKey(key))  # a flush writes both copies under one key
        self.nvram.write(copy * HEADER_COPY_SIZE, body + self._header_key[1].digest(b"H", body)[:16]
                         + bytes(HEADER_COPY_SIZE - _HEADER_MAC_END))

    def install_root(self, ident, root, generation=0):
        """Provisioning: epoch 0 with its integrity key in both copies (the device
        then never needs a key it could re-derive). `generation`: the newest
        generation the copies held, so the new ones win even if a cut lands
        between the two writes."""
        self.write_header(0, generation + 1, 0, 0, ident, root)
        self.write_header(1, generation + 2, 0, 0, ident, root)

    def headers_blank(self):
        for copy in (0, 1):
            self.nvram.read_into(copy * HEADER_COPY_SIZE, self._header)
            if bytes(self._header) != bytes(HEADER_COPY_SIZE):
                return False
        return True

    # -- slots
    def slot_offset(self, index):
        return HEADERS_SIZE + index * self.slot_size

    def write(self, seq, entry):
        """Write one entry into its slot in a single NV write."""
        if len(entry) > self.slot_size:
            raise RingError("entry of %d bytes exceeds the %d-byte slot" % (len(entry), self.slot_size))
        self.nvram.write(self.slot_offset(seq % self.slot_count), entry)

    def _load(self, index):
        """Read a slot into the buffer: (seq, epoch, salt, entry length or -1 when its length is bad)."""
        buf = self._buf
        self.nvram.read_into(self.slot_offset(index), buf)
        seq, epoch, salt, n = seal.parse_header(buf)
        if n < ccm.TAG_SIZE or n > self.max_sealed:
            return seq, epoch, salt, -1
        return seq, epoch, salt, seal.HEADER_SIZE + n + seal.MAC_SIZE

    def read(self, index, key_for=None, open_record=False):
        """Read one slot; never raises on bad content. key_for(epoch) gives the
        HmacKey of an epoch, or None when it is not at hand."""
        seq, epoch, salt, size = self._load(index)
        if size < 0:
            if bytes(self._view[:seal.HEADER_SIZE]) == bytes(seal.HEADER_SIZE):
                return Slot(index, EMPTY)
            return Slot(index, INVALID, seq, epoch, salt, reason="bad length")
        entry = bytes(self._view[:size])
        if seq % self.slot_count != index:
            return Slot(index, INVALID, seq, epoch, salt, entry, "seq %d does not belong in this slot" % seq)
        verified = None
        key = key_for(epoch) if key_for else None
        if key is not None:
            verified = seal.verify(key, entry)
            if not verified:
                return Slot(index, INVALID, seq, epoch, salt, entry, "integrity mac fails", False)
        slot = Slot(index, VALID, seq, epoch, salt, entry, verified=verified)
        if open_record or verified is None:
            try:
                slot.plaintext = self._sealer.open_entry(entry)
            except (ccm.AuthError, ValueError):
                return Slot(index, INVALID, seq, epoch, salt, entry, "authentication failed", verified)
        return slot

    def entry_view(self, seq, epoch=-1):
        """The entry of seq from its slot (a memoryview valid until the next read),
        or None when the slot does not hold seq (of `epoch`, when given). No
        decryption: a flush copies it. Allocates at most the view, and not
        even that for an entry as long as the one before (a flush's 50 entries)."""
        size = self._entry_size(seq, epoch)
        if size < 0:
            return None
        if size != self._last_size:
            self._last_view = self._view[:size]
            self._last_size = size
        return self._last_view

    def _entry_size(self, seq, epoch):
        buf = self._buf
        self.nvram.read_into(self.slot_offset(seq % self.slot_count), buf)
        if _u32(buf, 0) != seq or (epoch >= 0 and _u32(buf, 4) != epoch):
            return -1
        size = (buf[12] << 8) | buf[13]     # the sealed length (seal.py's header)
        if size < ccm.TAG_SIZE or size > self.max_sealed:
            return -1
        return seal.HEADER_SIZE + size + seal.MAC_SIZE

    def open_into(self, seq, out):
        """Decrypt the record of seq from its slot into out: its length, or -1 when
        the slot does not hold seq authentically (the syslog backlog reads this way)."""
        entry = self.entry_view(seq)
        if entry is None:
            return -1
        try:
            return self._sealer.open_entry_into(entry, out)
        except (ccm.AuthError, ValueError):
            return -1

    def scan(self, key_for=None):
        return [self.read(i, key_for) for i in range(self.slot_count)]
