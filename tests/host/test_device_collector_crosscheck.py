"""`hcdaudit verify store DEVICE_DIR --syslog FILE` and `hcdaudit verify syslog
FILE --device DEVICE_DIR`: the device's store and the collector's signed file
anchor each other by the device seq. An intact pair agrees; a collector file
cut at its tail and a device rolled back are each named with their seq range;
and a file cut at its tail alone is never a bare VERIFIED."""
from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from hcdaudit_host import crosscheck
from hcdaudit_host.cli import main as hcdaudit
from hcdaudit_host.syslog_verify import verify


def run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = hcdaudit([str(a) for a in argv])
        except SystemExit as exc:
            status = exc.code
    return status, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    from hcdaudit_host import sim
    from hcdaudit_host.provision import provision
    work = tmp_path_factory.mktemp("crosscheck")
    device = work / "device"
    provision(device, "mfd-lab-7", "XR0007")
    log = work / "collector.log"
    summary = sim.run(device, 200, 2, 0, "cpython", syslog=f"file://{log}")
    assert summary["syslog"]["failed"] == 0 and summary["syslog"]["undelivered"] == 0
    return device, log


def seq_of(line: bytes) -> int | None:
    match = re.search(rb'\[hcdaudit@\d+ seq="(\d+)"', line)
    return int(match.group(1)) if match else None


def test_intact_device_and_collector_agree_both_ways(pair):
    device, log = pair
    status, out, _ = run("verify", "store", device, "--syslog", log, "--json")
    doc = json.loads(out)
    assert status == 0, doc["crosscheck"]
    assert doc["crosscheck"]["ok"] and doc["crosscheck"]["findings"] == []
    assert doc["crosscheck"]["collector_last_seq"] == doc["crosscheck"]["device_last_seq"] > 0
    assert doc["tail_anchored"] and "syslog" in doc["anchors"]     # the store's own verdict says so
    status, out, _ = run("verify", "store", device, "--syslog", log)
    assert status == 0 and re.search(r"tail anchored \([^)]*syslog", out)
    status, out, _ = run("verify", "syslog", log, "--device", device)
    assert status == 0 and "AGREE" in out and "anchored by the collector" in out
    assert "VERIFIED (" in out            # anchored: no "through the last signed message" caveat


def test_collector_file_cut_at_its_tail(pair, tmp_path):
    device, log = pair
    lines = log.read_bytes().split(b"\n")
    # Cut right after a signature block about 30% from the end, where what is left verifies on its own
    # (every message before the cut is signed by a block before it): the cut leaves no trace in the file.
    trust = [device / "escrow" / "syslog-signing.pem"]
    short = tmp_path / "short.log"
    candidates = [i + 1 for i, line in enumerate(lines[:int(len(lines) * 0.7)]) if b"[ssign " in line]
    for cut in reversed(candidates[-20:]):
        short.write_bytes(b"\n".join(lines[:cut]) + b"\n")
        if verify([short], trust)["ok"]:
            break
    else:
        pytest.fail("no clean cut point")
    kept = [seq_of(line) for line in lines[:cut] if seq_of(line)]
    status, out, _ = run("verify", "syslog", short, "--trust", device / "escrow" / "syslog-signing.pem")
    assert status == 0, out          # the file alone proves what it holds, and says what it cannot
    assert "VERIFIED through the last signed message" in out and "leaves no trace in this file alone" in out
    status, out, _ = run("verify", "syslog", short, "--device", device, "--json")
    report = json.loads(out)
    assert status == 1
    (finding,) = report["crosscheck"]["findings"]
    assert finding["kind"] == crosscheck.COLLECTOR_TAIL_MISSING
    assert finding["first_seq"] == max(kept) + 1 and finding["last_seq"] == report["crosscheck"]["device_last_seq"]


def test_device_rolled_back_is_named_by_the_collector(pair, tmp_path):
    from hcdaudit_host import sim
    device, log = pair
    copy = tmp_path / "device"
    shutil.copytree(device, copy)
    before = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    later = tmp_path / "later.log"
    sim.run(copy, 60, 9, 0, "cpython", syslog=f"file://{later}")
    last_before = max(seq_of(line) or 0 for line in log.read_bytes().split(b"\n"))
    newest = max(seq_of(line) or 0 for line in later.read_bytes().split(b"\n"))
    for path in [p for p in copy.rglob("*") if p.is_file()]:          # restore the old store and NVRAM
        if path.relative_to(copy) not in before:
            path.unlink()
    for name, data in before.items():
        (copy / name).write_bytes(data)
    status, out, _ = run("verify", "store", copy, "--syslog", log, later, "--json")
    doc = json.loads(out)
    assert status == 1
    kinds = {(f["kind"], f["first_seq"], f["last_seq"]) for f in doc["crosscheck"]["findings"]}
    assert kinds == {(crosscheck.DEVICE_TAIL_LOST, last_before + 1, newest)}


def test_evicted_range_is_not_a_finding():
    result = crosscheck.crosscheck([(201, 300)], [(1, 200)], list(range(150, 301)))
    assert result["ok"] and result["findings"] == []


def test_each_direction_is_named_with_its_range():
    result = crosscheck.crosscheck([(1, 40), (46, 100)], [], [s for s in range(1, 91) if s not in (10, 11)])
    found = {(f["kind"], f["first_seq"], f["last_seq"]) for f in result["findings"]}
    assert found == {(crosscheck.NOT_AT_COLLECTOR, 10, 11), (crosscheck.LOST_ON_DEVICE, 41, 45),
                     (crosscheck.COLLECTOR_TAIL_MISSING, 91, 100)}
