"""Where `verify store`'s in-process time goes on one store (issue 20), medians of 7.

    python bench/verify_breakdown.py STORE

STORE: a device folder (bench/run.py builds one with device_bench.py fill and escrow_for).
Times, in one process with the cyclic collector paused (as verify_store pauses it): the bare
file reads, the reader's segment reads with the entry scan, the HMAC work alone, the AES-CCM
opens alone, the record checker over every record at once (many(): AES-CCM + the seq-bound
prefix), the walk around them, Reader.verify() and verify_store.verify()."""
from __future__ import annotations

import gc
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "host_tools"), str(ROOT), str(ROOT / "firmware")]

from hcdaudit import reader as reader_module  # noqa: E402
from hcdaudit_host.source import as_source  # noqa: E402
from hcdaudit_host.verify_store import verify  # noqa: E402


def _pads(key: bytes) -> tuple:
    padded = key + bytes(64 - len(key))
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
    inner.update(b"R")
    return inner, hashlib.sha256(bytes(b ^ 0x5C for b in padded))


def main(store: Path, rounds: int = 7) -> None:
    rows: dict[str, list[float]] = {}

    def timed(label: str, start: float) -> None:
        rows.setdefault(label, []).append(time.perf_counter() - start)
    for _ in range(rounds):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        for name in sorted(os.listdir(store / "store")):
            (store / "store" / name).read_bytes()
        timed("file reads", start)
        reader = as_source(store).reader
        start = time.perf_counter()
        segments = [reader._read_segment(name) for name in reader._segment_names()]
        timed("segment reads + entry scan", start)
        entries = [e.entry for s in segments if s for e in s.entries]
        seqs = [e.seq for s in segments if s for e in s.entries]
        inner, outer = _pads(bytes(reader.key_bytes(segments[0].meta.epoch)))
        start = time.perf_counter()
        for e in entries:
            h = inner.copy()
            h.update(e[:-16])
            o = outer.copy()
            o.update(h.digest())
            o.digest()
        timed("  of which the HMAC work alone", start)
        decrypt = reader._cipher._ccm.decrypt
        start = time.perf_counter()
        for e in entries:
            decrypt(e[4:12] + e[:4], e[14:-16], e[:12])
        timed("AES-CCM opens alone", start)
        check = reader_module._checker[0](reader._cipher, reader._max_sealed)
        eviction = reader_module.catalog.event_code("audit_eviction")
        start = time.perf_counter()
        check.many(entries, seqs, eviction)
        timed("record checker, many() (AES-CCM + prefix)", start)
        reader = as_source(store).reader
        start = time.perf_counter()
        reader.verify()
        timed("Reader.verify() whole", start)
        reader = as_source(store).reader
        start = time.perf_counter()
        for _ in reader.runs():
            pass
        timed("Reader.runs() whole (verify_store's walk)", start)
        gc.enable()
        start = time.perf_counter()
        verify(store, None, remember=False, show_progress=False)
        timed("verify_store.verify whole", start)
    print(f"{len(entries)} store entries")
    for label, values in rows.items():
        print(f"{label:40s} {1000 * statistics.median(values):6.1f} ms")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    main(Path(sys.argv[1]))
