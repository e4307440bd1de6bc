# The device's audit log: boot recovery, log(), flush(), shutdown().
#
# log() is the only synchronous path: validate, encode, seal, write one NVRAM
# slot, return. When the ring holds `slot_count` unflushed records they are
# re-sealed under the store key into one segment. Everything that boot needs
# is derived from what is durable: the store's newest segment says what has
# been flushed, the ring's valid slots say what has not.
import gc

from hcdaudit import catalog, cbor, chain, kdf, record, seal, segment, text
from hcdaudit import ring as ring_module
from hcdaudit.store import Store, StoreError


class AuditError(Exception):
    pass


class _SlotChanged(Exception):
    pass


class BootReport:
    def __init__(self):
        self.boot = 0
        self.last_durable_seq = 0
        self.actions = []
        self.quarantined = []

    def as_dict(self):
        return {"boot": self.boot, "last_durable_seq": self.last_durable_seq,
                "actions": list(self.actions), "quarantined": list(self.quarantined)}


class _RingScan:
    """What boot needs from the ring, read one slot at a time so that no more
    than one record is held: the highest boot and seq of the valid slots, the
    unflushed seqs (above the store's last) in order, the chain link after the
    newest, the invalid slots, and whether the eviction record of the newest
    segment's flush is among the unflushed records."""

    def __init__(self, ring, mac, store_last, evicted_through):
        self.boot = self.last = 0
        self.fresh = []
        self.invalid = []
        self.link_after = None
        self.eviction_logged = False
        newest = None
        if evicted_through:
            code = catalog.event_code("audit_eviction")
            item = catalog.item_code("evicted_through")
        for i in range(ring.slot_count):
            s = ring.read(i)
            if s.state == ring_module.INVALID:
                self.invalid.append((s.index, s.seq, s.reason))
            if s.state != ring_module.VALID:
                continue
            self.boot = max(self.boot, s.boot)
            if s.seq > self.last:
                self.last = s.seq
            if s.seq <= store_last:
                continue
            self.fresh.append(s.seq)
            if newest is None or s.seq > newest.seq:
                newest = s
            if evicted_through and not self.eviction_logged:
                body = record.decode(s.plaintext)
                self.eviction_logged = body["event"] == code and body["items"].get(item) == evicted_through
        self.fresh.sort()
        if newest is not None:
            self.link_after = ring_module.link_after(mac, newest)


class AuditLog:
    def __init__(self, board, master_key):
        keys = kdf.Subkeys(master_key)
        self.board = board
        self._mac = keys.mac
        max_plaintext = board.slot_size - ring_module.SLOT_HEADER_SIZE - seal.OVERHEAD
        self._nvram_sealer = seal.Sealer(board.aes(keys.nvram), max_plaintext)
        # A record is opened under one key, then sealed under the other: never at once.
        self._store_sealer = seal.Sealer(board.aes(keys.store), max_plaintext, self._nvram_sealer)
        self.ring = ring_module.Ring(board.nvram, board.slot_count, board.slot_size,
                                     self._nvram_sealer, keys.mac)
        self.store = Store(board.fs, board.store_cap, keys.mac, self.ring.max_sealed, board.slot_count)
        # Preallocated for log(): the record encoder and the sealed bytes.
        self._writer = cbor.Writer(max_plaintext)
        self._sealed = bytearray(max_plaintext + seal.OVERHEAD)
        self._sealed_view = memoryview(self._sealed)
        self.slot_count = board.slot_count
        self.boot_count = 0
        self.salt = 0
        self.next_seq = 1
        self.logged = 0            # records logged by this boot
        self.evicted = 0           # records evicted by this boot
        self.flush_error = None    # why the last flush failed, if it did
        self._link = chain.GENESIS
        self._unflushed = []       # seqs in the ring not yet in the store, ascending
        self.boot_report = None

    @property
    def in_nvram(self):
        return len(self._unflushed)

    @property
    def store_sealer(self):
        """Opens records read back from the store (the syslog backlog reads by seq)."""
        return self._store_sealer

    @property
    def mac_key(self):
        return self._mac

    # -- boot
    def boot(self, reason="power-on"):
        rep = BootReport()
        best, bad_copies = self.ring.read_header()
        if best and len(bad_copies) == 1:
            # Copies are written alternately: one bad copy beside a good one is a cut header write.
            rep.actions.append("discarded torn write of NVRAM header copy %s" % "AB"[bad_copies[0]])
        else:
            for copy in bad_copies:
                rep.quarantined.append("NVRAM header copy %s" % "AB"[copy])
        actions, bad_segments = self.store.open()
        rep.actions.extend(actions)
        rep.quarantined.extend(bad_segments)
        newest = self.store.newest
        store_last = self.store.last_seq
        scan = _RingScan(self.ring, self._mac, store_last, newest.evicted_through if newest else 0)

        # The boot counter never goes below an epoch already used, even if the
        # header was lost: the RSID of RFC 5848 must not repeat.
        boot = best[1] if best else 0
        boot = max(boot, scan.boot)
        if newest:
            boot = max(boot, newest.boot)
        self.boot_count = boot + 1
        self.ring.write_header(best[0] + 1 if best else 1, self.boot_count, 1 - best[2] if best else 0)
        self.salt = int.from_bytes(self.board.random(4), "big")
        rep.boot = self.boot_count

        last = max(store_last, scan.last)
        rep.last_durable_seq = last
        torn_index = (last + 1) % self.slot_count
        for index, seq, why in scan.invalid:
            if index == torn_index:
                rep.actions.append("discarded torn write in slot %d" % index)
            else:
                rep.quarantined.append("slot %d seq %d: %s" % (index, seq, why))
        if rep.quarantined and last < store_last + self.slot_count:
            # A damaged ring may have held records up to store_last + slot_count:
            # skip them all, so no seq is ever issued twice.
            rep.actions.append("ring damaged: seqs %d-%d skipped so that none is reused"
                               % (last + 1, store_last + self.slot_count))
            last = store_last + self.slot_count
        self._unflushed = scan.fresh
        if scan.fresh and scan.fresh[-1] == last:
            self._link = scan.link_after
        elif newest and store_last == last:
            self._link = newest.head
        else:
            self._link = chain.GENESIS   # after a gap the link cannot be known: readers see the gap
        self.next_seq = last + 1

        pending_eviction = self._unfinished_eviction(scan.eviction_logged, rep)
        del scan
        if self._unflushed and self.next_seq - 1 - self.store.last_seq >= self.slot_count:
            self._flush()
            rep.actions.append("completed interrupted flush")
        if pending_eviction:
            self._log_eviction(pending_eviction)
            rep.actions.append("logged the eviction record the power cut interrupted")
        self.boot_report = rep
        self.log("audit_start", boot=self.boot_count, reason=reason)
        if rep.actions or rep.quarantined:
            self.log("audit_recovery", last_durable_seq=rep.last_durable_seq,
                     actions="; ".join(rep.actions) or "none",
                     quarantined="; ".join(rep.quarantined) or "none")
        # Reading the store and the ring left their garbage all over the free
        # heap: collect it now, so what is allocated next and kept (the
        # sender's buffers) fills the holes low down instead of splitting the
        # free space that big buffers need.
        gc.collect()
        return rep

    def _unfinished_eviction(self, eviction_logged, rep):
        """A flush renames its segment, removes the evicted ones, then logs the
        eviction record; a power cut can stop it between. Finish what is left."""
        newest = self.store.newest
        if newest is None:
            return None
        through = newest.evicted_through
        if not through:
            return None
        stale = self.store.stale(through)
        if stale:
            self.store.remove_oldest(stale)
            rep.actions.append("completed eviction through seq %d" % through)
        if eviction_logged:
            return None
        return (newest.evicted_first, through, newest.evicted_count)

    # -- logging
    def log(self, event, subject=None, outcome=None, interface=None, remote_host=None, **items):
        """Record one audit event. Returns its seq once the sealed record is in NVRAM."""
        if not self.boot_count:
            raise AuditError("log() before boot()")
        code, outcome_code, subject_list, items_map = catalog.prepare(
            event, subject, outcome, interface, remote_host, items)
        if interface is not None:
            interface = text.truncate(interface, record.LIMITS["interface"])
        if remote_host is not None:
            remote_host = text.truncate(remote_host, record.LIMITS["remote_host"])
        return self._append(code, outcome_code, subject_list, interface, remote_host, items_map)

    def _append(self, code, outcome_code, subject_list, interface, remote_host, items_map):
        seq = self.next_seq
        if self._unflushed and seq - self._unflushed[0] >= self.slot_count:
            # The slot is still needed: the last flush failed. Retry, or refuse
            # this record with an error rather than overwrite an unflushed one.
            self._flush()
        try:
            plaintext = record.encode_into(self._writer, seq, self.board.now_us(), code, outcome_code,
                                           subject_list, interface, remote_host, items_map)
        except cbor.CBORError:
            raise record.RecordError("event %d: record exceeds the %d-byte slot" % (code, self.ring.max_plaintext))
        link = self._link
        n = self._nvram_sealer.seal_into(self.boot_count, self.salt, seq, link, plaintext, self._sealed)
        self.ring.write(seq, self.boot_count, self.salt, link, self._sealed_view[:n])
        # Durable from here on.
        self._link = chain.next_link(self._mac, link, seq, plaintext)
        self.next_seq = seq + 1
        self._unflushed.append(seq)
        self.logged += 1
        if seq - self.store.last_seq >= self.slot_count:
            try:
                self._flush()
            except (OSError, StoreError) as exc:
                self.flush_error = str(exc)   # the record is safe in NVRAM; retried before its slot is reused
        return seq

    # -- flushing
    def flush(self):
        """Orderly flush (shutdown, export): move every unflushed record to the store."""
        if self._unflushed:
            self._flush()

    def shutdown(self, reason="shutdown"):
        self.log("audit_stop", reason=reason)
        self.flush()

    def _flush(self):
        while self._unflushed:
            try:
                self._write_segment()
                self.flush_error = None
                return
            except _SlotChanged as exc:
                # A slot no longer authenticates (damaged since boot): leave it out,
                # the chain break shows the loss to every reader.
                self._unflushed.remove(exc.args[0])

    def _write_segment(self):
        seqs = self._unflushed
        if self.ring.open_into(seqs[0], self._writer.buf) < 0:
            raise _SlotChanged(seqs[0])
        evict, evicted = self.store.plan_eviction(len(seqs))
        header = segment.pack_header(len(seqs), seqs[0], seqs[-1], self.boot_count, self.salt,
                                     evicted, self.ring.opened_link())
        self.store.write(header, self._resealed(seqs), self._link)
        self._unflushed = []
        if evict:
            self.store.remove_oldest(evict)
            self.evicted += evicted[2]
            self._log_eviction(evicted)

    def _resealed(self, seqs):
        # Each record is opened into the encoder's buffer: a flush never runs
        # while a record being logged is in it (before encoding, or once it is
        # in its slot and chained).
        plain = self._writer.buf
        view = memoryview(plain)
        for seq in seqs:
            n = self.ring.open_into(seq, plain)
            if n < 0:
                raise _SlotChanged(seq)
            link = self.ring.opened_link()
            n = self._store_sealer.seal_into(self.boot_count, self.salt, seq, link, view[:n], self._sealed)
            yield seq, link, self._sealed_view[:n]

    def _log_eviction(self, evicted):
        first, through, count = evicted
        self.log("audit_eviction", first_seq=first, last_seq=through, count=count,
                 evicted_through=through)
