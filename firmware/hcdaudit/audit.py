# The device's audit log: boot recovery, log(), flush(), shutdown().
#
# log() is the only synchronous path: validate, encode, seal, write one NVRAM
# slot, return. When the ring holds `slot_count` unflushed records their
# entries are copied as they are into one segment, and the integrity key
# evolves (the old one is overwritten in NVRAM). Everything that boot needs
# is derived from what is durable: the store's newest segment says what has
# been flushed, the ring's valid slots say what has not.
import gc

from hcdaudit import catalog, cbor, kdf, record, seal, segment
from hcdaudit import ring as ring_module
from hcdaudit.store import Store, StoreError

GENESIS = bytes(segment.LINK_SIZE)   # the seam before the first segment
_encode_prepared = record.encode_prepared       # a global: one stack slot fewer in log()'s path


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
    than one record is held: the highest seq of the valid slots, the
    unflushed seqs of the current epoch (above the store's last) in order, the
    ones of an older epoch that no stored segment holds, the invalid slots, and
    whether the eviction record of the newest segment's flush is among the
    unflushed records."""

    def __init__(self, ring, key_for, epoch, store_last, evicted_through):
        self.last = 0
        self.fresh = []
        self.stale = []
        self.invalid = []
        self.eviction_logged = False
        if evicted_through:
            code = catalog.event_code("audit_eviction")
            item = catalog.item_code("evicted_through")
        for i in range(ring.slot_count):
            s = ring.read(i, key_for, bool(evicted_through) and not self.eviction_logged)
            if s.state == ring_module.INVALID:
                self.invalid.append((s.index, s.seq, s.reason))
            if s.state != ring_module.VALID:
                continue
            if s.seq > self.last:
                self.last = s.seq
            if s.seq <= store_last:
                continue
            if s.epoch != epoch:
                self.stale.append(s.seq)
                continue
            self.fresh.append(s.seq)
            if evicted_through and not self.eviction_logged and s.plaintext is not None:
                body = record.decode(s.plaintext)
                self.eviction_logged = body["event"] == code and body["items"].get(item) == evicted_through
        self.fresh.sort()
        self.stale.sort()


class AuditLog:
    """`device_id`: the device's UUID (bound into every key; default the board's
    device_id). `board.counter`, when not None: a monotonic counter with
    advance(n), raised to each new epoch (an anchor against rollback). `integrity_root`:
    epoch 0's integrity key, used only at the very first boot, when the
    provisioning keeps it apart from the master key; without it the root is
    derived from the master key (no forward integrity against whoever holds
    that key: development and tests), unless `board.root_required` (the
    reference boards: boards/common/mcu.py), where the first boot raises
    ring.RootNotInstalled instead: `hcdaudit deploy` installs the root."""

    def __init__(self, board, master_key, device_id=None, integrity_root=None):
        ident = kdf.device_id(device_id or getattr(board, "device_id", None))
        keys = kdf.Subkeys(master_key, ident)
        self.board = board
        self._ident = ident
        self._master = master_key
        self._first_root = integrity_root
        self._mac = keys.mac
        max_plaintext = board.slot_size - seal.OVERHEAD
        self._sealer = seal.Sealer(board.aes(keys.conf), max_plaintext)
        self.ring = ring_module.Ring(board.nvram, board.slot_count, board.slot_size, self._sealer)
        self.store = Store(board.fs, board.store_cap, self.ring.max_sealed, board.slot_count)
        # Preallocated for log(): the record encoder and the entry.
        self._writer = cbor.Writer(max_plaintext)
        self._entry = bytearray(board.slot_size)
        self._entry_view = memoryview(self._entry)
        self._call = [None] * 6     # the log() call being prepared (catalog.prepare_call)
        self.slot_count = board.slot_count
        self.boot_count = 0
        self.salt = 0
        self.next_seq = 1
        self.logged = 0            # records logged by this boot
        self.evicted = 0           # records evicted by this boot
        self.flush_error = None    # why the last flush failed, if it did
        self.epoch = 0             # the integrity epoch (one per flush)
        self._epoch_key = None     # its key: in NVRAM, overwritten at each evolution
        self._ikey = None          # its HmacKey
        self._generation = 0       # NVRAM header generation and the copy holding it
        self._copy = 0
        self._seam = GENESIS       # mac of the newest stored record
        self._watermark = 0        # highest seq ever evicted
        self._unflushed = []       # seqs in the ring not yet in the store, ascending
        self.boot_report = None

    @property
    def in_nvram(self):
        return len(self._unflushed)

    @property
    def store_sealer(self):
        """Opens the entries read back from the store or the ring (the syslog backlog)."""
        return self._sealer

    @property
    def mac_key(self):
        """The device-state MAC key (delivery cursor, collector configuration)."""
        return self._mac

    def _key_for(self, epoch):
        return self._ikey if epoch == self.epoch else None

    # -- the integrity epoch
    def _set_epoch(self, epoch, key):
        self.epoch = epoch
        self._epoch_key = key
        self._ikey = kdf.HmacKey(key)
        self._sealer.set_context(epoch, self.salt)

    def _write_epoch(self):
        """Write the current epoch and key into both header copies, the older copy
        first: until the second write lands the newest copy still holds the same
        epoch, so a cut anywhere leaves one good copy; after it, no copy holds
        an earlier key."""
        older = 1 - self._copy
        self.ring.write_header(older, self._generation + 1, self.boot_count, self.epoch, self._ident, self._epoch_key)
        self.ring.write_header(self._copy, self._generation + 2, self.boot_count, self.epoch, self._ident,
                               self._epoch_key)
        self._generation += 2

    def _evolve(self, to_epoch=None):
        target = self.epoch + 1 if to_epoch is None else to_epoch
        key = self._epoch_key
        for _ in range(target - self.epoch):
            key = kdf.evolve(key)
        self._set_epoch(target, key)
        self._write_epoch()
        counter = getattr(self.board, "counter", None)
        if counter is not None:
            counter.advance(target)     # after NVRAM: a counter ahead of NVRAM means NVRAM went back

    def _recover_epoch(self, rep, best, bad_copies, good):
        """Set the epoch and its key from NVRAM, finishing an evolution or an
        erasure a power cut interrupted; at the first boot, install epoch 0."""
        newest = self.store.newest
        for copy in bad_copies:
            if best is None or len(bad_copies) == 2:
                rep.quarantined.append("NVRAM header copy %s" % "AB"[copy])
        if best is None:
            if self.ring.headers_blank() and newest is None and self._ring_blank():
                root = self._first_root
                if root is None:
                    if getattr(self.board, "root_required", False):
                        # A root derived from the master key would let whoever holds that key
                        # re-make every epoch's key: the board's NVRAM must get one from the escrow.
                        raise ring_module.RootNotInstalled(
                            "integrity root not installed in NVRAM: run hcdaudit deploy")
                    root = kdf.integrity_root(self._master, self._ident)
                self._set_epoch(0, root)
                self._copy = 1
                self._generation = 0
                self._write_epoch()
                return
            # Both copies lost while the device has history: the epoch key is gone.
            # Carry on from the master key's chain (a reader reports the loss).
            rep.quarantined.append("NVRAM header: no valid copy; integrity key re-derived from the master key")
            epoch = newest.epoch + 1 if newest else 0
            self._set_epoch(epoch, kdf.epoch_key(kdf.integrity_root(self._master, self._ident), epoch))
            self._copy = 1
            self._write_epoch()
            return
        self._set_epoch(best.epoch, best.key)
        self._copy = best.copy
        self._generation = best.generation
        if len(bad_copies) == 1 and len(good) == 1:
            rep.actions.append("discarded torn write of NVRAM header copy %s" % "AB"[bad_copies[0]])
        other_ok = len(good) == 2 and good[0].epoch == good[1].epoch and good[0].key == good[1].key
        if len(good) == 2 and not other_ok:
            rep.actions.append("completed erasure of epoch %d's key" % min(good[0].epoch, good[1].epoch))
        if newest is not None and newest.epoch >= self.epoch:
            if newest.epoch > self.epoch:
                rep.quarantined.append("NVRAM epoch %d is behind the store's %d (NVRAM restored?)"
                                       % (self.epoch, newest.epoch))
            else:
                rep.actions.append("completed key evolution of epoch %d" % self.epoch)
            self._evolve(newest.epoch + 1)
        elif not other_ok:
            self._write_epoch()     # erase the older key the other copy may still hold

    def _ring_blank(self):
        for i in range(self.slot_count):
            if self.ring.read(i).state != ring_module.EMPTY:
                return False
        return True

    def _ring_boot(self, base):
        """The newest boot counter the ring's records carry (in their salt's high bits)."""
        top = 0
        for i in range(self.slot_count):
            s = self.ring.read(i)
            if s.state == ring_module.VALID:
                top = max(top, s.salt >> 16)
        return max(base, (base & ~0xFFFF) | top)

    # -- boot
    def boot(self, reason="power-on"):
        rep = BootReport()
        best, bad_copies, good = self.ring.read_header()
        actions, bad_segments = self.store.open()
        rep.actions.extend(actions)
        rep.quarantined.extend(bad_segments)
        newest = self.store.newest
        store_last = self.store.last_seq
        # The boot counter never goes below an epoch already used, even if the
        # header was lost: the RSID of RFC 5848 must not repeat.
        boot = best.boot if best else 0
        if newest:
            boot = max(boot, newest.boot)
        if best is None:
            boot = max(boot, self._ring_boot(boot))
        self.boot_count = boot + 1
        self._recover_epoch(rep, best, bad_copies, good)
        self._generation += 1
        self._copy = 1 - self._copy
        self.ring.write_header(self._copy, self._generation, self.boot_count, self.epoch, self._ident,
                               self._epoch_key)
        # The nonce's salt: the boot counter's low 16 bits (boot can recover the
        # counter from the ring if both header copies are lost) and 16 random
        # bits (a restored NVRAM image never repeats a nonce).
        self.salt = ((self.boot_count & 0xFFFF) << 16) | int.from_bytes(self.board.random(2), "big")
        self._sealer.set_context(self.epoch, self.salt)
        rep.boot = self.boot_count
        self._seam = newest.head if newest else GENESIS
        self._watermark = max(newest.watermark, newest.evicted_through) if newest else 0
        scan = _RingScan(self.ring, self._key_for, self.epoch, store_last, newest.evicted_through if newest else 0)

        last = max(store_last, scan.last)
        rep.last_durable_seq = last
        torn_index = (last + 1) % self.slot_count
        for index, seq, why in scan.invalid:
            if index == torn_index:
                rep.actions.append("discarded torn write in slot %d" % index)
            else:
                rep.quarantined.append("slot %d seq %d: %s" % (index, seq, why))
        if scan.stale:
            rep.quarantined.append("seqs %d-%d of an earlier epoch are in NVRAM but in no stored segment"
                                   % (scan.stale[0], scan.stale[-1]))
        if rep.quarantined and last < store_last + self.slot_count:
            # A damaged ring may have held records up to store_last + slot_count:
            # skip them all, so no seq is ever issued twice.
            rep.actions.append("ring damaged: seqs %d-%d skipped so that none is reused"
                               % (last + 1, store_last + self.slot_count))
            last = store_last + self.slot_count
        self._unflushed = scan.fresh
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
        """A flush renames its segment, evolves the key, removes the evicted ones,
        then logs the eviction record; a power cut can stop it between. Finish what is left."""
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
        if self._unflushed and self.next_seq - self._unflushed[0] >= self.slot_count:
            # The slot is still needed: the last flush failed. Retry (it may log an
            # eviction), or refuse this record with an error rather than overwrite an unflushed one.
            self._flush()
        # The call in one kept list, prepared and encoded in place: few locals per
        # step, as MicroPython heap-allocates the frame of a function with more
        # than ~11 locals and stack slots.
        call = self._call
        call[0] = event
        call[1] = subject
        call[2] = outcome
        call[3] = interface
        call[4] = remote_host
        call[5] = items
        catalog.prepare_call(call)
        return self._append(call)

    def _append(self, call):
        n = self._sealer.seal_into(self._ikey, self.next_seq, self._encode(call), self._entry)
        self.ring.write(self.next_seq, self._entry_view[:n])
        # Durable from here on.
        return self._logged()

    def _encode(self, call):
        try:
            return _encode_prepared(self._writer, self.next_seq, self.board.now_us(), call)
        except cbor.CBORError:
            self._too_big(call)

    def _too_big(self, call):
        raise record.RecordError("event %d: record exceeds the %d-byte slot" % (call[0], self.ring.max_plaintext))

    def _logged(self):
        seq = self.next_seq
        self.next_seq = seq + 1
        self._unflushed.append(seq)
        self.logged += 1
        if seq - self.store.last_seq >= self.slot_count:
            self._flush_logged()
        return seq

    def _flush_logged(self):
        try:
            self._flush()
        except (OSError, StoreError) as exc:
            self.flush_error = str(exc)   # the record is safe in NVRAM; retried before its slot is reused

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
        if self.ring.entry_view(seqs[0], self.epoch) is None:
            raise _SlotChanged(seqs[0])
        evict, evicted = self.store.plan_eviction(len(seqs))
        watermark = max(self._watermark, evicted[1])
        header = segment.pack_header(self._ikey, len(seqs), seqs[0], seqs[-1], self.boot_count, self.epoch,
                                     evicted, watermark, self._ident, self._seam)
        meta = self.store.write(header, self._entries(seqs), self._ikey)
        self._unflushed = []
        self._seam = meta.head
        self._watermark = watermark
        # The segment is durable: its epoch is closed. Evolve before anything
        # else, so the key that made it is erased as early as possible.
        self._evolve()
        if evict:
            self.store.remove_oldest(evict)
            self.evicted += evicted[2]
            self._log_eviction(evicted)

    def _entries(self, seqs):
        # The ring's entries as they are: no decryption, no re-sealing.
        for seq in seqs:
            entry = self.ring.entry_view(seq, self.epoch)
            if entry is None:
                raise _SlotChanged(seq)
            yield entry

    def _log_eviction(self, evicted):
        first, through, count = evicted
        self.log("audit_eviction", first_seq=first, last_seq=through, count=count,
                 evicted_through=through)
