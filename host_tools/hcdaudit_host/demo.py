"""`make demo`: a throwaway device logs a working day through the real firmware,
loses power twice at a store write, recovers, and sends every record as RFC 5848 signed
syslog over TCP to the built-in collector; the host tools export the log in every
format, prove nothing was lost or altered (in the store and in the collector's
file) and write the HTML review page. Then a shorter run of the same firmware
under the MicroPython unix port, verified the same way."""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from . import sim
from .collect import run_in_thread
from .conformance import Options as ConformanceOptions
from .conformance import check_files as check_conformance
from .export import FORMATS, export_to
from .report import build as build_report
from .report import write_html
from .provision import provision
from .syslog_verify import exit_status as syslog_status
from .syslog_verify import verify as verify_syslog
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


def _syslog(summary: dict, collector: Path, device: Path) -> dict:
    sent = summary["syslog"]
    print(f"  signed syslog: {sent['messages']} messages + {sent['blocks']} signature/certificate blocks "
          f"({sent['signatures']} DSA signatures) to {collector.name}, sessions RSID {sent['rsids']}")
    report = verify_syslog([collector], [device / "escrow" / "syslog-signing.pem"])
    resent = sum(len(w["where"]) for w in report["warnings"] if w["kind"] == "resent")
    print(f"  verify syslog (cryptography, trust = the provisioned certificate): {report['verified']} of "
          f"{report['normal_messages']} messages verified, {len(report['findings'])} findings"
          + (f"; {resent} re-sent after a power cut and signed in the next session" if resent else ""))
    for finding in report["findings"][:5]:
        print(f"    {finding['kind']}: {finding['detail']}")
    return report


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

    t = _step("a working day on CPython: logins, jobs, settings, a clock change; two power cuts at store writes")
    collector = workdir / "collector-mfd-1.log"
    with run_in_thread("tcp://127.0.0.1:0", collector) as listener:
        print(f"  built-in collector on tcp://127.0.0.1:{listener.port} (octet-counted) -> {collector.name}")
        summary = sim.run(device, events=3000, seed=2026, power_cuts=2, runtime="cpython",
                          syslog=f"tcp://127.0.0.1:{listener.port}")
        sent = summary["syslog"]["messages"] + summary["syslog"]["blocks"]
        listener.wait_for(sent, timeout=30)
    _summary(summary, time.monotonic() - t)

    t = _step("export in every format, verify the store and the collector's file")
    exports = workdir / "exports"
    exports.mkdir()
    for fmt in FORMATS:
        count, _ = export_to(device, fmt, exports / f"mfd-1.{fmt}")
    print(f"  exported {count} records as {', '.join(FORMATS)} to {exports}")
    report = verify(device)
    print("  " + describe(report).replace("\n", "\n  "))
    syslog_report = _syslog(summary, collector, device)
    conformance = check_conformance([collector], ConformanceOptions(trust=[device / "escrow" / "syslog-signing.pem"]))
    counts = conformance["counts"]
    top = ", ".join(f"{rule} x{sum(n.values())}" for rule, n in list(conformance["rules"].items())[:6])
    print(f"  conformance (RFC 5424, PWG 5110.3, RFC 5848, HCD PP) of the collector's file: {counts['E']} errors, "
          f"{counts['W']} warnings, {counts['I']} notes ({top})")
    page = workdir / "review-mfd-1.html"
    review = build_report(device, [collector], [device / "escrow" / "syslog-signing.pem"], remember=False)
    write_html(review, page)
    print(f"  monthly review page: {page} ({'clean' if review.clean else 'findings: ' + '; '.join(review.findings)})")

    t = _step("the same firmware under MicroPython (unix port)")
    mp_device = workdir / "mfd-2"
    provision(mp_device, "mfd-lab-2", "DEMO000002")
    mp_collector = workdir / "collector-mfd-2.log"
    mp_summary = sim.run(mp_device, events=600, seed=7, power_cuts=1, runtime="micropython",
                         syslog=f"file://{mp_collector}")
    _summary(mp_summary, time.monotonic() - t)
    mp_report = verify(mp_device)
    print(f"  verified on the host: {mp_report.verified} records, "
          f"{'INTACT' if mp_report.intact() else 'NOT INTACT'}")
    mp_syslog_report = _syslog(mp_summary, mp_collector, mp_device)

    missing = summary["returned_missing"] + mp_summary["returned_missing"]
    syslog_ok = (syslog_status(syslog_report) == 0 and syslog_status(mp_syslog_report) == 0
                 and conformance["counts"]["E"] == 0)
    ok = report.intact() and mp_report.intact() and count == report.verified and not missing and syslog_ok
    verdict = ("every record whose log() returned is present exactly once, in the store and as a verified "
               "signed syslog message; nothing altered" if ok
               else f"PROBLEM: returned seqs missing {missing[:10]}; syslog verified: {syslog_ok}")
    print(f"\n== verdict: {verdict} ({time.monotonic() - started:.1f} s; files in {workdir})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
