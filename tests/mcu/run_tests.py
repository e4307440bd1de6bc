"""`make test-mcu`: every portable firmware test (tests/firmware/test_*.py) on
the emulated Cortex-M3 (boards/qemu_m3 under qemu-system-arm), driven over
the emulated UART's raw REPL, as tests/run_firmware.py runs them on the unix
port. The firmware and the tests are frozen into one ROMFS image; the root
littlefs (the tests' /tmp) is on the board's RAM flash. Tests that need what
the board has not (a network stack: they import `socket`; or what a test names
with support.NotOnThisPort: asyncio, a host-sized heap) are counted apart.
    python tests/mcu/run_tests.py [-k SUBSTRING] [--jobs N] [-v]
Prints `mcu: N passed, N failed`."""
from __future__ import annotations

import argparse
import queue
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from mcu import build, qemu  # noqa: E402

SETUP = qemu.MOUNT_ROMFS + (
    "sys.path.append('/rom/fwtests')\n"
    "from boards.qemu_m3 import boot\n"
    "boot.mount_root()\n"
    "import mcu_runner\n")


# the slowest on the board, measured, slowest first; the rest by size
SLOW = ["test_powercut", "test_capacity", "test_board_stm32", "test_board_rp2040", "test_board_esp32s3",
        "test_controller"]


def test_files() -> dict[str, Path]:
    files = build.firmware_files()
    for src in sorted((ROOT / "tests/firmware").glob("*.py")):
        files[f"fwtests/{src.name}"] = src
    files["mcu_runner.py"] = HERE / "mcu_runner.py"
    return files


def modules() -> list[str]:
    return sorted(p.stem for p in (ROOT / "tests/firmware").glob("test_*.py"))


class Tally:
    def __init__(self, verbose: bool):
        self.passed: list[str] = []
        self.failed: list[str] = []
        self.not_run: list[str] = []
        self.verbose = verbose
        self.failure_text: list[str] = []
        self._current: list[str] | None = None
        self.seconds: dict[str, float] = {}

    def line(self, text: str) -> None:
        verdict, _, name = text.partition(" ")
        if verdict == "PASS":
            self.passed.append(name)
            self._current = None
        elif verdict == "NOTRUN":
            test, _, reason = name.partition(" ")
            self.not_run.append(f"{test} ({reason})")
            self._current = None
        elif verdict == "FAIL":
            self.failed.append(name)
            self._current = [f"FAIL {name}"]
            self.failure_text.append("")
        elif self._current is not None:
            self._current.append(text)
            self.failure_text[-1] = "\n".join(self._current)
        if self.verbose:
            print(text, flush=True)


# The board's spare SRAM must be what it claims: QEMU mirrors a smaller RAM
# above its end, and a RAM flash laid over a mirror writes over itself (littlefs
# then reports corruption, error 84, in whatever test comes next). A marker in
# every 64 KiB of the window, each read back after all are written.
SRAM_WINDOW_CHECK = (
    "import qemu_m3\n"
    "_step = 0x10000\n"
    "_offsets = range(0x10000, qemu_m3.RAM_SIZE, _step)\n"
    "_saved = [bytes(qemu_m3.ram(o, 4)) for o in _offsets]\n"
    "for _o in _offsets:\n"
    "    qemu_m3.ram(_o, 4)[:] = _o.to_bytes(4, 'little')\n"
    "_bad = [hex(o) for o in _offsets if bytes(qemu_m3.ram(o, 4)) != o.to_bytes(4, 'little')]\n"
    "for _o, _b in zip(_offsets, _saved):\n"
    "    qemu_m3.ram(_o, 4)[:] = _b\n"
    "print('mirrored' if _bad else 'sram ok', _bad[:4])\n")


def run_group(elf: Path, romfs: Path, names: queue.SimpleQueue, pattern: str | None, tally: Tally) -> None:
    """Modules taken from `names` until it is empty, on one board, rebooted if one crashes or hangs it."""
    mcu = None
    try:
        while True:
            try:
                name = names.get_nowait()
            except queue.Empty:
                break
            if mcu is None:
                mcu = qemu.Mcu(elf, romfs)
                answer = mcu.exec(SRAM_WINDOW_CHECK, 60)
                if "sram ok" not in answer:
                    raise SystemExit(f"mcu: the board's spare SRAM window is not all RAM: {answer.strip()}")
            else:       # each module on a fresh heap: 3.3 MiB, not the unix port's 8, fragments
                mcu.soft_reset()
            mcu.exec(SETUP, 60)
            started = time.monotonic()
            try:
                mcu.exec(f"mcu_runner.run_module({name!r}, {pattern!r})", 900, tally.line)
            except qemu.McuError as exc:
                tally.line(f"FAIL {name}.<board>")
                tally.line(str(exc)[-2000:])
                mcu.close()
                mcu = None
            tally.seconds[name] = time.monotonic() - started
    finally:
        if mcu is not None:
            mcu.close()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-k", dest="pattern")
    parser.add_argument("--jobs", type=int, default=2, help="boards run side by side (default 2)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    try:
        elf = build.firmware()
    except build.ToolMissing as exc:
        print(f"mcu: {exc}")
        return 1
    romfs = build.romfs("tests", test_files())
    started = time.monotonic()
    names: queue.SimpleQueue = queue.SimpleQueue()
    # the longest first (the power-cut sweep takes a third of the time), so the boards finish together
    for name in sorted(modules(), key=lambda n: (SLOW.index(n) if n in SLOW else len(SLOW),
                                                 -(ROOT / "tests/firmware" / f"{n}.py").stat().st_size)):
        names.put(name)
    tallies = [Tally(args.verbose) for _ in range(args.jobs)]
    with ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(lambda i: run_group(elf, romfs, names, args.pattern, tallies[i]), range(args.jobs)))
    tally = Tally(args.verbose)
    for t in tallies:
        for field in ("passed", "failed", "not_run", "failure_text"):
            getattr(tally, field).extend(getattr(t, field))
        tally.seconds.update(t.seconds)
    if args.verbose:
        for name, seconds in sorted(tally.seconds.items(), key=lambda kv: -kv[1]):
            print(f"  {seconds:6.1f} s  {name}")
    for text in tally.failure_text:
        print(text)
    print(f"mcu: {len(tally.passed)} passed, {len(tally.failed)} failed")
    if tally.not_run:
        print(f"mcu: {len(tally.not_run)} not run, for what this port lacks: {', '.join(tally.not_run)}")
    print(f"mcu: {time.monotonic() - started:.0f} s on {args.jobs} emulated boards "
          f"(firmware {elf.name}, tests image {romfs.stat().st_size:,} B)")
    if not tally.passed:
        print("no firmware test ran")
        return 1
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
