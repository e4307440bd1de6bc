"""`hcdaudit verify store`: the integrity report of a device's store and NVRAM, from a
host device folder or a board's raw flash dump + NVRAM dump (see source.py)."""
from __future__ import annotations

import gc
from pathlib import Path

from hcdaudit.reader import Report
from hcdaudit.seal import MAC_SIZE

from .highwater import HighWater
from .source import Source, as_source, progress

# How the report groups the reader's verdicts (hcdaudit/reader.py lists them).
TAMPERED = ("modified", "inserted", "duplicate", "reordered", "truncated", "forged", "foreign", "rolled back")
GAPS = ("missing", "unaudited")
QUARANTINED = ("quarantined", "wiped")
EVICTED = ("evicted",)
NOTES = ("torn", "pending")


def verify(source, state_dir: Path | None = None, remember: bool = True, show_progress: bool = True,
           decode: bool = False) -> Report:
    """Verify a device (a device folder path or an opened Source); with a high-water
    state, also detect rollback and tail truncation against earlier verifications.
    By default every record is authenticated and decrypted and its fixed prefix
    checked, and only eviction records are decoded in full (report.contents
    "authenticated"); decode=True decodes every record strictly, and one that
    authenticates but does not decode is `modified` ("decoded"): docs/VERIFY.md."""
    source = as_source(source)
    marks = HighWater(state_dir)
    mark = marks.marks.get(source.device_id)
    watch = mark.get("last_seq") if mark else None      # the seq an earlier verification pinned
    links: dict[int, bytes] = {}
    last = None
    count = shown = 0
    # The walk allocates some objects per record and keeps most of them to its end: the
    # cyclic collector, run generation after generation as they pile up, finds next to
    # nothing there and costs ~10% of the walk. It runs again (and collects) after it.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with progress("verify store", source.expected_records if show_progress else (lambda: 0)) as bar:
            # records(bodies=False)'s walk, its records' entries in seq-ordered lists (runs): the
            # watched seq's chain and the last record's are all it keeps
            for run in source.runs(decode):
                if watch is not None and run[0].seq <= watch <= run[-1].seq:
                    for entry in run:
                        if entry.seq == watch:
                            links[watch] = entry.entry[-MAC_SIZE:]
                last = run[-1]
                count += len(run)
                if count - shown >= 256:
                    bar.advance(count - shown)
                    shown = count
            bar.finish(count)
    finally:
        if collecting:
            gc.enable()
    report = source.reader.report
    source.require_authentic()
    if last is not None:
        links[last.seq] = last.entry[-MAC_SIZE:]
    before = len(report.faults())
    marks.check(source.device_id, report, links)
    if mark:
        report.anchors.append("highwater")
        if len(report.faults()) == before and mark.get("last_seq") == report.last_seq:
            report.tail_anchored = True     # the newest seq is the one an earlier verification pinned
    if remember and report.intact():
        marks.update(source.device_id, report, links)
    report.source = source      # for describe() / as_json(): what was read
    return report


def _group(report: Report, verdicts) -> list:
    return [f for f in report.findings if f.verdict in verdicts]


def _range(f) -> str:
    if f.first_seq == f.last_seq == 0:
        return "-"          # not about a seq (an NVRAM header copy, an unreadable segment header)
    return f"{f.first_seq}" if f.first_seq == f.last_seq else f"{f.first_seq}-{f.last_seq}"


def as_json(report: Report) -> dict:
    """The reader's report, plus the grouped view and what was read."""
    doc = report.as_dict()
    doc["evictions"] = [f.as_dict() for f in _group(report, EVICTED)]
    doc["gaps"] = [f.as_dict() for f in _group(report, GAPS)]
    doc["tampered"] = [f.as_dict() for f in _group(report, TAMPERED)]
    doc["quarantined"] = [f.as_dict() for f in _group(report, QUARANTINED)]
    doc["statement"] = tail_statement(report)
    source = getattr(report, "source", None)
    if isinstance(source, Source):
        doc["source"] = {"kind": source.kind, "description": source.description, "device": source.device_id,
                         "name": source.identity.get("name"), "board": source.identity.get("board")}
        doc["quarantined_segments"] = source.quarantined_segments()
    return doc


CONTENTS = {
    "authenticated": "authenticated and decrypted (mac, AES-CCM, seq/time/event prefix; eviction records "
                     "decoded); full decoding: --decode, or export",
    "decoded": "authenticated, decrypted and every record decoded",
}
ANCHOR_HINT = ("anchor it with the host's high-water state (--state, kept by every verification), "
               "the collector's signed syslog (--syslog FILE), or the board's monotonic counter")


def tail_statement(report: Report) -> str:
    """What is proven, and what the device alone cannot prove: never a bare INTACT."""
    first, last = report.proven()
    if not report.verified:
        return "no record verified"
    proven = f"seq {first}-{last} intact" if first != last else f"seq {first} intact"
    if not report.intact():
        return f"{proven} (up to the first finding); the findings below name the rest"
    if report.tail_anchored:
        return f"{proven}; tail anchored ({', '.join(a for a in report.anchors if a != 'nvram-epoch')})"
    return f"{proven}; a removal after {last} would leave no trace on the device alone; {ANCHOR_HINT}"


def describe(report: Report) -> str:
    lines = []
    verdict = "INTACT" if report.intact() else "TAMPERED OR INCOMPLETE"
    lines.append(f"store verification: {verdict}: {tail_statement(report)}")
    source = getattr(report, "source", None)
    if isinstance(source, Source):
        name = source.identity.get("name")
        lines.append(f"  device             {name} ({source.device_id})" if name else
                     f"  device             {source.device_id}")
        lines.append(f"  read from          {source.description}")
    lines.append(f"  records verified   {report.verified} ({report.in_store} in store, {report.in_nvram} in NVRAM)")
    lines.append(f"  contents           {CONTENTS.get(report.contents, report.contents)}")
    runs = ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in report.ranges) if report.verified else "none"
    lines.append(f"  seq ranges present {runs}")
    evicted = _group(report, EVICTED)
    if evicted:
        lines.append(f"  audited evictions  {report.evicted_count} records, seqs "
                     f"{', '.join(_range(f) for f in evicted)} (removed by the store cap)")
    else:
        lines.append("  audited evictions  none")
    for title, verdicts in (("gaps", GAPS), ("tampered ranges", TAMPERED), ("quarantined", QUARANTINED)):
        found = _group(report, verdicts)
        if not found:
            lines.append(f"  {title:<18} none")
        for i, f in enumerate(found):
            label = title if i == 0 else ""
            lines.append(f"  {label:<18} {f.verdict:<12} seq {_range(f):<13} {f.detail}")
    if isinstance(source, Source):
        for name in source.quarantined_segments():
            lines.append(f"  {'':<18} segment {name} (quarantined at boot, kept as evidence and read)")
    for i, f in enumerate(_group(report, NOTES)):
        label = "not faults" if i == 0 else ""
        lines.append(f"  {label:<18} {f.verdict:<12} seq {_range(f):<13} {f.detail}")
    return "\n".join(lines)
