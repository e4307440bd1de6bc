# The syslog sender's view of the device's records: by seq, from the NVRAM
# ring while a record is still in its slot, else from the store's segments.
# Reading is sequential, so the current segment stays open between reads
# until the sender releases it (at the end of each pump, so a flush may evict it).
import struct

from hcdaudit import ccm, seal, segment


class Backlog:
    def __init__(self, log):
        self.log = log
        self._buf = bytearray(log.ring.max_sealed)     # CCM opens in place: room for the tag
        self._view = memoryview(self._buf)
        self._file = None
        self._meta = None       # header of the open segment
        self._next = 0          # the seq the open segment's next entry holds
        self._entry = None      # the entry last opened (mac())
        # One store entry at a time is read into this buffer (no bytes per record).
        self._read_buf = bytearray(segment.ENTRY_HEADER_SIZE + log.ring.max_sealed + seal.MAC_SIZE)
        self._read_view = memoryview(self._read_buf)

    def oldest(self):
        """The oldest seq the device still holds (0 when it holds none)."""
        store = self.log.store
        if store.segment_count():
            return store.first_seq
        return self.log.next_seq if self.log.next_seq > 1 else 0

    def read(self, seq):
        """The plaintext record of seq (a memoryview valid until the next read), or
        None when the device no longer holds it (evicted, damaged)."""
        ring = self.log.ring
        if seq >= self.log.next_seq - ring.slot_count:
            # Only the newest slot_count seqs can still be in their slot: an older
            # one would cost a slot decrypt for nothing.
            entry = ring.entry_view(seq)
            if entry is not None:
                n = self._open(entry)
                if n >= 0:
                    return self._view[:n]
        return self._from_store(seq)

    def mac(self):
        """The entry mac of the record the last read() returned (the host reader's
        "chain" value): bytes, so it outlives the next read."""
        return bytes(self._entry[-seal.MAC_SIZE:])

    def _open(self, entry):
        try:
            n = self.log.store_sealer.open_entry_into(entry, self._buf)
        except (ccm.AuthError, ValueError):
            return -1
        self._entry = entry
        return n

    def release(self):
        if self._file is not None:
            self._file.close()
            self._file = None
            self._meta = None

    def _from_store(self, seq):
        # In small methods: one frame with every local would be heap-allocated
        # on MicroPython, once per record.
        if not self._segment_for(seq):
            return None
        while self._next <= seq:
            n = self._next_entry()
            if not n:
                return None
            if self._next == seq + 1:       # the entry just read is seq's
                n = self._open(self._read_view[:n])
                return self._view[:n] if n >= 0 else None
        return None

    def _segment_for(self, seq):
        """Whether the segment holding seq is open, at or before seq (opened if need be)."""
        name = self.log.store.segment_of(seq)
        if name is None:
            return False
        if self._meta is None or self._meta.name != name or self._next > seq:
            self.release()
            self._file = self.log.store.open_segment(name)
            try:
                self._meta = segment.Meta(name, self._file.read(segment.HEADER_SIZE))
            except segment.SegmentError:
                self.release()
                return False
            self._next = self._meta.first_seq
        return True

    def _next_entry(self):
        """The open segment's next entry into the read buffer: its length, or 0 (segment closed) at its end or damage."""
        try:
            n = segment.read_entry_into(self._file, self._read_view, self.log.ring.max_sealed)
        except segment.SegmentError:
            n = 0
        if n:
            self._next = struct.unpack_from(">I", self._read_view)[0] + 1     # seq u32 leads every entry (seal.py)
        else:
            self.release()
        return n
