# Invariant 4: tampering with the store or the ring is reported with the seq
# range affected, and every record that still authenticates is still read.
from hcdaudit import segment
from support import TestDevice


def device_with_segments(n_records=170):
    """Seqs 1..n: three stored segments (1-50, 51-100, 101-150), the rest in NVRAM."""
    dev = TestDevice()
    log = dev.boot()
    for i in range(n_records - 1):
        log.log("print_job", subject="u%d" % (i % 7), file_name="f%04d.pdf" % i)
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


def findings(dev):
    records, report = dev.records()
    return [r["seq"] for r in records], [(f.verdict, f.first_seq, f.last_seq) for f in report.findings]


def test_untouched_device_verifies_clean():
    dev = device_with_segments()
    seqs, found = findings(dev)
    assert seqs == list(range(1, 171)) and found == []


def test_flipped_byte_in_a_stored_record_is_reported_for_that_seq_only():
    dev = device_with_segments()
    name = segment.name_for(51)
    data = bytearray(read_file(dev.fs, name))
    # first entry of the segment: header, then seq|link|length, then sealed bytes
    data[segment.HEADER_SIZE + segment.ENTRY_HEADER_SIZE + 5] ^= 0x40
    write_file(dev.fs, name, bytes(data))
    seqs, found = findings(dev)
    assert found == [("modified", 51, 51)], found
    assert 51 not in seqs and 52 in seqs and len(seqs) == 169    # the rest is still exported


def test_flipped_byte_in_a_segment_header_breaks_its_checkpoint_mac():
    dev = device_with_segments()
    name = segment.name_for(101)
    data = bytearray(read_file(dev.fs, name))
    data[30] ^= 0x01            # evicted_through field: claims nothing else
    write_file(dev.fs, name, bytes(data))
    seqs, found = findings(dev)
    assert found == [("modified", 101, 150)], found
    assert len(seqs) == 170     # its records still authenticate individually


def test_deleted_segment_is_a_missing_range():
    dev = device_with_segments()
    dev.fs.remove(segment.name_for(51))
    seqs, found = findings(dev)
    assert found == [("missing", 51, 100)], found
    assert len(seqs) == 120


def test_swapped_segments_are_reported_as_reordered():
    dev = device_with_segments()
    a, b = segment.name_for(1), segment.name_for(51)
    data_a, data_b = read_file(dev.fs, a), read_file(dev.fs, b)
    write_file(dev.fs, a, data_b)
    write_file(dev.fs, b, data_a)
    seqs, found = findings(dev)
    assert ("reordered", 51, 100) in found and ("reordered", 1, 50) in found, found
    assert all(v in ("reordered", "missing") for v, _, _ in found), found


def test_truncated_tail_segment_is_reported_and_its_head_still_read():
    dev = device_with_segments()
    name = segment.name_for(101)
    data = read_file(dev.fs, name)
    write_file(dev.fs, name, data[:len(data) // 2])
    seqs, found = findings(dev)
    assert len(found) == 1 and found[0][0] == "truncated" and found[0][2] == 150, found
    cut_from = found[0][1]
    assert 101 < cut_from < 150
    # What the cut removed from the store, the ring's older copies (seqs 121-170) still hold.
    assert seqs == list(range(1, cut_from)) + list(range(max(cut_from, 121), 171))


def test_segment_replaced_by_an_older_copy():
    dev = device_with_segments()
    write_file(dev.fs, segment.name_for(101), read_file(dev.fs, segment.name_for(51)))
    seqs, found = findings(dev)
    assert found == [("reordered", 51, 100),                # file 101 holds 51-100 ...
                     ("duplicate", 51, 100),                # ... which were already read
                     ("missing", 101, 120)], found          # 121-150 survive in the ring


def test_damaged_nvram_slot_is_quarantined_and_the_device_keeps_logging():
    dev = device_with_segments()
    ring = dev.log.ring
    offset = ring.slot_offset(160 % 50) + 40                # seq 160: unflushed, not the slot being written
    dev.nvram.buf[offset] ^= 0xFF
    _, found = findings(dev)
    assert ("quarantined", 160, 160) in found and ("missing", 160, 160) in found, found
    dev.unmount()
    log = dev.boot()
    assert any("slot 10 seq 160" in q for q in log.boot_report.quarantined), log.boot_report.quarantined
    seq = log.log("print_job", subject="after", file_name="after.pdf")
    assert seq == 203           # the damaged ring could have held up to 150 + 50: 171-200 skipped, never reused
    seqs, found = findings(dev)
    assert seqs[-1] == 203 and 160 not in seqs
    assert ("missing", 160, 160) in found and ("missing", 171, 200) in found, found


def test_corrupt_segment_at_boot_is_quarantined_and_logging_goes_on():
    dev = device_with_segments()
    name = segment.name_for(51)
    data = read_file(dev.fs, name)
    write_file(dev.fs, name, data[:100])
    dev.unmount()
    log = dev.boot()
    assert any(name in q for q in log.boot_report.quarantined), log.boot_report.quarantined
    assert name + ".bad" in dev.fs.listdir()
    for i in range(60):
        log.log("print_job", subject="later", file_name="later%d" % i)
    seqs, found = findings(dev)
    assert ("truncated", 51, 100) in found or ("missing", 51, 100) in found, found
    assert seqs[-1] == log.next_seq - 1
