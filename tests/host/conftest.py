"""Shared fixtures for the CPython-only host tests."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "firmware"), str(ROOT / "tests/firmware")]
import support  # noqa: E402,F401  (tests/firmware/support.py: shared fixtures)


def micropython() -> str:
    candidate = Path(sys.executable).with_name("micropython")
    return str(candidate) if candidate.exists() else shutil.which("micropython") or "micropython"


def run_micropython(script: str, *args: str, heap: str = "4M", timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a MicroPython snippet with the firmware and boards on its path."""
    env = dict(os.environ, MICROPYPATH=f"{ROOT}:{ROOT / 'firmware'}:{ROOT / 'tests/firmware'}")
    proc = subprocess.run([micropython(), "-X", f"heapsize={heap}", "-c", script, *args],
                          capture_output=True, text=True, env=env, timeout=timeout)
    assert proc.returncode == 0, proc.stderr or proc.stdout
    return proc


def run_cpython(script: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """run_micropython()'s snippet under this CPython, with the same path."""
    env = dict(os.environ, PYTHONPATH=f"{ROOT}:{ROOT / 'firmware'}:{ROOT / 'tests/firmware'}")
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
                          timeout=timeout)
    assert proc.returncode == 0, proc.stderr or proc.stdout
    return proc


FIGURES: list[str] = []
FIGURES_FILE = ROOT / "build" / "test-figures.txt"


def record_figure(text: str) -> None:
    """A figure a test measured (throughput, a RELP window): kept in
    build/test-figures.txt and shown in its own section after the progress dots,
    never among them. Targets live in `make bench`, not here."""
    FIGURES.append(text)


def pytest_terminal_summary(terminalreporter) -> None:
    if not FIGURES:
        return
    FIGURES_FILE.parent.mkdir(exist_ok=True)
    FIGURES_FILE.write_text("\n".join(FIGURES) + "\n")
    terminalreporter.section("figures (not tests: build/test-figures.txt)")
    for line in FIGURES:
        terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def isolated_state(tmp_path, monkeypatch):
    """High-water marks of test devices go to the test's folder, never the user's."""
    monkeypatch.setenv("HCDAUDIT_STATE_DIR", str(tmp_path / "hcdaudit-state"))


@pytest.fixture
def hcdaudit(tmp_path):
    """Run the hcdaudit command in-process; returns (exit status, stdout, stderr)."""
    from hcdaudit_host.cli import main

    def call(*argv: str, capsys=None):
        import contextlib
        import io
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main([str(a) for a in argv])
            except SystemExit as exc:   # argparse errors
                status = exc.code
        return status, out.getvalue(), err.getvalue()
    return call

# The real rsyslog collector fixtures (tests/host/conftest_rsyslog.py).
from conftest_rsyslog import rsyslog, rsyslog_factory  # noqa: E402,F401
