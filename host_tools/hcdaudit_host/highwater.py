"""The host's per-device high-water mark: the last seq each verification saw and
the chain link after it. A later verification that finds fewer seqs, or another
record at that seq, reports a rollback or tail truncation that leaves no trace
on the device itself (newest segment deleted and NVRAM reset, an old image restored)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from hcdaudit.reader import Report


def default_state_dir() -> Path:
    return Path(os.environ.get("HCDAUDIT_STATE_DIR", Path.home() / ".local/state/hcdaudit"))


class HighWater:
    def __init__(self, state_dir: Path | None = None):
        self.path = (state_dir or default_state_dir()) / "highwater.json"
        try:
            self.marks = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.marks = {}

    def check(self, device_id: str, report: Report, links: dict[int, bytes]) -> None:
        """Add a 'rolled back' finding to the report if the device went backwards."""
        mark = self.marks.get(device_id)
        if not mark:
            return
        seen = mark["last_seq"]
        if report.last_seq < seen:
            report.add("rolled back", report.last_seq + 1, seen,
                       f"seqs up to {seen} were verified earlier and are gone (tail truncated or memory rolled back)")
        elif seen in links and links[seen].hex() != mark["chain"]:
            report.add("rolled back", seen, seen, "the record at the earlier high-water mark was replaced")

    def update(self, device_id: str, report: Report, links: dict[int, bytes]) -> None:
        mark = self.marks.get(device_id)
        if report.last_seq in links and (not mark or report.last_seq > mark["last_seq"]):
            self.marks[device_id] = {"last_seq": report.last_seq, "chain": links[report.last_seq].hex()}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.marks, indent=1, sort_keys=True))
            tmp.replace(self.path)
