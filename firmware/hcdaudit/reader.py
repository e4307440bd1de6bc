# Reads every record of a device (format v2), store and NVRAM, and says what it
# found about each seq range. It never raises on bad content: whatever
# authenticates is yielded, whatever does not is a finding with its exact range.
#
# Every entry carries its seq, its epoch and a mac under that epoch's
# integrity key (seal.py), so each record is checked on its own: damage to one
# never condemns its neighbours, and after a damaged entry the reader finds
# the next one that authenticates (resynchronises) instead of giving up.
#
# Verdicts (one per finding):
#   modified     entries that fail authentication where records belong (edited
#                body, seq or length field), a damaged segment header/checkpoint
#   inserted     bytes that fail authentication between two records that follow
#                each other (nothing is missing there: something was added)
#   missing      seqs absent with no audited explanation (deleted records or
#                segments, a head cut beyond the eviction watermark)
#   duplicate    a seq present twice (the copy out of place is the duplicate)
#   reordered    an authentic record out of place, or a segment file under another's name
#   truncated    a segment cut short (its checkpoint is gone), or segments of
#                epochs NVRAM says were closed are gone from the tail
#   forged       authentic only under a LATER epoch's key than its place allows:
#                re-sealed or re-chained by someone holding a newer key
#   foreign      a segment of another device (another device id), never read as ours
#   quarantined  an NVRAM slot damaged outside the slot being written
#   wiped        NVRAM cleared (headers or slots) although the device had run
#   evicted      seqs removed by the store cap, as an audited eviction says (not a fault)
#   torn         the slot being written when power was cut (not a fault: never returned)
#   unaudited    an eviction without its audit record although the device logged on
#   pending      an eviction whose audit record the next boot will write (cut in between)
#   rolled back  NVRAM behind the store or a board counter; (host) seqs an
#                earlier verification saw are gone, or history was replaced
from hcdaudit import catalog, cbor, ccm, kdf, record, seal, segment
from hcdaudit import ring as ring_module

_MERGED = {"duplicate": "seqs already read earlier", "reordered": "seqs out of order",
           "modified": "records fail authentication", "forged": "records authentic only under a later epoch's key",
           "wiped": "NVRAM slots wiped", "quarantined": "NVRAM slots damaged"}
FAULTS = ("modified", "inserted", "missing", "duplicate", "reordered", "truncated", "forged", "foreign",
          "quarantined", "wiped", "unaudited", "rolled back")
_EPOCH_LIMIT = 1 << 24      # no device flushes this often; a claimed epoch above is garbage

# A faster exact record decoder a host HAL may offer (hal/cpython.py): it returns
# record.decode's dict, or cbor.NOT_SURE for anything it cannot prove
# record.decode would return identically; then record.decode decides.
_accelerated = [None]


def use_accelerator(fn):
    """Install (or, with None, remove) the host's exact record decoder; returns the previous one."""
    previous = _accelerated[0]
    _accelerated[0] = fn
    return previous


# A faster exact entry scanner a host HAL may offer (hal/cpython.py), for the
# usual segment (entries of its own epoch that authenticate one after another):
# scan(data, offset, end, epoch, key, max_sealed, name, entries, make, mac_sink)
# appends make(seq, epoch, entry, name, 0) and feeds mac_sink each entry's mac for
# every entry from offset on that _entry_at would accept as of `epoch` (integrity
# key bytes `key`), and stops at the first it cannot prove so; it returns (offset
# reached, last seq taken or None). The exact loop judges whatever it stopped at.
_scanner = [None]

# What verify's default walk (records(bodies=False, decode=False)) needs of a record,
# from a host HAL (hal/cpython.py): make(cipher, max_sealed) gives a checker for one
# walk (cipher: the HAL's Aes under the confidentiality key); check(entry) returns
# (seq field, event code) of the entry's record when it opens (AES-CCM, _open's
# checks) and record_prefix accepts it, or cbor.NOT_SURE (then the reader's own
# _open and record_prefix decide, and make any finding). A checker may also offer
# many(entries, seqs, skip_event): the indices of the entries (framed as the reader
# holds them: _entry_at, the scanner and ring.Ring.read take no other) for which
# check would not give (seqs[i], an event other than skip_event); the walk takes
# the records between whole and judges the ones named from the start.
_checker = [None]


def _int_item(buf, pos):
    """(value, next pos) of the CBOR integer item at pos as cbor.py decodes it (major
    type 0 or 1, the shortest head), or None when there is none."""
    if pos >= len(buf):
        return None
    first = buf[pos]
    major, info = first >> 5, first & 0x1F
    if major > 1 or info > 27:
        return None
    if info < 24:
        n, pos = info, pos + 1
    else:
        width = 1 << (info - 24)
        if pos + 1 + width > len(buf):
            return None
        n = int.from_bytes(buf[pos + 1:pos + 1 + width], "big")
        if n < (24 if width == 1 else 1 << (4 * width)):
            return None         # not the shortest head
        pos += 1 + width
    return (n if major == 0 else -1 - n), pos


def record_prefix(plaintext):
    """(seq field, event code) of a record whose fixed prefix is well formed: a map
    of 5 to 8 entries (record.encode_into's) starting with key 0 and the seq, key 1
    and the time, key 2 and the event code, each an integer item as cbor.py decodes
    it; or None. What verify's default walk checks of a record's content
    (docs/VERIFY.md): the rest is proven by authentication, not decoded."""
    if len(plaintext) < 7 or not 0xA5 <= plaintext[0] <= 0xA8 or plaintext[1] != 0:
        return None
    seq = _int_item(plaintext, 2)
    if seq is None or seq[1] >= len(plaintext) or plaintext[seq[1]] != 1:
        return None
    time = _int_item(plaintext, seq[1] + 1)
    if time is None or time[1] >= len(plaintext) or plaintext[time[1]] != 2:
        return None
    event = _int_item(plaintext, time[1] + 1)
    if event is None:
        return None
    return seq[0], event[0]


def use_scanner(fn):
    """Install (or, with None, remove) the host's exact entry scanner; returns the previous one."""
    previous = _scanner[0]
    _scanner[0] = fn
    return previous


def use_checker(make):
    """Install (or, with None, remove) the host's exact record checker factory; returns the previous one."""
    previous = _checker[0]
    _checker[0] = make
    return previous


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
        self.epoch = None      # the integrity epoch NVRAM holds (None: no valid header)
        self.anchors = ["nvram-epoch"]   # what the tail was checked against
        self.tail_anchored = False       # an anchor outside the device confirmed the newest seq
        self.contents = "decoded"        # or "authenticated": verify's default walk (records(decode=False))

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

    def proven(self):
        """The seq range this verification proves intact from its first verified seq
        (0, 0 when none): up to the first fault after it, else the newest seq."""
        if not self.verified:
            return 0, 0
        first = self.ranges[0][0]
        last = self.last_seq
        for f in self.faults():
            if f.verdict in ("unaudited", "foreign", "wiped") or not f.first_seq:
                continue
            if first <= f.first_seq <= last:
                last = f.first_seq - 1
        return first, max(first - 1, last)

    def as_dict(self):
        first, last = self.proven()
        return {
            "intact": self.intact(), "verified": self.verified, "in_store": self.in_store,
            "in_nvram": self.in_nvram, "first_seq": self.first_seq, "last_seq": self.last_seq,
            "evicted_through": self.evicted_through, "evicted_count": self.evicted_count,
            "ranges": [list(r) for r in self.ranges],
            "findings": [f.as_dict() for f in self.findings],
            "format_version": segment.VERSION, "epoch": self.epoch,
            "proven": {"first_seq": first, "last_seq": last},
            "tail_anchored": self.tail_anchored, "anchors": list(self.anchors),
            "contents": self.contents,
        }


class _Entry:
    """One authentic entry as found: where, and what it says."""
    __slots__ = ("entry", "epoch", "position", "seq", "where")     # (CPython: one made per record)

    def __init__(self, seq, epoch, entry, where, position):
        self.seq = seq
        self.epoch = epoch
        self.entry = entry
        self.where = where          # segment name, or "slot N"
        self.position = position    # 0: read from the store, -1: from NVRAM


class _Segment:
    def __init__(self, name, meta, header_ok):
        self.name = name
        self.meta = meta
        self.header_ok = header_ok
        self.entries = []           # authentic _Entry, file order
        self.bad = []               # (seq before, seq after, claimed seq, bytes) of unreadable stretches
        self.truncated_after = None # last good seq when the checkpoint is gone
        self.forged = False
        self.other_epochs = False   # an entry of another epoch than the header's among entries


class Reader:
    """Reads a device's store (a StoreFs) and NVRAM ring with its master key.
    device_id: the device's UUID (else the all-zero id); integrity_root: epoch
    0's key when provisioning kept it apart; counter: a board monotonic
    counter's value (an anchor for the epoch), or None."""

    def __init__(self, fs, nvram, master_key, slot_count, slot_size, aes, device_id=None, integrity_root=None,
                 counter=None):
        ident = kdf.device_id(device_id)
        keys = kdf.Subkeys(master_key, ident)
        self._ident = ident
        self._root = integrity_root or kdf.integrity_root(master_key, ident)
        self._keys = {0: self._root}
        self._hmacs = {}
        max_plaintext = slot_size - seal.OVERHEAD
        cipher = aes(keys.conf)
        self._sealer = seal.Sealer(cipher, max_plaintext)
        self._cipher = cipher
        self._ccm_open = getattr(cipher, "ccm_open", None)     # a HAL's whole-message CCM, if it has one
        self._max_sealed = slot_size - seal.HEADER_SIZE - seal.MAC_SIZE
        self.fs = fs
        self.slot_count = slot_count
        self.ring = None
        if nvram:
            self.ring = ring_module.Ring(nvram, slot_count, slot_size, self._sealer)
        self.counter = counter
        self.report = Report()
        self._epoch_limit = _EPOCH_LIMIT

    # -- keys: every epoch's from the root, one way forward
    def key_bytes(self, epoch):
        if epoch < 0 or epoch > self._epoch_limit:
            return None
        key = self._keys.get(epoch)
        if key is None:
            # the previous epoch's, as segments ask in turn (a search over every key only when not)
            base = epoch - 1 if epoch - 1 in self._keys else max(e for e in self._keys if e < epoch)
            key = self._keys[base]
            for e in range(base + 1, epoch + 1):
                key = kdf.evolve(key)
            self._keys[epoch] = key
        return key

    def key_for(self, epoch):
        mac = self._hmacs.get(epoch)
        if mac is None:
            key = self.key_bytes(epoch)
            if key is None:
                return None
            mac = self._hmacs[epoch] = kdf.HmacKey(key)
        return mac

    # -- sources
    def _segment_names(self):
        names = []
        for name in self.fs.listdir():
            if segment.first_seq_of(name) is not None or name.endswith(".seg.bad") or \
                    (name.endswith(".bad") and ".seg." in name):
                names.append(name)
        names.sort()
        return names

    def _read_file(self, name):
        f = self.fs.open(name, "rb")
        try:
            return f.read()
        finally:
            f.close()

    def _entry_at(self, data, offset, end, epoch=None, seq_range=None):
        """The authentic entry at offset: (seq, epoch, bytes) or None."""
        if offset + seal.HEADER_SIZE > end:
            return None
        seq, e, _salt, n = seal.parse_header(data, offset)
        if n < ccm.TAG_SIZE or n > self._max_sealed:
            return None
        stop = offset + seal.HEADER_SIZE + n + seal.MAC_SIZE
        if stop > end or (epoch is not None and e != epoch):
            return None
        if seq_range is not None and not seq_range[0] <= seq <= seq_range[1]:
            return None
        key = self.key_for(e)
        if key is None:
            return None
        entry = bytes(data[offset:stop])
        if not seal.verify(key, entry):
            return None
        return seq, e, entry

    def _read_segment(self, name):
        rep = self.report
        data = self._read_file(name)
        size = len(data)
        try:
            meta = segment.Meta(name, data[:segment.HEADER_SIZE])
        except (segment.SegmentError, ValueError) as exc:
            claimed = segment.first_seq_of(name) or 0
            rep.add("modified", claimed, claimed, "%s: unreadable header (%s)" % (name, exc))
            return None
        if meta.ident != self._ident:
            rep.add("foreign", meta.first_seq, meta.last_seq,
                    "%s: a segment of another device (id %s): refused" % (name, _hex(meta.ident)))
            return None
        key = self.key_for(meta.epoch)
        seg = _Segment(name, meta, key is not None and meta.header_ok(key))
        checkpoint = segment.checkpoint_of(data)
        end = size - segment.CHECKPOINT_SIZE if checkpoint else size
        offset = segment.HEADER_SIZE
        prev_seq = meta.first_seq - 1 if seg.header_ok else None
        digest = segment.MacDigest()
        entry_at, keep, add = self._entry_at, seg.entries.append, digest.add     # the loop runs once per record
        scan = _scanner[0]
        scan_key = self.key_bytes(meta.epoch) if scan is not None else None
        while offset < end:
            if scan_key is not None:
                offset, last = scan(data, offset, end, meta.epoch, scan_key, self._max_sealed, name, seg.entries,
                                    _Entry, digest.mac_sink())
                if last is not None:
                    prev_seq = last
                if offset >= end:
                    break
            found = entry_at(data, offset, end)
            if found is not None:
                seq, e, entry = found
                if e != meta.epoch:
                    seg.other_epochs = True
                keep(_Entry(seq, e, entry, name, 0))
                add(entry)
                offset += len(entry)
                prev_seq = seq
                continue
            # Damage: find the next entry that authenticates (same epoch as the
            # segment, a seq the header allows), and account for the bytes between.
            claimed = seal.parse_header(data, offset)[0] if offset + seal.HEADER_SIZE <= end else None
            start = offset
            offset += 1
            nxt = None
            seq_range = (meta.first_seq, meta.last_seq) if seg.header_ok else None
            while offset + seal.OVERHEAD <= end:
                nxt = self._entry_at(data, offset, end, meta.epoch if seg.header_ok else None, seq_range)
                if nxt is not None:
                    break
                offset += 1
            if nxt is None:
                offset = end
                if checkpoint is None:
                    break       # the stub of the entry a cut ended in: part of the truncation
            seg.bad.append((prev_seq, nxt[0] if nxt else None, claimed, offset - start))
        rep.in_store += len(seg.entries)
        if not seg.header_ok:
            rep.add("modified", meta.first_seq, meta.last_seq,
                    "%s: segment header fails its mac (its records are checked one by one)" % name)
        if checkpoint is None:
            last_good = seg.entries[-1].seq if seg.entries else meta.first_seq - 1
            seg.truncated_after = last_good
        elif seg.header_ok and not seg.bad and not seg.other_epochs:
            # Every record in place (the seqs compared only on a mismatch: the usual
            # checkpoint matches): only then does a checkpoint mismatch say something
            # the records do not (one replaced by another authentic one).
            head, mac = checkpoint
            if (not kdf.equal(mac, segment.checkpoint_mac(key, meta.header, head, digest.digest())) or
                    (seg.entries and seg.entries[-1].entry[-seal.MAC_SIZE:] != head)) and \
                    [e.seq for e in seg.entries] == list(range(meta.first_seq, meta.last_seq + 1)):
                rep.add("modified", meta.first_seq, meta.last_seq,
                        "%s: checkpoint does not cover these entries (a record replaced by another "
                        "authentic one?)" % name)
        return seg

    def _read_ring(self):
        """NVRAM: the header's epoch (checked against the escrow), and every slot."""
        rep = self.report
        if self.ring is None:
            return None, []
        good = []
        bad = []
        for copy in (0, 1):
            header, problem = self.ring.read_copy(copy)
            if problem:
                bad.append(copy)
                continue
            if header is None:
                continue
            if header.ident != self._ident or header.key != self.key_bytes(header.epoch):
                rep.add("modified", 0, 0, "NVRAM header copy %s holds a key that is not epoch %d's of this "
                        "device" % ("AB"[copy], header.epoch))
                continue
            good.append(header)
        epoch = max([h.epoch for h in good]) if good else None
        for copy in bad:
            verdict = "torn" if good and len(bad) == 1 else "quarantined"
            rep.add(verdict, 0, 0, "NVRAM header copy %s fails its MAC" % "AB"[copy])
        if epoch is not None:
            self._epoch_limit = epoch + 64     # room to see a store that ran ahead of a restored NVRAM
        slots = self.ring.scan(self.key_for)
        return epoch, slots

    # -- the walk
    def records(self, bodies=True, decode=True):
        """Yield every authentic record (decoded dict, with "chain": its mac) in seq
        order; fill self.report. bodies=False (verify): the same walk, only
        {"seq", "chain", "epoch"} yielded; with decode=True every record decoded
        exactly as record.decode decodes it (an authentic record that does not is
        `modified`), with decode=False (verify's default, docs/VERIFY.md) every
        record authenticated and opened, its fixed prefix checked (record_prefix:
        seq equal to the entry's, time, event code) and only what a verdict needs
        decoded in full: eviction records, and any record whose prefix is refused."""
        if bodies:
            return self._walk(True, decode)
        return self._chains(decode)

    def _chains(self, decode):
        mac_size = seal.MAC_SIZE
        for item in self._walk(False, decode):
            yield {"seq": item.seq, "chain": item.entry[-mac_size:], "epoch": item.epoch}

    def runs(self, decode=False):
        """records(bodies=False, decode)'s walk, yielding lists of the records' entries
        (objects with .seq, .epoch and .entry, whose last seal.MAC_SIZE bytes are the
        chain), in seq order, instead of a dict per record: for a caller that keeps
        next to nothing of each record (verify). A list holds one record, or a run
        the host's checker proved whole."""
        return self._walk(False, decode, True)

    def _walk(self, bodies, decode, runs=False):
        rep = self.report
        decoded = bodies or decode
        check = None
        if not decoded and _checker[0] is not None:
            check = _checker[0](self._cipher, self._max_sealed)
        nv_epoch, slots = self._read_ring()
        rep.epoch = nv_epoch
        segments = []
        for name in self._segment_names():
            seg = self._read_segment(name)
            if seg is not None:
                segments.append(seg)
        # Segment files in the order their authentic contents say (a file's name is not evidence).
        segments.sort(key=lambda s: (s.entries[0].seq if s.entries else s.meta.first_seq, s.name))
        stream = []
        for seg in segments:
            stream.extend(seg.entries)
        chosen, duplicates, displaced = self._order(stream)
        if chosen is stream:
            store_last = stream[-1].seq if stream else 0      # (all in order: the last is the newest)
        else:
            store_last = max([e.seq for e in stream] + [0])
        by_seq = {item.seq: item for item in chosen}
        for item in duplicates:
            rep.add("duplicate", item.seq, item.seq, "seq %d read again in %s" % (item.seq, item.where))
        dup_set = set(duplicates)
        for seg in segments:
            claimed = segment.first_seq_of(seg.name)
            first = seg.entries[0].seq if seg.entries else None
            dup = [e for e in seg.entries if e in dup_set] if dup_set else ()
            if claimed is not None and first is not None and seg.header_ok and claimed != seg.meta.first_seq \
                    and len(dup) < len(seg.entries):
                rep.add("reordered", seg.meta.first_seq, seg.meta.last_seq, "%s holds seqs %d-%d (file moved or "
                        "renamed)" % (seg.name, seg.meta.first_seq, seg.meta.last_seq))
        # NVRAM: records the store lacks (not yet flushed, or a store copy gone).
        ring_items = self._ring_findings(slots, store_last, nv_epoch, by_seq)
        for item in ring_items:
            by_seq[item.seq] = item
            rep.in_nvram += 1
        forged = self._forged(segments, by_seq, nv_epoch)
        watermark, flushed_with = self._watermark(segments, forged)
        rep.evicted_through = watermark
        self._damage(segments, by_seq)
        displaced.sort(key=lambda e: e.seq)
        for item in displaced:
            if item.seq in by_seq and by_seq[item.seq] is item and not rep.covered(item.seq, item.seq,
                                                                                 ("reordered",)):
                rep.add("reordered", item.seq, item.seq, "seq %d stored out of place in %s" % (item.seq, item.where))
        self._tail(segments, by_seq, nv_epoch, slots)
        # Eviction records in the chain also say how far eviction went: gaps are
        # judged once every record was read (one record decoded at a time).
        eviction_code = catalog.event_code("audit_eviction")
        through_item = catalog.item_code("evicted_through")
        logged_through = 0
        gaps = []
        prev = 0
        ranges = rep.ranges
        rep.contents = "decoded" if decoded else "authenticated"
        not_sure = cbor.NOT_SURE        # (locals: the loop runs once per record)
        walk_seqs = list(by_seq)
        if forged:
            walk_seqs = [seq for seq in walk_seqs if seq not in forged]
        if walk_seqs != sorted(walk_seqs):
            walk_seqs.sort()
            walked = [by_seq[seq] for seq in walk_seqs]
        else:       # (the usual store: by_seq filled in seq order)
            walked = list(by_seq.values()) if not forged else [by_seq[seq] for seq in walk_seqs]
        count = len(walked)
        many = getattr(check, "many", None) if check is not None else None
        bounds = None
        if many is not None:
            # The host's checker takes every record at once and names the ones it does not
            # prove (hal/cpython.py); the runs between are taken whole, the rest one by one.
            # (Every entry here is framed: from _entry_at, the scanner or ring.Ring.read.)
            bounds = many([item.entry for item in walked], walk_seqs, eviction_code)
            bounds.append(count)
        bound = 0
        index = 0
        while index < count:
            if bounds is not None:
                stop = bounds[bound]
                bound += 1
                if stop > index:
                    # Records proven: authentic, open, prefix as record_prefix reads it, the
                    # entry's seq, not an eviction: what the loop below does for each, per run.
                    run = walked[index:stop]
                    prev = self._note_run(run, gaps)
                    if runs:
                        yield run
                    else:
                        yield from run
                    index = stop
                    if index >= count:
                        break
            item = walked[index]
            index += 1
            seq = item.seq
            if bodies:
                body = self._decode(seq, item)
                if body is None:
                    continue
                event, items = body["event"], body["items"]
                body["chain"] = item.entry[-seal.MAC_SIZE:]
                body["epoch"] = item.epoch
            else:
                # (with many(), a record it named: judged here from the start)
                found = check(item.entry) if check is not None and bounds is None else not_sure
                if found is not_sure and not decoded:
                    plaintext = self._open(seq, item)
                    if plaintext is None:
                        continue
                    found = record_prefix(plaintext)
                if decoded or found is None or found[0] != seq or found[1] == eviction_code:
                    found = self._check(seq, item)      # the content a verdict needs: decoded in full
                    if found is None:
                        continue
                    event, items = found[1], found[2]
                else:
                    event = found[1]
                body = item
            if event == eviction_code:
                logged_through = max(logged_through, items.get(through_item) or 0)
            if seq > prev + 1:
                gaps.append((prev + 1, seq - 1))
            prev = seq
            if rep.first_seq == 0:
                rep.first_seq = seq
            rep.last_seq = seq
            if ranges and ranges[-1][1] == seq - 1:
                ranges[-1][1] = seq     # _note_verified's usual case, inline: this runs once per record
                rep.verified += 1
            else:
                rep._note_verified(seq)
            yield [body] if runs else body
        if logged_through > watermark:
            watermark = rep.evicted_through = logged_through
        eviction_audited = watermark == 0 or logged_through == watermark
        head = True
        for first, last in gaps:
            if first <= watermark:
                through = min(last, watermark)
                rep.evicted_count += through - first + 1
                rep.add("evicted", first, through, "removed by the store cap (audited eviction)")
                first = through + 1
            if first <= last:
                self._gap(first, last, head and first == watermark + 1)
            head = False
        if not eviction_audited:
            if rep.last_seq > flushed_with:
                rep.add("unaudited", 1, watermark, "eviction through seq %d has no audit record" % watermark)
            else:
                rep.add("pending", 1, watermark,
                        "eviction through seq %d: its audit record is written at the next boot" % watermark)
        if self.counter is not None:
            rep.anchors.append("board-counter")
            if nv_epoch is not None and self.counter > nv_epoch:
                rep.add("rolled back", rep.last_seq + 1, rep.last_seq + 1,
                        "the board's monotonic counter says epoch %d was reached, NVRAM holds epoch %d: memory "
                        "restored to an earlier state; records after seq %d may be gone"
                        % (self.counter, nv_epoch, rep.last_seq))
            elif nv_epoch is not None:
                rep.tail_anchored = True
        rep.findings.sort(key=lambda f: (f.first_seq, f.last_seq, f.verdict))    # (MicroPython sorts unstably)

    def _order(self, stream):
        """Split the store's authentic entries, in read order, into the ones in place
        (a longest increasing run of seqs), duplicates (a seq already in place)
        and displaced ones (authentic, out of order)."""
        n = len(stream)
        if not n:
            return [], [], []
        previous = 0
        for item in stream:
            if item.seq <= previous:
                break
            previous = item.seq
        else:
            return stream, [], []       # all in order (the usual store): every entry in place
        # Longest strictly increasing subsequence (patience sorting), O(n log n).
        tails = []
        tail_idx = []
        parent = [-1] * n
        for i in range(n):
            s = stream[i].seq
            lo, hi = 0, len(tails)
            while lo < hi:
                mid = (lo + hi) // 2
                if tails[mid] < s:
                    lo = mid + 1
                else:
                    hi = mid
            if lo < len(tails) and tails[lo] == s:
                continue        # the same seq again: the first copy keeps its place
            if lo == len(tails):
                tails.append(s)
                tail_idx.append(i)
            else:
                tails[lo] = s
                tail_idx[lo] = i
            parent[i] = tail_idx[lo - 1] if lo else -1
        keep = [False] * n
        i = tail_idx[-1]
        while i >= 0:
            keep[i] = True
            i = parent[i]
        in_place = {stream[i].seq for i in range(n) if keep[i]}
        chosen, duplicates, displaced = [], [], []
        placed = set()
        for i in range(n):
            item = stream[i]
            if keep[i]:
                chosen.append(item)
            elif item.seq in in_place or item.seq in placed:
                duplicates.append(item)
            else:
                # Out of place: exported all the same (it authenticates).
                placed.add(item.seq)
                chosen.append(item)
                displaced.append(item)
                # Two consecutive seqs swapped: both are out of place.
                for j in (i - 1, i + 1):
                    if 0 <= j < n and keep[j]:
                        other = stream[j]
                        if (j < i and other.seq == item.seq + 1) or (j > i and other.seq == item.seq - 1):
                            displaced.append(other)
        return chosen, duplicates, displaced

    def _ring_findings(self, slots, store_last, nv_epoch, by_seq):
        """Authentic NVRAM records the store lacks; damaged or wiped slots."""
        rep = self.report
        valid = [s for s in slots if s.state == ring_module.VALID]
        newest = max([s.seq for s in valid] + [store_last])
        torn_index = (newest + 1) % self.slot_count
        items = []
        for s in valid:
            if s.seq not in by_seq and s.verified:
                items.append(_Entry(s.seq, s.epoch, s.entry, "slot %d" % s.index, -1))
        items.sort(key=lambda e: e.seq)
        wrapped = newest >= self.slot_count
        base = max(store_last, newest - self.slot_count)
        wiped = []
        for s in slots:
            if s.state == ring_module.INVALID:
                seq = _slot_seq(s.index, self.slot_count, base)
                if s.index == torn_index and self._torn(s, seq, by_seq):
                    rep.add("torn", seq, seq, "slot %d: write cut by power loss (never returned)" % s.index)
                else:
                    rep.add("quarantined", seq, seq, "slot %d: %s" % (s.index, s.reason))
            elif s.state == ring_module.EMPTY and wrapped:
                wiped.append(_slot_seq(s.index, self.slot_count, store_last))
        wiped.sort()
        top = max([s.seq for s in valid if s.seq > store_last] + [store_last])
        tail = [q for q in wiped if q > top]
        run = 0        # emptied slots right after the newest record: a tail wiped
        while run < len(tail) and tail[run] == top + 1 + run and top + 1 + run - store_last < self.slot_count:
            run += 1
        if run:
            rep.add("wiped", top + 1, top + run,
                    "NVRAM slots emptied although the ring has wrapped: up to %d records after seq %d removed "
                    "(the device alone cannot say how many were logged)" % (run, top))
        for seq in wiped:
            if seq <= top:
                rep.add("wiped", seq, seq, "slot %d emptied: the unflushed record it held is gone"
                        % (seq % self.slot_count))
        for seq in tail[run:]:
            copy = seq - self.slot_count
            rep.add("wiped", copy, copy, "slot %d emptied: it held the NVRAM copy of seq %d (still in the store)"
                    % (seq % self.slot_count, copy))
        if self.ring is not None and rep.epoch is None and (store_last or valid):
            blank = self.ring.headers_blank()
            rep.add("wiped", store_last + 1, store_last + 1,
                    "NVRAM headers %s although the device has records: its epoch key is gone; records after seq "
                    "%d may have been removed" % ("wiped" if blank else "lost", newest))
        return items

    def _torn(self, slot, seq, by_seq):
        """Whether an invalid slot is a write a power cut stopped: it ends in what the
        slot held before (the entry of seq - slot_count), since a cut lands only a
        prefix. A complete entry with a byte changed is damage, not a cut."""
        entry = slot.entry
        if entry is None:
            return True         # the length field itself was being written
        n = len(entry)
        if seq <= self.slot_count:
            before = bytes(n)   # the slot had never been written
        else:
            old = by_seq.get(seq - self.slot_count)
            if old is None or len(old.entry) < n:
                return True     # what the slot held before is unknown: assume the cut
            before = old.entry
        return entry[n - 2:n] == before[n - 2:n]

    def _forged(self, segments, by_seq, nv_epoch):
        """Records authentic only under a later epoch's key than their place allows.
        Epochs never go down with seq, and rise by at most one from a record to the next."""
        rep = self.report
        forged = set()
        for seg in segments:
            if not seg.header_ok or not seg.other_epochs:
                continue        # (every entry of the header's epoch: none forged here)
            for item in seg.entries:
                if item.epoch != seg.meta.epoch and by_seq.get(item.seq) is item:
                    forged.add(item.seq)
        # The usual store (by_seq filled in seq order, epochs never down, none skipped, none
        # past NVRAM's) is told by whole-list operations; any other takes the loops below.
        all_epochs = [item.epoch for item in by_seq.values()]
        newest = max(all_epochs) if all_epochs else -1
        if nv_epoch is None or newest <= nv_epoch:
            self._top_epoch = newest
        else:
            self._top_epoch = max([e for e in all_epochs if e <= nv_epoch] + [-1])
        seqs = list(by_seq) if not forged else [s for s in by_seq if s not in forged]
        epochs = all_epochs if not forged else [by_seq[s].epoch for s in seqs]
        if seqs != sorted(seqs):
            seqs = sorted(seqs)
            epochs = [by_seq[s].epoch for s in seqs]
        distinct = sorted(set(epochs))
        usual = epochs == sorted(epochs) and (not distinct or distinct[-1] - distinct[0] == len(distinct) - 1)
        low = None
        for i in range(len(seqs) - 1, -1, -1) if not usual else ():
            e = epochs[i]   # an epoch above a later record's epoch was made with a newer key
            if low is not None and e > low:
                forged.add(seqs[i])
            else:
                low = e         # (e <= low: the lowest epoch so far)
        if forged:
            seqs = [s for s in seqs if s not in forged]
            epochs = [by_seq[s].epoch for s in seqs]
        # (epochs never down with seq and their values without a hole: no step above one)
        for i in range(1, len(seqs)) if not usual else ():
            a, b = seqs[i - 1], seqs[i]
            if b == a + 1 and epochs[i] > epochs[i - 1] + 1:
                # Epochs skipped with no record missing: what holds b was made
                # with a key the device held only later.
                e, where = by_seq[b].epoch, by_seq[b].where
                for s in seqs[i:]:
                    if by_seq[s].epoch != e or by_seq[s].where != where:
                        break
                    forged.add(s)
        ahead = []
        if nv_epoch is not None and newest > nv_epoch:
            ahead = [s for s in seqs if by_seq[s].epoch > nv_epoch]
        for first, last in _runs(ahead):
            rep.add("rolled back", first, last, "seqs %d-%d were sealed in epoch %d-%d but NVRAM holds epoch %d: "
                    "NVRAM restored to an earlier state (or these records made with a key derived past it)"
                    % (first, last, by_seq[first].epoch, by_seq[last].epoch, nv_epoch))
            for q in range(first, last + 1):
                forged.add(q)
        ahead = set(ahead)
        for seq in sorted(forged):
            if seq in ahead:
                by_seq.pop(seq)
                continue
            item = by_seq.pop(seq)
            rep.add("forged", seq, seq, "seq %d in %s is authentic only under epoch %d's key, later than its "
                    "place allows: re-sealed with a newer key" % (seq, item.where, item.epoch))
        for seg in segments:
            if seg.header_ok and seg.entries and all(e.seq in forged for e in seg.entries):
                seg.forged = True
        return forged

    def _watermark(self, segments, forged):
        """The highest eviction watermark over authentic segment headers, and the
        last seq of the segment that first carried it."""
        through = flushed_with = 0
        for seg in segments:
            if not seg.header_ok or seg.forged:
                continue
            m = seg.meta
            w = max(m.watermark, m.evicted_through)
            if w > through or (w == through and w and m.evicted_through == w and flushed_with > m.last_seq):
                through = w
                flushed_with = m.last_seq
        return through, flushed_with

    def _damage(self, segments, by_seq):
        rep = self.report
        for seg in segments:
            m = seg.meta
            for before, after, claimed, nbytes in seg.bad:
                lo = (before + 1) if before is not None else (m.first_seq if seg.header_ok else None)
                hi = (after - 1) if after is not None else (m.last_seq if seg.header_ok else None)
                if lo is None or hi is None:
                    rep.add("modified", claimed or 0, claimed or 0,
                            "%s: %d bytes that do not authenticate" % (seg.name, nbytes))
                    continue
                absent = [s for s in range(lo, hi + 1) if s not in by_seq]
                if hi < lo or not absent:
                    where = ("between seq %d and %d" % (lo - 1, hi + 1)) if hi < lo else "beside records read"
                    rep.add("inserted", claimed if claimed is not None else lo, claimed if claimed is not None else lo,
                            "%s: %d bytes that do not authenticate %s (added, nothing is missing there)"
                            % (seg.name, nbytes, where))
                    continue
                for first, last in _runs(absent):
                    rep.add("modified", first, last, "%s: %s fail authentication (edited record: body, seq or "
                            "length field)" % (seg.name, "seq %d" % first if first == last else
                                               "seqs %d-%d" % (first, last)))
            if seg.truncated_after is not None and seg.header_ok and seg.truncated_after < m.last_seq:
                rep.add("truncated", seg.truncated_after + 1, m.last_seq,
                        "%s: ends after seq %d of %d-%d (checkpoint gone)"
                        % (seg.name, seg.truncated_after, m.first_seq, m.last_seq))
            elif seg.truncated_after is not None:
                rep.add("truncated", m.first_seq, m.last_seq, "%s: checkpoint gone" % seg.name)

    def _tail(self, segments, by_seq, nv_epoch, slots):
        """What NVRAM's epoch says about the newest segments."""
        rep = self.report
        if nv_epoch is None:
            return
        top = -1
        for seg in segments:
            if seg.header_ok and not seg.forged:
                top = max(top, seg.meta.epoch)
        top = max(top, self._top_epoch)
        if top > nv_epoch:
            rep.add("rolled back", 0, 0, "NVRAM holds epoch %d, the store reached epoch %d: NVRAM restored to an "
                    "earlier state" % (nv_epoch, top))
        elif nv_epoch > top + 1:
            last = max(by_seq) if by_seq else 0
            lost = nv_epoch - top - 1
            rep.add("truncated", last + 1, last + lost,
                    "NVRAM is at epoch %d but the newest record is of epoch %d: the segments of %d closed "
                    "epoch(s), at least %d record(s) after seq %d, are gone" % (nv_epoch, top, lost, lost, last))

    def _open_native(self, entry):
        """The plaintext through the HAL's whole-message CCM, for a well-formed
        entry that opens (the nonce and AAD Sealer._bind makes, from the entry's
        own header); None for anything else, which the Sealer then judges."""
        seq_epoch_salt = entry[:seal.HEADER_SIZE - 2]
        n = seal.parse_header(entry)[3]
        if seal.HEADER_SIZE + n + seal.MAC_SIZE != len(entry) or n < ccm.TAG_SIZE or n > self._max_sealed:
            return None
        # nonce (epoch, salt, seq); AAD (seq, epoch, salt): the header's first 12 bytes
        return self._ccm_open(seq_epoch_salt[4:] + seq_epoch_salt[:4], seq_epoch_salt,
                              entry[seal.HEADER_SIZE:seal.HEADER_SIZE + n])

    def _open(self, seq, item):
        """The record's plaintext, or None with the finding made."""
        plaintext = self._open_native(item.entry) if self._ccm_open is not None else None
        if plaintext is None:
            try:
                plaintext = self._sealer.open_entry(item.entry)
            except (ccm.AuthError, ValueError):
                self.report.add("modified", seq, seq, "seq %d: authentic mac but the record does not decrypt" % seq)
                return None
        return plaintext

    def _check(self, seq, item):
        """(seq field, event, items) of the record as _decode decodes it, or None
        with the finding made: what verify needs of a record the host's checker
        was not sure of (or with no checker)."""
        body = self._decode(seq, item)
        if body is None:
            return None
        return body["seq"], body["event"], body["items"]

    def _decode(self, seq, item):
        plaintext = self._open(seq, item)
        if plaintext is None:
            return None
        return self._body(seq, plaintext)

    def _body(self, seq, plaintext):
        fast = _accelerated[0]
        body = fast(plaintext) if fast is not None else cbor.NOT_SURE
        if body is cbor.NOT_SURE:
            try:
                body = record.decode(plaintext)
            except record.RecordError as exc:
                self.report.add("modified", seq, seq, str(exc))
                return None
        if body["seq"] != seq:      # the content must be the record its authentic entry names
            self.report.add("modified", seq, seq, "seq %d: the record inside says seq %d" % (seq, body["seq"]))
            return None
        return body

    def _note_run(self, run, gaps):
        """The walk's bookkeeping (gaps, first and last seq, ranges, count) for a run of
        verified entries in ascending seq order, above every seq noted before, as
        the walk's loop does it entry by entry; returns the last seq."""
        rep = self.report
        ranges = rep.ranges
        start = 0
        n = len(run)
        while start < n:
            first = run[start].seq
            stop = n
            if run[n - 1].seq - first != n - 1 - start:
                # Seqs missing inside the run (rare): its contiguous pieces in turn.
                stop = start + 1
                while stop < n and run[stop].seq == run[stop - 1].seq + 1:
                    stop += 1
            last = run[stop - 1].seq
            if first > rep.last_seq + 1:
                gaps.append((rep.last_seq + 1, first - 1))
            if rep.first_seq == 0:
                rep.first_seq = first
            rep.last_seq = last
            if ranges and ranges[-1][1] == first - 1:
                ranges[-1][1] = last
                rep.verified += stop - start
            else:
                rep._note_verified(first)       # (above every seq before: a new range at the end)
                ranges[-1][1] = last
                rep.verified += stop - start - 1
            start = stop
        return rep.last_seq

    def _gap(self, first, last, at_head):
        rep = self.report
        explained = ("truncated", "modified", "quarantined", "forged", "wiped", "torn")
        if rep.covered(first, last, explained):
            return
        missing = [s for s in range(first, last + 1) if not rep.covered(s, s, explained)]
        for a, b in _runs(missing):
            if at_head and rep.evicted_through and a == rep.evicted_through + 1:
                rep.add("missing", a, b, "%d records absent before the oldest kept record: head cut beyond the "
                        "eviction watermark %d" % (b - a + 1, rep.evicted_through))
            else:
                rep.add("missing", a, b, "%d records absent" % (b - a + 1))

    def verify(self, decode=False):
        for _ in self.runs(decode):
            pass
        return self.report


def _runs(seqs):
    runs = []
    for s in seqs:
        if runs and runs[-1][1] == s - 1:
            runs[-1][1] = s
        else:
            runs.append([s, s])
    return [(a, b) for a, b in runs]


def _slot_seq(index, slot_count, above):
    """The smallest seq above `above` that lives in slot `index`."""
    seq = above + 1 + ((index - (above + 1)) % slot_count)
    return seq


def _hex(b):
    return "".join("%02x" % x for x in b)
