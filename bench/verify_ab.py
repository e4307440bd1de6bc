"""Before/after of verify's bench figures, interleaved on one machine (issue 20).

    python bench/verify_ab.py BEFORE_ROOT AFTER_ROOT STORE [STORE...] [--rounds N]

BEFORE_ROOT and AFTER_ROOT are two checkouts (e.g. `git archive <commit> | tar -x -C DIR`);
each STORE a device folder (bench/run.py builds one with device_bench.py fill and escrow_for).
Each round times, for each checkout in turn: in-process `verify_store.verify` (the median of 3,
as bench/run.py's verify_15000_s), the whole `hcdaudit verify store` process with the
checkout's bytecode compiled (verify_cli_15000_s), and then the anchors' whole processes over
their 15,000 entries (bench/anchors.py): `slogverify` and `journalctl --verify --verify-key`.
Prints the medians over the rounds."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
IN_PROCESS = r'''
import statistics, sys, time
from pathlib import Path
root = sys.argv[1]
sys.path[:0] = [root + "/host_tools", root, root + "/firmware"]
from hcdaudit_host.verify_store import verify
seconds = []
for _ in range(3):
    start = time.perf_counter()
    report = verify(Path(sys.argv[2]), Path(sys.argv[3]), remember=False, show_progress=False)
    seconds.append(time.perf_counter() - start)
print(statistics.median(seconds), report.verified, report.intact())
'''
CLI = ("import sys; root = sys.argv.pop(1); sys.path[:0] = [root + '/host_tools', root, root + '/firmware']; "
       "from hcdaudit_host.cli import main; sys.exit(main())")


def _timed(cmd: list[str], **kw) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"{cmd[:3]}... failed: {proc.stderr.strip()[-300:]}")
    return seconds, proc.stdout


def main(argv: list[str]) -> int:
    rounds = 5
    if "--rounds" in argv:
        i = argv.index("--rounds")
        rounds = int(argv[i + 1])
        del argv[i:i + 2]
    if len(argv) < 3:
        print(__doc__)
        return 2
    roots = {"before": Path(argv[0]).resolve(), "after": Path(argv[1]).resolve()}
    stores = [Path(s).resolve() for s in argv[2:]]
    sys.path.insert(0, str(HERE))
    import anchors
    slog = anchors.measure(Path("/tmp/verify-ab-slog"), 15000, 1)
    journald_work = Path("/tmp/verify-ab-journald")
    journald = anchors.measure_journald(journald_work, 15000, 1)
    work = Path("/tmp/verify-ab-state")
    work.mkdir(exist_ok=True)
    for root in roots.values():
        subprocess.run([PY, "-m", "compileall", "-q", str(root / "firmware"), str(root / "boards"),
                        str(root / "host_tools")], capture_output=True, check=False)
    figures: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, root in roots.items():
            for store in stores:
                _, out = _timed([PY, "-c", IN_PROCESS, str(root), str(store), str(work / name)])
                figures.setdefault(f"verify_15000_s {name} {store}", []).append(float(out.split()[0]))
                seconds, _ = _timed([PY, "-c", CLI, str(root), "verify", "store", str(store), "--state",
                                     str(work / f"{name}-cli")])
                figures.setdefault(f"verify_cli_15000_s {name} {store}", []).append(seconds)
        if slog["slogverify_s"] is not None:
            Path("/tmp/verify-ab-slog/verified.log").unlink(missing_ok=True)
            seconds, _ = _timed([anchors._tool("slogverify"), "-k", "host.key", "-m", "new.mac", "sealed.log",
                                 "verified.log"], cwd="/tmp/verify-ab-slog", env=anchors.environment())
            figures.setdefault("slogverify_15000_s", []).append(seconds)
        if journald["journald_verify_s"] is not None:
            seconds, cpu = anchors.verify_journal(journald_work / "sealed.journal",
                                                  (journald_work / "verify.key").read_text().strip())
            figures.setdefault("journald_verify_15000_s", []).append(seconds)
            figures.setdefault("journald_verify_cpu_15000_s", []).append(cpu)
    for key, values in figures.items():
        print(f"{key:64s} median {statistics.median(values):.4f}   ({' '.join(f'{v:.3f}' for v in values)})")
    if slog["slog_note"]:
        print("slogverify:", slog["slog_note"])
    if journald["journald_note"]:
        print("journald:", journald["journald_note"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
