# The HTTPS admin export's device-side figures, run under MicroPython (from a
# ROMFS image, as a frozen board runs it; bench/run.py) or CPython:
#   python bench/web_bench.py DIR RECORDS
# prints one JSON line: PBKDF2 us an iteration; the server's live heap (idle,
# and its high-water while a CSV and a sealed export stream, every poll
# followed by a collection); export throughput (records/s, bytes/s). TLS is
# left out (mbedTLS's own buffers: ~40 KB a connection, see boards/profiles.py);
# the server is driven over in-memory links, as tests/firmware/test_webadmin.py.
import gc
import json
import os
import sys
import time

from boards.host.board import Board
from boards.host.dirfs import DirFs
from boards.host.memory import RamNvram
from hcdaudit import password, ring
from hcdaudit.audit import AuditLog
from boards.common.web import DeviceRecords

KEY = bytes(range(32))


def ms():
    if hasattr(time, "ticks_ms"):
        return time.ticks_ms()
    return int(time.monotonic() * 1000)


def elapsed(start):
    if hasattr(time, "ticks_diff"):
        return time.ticks_diff(time.ticks_ms(), start)
    return ms() - start


def live():
    gc.collect()
    return gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0


class Link:
    def __init__(self, request):
        self.remote = "192.0.2.9"
        self.data = request
        self.sent = 0
        self.closed = False

    def read_into(self, view):
        if not self.data:
            return None
        n = min(len(view), len(self.data))
        view[:n] = self.data[:n]
        self.data = self.data[n:]
        return n

    def write(self, view):
        self.sent += len(view)
        return len(view)

    def close(self):
        self.closed = True


class Listener:
    def __init__(self):
        self.waiting = []

    def accept(self):
        return self.waiting.pop(0) if self.waiting else None

    def close(self):
        pass


def export(server, listener, path, collect):
    """(bytes sent, ms, peak live heap) of one export."""
    import binascii
    auth = binascii.b2a_base64(b"admin:bench-password").strip()
    link = Link(b"GET " + path + b" HTTP/1.1\r\nAuthorization: Basic " + auth + b"\r\n\r\n")
    listener.waiting.append(link)
    peak = 0
    start = ms()
    while not link.closed:
        server.poll(32)
        if collect:
            used = live()
            peak = used if used > peak else peak
    return link.sent, elapsed(start), peak


def main(argv):
    folder, records = argv[1], int(argv[2])
    job = password.Pbkdf2(b"bench-password", b"s" * 16, 20000)
    start = ms()
    job.step(20000)
    pbkdf2_us = elapsed(start) * 1000 / 20000
    try:
        os.mkdir(folder)
    except OSError:
        pass
    nvram = RamNvram(ring.region_size(50, 512))
    board = Board(nvram, DirFs(folder), 50, 512, 15000)
    log = AuditLog(board, KEY)
    log.boot()
    for i in range(records):
        log.log("print_job", subject="user%02d" % (i % 20), interface="ipp", remote_host="10.0.0.%d" % (i % 250 + 1),
                file_name="doc%05d.pdf" % i)
    from hcdaudit.webadmin import WebAdmin
    base = live()
    cred = password.Credential(password.make("admin", b"bench-password", b"s" * 16, 1000))
    listener = Listener()

    def reader():
        return DeviceRecords(log)       # what a board serves (boards/common/web.py)

    server = WebAdmin(log, listener, cred, reader, (nvram, board.fs), {"name": "bench", "uuid": "urn:uuid:x"},
                      board.random, pbkdf2_step=1000)
    idle = live() - base
    _, _, csv_peak = export(server, listener, b"/export/csv?seq=1-400", True)
    _, _, raw_peak = export(server, listener, b"/export/raw", True)
    csv_bytes, csv_ms, _ = export(server, listener, b"/export/csv", False)
    raw_bytes, raw_ms, _ = export(server, listener, b"/export/raw", False)
    print(json.dumps({"runtime": sys.implementation.name, "pbkdf2_us": pbkdf2_us, "records": records,
                      "server_idle_bytes": idle, "csv_peak_bytes": csv_peak - base, "raw_peak_bytes": raw_peak - base,
                      "csv_records_per_s": records * 1000 // max(csv_ms, 1), "csv_bytes": csv_bytes,
                      "raw_bytes_per_s": raw_bytes * 1000 // max(raw_ms, 1), "raw_bytes": raw_bytes}))


if __name__ == "__main__":
    main(sys.argv)
