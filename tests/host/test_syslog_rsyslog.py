"""Signed syslog through a real rsyslog (started by the tests on 127.0.0.1):
the device under CPython and under the MicroPython unix port sends a realistic
run, and `hcdaudit verify syslog` verifies every line of rsyslog's file. Then
single tamperings of that file are each reported exactly, and nothing else."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hcdaudit_host import sim
from hcdaudit_host.provision import provision
from hcdaudit_host.syslog_verify import exit_status, verify
from rsyslog import Rsyslog, send_udp

FOREIGN = (b'<54>1 2026-11-23T09:00:00.000000Z other-mfd.example.com - - - [PWG NL="en-US" '
           b'DUU="urn:uuid:00000000-0000-4000-8000-000000000001" E="SystemRestarted" IAJ="T" ST="Idle" SR=""] '
           b'\xef\xbb\xbfSystem restarted.')


def send_run(folder: Path, url: str, events: int, runtime: str = "cpython", seed: int = 1) -> int:
    """Run the simulator against the collector; the number of lines it sent."""
    summary = sim.run(folder, events, seed, 0, runtime, syslog=url)
    report = summary["syslog"]
    assert report["failed"] == 0 and report["lost"] == 0, report
    return report["messages"] + report["blocks"]


def kinds(report: dict) -> list[str]:
    return sorted(f["kind"] for f in report["findings"])


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Two reboot sessions of one device through rsyslog over TCP, then one
    message of a device that does not sign, over UDP."""
    work = tmp_path_factory.mktemp("rsyslog-run")
    device = work / "device"
    provision(device, "mfd-lab-9", "XR0009")
    with Rsyslog(work / "collector") as collector:
        url = f"tcp://127.0.0.1:{collector.tcp_port}"
        first = send_run(device, url, 150, seed=4)
        session_one = collector.wait_for_lines(first, timeout=30)
        second = send_run(device, url, 60, seed=5)
        both = collector.wait_for_lines(first + second, timeout=30)
        send_udp(collector.udp_port, FOREIGN)
        lines = collector.wait_for_lines(first + second + 1, timeout=30)
    assert len(lines) == first + second + 1 and lines[-1] == FOREIGN
    return {"device": device, "lines": lines, "signed": both, "session_one": session_one, "work": work}


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def check(collected, tmp_path, lines, trust=True) -> dict:
    anchors = [collected["device"] / "escrow" / "syslog-signing.pem"] if trust else None
    return verify([write(tmp_path / "collector.log", lines)], anchors)


def normal_indexes(lines: list[bytes]) -> list[int]:
    return [i for i, line in enumerate(lines) if b"[ssign" not in line and b"hcdaudit@" in line]


def test_rsyslog_file_verifies_completely(collected, tmp_path):
    report = check(collected, tmp_path, collected["signed"])
    assert report["findings"] == [] and exit_status(report) == 0
    assert report["verified"] == len(normal_indexes(collected["signed"]))
    assert len(report["groups"]) == 4          # two runs, each restarting once after a firmware update: RSID 1-4


def test_unsigned_source_reported_alone(collected, tmp_path):
    report = check(collected, tmp_path, collected["lines"])
    assert kinds(report) == ["unsigned_source"] and exit_status(report) == 1


def test_one_altered_line(collected, tmp_path):
    lines = list(collected["signed"])
    i = normal_indexes(lines)[40]
    lines[i] = lines[i].replace(b'outcome="', b'outcome="x', 1)
    report = check(collected, tmp_path, lines)
    assert kinds(report) == ["altered"], report["findings"]


def test_one_deleted_line(collected, tmp_path):
    lines = list(collected["signed"])
    del lines[normal_indexes(lines)[41]]
    report = check(collected, tmp_path, lines)
    assert kinds(report) == ["missing"], report["findings"]


def test_two_swapped_lines(collected, tmp_path):
    lines = list(collected["signed"])
    idx = normal_indexes(lines)
    i = next(k for k in idx[30:] if k + 1 in idx)
    lines[i], lines[i + 1] = lines[i + 1], lines[i]
    report = check(collected, tmp_path, lines)
    assert kinds(report) == ["reordered"], report["findings"]


def test_forged_signature_block(collected, tmp_path):
    lines = list(collected["signed"])
    sb = next(i for i, line in enumerate(lines) if b"[ssign " in line and b'CNT="' in line)
    forged = lines[sb].replace(b'HB="', b'HB="A', 1).replace(b'HB="AA', b'HB="BA', 1)
    lines.insert(sb + 1, forged)
    report = check(collected, tmp_path, lines)
    assert kinds(report) == ["forged_block"], report["findings"]


def test_replayed_earlier_session(collected, tmp_path):
    lines = list(collected["signed"]) + list(collected["session_one"])
    report = check(collected, tmp_path, lines)
    assert set(kinds(report)) == {"replayed"}, report["findings"]


def test_untrusted_and_unanchored_keys(collected, tmp_path):
    other = tmp_path / "other"
    provision(other, "someone-else", "X1")
    report = verify([write(tmp_path / "c.log", collected["signed"])], [other / "escrow" / "syslog-signing.pem"])
    assert set(kinds(report)) == {"untrusted_key"}
    report = check(collected, tmp_path, collected["signed"], trust=False)
    assert set(kinds(report)) == {"unanchored_key"} and exit_status(report) == 1


@pytest.mark.parametrize("transport", ["udp", "tcp"])
def test_micropython_device_through_rsyslog(tmp_path, transport):
    device = tmp_path / "device"
    provision(device, "mfd-lab-10", "XR0010")
    with Rsyslog(tmp_path / "collector") as collector:
        port = collector.udp_port if transport == "udp" else collector.tcp_port
        sent = send_run(device, f"{transport}://127.0.0.1:{port}", 120, runtime="micropython", seed=7)
        lines = collector.wait_for_lines(sent, timeout=30)
    assert len(lines) == sent
    report = verify([write(tmp_path / "collector.log", lines)], [device / "escrow" / "syslog-signing.pem"])
    assert report["findings"] == [] and report["verified"] == len(normal_indexes(lines))
    # every seq the device logged arrived
    seqs = sorted(int(line.split(b' seq="')[1].split(b'"')[0]) for line in lines if b' seq="' in line)
    assert seqs == list(range(1, seqs[-1] + 1))


def test_cli_verify_syslog_exit_statuses(collected, tmp_path, hcdaudit):
    clean = write(tmp_path / "clean.log", collected["signed"])
    trust = collected["device"] / "escrow" / "syslog-signing.pem"
    status, out, _ = hcdaudit("verify", "syslog", clean, "--trust", trust)
    assert status == 0 and out.startswith("syslog verification: VERIFIED")
    status, out, _ = hcdaudit("verify", "syslog", write(tmp_path / "all.log", collected["lines"]),
                              "--trust", trust, "--json")
    import json
    assert status == 1 and [f["kind"] for f in json.loads(out)["findings"]] == ["unsigned_source"]
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a key")
    status, _, err = hcdaudit("verify", "syslog", clean, "--trust", garbage)
    assert status == 2 and err.count("\n") == 1 and "Traceback" not in err
    status, _, err = hcdaudit("verify", "syslog", tmp_path / "absent.log")
    assert status == 2 and "absent.log" in err


def test_our_stream_through_rsyslog_is_clean_under_strict(collected, tmp_path):
    """Issue 16: the device's own stream, as a real rsyslog stored it, has no
    error and no warning under `conformance --strict` (with its trust anchor)."""
    from hcdaudit_host.conformance import Options, check_files
    path = write(tmp_path / "rsyslog.log", collected["signed"])
    report = check_files([path], Options(strict=True, trust=[collected["device"] / "escrow" / "syslog-signing.pem"]))
    assert report["counts"]["E"] == report["counts"]["W"] == 0, [f for f in report["findings"] if f["level"] != "I"]
    assert report["exit_status"] == 0 and report["rfc5848"]["verified"] == report["event_messages"] > 0
