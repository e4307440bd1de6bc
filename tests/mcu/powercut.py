"""Power cuts on the emulated Cortex-M3: the board's NV memory and flash are
host files (semihosting), so they outlive QEMU. The board logs events; at a
random instruction count during a ring flush (50 records sealed into a store
segment on littlefs) it loses power: QEMU ends there, mid-write or not (flash
writes go out 32 bytes at a time, NV memory 8). The same image boots again
on the same files, recovers and logs on; after the last cut, every seq any
log() returned must be in the flash + NV memory, and the reader must find
the store intact. Random but repeatable (--seed).
    python tests/mcu/powercut.py [--cuts N] [--seed S]"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from mcu import build, qemu  # noqa: E402

EVENTS_PER_BOOT = 120
CUT_WINDOW = 40_000_000     # instructions: a flush takes ~31 M (make bench), so some cuts land just after


def image() -> Path:
    files = build.firmware_files()
    files["fakes.py"] = ROOT / "tests/firmware/fakes.py"
    files["mcu_powercut.py"] = HERE / "mcu_powercut.py"
    return build.romfs("powercut", files)


def boot(elf: Path, romfs: Path, seed: int, index: int, code: str, returned: list[int]) -> tuple[str, int | None]:
    """One power-on running `code`; (output, QEMU's exit status if it ended)."""
    lines = []

    def on_line(line: str) -> None:
        lines.append(line)
        if line.startswith("SEQ "):
            returned.append(int(line[4:]))
    with qemu.Mcu(elf, romfs, seed=random.Random(seed * 1000 + index).randbytes(32), icount=True) as mcu:
        mcu.exec(qemu.MOUNT_ROMFS + "import mcu_powercut\n", 30)
        try:
            mcu.exec(code, 600, on_line)
        except qemu.PoweredOff as off:
            for line in off.output.decode("utf-8", "replace").splitlines():
                on_line(line.strip())
            return "\n".join(lines), off.status
    return "\n".join(lines), None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cuts", type=int, default=6)
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args(argv)
    try:
        elf = build.firmware()
    except build.ToolMissing as exc:
        print(f"mcu power cuts: {exc}")
        return 1
    romfs = image()
    rng = random.Random(args.seed)
    started = time.monotonic()
    problems = []
    returned: list[int] = []
    recoveries = []
    with tempfile.TemporaryDirectory(prefix="hcdaudit-mcu-cut-") as work:
        for index in range(args.cuts + 1):
            cut = rng.randrange(1, CUT_WINDOW) if index < args.cuts else 0
            out, status = boot(elf, romfs, args.seed, index, f"mcu_powercut.run({work!r}, {index}, "
                               f"{EVENTS_PER_BOOT}, {cut})", returned)
            for line in out.splitlines():
                if line.startswith("BOOT "):
                    recoveries.append(json.loads(line[5:])["actions"])
            if cut and status != qemu.POWER_CUT_EXIT_STATUS:
                problems.append(f"boot {index}: armed a cut {cut:,} instructions into a flush, but QEMU "
                                f"{'ran to the end' if status is None else f'ended with status {status}'}")
            if not cut and "DONE" not in out:
                problems.append(f"boot {index}: the last run did not finish: {out[-500:]}")
        out, _ = boot(elf, romfs, args.seed, args.cuts + 1, f"mcu_powercut.present({work!r})", [])
    found = json.loads(out.strip().splitlines()[-1])
    present = {seq for a, b in found["runs"] for seq in range(a, b + 1)}
    lost = sorted(set(returned) - present)
    if lost:
        problems.append(f"{len(lost)} seqs log() returned are gone: {lost[:10]}")
    if not found["intact"]:
        problems.append(f"the reader's findings: {found['findings']}")
    completed = sum(1 for actions in recoveries if any("interrupted" in a for a in actions))
    print(f"mcu power cuts: {args.cuts} cuts at random instruction counts in flushes (seed {args.seed}), "
          f"{len(set(returned))} seqs returned, {len(lost)} lost, store {'intact' if found['intact'] else 'NOT intact'}; "
          f"{completed} reboots completed an interrupted flush ({time.monotonic() - started:.0f} s)")
    for problem in problems:
        print("FAIL", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
