"""The simulator (`hcdaudit sim`): the simulated MFD controller drives the real
firmware over working days, with power cuts at NVRAM and store writes and a
collector outage, deterministically for a seed, on CPython and under the
MicroPython unix port."""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from hcdaudit_host import collect, sim, syslog_verify
from hcdaudit_host.access import open_reader
from hcdaudit_host.provision import provision
from hcdaudit_host.records import to_json
from hcdaudit_host.verify_store import verify

ATTACKER = "198.51.100.77"
REQUIRED = {"login", "login_failure", "logout", "lockout", "lockout_expired", "continuous_failure_detected",
            "print_job", "copy_job", "scan_job", "email_job", "fax_send_job", "fax_receive_job", "mailbox_job",
            "setting_change", "user_add", "user_edit", "user_delete", "role_change", "password_change",
            "certificate_import", "clock_change", "ntp_failure", "audit_export", "firmware_update",
            "device_start", "device_shutdown", "audit_start", "audit_stop"}


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sim") / "blank"
    provision(folder, "mfd-sim", "SIM0001")
    return folder


def fresh(blank: Path, tmp_path: Path, name: str = "mfd") -> Path:
    """A copy of the provisioned device (own files, the same keys and UUID)."""
    return Path(shutil.copytree(blank, tmp_path / name))


def records(device: Path) -> list[dict]:
    """What the device holds, decoded, without what differs between two copies (the chain MAC)."""
    out = []
    for record in open_reader(device).records():
        r = to_json(record)
        r.pop("chain", None)
        out.append(r)
    return out


def test_same_seed_same_records_other_seed_other_records(blank, tmp_path):
    runs = {}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        device = fresh(blank, tmp_path, name)
        summary = sim.run(device, 250, seed, 2, "cpython")
        assert summary["intact"] and summary["returned_missing"] == []
        runs[name] = records(device)
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_a_day_has_every_kind_of_event_the_simulator_promises(blank, tmp_path):
    device = fresh(blank, tmp_path)
    summary = sim.run(device, 500, 3, 0, "cpython")
    got = records(device)
    kinds = Counter(r["event"] for r in got)
    assert REQUIRED <= set(kinds), REQUIRED - set(kinds)
    assert summary["events"] == dict(kinds) and summary["logged"] == 500
    # The brute-force burst: one remote host, the account locks, then the burst is detected.
    burst = [r for r in got if r["remote_host"] == ATTACKER]
    assert [r["event"] for r in burst].count("continuous_failure_detected") == 1
    assert {r["event"] for r in burst} == {"login_failure", "lockout", "continuous_failure_detected"}
    # A user who locks herself out from the panel, and both locks expire.
    panel_locks = [r for r in got if r["event"] == "lockout" and r["interface"] == "panel"]
    assert len(panel_locks) >= 1 and kinds["lockout_expired"] == kinds["lockout"]
    # The weak certificate is refused (outcome failure with a reason), the good one imported.
    certs = sorted((r["outcome"], r["items"]["key_bits"]) for r in got if r["event"] == "certificate_import")
    assert certs == [("failure", 1024), ("success", 3072)]
    methods = [r["items"]["method"] for r in got if r["event"] == "clock_change"]
    assert methods.count("ntp") == 2 and methods.count("user") == 1
    # Fax in comes from the system (the device received it), fax out from a person.
    assert {r["subject"]["kind"] for r in got if r["event"] == "fax_receive_job"} == {"system"}
    assert {r["subject"]["kind"] for r in got if r["event"] == "fax_send_job"} == {"user"}
    assert {r["subject"]["kind"] for r in got} >= {"system", "user", "admin", "engineer", "guest", "unregistered"}


def test_days_fast_forward_the_nights(blank, tmp_path, hcdaudit):
    device = fresh(blank, tmp_path)
    status, out, err = hcdaudit("sim", device, "--events", "150", "--days", "3", "--seed", "2", "--json")
    assert status == 0, err
    summary = json.loads(out)
    got = records(device)
    days = sorted({r["time"][:10] for r in got})
    assert days == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert summary["first_time"].startswith("2026-11-23T07:00") and summary["last_time"].startswith("2026-11-25T19")
    for day in days:
        hours = [r["time"][11:16] for r in got if r["time"][:10] == day]
        assert "06:55" <= min(hours) and max(hours) <= "19:45", (day, min(hours), max(hours))
    # Each evening the timer switches the device off, each morning on.
    stops = [r["time"][:10] for r in got if r["event"] == "audit_stop" and r["items"].get("reason") == "shutdown"]
    mornings = [r["time"][:10] for r in got if r["event"] == "audit_start" and r["items"]["reason"] == "power-on"]
    assert stops == days[:2] and mornings == days
    assert summary["logged"] == 450


def test_power_cuts_at_nvram_and_store_writes_lose_nothing_returned(blank, tmp_path):
    device = fresh(blank, tmp_path)
    summary = sim.run(device, 600, 4, 6, "cpython")
    where = [cut["where"] for cut in summary["cuts"]]
    assert summary["power_cuts"] == 6 == summary["recoveries"]
    assert any(w.startswith("nvram") for w in where) and any(w.startswith("store") for w in where), where
    assert summary["returned_missing"] == [] and summary["intact"]
    report = verify(device)
    assert report.intact() and report.verified == summary["last_seq"]
    got = records(device)
    assert [r["seq"] for r in got] == list(range(1, summary["last_seq"] + 1))
    assert Counter(r["event"] for r in got)["audit_recovery"] == 6


def test_collector_outage_makes_the_sender_resend_and_the_file_still_verifies(blank, tmp_path):
    device = fresh(blank, tmp_path)
    out = tmp_path / "collector.log"
    with collect.run_in_thread("tcp://127.0.0.1:0", out) as handle:
        summary = sim.run(device, 600, 12, 2, "cpython", syslog=f"tcp://127.0.0.1:{handle.port}", outage=True)
        sent = summary["syslog"]
        assert handle.wait_for(sent["messages"] + sent["blocks"], 30)
    outage = summary["outage"]
    assert len(outage["windows"]) == 1 and outage["refused"] > 0
    assert sent["failed"] > 0 and sent["resent"] > 0 and sent["undelivered"] == 0
    assert summary["returned_missing"] == [] and summary["intact"]
    report = syslog_verify.verify([out], [device / "escrow" / "syslog-signing.pem"])
    assert report["findings"] == [], syslog_verify.describe(report)
    delivered = {int(line.split(b' seq="')[1].split(b'"')[0]) for line in out.read_bytes().splitlines()
                 if b"[ssign" not in line}
    assert delivered == set(range(1, summary["last_seq"] + 1))


def test_micropython_runs_the_same_day_as_cpython(blank, tmp_path):
    got = {}
    for runtime in ("cpython", "micropython"):
        device = fresh(blank, tmp_path, runtime)
        summary = sim.run(device, 120, 8, 2, runtime, days=2)
        assert summary["runtime"] == runtime and summary["intact"] and summary["returned_missing"] == []
        assert summary["power_cuts"] == 2
        got[runtime] = records(device)
    assert got["micropython"] == got["cpython"]


def test_micropython_reports_progress_and_sends_syslog(blank, tmp_path):
    device = fresh(blank, tmp_path)
    seen = []
    summary = sim.run(device, 100, 9, 0, "micropython", syslog=f"file://{tmp_path / 'collector.log'}",
                      progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][1] == 100 and summary["syslog"]["undelivered"] == 0
    report = syslog_verify.verify([tmp_path / "collector.log"], [device / "escrow" / "syslog-signing.pem"])
    assert report["findings"] == [] and report["verified"] == summary["last_seq"]


def test_outage_needs_a_collector_and_bad_days_are_refused(blank, tmp_path, hcdaudit):
    device = fresh(blank, tmp_path)
    for argv in (("--outage",), ("--days", "0")):
        status, _, err = hcdaudit("sim", device, "--events", "10", *argv)
        assert status == 2 and err.startswith("hcdaudit: error:") and "Traceback" not in err
