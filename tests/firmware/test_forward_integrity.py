# Forward integrity (issue 14): whoever takes the device at time T (its flash,
# its NVRAM with the current epoch key, its master key) cannot rewrite what was
# stored before T without the verifier naming each change with its range;
# what the device logs from T on is, as it must be, in the attacker's hands.
# And a power cut at any write of a key evolution never gets the key in NVRAM
# and the records sealed under it out of step.
import gc

import support
from boards.host.board import runtime_hal
from hcdaudit import kdf, ring, seal, segment
from powercut import CutBlockDevice, CutNvram, Rail
from support import MASTER_KEY, FakeClock, FakeRandom, TestDevice

DEVICE = "urn:uuid:5f0c6d2e-8a41-4b7a-9d3e-2c1b0a9f8e7d"
ROOT = bytes(range(32))      # provisioning's integrity root: in the escrow, never on the device after epoch 0


def provisioned():
    dev = TestDevice(device_id=DEVICE, integrity_root=ROOT)
    log = dev.boot()
    for i in range(169):
        log.log("print_job", subject="u%d" % (i % 7), file_name="f%04d.pdf" % i)
    assert log.store.names() == [segment.name_for(s) for s in (1, 51, 101)] and log.epoch == 3
    return dev


class Attacker:
    """Everything the device holds at T: the master key, NVRAM (with the current
    epoch's key), the flash. Not the escrow's integrity root."""

    def __init__(self, dev):
        self.dev = dev
        header = dev.log.ring.read_header()[0]
        self.epoch = header.epoch
        self.key = kdf.HmacKey(header.key)
        keys = kdf.Subkeys(MASTER_KEY, kdf.device_id(DEVICE))
        self.ident = keys.ident
        self.sealer = seal.Sealer(runtime_hal().Aes(keys.conf), 512)

    def segment(self, name):
        f = self.dev.fs.open(name, "rb")
        data = f.read()
        f.close()
        meta = segment.Meta(name, data[:segment.HEADER_SIZE])
        out = []
        offset = segment.HEADER_SIZE
        while offset < len(data) - segment.CHECKPOINT_SIZE:
            seq, epoch, salt, n = seal.parse_header(data, offset)
            size = seal.HEADER_SIZE + n + seal.MAC_SIZE
            out.append([seq, salt, self.sealer.open_entry(data[offset:offset + size]), data[offset:offset + size]])
            offset += size
        return meta, out

    def reseal(self, seq, salt, plaintext, epoch=None):
        buf = bytearray(512)
        n = self.sealer.seal_entry_into(self.key, seq, self.epoch if epoch is None else epoch, salt, plaintext, buf)
        return bytes(buf[:n])

    def write_segment(self, name, meta, entries):
        """The whole segment re-made under the attacker's (current) key."""
        seqs = [seal.parse_header(e)[0] for e in entries]
        header = segment.pack_header(self.key, len(entries), seqs[0], seqs[-1], meta.boot, self.epoch,
                                     meta.evicted, meta.watermark, self.ident, meta.seam)
        digest = segment.MacDigest()
        for e in entries:
            digest.add(e)
        data = header + b"".join(entries) + segment.pack_checkpoint(self.key, header, entries[-1][-16:],
                                                                     digest.digest())
        f = self.dev.fs.open(name, "wb")
        f.write(data)
        f.close()


def edited(plaintext):
    i = plaintext.find(b".pdf") - 1
    assert i > 0
    return plaintext[:i] + b"x" + plaintext[i + 1:]


def findings(dev):
    records, report = dev.records()
    return [r["seq"] for r in records], [(f.verdict, f.first_seq, f.last_seq) for f in report.findings]


def test_the_device_never_holds_an_earlier_epoch_key():
    dev = provisioned()
    nv = bytes(dev.nvram.buf)
    for epoch in range(3):
        assert nv.find(kdf.epoch_key(ROOT, epoch)) < 0, epoch
    assert nv.find(kdf.epoch_key(ROOT, 3)) > 0
    assert kdf.integrity_root(MASTER_KEY, kdf.device_id(DEVICE)) != ROOT     # not derivable from the master key


def test_a_record_from_before_t_rewritten_with_the_current_key_is_forged():
    dev = provisioned()
    mallory = Attacker(dev)
    name = segment.name_for(51)
    meta, entries = mallory.segment(name)
    seq, salt, plaintext, _ = entries[9]
    assert seq == 60
    entries[9][3] = mallory.reseal(seq, salt, edited(plaintext))
    data = b"".join(e[3] for e in entries)
    f = dev.fs.open(name, "rb")
    whole = f.read()
    f.close()
    f = dev.fs.open(name, "wb")
    f.write(whole[:segment.HEADER_SIZE] + data + whole[-segment.CHECKPOINT_SIZE:])
    f.close()
    seqs, found = findings(dev)
    assert found == [("forged", 60, 60)], found
    assert 60 not in seqs and len(seqs) == 169


def test_a_record_rewritten_under_its_own_epoch_number_fails_outright():
    dev = provisioned()
    mallory = Attacker(dev)
    name = segment.name_for(51)
    meta, entries = mallory.segment(name)
    seq, salt, plaintext, _ = entries[9]
    entries[9][3] = mallory.reseal(seq, salt, edited(plaintext), epoch=meta.epoch)
    f = dev.fs.open(name, "rb")
    whole = f.read()
    f.close()
    f = dev.fs.open(name, "wb")
    f.write(whole[:segment.HEADER_SIZE] + b"".join(e[3] for e in entries) + whole[-segment.CHECKPOINT_SIZE:])
    f.close()
    _, found = findings(dev)
    assert found == [("modified", 60, 60)], found


def test_a_whole_segment_from_before_t_remade_with_the_current_key_is_forged():
    dev = provisioned()
    mallory = Attacker(dev)
    name = segment.name_for(51)
    meta, entries = mallory.segment(name)
    remade = []
    for seq, salt, plaintext, _ in entries:
        remade.append(mallory.reseal(seq, salt, edited(plaintext) if seq == 60 else plaintext))
    mallory.write_segment(name, meta, remade)
    seqs, found = findings(dev)
    assert found == [("forged", 51, 100)], found
    assert seqs == list(range(1, 51)) + list(range(101, 171))


def test_a_record_deleted_before_t_and_the_segment_remade_is_named():
    dev = provisioned()
    mallory = Attacker(dev)
    name = segment.name_for(1)
    meta, entries = mallory.segment(name)
    remade = [mallory.reseal(seq, salt, plaintext) for seq, salt, plaintext, _ in entries if seq != 30]
    mallory.write_segment(name, meta, remade)
    _, found = findings(dev)
    assert found == [("forged", 1, 29), ("missing", 30, 30), ("forged", 31, 50)], found


def test_the_tail_rewritten_from_before_t_onward_is_forged_from_where_it_starts():
    dev = provisioned()
    mallory = Attacker(dev)
    # Re-make segment 101-150 and every later record: epochs 2 -> 3 for the
    # segment, and the ring's epoch-3 records re-made under epoch 4's key.
    meta, entries = mallory.segment(segment.name_for(101))
    mallory.write_segment(segment.name_for(101), meta,
                          [mallory.reseal(seq, salt, edited(p) if seq == 120 else p) for seq, salt, p, _ in entries])
    seqs, found = findings(dev)
    assert found == [("forged", 101, 150)], found
    assert seqs == list(range(1, 101)) + list(range(151, 171))


def test_records_after_t_are_in_the_attackers_hands():
    dev = provisioned()
    mallory = Attacker(dev)
    # seq 160 is unflushed: sealed under the current epoch, whose key the attacker holds.
    r = dev.log.ring
    entry = bytes(r.entry_view(160))
    seq, epoch, salt, _ = seal.parse_header(entry)
    assert epoch == mallory.epoch
    forged = mallory.reseal(seq, salt, edited(mallory.sealer.open_entry(entry)))
    dev.nvram.write(r.slot_offset(160 % 50), forged)
    seqs, found = findings(dev)
    assert found == [] and 160 in seqs      # nothing can tell: the device held this key when T came


# ---------------------------------------------------------------- power cuts during a key evolution

def header_writes(images):
    """The numbers of the NV writes that go to the ring header during the scenario."""
    rail = Rail(0, False)
    writes = []
    nv = CutNvram(rail, images[0])
    original = nv.write

    def spy(offset, data):
        original(offset, data)
        if offset < ring.HEADERS_SIZE:
            writes.append(rail.events)
    nv.write = spy
    run(images, rail, nv)
    return writes


def run(images, rail, nv=None):
    rail.returned = returned = []
    nv = nv or CutNvram(rail, images[0])
    bdev = CutBlockDevice(rail, 4096, images[1])
    dev = TestDevice(nvram=nv, bdev=bdev, fresh=False, clock=FakeClock(), random=FakeRandom(b"cut"))
    log = dev.boot()
    for i in range(60):                         # seqs 47..: the flush at 100 evolves epoch 1 -> 2
        returned.append((log.log("print_job", subject="u", file_name="e%02d" % i), i))
    dev.unmount()


def test_power_cut_at_every_write_of_a_key_evolution():
    dev = TestDevice()
    log = dev.boot()
    for i in range(45):
        log.log("print_job", subject="u", file_name="pre%d" % i)
    dev.unmount()
    images = (bytes(dev.nvram.buf), bytes(dev.bdev.buf))
    cuts = header_writes(images)
    assert len(cuts) >= 5, cuts                 # the boot's header write and two evolutions of two writes each
    for cut_at in cuts:
        for torn in (False, True):
            rail = Rail(cut_at, torn)
            run(images, rail)
            nv_image, flash_image, returned = rail.snapshot
            after = TestDevice(nvram=support.RamNvram(len(nv_image), nv_image),
                               bdev=support.RamBlockDevice(4096, len(flash_image) // 4096, flash_image),
                               fresh=False, random=FakeRandom(b"after"))
            log = after.boot()
            where = "cut at write %d (%s)" % (cut_at, "torn" if torn else "clean")
            copies = [log.ring.read_copy(c)[0] for c in (0, 1)]
            assert copies[0] and copies[1] and copies[0].key == copies[1].key, where   # no earlier key left
            newest = log.store.newest
            assert newest is None or log.epoch == newest.epoch + 1, (where, log.epoch, newest.epoch)
            log.log("print_job", subject="u", file_name="after")
            records, report = after.records()
            assert not report.faults(), (where, [f.as_dict() for f in report.faults()])
            seqs = [r["seq"] for r in records]
            for seq, _ in returned:
                assert seq in seqs, (where, "returned seq %d lost" % seq)
            after.unmount()
            # Let this cut's three flash copies go before the next cut makes its own:
            # an emulated board's heap has no room for two cuts' worth at once.
            rail = after = log = records = nv_image = flash_image = None
            gc.collect()
