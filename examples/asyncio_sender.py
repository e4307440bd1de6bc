# A controller whose main loop is asyncio (CPython's or MicroPython's): the
# signed syslog sender runs as its own task beside the controller's tasks;
# log() returns at once (the record is durable in NVRAM) and never waits for
# the network. At the end, close() stops the sender task, logs audit_stop,
# sends what is left with the final signature block and says what it could
# not send (docs/EMBEDDING.md).
#   python examples/asyncio_sender.py DEVICE_DIR COLLECTOR_URL [JOBS]
#   micropython examples/asyncio_sender.py DEVICE_DIR COLLECTOR_URL [JOBS]
import sys

try:
    import hcdaudit_host  # noqa: F401  (CPython: puts the firmware and boards on sys.path)
except ImportError:
    pass  # MicroPython: mip installed them into lib/

import asyncio

from boards.common.subsystem import open_audit
from boards.host import device as board
from hcdaudit import events, subject

PANEL = "panel"


async def print_queue(audit, jobs):
    """Stands in for the controller's job handling: one finished job every 10 ms."""
    users = [subject.user("user%02d" % n) for n in range(1, 4)]
    for n in range(jobs):
        who = users[n % len(users)]
        events.job_completed(audit, "print_job", who, interface="ipp", remote_host="10.0.0.%d" % (20 + n % 3),
                             job_id=n + 1, pages=1 + n % 5)
        await asyncio.sleep(0.01)


async def main(device_dir, collector, jobs):
    audit = open_audit(board, device_dir, collector=collector)
    sender = asyncio.create_task(audit.run(period_ms=20))
    admin = subject.admin()
    events.login(audit, admin, interface=PANEL)
    events.setting_changed(audit, admin, "Auto Clear Timer", "60 s", "120 s", interface=PANEL)
    events.logout(audit, admin, interface=PANEL)
    await print_queue(audit, jobs)
    report = audit.close()      # the sender task sees `closed` and ends
    await sender
    print(report)
    return 0 if report.complete else 1


sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 40)))
