# A corrupt NV region or store at boot: the device starts, reports what it
# quarantined, and keeps logging; nothing that still authenticates is lost.
from hcdaudit import catalog, ring
from support import TestDevice, events_of


def test_garbage_nvram_region_boots_and_logs():
    dev = TestDevice()
    log = dev.boot()
    for i in range(70):
        log.log("print_job", subject="u", file_name="f%d" % i)
    dev.unmount()
    for i in range(len(dev.nvram.buf)):          # every byte of the ring and its headers
        dev.nvram.buf[i] = (i * 151 + 7) & 0xFF
    log = dev.boot()
    report = log.boot_report
    assert log.boot_count == 2                   # the store's newest epoch keeps the counter rising
    assert "NVRAM header copy A" in report.quarantined and "NVRAM header copy B" in report.quarantined
    assert sum(1 for q in report.quarantined if q.startswith("slot ")) >= 49
    assert any("seqs 51-100 skipped" in a for a in report.actions), report.actions
    seq = log.log("print_job", subject="u", file_name="after")
    assert seq == 103                            # 101 audit_start, 102 audit_recovery: 51-71 never reused
    records, found = dev.records()
    assert [r["seq"] for r in records][:50] == list(range(1, 51))    # the store is untouched
    recoveries = events_of(records, catalog.event_code("audit_recovery"))
    assert len(recoveries) == 1
    assert found.faults()                        # the destroyed unflushed records are reported


def test_boot_counter_survives_a_lost_header():
    dev = TestDevice()
    for _ in range(3):
        dev.boot()
        dev.unmount()
    dev.nvram.buf[0:ring.HEADERS_SIZE] = bytes(ring.HEADERS_SIZE)   # both header copies wiped
    log = dev.boot()
    assert log.boot_count == 4                   # from the boot counters in the ring's salts, not restarted at 1


def test_wrong_geometry_is_refused_clearly():
    dev = TestDevice()
    dev.boot()
    dev.unmount()
    other = TestDevice(slot_size=256, nvram=dev.nvram, bdev=dev.bdev, fresh=False)
    try:
        other.boot()
    except Exception as exc:
        assert "formatted for 50 slots of 512 bytes" in str(exc), exc
    else:
        raise AssertionError("a ring formatted for another slot size was accepted")
