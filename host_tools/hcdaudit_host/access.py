"""Open a device folder read-only for the host tools (export, verify).
The general entry point, which also reads raw flash dumps, is source.py."""
from __future__ import annotations

from pathlib import Path

from hcdaudit.reader import Reader

from .errors import UsageError
from .source import open_folder


def open_reader(device_dir: Path) -> Reader:
    """A Reader over a copy of the NVRAM file, so reading never writes the device."""
    return open_folder(Path(device_dir)).reader


def require_authentic(report, device_dir: Path) -> None:
    """A device whose records exist but none authenticates is not damaged: it is
    being read with the wrong key (or is another device's memory)."""
    if report.verified == 0 and (report.in_store or report.findings):
        raise UsageError(f"no record of {device_dir} authenticates: wrong master key, or not this device's memory")
