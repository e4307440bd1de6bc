# Reads every record of a device, store first then NVRAM, in seq order, and
# says what it found about each seq range. It never raises on bad content:
# whatever authenticates is yielded, whatever does not is a finding.
#
# Verdicts (one per finding):
#   modified     a record or segment fails authentication, or the chain breaks
#   missing      seqs absent with no audited explanation
#   duplicate    a seq present twice
#   reordered    a seq earlier than the one before it, or a segment under another's name
#   truncated    a segment cut short (its checkpoint is gone)
#   quarantined  an NVRAM slot or header damaged outside the slot being written
#   evicted      seqs removed by the store cap, as an audited eviction says (not a fault)
#   torn         the slot being written when power was cut (not a fault: never returned)
#   unaudited    an eviction without its audit record although the device logged on
#   pending      an eviction whose audit record the next boot will write (cut in between)
#   rolled back  (host) seqs an earlier verification saw are gone, or history was replaced
from hcdaudit import catalog, ccm, chain, kdf, record, seal, segment
from hcdaudit import ring as ring_module

_MERGED = {"duplicate": "seqs already read earlier", "reordered": "seqs out of order",
           "modified": "records fail authentication"}
FAULTS = ("modified", "missing", "duplicate", "reordered", "truncated", "quarantined", "unaudited",
          "rolled back")


class Finding:
    def __init__(self, verdict, first_seq, last_seq, detail):
        self.verdict = verdict
        self.first_seq = first_seq
        self.last_seq = last_seq
        self.detail = detail

    def as_dict(self):
        return {"verdict": self.verdict, "first_seq": self.first_seq,
                "last_seq": self.last_seq, "detail": self.detail}


class Report:
    def __init__(self):
        self.verified = 0
        self.in_store = 0
        self.in_nvram = 0
        self.first_seq = 0
        self.last_seq = 0
        self.evicted_through = 0
        self.evicted_count = 0
        self.ranges = []       # [first, last] runs of verified seqs
        self.findings = []

    def add(self, verdict, first_seq, last_seq, detail):
        last = self.findings[-1] if self.findings else None
        if last and last.verdict == verdict and last.last_seq + 1 == first_seq and verdict in _MERGED:
            last.last_seq = last_seq      # one finding per run of seqs, not one per seq
            last.detail = _MERGED[verdict]
            return
        self.findings.append(Finding(verdict, first_seq, last_seq, detail))

    def covered(self, first_seq, last_seq, verdicts):
        for f in self.findings:
            if f.verdict in verdicts and f.first_seq <= first_seq and last_seq <= f.last_seq:
                return True
        return False

    def seen(self, seq):
        for first, last in self.ranges:
            if first <= seq <= last:
                return True
        return False

    def faults(self):
        return [f for f in self.findings if f.verdict in FAULTS]

    def intact(self):
        return not self.faults()

    def _note_verified(self, seq):
        self.verified += 1
        ranges = self.ranges
        if ranges and ranges[-1][1] == seq - 1:
            ranges[-1][1] = seq
            return
        i = len(ranges)
        while i and ranges[i - 1][0] > seq:     # out-of-order seqs are rare: keep the runs sorted
            i -= 1
        ranges.insert(i, [seq, seq])
        if i + 1 < len(ranges) and ranges[i + 1][0] == seq + 1:
            ranges[i][1] = ranges.pop(i + 1)[1]
        if i and ranges[i - 1][1] == seq - 1:
            ranges[i - 1][1] = ranges.pop(i)[1]

    def as_dict(self):
        return {
            "intact": self.intact(), "verified": self.verified, "in_store": self.in_store,
            "in_nvram": self.in_nvram, "first_seq": self.first_seq, "last_seq": self.last_seq,
            "evicted_through": self.evicted_through, "evicted_count": self.evicted_count,
            "ranges": [list(r) for r in self.ranges],
            "findings": [f.as_dict() for f in self.findings],
        }


class Reader:
    """Reads a device's store (a StoreFs) and NVRAM ring with its master key."""

    def __init__(self, fs, nvram, master_key, slot_count, slot_size, aes):
        keys = kdf.Subkeys(master_key)
        self._mac = keys.mac
        max_plaintext = slot_size - ring_module.SLOT_HEADER_SIZE - seal.OVERHEAD
        self._store_sealer = seal.Sealer(aes(keys.store), max_plaintext)
        self.fs = fs
        self.ring = None
        if nvram:
            self.ring = ring_module.Ring(nvram, slot_count, slot_size, seal.Sealer(aes(keys.nvram), max_plaintext),
                                         keys.mac)
        self.report = Report()

    # -- sources
    def _segment_names(self):
        names = []
        for name in self.fs.listdir():
            if segment.first_seq_of(name) is not None or name.endswith(".seg.bad"):
                names.append(name)
        names.sort()
        return names

    def _segment_records(self, name):
        """Yield (seq, link, plaintext or None) from one segment file, reporting its damage."""
        rep = self.report
        size = self.fs.size(name)
        f = self.fs.open(name, "rb")
        try:
            meta_error = None
            try:
                meta = segment.read_meta(f, name, size, self._mac)
            except segment.SegmentError as exc:
                # Still read what authenticates: each record carries its own tag.
                meta_error = str(exc)
                f.seek(0)
                try:
                    meta = segment.Meta(name, f.read(segment.HEADER_SIZE))
                except (segment.SegmentError, ValueError) as exc2:
                    rep.add("modified", 0, 0, "%s: unreadable header (%s)" % (name, exc2))
                    return
            claimed = segment.first_seq_of(name)
            if claimed is not None and claimed != meta.first_seq:
                rep.add("reordered", meta.first_seq, meta.last_seq,
                        "%s holds seqs %d-%d (file moved or replaced)" % (name, meta.first_seq, meta.last_seq))
            f.seek(segment.HEADER_SIZE)
            seen = 0
            last_seq = meta.first_seq - 1
            while seen < meta.count:
                try:
                    entry = segment.read_entry(f, size)
                except segment.SegmentError:
                    entry = None
                if entry is None:
                    rep.add("truncated", last_seq + 1, meta.last_seq,
                            "%s: ends after %d of %d records" % (name, seen, meta.count))
                    return
                seq, link, sealed = entry
                try:
                    plaintext = self._store_sealer.open(meta.boot, meta.salt, seq, link, sealed)
                except (ccm.AuthError, ValueError):
                    plaintext = None
                rep.in_store += 1
                seen += 1
                last_seq = seq
                yield seq, link, plaintext
            if meta_error:
                rep.add("modified", meta.first_seq, meta.last_seq, meta_error)
            elif f.tell() != size - segment.CHECKPOINT_SIZE:
                rep.add("modified", meta.first_seq, meta.last_seq, "%s: unexpected bytes before checkpoint" % name)
        finally:
            f.close()

    def _ring_records(self, after_seq):
        if self.ring is None:
            return
        best, bad = self.ring.read_header()
        for copy in bad:
            verdict = "torn" if best and len(bad) == 1 else "quarantined"
            self.report.add(verdict, 0, 0, "NVRAM header copy %s fails its MAC" % "AB"[copy])
        slots = self.ring.scan()
        valid = [s for s in slots if s.state == ring_module.VALID]
        newest = max([s.seq for s in valid] + [after_seq])
        torn_index = (newest + 1) % self.ring.slot_count
        for s in slots:
            if s.state == ring_module.INVALID:
                if s.index == torn_index:
                    self.report.add("torn", s.seq, s.seq, "slot %d: write cut by power loss (never returned)" % s.index)
                else:
                    self.report.add("quarantined", s.seq, s.seq, "slot %d: %s" % (s.index, s.reason))
        fresh = [s for s in valid if s.seq > after_seq]
        fresh.sort(key=lambda s: s.seq)
        for s in fresh:
            self.report.in_nvram += 1
            yield s.seq, s.link, s.plaintext

    def _sources(self):
        store_last = 0
        for name in self._segment_names():
            for seq, link, plaintext in self._segment_records(name):
                if seq > store_last:
                    store_last = seq
                yield seq, link, plaintext
        for item in self._ring_records(store_last):
            yield item

    # -- the walk
    def records(self):
        """Yield every authentic record (decoded dict, with "link") in stored order; fill self.report."""
        rep = self.report
        rep.evicted_through, flushed_with = self._evicted_through()
        eviction_code = catalog.event_code("audit_eviction")
        through_item = catalog.item_code("evicted_through")
        eviction_audited = rep.evicted_through == 0
        prev_seq = 0
        prev_after = chain.GENESIS   # link after the previous record; None when unknown
        for seq, link, plaintext in self._sources():
            if plaintext is None:
                # Its seq is unauthenticated too: note it, but let it move nothing.
                rep.add("modified", seq, seq, "record fails authentication")
                prev_after = None
                continue
            if seq <= prev_seq:
                if rep.seen(seq):
                    rep.add("duplicate", seq, seq, "seq %d after seq %d" % (seq, prev_seq))
                    continue
                # Authentic and not yet read: exported, but flagged as out of order.
                rep.add("reordered", seq, seq, "seq %d after seq %d" % (seq, prev_seq))
                decoded = self._decode(seq, plaintext)
                if decoded is not None:
                    rep._note_verified(seq)
                    yield decoded
                continue
            if seq > prev_seq + 1:
                self._gap(prev_seq + 1, seq - 1, link)
            elif prev_after is not None and link != prev_after:
                rep.add("modified", seq, seq, "chain link does not follow seq %d" % prev_seq)
            decoded = self._decode(seq, plaintext)
            prev_after = chain.next_link(self._mac, link, seq, plaintext)
            if decoded is not None:
                decoded["chain"] = prev_after      # the link after this record: what a high-water mark pins
            prev_seq = seq
            if decoded is None:
                continue
            if decoded["event"] == eviction_code and decoded["items"].get(through_item) == rep.evicted_through:
                eviction_audited = True
            if rep.first_seq == 0:
                rep.first_seq = seq
            rep.last_seq = seq
            rep._note_verified(seq)
            yield decoded
        if not eviction_audited:
            if rep.last_seq > flushed_with:
                rep.add("unaudited", 1, rep.evicted_through,
                        "eviction through seq %d has no audit record" % rep.evicted_through)
            else:
                rep.add("pending", 1, rep.evicted_through,
                        "eviction through seq %d: its audit record is written at the next boot" % rep.evicted_through)

    def _decode(self, seq, plaintext):
        try:
            return record.decode(plaintext)
        except record.RecordError as exc:
            self.report.add("modified", seq, seq, str(exc))
            return None

    def _gap(self, first, last, link):
        rep = self.report
        if first <= rep.evicted_through:
            through = min(last, rep.evicted_through)
            rep.evicted_count += through - first + 1
            rep.add("evicted", first, through, "removed by the store cap (audited eviction)")
            first = through + 1
        if first <= last and not rep.covered(first, last, ("truncated", "modified")):
            rep.add("missing", first, last, "%d records absent" % (last - first + 1))

    def _evicted_through(self):
        """The highest eviction point and the last seq of the segment whose flush evicted it;
        only segments whose checkpoint MAC holds count."""
        through = 0
        flushed_with = 0
        for name in self._segment_names():
            if segment.first_seq_of(name) is None:
                continue
            f = self.fs.open(name, "rb")
            try:
                meta = segment.read_meta(f, name, self.fs.size(name), self._mac)
            except (segment.SegmentError, ValueError):
                continue
            finally:
                f.close()
            if meta.evicted_through > through:
                through = meta.evicted_through
                flushed_with = meta.last_seq
        return through, flushed_with

    def verify(self):
        for _ in self.records():
            pass
        return self.report
