"""The host package as a user gets it: a wheel built from the checkout, installed
with its device extra into a fresh venv (dependencies from the package index),
gives a complete `hcdaudit` (deploy and the MicroPython simulator included), the
firmware and board support inside the package, no warnings, and runs
docs/EMBEDDING.md's minimal example."""
from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT


def run(*command, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=600, **kwargs)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the wheel and its `device` extra: its bin/ folder."""
    where = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", where / "dist", ROOT)
    wheels = list((where / "dist").glob("hcdaudit-*.whl"))
    assert len(wheels) == 1, wheels
    venv.create(where / "venv", with_pip=True)
    bin_dir = where / "venv/bin"
    run(bin_dir / "python", "-m", "pip", "install", "--quiet", f"{wheels[0]}[device]")
    return bin_dir


def site_packages(bin_dir: Path) -> Path:
    return Path(run(bin_dir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
                .stdout.strip())


def test_the_wheel_carries_firmware_and_boards_inside_its_own_package(installed, tmp_path):
    names = {p.name for p in site_packages(installed).iterdir()}
    assert "hcdaudit_host" in names and "boards" not in names and "hcdaudit" not in names, sorted(names)
    lib = site_packages(installed) / "hcdaudit_host/device_lib"
    for name in ("hcdaudit/audit.py", "hcdaudit/hal/micropython.py", "boards/common/subsystem.py",
                 "boards/rp2040/board.py", "boards/rp2040/main.py", "boards/rp2040/manifest.py",
                 "boards/rp2040/README.md", "boards/stm32/boot.py", "boards/host/simulate.py"):
        assert (lib / name).is_file(), name
    # A plain interpreter sees no `boards`; the host package brings it along.
    proc = subprocess.run([installed / "python", "-c", "import boards"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode != 0
    run(installed / "python", "-c", "import hcdaudit_host, boards.common.subsystem, hcdaudit.audit", cwd=tmp_path)


def test_version(installed):
    from hcdaudit_host import __version__
    assert run(installed / "hcdaudit", "--version").stdout.strip() == f"hcdaudit {__version__}"


def test_every_command_works_without_warnings(installed, tmp_path):
    hcdaudit = installed / "hcdaudit"
    device = tmp_path / "printer-1"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}     # what a user sees
    steps = [("provision", device, "--board", "rp2040"),
             ("deploy", "--board", "rp2040", "--port", "/dev/ttyACM0", "--device", device, "--dry-run",
              "--build-dir", tmp_path / "build"),
             ("provision", tmp_path / "host-1"),
             ("sim", tmp_path / "host-1", "--events", "60", "--syslog", f"file://{tmp_path / 'c.log'}"),
             ("sim", tmp_path / "host-1", "--events", "60", "--runtime", "micropython"),
             ("verify", "store", tmp_path / "host-1"),
             ("verify", "syslog", tmp_path / "c.log", "--trust", tmp_path / "host-1/escrow/syslog-signing.pem")]
    for step in steps:
        proc = run(hcdaudit, *step, env=env, cwd=tmp_path)
        assert "Warning" not in proc.stderr, (step, proc.stderr)
    assert (tmp_path / "build/rp2040/lib/boards/common/subsystem.mpy").is_file() or \
        any((tmp_path / "build/rp2040").rglob("*.mpy"))


def test_the_minimal_example_runs_on_the_installed_package(installed, tmp_path):
    device = tmp_path / "printer-1"
    run(installed / "hcdaudit", "provision", device)
    out = run(installed / "python", ROOT / "examples/minimal.py", device, f"file://{tmp_path / 'c.log'}",
              cwd=tmp_path).stdout
    assert "seqs through 6 in the store and delivered" in out, out
    verdict = run(installed / "hcdaudit", "verify", "syslog", tmp_path / "c.log", "--trust",
                  device / "escrow/syslog-signing.pem", "--device", device).stdout
    assert verdict.startswith("syslog verification: VERIFIED (6 verified"), verdict
