"""`hcdaudit report` as an auditor acts on it, on a realistic device: two simulated
working days with two collector outages and two power cuts, delivered over TCP to a
collector on 127.0.0.1 (so the reconnects leave duplicate copies), and a second
device delivered to a file.

What is checked: the delivery figures on the page are the verifier's (`verify
syslog`'s JSON, the sim's outage windows, the collector's own lines); accounts the
device does not have are marked and administrators are named; verdicts never claim
more than the source proves; the charts fit the period and carry their counts;
clock changes alarm only past the documented threshold; the multi-device page links
each overview row to its device. In headless Chromium: the page body never overflows
horizontally at 1400 px or 400 px (measured by a script the test injects into a copy
of the page: the page itself runs none), every table sits in its own scroll box, and
print-to-PDF holds every section."""
from __future__ import annotations

import html
import json
import re
import shutil
import unicodedata
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT  # noqa: F401  (puts firmware/ and boards/ on sys.path)
from hcdaudit_host import report, sim, syslog_verify
from hcdaudit_host.collect import run_in_thread
from hcdaudit_host.provision import provision
from test_report import Page, chromium, png_size, run_report


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """Device east: 2 days, outages and power cuts, TCP to a collector thread. Device west: 1 day to a
    file. Both in one folder of devices."""
    folder = tmp_path_factory.mktemp("fleet")
    devices = folder / "devices"
    devices.mkdir()
    east, west = devices / "mfd-east-1", devices / "mfd-west-2"
    provision(east, "mfd-east-1", "EAST0001")
    provision(west, "mfd-west-2", "WEST0002")
    east_log, west_log = folder / "east.log", folder / "west.log"
    collector = run_in_thread("tcp://127.0.0.1:0", east_log)
    try:
        summary = sim.run(east, 1000, 3, 2, "cpython", syslog=f"tcp://127.0.0.1:{collector.port}", days=2,
                          outage=True)
        sent = summary["syslog"]["messages"] + summary["syslog"]["blocks"]
        collector.wait_for(sent, timeout=30)
    finally:
        collector.stop()
    sim.run(west, 400, 4, 1, "cpython", syslog=f"file://{west_log}", days=1)
    trust = [east / "escrow" / "syslog-signing.pem", west / "escrow" / "syslog-signing.pem"]
    page = folder / "east.html"
    state = tmp_path_factory.mktemp("state")
    status = run_report(east, "--html", page, "--syslog", east_log, "--trust", trust[0], "--state", state)
    verified = syslog_verify.verify([east_log], [trust[0]])
    return {"east": east, "west": west, "devices": devices, "east_log": east_log, "west_log": west_log,
            "trust": trust, "summary": summary, "page": page, "status": status, "verified": verified,
            "html": page.read_text(encoding="utf-8"), "folder": folder, "state": state}


def figures(html_text: str, prefix: str = "") -> dict[str, int]:
    doc = Page(html_text)
    found = doc.find("div", id=f"{prefix}delivery-figures")
    assert len(found) == 1
    return {k[5:]: int(v) for k, v in found[0].items() if k.startswith("data-")}


def warning_count(warning: dict) -> int:
    return len(warning["numbers"]) or int(warning["detail"].split(" ", 1)[0])


# ------------------------------------------------------------------ delivery, reconciled with the verifier

def test_delivery_figures_are_the_verifiers(fleet):
    assert fleet["status"] == 0
    verified = fleet["verified"]
    assert verified["ok"]
    got = figures(fleet["html"])
    lines = [line for line in fleet["east_log"].read_bytes().split(b"\n") if line and b"[ssign" not in line]
    seqs = Counter(int(line.split(b' seq="')[1].split(b'"')[0]) for line in lines)
    assert got["messages"] == verified["normal_messages"] == len(lines)
    assert got["verified"] == verified["verified"]
    assert got["distinct"] == len(seqs)
    stored_twice = sum(warning_count(w) for w in verified["warnings"]
                       if w["kind"] == "resent" and "stored twice" in w["detail"])
    resent = sum(warning_count(w) for w in verified["warnings"]
                 if w["kind"] == "resent" and "stored twice" not in w["detail"])
    assert got["reconnect-duplicates"] == stored_twice > 0          # TCP reconnects after the outages
    assert got["resent"] == resent
    # Every extra copy is explained, and the three kinds add up to what the collector holds.
    assert got["other-copies"] == 0
    assert got["messages"] - got["distinct"] == got["session-resends"] + stored_twice + resent
    assert got["verified"] == got["distinct"] + got["session-resends"]
    assert got["sessions"] == len(verified["groups"])
    assert got["missing"] == 0
    text = Page(fleet["html"]).all_text
    assert f"{got['messages'] - got['distinct']:,} extra copies of records in the collector's file are resends" in text
    assert f"{stored_twice:,} stored twice after a reconnect" in text
    assert "A resend is the device sending a record again, byte for byte" in text
    assert "re-sent after a power cut and signed" not in text           # the old, wrong count is gone


def table_rows(html_text: str, caption: str) -> list[list[str]]:
    table = html_text.split(f"<caption>{caption}", 1)[1].split("</table>", 1)[0]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table)]


def test_outages_are_the_devices_link_records_reconciled_with_the_collector_and_the_verifier(fleet):
    windows = fleet["summary"]["outage"]["windows"]
    assert len(windows) == 2
    got = figures(fleet["html"])
    assert got["outages"] == 2
    rows = table_rows(fleet["html"], "Collector outages")
    assert rows[0][:3] == ["Down (UTC)", "Back (UTC)", "Down for"] and len(rows) == 3
    assert 'data-outage-source="device"' in fleet["html"]
    records = [json.loads(line) for line in _export(fleet["east"]).splitlines()]
    downs = [r for r in records if r["event"] == "audit_link_down"]
    ups = [r for r in records if r["event"] == "audit_link_up"]
    assert len(downs) == len(ups) == 2              # one of each per outage, whatever the retries
    lines = [line for line in fleet["east_log"].read_bytes().split(b"\n") if line and b"[ssign" not in line]
    copies = Counter(int(line.split(b' seq="')[1].split(b'"')[0]) for line in lines)
    resent_total = 0
    for cells, down, up, window in zip(rows[1:], downs, ups, windows):
        items = up["items"]
        first, last, waiting = items["first_seq"], items["last_seq"], items["count"]
        # The page shows the device's records ...
        start = moment(down["time"])
        back = start + timedelta(milliseconds=items["duration_ms"])
        assert cells[0] == report._time(start) and cells[1] == report._time(back)
        assert cells[3] == f"{items['failure_count']:,}" and items["failure_count"] > 0
        assert cells[4] == f"{waiting:,} (seq {first:,}–{last:,})"
        assert waiting == last - first + 1 and first == down["items"]["first_seq"]
        assert first <= down["seq"] <= last and up["seq"] == last + 1
        assert down["items"]["protocol"] == "tcp" and "link down" in down["items"]["reason"]
        # ... which agree with the simulator's outage (the device notices at its next send, and is back
        # at the first retry after the link is: the backoff is capped at a minute) ...
        assert moment(window["from"]) <= start <= moment(window["from"]) + timedelta(minutes=5)
        assert moment(window["until"]) <= back <= moment(window["until"]) + timedelta(minutes=3)
        # ... and with the collector's file: every waiting record arrived; those it already held are
        # the re-sent copies; its silence began before the device noticed and ended when it was back.
        assert cells[5] == f"{waiting:,}" and all(copies[seq] for seq in range(first, last + 1))
        resent = sum(copies[seq] - 1 for seq in range(first, last + 1))
        assert cells[6] == f"{resent:,}"
        resent_total += resent
        heard, _, rest = cells[7].partition(" → ")
        assert moment(window["from"]) - timedelta(minutes=5) <= moment(heard + "Z") <= start
        assert rest.startswith(report._time(back)[:16])
    # verify syslog's "stored twice" count is exactly the copies the two outages re-sent, and the
    # simulator's refusals are each outage's loss plus its failed tries.
    stored_twice = sum(warning_count(w) for w in fleet["verified"]["warnings"]
                       if w["kind"] == "resent" and "stored twice" in w["detail"])
    assert got["outage-resent"] == resent_total == stored_twice == got["reconnect-duplicates"]
    assert fleet["summary"]["outage"]["refused"] == sum(1 + u["items"]["failure_count"] for u in ups)
    text = Page(fleet["html"]).all_text
    assert "Source: the device's own records." in text
    assert "A resend is the device sending a record again, byte for byte" in text
    assert "The device recorded 2 outages of its link to the collector" in text


def test_without_the_collectors_file_the_outages_are_the_devices_account(fleet, tmp_path):
    page = tmp_path / "alone.html"
    assert run_report(fleet["east"], "--html", page, "--no-remember") == 0
    text = page.read_text(encoding="utf-8")
    rows = table_rows(text, "Collector outages")
    assert len(rows) == 3 and rows[1][5] == rows[1][6] == rows[1][7] == "not checked"
    assert 'data-outage-source="device"' in text and "A resend is the device sending a record again" in text


def test_a_log_without_link_records_falls_back_to_the_collectors_silences(fleet, tmp_path, monkeypatch):
    # Older firmware logs no audit_link_down / audit_link_up: the outages come from the collector's file.
    monkeypatch.setattr(report, "_link_outages", lambda review: [])
    page = tmp_path / "old.html"
    assert run_report(fleet["east"], "--html", page, "--syslog", fleet["east_log"], "--trust", fleet["trust"][0],
                      "--no-remember") == 0
    text = page.read_text(encoding="utf-8")
    assert 'data-outage-source="collector"' in text and "Source: silences in the collector" in text
    rows = table_rows(text, "Collector outages")
    assert rows[0][0] == "Last received (UTC)" and len(rows) == 3
    for cells, window in zip(rows[1:], fleet["summary"]["outage"]["windows"]):
        assert moment(window["from"]) - timedelta(minutes=5) <= moment(cells[0] + "Z") <= \
            moment(window["from"]) + timedelta(seconds=1)


def _export(device: Path) -> str:
    from hcdaudit_host.export import export_to
    out = device.parent.parent / f"{device.name}.jsonl"
    if not out.exists():
        export_to(device, "jsonl", out)
    return out.read_text()


# ------------------------------------------------------------------ accounts, verdicts, clock

def test_unknown_accounts_are_marked_and_administrators_named(fleet):
    records = [json.loads(line) for line in _export(fleet["east"]).splitlines()]
    failures = [r for r in records if r["event"] == "login_failure"]
    unknown = {r["subject"]["user_id"] for r in failures if r["subject"]["kind"] == "unregistered"}
    admins = {r["subject"]["user_id"] for r in failures
              if r["subject"]["kind"] == "admin" or r["subject"]["role"] == "Administrator"}
    assert unknown and admins
    table = fleet["html"].split("<caption>Accounts with the most failed sign-ins", 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", table)[1:]:
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        name = cells[0].removesuffix(" (unknown account)")
        assert cells[1] == ("no" if name in unknown else "yes"), cells
        assert cells[0].endswith("(unknown account)") == (name in unknown)
        assert (cells[2] == "administrator") == (name in admins), cells
    shown = sum(1 for u in unknown if f"{u} (unknown account)" in table)
    assert shown == min(len(unknown), 20)
    bursts = fleet["html"].split("<caption>Bursts", 1)[1].split("</table>", 1)[0]
    assert "(unknown account)" not in bursts or any(f"{u} (unknown account)" in bursts for u in unknown)


def test_device_verdict_states_the_unanchored_tail(fleet, tmp_path):
    # The simulated device has a board monotonic counter, which anchors its tail:
    assert Page(fleet["html"]).find("h2", id="verdict-h")[0]["data-tail-anchored"] == "true"
    # without it (a board with no counter), nothing outside the device pins its newest seq.
    device = tmp_path / "mfd-east-1"
    shutil.copytree(fleet["east"], device)
    (device / "counter.bin").unlink()
    page = tmp_path / "east.html"
    assert run_report(device, "--html", page, "--no-remember") == 0
    doc = Page(page.read_text(encoding="utf-8"))
    heading = doc.find("h2", id="verdict-h")[0]
    assert heading["data-verdict"] == "clean" and heading["data-tail-anchored"] == "false"
    last = fleet["summary"]["last_seq"]
    text = doc.all_text
    assert f"Verdict: clean for seq 1–{last:,}" in text and "the newest records are not anchored" in text
    assert f"a removal of records after seq {last:,} would leave no trace on the device alone" in text


def test_an_anchored_tail_is_not_called_unanchored(fleet, monkeypatch, tmp_path):
    from hcdaudit_host import verify_store
    plain = verify_store.as_json

    def anchored(report_):
        doc = plain(report_)
        doc.update(tail_anchored=True, proven={"first_seq": 1, "last_seq": fleet["summary"]["last_seq"]})
        return doc

    monkeypatch.setattr(verify_store, "as_json", anchored)
    out = tmp_path / "anchored.html"
    assert run_report(fleet["east"], "--html", out) == 0
    doc = Page(out.read_text())
    assert doc.find("h2", id="verdict-h")[0]["data-tail-anchored"] == "true"
    assert "not anchored" not in doc.all_text


def test_a_jsonl_export_headline_says_it_is_not_authenticated(fleet, tmp_path):
    _export(fleet["east"])
    out = tmp_path / "export.html"
    assert run_report(fleet["east"].parent.parent / "mfd-east-1.jsonl", "--html", out) == 0
    doc = Page(out.read_text())
    heading = doc.find("h2", id="verdict-h")[0]
    assert heading["data-verdict"] == "unauthenticated"
    assert "Verdict: not authenticated" in doc.all_text and "Verdict: clean" not in doc.all_text
    assert "anyone could have edited it" in doc.all_text


def test_clock_changes_alarm_only_past_the_threshold(fleet):
    records = [json.loads(line) for line in _export(fleet["east"]).splitlines()]
    clocks = [r for r in records if r["event"] == "clock_change"]
    expected = []
    for r in clocks:
        shift = (moment(r["time"]) - moment(r["items"]["old_time"])).total_seconds()
        person = r["items"].get("method") != "ntp" or r["subject"]["kind"] != "system"
        expected.append(person or abs(shift) > report.CLOCK_STEP_ALARM_S)
    assert True in expected and False in expected          # routine NTP corrections and a manual change
    table = fleet["html"].split("<caption>Clock changes", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    assert [("needs a look" in row) for row in rows] == expected
    assert all("routine correction" in row for row, alarm in zip(rows, expected) if not alarm)
    tile = re.search(r'<li class="(attn)?"><a href="#changes"><span class="n">\d+</span><span class="l">clock changes '
                     r'\((\d+) past the threshold\)', fleet["html"])
    assert tile and tile.group(1) == "attn" and int(tile.group(2)) == sum(expected)
    power_tile = re.search(r'<li class="(attn)?"><a href="#power">', fleet["html"])
    assert power_tile and power_tile.group(1) is None          # a power cut's recovery is no alarm
    assert f"more than {report.CLOCK_STEP_ALARM_S} s" in Page(fleet["html"]).all_text   # the rule is on the page


# ------------------------------------------------------------------ charts that fit the period

def synthetic(tmp_path: Path, start: str, days: int, every_hours: int = 5) -> Path:
    base = {"outcome": "success", "subject": {"kind": "user", "user_id": "u1", "name": "", "role": "User"},
            "interface": "panel", "remote_host": None, "items": {}}
    first = moment(start)
    rows = []
    for n in range(days * 24 // every_hours):
        when = first + timedelta(hours=n * every_hours)
        event = "login_failure" if n % 3 == 0 else "print_job"
        rows.append({**base, "seq": n + 1, "time": when.strftime("%Y-%m-%dT%H:%M:%S.000000Z"), "event": event,
                     "outcome": "failure" if event == "login_failure" else "success"})
    path = tmp_path / f"{start[:10]}-{days}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("start, days, unit, weekend", [
    ("2026-11-23T00:30:00Z", 1, "hour", False),      # a Monday
    ("2026-11-23T00:30:00Z", 2, "hour", False),
    ("2026-11-27T00:30:00Z", 2, "hour", True),       # Friday and Saturday
    ("2026-11-23T00:30:00Z", 4, "day", False),       # Monday to Thursday
    ("2026-11-02T00:30:00Z", 60, "day", True),
    ("2026-01-05T00:30:00Z", 200, "week", False),
])
def test_charts_fit_the_period_and_carry_their_counts(tmp_path, start, days, unit, weekend):
    source = synthetic(tmp_path, start, days)
    out = tmp_path / "chart.html"
    assert run_report(source, "--html", out) == 0
    html_text = out.read_text()
    doc = Page(html_text)
    records = [json.loads(line) for line in source.read_text().splitlines()]
    assert f"Events per {unit}" in doc.all_text and f"events per {unit}" in html_text
    bars = {g["data-bucket"]: int(g["data-total"]) for g in doc.inside("chart-timeline", "g") if "data-total" in g}
    keys = {"hour": lambda t: t[:13], "day": lambda t: t[:10],
            "week": lambda t: (moment(t).date() - timedelta(days=moment(t).weekday())).isoformat()}[unit]
    expected = Counter(keys(r["time"]) for r in records)
    assert {k: v for k, v in bars.items() if v} == dict(expected)
    assert sum(bars.values()) == len(records)
    shading = [r for t, r, s in doc.elements if s == "chart-timeline" and t == "g" and r.get("class") == "weekend"]
    assert bool(shading) == weekend
    assert ("Shaded columns are Saturdays and Sundays" in doc.all_text) == weekend
    assert "hover" not in doc.all_text.lower()
    # Counts readable without hovering: a table of every bar behind each time chart, and the hours' table.
    table = html_text.split(f"<caption>Events per {unit} and category (the numbers of the chart)</caption>", 1)[1]
    table = table.split("</table>", 1)[0]
    assert len(re.findall(r"<tr>", table)) - 1 == len(bars)
    assert "Failed sign-ins and lockouts per" in html_text and "Events by hour of day (UTC, the numbers" in html_text


# ------------------------------------------------------------------ several devices on one page

def test_a_folder_of_devices_gives_one_overview_row_per_device(fleet, tmp_path):
    out = tmp_path / "fleet.html"
    status = run_report(fleet["devices"], "--html", out, "--syslog", fleet["east_log"], "--syslog", fleet["west_log"],
                        "--trust", fleet["trust"][0], "--trust", fleet["trust"][1], "--no-remember")
    assert status == 0
    html_text = out.read_text()
    doc = Page(html_text)
    ids = [a["id"] for _, a, _ in doc.elements if "id" in a]
    assert len(ids) == len(set(ids)), "ids repeat across device sections"
    table = html_text.split('<section id="overview"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", table)[1:]
    assert len(rows) == 2
    for number, (row, name) in enumerate(zip(rows, ("mfd-east-1", "mfd-west-2")), 1):
        link = re.search(r'href="#([^"]+)">([^<]+)</a>', row)
        assert link and link.group(2) == name and link.group(1) in ids
        section = html_text.split(f'id="{link.group(1)}"', 1)[1].split('<section class="device"', 1)[0]
        assert f"Audit log review — {name}" in section
        got = figures(html_text, f"dev{number}-")
        cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        assert cells[1].startswith("clean") and cells[5] == f"{got['outages']:,}"
        device = fleet["east"] if number == 1 else fleet["west"]
        records = [json.loads(line) for line in _export(device).splitlines()]
        assert cells[2] == f"{len(records):,}"
        assert cells[3] == f"{sum(1 for r in records if r['event'] == 'login_failure'):,}"
        assert cells[4] == f"{sum(1 for r in records if r['event'] == 'lockout'):,}"
    # Each device is judged on its own messages of the shared verification.
    east = figures(html_text, "dev1-")
    assert east == figures(fleet["html"])
    assert figures(html_text, "dev2-")["outages"] == 0
    # Links inside a device's section stay inside it.
    assert 'href="#dev2-auth"' in html_text and 'href="#auth"' not in html_text


def test_the_same_device_twice_is_refused(fleet, tmp_path):
    assert run_report(fleet["east"], fleet["east"], "--html", tmp_path / "x.html") == 2


# ------------------------------------------------------------------ in a real browser

MEASURE = """<script>
(function () {
  var root = document.documentElement, worst = 0, who = "", small = 1e9;
  document.querySelectorAll("body *").forEach(function (el) {
    if (el.parentElement && el.parentElement.closest(".scroll, .chartbox")) return;  /* scrolls in its own box */
    var right = el.getBoundingClientRect().right - root.clientWidth;
    if (right > worst) { worst = right; who = el.tagName + "." + el.getAttribute("class"); }
  });
  document.querySelectorAll("svg.chart text").forEach(function (t) {
    var m = t.getScreenCTM(), size = parseFloat(getComputedStyle(t).fontSize) * Math.sqrt(m.a * m.a + m.b * m.b);
    if (size < small) small = size;
  });
  var unboxed = [].slice.call(document.querySelectorAll("table")).filter(function (t) {
    return !t.parentElement.classList.contains("scroll"); }).length;
  var out = parent.document.getElementById("measured");
  out.setAttribute("data-scroll-width", root.scrollWidth);
  out.setAttribute("data-client-width", root.clientWidth);
  out.setAttribute("data-worst", worst.toFixed(1));
  out.setAttribute("data-worst-element", who);
  out.setAttribute("data-min-chart-text", small.toFixed(1));
  out.setAttribute("data-unboxed-tables", unboxed);
})();
</script>"""


def measured(page: Path, width: int, tmp_path: Path) -> dict[str, str]:
    """The page's layout in a viewport `width` px wide (an iframe: a browser window has a minimum width),
    measured by a script injected into a copy of the page (the page itself forbids scripts)."""
    html_text = page.read_text(encoding="utf-8")
    html_text = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html_text, count=1)
    html_text = html_text.replace("</body>", MEASURE + "</body>")
    frame = (f'<!DOCTYPE html><html><body style="margin:0"><div id="measured"></div>'
             f'<iframe style="width:{width}px;height:900px;border:0;display:block" '
             f'srcdoc="{html.escape(html_text, quote=True)}"></iframe></body></html>')
    copy = tmp_path / f"measure-{width}-{page.name}"
    copy.write_text(frame, encoding="utf-8")
    done = chromium("--dump-dom", f"--window-size={max(width + 40, 600)},1000", copy.resolve().as_uri(),
                    profile=tmp_path / f"profile-measure-{width}-{page.stem}")
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'<div id="measured"([^>]*)>', done.stdout)
    assert found, "no measurement in the dumped DOM"
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', found.group(1)))


@pytest.fixture(scope="module")
def fleet_page(fleet, tmp_path_factory):
    out = tmp_path_factory.mktemp("fleet-page") / "fleet.html"
    assert run_report(fleet["devices"], "--html", out, "--syslog", fleet["east_log"], "--syslog",
                      fleet["west_log"], "--trust", fleet["trust"][0], "--trust", fleet["trust"][1],
                      "--no-remember") == 0
    return out


@pytest.mark.parametrize("width", [1400, 400])
@pytest.mark.parametrize("which", ["device", "fleet"])
def test_the_body_never_overflows_horizontally(fleet, fleet_page, tmp_path, width, which):
    page = fleet["page"] if which == "device" else fleet_page
    got = measured(page, width, tmp_path)
    assert got, "the measuring script did not run"
    assert width - 20 <= int(got["client-width"]) <= width          # less a scroll bar, if any
    assert got["scroll-width"] == got["client-width"], f"the body is {got['scroll-width']} px wide at {width} px"
    assert float(got["worst"]) <= 0.5, f"{got['worst-element']} sticks out by {got['worst']} px"
    assert got["unboxed-tables"] == "0"
    assert float(got["min-chart-text"]) >= 8.0, f"chart text {got['min-chart-text']} px high at {width} px"


def test_the_measurement_catches_what_sticks_out(fleet, tmp_path):
    """The control: the same measurement on a copy with one unboxed wide table and one wide paragraph."""
    wide = tmp_path / "wide.html"
    wide.write_text(fleet["html"].replace(
        '<footer>', '<table><tr><td style="white-space:nowrap">' + "x" * 300 + "</td></tr></table>"
        '<p style="width:700px">too wide</p><footer>'), encoding="utf-8")
    got = measured(wide, 400, tmp_path)
    assert int(got["scroll-width"]) > int(got["client-width"])
    assert float(got["worst"]) > 100 and got["unboxed-tables"] == "1"


@pytest.mark.parametrize("width, height", [(1400, 2400), (400, 2400)])
def test_screenshots_at_desktop_and_phone_width(fleet, tmp_path, width, height):
    shot = tmp_path / f"review-{width}.png"
    done = chromium(f"--screenshot={shot}", f"--window-size={width},{height}", fleet["page"].resolve().as_uri(),
                    profile=tmp_path / f"profile-shot-{width}")
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    assert png_size(shot) == (width, height)
    assert shot.stat().st_size > 30_000, "the screenshot looks blank"


def pdf_text(path: Path) -> tuple[int, str]:
    from pypdf import PdfReader
    reader = PdfReader(str(path))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    return len(reader.pages), unicodedata.normalize("NFKC", text)       # the fi ligature of "Verification"


@pytest.mark.parametrize("which", ["device", "fleet"])
def test_print_to_pdf_holds_every_section(fleet, fleet_page, tmp_path, which):
    page = fleet["page"] if which == "device" else fleet_page
    pdf = tmp_path / "review.pdf"
    printed = chromium(f"--print-to-pdf={pdf}", page.resolve().as_uri(), profile=tmp_path / "profile-pdf")
    assert printed.returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-", printed.stderr[-2000:]
    pages, text = pdf_text(pdf)
    squeezed = text.replace(" ", "")
    doc = Page(page.read_text(encoding="utf-8"))
    headings = [a["id"] for a in doc.find("h2") if a.get("id")]
    assert len(headings) >= 10
    html_text = page.read_text(encoding="utf-8")
    for heading_id in headings:
        title = re.sub(r"<[^>]+>", "", html_text.split(f'id="{heading_id}"', 1)[1].split(">", 1)[1]
                       .split("</h2>", 1)[0])
        words = re.sub(r"&[a-z]+;|&#\d+;", "", title).replace(" ", "")[:40]
        assert words in squeezed, f"section {heading_id} ({title!r}) is not in the printed PDF"
    assert "Reviewedby" in squeezed                     # the sign-off block, at the very end
    devices = 2 if which == "fleet" else 1
    assert 3 * devices <= pages <= 40 * devices, f"{pages} printed pages"


def test_rendered_dom_keeps_every_count(fleet, tmp_path):
    dom = chromium("--dump-dom", fleet["page"].resolve().as_uri(), profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("data-count=") == fleet["html"].count("data-count=")
    # The numbers shown in the browser are the verifier's.
    assert figures(dom.stdout) == figures(fleet["html"])
