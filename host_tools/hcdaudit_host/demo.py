"""`make demo`: provision a throwaway device, start the built-in collector, run a
working day of the simulated MFD controller through the real firmware on CPython
(power cuts at NVRAM and store writes, a firmware-update restart, the collector's
link down for a while), then a short run of the same firmware under the
MicroPython unix port; export the log in every format, verify the store and the
signed syslog, run the conformance check, write the HTML review page, and print
one screen: what happened, what was verified, where the files are. Exit status 1
if any verification fails."""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from . import sim
from .collect import run_in_thread
from .conformance import Options as ConformanceOptions
from .conformance import check_files as check_conformance
from .export import FORMATS, export_to
from .provision import provision
from .report import build as build_report
from .report import write_html
from .syslog_verify import exit_status as syslog_status
from .syslog_verify import verify as verify_syslog
from .verify_store import verify

# The demo's runs: one working day on CPython, a shorter one on MicroPython.
CPYTHON_RUN = {"events": 3000, "seed": 2026, "power_cuts": 3}
MICROPYTHON_RUN = {"events": 400, "seed": 7, "power_cuts": 1}
JOBS = (("print_job", "print"), ("copy_job", "copy"), ("scan_job", "scan"), ("email_job", "e-mail"),
        ("fax_send_job", "fax out"), ("fax_receive_job", "fax in"), ("mailbox_job", "mailbox"),
        ("report_job", "report"))
OK, FAIL = "[green]✔[/]", "[bold red]✘[/]"


class Check:
    """One verification: its verdict and a line for the summary."""

    def __init__(self, ok: bool, text: str):
        self.ok = ok
        self.text = text


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description:<46}"), BarColumn(bar_width=24), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)


def _simulate(console: Console, title: str, device: Path, runtime: str, run: dict, syslog: str) -> tuple[dict, float]:
    started = time.monotonic()
    with _progress(console) as bar:
        task = bar.add_task(title, total=run["events"])

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)
        summary = sim.run(device, run["events"], run["seed"], run["power_cuts"], runtime, syslog=syslog,
                          outage=True, progress=advance)
        bar.update(task, completed=run["events"])
    return summary, time.monotonic() - started


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _verify_device(device: Path, summary: dict, collector: Path) -> tuple[Check, Check, list[Check]]:
    """The store (verify store) with every returned seq, and the collector's file (verify syslog)."""
    report = verify(device, decode=True)     # every record decoded too: "intact" below covers their contents
    missing = summary["returned_missing"]
    store = Check(report.intact() and not missing,
                  f"{report.verified:,} records {'intact' if report.intact() else 'NOT INTACT'} (each decoded); "
                  + ("every seq log() returned is there" if not missing else f"MISSING {missing[:5]}"))
    syslog = verify_syslog([collector], [device / "escrow" / "syslog-signing.pem"])
    copies = syslog["normal_messages"] - syslog["verified"]
    signed = Check(syslog_status(syslog) == 0,
                   f"{syslog['verified']:,} messages verified, {len(syslog['findings'])} findings"
                   + (f", {copies:,} resent copies" if copies > 0 else ""))
    findings = [Check(False, f"  {f['kind']}: {f['detail'][:100]}") for f in syslog["findings"][:3]]
    return store, signed, findings


def _counts(summary: dict) -> tuple[str, str]:
    """The power cuts and the syslog side of a run, one phrase each."""
    where = Counter(cut["where"] for cut in summary["cuts"])
    cuts = f"{summary['power_cuts']} power cut{'s' if summary['power_cuts'] != 1 else ''}"
    if where:
        cuts += " (" + ", ".join(f"{n} {w}" for w, n in sorted(where.items())) + ")"
    cuts += f" → {summary['recoveries']} recovered at boot, {len(summary['boots'])} boots"
    syslog, windows = summary["syslog"], (summary.get("outage") or {}).get("windows") or []
    link = ", ".join(f"link down {w['from'][11:16]}–{w['until'][11:16]}" for w in windows) or "no outage"
    sent = (f"{syslog['sessions']} sessions, {syslog['messages']:,} messages + {syslog['blocks']:,} blocks; "
            f"{link}: {syslog['failed']} failed tries, {syslog['resent']} resent")
    return cuts, sent


def _happened(records: list[dict], summary: dict) -> list[tuple[str, str]]:
    """What the device's own records say happened, a few short rows."""
    count = Counter(r["event"] for r in records)
    bursts = sorted({r["remote_host"] or "the panel" for r in records if r["event"] == "continuous_failure_detected"})
    clock = Counter(r["items"].get("method") for r in records if r["event"] == "clock_change")
    certs = Counter(r["outcome"] for r in records if r["event"] == "certificate_import")
    cuts, sent = _counts(summary)
    return [
        ("jobs", " · ".join(f"{label} {count[name]:,}" for name, label in JOBS if count[name])),
        ("sign-in", f"{count['login']:,} ok · {count['login_failure']} failed · {count['lockout']} lockouts, "
                    f"{count['lockout_expired']} expired" + (f" · burst from {', '.join(bursts)}" if bursts else "")),
        ("admin", f"{count['setting_change']} settings · users +{count['user_add']} −{count['user_delete']} "
                  f"~{count['user_edit']} · {count['role_change']} roles · {count['password_change']} passwords · "
                  f"certificates {certs['success']} in, {certs['failure']} refused · {count['audit_export']} log "
                  f"export · {count['firmware_update']} firmware update + restart"),
        ("clock", f"{count['ntp_failure']} NTP failure · {clock['ntp']} NTP steps · {clock['user']} set by hand"),
        ("power", cuts),
        ("syslog", sent),
    ]


def _summary_screen(console: Console, title: str, happened_rows: list[tuple[str, str]], mp_line: str,
                    checks: list[Check], workdir: Path, elapsed: float) -> None:
    ok = all(c.ok for c in checks)
    happened = Table.grid(padding=(0, 1))
    happened.add_column(style="bold cyan", no_wrap=True)
    happened.add_column()
    for label, line in happened_rows:
        happened.add_row(label, line)
    happened.add_row("mfd-2", mp_line)
    verified = Table.grid(padding=(0, 1))
    verified.add_column(no_wrap=True)
    verified.add_column()
    for check in checks:
        verified.add_row(OK if check.ok else FAIL, check.text)
    files = Table.grid(padding=(0, 1))
    files.add_column(style="bold", no_wrap=True)
    files.add_column()
    files.add_row("folder", str(workdir))
    files.add_row("in it", "mfd-1/ mfd-2/ (device folders) · collector-mfd-1.log, collector-mfd-2.log · "
                           "exports/ (" + ", ".join(FORMATS) + ") · review-mfd-1.html")
    verdict = Text.from_markup(
        f"[bold green]ALL VERIFIED[/] in {elapsed:.1f} s: every record log() returned is on the device and in "
        f"the collector's file, signed, nothing altered" if ok else
        f"[bold red]PROBLEM[/] ({elapsed:.1f} s): a verification failed, see ✘ above")
    console.print(Panel(Group(Text(title, style="bold"), happened, Text(""),
                              Text("What was verified", style="bold"), verified, Text(""),
                              Text("Where the files are", style="bold"), files, Text(""), verdict),
                        title="hcdaudit demo", box=box.ROUNDED, expand=False))


_made: list[Path] = []     # the demo's folder, for the Ctrl-C line


def main() -> int:
    started = time.monotonic()
    console = Console(highlight=False)
    workdir = Path(tempfile.mkdtemp(prefix="hcdaudit-demo-"))
    _made.append(workdir)
    os.environ.setdefault("HCDAUDIT_STATE_DIR", str(workdir / "host-state"))
    device, mp_device = workdir / "mfd-1", workdir / "mfd-2"
    collector, mp_collector = workdir / "collector-mfd-1.log", workdir / "collector-mfd-2.log"
    identity = provision(device, "mfd-lab-1", "DEMO000001")
    provision(mp_device, "mfd-lab-2", "DEMO000002")
    console.print(f"provisioned {identity['name']} and mfd-lab-2 in {workdir}; "
                  "built-in collector on TCP (octet-counted)")

    with run_in_thread("tcp://127.0.0.1:0", collector) as listener:
        summary, seconds = _simulate(console, "a working day on CPython", device, "cpython", CPYTHON_RUN,
                                     f"tcp://127.0.0.1:{listener.port}")
        listener.wait_for(summary["syslog"]["messages"] + summary["syslog"]["blocks"], timeout=30)
    with run_in_thread("tcp://127.0.0.1:0", mp_collector) as listener:
        mp_summary, mp_seconds = _simulate(console, "a shorter day on MicroPython (unix port)", mp_device,
                                           "micropython", MICROPYTHON_RUN, f"tcp://127.0.0.1:{listener.port}")
        listener.wait_for(mp_summary["syslog"]["messages"] + mp_summary["syslog"]["blocks"], timeout=30)

    checks: list[Check] = []
    exports = workdir / "exports"
    exports.mkdir()
    trust = [device / "escrow" / "syslog-signing.pem"]
    with _progress(console) as bar:
        task = bar.add_task("export, verify, check conformance, review", total=len(FORMATS) + 5)
        counts = {}
        for fmt in FORMATS:
            counts[fmt], _ = export_to(device, fmt, exports / f"mfd-1.{fmt}")
            bar.advance(task)
        records = _records(exports / "mfd-1.jsonl")
        store, signed, findings = _verify_device(device, summary, collector)
        checks += [Check(store.ok, "store   " + store.text), Check(signed.ok, "syslog  " + signed.text), *findings]
        bar.advance(task, 2)
        same = len(set(counts.values())) == 1 and counts["jsonl"] == len(records) == records[-1]["seq"]
        checks.append(Check(same, f"exports {counts['jsonl']:,} records in each of {len(FORMATS)} formats, "
                                  f"seqs 1–{records[-1]['seq']:,} without a gap"))
        conformance = check_conformance([collector], ConformanceOptions(trust=trust, strict=True))
        bar.advance(task)
        c = conformance["counts"]
        top = ", ".join(f"{rule}×{sum(n.values())}" for rule, n in list(conformance["rules"].items())[:3])
        checks.append(Check(c["E"] == c["W"] == 0, f"conformance --strict (RFC 5424, PWG 5110.3, RFC 5848, HCD PP): "
                                                   f"{c['E']} errors, "
                                         f"{c['W']:,} warnings, {c['I']} notes ({top})"))
        review = build_report(device, [collector], trust, remember=False)
        write_html(review, workdir / "review-mfd-1.html")
        bar.advance(task)
        checks.append(Check(review.clean, "review  page " + (
            "clean" if review.clean else "with findings: " + "; ".join(review.findings)[:100])))
        mp_store, mp_signed, mp_findings = _verify_device(mp_device, mp_summary, mp_collector)
        checks += [Check(mp_store.ok and mp_signed.ok, f"mfd-2   store {mp_store.text}; syslog {mp_signed.text}"),
                   *mp_findings]
        bar.advance(task)
    from . import demo_https  # the device's own HTTPS admin export: wrong password, then the right one
    checks.append(Check(*demo_https.run(workdir)))
    first, last = records[0]["time"], records[-1]["time"]
    title = (f"What happened on mfd-1 (CPython): {summary['logged']:,} events in {seconds:.1f} s "
             f"({summary['logged'] / max(seconds, 1e-9):,.0f}/s), {first[:10]} {first[11:16]}–{last[11:16]}")
    mp_cuts, mp_sent = _counts(mp_summary)
    mp_line = (f"MicroPython, same firmware: {mp_summary['logged']:,} events in {mp_seconds:.1f} s "
               f"({mp_summary['logged'] / max(mp_seconds, 1e-9):,.0f}/s); {mp_cuts}; {mp_sent}")
    _summary_screen(console, title, _happened(records, summary), mp_line, checks, workdir,
                    time.monotonic() - started)
    return 0 if all(check.ok for check in checks) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        kept = f"the devices and collector files made so far are in {_made[0]}" if _made else "nothing was made"
        print(f"hcdaudit demo: interrupted; {kept}", file=sys.stderr)
        sys.exit(130)
