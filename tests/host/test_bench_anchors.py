"""The journald anchor (bench/anchors.py) measures what it says and never fails
the bench: its input is an MFD's day of audit events, and where a sealed
journal cannot be made its figures are None with a note, the host's journal
directory untouched. (Its timings are bench figures, not tested here.)"""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _anchors():
    spec = importlib.util.spec_from_file_location("hcdaudit_bench_anchors", ROOT / "bench/anchors.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_journald_input_is_a_day_of_distinct_audit_events():
    anchors = _anchors()
    start = 1_796_601_600_000_000
    entries = [dict(line.split("=", 1) for line in block.splitlines())
               for block in anchors.journal_export(1500, start).split("\n\n") if block]
    assert len(entries) == 1500
    times = [int(e["__REALTIME_TIMESTAMP"]) for e in entries]
    assert times == sorted(set(times)) and start <= times[0] and times[-1] - times[0] > anchors.DAY_US * 0.99
    assert times[-1] < start + anchors.DAY_US
    messages = [e["MESSAGE"] for e in entries]
    assert len(set(messages)) == len(messages)
    assert all(110 <= len(m) <= 160 for m in messages), sorted(len(m) for m in messages)[::300]
    assert {e["HCD_EVENT"] for e in entries} >= {"print_job", "copy_job", "scan_job", "login_failed"}


def test_a_journal_that_cannot_be_sealed_gives_no_figures_and_a_note(tmp_path, monkeypatch):
    anchors = _anchors()
    monkeypatch.setattr(anchors, "journal_remote", lambda: Path("/bin/false"))   # present: nothing fetched
    before = anchors._host_journal_state()
    figures = anchors.measure_journald(tmp_path, entries=50, runs=1)
    assert figures["journald_verify_s"] is None and figures["journald_tags"] is None
    assert figures["journald_note"]
    assert anchors._host_journal_state() == before
