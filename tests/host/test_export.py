"""`hcdaudit export` in every format, compared field by field with the records the
firmware logged (read back independently with the core's Reader), plus filters."""
from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from boards.host import device as device_mod
from boards.host.dirfs import DirFs
from boards.host.memory import RamNvram
from hcdaudit import catalog, subject
from hcdaudit.audit import AuditLog
from hcdaudit.hal import cpython as hal
from hcdaudit.reader import Reader
from hcdaudit.syslog import Formatter
from hcdaudit.timefmt import rfc3339
from hcdaudit_host import sim
from hcdaudit_host.provision import provision
from hcdaudit_host.records import to_json
from hcdaudit_host.syslog_verify import parse_message

BOM = b"\xef\xbb\xbf"
NASTY = 'Q3, "final"\nreport\t(v2).pdf'
# (event, subject, outcome, interface, remote host, items): logged after the simulated day
EXTRA = [
    ("login", subject.user("müller", "Jürgen Müller"), None, "web", "192.0.2.44", {}),
    ("print_job", subject.user("yamada", "山田太郎"), None, "ipp", "192.0.2.45", {"file_name": NASTY, "pages": 7}),
    ("login_failure", subject.unregistered("ålice"), "invalid_password", "panel", None, {}),
    ("setting_change", subject.admin(), None, "web", "192.0.2.5",
     {"setting": 'SMTP, "relay"', "old_value": "off", "new_value": "on"}),
]


def spreadsheet_safe(value):
    """What the CSV export writes for a text cell a spreadsheet would run as a formula."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def reference_records(device: Path) -> list[dict]:
    """What the firmware logged, read with the core Reader alone (not the host tools)."""
    identity = json.loads((device / "escrow" / "device.json").read_text())
    key = (device / "escrow" / "master.key").read_bytes()
    nv = (device / "nvram.bin").read_bytes()
    root = device / "escrow" / "integrity.key"
    reader = Reader(DirFs(str(device / "store")), RamNvram(len(nv), nv), key, identity["slot_count"],
                    identity["slot_size"], hal.Aes, identity["uuid"], root.read_bytes() if root.exists() else None)
    records = list(reader.records())
    assert reader.report.intact()
    return records


@pytest.fixture(scope="module")
def known_run(tmp_path_factory):
    device = tmp_path_factory.mktemp("export") / "mfd"
    provision(device, "mfd-lab-7", "XR0007", fqdn="mfd-lab-7.example.com")
    summary = sim.run(device, 300, 11, 0, "cpython")
    assert summary["intact"]
    board, _ = device_mod.open_board(str(device))
    log = AuditLog(board, device_mod.load_master_key(str(device)))
    log.boot()
    extra_seqs = [log.log(name, subject=who, outcome=outcome, interface=iface, remote_host=host, **items)
                  for name, who, outcome, iface, host, items in EXTRA]
    board.nvram.close()
    return device, reference_records(device), extra_seqs


def run_export(hcdaudit, device, tmp_path, fmt, *extra):
    out = tmp_path / f"export.{fmt}"
    status, stdout, err = hcdaudit("export", device, "--format", fmt, "-o", out, *extra)
    assert status == 0, err
    return out, err


def utc(record):
    return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=record["time_us"])


def by_seq(records):
    return {r["seq"]: r for r in records}


def extra_records(known_run):
    _, records, seqs = known_run
    index = by_seq(records)
    return [index[s] for s in seqs]


def test_the_run_logged_what_the_tests_expect(known_run):
    device, records, seqs = known_run
    assert [r["seq"] for r in records] == list(range(1, records[-1]["seq"] + 1))
    assert len(records) > 300 and seqs[-1] == records[-1]["seq"]
    for record, (name, who, outcome, iface, host, items) in zip(extra_records(known_run), EXTRA):
        assert record["event"] == catalog.event_code(name) and record["subject"][1:3] == who[1:3]
        assert record["interface"] == iface and record["remote_host"] == host
        assert {catalog.item_name(c): v for c, v in record["items"].items()} == items


def test_jsonl_matches_the_records(known_run, hcdaudit, tmp_path):
    device, records, _ = known_run
    out, err = run_export(hcdaudit, device, tmp_path, "jsonl")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [to_json(r) for r in records]
    assert f"exported {len(records)} records" in err
    nasty = lines[-3]
    assert nasty["subject"]["name"] == "山田太郎" and nasty["items"]["file_name"] == NASTY


def test_csv_round_trips_every_field_with_the_csv_module(known_run, hcdaudit, tmp_path):
    device, records, _ = known_run
    out, _ = run_export(hcdaudit, device, tmp_path, "csv")
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(records)
    for row, record in zip(rows, records):
        kind, user_id, name, role = record["subject"]
        assert int(row["seq"]) == record["seq"]
        assert row["time"] == rfc3339(record["time_us"])
        assert int(row["event_code"], 16) == record["event"] and row["event"] == catalog.event_name(record["event"])
        assert row["outcome"] == catalog.outcome_name(record["outcome"])
        assert (row["user_id"], row["user_name"], row["role"]) == tuple(map(spreadsheet_safe, (user_id, name, role)))
        assert row["interface"] == (record["interface"] or "") and row["remote_host"] == (record["remote_host"] or "")
        items = json.loads(row["items"]) if row["items"] else {}
        assert items == {catalog.item_name(c): v for c, v in record["items"].items()}
    login, job, failure, setting = rows[-4:]
    assert login["user_id"] == "müller" and login["user_name"] == "Jürgen Müller"
    assert json.loads(job["items"])["file_name"] == NASTY            # commas, quotes, a newline and a tab
    assert failure["user_id"] == "ålice" and failure["outcome"] == "invalid_password"
    assert json.loads(setting["items"])["setting"] == 'SMTP, "relay"'


def test_fx_format3_header_columns_and_rows(known_run, hcdaudit, tmp_path):
    device, records, _ = known_run
    out, _ = run_export(hcdaudit, device, tmp_path, "fx", "--tz-minutes", "540", "--date-format", "DD/MM/YYYY",
                        "--device-ip", "192.0.2.10")
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and "\r" not in out.read_text(encoding="utf-8")
    header, columns, rows = lines[0].split("\t"), lines[1].split("\t"), [l.split("\t") for l in lines[2:-1]]
    assert header == ["3", "192.0.2.10", "UTF8", "540", "DD/MM/YYYY"]
    assert columns == ["Log ID", "Date", "Time", "Audit Event ID", "Logged Events", "User Name", "Description",
                       "Status", "Optionally Logged Items"]
    assert len(rows) == len(records)
    for row, record in zip(rows, records):
        assert len(row) == 9
        local = utc(record) + timedelta(minutes=540)
        assert row[0] == str((record["seq"] - 1) % 60000 + 1)
        assert row[1] == local.strftime("%d/%m/%Y") and row[2] == local.strftime("%H:%M:%S")
        assert row[3].startswith("0x") and len(row[3]) == 6
        assert row[4] == catalog.category(record["event"])
        who = record["subject"]
        if who[0] == subject.USER and record["event"] >> 8 != 4:
            assert row[5] == who[1]
    login, job, failure, setting = rows[-4:]
    assert login[5] == "müller" and login[7] == "Successful" and "192.0.2.44" in login[8]
    assert job[5] == "山田太郎"                      # job events name the owner by name (FX §3.4)
    assert "Q3, \"final\"\ufffdreport\ufffd(v2).pdf" in job[8]     # the line break and tab cannot break the row
    assert failure[5] == "-" and failure[7] == "Failed(Invalid Password)"
    assert setting[5] == "KO" and setting[8] == 'SMTP, "relay",is enabled'


def test_fx_defaults_and_bad_header_options(known_run, hcdaudit, tmp_path):
    device, records, _ = known_run
    out, _ = run_export(hcdaudit, device, tmp_path, "fx")
    first = out.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == "3\t0.0.0.0\tUTF8\t0\tYYYY/MM/DD"
    for bad in (("--tz-minutes", "900"), ("--device-ip", "mfd lab")):
        status, _, err = hcdaudit("export", device, "--format", "fx", *bad)
        assert status == 2 and err.count("\n") == 1 and err.startswith("hcdaudit: error:")


def test_xerox_table(known_run, hcdaudit, tmp_path):
    device, records, _ = known_run
    out, _ = run_export(hcdaudit, device, tmp_path, "xerox")
    lines = out.read_text(encoding="utf-8").split("\n")[:-1]
    assert lines[0].split("\t")[:7] == ["Index", "Date", "Time", "ID", "Description", "User Name",
                                        "Completion Status"]
    rows = [l.split("\t") for l in lines[1:]]
    assert len(rows) == len(records)
    for row, record in zip(rows, records):
        t = utc(record)
        assert row[0] == str(record["seq"])
        assert row[1] == t.strftime("%m/%d/%y") and row[2] == t.strftime("%H:%M:%S")
        details = row[7:]
        for code, value in record["items"].items():
            text = value if isinstance(value, str) else str(value)
            text = text.replace("\n", "\ufffd").replace("\t", "\ufffd")
            assert f"{catalog.item_name(code)}={text}" in details
        if record["remote_host"]:
            assert f"host={record['remote_host']}" in details
        who = record["subject"]
        if who[0] == subject.USER:
            assert row[5] == (who[2] or who[1])          # App. B: the user's name, else the ID
    assert rows[-4][5] == "Jürgen Müller" and rows[-3][5] == "山田太郎" and rows[-2][5] == "ålice"


def test_km_table(known_run, hcdaudit, tmp_path):
    device, records, _ = known_run
    out, _ = run_export(hcdaudit, device, tmp_path, "km")
    lines = out.read_text(encoding="utf-8").split("\n")[:-1]
    assert lines[0] == "Date/Time\tAudit ID\tAction\tResult"
    rows = [l.split("\t") for l in lines[1:]]
    assert len(rows) == len(records)
    for row, record in zip(rows, records):
        assert len(row) == 4
        assert row[0] == utc(record).strftime("%Y/%m/%d %H:%M:%S")
        assert row[3] == ("NG" if catalog.outcome_failed(record["outcome"]) else "OK")
        if record["subject"][0] == subject.USER:
            assert row[1] == record["subject"][1]
    assert rows[-4][1] == "müller" and rows[-2][3] == "NG"
    assert rows[-1][1] == "-2"                      # the built-in administrator (KM -2)


def test_pwg_file_has_one_bom_and_rfc5424_lines(known_run, hcdaudit, tmp_path):
    device, records, _ = known_run
    out, _ = run_export(hcdaudit, device, tmp_path, "pwg")
    data = out.read_bytes()
    assert data.startswith(BOM) and data.count(BOM) == 1          # PWG §8: one BOM, at the start of the file
    lines = data[len(BOM):].split(b"\n")
    assert lines[-1] == b""
    lines = lines[:-1]
    assert len(lines) == len(records)
    identity = json.loads((device / "escrow" / "device.json").read_text())
    settings = identity["syslog"]
    formatter = Formatter(identity["fqdn"], identity["uuid"], settings["service_uri"], settings["service_uuid"])
    for line, record in zip(lines, records):
        assert not line.startswith(BOM)
        message = parse_message(line)
        assert message.version == 1 and message.hostname == "mfd-lab-7.example.com"
        assert message.timestamp == rfc3339(record["time_us"])
        assert message.msg is not None and not message.msg.startswith(BOM)
        assert message.pri == 6 * 8 + catalog.severity(record["event"], record["outcome"])
        elements = {e.sd_id: {p.name: p.value for p in e.params} for e in message.elements}
        assert elements["PWG"]["DUU"] == identity["uuid"]
        assert elements["PWG"]["E"] == catalog.pwg_name(record["event"])
        private = elements["hcdaudit@32473"]
        assert private["seq"] == str(record["seq"])
        assert private["event"] == "0x%04x" % record["event"]
        assert private["outcome"] == catalog.outcome_name(record["outcome"])
        if record["subject"][1]:
            assert private["user"] == record["subject"][1]
        # Byte for byte what the device sends, less the BOM before MSG.
        sent = bytes(formatter.format(record))
        assert sent.count(BOM) == 1 and line == sent.replace(b"] " + BOM, b"] ", 1)
    login = {e.sd_id: {p.name: p.value for p in e.params} for e in parse_message(lines[-4]).elements}
    assert login["PWG"]["UN"] == "müller" and login["PWG"]["UH"] == "192.0.2.44"
    job = {e.sd_id: {p.name: p.value for p in e.params} for e in parse_message(lines[-3]).elements}
    assert job["hcdaudit@32473"]["name"] == "山田太郎"
    assert job["hcdaudit@32473"]["file_name"] == 'Q3, "final"\ufffdreport\ufffd(v2).pdf'


def test_export_to_stdout(known_run, hcdaudit):
    device, records, _ = known_run
    status, out, err = hcdaudit("export", device, "--format", "km")
    assert status == 0 and len(out.splitlines()) == len(records) + 1
    status, out, err = hcdaudit("export", device, "--format", "pwg")
    assert status == 0 and out.startswith("\ufeff<") and out.count("\ufeff") == 1


def test_filters_select_by_time_and_seq_and_say_so(known_run, hcdaudit, tmp_path):
    device, records, _ = known_run
    since = datetime(2026, 11, 23, 7, 30, tzinfo=timezone.utc)
    until = datetime(2026, 11, 23, 16, 40, tzinfo=timezone(timedelta(hours=9)))      # 07:40 UTC
    out, err = run_export(hcdaudit, device, tmp_path, "jsonl", "--since", "2026-11-23T07:30:00Z",
                          "--until", "2026-11-23T16:40:00+09:00", "--seq", "10-250")
    got = [json.loads(line)["seq"] for line in out.read_text().splitlines()]
    want = [r["seq"] for r in records if since <= utc(r) <= until and 10 <= r["seq"] <= 250]
    assert got == want and 0 < len(want) < 150
    assert f"selected {len(want)} of {len(records)} records" in err
    out, err = run_export(hcdaudit, device, tmp_path, "csv", "--seq", "5-9")
    assert [r["seq"] for r in csv.DictReader(out.open(newline="", encoding="utf-8"))] == ["5", "6", "7", "8", "9"]
    # Plain dates are UTC days. The fixture's last records carry today's wall-clock time.
    last_day = max(utc(r) for r in records).date()
    out, _ = run_export(hcdaudit, device, tmp_path, "km", "--since", (last_day + timedelta(days=1)).isoformat())
    assert out.read_text().count("\n") == 1                                           # the column line only
    out, _ = run_export(hcdaudit, device, tmp_path, "jsonl", "--until", last_day.isoformat())  # through that day
    assert out.read_text().count("\n") == len(records)
    out, _ = run_export(hcdaudit, device, tmp_path, "jsonl", "--until", "2026-11-23")  # the simulated day
    assert out.read_text().count("\n") == sum(1 for r in records if utc(r).date().isoformat() <= "2026-11-23")


@pytest.mark.parametrize("argv", [("--since", "yesterday"), ("--since", "2026-11-23T08:00:00"),
                                  ("--seq", "200-100"), ("--seq", "x"), ("--since", "2026-02-30"),
                                  ("--since", "2026-11-24", "--until", "2026-11-23")])
def test_bad_filters_are_unusable_input(known_run, hcdaudit, tmp_path, argv):
    device, _, _ = known_run
    status, out, err = hcdaudit("export", device, "--format", "jsonl", "-o", tmp_path / "x.jsonl", *argv)
    assert status == 2 and err.count("\n") == 1 and err.startswith("hcdaudit: error:") and "Traceback" not in err
    assert not (tmp_path / "x.jsonl").exists()


def test_filters_never_hide_findings(known_run, hcdaudit, tmp_path):
    import shutil
    device = tmp_path / "copy"
    shutil.copytree(known_run[0], device)
    segment = sorted((device / "store").iterdir())[1]           # seqs 51-100
    data = bytearray(segment.read_bytes())
    data[100] ^= 0x20
    segment.write_bytes(bytes(data))
    out = tmp_path / "late.jsonl"
    status, _, err = hcdaudit("export", device, "--format", "jsonl", "--seq", "200-", "-o", out)
    assert status == 1                                            # the damage is outside the selection
    assert "integrity findings: modified seq 51" in err
    assert json.loads(out.read_text().splitlines()[0])["seq"] == 200


def test_unusable_input_leaves_no_output_file(known_run, hcdaudit, tmp_path):
    import shutil
    device = tmp_path / "copy"
    shutil.copytree(known_run[0], device)
    (device / "escrow" / "master.key").write_bytes(bytes(32))
    out = tmp_path / "out.pwg"
    status, _, err = hcdaudit("export", device, "--format", "pwg", "-o", out)
    assert status == 2 and "authenticates" in err and err.count("\n") == 1
    assert not out.exists() and list(tmp_path.glob(".out.pwg.*")) == []


def test_export_never_writes_the_device(known_run, hcdaudit, tmp_path):
    device, _, _ = known_run
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in device.rglob("*") if p.is_file()}
    run_export(hcdaudit, device, tmp_path, "pwg")
    assert hcdaudit("verify", "store", device)[0] == 0
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in device.rglob("*") if p.is_file()}
    assert after == before


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(tmp_path, hcdaudit):
    device = tmp_path / "mfd"
    provision(device, "mfd-lab-8", "XR0008")
    board, _ = device_mod.open_board(str(device))
    log = AuditLog(board, device_mod.load_master_key(str(device)))
    log.boot()
    hostile = '=HYPERLINK("http://x.ex")'       # within the 32-byte user ID
    log.log("login_failure", subject=subject.unregistered(hostile), outcome="invalid_user_id",
            interface="web", remote_host="192.0.2.66")
    log.log("login_failure", subject=subject.unregistered("-2+3"), outcome="invalid_user_id", interface="web")
    board.nvram.close()
    out, _ = run_export(hcdaudit, device, tmp_path, "csv")
    with open(out, newline="", encoding="utf-8") as f:
        users = [row["user_id"] for row in csv.DictReader(f)]
    assert users[-2:] == ["'" + hostile, "'-2+3"]
    # JSON lines keep it exactly.
    status, stdout, _ = hcdaudit("export", device, "--format", "jsonl")
    assert status == 0 and json.loads(stdout.splitlines()[-2])["subject"]["user_id"] == hostile
