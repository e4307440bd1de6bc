"""`make demo`: a throwaway device logs a working day through the real firmware,
loses power twice mid-flush, recovers, and the host tools prove nothing was lost.
Then a shorter run of the same firmware under the MicroPython unix port."""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from . import sim
from .export import export_to
from .provision import provision
from .verify_store import describe, verify


def _step(title: str) -> float:
    print(f"\n== {title}")
    return time.monotonic()


def _summary(summary: dict, elapsed: float) -> None:
    print(f"  logged {summary['logged']} events on {summary['runtime']} in {elapsed:.1f} s "
          f"({summary['logged'] / max(elapsed, 1e-9):,.0f} events/s)")
    print(f"  seq range {summary['device_first_seq']}-{summary['device_last_seq']}: "
          f"{summary['in_store']} in store, {summary['in_nvram']} in NVRAM, {summary['evicted']} evicted")
    print(f"  power cuts {summary['power_cuts']}; boots {len(summary['boots'])}, with recovery {summary['recoveries']}")
    for boot in summary["boots"]:
        for action in boot["actions"] + boot["quarantined"]:
            print(f"    boot {boot['boot']} (last durable seq {boot['last_durable_seq']}): {action}")


def main() -> int:
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="hcdaudit-demo-"))
    os.environ.setdefault("HCDAUDIT_STATE_DIR", str(workdir / "host-state"))
    device = workdir / "mfd-1"
    t = _step("provision a throwaway device")
    identity = provision(device, "mfd-lab-1", "DEMO000001")
    print(f"  {identity['name']} {identity['uuid']} in {device}")
    print(f"  NVRAM ring {identity['slot_count']} slots x {identity['slot_size']} B, "
          f"store cap {identity['store_cap']:,} records")

    t = _step("a working day on CPython: logins, jobs, settings, a clock change; two power cuts mid-flush")
    summary = sim.run(device, events=3000, seed=2026, power_cuts=2, runtime="cpython")
    _summary(summary, time.monotonic() - t)

    t = _step("export and verify on the host")
    export = workdir / "mfd-1.jsonl"
    count, _ = export_to(device, "jsonl", export)
    print(f"  exported {count} records to {export}")
    report = verify(device)
    print("  " + describe(report).replace("\n", "\n  "))

    t = _step("the same firmware under MicroPython (unix port)")
    mp_device = workdir / "mfd-2"
    provision(mp_device, "mfd-lab-2", "DEMO000002")
    mp_summary = sim.run(mp_device, events=600, seed=7, power_cuts=1, runtime="micropython")
    _summary(mp_summary, time.monotonic() - t)
    mp_report = verify(mp_device)
    print(f"  verified on the host: {mp_report.verified} records, "
          f"{'INTACT' if mp_report.intact() else 'NOT INTACT'}")

    missing = summary["returned_missing"] + mp_summary["returned_missing"]
    ok = report.intact() and mp_report.intact() and count == report.verified and not missing
    verdict = ("every record whose log() returned is present exactly once; nothing altered" if ok
               else f"PROBLEM: returned seqs missing {missing[:10]}")
    print(f"\n== verdict: {verdict} ({time.monotonic() - started:.1f} s; files in {workdir})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
