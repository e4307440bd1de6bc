"""`hcdaudit verify store`: the integrity report of a device's store and NVRAM."""
from __future__ import annotations

from pathlib import Path

from hcdaudit.reader import Report

from boards.host import device

from .access import open_reader, require_authentic
from .highwater import HighWater


def verify(device_dir: Path, state_dir: Path | None = None, remember: bool = True) -> Report:
    """Verify a device folder; with a high-water state, also detect rollback and
    tail truncation against what earlier verifications saw."""
    reader = open_reader(device_dir)
    device_id = device.load_identity(str(device_dir), device.ESCROW_DIR).get("uuid", str(device_dir.resolve()))
    marks = HighWater(state_dir)
    watched = {marks.marks.get(device_id, {}).get("last_seq")}
    links: dict[int, bytes] = {}
    last = None
    for record in reader.records():
        if record["seq"] in watched:
            links[record["seq"]] = record["chain"]
        last = record
    report = reader.report
    require_authentic(report, device_dir)
    if last is not None:
        links[last["seq"]] = last["chain"]
    marks.check(device_id, report, links)
    if remember and report.intact():
        marks.update(device_id, report, links)
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
