# Portable benchmark of signed syslog on the device, run under CPython and MicroPython:
#   <python> bench/syslog_bench.py sign              -> JSON: ms per signature block (32 hashes)
#   <python> bench/syslog_bench.py drain WORKDIR URL [CA.der]  -> JSON: the backlog of the device in WORKDIR
#            (made by device_bench.py fill) delivered: messages/s read + formatted + signed + sent, heap
import gc
import json
import sys
import time

if sys.implementation.name != "micropython":
    sys.path[:0] = [".", "firmware", "tests/firmware"]

import rfc5848_vectors as vec  # noqa: E402  (the published TEST-ONLY key)
from hcdaudit import dsa  # noqa: E402
from hcdaudit.hal.net import open_transport  # noqa: E402
from hcdaudit.sender import Sender  # noqa: E402
from hcdaudit.signer import Signer  # noqa: E402
from hcdaudit.syslog import Formatter  # noqa: E402

T0 = 1795392000 * 1000000


class Clock:
    def __init__(self):
        self.now = T0

    def __call__(self):
        return self.now


def ticks_us():
    if hasattr(time, "ticks_us"):
        return time.ticks_us()
    return time.perf_counter_ns() // 1000


def elapsed_us(start):
    if hasattr(time, "ticks_diff"):
        return time.ticks_diff(time.ticks_us(), start)
    return ticks_us() - start


def key():
    return dsa.PrivateKey(vec.KEY_P, vec.KEY_Q, vec.KEY_G, vec.KEY_Y, vec.KEY_X)


def bench_sign(rounds=12):
    clock = Clock()
    signer = Signer(key(), b"printer.example.com", b"hcdaudit", 1, T0, clock, sb_redundancy=0)
    list(signer.blocks_due())
    total = 0
    for i in range(rounds):
        for j in range(32):
            signer.hash_message(b"message %d %d" % (i, j))
        start = ticks_us()
        for _ in signer.blocks_due():
            pass
        total += elapsed_us(start)
    return {"sign_block_ms": total / rounds / 1000.0}


def drain(workdir, url, ca=None):
    """Boot the device in workdir (filled by device_bench.py fill) and time its
    sender delivering the whole backlog: read by seq from store and ring, format,
    hash, sign, send. Heap figures are MicroPython's."""
    from boards.host.board import Board
    from boards.host.dirfs import DirFs
    from boards.host.memory import FileNvram
    from hcdaudit.audit import AuditLog
    from hcdaudit.backlog import Backlog
    from hcdaudit.cursor import DeliveryCursor
    import fakes
    clock = fakes.FakeClock(step_us=1000)
    board = Board(FileNvram(workdir + "/nvram.bin"), DirFs(workdir + "/store"), clock=clock,
                  random=fakes.FakeRandom(b"drain"))
    log = AuditLog(board, fakes.MASTER_KEY)
    log.boot()
    gc.collect()
    empty = gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0
    formatter = Formatter("printer.example.com", "urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84",
                          "ipp://printer.example.com/ipp/print")
    signer = Signer(key(), formatter.hostname, formatter.app_name, log.boot_count, clock(), clock)
    options = {"ca": ca} if ca else {}
    sender = Sender(log, formatter, signer, open_transport(url, **options), DeliveryCursor(log.store.fs, log.mac_key),
                    Backlog(log), clock, board.random)
    gc.collect()
    footprint = (gc.mem_alloc() - empty) if empty else 0
    total = micropython_total()
    start = ticks_us()
    rounds = 0
    while not sender.drained() and rounds < 100000:
        if not sender.pump(256):
            clock.now += 1000000
        rounds += 1
    sender.close()
    seconds = elapsed_us(start) / 1e6
    allocated = micropython_total() - total
    return {"messages": sender.messages, "blocks": sender.blocks, "failed": sender.failed,
            "records": log.next_seq - 1, "seconds": seconds, "messages_per_sec": sender.messages / seconds,
            "sender_footprint": footprint, "allocated_per_message": allocated / max(sender.messages, 1),
            "drained": sender.drained()}


def micropython_total():
    if sys.implementation.name != "micropython":
        return 0
    import micropython
    return micropython.mem_total()


def _held(before):
    """Heap still allocated after a collection: what the sender keeps (MicroPython only)."""
    if not before:
        return 0
    gc.collect()
    return gc.mem_alloc() - before


def main(argv):
    if argv[1] == "sign":
        print(json.dumps(bench_sign()))
    elif argv[1] == "drain":
        ca = None
        if len(argv) > 4:
            with open(argv[4], "rb") as f:
                ca = f.read()
        print(json.dumps(drain(argv[2], argv[3], ca)))


main(sys.argv)
