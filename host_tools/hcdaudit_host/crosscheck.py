"""The device and its collector, checked against each other.

Neither side alone can prove its newest records were not removed: a device
whose store and NVRAM were rolled back or cut at the tail looks intact, and a
collector file cut after its last signature block verifies. Each side anchors
the other, by the device's own seq (the `seq` parameter of the device's
`[hcdaudit@PEN ...]` element, which the RFC 5848 signature covers):

* seqs the collector holds, signed and verified, that the device no longer
  holds and did not evict: the device lost them (a tail wipe, a rollback);
* seqs the device holds (not evicted) that no verified collector message
  carries: they never reached the collector, or were cut from its file.

Only verified collector messages count: an unsigned line claims nothing. The
device's audited evictions are never findings. Used by
`hcdaudit verify store DEVICE_DIR --syslog FILE...` and
`hcdaudit verify syslog FILE... --device DEVICE_DIR`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError

__all__ = ["CrossFinding", "anchor_store_report", "crosscheck", "default_trust", "describe", "run_device_and_collector"]

# Finding kinds (stable: the JSON and the HTML report use them).
DEVICE_TAIL_LOST = "device_tail_lost"          # the collector holds seqs after the device's newest
LOST_ON_DEVICE = "lost_on_device"              # the collector holds seqs inside the device's span it lacks
COLLECTOR_TAIL_MISSING = "collector_tail_missing"   # device seqs after the collector's newest verified one
NOT_AT_COLLECTOR = "not_at_collector"          # device seqs before it that no verified message carries


@dataclass
class CrossFinding:
    kind: str
    first_seq: int
    last_seq: int
    detail: str

    def as_dict(self) -> dict:
        return {"kind": self.kind, "first_seq": self.first_seq, "last_seq": self.last_seq, "detail": self.detail}


def default_trust(device_dir: Path | None) -> list[Path]:
    """The device's escrowed syslog signing certificate, when there is one."""
    if device_dir is None:
        return []
    candidate = Path(device_dir) / "escrow" / "syslog-signing.pem"
    return [candidate] if candidate.is_file() else []


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _inside(seq: int, ranges: list[tuple[int, int]]) -> bool:
    return any(a <= seq <= b for a, b in ranges)


def _text(first: int, last: int) -> str:
    return f"seq {first}" if first == last else f"seqs {first}-{last}"


def device_view(report: Any) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(ranges the device holds, ranges it evicted on purpose) from a verify_store Report."""
    held = [(int(a), int(b)) for a, b in report.ranges]
    evicted = [(int(f.first_seq), int(f.last_seq)) for f in report.findings if f.verdict == "evicted"]
    through = int(getattr(report, "evicted_through", 0) or 0)
    if through:
        evicted.append((1, through))
    return held, evicted


def collector_seqs(syslog_report: dict, device_uuid: str | None, hostname: str | None) -> list[int]:
    """The device seqs of the collector's verified messages that belong to this device."""
    owners = syslog_report.get("verified_seqs", {})
    found: list[int] = []
    for owner, runs in owners.items():
        if owner in (device_uuid, hostname):
            for a, b in runs:
                found.extend(range(a, b + 1))
    return sorted(set(found))


def crosscheck(held: list[tuple[int, int]], evicted: list[tuple[int, int]], collected: list[int]) -> dict:
    """Compare the device's seq ranges with the collector's verified seqs."""
    findings: list[CrossFinding] = []
    device_last = max((b for _, b in held), default=0)
    collector_last = max(collected, default=0)
    collected_set = set(collected)
    lost = [s for s in collected if not _inside(s, held) and not _inside(s, evicted)]
    for a, b in _runs([s for s in lost if s > device_last]):
        findings.append(CrossFinding(DEVICE_TAIL_LOST, a, b, f"{_text(a, b)} reached the collector signed and "
                                     "verified, but the device no longer holds them: its newest records were "
                                     "removed (tail wipe or rollback)"))
    for a, b in _runs([s for s in lost if s <= device_last]):
        findings.append(CrossFinding(LOST_ON_DEVICE, a, b, f"{_text(a, b)} reached the collector signed and "
                                     "verified, but the device holds neither them nor an eviction of them"))
    absent = [s for a, b in held for s in range(a, b + 1) if s not in collected_set]
    for a, b in _runs([s for s in absent if s > collector_last]):
        findings.append(CrossFinding(COLLECTOR_TAIL_MISSING, a, b, f"{_text(a, b)} are on the device but in no "
                                     "verified collector message after its newest one: never delivered, or cut "
                                     "from the end of the collector's file"))
    for a, b in _runs([s for s in absent if s <= collector_last]):
        findings.append(CrossFinding(NOT_AT_COLLECTOR, a, b, f"{_text(a, b)} are on the device but in no verified "
                                     "collector message: never delivered, or removed from the collector's file"))
    findings.sort(key=lambda f: f.first_seq)
    both = [(a, b) for a, b in _runs([s for s in collected if _inside(s, held)])]
    statement = ("device and collector agree on " + (", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in both)
                                                     or "no seq"))
    if not findings and device_last and collector_last >= device_last:
        statement += f"; the device's newest record (seq {device_last}) is anchored by the collector"
    return {"findings": [f.as_dict() for f in findings], "device_last_seq": device_last,
            "collector_last_seq": collector_last, "agreed": [list(r) for r in both], "statement": statement,
            "ok": not findings}


def run_device_and_collector(source: Any, device_report: Any, files: list[Path], trust: list[Path] | None,
                             device_dir: Path | None) -> tuple[dict, dict]:
    """Verify the collector files (trust: given, else the device's escrowed
    certificate) and cross-check them with an already verified device."""
    from .syslog_verify import verify
    anchors = list(trust or []) or default_trust(device_dir)
    syslog_report = verify(files, anchors or None)
    identity = getattr(source, "identity", {}) or {}
    held, evicted = device_view(device_report)
    collected = collector_seqs(syslog_report, identity.get("uuid"), identity.get("fqdn"))
    if not collected and syslog_report.get("verified_seqs"):
        raise UsageError(f"{', '.join(str(f) for f in files)}: no verified message is from this device "
                         f"({identity.get('uuid')}): wrong device folder or wrong collector file")
    result = crosscheck(held, evicted, collected)
    syslog_report["tail"]["anchored"] = True
    syslog_report["tail"]["statement"] = result["statement"]
    return syslog_report, result


def anchor_store_report(report: Any, result: dict) -> None:
    """The collector's verified copy of the device's newest record anchors the
    store's tail: say so in the store report (its statement and JSON)."""
    if "syslog" not in report.anchors:
        report.anchors.append("syslog")
    if result["ok"] and result["device_last_seq"] and result["collector_last_seq"] >= result["device_last_seq"]:
        report.tail_anchored = True


def describe(result: dict) -> str:
    lines = [f"device/collector cross-check: {'AGREE' if result['ok'] else 'DISAGREE'}",
             f"  device newest seq     {result['device_last_seq'] or '-'}",
             f"  collector newest seq  {result['collector_last_seq'] or '-'} (verified)",
             f"  proven                {result['statement']}"]
    for f in result["findings"]:
        span = f"{f['first_seq']}" if f["first_seq"] == f["last_seq"] else f"{f['first_seq']}-{f['last_seq']}"
        lines.append(f"  {f['kind']:<22} seq {span:<13} {f['detail']}")
    return "\n".join(lines)
