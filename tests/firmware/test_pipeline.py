# Records through ring, flush and store, across reboots.
from hcdaudit import catalog
from support import TestDevice, events_of, raises


def log_jobs(log, n, first=0):
    seqs = []
    for i in range(first, first + n):
        seqs.append(log.log("print_job", subject="user%02d" % (i % 20), interface="ipp",
                            remote_host="10.0.0.%d" % (i % 250 + 1), file_name="doc%05d.pdf" % i))
    return seqs


def test_records_round_trip_through_ring_flush_and_store():
    dev = TestDevice()
    log = dev.boot()
    seqs = log_jobs(log, 120)
    assert seqs == list(range(2, 122))            # seq 1 is audit_start
    assert log.store.count == 100 and log.in_nvram == 21
    records, report = dev.records()
    assert report.intact(), [f.as_dict() for f in report.findings]
    assert [r["seq"] for r in records] == list(range(1, 122))
    jobs = events_of(records, catalog.event_code("print_job"))
    assert len(jobs) == 120
    assert jobs[7]["subject"][1] == "user07" and jobs[7]["remote_host"] == "10.0.0.8"
    assert jobs[7]["items"][catalog.item_code("file_name")] == "doc00007.pdf"
    assert report.in_store == 100 and report.in_nvram == 21


def test_reboot_resumes_seq_and_counts_boots():
    dev = TestDevice()
    log = dev.boot()
    log_jobs(log, 30)
    assert log.boot_count == 1
    dev.unmount()
    log = dev.boot()                               # power cycle: a new AuditLog over the same memory
    assert log.boot_count == 2
    assert log.boot_report.last_durable_seq == 31
    seqs = log_jobs(log, 40)
    assert seqs[0] == 33                           # 32 is this boot's audit_start
    records, report = dev.records()
    assert report.intact()
    assert [r["seq"] for r in records] == list(range(1, 73))
    starts = events_of(records, catalog.event_code("audit_start"))
    assert [r["items"][catalog.item_code("boot")] for r in starts] == [1, 2]


def test_orderly_shutdown_flushes_a_partial_ring():
    dev = TestDevice()
    log = dev.boot()
    log_jobs(log, 10)
    log.shutdown("operator")
    assert log.in_nvram == 0 and log.store.count == 12
    log = dev.boot()
    log_jobs(log, 60)
    records, report = dev.records()
    assert report.intact()
    assert [r["seq"] for r in records] == list(range(1, 74))


def test_store_cap_evicts_oldest_segment_with_an_audit_record():
    dev = TestDevice(cap=150)
    log = dev.boot()
    log_jobs(log, 149)                             # seqs 1..150: three full segments
    assert log.store.count == 150 and log.evicted == 0
    log_jobs(log, 50)                              # next flush must make room
    assert log.store.count == 150
    assert log.evicted == 50
    records, report = dev.records()
    assert report.intact(), [f.as_dict() for f in report.findings]
    assert records[0]["seq"] == 51
    assert report.evicted_through == 50
    assert [f.as_dict() for f in report.findings] == [
        {"verdict": "evicted", "first_seq": 1, "last_seq": 50,
         "detail": "removed by the store cap (audited eviction)"}]
    evictions = events_of(records, catalog.event_code("audit_eviction"))
    assert len(evictions) == 1
    items = evictions[0]["items"]
    assert items[catalog.item_code("first_seq")] == 1
    assert items[catalog.item_code("last_seq")] == 50
    assert items[catalog.item_code("count")] == 50


def test_eviction_goes_by_seq_not_by_clock():
    dev = TestDevice(cap=100)
    log = dev.boot()
    dev.clock.now += 10 ** 12                      # first records carry a clock far ahead...
    log_jobs(log, 49)
    dev.clock.now -= 2 * 10 ** 12                  # ...then the clock is set back
    log_jobs(log, 100)
    records, report = dev.records()
    assert report.intact()
    assert records[0]["seq"] == 51                 # the oldest by seq went first
    assert log.store.first_seq == 51


def test_log_before_boot_and_unknown_event_are_refused_without_loss():
    dev = TestDevice()
    log = dev.boot()
    log_jobs(log, 5)
    exc = raises(ValueError, log.log, "no_such_event")
    assert "no_such_event" in str(exc)
    raises(ValueError, log.log, "print_job", file_name=42)
    raises(ValueError, log.log, "print_job", colour="red")
    seq = log.log("print_job", subject="bob", file_name="x" * 500)
    records, report = dev.records()
    assert report.intact()
    assert [r["seq"] for r in records] == list(range(1, seq + 1))
    name = records[-1]["items"][catalog.item_code("file_name")]
    assert name.endswith("\u2026") and len(name.encode()) <= 64


class _ListsInReverse:
    """A store filesystem whose folder lists newest first, one name at a time."""

    def __init__(self, fs):
        self.fs = fs

    def ilistdir(self):
        names = self.fs.listdir()
        names.sort()
        return iter(names[::-1])

    def __getattr__(self, name):
        return getattr(self.fs, name)


def test_boot_indexes_the_store_whatever_order_its_folder_lists():
    from hcdaudit.store import Store
    dev = TestDevice()
    log = dev.boot()
    log_jobs(log, 260)            # five segments
    expected = [(log.store.index.first[i], log.store.index.last[i], log.store.index.count[i])
                for i in range(log.store.index.n)]
    tmp = log.store.fs.open("0000000999.seg.tmp", "wb")     # an unfinished flush
    tmp.write(b"cut")
    tmp.close()
    store = Store(_ListsInReverse(log.store.fs), log.store.cap, log.ring.max_sealed)
    actions, quarantined = store.open()
    assert actions == ["removed unfinished segment 0000000999.seg.tmp"] and quarantined == []
    assert [(store.index.first[i], store.index.last[i], store.index.count[i])
            for i in range(store.index.n)] == expected and len(expected) == 5
    assert store.count == log.store.count and store.newest.first_seq == expected[-1][0]
    assert "0000000999.seg.tmp" not in log.store.fs.listdir()
