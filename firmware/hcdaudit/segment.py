# A store segment (format v2): one flush of the ring, written once and never
# modified. Its entries are the ring's entries, byte for byte (seal.py).
#
#   header      magic "HCDS" | version | 0 | count u16 | first_seq u32 | last_seq u32 |
#               boot u32 | epoch u32 | evicted_first u32 | evicted_through u32 |
#               evicted_count u32 | watermark u32 | device id[16] | seam[16] | mac[16]
#   entries     count entries (seal.py), all of this segment's epoch
#   checkpoint  magic "HCDC" | head[16] | mac[16]
#
# The header mac (integrity key of `epoch`) makes the header readable on its
# own, so a segment cut short still says what it held. evicted_* is what this
# flush evicted; watermark is the highest seq ever evicted, carried forward by
# every segment, so the evicted range survives the loss of any one of them.
# seam: the mac of the record before the first (the previous segment's head).
# The checkpoint mac covers the header, the head (the last entry's mac) and a
# digest of every entry's mac: the segment is complete and in order.
import hashlib
import struct

from hcdaudit import kdf, seal

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

HEADER_SIZE = const(88)
CHECKPOINT_SIZE = const(36)
ENTRY_HEADER_SIZE = seal.HEADER_SIZE
SUFFIX = ".seg"
_MAGIC = b"HCDS"
_CHECKPOINT_MAGIC = b"HCDC"
VERSION = const(2)
_HEADER_FMT = ">4sBBHIIIIIIII"
_FIXED = const(40)
_MAC_AT = const(72)
LINK_SIZE = seal.MAC_SIZE


class SegmentError(ValueError):
    pass


def name_for(first_seq):
    return "%010d%s" % (first_seq, SUFFIX)


def first_seq_of(name):
    """The first seq a segment file name claims, or None if it is not a segment name."""
    if len(name) != 10 + len(SUFFIX) or not name.endswith(SUFFIX):
        return None
    # As octets: MicroPython interns every one-char str it indexes or iterates
    # (a qstr each, in a pool that grows by doubling: 14 KB at once, mid-run).
    raw = name.encode()
    if len(raw) != len(name):
        return None
    for i in range(10):
        if raw[i] < 48 or raw[i] > 57:     # "0"-"9"
            return None
    return int(name[:10])


class Meta:
    """A segment's header (parsed, not yet authenticated) and checkpoint."""

    def __init__(self, name, header):
        if len(header) < HEADER_SIZE:
            raise SegmentError("%s: shorter than a segment header" % name)
        (magic, version, _, self.count, self.first_seq, self.last_seq, self.boot, self.epoch,
         self.evicted_first, self.evicted_through, self.evicted_count,
         self.watermark) = struct.unpack_from(_HEADER_FMT, header, 0)
        if magic != _MAGIC:
            raise SegmentError("%s: not a segment (bad magic)" % name)
        if version != VERSION:
            raise SegmentError("%s: unsupported segment version %d (this firmware reads v%d: "
                               "re-provision the device)" % (name, version, VERSION))
        self.name = name
        self.ident = bytes(header[_FIXED:_FIXED + 16])
        self.seam = bytes(header[_FIXED + 16:_MAC_AT])
        self.header = bytes(header[:HEADER_SIZE])
        self.head = None
        self.size = 0

    def header_ok(self, mac_key):
        return kdf.equal(self.header[_MAC_AT:HEADER_SIZE], header_mac(mac_key, self.header[:_MAC_AT]))

    @property
    def evicted(self):
        return self.evicted_first, self.evicted_through, self.evicted_count


def header_mac(mac_key, body):
    return mac_key.digest(b"G", body)[:16]


def pack_header(mac_key, count, first_seq, last_seq, boot, epoch, evicted, watermark, ident, seam):
    evicted_first, evicted_through, evicted_count = evicted
    body = struct.pack(_HEADER_FMT, _MAGIC, VERSION, 0, count, first_seq, last_seq, boot, epoch,
                       evicted_first, evicted_through, evicted_count, watermark) + ident + seam
    return body + header_mac(mac_key, body)


def checkpoint_mac(mac_key, header, head, digest):
    return mac_key.digest(b"S", header, _CHECKPOINT_MAGIC, head, digest)[:16]


def pack_checkpoint(mac_key, header, head, digest):
    return _CHECKPOINT_MAGIC + head + checkpoint_mac(mac_key, header, head, digest)


class MacDigest:
    """The running digest of a segment's entry macs, as the checkpoint covers it."""

    def __init__(self):
        self._h = hashlib.sha256()

    def add(self, entry):
        self._h.update(entry[len(entry) - seal.MAC_SIZE:])

    def mac_sink(self):
        """A callable fed one entry's mac at a time (what add() feeds): for a scanner."""
        return self._h.update

    def digest(self):
        return self._h.digest()


def read_meta(f, name, size):
    """Read the header and the checkpoint's head; check the framing only (the
    device cannot check macs of epochs whose keys it erased). Raises SegmentError."""
    if size < HEADER_SIZE + CHECKPOINT_SIZE:
        raise SegmentError("%s: truncated (%d bytes)" % (name, size))
    meta = Meta(name, f.read(HEADER_SIZE))
    meta.size = size
    f.seek(size - CHECKPOINT_SIZE)
    checkpoint = f.read(CHECKPOINT_SIZE)
    if checkpoint[:4] != _CHECKPOINT_MAGIC:
        raise SegmentError("%s: checkpoint missing (truncated or overwritten)" % name)
    meta.head = bytes(checkpoint[4:20])
    meta.checkpoint = bytes(checkpoint)
    if meta.count == 0 or meta.last_seq < meta.first_seq:
        raise SegmentError("%s: header claims an empty or inverted range" % name)
    return meta


def checkpoint_of(data):
    """(head, mac) of a segment's bytes, or None when its checkpoint is missing."""
    if len(data) < HEADER_SIZE + CHECKPOINT_SIZE or data[len(data) - CHECKPOINT_SIZE:len(data) - 32] != \
            _CHECKPOINT_MAGIC:
        return None
    end = len(data)
    return bytes(data[end - 32:end - 16]), bytes(data[end - 16:end])


def read_entry(f, limit):
    """Read the next entry's bytes, or None at end of file (the checkpoint's magic
    reads as a too-long entry). Raises SegmentError on a malformed entry."""
    head = f.read(ENTRY_HEADER_SIZE)
    if not head:
        return None
    if len(head) < ENTRY_HEADER_SIZE:
        raise SegmentError("entry header is truncated")
    seq, _epoch, _salt, n = seal.parse_header(head)
    if n > limit:
        raise SegmentError("entry for seq %d claims %d bytes" % (seq, n))
    rest = f.read(n + seal.MAC_SIZE)
    if len(rest) != n + seal.MAC_SIZE:
        raise SegmentError("entry for seq %d is truncated" % seq)
    return head + rest


def read_entry_into(f, view, limit):
    """read_entry into a preallocated memoryview (ENTRY_HEADER_SIZE + limit +
    seal.MAC_SIZE octets at least): the entry's length, 0 at end of file. The
    syslog sender reads its whole backlog this way, with no bytes per entry."""
    n = f.readinto(view[:ENTRY_HEADER_SIZE])
    if not n:
        return 0
    if n < ENTRY_HEADER_SIZE:
        raise SegmentError("entry header is truncated")
    header = seal.parse_header(view)      # kept whole: a small frame stays off the heap
    n = header[3]
    if n > limit:
        raise SegmentError("entry for seq %d claims %d bytes" % (header[0], n))
    n += seal.MAC_SIZE
    if f.readinto(view[ENTRY_HEADER_SIZE:ENTRY_HEADER_SIZE + n]) != n:
        raise SegmentError("entry for seq %d is truncated" % header[0])
    return ENTRY_HEADER_SIZE + n
