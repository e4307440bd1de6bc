# A store segment: one flush of the ring, written once and never modified.
#
#   header      magic "HCDS" | version | 0 | count u16 | first_seq u32 | last_seq u32 |
#               boot u32 | salt u32 | evicted_first u32 | evicted_through u32 |
#               evicted_count u32 | seam[16]
#   entries     seq u32 | link[16] | length u16 | sealed[length]       (count times)
#   checkpoint  magic "HCDC" | head[16] | mac[16]
#
# The seam is the chain link before the first record (the previous segment's
# head), so a reader can check that segments join. The checkpoint MAC covers
# the header and the head: first/last seq, count, epoch, eviction, chain.
# Records are sealed under the store key with the flushing boot's epoch.
import struct

from hcdaudit import chain, kdf

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

HEADER_SIZE = const(52)
ENTRY_HEADER_SIZE = const(22)
CHECKPOINT_SIZE = const(36)
SUFFIX = ".seg"
_MAGIC = b"HCDS"
_CHECKPOINT_MAGIC = b"HCDC"
_VERSION = const(1)
_HEADER_FMT = ">4sBBHIIIIIII"
_ENTRY_FMT = ">I16sH"


class SegmentError(ValueError):
    pass


def name_for(first_seq):
    return "%010d%s" % (first_seq, SUFFIX)


def first_seq_of(name):
    """The first seq a segment file name claims, or None if it is not a segment name."""
    if len(name) != 10 + len(SUFFIX) or not name.endswith(SUFFIX):
        return None
    digits = name[:10]
    for ch in digits:
        if ch < "0" or ch > "9":
            return None
    return int(digits)


class Meta:
    """A segment's header and checkpoint."""

    def __init__(self, name, header):
        if len(header) < HEADER_SIZE:
            raise SegmentError("%s: shorter than a segment header" % name)
        (magic, version, _, self.count, self.first_seq, self.last_seq, self.boot, self.salt,
         self.evicted_first, self.evicted_through, self.evicted_count) = struct.unpack_from(_HEADER_FMT, header, 0)
        if magic != _MAGIC:
            raise SegmentError("%s: not a segment (bad magic)" % name)
        if version != _VERSION:
            raise SegmentError("%s: unsupported segment version %d" % (name, version))
        self.name = name
        self.seam = bytes(header[36:52])
        self.header = bytes(header)
        self.head = None
        self.size = 0


def pack_header(count, first_seq, last_seq, boot, salt, evicted, seam):
    evicted_first, evicted_through, evicted_count = evicted
    return struct.pack(_HEADER_FMT, _MAGIC, _VERSION, 0, count, first_seq, last_seq, boot, salt,
                       evicted_first, evicted_through, evicted_count) + seam


def checkpoint_mac(mac_key, header, head):
    return mac_key.digest(b"S", header, _CHECKPOINT_MAGIC, head)[:16]


def pack_checkpoint(mac_key, header, head):
    return _CHECKPOINT_MAGIC + head + checkpoint_mac(mac_key, header, head)


def pack_entry_header(seq, link, length):
    return struct.pack(_ENTRY_FMT, seq, link, length)


def read_meta(f, name, size, mac_key):
    """Read and check header and checkpoint. Raises SegmentError saying what is wrong."""
    if size < HEADER_SIZE + CHECKPOINT_SIZE:
        raise SegmentError("%s: truncated (%d bytes)" % (name, size))
    header = f.read(HEADER_SIZE)
    meta = Meta(name, header)
    meta.size = size
    f.seek(size - CHECKPOINT_SIZE)
    checkpoint = f.read(CHECKPOINT_SIZE)
    if checkpoint[:4] != _CHECKPOINT_MAGIC:
        raise SegmentError("%s: checkpoint missing (truncated or overwritten)" % name)
    meta.head = bytes(checkpoint[4:20])
    if not kdf.equal(checkpoint[20:36], checkpoint_mac(mac_key, meta.header, meta.head)):
        raise SegmentError("%s: checkpoint MAC does not verify" % name)
    if meta.count == 0 or meta.last_seq < meta.first_seq:
        raise SegmentError("%s: header claims an empty or inverted range" % name)
    return meta


def read_entry(f, limit):
    """Read the next entry: (seq, link, sealed), or None at end of file.
    Callers read `count` entries; raises SegmentError on a malformed entry."""
    head = f.read(ENTRY_HEADER_SIZE)
    if not head:
        return None
    if len(head) < ENTRY_HEADER_SIZE:
        raise SegmentError("entry header is truncated")
    seq, link, length = struct.unpack(_ENTRY_FMT, head)
    if length > limit:
        raise SegmentError("entry for seq %d claims %d bytes" % (seq, length))
    sealed = f.read(length)
    if len(sealed) != length:
        raise SegmentError("entry for seq %d is truncated" % seq)
    return seq, link, sealed


LINK_SIZE = chain.LINK_SIZE
