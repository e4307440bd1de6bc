# The smallest controller that embeds hcdaudit (docs/EMBEDDING.md): open the
# audit subsystem on a board, log a sign-in, a print job and a sign-out,
# deliver them as signed syslog, shut down.
#   python examples/minimal.py DEVICE_DIR COLLECTOR_URL       (CPython)
#   micropython examples/minimal.py DEVICE_DIR COLLECTOR_URL  (the unix port)
import sys

try:
    import hcdaudit_host  # noqa: F401  (CPython: puts the firmware and boards on sys.path)
except ImportError:
    pass  # MicroPython: mip installed them into lib/

from boards.common.subsystem import open_audit
from boards.host import device as board
from hcdaudit import events, subject

audit = open_audit(board, sys.argv[1], collector=sys.argv[2])
alice = subject.user("alice", "Alice Example")
events.login(audit, alice, interface="panel")
events.job_completed(audit, "print_job", alice, interface="panel", file_name="minutes.pdf", pages=3)
events.logout(audit, alice, interface="panel")
audit.service()  # in a real controller: every pass of its main loop
print(audit.close())
