# The store's cap at its real size: exactly 15,000 records, and the flush that
# brings the 15,001st record into the store evicts the oldest segment, audited.
import support
from boards.host.board import STORE_CAP, Board
from boards.host.dirfs import DirFs
from hcdaudit import catalog
from hcdaudit.audit import AuditLog
from hcdaudit.reader import Reader


def test_store_holds_exactly_15000_and_the_next_flush_evicts_the_oldest_segment():
    assert STORE_CAP == 15000
    nvram = support.RamNvram(support._ring.region_size(50, 512))
    fs = DirFs(support.tmpdir())
    board = Board(nvram, fs, clock=support.FakeClock(), random=support.FakeRandom())
    log = AuditLog(board, support.MASTER_KEY)
    log.boot()                                         # seq 1
    while log.next_seq <= STORE_CAP:
        log.log("print_job", subject="u", file_name="f")
    assert log.store.count == STORE_CAP and log.in_nvram == 0 and log.evicted == 0
    assert log.store.first_seq == 1 and log.store.last_seq == STORE_CAP
    for _ in range(49):                                # 15,001st .. 15,049th: still in NVRAM
        log.log("print_job", subject="u", file_name="f")
    assert log.store.count == STORE_CAP and log.in_nvram == 49
    log.log("print_job", subject="u", file_name="f")   # 15,050th: the ring flushes
    assert log.evicted == 50
    assert log.store.count == STORE_CAP
    assert log.store.first_seq == 51 and log.store.last_seq == STORE_CAP + 50
    if support.ON_MCU:      # the device's own bookkeeping was checked above; what follows is the host's view
        raise support.NotOnThisPort("the host reader over 15,000 records needs more heap than the emulated board")
    reader = Reader(fs, nvram, support.MASTER_KEY, 50, 512, board.aes)
    newest = None
    for record in reader.records():
        newest = record
    report = reader.report
    assert report.intact(), [f.as_dict() for f in report.faults()]
    assert report.in_store == STORE_CAP and report.in_nvram == 1
    assert newest["event"] == catalog.event_code("audit_eviction")
    assert newest["items"][catalog.item_code("first_seq")] == 1
    assert newest["items"][catalog.item_code("last_seq")] == 50
    assert [(f.verdict, f.first_seq, f.last_seq) for f in report.findings] == [("evicted", 1, 50)]
