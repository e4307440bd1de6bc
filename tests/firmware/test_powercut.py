# Invariant 1: a power cut at ANY write of the NV region or of the flash loses
# no record whose log() returned, duplicates none, and raises no false alarm.
import support
from hcdaudit import catalog
from powercut import CutBlockDevice, CutNvram, Rail
from support import FakeClock, FakeRandom, TestDevice

BLOCK = 4096
PRE_LOGGED = 96      # one segment stored, the ring nearly full when the scenario starts


def prepared_images():
    dev = TestDevice(cap=100)
    log = dev.boot()
    for i in range(PRE_LOGGED):
        log.log("print_job", subject="u%d" % i, file_name="pre%03d" % i)
    dev.unmount()                                 # power off cleanly
    return bytes(dev.nvram.buf), bytes(dev.bdev.buf)


def run_scenario(images, rail, records_to_log):
    """Boot and log records; the rail snapshots the memories at its cut point."""
    rail.returned = returned = []     # (seq, file_name) of every log() that returned
    nv = CutNvram(rail, images[0])
    bdev = CutBlockDevice(rail, BLOCK, images[1])
    dev = TestDevice(cap=100, nvram=nv, bdev=bdev, fresh=False, clock=FakeClock(), random=FakeRandom(b"cut"))
    log = dev.boot()
    for i in range(records_to_log):
        name = "cyc%03d" % i
        returned.append((log.log("print_job", subject="u", file_name=name), name))
    dev.unmount()


def check_after_cut(snapshot, cut_at, torn):
    nv_image, flash_image, returned = snapshot
    dev = TestDevice(cap=100, nvram=support.RamNvram(len(nv_image), nv_image),
                     bdev=support.RamBlockDevice(BLOCK, len(flash_image) // BLOCK, flash_image),
                     fresh=False, random=FakeRandom(b"after"))
    where = "cut at write %d (%s)" % (cut_at, "torn" if torn else "clean")
    log = dev.boot()
    after = log.log("print_job", subject="u", file_name="after")
    records, report = dev.records()
    faults = [f.as_dict() for f in report.faults()]
    assert not faults, (where, faults)
    seqs = [r["seq"] for r in records]
    assert len(seqs) == len(set(seqs)), (where, "duplicate seq")
    assert seqs == sorted(seqs) and after in seqs, where   # after may be followed by an eviction record
    by_seq = {}
    for r in records:
        by_seq[r["seq"]] = r["items"].get(catalog.item_code("file_name"))
    # Flushes past the cap evict the oldest segments (50 seqs each) by policy:
    # such records are accounted for by an audited eviction, never silently gone.
    assert report.evicted_through % 50 == 0, (where, report.evicted_through)
    assert report.evicted_through <= max(0, seqs[-1] - 100), (where, report.evicted_through)   # cap 100
    for seq, name in returned:
        if seq > report.evicted_through:
            assert by_seq.get(seq) == name, (where, "returned seq %d lost" % seq)
    pre = [r for r in records if (r["items"].get(catalog.item_code("file_name")) or "").startswith("pre")]
    # pre-logged records hold seqs 2..PRE_LOGGED+1 (seq 1 is the first audit_start)
    assert len(pre) == max(0, PRE_LOGGED + 1 - max(report.evicted_through, 1)), where
    dev.unmount()


def sweep(records_to_log, stride):
    images = prepared_images()
    probe = Rail(0, False)
    run_scenario(images, probe, records_to_log)
    total = probe.events
    assert total > records_to_log                 # every log wrote NV memory, flushes wrote flash
    cuts = 0
    for cut_at in range(1, total + 1, stride):
        for torn in (False, True):
            rail = Rail(cut_at, torn)
            run_scenario(images, rail, records_to_log)
            assert rail.snapshot is not None, cut_at
            check_after_cut(rail.snapshot, cut_at, torn)
            cuts += 1
    return total, cuts


def test_power_cut_at_every_write_of_a_full_flush_cycle():
    # 96 pre-logged + boot + 55 → flushes at seq 100 and 150 (a full cycle between) and an eviction (cap 100).
    total, cuts = sweep(55 if not support.TORTURE else 160, 1)
    assert cuts == 2 * total
