"""What a user of a Python project expects: `--version`, one line and exit 130
on Ctrl-C, a simulated device whose clock goes on from run to run, and a
`make test` that sets up its own system packages (or says the one command)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

HCDAUDIT = [sys.executable, "-m", "hcdaudit_host.cli"]


def test_version(hcdaudit):
    from hcdaudit import VERSION
    from hcdaudit_host import __version__
    status, out, err = hcdaudit("--version")
    assert status == 0 and out.strip() == f"hcdaudit {__version__}" and __version__ == VERSION


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
def test_ctrl_c_in_sim_says_what_was_kept(runtime, tmp_path, hcdaudit):
    device = tmp_path / "printer-1"
    assert hcdaudit("provision", device)[0] == 0
    proc = subprocess.Popen(HCDAUDIT + ["sim", str(device), "--events", "5000", "--rate", "100", "--runtime", runtime],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((device / "store").iterdir()):
        time.sleep(0.2)      # until the run is under way: its first segment is in the store
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert err.splitlines() == [f"hcdaudit sim: interrupted; every record logged so far is durable in {device} "
                                "(NVRAM ring or store); the next run boots, recovers it and goes on"], err
    status, out, err = hcdaudit("verify", "store", device)
    assert status == 0, out + err


def test_sim_continues_the_device_clock(tmp_path, hcdaudit):
    device = tmp_path / "printer-1"
    assert hcdaudit("provision", device)[0] == 0
    runs = []
    for _ in range(2):
        status, out, err = hcdaudit("sim", device, "--events", "200", "--json")
        assert status == 0, err
        runs.append(json.loads(out))
    assert runs[0]["first_time"].startswith("2026-11-23T07:00") and runs[0]["last_time"].startswith("2026-11-23T19")
    # The second run is the next working day: never back at 07:00 of a day the device already lived.
    assert runs[1]["first_seq"] == runs[0]["last_seq"] + 1
    assert runs[1]["first_time"].startswith("2026-11-24T07:00"), runs[1]["first_time"]
    assert runs[1]["first_time"] > runs[0]["last_time"]


def fake_tools(folder: Path, uid: int, installed: bool) -> dict:
    """A PATH where dpkg-query reports every package missing (or present) and id -u says `uid`."""
    folder.mkdir()
    (folder / "dpkg-query").write_text("#!/bin/sh\n" + ("echo 'install ok installed'\n" if installed else "exit 1\n"))
    (folder / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (folder / "apt-get").write_text(f"#!/bin/sh\necho apt-get \"$@\" >> {folder}/apt.log\n")
    for tool in folder.iterdir():
        tool.chmod(0o755)
    return dict(os.environ, PATH=f"{folder}:{os.environ['PATH']}")


def test_make_test_stops_at_once_with_the_one_command_when_not_root(tmp_path):
    env = fake_tools(tmp_path / "bin", 1000, installed=False)
    proc = subprocess.run(["bash", str(ROOT / "tests/system_packages.sh")], capture_output=True, text=True, env=env)
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0] == "make test needs Debian packages that are missing; run:", lines
    assert lines[1].startswith("  sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends rsyslog "
                               "rsyslog-relp rsyslog-gnutls rsyslog-openssl chromium fonts-dejavu-core "
                               "qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi gcc libssl-dev python3-dev'"), lines
    assert not (tmp_path / "bin/apt.log").exists()


def test_as_root_it_installs_what_is_missing(tmp_path):
    env = fake_tools(tmp_path / "bin", 0, installed=False)
    proc = subprocess.run(["bash", str(ROOT / "tests/system_packages.sh")], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    calls = (tmp_path / "bin/apt.log").read_text().splitlines()
    assert calls[0] == "apt-get update -qq" and calls[1].startswith("apt-get install -y -qq --no-install-recommends "
                                                                    "rsyslog rsyslog-relp"), calls


def test_nothing_to_do_when_everything_is_installed(tmp_path):
    env = fake_tools(tmp_path / "bin", 1000, installed=True)
    proc = subprocess.run(["bash", str(ROOT / "tests/system_packages.sh")], capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and proc.stdout == proc.stderr == ""


def test_one_package_list_for_make_test_and_ci():
    makefile = (ROOT / "Makefile").read_text()
    test_line = next(line for line in makefile.splitlines() if line.startswith("test:"))
    assert "system-packages" in test_line and "lint" in test_line
    ci = (ROOT / ".ci/run").read_text()
    assert "make test" in ci and "rsyslog" not in ci and "chromium" not in ci


def test_ctrl_c_in_the_demo_says_where_its_files_are():
    proc = subprocess.Popen([sys.executable, "-m", "hcdaudit_host.demo"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline() if proc.stdout else ""    # "provisioned mfd-lab-1 and mfd-lab-2 in DIR; ..."
    assert first.startswith("provisioned"), first
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    line = err.strip().splitlines()[0]
    assert line.startswith("hcdaudit demo: interrupted; the devices and collector files made so far are in "), err
    folder = Path(line.rsplit(" ", 1)[1])
    assert f" in {folder};" in first and (folder / "mfd-1/escrow/device.json").is_file(), first
    import shutil
    shutil.rmtree(folder)
