"""Open a device folder read-only for the host tools (export, verify)."""
from __future__ import annotations

from pathlib import Path

from boards.host import device
from boards.host.board import runtime_hal
from boards.host.dirfs import DirFs
from boards.host.memory import RamNvram
from hcdaudit import ring
from hcdaudit.reader import Reader

from .errors import UsageError


def open_reader(device_dir: Path) -> Reader:
    """A Reader over a copy of the NVRAM file, so reading never writes the device."""
    if not device_dir.is_dir():
        raise UsageError(f"{device_dir} is not a folder")
    try:
        identity = device.load_identity(str(device_dir), device.ESCROW_DIR)
        key = device.load_master_key(str(device_dir), device.ESCROW_DIR)
    except device.DeviceError as exc:
        raise UsageError(str(exc)) from None
    nvram_path = device_dir / device.NVRAM_FILE
    store_path = device_dir / device.STORE_DIR
    try:
        nvram_bytes = nvram_path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {nvram_path}: {exc.strerror}") from None
    expected = ring.region_size(identity["slot_count"], identity["slot_size"])
    if len(nvram_bytes) != expected:
        raise UsageError(f"{nvram_path} holds {len(nvram_bytes)} bytes, the device's ring needs {expected}")
    if not store_path.is_dir():
        raise UsageError(f"missing store folder {store_path}")
    try:
        return Reader(DirFs(str(store_path)), RamNvram(len(nvram_bytes), nvram_bytes), key,
                      identity["slot_count"], identity["slot_size"], runtime_hal().Aes)
    except ring.RingError as exc:
        raise UsageError(str(exc)) from None


def require_authentic(report, device_dir: Path) -> None:
    """A device whose records exist but none authenticates is not damaged: it is
    being read with the wrong key (or is another device's memory)."""
    if report.verified == 0 and (report.in_store or report.findings):
        raise UsageError(f"no record of {device_dir} authenticates: wrong master key, or not this device's memory")
