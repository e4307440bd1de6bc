# The syslog sender's view of the device's records: by seq, from the NVRAM
# ring while a record is still in its slot, else from the store's segments.
# Reading is sequential, so the current segment stays open between reads
# until the sender releases it (at the end of each pump, so a flush may evict it).
from hcdaudit import ccm, segment
from hcdaudit import ring as ring_module


class Backlog:
    def __init__(self, log):
        self.log = log
        self._buf = bytearray(log.ring.max_sealed)     # CCM opens in place: room for the tag
        self._view = memoryview(self._buf)
        self._file = None
        self._meta = None
        self._next = 0          # the seq the open segment's next entry holds

    def oldest(self):
        """The oldest seq the device still holds (0 when it holds none)."""
        store = self.log.store
        if store.segments:
            return store.segments[0].first_seq
        return self.log.next_seq if self.log.next_seq > 1 else 0

    def read(self, seq):
        """The plaintext record of seq (a memoryview valid until the next read), or
        None when the device no longer holds it (evicted, damaged)."""
        ring = self.log.ring
        if seq >= self.log.next_seq - ring.slot_count:
            # Only the newest slot_count seqs can still be in their slot: an older
            # one would cost a slot decrypt for nothing.
            slot = ring.read(seq % ring.slot_count)
            if slot.state == ring_module.VALID and slot.seq == seq:
                return slot.plaintext
        return self._from_store(seq)

    def release(self):
        if self._file is not None:
            self._file.close()
            self._file = None
            self._meta = None

    def _from_store(self, seq):
        meta = self._segment_of(seq)
        if meta is None:
            return None
        if self._meta is not meta or self._next > seq:
            self.release()
            self._file = self.log.store.open_segment(meta.name)
            self._file.seek(segment.HEADER_SIZE)
            self._meta = meta
            self._next = meta.first_seq
        limit = self.log.ring.max_sealed
        while self._next <= seq:
            try:
                entry = segment.read_entry(self._file, limit)
            except segment.SegmentError:
                entry = None
            if entry is None:
                self.release()
                return None
            entry_seq, link, sealed = entry
            self._next = entry_seq + 1
            if entry_seq == seq:
                try:
                    n = self.log.store_sealer.open_into(meta.boot, meta.salt, seq, link, sealed, self._buf)
                except (ccm.AuthError, ValueError):
                    return None
                return self._view[:n]
        return None

    def _segment_of(self, seq):
        segments = self.log.store.segments
        lo, hi = 0, len(segments) - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            meta = segments[mid]
            if seq < meta.first_seq:
                hi = mid - 1
            elif seq > meta.last_seq:
                lo = mid + 1
            else:
                return meta
        return None
