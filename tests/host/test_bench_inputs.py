"""The bench's inputs stay valid as the formats move on: a store filled by
bench/device_bench.py and given bench/run.py's escrow verifies intact (a bench
that measures a verifier refusing its input measures nothing)."""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_bench_filled_store_verifies_with_the_bench_escrow(tmp_path):
    device = tmp_path / "full"
    device.mkdir()
    proc = subprocess.run([sys.executable, str(ROOT / "bench/device_bench.py"), "fill", str(device), "120"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    spec = importlib.util.spec_from_file_location("hcdaudit_bench_run", ROOT / "bench/run.py")
    assert spec and spec.loader
    bench_run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_run)
    bench_run.escrow_for(device)
    from hcdaudit_host.verify_store import verify
    report = verify(device, tmp_path / "state", remember=False, show_progress=False)
    assert report.verified >= 120 and not report.findings, report.findings
