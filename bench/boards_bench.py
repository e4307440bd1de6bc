"""`make bench`, per reference board (boards/profiles.py), the firmware frozen
as on the board (tests/romfs_image.py) under the MicroPython unix port:
  * the heap high-water mark of a full scenario (tests/heap_scenario.py: store
    at its cap, a working day with signed syslog, a power cut, reboot): the
    smallest budget it runs in (bisection; fragmentation included) and the
    live heap sampled during the run at the board's budget;
  * the frozen package: heap taken and time spent importing it, at the budget;
  * events/s of that day on the unix port, at the budget;
and the simulator's events/s on CPython (boards/host/simulate.py through
`hcdaudit sim`). Figures only: `make test-heap` is the pass/fail check.
Heap figures are the 64-bit unix port's: objects are about 1.5 times their
size on the boards' 32-bit MCUs."""
from __future__ import annotations

import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

import heap_budget as hb  # noqa: E402  (tests/heap_budget.py: the scenario's set-up and runs)
from boards import profiles  # noqa: E402

SIM_EVENTS = 2000


def board_figures(board: str, base: Path) -> dict:
    work, image, figures = hb.setup_board(board, base)
    budget = profiles.profile(board)["heap"]
    heap = hb.scenario_heap(budget, figures)
    at_budget = hb.measure_imports(board, image, work, heap)
    result, error = hb.run_scenario(board, work, image, budget, figures)
    smallest = hb.smallest_budget(board, work, image, figures, 32 * 1024, max(budget, 512 * 1024))
    return {"board": board, "budget": budget, "figures": figures, "imports": at_budget, "result": result,
            "error": error, "smallest": smallest}


def simulator_events_per_sec(base: Path, events: int = SIM_EVENTS) -> float:
    from hcdaudit_host import sim
    from hcdaudit_host.provision import provision
    folder = base / "sim-device"
    provision(folder, "bench-sim", "BS1")
    start = time.perf_counter()
    sim.run(folder, events, 1, 0, "cpython", syslog=f"file://{base / 'sim-collector.log'}")
    return events / (time.perf_counter() - start)


def rows(base: Path | None = None) -> list[tuple[str, str]]:
    base = base or Path(tempfile.mkdtemp(prefix="hcdaudit-bench-boards-"))
    boards = hb.boards()
    with ThreadPoolExecutor(len(boards)) as pool:
        measured = list(pool.map(lambda b: board_figures(b, base), boards))
    out = []
    for m in measured:
        r, f, imp = m["result"], m["figures"], m["imports"]
        label = f"{m['board']} (heap budget {m['budget'] // 1024} KiB)"
        smallest = f"{m['smallest'] // 1024} KiB" if m["smallest"] else "> 512 KiB"
        out.append((f"{label}: smallest heap running the full scenario", smallest))
        if r is None:
            out.append(("  the scenario at the budget", "MemoryError" if "MemoryError" in m["error"] else "failed"))
        else:
            out.append(("  live heap high-water at the budget (sampled; firmware only, qstr pools in flash)",
                        f"{r['heap_live_peak'] - f['harness_import'] - imp['qstr_heap']:,} B"))
            out.append(("  events/s logged (log() alone), unix port", f"{r['events'] / (r['log_ms'] / 1000):,.0f}"))
            out.append(("  events/s of the day: log, deliver, sign (an SB per 30 s simulated), reboot",
                        f"{r['events'] / (r['loop_ms'] / 1000):,.0f}"))
        out.append(("  frozen package (ROMFS image, .mpy): heap to import it (of it qstr pools)",
                    f"{imp['firmware_import']:,} B ({imp['qstr_heap']:,} B)"))
        out.append(("  frozen package: import time, unix port", f"{imp['import_us'] / 1000:.1f} ms"))
        out.append(("  ROMFS image size (in flash on a board)", f"{f['image']:,} B"))
    out.append((f"simulator events/s on CPython ({SIM_EVENTS:,} events, signed syslog to a file)",
                f"{simulator_events_per_sec(base):,.0f}"))
    return out


if __name__ == "__main__":
    for label, value in rows():
        print(f"  {label:<70}  {value:>12}")
