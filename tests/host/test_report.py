"""`hcdaudit report`: the HTML page of the administrator's periodic review.

A simulated week of a device (working days from the simulator, one day of
security events driven through the real firmware: a password-guessing attack
that locks the administrator out, a spray of unknown accounts, setting, clock,
certificate and account changes, an audit-log export, a failed TLS channel;
power cuts on two days) is rendered, its HTML checked against the records, and
the page rendered in headless Chromium, which must keep the charts and make a
screenshot. Chromium is required (CI installs the Debian package `chromium`):
without it the test fails, never skips."""
from __future__ import annotations

import argparse
import json
import os
import re
import struct
import subprocess
from collections import Counter, defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT  # noqa: F401  (puts firmware/ and boards/ on sys.path)
from hcdaudit_host import report, sim, syslog_verify
from hcdaudit_host.errors import UsageError

DAY_US = 86400 * 10**6
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--no-pdf-header-footer"]


# ------------------------------------------------------------------ a week of a device

class Clock:
    def __init__(self, now_us: int):
        self.now = now_us

    def __call__(self) -> int:
        return self.now

    def tick(self, seconds: float) -> int:
        self.now += int(seconds * 10**6)
        return self.now // 10**6


def security_day(device_dir: Path, start_us: int) -> None:
    """A day of events an administrator must review, logged through the firmware."""
    from boards.host import device as host_device
    from hcdaudit import events, subject
    from hcdaudit.audit import AuditLog
    from hcdaudit.lockout import FailureCounter
    clock = Clock(start_us)
    board, _ = host_device.open_board(str(device_dir), clock=clock)
    log = AuditLog(board, host_device.load_master_key(str(device_dir)))
    log.boot("power-on")
    counter = FailureCounter(threshold=5, lock_seconds=300)
    admin, from_admin = subject.admin(), {"interface": "web", "remote_host": "10.20.0.5"}
    for _ in range(7):        # guessing the administrator's password from outside: locked at the 5th failure
        events.login_failed(log, admin, "invalid_password", now_s=clock.tick(15), interface="web",
                            remote_host="203.0.113.7", counter=counter)
    events.lockouts_expired(log, counter, clock.tick(400))
    for name in ("root", "service", "guest1", "<script>alert(1)</script>"):   # spraying unknown accounts
        events.login_failed(log, subject.unregistered(name), "invalid_user_id", now_s=clock.tick(5), interface="web",
                            remote_host="198.51.100.23", counter=counter)
    clock.tick(600)
    events.login(log, admin, counter=counter, **from_admin)
    clock.tick(30)
    events.setting_changed(log, admin, "TLS minimum version", "1.2", "1.3", **from_admin)
    clock.tick(30)
    events.user_added(log, admin, "user21", "User", **from_admin)
    clock.tick(30)
    events.role_changed(log, admin, "user07", "Administrator", **from_admin)
    clock.tick(30)
    events.certificate(log, admin, True, "device", "ecdsa", 384, "CN=Corp Issuing CA", "4F1A", **from_admin)
    old = clock.now
    clock.tick(95)
    events.clock_changed(log, subject.system(), old, "ntp", ntp_server="ntp.example.com")
    clock.tick(60)
    events.audit_exported(log, admin, 1, 900, 900, peer="10.20.0.5", protocol="https", **from_admin)
    clock.tick(60)
    events.trusted_channel_failed(log, "SSL/TLS", "cert-verify-failed", peer="syslog.example.com", failure_count=3,
                                  direction="outbound")
    clock.tick(60)
    events.logout(log, admin, **from_admin)
    log.shutdown()


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    """Mon-Sat 23-28 Nov 2026 (Wed without records); returns paths and the export's records."""
    from boards.host import simulate
    from hcdaudit_host.export import export_to
    from hcdaudit_host.provision import provision
    folder = tmp_path_factory.mktemp("week")
    device = folder / "mfd-review-1"
    provision(device, "mfd-review-1", "REV0001")
    collector = folder / "collector.log"
    monday = simulate.DAY_START_US
    sim.run(device, 500, 21, 1, "cpython", start_us=monday, syslog=f"file://{collector}")
    security_day(device, monday + DAY_US + 2 * 3600 * 10**6)
    # Tuesday's records went to another collector, whose file is not part of this
    # review: the device's delivery cursor says they were delivered.
    from boards.host.dirfs import DirFs
    from hcdaudit.cursor import DeliveryCursor
    from hcdaudit.kdf import Subkeys
    from hcdaudit_host.access import open_reader
    last = max(r["seq"] for r in open_reader(device).records())
    master = (device / "bundle" / "master.key").read_bytes()
    DeliveryCursor(DirFs(str(device / "store")), Subkeys(master).mac).save(last)
    sim.run(device, 450, 5, 1, "cpython", start_us=monday + 3 * DAY_US, syslog=f"file://{collector}")
    sim.run(device, 300, 8, 0, "cpython", start_us=monday + 4 * DAY_US, syslog=f"file://{collector}")
    sim.run(device, 40, 9, 0, "cpython", start_us=monday + 5 * DAY_US + 3 * 3600 * 10**6,
            syslog=f"file://{collector}")
    export = folder / "export.jsonl"
    export_to(device, "jsonl", export)
    records = [json.loads(line) for line in export.read_text().splitlines()]
    escrow = device / "escrow" / "syslog-signing.pem"
    trust = escrow if escrow.exists() else device / "syslog-signing.pem"
    return {"device": device, "collector": collector, "export": export, "records": records, "trust": trust,
            "folder": folder}


@pytest.fixture(scope="module")
def page(week, tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "review.html"
    status = run_report(week["device"], "--html", out, "--syslog", week["collector"], "--trust", week["trust"],
                        "--state", tmp_path_factory.mktemp("state"))
    return {"status": status, "path": out, "html": out.read_text(encoding="utf-8")}


def run_report(*argv) -> int:
    """The command as `hcdaudit report ...` runs it (UsageError: exit 2)."""
    parser = argparse.ArgumentParser(prog="hcdaudit")
    report.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["report", *map(str, argv)])
    try:
        return args.func(args)
    except UsageError:
        return 2


# ------------------------------------------------------------------ reading the HTML back

class Page(HTMLParser):
    """The elements of the page as (tag, attributes, enclosing svg id), and the visible text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict, str | None]] = []
        self.svg: str | None = None
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "svg":
            self.svg = attrs.get("id")
        self.elements.append((tag, attrs, self.svg))

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None

    def handle_data(self, data):
        self.text.append(data)

    def find(self, tag, **wanted):
        return [a for t, a, _ in self.elements if t == tag and all(a.get(k) == v for k, v in wanted.items())]

    def inside(self, svg_id, tag):
        return [a for t, a, s in self.elements if s == svg_id and t == tag]

    @property
    def all_text(self) -> str:
        return " ".join(" ".join(self.text).split())


def per_day(records, event=None):
    return Counter(r["time"][:10] for r in records if event is None or r["event"] == event)


# ------------------------------------------------------------------ structure

def test_report_of_a_clean_week_exits_0_with_the_verdict_in_words(page, week):
    assert page["status"] == 0
    doc = Page(page["html"])
    verdict = doc.find("h2", id="verdict-h")
    assert verdict and verdict[0]["data-verdict"] == "clean"
    text = doc.all_text
    assert "Verdict: clean" in text
    assert f"all {len(week['records']):,} records" in text and "authenticate with the device's key" in text
    assert "The collector's copy (collector.log) verifies" in text and "from the trusted device key" in text
    # The security day ran without syslog: its records are in the store, not in the collector's file.
    tuesday = sorted(r["seq"] for r in week["records"] if r["time"].startswith("2026-11-24"))
    assert tuesday == list(range(tuesday[0], tuesday[-1] + 1))
    assert (f"{len(tuesday)} records of the device never reached the collector "
            f"(seq {tuesday[0]:,}–{tuesday[-1]:,})") in text


def test_timeline_chart_carries_the_events_of_every_day(page, week):
    doc = Page(page["html"])
    charts = {a["data-chart"]: a for a in doc.find("svg") if "data-chart" in a}
    assert set(charts) == {"timeline", "failures", "hours"}
    for chart in charts.values():          # accessible: a role, a title and a description
        assert chart["role"] == "img" and chart["aria-labelledby"] == f"{chart['id']}-title {chart['id']}-desc"
        assert doc.find("title", id=f"{chart['id']}-title") and doc.find("desc", id=f"{chart['id']}-desc")
    expected = per_day(week["records"])
    assert sorted(expected) == ["2026-11-23", "2026-11-24", "2026-11-26", "2026-11-27", "2026-11-28"]
    drawn: dict[str, int] = defaultdict(int)
    categories = set()
    for rect in doc.inside("chart-timeline", "rect"):
        if "data-count" in rect:
            drawn[rect["data-day"]] += int(rect["data-count"])
            categories.add(rect["data-category"])
    assert dict(drawn) == dict(expected)
    days = {g["data-day"]: int(g["data-total"]) for g in doc.inside("chart-timeline", "g") if "data-day" in g}
    assert list(days) == [f"2026-11-{d}" for d in range(23, 29)]          # the empty Wednesday is on the axis
    assert days["2026-11-25"] == 0 and all(days[d] == n for d, n in expected.items())
    assert {"Job Status", "Login/Logout", "Device Settings", "Audit Trail"} <= categories
    assert doc.inside("chart-timeline", "rect")[0].get("x") is not None
    weekend = [r for t, r, s in doc.elements if s == "chart-timeline" and t == "rect" and "data-count" not in r
               and r.get("height")]
    assert len(weekend) == 1                                               # Saturday 28 Nov is shaded


def test_failures_chart_and_lockouts_match_the_records(page, week):
    doc = Page(page["html"])
    failures = per_day(week["records"], "login_failure")
    lockouts = per_day(week["records"], "lockout")
    assert lockouts["2026-11-24"] == 1                  # the security day's (the simulated days have their own)
    days = {g["data-day"]: (int(g["data-failures"]), int(g["data-lockouts"]))
            for g in doc.inside("chart-failures", "g") if "data-failures" in g}
    assert {d: f for d, (f, _) in days.items() if f} == dict(failures)
    assert {d: n for d, (_, n) in days.items() if n} == dict(lockouts)
    markers = re.findall(r'<g class="lockout" [^>]*data-day="([^"]+)"[^>]*><title>([^<]*)</title>', page["html"])
    assert markers and all(title.startswith(report.bucket_label(day, "day") + ":") for day, title in markers)
    hours = sum(int(r["data-count"]) for r in doc.inside("chart-hours", "rect"))
    assert hours == len(week["records"])
    text = doc.all_text
    lock_table = page["html"].split("<caption>Lockouts</caption>", 1)[1].split("</table>", 1)[0]
    assert "admin" in lock_table and "203.0.113.7 via web" in lock_table and "300 s" in lock_table
    assert "2026-11-24 09:01:15" in lock_table                             # when: the 5th failure, 15 s apart
    bursts = page["html"].split("<caption>Bursts", 1)[1].split("</table>", 1)[0]
    assert "203.0.113.7" in bursts and "198.51.100.23" in bursts           # the guessing and the spray
    assert "root (unknown account)" in bursts
    assert "failed sign-ins" in text and "account lockouts" in text


def test_changes_exports_losses_and_power_are_listed(page, week):
    html_text = page["html"]
    text = Page(html_text).all_text
    clock = html_text.split("<caption>Clock changes", 1)[1].split("</table>", 1)[0]
    clock_records = [r for r in week["records"] if r["event"] == "clock_change"]
    assert clock.count("<tr>") - 1 == len(clock_records) >= 2              # the sim's manual one, and NTP
    assert "ntp.example.com" in clock and "+95 s" in clock and "→" in clock
    assert "TLS minimum version" in text and "1.2→1.3" in text.replace(" ", "")
    assert "role change" in text and "user07" in text and "certificate import" in text
    exports = html_text.split("<caption>Audit-log exports and downloads</caption>", 1)[1].split("</table>", 1)[0]
    assert "audit export" in exports and "https" in exports and "1–900" in exports
    assert "cert-verify-failed" in text and "syslog.example.com" in text
    recoveries = [r for r in week["records"] if r["event"] == "audit_recovery"]
    assert len(recoveries) == 2 and text.count("unclean stop: last record safely stored was seq") == 2
    assert "Review checklist" in text


def test_page_is_self_contained_and_escapes_record_text(page):
    html_text = page["html"]
    assert "<script" not in html_text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html_text             # the sprayed "user name", escaped
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//|file:)""", html_text, re.I)
    assert not re.search(r"@import|url\(", html_text)
    assert "Content-Security-Policy" in html_text and "default-src 'none'" in html_text
    assert html_text.count("<svg") == 3


# ------------------------------------------------------------------ other inputs, findings, usage errors

def test_report_from_the_jsonl_export_says_it_is_unauthenticated(week, tmp_path):
    out = tmp_path / "from-export.html"
    assert run_report(week["export"], "--html", out) == 0
    doc = Page(out.read_text())
    heading = doc.find("h2", id="verdict-h")[0]
    assert heading["data-verdict"] == "unauthenticated"              # never "clean": nothing was authenticated
    text = doc.all_text
    assert "Verdict: not authenticated" in text and "Verdict: clean" not in text
    assert "An export carries no signatures" in text
    drawn = Counter()
    for rect in doc.inside("chart-timeline", "rect"):
        if "data-count" in rect:
            drawn[rect["data-day"]] += int(rect["data-count"])
    assert drawn == per_day(week["records"])


def test_a_gap_in_an_export_is_a_finding_and_exit_1(week, tmp_path):
    lines = week["export"].read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join(lines[:100] + lines[103:]) + "\n")
    out = tmp_path / "cut.html"
    assert run_report(cut, "--html", out) == 1
    doc = Page(out.read_text())
    assert doc.find("h2", id="verdict-h")[0]["data-verdict"] == "findings"
    seq = json.loads(lines[100])["seq"]
    assert f"seq {seq:,}–{seq + 2:,}: 3 record(s) absent" in doc.all_text


def test_altered_syslog_is_a_finding_and_exit_1(week, tmp_path):
    data = week["collector"].read_bytes().split(b"\n")
    target = next(i for i, line in enumerate(data) if line and b"[ssign" not in line)
    data[target] = data[target][:-1] + (b"X" if data[target][-1:] != b"X" else b"Y")
    altered = tmp_path / "altered.log"
    altered.write_bytes(b"\n".join(data))
    out = tmp_path / "altered.html"
    assert run_report(week["device"], "--html", out, "--syslog", altered, "--trust", week["trust"]) == 1
    text = Page(out.read_text()).all_text
    assert "does NOT verify" in text and "Signed syslog:" in text
    assert syslog_verify.verify([altered], [week["trust"]])["findings"]


def test_evictions_and_undelivered_losses_from_an_export(tmp_path):
    base = {"outcome": "success", "subject": {"kind": "system", "user_id": "", "name": "", "role": ""},
            "interface": None, "remote_host": None}
    rows = [{"seq": 1001, "time": "2026-12-01T08:00:00.000000Z", "event": "audit_start", "items": {"boot": 9}},
            {"seq": 1002, "time": "2026-12-01T08:00:01.000000Z", "event": "audit_eviction",
             "items": {"first_seq": 1003, "last_seq": 1010, "count": 8, "evicted_through": 1010}},
            {"seq": 1011, "time": "2026-12-01T08:00:02.000000Z", "event": "audit_undelivered_loss",
             "items": {"first_seq": 990, "last_seq": 999, "count": 10, "peer": "syslog.example.com"}},
            {"seq": 1012, "time": "2026-12-03T23:30:00.000000Z", "event": "login_failure", "outcome": "failure",
             "subject": {"kind": "user", "user_id": "bob", "name": "", "role": ""}, "interface": "panel",
             "items": {"reason": "invalid_password"}}]
    export = tmp_path / "x.jsonl"
    export.write_text("".join(json.dumps({**base, **r}) + "\n" for r in rows))
    out = tmp_path / "x.html"
    assert run_report(export, "--html", out) == 0          # the seq gap 1003-1010 is an audited eviction
    text = Page(out.read_text()).all_text
    assert "8 oldest records removed by the storage cap" in text
    assert "10 records removed before the audit server received them (server syslog.example.com)" in text
    assert "Seq 1,003–1,010: evicted by the storage cap (audited)." in text
    assert "(1 outside 07–19 h)" in text
    assert "10 records were lost before the audit server received them" in text


@pytest.mark.parametrize("content, message", [
    (b"", "holds no records"),
    (b"not json\n", "not JSON"),
    (b'{"seq": 1}\n', "no valid 'time'"),
    (b'{"seq": 1, "time": "yesterday", "event": "login"}\n', "not an RFC 3339 time"),
    (b"<110>1 2026-11-23T07:00:00Z host app - - - hello\n", "looks like a syslog collector file"),
])
def test_unusable_input_is_exit_2_with_one_line(tmp_path, capsys, content, message):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content)
    with pytest.raises(UsageError, match=re.escape(message)) as caught:
        report.build(bad)
    assert "\n" not in str(caught.value)
    assert run_report(bad, "--html", tmp_path / "bad.html") == 2
    assert not (tmp_path / "bad.html").exists()
    assert run_report(tmp_path / "absent", "--html", tmp_path / "x.html") == 2


def test_output_folder_must_exist_and_trust_needs_syslog(week, tmp_path):
    assert run_report(week["export"], "--html", tmp_path / "no-such-folder" / "x.html") == 2
    assert run_report(week["export"], "--html", tmp_path / "x.html", "--trust", week["trust"]) == 2
    assert not (tmp_path / "x.html").exists()


def test_progress_bar_on_a_terminal_does_not_change_the_result(week, tmp_path, monkeypatch):
    monkeypatch.setattr(report, "PROGRESS_AFTER_S", 0.0)
    quiet = report.load_jsonl(week["export"], progress=False)
    shown = report.load_jsonl(week["export"], progress=True)
    assert [r["seq"] for r in quiet.records] == [r["seq"] for r in shown.records]


# ------------------------------------------------------------------ in a real browser

def chromium(*args: str, profile: Path, timeout: float = 90) -> subprocess.CompletedProcess:
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"{CHROMIUM} is missing: the report test renders the page in headless Chromium. "
                    f"Install the Debian package: apt-get install -y chromium fonts-dejavu-core")
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=timeout)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_chromium_renders_the_charts_and_takes_a_screenshot(page, tmp_path):
    url = page["path"].resolve().as_uri()
    dom = chromium("--dump-dom", url, profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    assert rendered.count("<svg") == 3
    assert rendered.count("data-count=") == page["html"].count("data-count=")
    assert 'data-verdict="clean"' in rendered
    shot = Path(os.environ.get("HCDAUDIT_REPORT_SCREENSHOT", tmp_path / "report.png"))
    shot.parent.mkdir(parents=True, exist_ok=True)
    shot.unlink(missing_ok=True)
    done = chromium(f"--screenshot={shot}", "--window-size=1280,2000", url, profile=tmp_path / "profile-png")
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    assert png_size(shot) == (1280, 2000)
    assert shot.stat().st_size > 40_000, "the screenshot looks blank"
    pdf = tmp_path / "report.pdf"
    printed = chromium(f"--print-to-pdf={pdf}", url, profile=tmp_path / "profile-pdf")
    assert printed.returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-", printed.stderr[-2000:]
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert 2 <= pages <= 40, f"{pages} printed pages"
