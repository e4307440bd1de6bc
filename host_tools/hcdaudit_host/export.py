"""`hcdaudit export`: every record of a device, in seq order, in a chosen format."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from .access import open_reader, require_authentic
from .records import to_json

FORMATS = ("jsonl",)


def export(device_dir: Path, fmt: str, out: TextIO) -> tuple[int, object]:
    """Write the records; return (count, integrity report). Damaged records are
    skipped with a finding, never a crash: everything that authenticates is exported."""
    reader = open_reader(device_dir)
    count = 0
    for record in reader.records():
        out.write(json.dumps(to_json(record), ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    require_authentic(reader.report, device_dir)
    return count, reader.report


def export_to(device_dir: Path, fmt: str, output: Path | None) -> tuple[int, object]:
    if output is None:
        return export(device_dir, fmt, sys.stdout)
    with open(output, "w", encoding="utf-8") as out:
        return export(device_dir, fmt, out)
