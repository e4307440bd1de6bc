# Portable benchmark of signed syslog on the device, run under CPython and MicroPython:
#   <python> bench/syslog_bench.py sign              -> JSON: ms per signature block (32 hashes)
#   <python> bench/syslog_bench.py send URL COUNT    -> JSON: messages/s formatted + signed + sent
import gc
import json
import sys
import time

if sys.implementation.name != "micropython":
    sys.path[:0] = [".", "firmware", "tests/firmware"]

import rfc5848_vectors as vec  # noqa: E402  (the published TEST-ONLY key)
from hcdaudit import catalog, dsa  # noqa: E402
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


def record(i):
    code, outcome, subject, items = catalog.prepare(
        "print_job", "user%02d" % (i % 20), "completed", "ipp", "10.20.1.%d" % (i % 200),
        {"job_uuid": "70fe0e41-1e92-3189-6dbe-bb459dc9%04x" % (i % 65536), "pages": 1 + i % 40,
         "file_name": "report-%04d.pdf" % i})
    return {"seq": i + 1, "time_us": T0 + i * 1000000, "event": code, "outcome": outcome, "subject": subject,
            "interface": "ipp", "remote_host": "10.20.1.%d" % (i % 200), "items": items}


def bench_send(url, count):
    gc.collect()
    empty = gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0
    clock = Clock()
    formatter = Formatter("printer.example.com", "urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84",
                          "ipp://printer.example.com/ipp/print")
    signer = Signer(key(), formatter.hostname, formatter.app_name, 1, T0, clock)
    sender = Sender(formatter, signer, open_transport(url))
    gc.collect()
    footprint = (gc.mem_alloc() - empty) if empty else 0
    records = [record(i) for i in range(64)]
    gc.collect()
    before = gc.mem_alloc() if hasattr(gc, "mem_alloc") else 0
    start = ticks_us()
    for i in range(count):
        clock.now += 100000
        r = records[i % 64]
        r["seq"] = i + 1
        sender.send_record(r)
    sender.close()
    seconds = elapsed_us(start) / 1e6
    return {"messages": sender.messages, "blocks": sender.blocks, "failed": sender.failed,
            "messages_per_sec": sender.messages / seconds, "octets": sender.octets,
            "sender_heap_held": _held(before), "sender_footprint": footprint}


def _held(before):
    """Heap still allocated after a collection: what the sender keeps (MicroPython only)."""
    if not before:
        return 0
    gc.collect()
    return gc.mem_alloc() - before


def main(argv):
    if argv[1] == "sign":
        print(json.dumps(bench_sign()))
    elif argv[1] == "send":
        print(json.dumps(bench_send(argv[2], int(argv[3]))))


main(sys.argv)
