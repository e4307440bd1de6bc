# The audit subsystem as a controller embeds it (boards/common/subsystem.py,
# docs/EMBEDDING.md), on reference boards with simulated parts: open, log,
# service from the controller's loop, close; and what the controller may
# forget (close(), service()) or cannot help (an unreachable collector),
# which the next boot makes good without losing a record.
import support
import test_board_app as board_app
from fakes import FakeClock, FakeRandom

from boards.common.subsystem import AuditClosed, open_audit
from hcdaudit import catalog, events, subject


def deployed(name, path):
    return board_app.deployed(name, "file://" + path)


def seqs_sent(path):
    """The seqs of the record messages in the collector file, in order."""
    seqs = []
    for line in board_app.collector_lines(path):
        at = line.find(b' seq="')
        if at >= 0:
            seqs.append(int(line[at + 6:line.find(b'"', at + 6)]))
    return seqs


def signature_blocks(path):
    return sum(1 for line in board_app.collector_lines(path) if b"[ssign " in line)


def work(audit, jobs):
    alice = subject.user("alice", "Alice Example")
    events.login(audit, alice, interface="panel")
    for n in range(jobs):
        events.job_completed(audit, "print_job", alice, interface="panel", file_name="doc%d" % n, pages=1)
    return events.logout(audit, alice, interface="panel")


def test_open_log_service_close_delivers_everything_signed():
    for name in ("rp2040", "esp32s3", "stm32"):
        path = support.tmpdir() + "/collector.log"
        board, p = deployed(name, path)
        audit = open_audit(board, p, clock=FakeClock(), random=FakeRandom())
        last = work(audit, 5)
        assert audit.service() > 0 and audit.undelivered == 0
        report = audit.close()
        assert report.complete and report.problems == [], (name, report.as_dict())
        assert report.last_seq == last + 1 and report.delivered_through == report.last_seq
        assert seqs_sent(path) == list(range(1, report.last_seq + 1)), (name, seqs_sent(path))
        assert signature_blocks(path) >= 1
        records, names = board_app.events_logged(board, p)
        assert names[0] == "audit_start" and names[-1] == "audit_stop", names
        assert str(report).startswith("audit log closed: seqs through %d" % report.last_seq), str(report)
        assert audit.close() is report             # idempotent
        support.raises(AuditClosed, audit.log, "login", subject="admin")
        p.power_off()


def test_close_sends_what_the_controller_never_serviced_and_audit_stop():
    path = support.tmpdir() + "/collector.log"
    board, p = deployed("rp2040", path)
    audit = open_audit(board, p, clock=FakeClock(), random=FakeRandom())
    work(audit, 70)                 # past the 50-slot ring: a flush, and never a service() call
    assert audit.undelivered == audit.last_seq
    report = audit.close()
    assert report.complete, report.as_dict()
    assert seqs_sent(path) == list(range(1, report.last_seq + 1))
    p.power_off()


def test_a_forgotten_close_loses_nothing_at_the_next_boot():
    path = support.tmpdir() + "/collector.log"
    board, p = deployed("esp32s3", path)
    audit = open_audit(board, p, clock=FakeClock(), random=FakeRandom())
    last = work(audit, 10)
    audit.service()                 # sent, but no signature block yet: close() was never called
    assert signature_blocks(path) == 0
    p = p.reboot()
    audit = open_audit(board, p, clock=FakeClock(), random=FakeRandom())
    assert audit.boot_report.last_durable_seq == last
    report = audit.close()
    assert report.complete, report.as_dict()
    sent = seqs_sent(path)
    # The first session's unsigned messages go out again in the new session, signed.
    assert sorted(set(sent)) == list(range(1, report.last_seq + 1)), sent
    assert sent[-(report.last_seq):] == list(range(1, report.last_seq + 1)), sent
    records, names = board_app.events_logged(board, p)
    assert names.count("audit_start") == 2 and names.count("audit_stop") == 1, names
    p.power_off()


def test_an_unreachable_collector_is_reported_and_the_next_boot_delivers():
    bad = support.tmpdir() + "/no-such-folder/collector.log"
    board, p = deployed("stm32", bad)
    audit = open_audit(board, p, clock=FakeClock(), random=FakeRandom())
    last = work(audit, 3)
    assert audit.service() == 0
    report = audit.close()
    assert not report.complete and report.undelivered == last + 1, report.as_dict()
    assert "not delivered to file " + bad in report.problems[0] and report.error, report.problems
    assert "the next boot does it" in str(report)
    good = support.tmpdir() + "/collector.log"
    p = p.reboot()
    audit = open_audit(board, p, collector="file://" + good, clock=FakeClock(), random=FakeRandom())
    report = audit.close()
    assert report.complete, report.as_dict()
    assert seqs_sent(good) == list(range(1, report.last_seq + 1))
    records, names = board_app.events_logged(board, p)
    change = records[names.index("setting_change")]["items"]
    assert change.get(catalog.item_code("new_value")) == "file://" + good
    p.power_off()


def test_without_a_collector_the_log_keeps_everything():
    board, p = board_app.deployed("rp2040")
    audit = open_audit(board, p, clock=FakeClock(), random=FakeRandom())
    assert audit.sender is None and audit.service() == 0 and audit.undelivered == 0
    work(audit, 2)
    report = audit.close()
    assert report.complete and report.collector is None and "delivered" not in str(report), str(report)
    p.power_off()


def test_the_sender_runs_as_an_asyncio_task():
    try:
        import asyncio
    except ImportError:
        raise support.NotOnThisPort("the port has no asyncio") from None
    path = support.tmpdir() + "/collector.log"
    board, p = deployed("rp2040", path)
    audit = open_audit(board, p, clock=FakeClock(), random=FakeRandom())
    seen = []

    async def controller():
        for n in range(20):
            events.job_completed(audit, "print_job", "u", file_name="j%d" % n)
            await asyncio.sleep(0)
            seen.append(len(seqs_sent(path)))
        return audit.close()

    async def main():
        task = asyncio.create_task(audit.run(period_ms=0))
        report = await controller()
        await task
        return report

    report = asyncio.run(main())
    assert report.complete, report.as_dict()
    assert seen[-1] > 0          # the task delivered while the controller worked, before close()
    assert seqs_sent(path) == list(range(1, report.last_seq + 1))
    p.power_off()
