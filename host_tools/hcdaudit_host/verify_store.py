"""`hcdaudit verify store`: the integrity report of a device's store and NVRAM."""
from __future__ import annotations

from pathlib import Path

from hcdaudit.reader import Report

from .access import open_reader, require_authentic


def verify(device_dir: Path) -> Report:
    reader = open_reader(device_dir)
    report = reader.verify()
    require_authentic(report, device_dir)
    return report


def describe(report: Report) -> str:
    lines = []
    verdict = "INTACT" if report.intact() else "TAMPERED OR INCOMPLETE"
    lines.append(f"store verification: {verdict}")
    lines.append(f"  records verified   {report.verified} ({report.in_store} in store, {report.in_nvram} in NVRAM)")
    if report.verified:
        runs = ", ".join(f"{a}-{b}" for a, b in report.ranges)
        lines.append(f"  seq ranges present {runs}")
    if report.evicted_count:
        lines.append(f"  evicted by policy  {report.evicted_count} (seqs up to {report.evicted_through}, audited)")
    for f in report.findings:
        rng = f"{f.first_seq}" if f.first_seq == f.last_seq else f"{f.first_seq}-{f.last_seq}"
        lines.append(f"  {f.verdict:<12} seq {rng:<13} {f.detail}")
    return "\n".join(lines)
