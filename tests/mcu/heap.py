"""The heap scenario of `make test-heap` (tests/heap_budget.py,
tests/heap_scenario.py: a working day at the store's cap with signed syslog
and a power cut in a flush) on the emulated Cortex-M3, at each reference
board's heap budget (boards/profiles.py). The board's own wiring runs over
the simulated peripherals as on the unix port; their contents (flash, FRAM,
backup SRAM) and the collector file are host files (boards/qemu_m3/hostfs.py),
stm32's key folder a littlefs on the board's spare SRAM. The heap: the MCU's
3.3 MiB less a ballast allocated first, so that what is left is the budget
plus the scenario's own modules and simulated memories and the firmware's
qstr pools, each measured on the MCU as tests/heap_budget.py measures them
on the unix port (the image is in the ROMFS partition, not the heap). The
host then checks the flash, FRAM and collector file with its own code.
    python tests/mcu/heap.py [--board NAME]... [--events N]"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests/firmware"), str(ROOT), str(ROOT / "firmware"),
                str(ROOT / "host_tools")]

import heap_budget  # noqa: E402
import heap_scenario  # noqa: E402
from boards import profiles  # noqa: E402
from mcu import build, qemu  # noqa: E402


def image() -> Path:
    files = build.firmware_files()
    files.update(heap_budget.HARNESS_FILES)
    return build.romfs("heap", files)


def setup_code(board: str, work: Path) -> str:
    """Mounts: the root littlefs (RAM flash), stm32's key folder (a littlefs on
    the spare SRAM, mounted first so it wins over the host folder around it),
    the work folder (host files)."""
    code = qemu.MOUNT_ROMFS + "from boards.qemu_m3 import boot, board, hostfs\nboot.mount_root()\n"
    if board == "stm32":
        code += ("import vfs\n_k = board.open_scratch_flash()\nvfs.VfsLfs2.mkfs(_k)\n"
                 f"vfs.mount(vfs.VfsLfs2(_k), {str(work / heap_scenario.KEY_DIR)!r})\n")
    return code + f"hostfs.mount({str(work)!r})\n"


def measure_imports(elf: Path, romfs: Path, board: str, work: Path) -> dict:
    heap_budget.restore_filled(work)
    code = heap_budget.IMPORTS_SNIPPET.format(firmware=heap_budget.firmware_modules(board),
                                              harness=heap_budget.HARNESS_MODULES, work=str(work), board=board)
    with qemu.Mcu(elf, romfs) as mcu:
        mcu.exec(setup_code(board, work), 60)
        out = mcu.exec(code, 600)
    lines = out.strip().splitlines()
    result = json.loads(lines[-1])
    pools = [int(line.rsplit("n_total_bytes=", 1)[1]) for line in lines if line.startswith("qstr pool:")]
    result["qstr_heap"] = pools[1] - pools[0] if len(pools) == 2 else 0
    return result


RUN_SNIPPET = """
import gc
gc.collect()
_ballast = bytearray(max(0, gc.mem_alloc() + gc.mem_free() - {heap} - 64))
gc.collect()
_base = gc.mem_alloc()
import heap_scenario
heap_scenario.main(_base, {work!r}, {board!r}, {budget}, {events}, {seed}, {cut_at}, {firmware!r})
"""


def check_board(elf: Path, romfs: Path, board: str, base: Path, events: int) -> dict:
    work = base / board
    work.mkdir()
    started = time.monotonic()
    figures = heap_budget.prepare(board, work)
    for name in heap_budget.MEMORY_FILES:
        if (work / name).exists():
            shutil.move(work / name, work / (name + ".filled"))
    figures.update(measure_imports(elf, romfs, board, work))
    figures["image"] = romfs.stat().st_size
    budget = profiles.profile(board)["heap"]
    heap = heap_budget.scenario_heap(budget, figures)
    outcome = {"board": board, "budget": budget, "heapsize": heap, **figures}
    heap_budget.restore_filled(work)
    (work / "collector.log").unlink(missing_ok=True)
    code = RUN_SNIPPET.format(heap=heap, work=str(work), board=board, budget=budget, events=events,
                              seed=heap_budget.SEED, cut_at=heap_budget.CUT_AT,
                              firmware=heap_budget.firmware_modules(board))
    try:
        with qemu.Mcu(elf, romfs) as mcu:
            mcu.exec(setup_code(board, work), 60)
            out = mcu.exec(code, 1800)
    except qemu.McuError as exc:
        outcome["problems"] = ["MemoryError at the budget" if "MemoryError" in str(exc) else "the run failed"]
        outcome["error"] = str(exc)[-1500:]
        return outcome
    outcome.update(json.loads(out.strip().splitlines()[-1]))
    outcome["problems"] = heap_budget.verify(work, outcome)
    outcome["seconds"] = time.monotonic() - started
    return outcome


def describe(o: dict) -> str:
    head = f"{o['board']:8} budget {o['budget'] // 1024} KiB on the emulated Cortex-M3"
    if "heap_live_peak" not in o:
        return head + "\n    FAIL: " + "; ".join(o["problems"]) + "\n    " + o.get("error", "").replace("\n", "\n    ")
    firmware = o["heap_live_peak"] - o["harness_import"] - o["qstr_heap"]
    body = (f": heap {o['heapsize']:,} B = budget + image {o['image_heap']:,} + qstr pools {o['qstr_heap']:,} "
            f"+ scenario modules {o['harness_import']:,} + simulated memories {o['memories_heap']:,}\n"
            f"    {sum(b - a + 1 for a, b in o['returned'])} records returned, {o['power_cuts']} power cut, "
            f"{o['boots']} boots, {o['evicted']:,} evicted, {o['signature_blocks_verified']} messages "
            f"signature-verified; heap high-water (live): firmware {firmware:,} B "
            f"({100 * firmware / o['budget']:.0f}% of the budget) ({o['seconds']:.0f} s)")
    if o["problems"]:
        return head + body + "\n    FAIL: " + "; ".join(o["problems"])
    return head + body + "\n    ok"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--board", action="append", choices=heap_budget.boards())
    parser.add_argument("--events", type=int, default=heap_budget.EVENTS)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    try:
        elf = build.firmware()
    except build.ToolMissing as exc:
        print(f"mcu heap: {exc}")
        return 1
    romfs = image()
    base = Path(tempfile.mkdtemp(prefix="hcdaudit-mcu-heap-"))
    names = args.board or heap_budget.boards()
    try:
        with ThreadPoolExecutor(args.jobs) as pool:
            outcomes = list(pool.map(lambda b: check_board(elf, romfs, b, base, args.events), names))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    for o in outcomes:
        print(describe(o))
    failed = [o["board"] for o in outcomes if o["problems"]]
    print(f"mcu heap budget: {len(outcomes) - len(failed)} boards ok, {len(failed)} failed"
          + (f" ({', '.join(failed)})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
