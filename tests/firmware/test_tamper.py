# Invariant 4: tampering with the store or the ring is reported as what it is,
# with the exact seq range affected, and every record that still authenticates
# is still read (issue 13). One test per tamper class.
from hcdaudit import ring, seal, segment
from support import Counter, TestDevice

OTHER_DEVICE = "urn:uuid:0b7e5a40-3c1d-4e2f-9a8b-7c6d5e4f3a2b"


def device_with_segments(n_records=170, **kw):
    """Seqs 1..n: three stored segments (1-50, 51-100, 101-150), the rest in NVRAM."""
    dev = TestDevice(**kw)
    log = dev.boot()
    for i in range(n_records - 1):
        log.log("print_job", subject="u%d" % (i % 7), file_name="f%04d.pdf" % i)
    if n_records == 170:
        assert log.store.names() == [segment.name_for(s) for s in (1, 51, 101)]
    return dev


def read_file(fs, name):
    f = fs.open(name, "rb")
    data = f.read()
    f.close()
    return data


def write_file(fs, name, data):
    f = fs.open(name, "wb")
    f.write(data)
    f.close()


def entries(data):
    """{seq: (offset, length)} of a segment file's entries."""
    out = {}
    offset = segment.HEADER_SIZE
    while offset < len(data) - segment.CHECKPOINT_SIZE:
        seq, _epoch, _salt, n = seal.parse_header(data, offset)
        size = seal.HEADER_SIZE + n + seal.MAC_SIZE
        out[seq] = (offset, size)
        offset += size
    return out


def edit_segment(dev, name, edit):
    data = bytearray(read_file(dev.fs, name))
    data = edit(data, entries(data))
    write_file(dev.fs, name, bytes(data))


def findings(dev):
    records, report = dev.records()
    return [r["seq"] for r in records], [(f.verdict, f.first_seq, f.last_seq) for f in report.findings]


ALL = list(range(1, 171))


def without(*seqs):
    return [s for s in ALL if s not in seqs]


def test_untouched_device_verifies_clean():
    dev = device_with_segments()
    seqs, found = findings(dev)
    assert seqs == ALL and found == []


def test_edited_record_body_is_modified_for_that_seq_only():
    dev = device_with_segments()

    def edit(data, at):
        data[at[60][0] + seal.HEADER_SIZE + 5] ^= 0x40
        return data
    edit_segment(dev, segment.name_for(51), edit)
    seqs, found = findings(dev)
    assert found == [("modified", 60, 60)], found
    assert seqs == without(60)


def test_edited_seq_field_is_modified_at_the_seq_it_held():
    dev = device_with_segments()

    def edit(data, at):
        data[at[60][0] + 3] = 99        # seq 60 now claims seq 99
        return data
    edit_segment(dev, segment.name_for(51), edit)
    seqs, found = findings(dev)
    assert found == [("modified", 60, 60)], found
    assert seqs == without(60)


def test_edited_length_field_does_not_derail_the_reader():
    dev = device_with_segments()

    def edit(data, at):
        data[at[60][0] + 13] ^= 0x07    # low byte of the length
        return data
    edit_segment(dev, segment.name_for(51), edit)
    seqs, found = findings(dev)
    assert found == [("modified", 60, 60)], found
    assert seqs == without(60)          # 61-100 resynchronised, still verified


def test_inserted_record_is_named_inserted_and_nothing_else():
    dev = device_with_segments()

    def edit(data, at):
        off, size = at[60]
        fake = bytearray(data[off:off + size])
        fake[seal.HEADER_SIZE + 2] ^= 0x01      # a fabricated record claiming seq 60
        end = off + size
        return data[:end] + fake + data[end:]
    edit_segment(dev, segment.name_for(51), edit)
    seqs, found = findings(dev)
    assert found == [("inserted", 60, 60)], found
    assert seqs == ALL


def test_duplicated_record_is_a_duplicate_of_its_seq():
    dev = device_with_segments()

    def edit(data, at):
        off, size = at[60]
        copy = data[off:off + size]
        end = at[80][0] + at[80][1]
        return data[:end] + copy + data[end:]
    edit_segment(dev, segment.name_for(51), edit)
    seqs, found = findings(dev)
    assert found == [("duplicate", 60, 60)], found
    assert seqs == ALL


def test_deleted_record_is_missing_for_that_seq_only():
    dev = device_with_segments()

    def edit(data, at):
        off, size = at[60]
        return data[:off] + data[off + size:]
    edit_segment(dev, segment.name_for(51), edit)
    seqs, found = findings(dev)
    assert found == [("missing", 60, 60)], found
    assert seqs == without(60)


def swap(data, at, a, b):
    (oa, sa), (ob, sb) = at[a], at[b]
    ra, rb = bytes(data[oa:oa + sa]), bytes(data[ob:ob + sb])
    return data[:oa] + rb + data[oa + sa:ob] + ra + data[ob + sb:]


def test_adjacent_records_swapped_are_reordered_and_present():
    dev = device_with_segments()
    edit_segment(dev, segment.name_for(51), lambda data, at: swap(data, at, 70, 71))
    seqs, found = findings(dev)
    assert found == [("reordered", 70, 71)], found
    assert sorted(seqs) == ALL


def test_distant_records_swapped_are_each_reordered_and_nothing_missing():
    dev = device_with_segments()
    edit_segment(dev, segment.name_for(51), lambda data, at: swap(data, at, 55, 75))
    seqs, found = findings(dev)
    assert found == [("reordered", 55, 55), ("reordered", 75, 75)], found
    assert sorted(seqs) == ALL


def test_swapped_segment_files_are_reordered():
    dev = device_with_segments()
    a, b = segment.name_for(1), segment.name_for(51)
    data_a, data_b = read_file(dev.fs, a), read_file(dev.fs, b)
    write_file(dev.fs, a, data_b)
    write_file(dev.fs, b, data_a)
    seqs, found = findings(dev)
    assert found == [("reordered", 1, 100)], found
    assert seqs == ALL


def test_deleted_segment_is_a_missing_range():
    dev = device_with_segments()
    dev.fs.remove(segment.name_for(51))
    seqs, found = findings(dev)
    assert found == [("missing", 51, 100)], found
    assert seqs == without(*range(51, 101))


def test_truncated_segment_is_reported_and_its_head_still_read():
    dev = device_with_segments()
    name = segment.name_for(51)
    data = read_file(dev.fs, name)
    write_file(dev.fs, name, data[:len(data) // 2])
    seqs, found = findings(dev)
    assert len(found) == 1 and found[0][0] == "truncated" and found[0][2] == 100, found
    cut_from = found[0][1]
    assert 51 < cut_from < 100
    assert seqs == without(*range(cut_from, 101))


def test_newest_segment_deleted_only_the_records_nvram_no_longer_holds_are_missing():
    dev = device_with_segments()
    dev.fs.remove(segment.name_for(101))
    seqs, found = findings(dev)
    assert found == [("missing", 101, 120)], found        # 121-150 survive in their NVRAM slots
    assert seqs == without(*range(101, 121))


def test_segment_replaced_by_an_older_copy():
    dev = device_with_segments()
    write_file(dev.fs, segment.name_for(101), read_file(dev.fs, segment.name_for(51)))
    seqs, found = findings(dev)
    assert found == [("duplicate", 51, 100), ("missing", 101, 120)], found
    assert seqs == without(*range(101, 121))


def test_segment_of_another_device_with_the_same_master_key_is_foreign():
    ours = device_with_segments()
    theirs = device_with_segments(device_id=OTHER_DEVICE)
    write_file(ours.fs, segment.name_for(51), read_file(theirs.fs, segment.name_for(51)))
    seqs, found = findings(ours)
    assert found == [("foreign", 51, 100), ("missing", 51, 100)], found
    assert seqs == without(*range(51, 101))       # never read as ours


def test_record_of_another_device_spliced_into_a_segment_is_modified():
    ours = device_with_segments()
    theirs = device_with_segments(device_id=OTHER_DEVICE)
    foreign = read_file(theirs.fs, segment.name_for(51))
    at_theirs = entries(foreign)
    off_t, size_t = at_theirs[60]

    def edit(data, at):
        off, size = at[60]
        return data[:off] + foreign[off_t:off_t + size_t] + data[off + size:]
    edit_segment(ours, segment.name_for(51), edit)
    seqs, found = findings(ours)
    assert found == [("modified", 60, 60)], found
    assert seqs == without(60)


def test_damaged_nvram_slot_is_quarantined_and_the_device_keeps_logging():
    dev = device_with_segments()
    offset = dev.log.ring.slot_offset(160 % 50) + 40      # seq 160: unflushed, not the slot being written
    dev.nvram.buf[offset] ^= 0xFF
    _, found = findings(dev)
    assert found == [("quarantined", 160, 160)], found
    dev.unmount()
    log = dev.boot()
    assert any("slot 10 seq 160" in q for q in log.boot_report.quarantined), log.boot_report.quarantined
    seq = log.log("print_job", subject="after", file_name="after.pdf")
    assert seq == 203           # the damaged ring could have held up to 150 + 50: 171-200 skipped, never reused
    seqs, found = findings(dev)
    assert seqs[-1] == 203 and 160 not in seqs
    assert ("missing", 160, 160) in found and ("missing", 171, 200) in found, found


def test_newest_nvram_slots_wiped_are_a_finding_with_their_seqs():
    dev = device_with_segments()
    for seq in range(165, 171):
        off = dev.log.ring.slot_offset(seq % 50)
        dev.nvram.buf[off:off + 512] = bytes(512)
    seqs, found = findings(dev)
    assert found == [("wiped", 165, 170)], found
    assert seqs == ALL[:164]


def test_wiped_nvram_is_a_finding_while_the_store_shows_the_device_ran():
    dev = device_with_segments()
    dev.nvram.buf[:] = bytes(len(dev.nvram.buf))
    seqs, found = findings(dev)
    verdicts = set(v for v, _, _ in found)
    assert verdicts == {"wiped"}, found
    assert ("wiped", 151, 151) in found or ("wiped", 151, 199) in found, found
    assert seqs == ALL[:150]


def test_nvram_restored_behind_the_store_is_rolled_back():
    dev = device_with_segments(n_records=120)
    old_nvram = bytes(dev.nvram.buf)
    for i in range(90):                                  # 2 more flushes: epoch 2 -> 4
        dev.log.log("print_job", subject="u", file_name="late%d" % i)
    dev.nvram.buf[:] = old_nvram
    _, found = findings(dev)
    assert found == [("rolled back", 151, 200)], found       # seqs 201-210: epoch 4, in NVRAM only, restored away


def test_full_rollback_is_caught_by_the_board_counter_only():
    counter = Counter()
    dev = device_with_segments(counter=counter)
    snapshot = (bytes(dev.nvram.buf), bytes(dev.bdev.buf))
    for i in range(100):
        dev.log.log("print_job", subject="u", file_name="late%d" % i)
    dev.unmount()
    dev.nvram.buf[:] = snapshot[0]
    dev.bdev.buf[:] = snapshot[1]
    dev.mount()
    seqs, found = findings(dev)
    assert seqs == ALL and [v for v, _, _ in found] == ["rolled back"], found
    assert found[0][1] == 171
    dev.counter = None
    seqs, found = findings(dev)
    assert found == []                 # without an anchor the device alone cannot tell


def test_head_cut_beyond_the_eviction_watermark_is_missing_and_eviction_stays_evicted():
    dev = TestDevice(cap=100)
    log = dev.boot()
    for i in range(260):
        log.log("print_job", subject="u", file_name="f%d" % i)
    records, report = dev.records()
    first = records[0]["seq"]
    w = report.evicted_through
    assert w and first == w + 1 and [(f.verdict, f.first_seq, f.last_seq) for f in report.findings] == \
        [("evicted", 1, w)]
    dev.fs.remove(log.store.names()[0])
    seqs, found = findings(dev)
    assert found == [("evicted", 1, w), ("missing", w + 1, w + 50)], found


def test_eviction_survives_damage_to_the_newest_segment():
    dev = TestDevice(cap=100)
    log = dev.boot()
    for i in range(260):
        log.log("print_job", subject="u", file_name="f%d" % i)
    _, report = dev.records()
    w = report.evicted_through
    newest = log.store.names()[-1]
    data = read_file(dev.fs, newest)
    write_file(dev.fs, newest, data[:segment.HEADER_SIZE - 4])      # its header unreadable
    seqs, found = findings(dev)
    assert found[0] == ("evicted", 1, w), found
    assert not [f for f in found if f[0] in ("unaudited", "pending") or (f[0] == "missing" and f[1] <= w)], found


def test_ring_header_key_from_another_epoch_is_reported():
    dev = device_with_segments()
    copy = dev.log.ring.read_copy(0)[0]
    # A header re-made with the next epoch's key but the current epoch number.
    from hcdaudit import kdf
    dev.log.ring.write_header(0, copy.generation, copy.boot, copy.epoch, copy.ident, kdf.evolve(copy.key))
    _, found = findings(dev)
    assert ("modified", 0, 0) in found, found


def test_header_sizes():
    assert ring.HEADERS_SIZE == 2 * ring.HEADER_COPY_SIZE
    assert seal.OVERHEAD == 46


def test_byte_flipped_in_the_newest_slot_is_damage_not_a_power_cut():
    dev = device_with_segments()
    offset = dev.log.ring.slot_offset(170 % 50) + 30      # seq 170: the newest record, complete
    dev.nvram.buf[offset] ^= 0x01
    seqs, found = findings(dev)
    assert found == [("quarantined", 170, 170)], found
    assert seqs == ALL[:169]


def test_a_write_cut_in_the_newest_slot_is_torn():
    dev = device_with_segments()
    data = read_file(dev.fs, segment.name_for(101))
    off, size = entries(data)[120]
    old = data[off:off + size]                             # what slot 20 held before seq 170
    offset = dev.log.ring.slot_offset(170 % 50)
    new = bytes(dev.nvram.buf[offset:offset + len(old)])
    half = len(new) // 2
    dev.nvram.buf[offset + half:offset + len(old)] = old[half:]   # only a prefix of seq 170 landed
    assert len(new) <= len(old)
    seqs, found = findings(dev)
    assert found == [("torn", 170, 170)], found
    assert seqs == ALL[:169]
