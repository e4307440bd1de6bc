"""The whole device path (bench/full_path.py: boot over a store at its
15,000-record cap, events whose flushes all evict, RFC 5848-signed syslog to
a collector file, drained) on the emulated Cortex-M3, with the firmware frozen
into the firmware's flash as bytecode (tests/mcu/build.py frozen_firmware():
the hcdaudit package, boards/common, boards/host's parts the path uses, the
qemu_m3 board, and the harness: full_path, fakes, rfc5848_vectors; hal/native.py
as Thumb-2 machine code). The NVRAM and the flash are the emulated board's own
parts over host files (qemu_m3.HostMemory, HostFlash), the collector file a
host folder mounted into the board's VFS (boards/qemu_m3/hostfs.py).

The heap: the MCU's 3.3 MiB less a ballast allocated first, as
tests/mcu/heap.py limits it, so that what is left is the budget plus what only
the harness puts in it, each measured on the MCU: the qstr pools the frozen
modules' imports fill (frozen qstrs are in flash: this is the few names made
at import) and the host folder's mount (the unix port's files cost no heap).
Everything else counts: the firmware's and the harness's modules (their
function objects, dicts), the log, the sender, fragmentation.
Used by the bench (`min_heap_kib_full_path_frozen_mcu`, bench/run.py) and by
tests/host/test_full_path_heap_mcu.py.
    python tests/mcu/full_path.py [--kib K] [--events N] [--breakdown]   # one run; prints its figures"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "tests")]

import full_path_heap  # noqa: E402
import romfs_image  # noqa: E402
from mcu import build, qemu  # noqa: E402

SEED = bytes(range(32))             # fixed power-on entropy (the path's own randomness is fakes.FakeRandom)
# What the path imports: the firmware's modules (tests/full_path_heap.py
# MODULES, the emulated board's memories instead of the unix port's files),
# then the harness's own (the path, the fake clock, the test key).
HARNESS_MODULES = ("full_path", "fakes", "rfc5848_vectors")
FIRMWARE_MODULES = tuple(m.strip() for m in full_path_heap.MODULES.split(",") if m.strip() not in HARNESS_MODULES) \
    + ("boards.host.board",)


def frozen_files() -> dict[str, Path]:
    """{module path: source}: what the frozen firmware holds."""
    return romfs_image.package_files("qemu_m3", full_path_heap.HARNESS)


def firmware() -> Path:
    return build.frozen_firmware(frozen_files())


MOUNT = "from boards.qemu_m3 import hostfs\nhostfs.mount({work!r})\n"

PROBE = """
import gc, json, micropython
gc.collect()
_a = gc.mem_alloc()
from boards.qemu_m3 import hostfs
hostfs.mount({work!r})
gc.collect()
_b = gc.mem_alloc()
micropython.qstr_info()
import {firmware}
gc.collect()
_c = gc.mem_alloc()
import {harness}
micropython.qstr_info()
gc.collect()
_e = gc.mem_alloc()
from hcdaudit.hal import micropython as _hal, native as _native
_d = bytearray(4)
_hal.xor_into(_d, b"\\x0f\\x0f\\x0f\\x0f", b"\\xff\\x00\\xf0\\x0a", 4)
print(json.dumps({{"repl_heap": _a, "mount_heap": _b - _a, "firmware_import_heap": _c - _b,
                  "harness_import_heap": _e - _c,
                  "native": _hal.xor_into is _native.xor_into and bytes(_d) == b"\\xf0\\x0f\\xff\\x05"}}))
"""

RUN = """
import gc
gc.collect()
_ballast = bytearray(max(0, gc.mem_alloc() + gc.mem_free() - {heap} - 64))
gc.collect()
import full_path
full_path.main({work!r}, {events}, "qemu_m3")
"""

# A breakdown in a roomy heap: the live heap after a collection at each stage
# of the run (bench/full_path.py run(stages=...)).
BREAKDOWN = """
import gc, json
gc.collect()
_stages = {{"start": gc.mem_alloc()}}
import full_path
print(json.dumps(full_path.run({work!r}, {events}, "qemu_m3", _stages)))
"""


def breakdown_of(stages: dict) -> dict:
    """Bytes live on the MCU: the modules (the path's first imports and the
    sender's side), the booted log with its board and littlefs mount, the
    sender (formatter, signer and its key, transport, cursor, backlog), and
    what stays alive after the run has drained."""
    return {"modules": stages["imported"] - stages["start"] + stages["sender_imported"] - stages["booted"],
            "audit_log": stages["booted"] - stages["imported"],
            "sender": stages["sender_ready"] - stages["sender_imported"],
            "grown_by_run": stages["drained"] - stages["sender_ready"],
            "at_end": stages["drained"] - stages["start"]}


class Setup:
    """The frozen firmware and a store filled to its cap (on CPython, all delivered), in `work`."""

    def __init__(self, work: Path, records: int = 15000):
        self.work = work
        work.mkdir(parents=True, exist_ok=True)
        self.elf = firmware()
        self.flash_bytes = build.firmware_size(self.elf)["flash"]
        self.filled = work / "full-path-filled"
        full_path_heap.fill_store(self.filled, records)
        self.figures = self._probe()
        # What only the harness puts in the heap: the host folder's mount and the
        # qstr pools the imports fill (frozen names are in flash: only the few made at import).
        self.overhead = self.figures["mount_heap"] + self.figures["qstr_heap"]
        self._runs = 0

    def _probe(self) -> dict:
        with qemu.Mcu(self.elf, seed=SEED) as mcu:
            out = mcu.exec(PROBE.format(work=str(self.filled), firmware=", ".join(FIRMWARE_MODULES),
                                         harness=", ".join(HARNESS_MODULES)), 120)
        lines = out.strip().splitlines()
        figures = json.loads(lines[-1])
        pools = [int(line.rsplit("n_total_bytes=", 1)[1]) for line in lines if line.startswith("qstr pool:")]
        if len(pools) != 2:
            raise RuntimeError(f"micropython.qstr_info() printed no pool figures: {out[-500:]}")
        figures["qstr_heap"] = pools[1] - pools[0]
        return figures

    def heap_bytes(self, kib: int) -> int:
        """The MCU heap left to a run at a budget of `kib` KiB."""
        return kib * 1024 + self.overhead

    def _exec(self, snippet: str, timeout: float, **fields) -> tuple[dict | None, str]:
        self._runs += 1
        device = self.work / f"full-path-{self._runs}"
        shutil.copytree(self.filled, device)
        started = time.monotonic()
        try:
            with qemu.Mcu(self.elf, seed=SEED) as mcu:
                mcu.exec(MOUNT.format(work=str(device)), 60)
                out = mcu.exec(snippet.format(work=str(device), **fields), timeout)
        except qemu.McuError as exc:
            return None, str(exc)
        finally:
            shutil.rmtree(device, ignore_errors=True)
        result = json.loads(out.strip().splitlines()[-1])
        result["wall_seconds"] = time.monotonic() - started
        return result, out

    def run(self, kib: int, events: int, timeout: float = 1800) -> tuple[dict | None, str]:
        """(the run's figures, or None when it failed; the board's output or
        error) in a budget of `kib` KiB, on a fresh copy of the filled store."""
        return self._exec(RUN, timeout, heap=self.heap_bytes(kib), events=events)

    def breakdown(self, events: int = 200) -> dict:
        """breakdown_of() a run in the whole MCU heap."""
        result, out = self._exec(BREAKDOWN, 1800, events=events)
        if result is None:
            raise RuntimeError("the breakdown run failed: " + out[-1500:])
        return breakdown_of(result["heap_stages"])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kib", type=int, default=64)
    parser.add_argument("--events", type=int, default=15000)
    parser.add_argument("--breakdown", action="store_true", help="also the live heap at each stage (a roomy heap)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="hcdaudit-mcu-full-path-"))
    try:
        setup = Setup(work)
        print(json.dumps({"firmware_flash_bytes": setup.flash_bytes, **setup.figures}))
        if args.breakdown:
            print(json.dumps(setup.breakdown()))
        result, output = setup.run(args.kib, args.events)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result) if result else "FAILED\n" + output[-3000:])
    return 0 if result else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
