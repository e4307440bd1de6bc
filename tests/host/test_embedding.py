"""docs/EMBEDDING.md's example programs, run as a controller team would run them,
on both runtimes, and checked with the host tools (verify store, verify syslog);
the mip packages, installed by the unix port's own mip from an HTTP server on
127.0.0.1, are enough to run them."""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT, micropython

EXAMPLES = ROOT / "examples"
RUNTIMES = ("cpython", "micropython")


def run_example(runtime: str, name: str, *args: str, path: str | None = None,
                cwd: Path | None = None) -> subprocess.CompletedProcess:
    if runtime == "cpython":
        command = [sys.executable, str(EXAMPLES / name)]
        env = dict(os.environ)
    else:
        command = [micropython(), "-X", "heapsize=4M", str(EXAMPLES / name) if cwd is None else name]
        env = dict(os.environ, MICROPYPATH=path or f".frozen:{ROOT}:{ROOT / 'firmware'}")
    return subprocess.run(command + list(args), capture_output=True, text=True, env=env, timeout=120, cwd=cwd)


def verified(hcdaudit, device: Path, collector: Path) -> str:
    status, out, err = hcdaudit("verify", "store", device)
    assert status == 0, out + err
    # checked against the device: the collector's tail is anchored, so the verdict is a plain VERIFIED
    status, out, err = hcdaudit("verify", "syslog", collector, "--trust", device / "escrow/syslog-signing.pem",
                                "--device", device)
    assert status == 0, out + err
    assert "device/collector cross-check: AGREE" in out
    return out.splitlines()[0]


@pytest.fixture
def device(tmp_path, hcdaudit) -> Path:
    status, out, err = hcdaudit("provision", tmp_path / "printer-1")
    assert status == 0, err
    return tmp_path / "printer-1"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_the_minimal_example_delivers_every_record_signed(runtime, device, tmp_path, hcdaudit):
    collector = tmp_path / "collector.log"
    proc = run_example(runtime, "minimal.py", str(device), f"file://{collector}")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == (f"audit log closed: seqs through 6 in the store and delivered to "
                                   f"file {collector}, signed")
    # audit_start, the audited collector setting, login, print job, logout, audit_stop
    assert verified(hcdaudit, device, collector) == "syslog verification: VERIFIED (6 verified, 0 findings)"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_the_asyncio_example_delivers_while_the_controller_works(runtime, device, tmp_path, hcdaudit):
    collector = tmp_path / "collector.log"
    proc = run_example(runtime, "asyncio_sender.py", str(device), f"file://{collector}", "60")
    assert proc.returncode == 0, proc.stderr
    assert "seqs through 66 in the store and delivered" in proc.stdout, proc.stdout
    assert verified(hcdaudit, device, collector) == "syslog verification: VERIFIED (66 verified, 0 findings)"


def test_both_runtimes_continue_one_device(device, tmp_path, hcdaudit):
    """A program killed before close() (no audit_stop, nothing signed): the next
    run, on the other runtime, recovers the records and signs them."""
    collector = tmp_path / "collector.log"
    script = ("import sys\nfrom boards.common.subsystem import open_audit\nfrom boards.host import device\n"
              "audit = open_audit(device, sys.argv[1], collector=sys.argv[2])\n"
              "for n in range(60):\n    audit.log('print_job', subject='u', file_name='f%d' % n)\n"
              "audit.service(100)\nprint(audit.last_seq)\n")
    env = dict(os.environ, MICROPYPATH=f".frozen:{ROOT}:{ROOT / 'firmware'}")
    proc = subprocess.run([micropython(), "-c", script, str(device), f"file://{collector}"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "62", proc.stderr
    proc = run_example("cpython", "minimal.py", str(device), f"file://{collector}")
    assert proc.returncode == 0, proc.stderr
    assert "seqs through 67 in the store and delivered" in proc.stdout, proc.stdout
    status, out, err = hcdaudit("verify", "syslog", collector, "--trust", device / "escrow/syslog-signing.pem")
    assert "67 verified" in out.splitlines()[0], out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def repository_server():
    """The repository over HTTP on 127.0.0.1, as mip fetches it from a URL."""
    handler = functools.partial(_QuietHandler, directory=str(ROOT))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def mip_install(base: str, target: Path, *packages: str) -> None:
    for package in packages:
        proc = subprocess.run([micropython(), "-m", "mip", "install", "--target", str(target), f"{base}/{package}"],
                              capture_output=True, text=True, timeout=120, env=dict(os.environ, MICROPYPATH=".frozen"))
        assert proc.returncode == 0 and "Done" in proc.stdout, proc.stdout + proc.stderr


def test_the_mip_packages_are_current():
    proc = subprocess.run([sys.executable, str(ROOT / "tests/mip_packages.py")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("board", ["esp32s3", "rp2040", "stm32"])
def test_mip_installs_the_firmware_and_a_board(board, repository_server, tmp_path):
    lib = tmp_path / "lib"
    mip_install(repository_server, lib, "package.json", f"boards/{board}/package.json")
    installed = {p.relative_to(lib).as_posix() for p in lib.rglob("*.py")}
    assert {"hcdaudit/audit.py", "boards/common/subsystem.py", f"boards/{board}/board.py",
            f"boards/{board}/main.py"} <= installed
    assert not any(name.endswith("cpython.py") or "manifest" in name for name in installed), installed
    others = {b for b in ("esp32s3", "rp2040", "stm32") if b != board}
    assert not any(name.split("/")[1] in others for name in installed if name.startswith("boards/"))
    # The board's modules import on the unix port from what mip installed, and nothing else.
    script = f"import boards.{board}.board, boards.common.subsystem; print('ok')"
    proc = subprocess.run([micropython(), "-c", script], capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, MICROPYPATH=f".frozen:{lib}"), cwd=tmp_path)
    assert proc.stdout.strip() == "ok", proc.stderr


def test_a_mip_install_runs_the_minimal_example_on_the_unix_port(repository_server, device, tmp_path, hcdaudit):
    lib = tmp_path / "lib"
    mip_install(repository_server, lib, "package.json", "boards/host/package.json")
    work = tmp_path / "controller"
    work.mkdir()
    shutil.copy(EXAMPLES / "minimal.py", work)      # away from the checkout: only lib/ on the path
    collector = tmp_path / "collector.log"
    proc = run_example("micropython", "minimal.py", str(device), f"file://{collector}", path=f".frozen:{lib}",
                       cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert verified(hcdaudit, device, collector) == "syslog verification: VERIFIED (6 verified, 0 findings)"


def test_the_guide_shows_the_minimal_example_as_it_is():
    guide = (ROOT / "docs/EMBEDDING.md").read_text()
    listing = guide.split("`examples/minimal.py`:\n\n```python\n", 1)[1].split("```", 1)[0]
    assert listing == (EXAMPLES / "minimal.py").read_text()
    for name in ("examples/asyncio_sender.py", "boards/common/subsystem.py", "tests/firmware/test_subsystem.py"):
        assert (ROOT / name).is_file(), name
