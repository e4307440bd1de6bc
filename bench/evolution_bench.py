# The cost of forward integrity (format v2), run under CPython and MicroPython:
#   <python> bench/evolution_bench.py  -> one JSON line
# key evolution alone (one SHA-256 + two 96-byte NVRAM header writes), a whole
# flush of 50 entries with its evolution, and both per event (a ring of 50).
import json
import sys
import time

if sys.implementation.name != "micropython":
    sys.path[:0] = [".", "firmware", "tests/firmware"]

import fakes  # noqa: E402
from boards.host.board import Board  # noqa: E402
from boards.host.memory import RamNvram  # noqa: E402
from hcdaudit import kdf, ring  # noqa: E402
from hcdaudit.audit import AuditLog  # noqa: E402


class MemFs:
    """A store filesystem in RAM: the flush's own cost, not the medium's."""

    def __init__(self):
        self.files = {}

    def listdir(self):
        return list(self.files)

    def size(self, name):
        if name not in self.files:
            raise OSError(2)
        return len(self.files[name])

    def open(self, name, mode):
        fs = self

        class F:
            def __init__(self):
                self.buf = bytearray() if "w" in mode else None
                self.pos = 0

            def write(self, data):
                self.buf.extend(data)

            def read(self, n=-1):
                data = fs.files[name]
                out = data[self.pos:] if n < 0 else data[self.pos:self.pos + n]
                self.pos += len(out)
                return out

            def seek(self, pos):
                self.pos = pos

            def close(self):
                if self.buf is not None:
                    fs.files[name] = bytes(self.buf)
        return F()

    def commit(self, f):
        f.close()

    def rename(self, a, b):
        self.files[b] = self.files.pop(a)

    def remove(self, name):
        del self.files[name]


def now():
    return time.ticks_us() if hasattr(time, "ticks_us") else time.perf_counter_ns() // 1000


def main(rounds=200):
    log = AuditLog(Board(RamNvram(ring.region_size(50, 512)), MemFs(), clock=fakes.FakeClock(),
                         random=fakes.FakeRandom()), fakes.MASTER_KEY)
    log.boot()
    start = now()
    for _ in range(rounds):
        log._evolve()
    evolve_us = (now() - start) / rounds
    key = bytes(32)
    start = now()
    for _ in range(rounds):
        key = kdf.evolve(key)
    hash_us = (now() - start) / rounds
    # A flush: 49 entries copied into a segment (no decryption), then the evolution.
    flushes = 20
    total = 0
    for _ in range(flushes):
        while log.in_nvram < 49:
            log.log("print_job", subject="u", file_name="f.pdf", pages=3)
        start = now()
        log._flush()
        total += now() - start
    flush_us = total / flushes
    return {"runtime": sys.implementation.name, "evolution_us": evolve_us, "evolve_hash_us": hash_us,
            "evolution_us_per_event": evolve_us / 50, "flush_us": flush_us, "flush_us_per_event": flush_us / 49,
            "evolution_share_of_flush": evolve_us / flush_us}


if __name__ == "__main__":
    print(json.dumps(main()))
