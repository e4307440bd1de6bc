# Scenarios every reference board runs against its simulated parts
# (tests/firmware/test_board_<name>.py): provision, boot, log through two
# flushes, lose power, boot again, read everything back; and a power cut at
# every NV write of a flush.
import support
from fakes import MASTER_KEY, FakeClock, FakeRandom
from hcdaudit.audit import AuditLog
from hcdaudit.reader import Reader
import sim_peripherals
from sim_power import Rail


def board_module(name):
    return __import__("boards.%s.board" % name, None, None, ["board"])


def provisioned(name, block_count=None):
    """(board module, peripherals) of a board whose bundle is deployed."""
    board = board_module(name)
    folder = support.tmpdir()
    sim_peripherals.write_bundle(folder, name, MASTER_KEY)
    key_dir = support.tmpdir() if name == "stm32" else None
    p = sim_peripherals.peripherals_for(name, block_count=block_count, key_dir=key_dir)
    sim_peripherals.install_bundle(board, p, folder)
    sim_peripherals.install_root(board, p)
    return board, p


def boot(board, p, reason="power-on", clock=None, random=None):
    b, identity = board.open_board(p, clock=clock or FakeClock(), random=random or FakeRandom())
    log = AuditLog(b, board.master_key(p))
    log.boot(reason)
    return log


def read_back(board, p):
    b, _ = board.open_board(p)
    reader = Reader(b.fs, b.nvram, MASTER_KEY, b.slot_count, b.slot_size, b.aes, b.device_id,
                    sim_peripherals.INTEGRITY_ROOT)
    records = list(reader.records())
    return records, reader.report


def log_jobs(log, n, prefix="f"):
    returned = []
    for i in range(n):
        name = "%s%03d" % (prefix, i)
        returned.append((log.log("print_job", subject="u", file_name=name), name))
    return returned


def end_to_end(name):
    """open_board -> boot -> 120 records (2 flushes) -> power cut mid-record ->
    boot again -> the reader finds every returned record, the log intact."""
    board, p = provisioned(name)
    log = boot(board, p)
    returned = log_jobs(log, 120)
    assert log.store.last_seq == 100, log.store.last_seq       # two flushes of 50
    p.memories.fram.cut_after = 40                  # the next slot write dies after 40 bytes
    support.raises(OSError, log.log, "print_job", subject="u", file_name="lost")
    p = p.reboot()
    log = boot(board, p, "power-restored")
    assert log.boot_count == 2
    assert any("torn write in slot" in a for a in log.boot_report.actions), log.boot_report.actions
    records, report = read_back(board, p)
    assert report.intact(), [f.as_dict() for f in report.faults()]
    seqs = [r["seq"] for r in records]
    assert seqs == list(range(1, log.next_seq)), seqs
    for seq, _ in returned:
        assert seq in seqs
    p.power_off()
    return board, p


def power_cut_sweep(name, stride=1, logged_before=44, logged_during=10, block_count=24):
    """A cut at every `stride`-th NV write (FRAM, backup SRAM, flash program or
    erase, NVS commit) of a boot plus a flush, clean and torn: each snapshot
    boots, keeps every record whose log() returned, and reads back intact."""
    board, p = provisioned(name, block_count)
    log = boot(board, p)
    log_jobs(log, logged_before, "pre")
    p.power_off()
    key_dir = p.memories.key_dir
    base = {}
    parts = p.memories.parts()
    for part in parts:
        base[part] = parts[part].image()

    def run(rail):
        q = sim_peripherals.from_snapshot(name, base, key_dir)
        q.memories.attach(rail)
        rail.seen = []
        log = boot(board, q, "power-restored")
        for i in range(logged_during):
            rail.seen.append((log.log("print_job", subject="u", file_name="cut%03d" % i), "cut%03d" % i))
        q.memories.detach()
        q.power_off()
        return log

    probe = Rail()
    log = run(probe)
    assert log.store.last_seq >= 50, "the scenario must flush"
    total = probe.events
    cuts = 0
    for cut_at in range(1, total + 1, stride):
        for torn in (False, True):
            rail = Rail(cut_at, torn)
            run(rail)
            check_snapshot(board, name, rail, key_dir, "cut at write %d/%d (%s)" % (cut_at, total, "torn" if torn else "clean"))
            cuts += 1
    return total, cuts


def check_snapshot(board, name, rail, key_dir, where):
    q = sim_peripherals.from_snapshot(name, rail.snapshot, key_dir)
    log = boot(board, q, "power-restored", random=FakeRandom(b"after"))
    after = log.log("print_job", subject="u", file_name="after")
    q.power_off()
    q = q.reboot()
    records, report = read_back(board, q)
    faults = [f.as_dict() for f in report.faults()]
    assert not faults, (where, faults)
    seqs = [r["seq"] for r in records]
    assert seqs == list(range(1, after + 1)), (where, seqs)
    names = {}
    for r in records:
        names[r["seq"]] = r
    from hcdaudit import catalog
    item = catalog.item_code("file_name")
    for seq, file_name in rail.context:
        assert names[seq]["items"].get(item) == file_name, (where, "returned seq %d lost" % seq)
    q.power_off()
