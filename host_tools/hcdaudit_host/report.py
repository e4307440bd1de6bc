"""`hcdaudit report`: one self-contained HTML page for the administrator's
periodic (monthly) audit-log review that the vendors' security guides and the
HCD PP's FAU_SAR.1 ask for: what happened, per day, what needs a human look
(failed sign-ins and lockouts, settings and clock changes, audit-log exports,
evictions and delivery losses, power losses), and whether the trail itself can
be trusted (the store verification, and the signed syslog when given).

The page is static: inline CSS and inline SVG charts drawn here, no script, no
external font, stylesheet or image, and a Content-Security-Policy that forbids
loading anything, so it opens offline and prints as it shows. Every text that
comes from a record is escaped (a failed sign-in's user name is attacker input).

Input: a device folder (read with access.open_reader, verified with
verify_store.verify) or a JSONL export (`hcdaudit export --format jsonl`),
whose records carry no authentication: for it the page checks seq continuity
only and says so. Exit status 0 clean, 1 findings, 2 unusable input.
"""
from __future__ import annotations

import contextlib
import html
import json
import math
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from .errors import UsageError

__all__ = ["Review", "load_device", "load_jsonl", "analyse", "render", "build", "add_parser", "func"]

# ------------------------------------------------------------------------------------------------------------
# Presentation constants
# ------------------------------------------------------------------------------------------------------------

# Event categories of the catalog, stacked bottom to top, with a colour-blind-safe palette (Okabe-Ito + greys).
CATEGORIES = (
    ("Job Status", "#0072B2"),
    ("Login/Logout", "#E69F00"),
    ("Device Settings", "#009E73"),
    ("Device Data", "#CC79A7"),
    ("Audit Trail", "#56B4E9"),
    ("Communication", "#D55E00"),
    ("System Status", "#7F7F7F"),
    ("Device Config", "#B8A600"),
    ("Audit Policy", "#332288"),
    ("Other", "#BBBBBB"),
)
CATEGORY_COLOR = dict(CATEGORIES)
FAILURE_COLOR = "#D55E00"
LOCKOUT_COLOR = "#8B0000"
BUSINESS_HOURS = (7, 19)         # UTC hours counted as working time in the activity chart
BURST_GAP = timedelta(minutes=10)
BURST_MIN = 3                    # failures of one account within BURST_GAP of each other that make a burst
MAX_ROWS = 400                   # rows shown per table; the rest is counted
MAX_DAY_SPAN = 400               # beyond this, the timeline shows only the days that have records
PROGRESS_AFTER_S = 0.4           # a progress bar appears when reading takes longer (and stderr is a terminal)

AUTH_EVENTS = ("login_failure", "lockout", "lockout_expired", "continuous_failure_detected")
CLOCK_EVENTS = ("clock_change",)
CHANGE_EVENTS = ("setting_change", "job_setting_change", "auth_mode_change", "user_add", "user_edit", "user_delete",
                 "role_change", "password_change", "audit_log_enabled", "audit_log_disabled", "certificate_import",
                 "certificate_delete", "firmware_update", "app_install", "app_uninstall", "cloning_import",
                 "customer_data_erase", "mailbox_create", "mailbox_delete", "remote_service")
EXPORT_EVENTS = ("audit_export", "log_download")
LOSS_EVENTS = ("audit_eviction", "audit_undelivered_loss", "trusted_channel_failure", "ntp_failure",
               "deleted_username_overflow")
POWER_EVENTS = ("audit_start", "audit_stop", "audit_recovery", "device_start", "device_shutdown",
                "abnormal_termination", "process_terminated")
FAILED_OUTCOMES = {"failure", "invalid_user_id", "invalid_password", "aborted"}

# What each store verdict means, for someone who is not a cryptographer.
VERDICT_WORDS = {
    "modified": "records were altered, or fail authentication with the device's key",
    "missing": "records are absent and nothing on the device explains it (possible deletion)",
    "duplicate": "the same record appears twice",
    "reordered": "records appear out of order",
    "truncated": "a storage segment was cut short",
    "quarantined": "damaged storage was set aside at boot (kept as evidence)",
    "unaudited": "records were removed without the audit record that must accompany every removal",
    "rolled back": "records an earlier verification saw are gone: the log was rolled back or replaced",
    "evicted": "oldest records removed by the storage cap, as the device audited (expected, not a fault)",
    "torn": "the record being written when power was cut (never completed, not a fault)",
    "pending": "a removal whose audit record the next boot will write (not a fault)",
}


# ------------------------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------------------------

class _Progress:
    """A rich progress bar on stderr for large inputs: it appears only when stderr is a
    terminal and reading has taken longer than PROGRESS_AFTER_S."""

    def __init__(self, description: str, total: int | None, enabled: bool | None = None):
        self.description = description
        self.total = total
        self.enabled = (sys.stderr.isatty() if hasattr(sys.stderr, "isatty") else False) if enabled is None \
            else enabled
        self.started = time.monotonic()
        self.done = 0
        self._bar = None
        self._task = None

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        if self._bar is None:
            if not self.enabled or time.monotonic() - self.started < PROGRESS_AFTER_S:
                return
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)
            columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
            columns.append(TimeRemainingColumn() if self.total else TimeElapsedColumn())
            self._bar = Progress(*columns, console=Console(file=sys.stderr), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total, completed=self.done)
        else:
            self._bar.update(self._task, completed=self.done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


@dataclass
class Source:
    kind: str                          # "device" or "export"
    path: Path
    records: list[dict]
    name: str | None = None            # the device's name, when known
    device_id: str | None = None
    store_report: Any = None           # verify_store.verify()'s Report (device folders)
    store_text: str | None = None      # verify_store.describe()
    seq_findings: list[dict] = field(default_factory=list)   # export files: seq continuity
    seq_notes: list[str] = field(default_factory=list)


def load_device(device_dir: Path, state_dir: Path | None = None, remember: bool = True,
                progress: bool | None = None) -> Source:
    """Records (as `to_json` gives them) and the verification of a device folder."""
    from .access import open_reader
    from .records import to_json
    from . import verify_store
    reader = open_reader(device_dir)
    bar = _Progress(f"reading {device_dir.name}", None, progress)
    records = []
    try:
        for record in reader.records():
            records.append(to_json(record))
            bar.advance()
    finally:
        bar.close()
    report = verify_store.verify(device_dir, state_dir, remember=remember)
    source = getattr(report, "source", None)
    identity = getattr(source, "identity", None) or {}
    return Source("device", device_dir, records, name=identity.get("name"),
                  device_id=getattr(source, "device_id", None) or identity.get("uuid"),
                  store_report=report, store_text=verify_store.describe(report))


def load_jsonl(path: Path, progress: bool | None = None) -> Source:
    """Records of a JSONL export, checked for the fields the report needs and for seq continuity."""
    try:
        size = path.stat().st_size
        handle = open(path, "rb")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    records = []
    bar = _Progress(f"reading {path.name}", size, progress)
    try:
        with handle:
            for number, raw in enumerate(handle, 1):
                bar.advance(len(raw))
                line = raw.strip()
                if not line:
                    continue
                if number == 1 and line[:1] == b"<":
                    raise UsageError(f"{path} looks like a syslog collector file: give it with --syslog, and the "
                                     f"device folder or its JSONL export as the input")
                try:
                    record = json.loads(line)
                except (ValueError, UnicodeDecodeError):
                    raise UsageError(f"{path}:{number}: not JSON (expected `hcdaudit export --format jsonl` "
                                     f"output)") from None
                records.append(_checked(record, path, number))
    finally:
        bar.close()
    if not records:
        raise UsageError(f"{path} holds no records")
    source = Source("export", path, records)
    _check_continuity(source)
    return source


def _checked(record, path: Path, number: int) -> dict:
    if not isinstance(record, dict):
        raise UsageError(f"{path}:{number}: not an audit record (a JSON object is expected)")
    for key, kind in (("seq", int), ("time", str), ("event", str)):
        if not isinstance(record.get(key), kind) or isinstance(record.get(key), bool):
            raise UsageError(f"{path}:{number}: not an hcdaudit export record (no valid {key!r})")
    if _parse_time(record["time"]) is None:
        raise UsageError(f"{path}:{number}: time {record['time']!r} is not an RFC 3339 time")
    if not isinstance(record.get("subject"), dict):
        record["subject"] = {}
    if not isinstance(record.get("items"), dict):
        record["items"] = {}
    return record


def _check_continuity(source: Source) -> None:
    """An export carries no MAC: what can be checked is that no seq is absent or repeated
    without the device saying why (an audited eviction, or a power cut's torn record)."""
    records = source.records
    seqs = sorted(r["seq"] for r in records)
    explained: list[tuple[int, int, str]] = []
    for r in records:
        items = r["items"]
        if r["event"] == "audit_eviction" and isinstance(items.get("first_seq"), int) \
                and isinstance(items.get("last_seq"), int):
            explained.append((items["first_seq"], items["last_seq"], "evicted by the storage cap (audited)"))
        if r["event"] == "audit_recovery" and isinstance(items.get("last_durable_seq"), int):
            seq = items["last_durable_seq"] + 1
            explained.append((seq, seq, "torn by a power cut (never completed)"))
    counts = Counter(seqs)
    duplicates = sorted(s for s, c in counts.items() if c > 1)
    if duplicates:
        source.seq_findings.append({"kind": "duplicate", "first": duplicates[0], "last": duplicates[-1],
                                    "detail": f"{len(duplicates)} seq number(s) appear more than once"})
    unique = sorted(counts)
    for before, after in zip(unique, unique[1:]):
        if after == before + 1:
            continue
        first, last = before + 1, after - 1
        why = [text for a, b, text in explained if a <= first and last <= b]
        if why:
            source.seq_notes.append(f"seq {_span(first, last)}: {why[0]}")
        else:
            source.seq_findings.append({"kind": "missing", "first": first, "last": last,
                                        "detail": f"{last - first + 1} record(s) absent, nothing in the file "
                                                  f"explains it"})
    if unique and unique[0] > 1:
        source.seq_notes.append(f"the file starts at seq {unique[0]:,}: earlier records are not in it")


# ------------------------------------------------------------------------------------------------------------
# Analysis
# ------------------------------------------------------------------------------------------------------------

def _parse_time(text) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _category(record: dict) -> str:
    from hcdaudit import catalog
    code = record.get("event_code")
    try:
        if not isinstance(code, int):
            code = catalog.event_code(record["event"])
        name = catalog.category(code)
    except (KeyError, ValueError, IndexError, TypeError):
        return "Other"
    return name if name in CATEGORY_COLOR else "Other"


def _failed(record: dict) -> bool:
    return record.get("outcome") in FAILED_OUTCOMES


def _who(record: dict, mark_unknown: bool = False) -> str:
    subject = record.get("subject") or {}
    user = subject.get("user_id") or subject.get("name") or ""
    kind = subject.get("kind") or ""
    if not user:
        return kind or "-"
    if mark_unknown and kind == "unregistered":
        return f"{user} (unknown account)"
    return user


def _where(record: dict) -> str:
    parts = [p for p in (record.get("remote_host"), record.get("interface")) if p]
    return " via ".join(str(p) for p in parts) if parts else "-"


def _span(first: int, last: int) -> str:
    return f"{first:,}" if first == last else f"{first:,}–{last:,}"


@dataclass
class Burst:
    source: str                 # the remote host, or the interface for local attempts
    accounts: list[str]
    first: datetime
    last: datetime
    failures: int
    lockouts: int
    reasons: list[str]


@dataclass
class Review:
    """Everything the page shows, computed once (the tests read it too)."""
    source: Source
    syslog: dict | None
    syslog_files: list[Path]
    first: datetime | None
    last: datetime | None
    days: list[str]                                  # the timeline's days, YYYY-MM-DD
    per_day: dict[str, Counter]                      # day -> category -> count
    per_hour: Counter
    failures_per_day: Counter
    lockouts_per_day: Counter
    events: Counter
    by_event: dict[str, list[dict]]
    bursts: list[Burst]
    failing_accounts: list[tuple[str, int, int, list[str]]]
    failed_other: Counter                           # failed outcomes outside sign-in, by event
    findings: list[str]                             # one plain sentence each; empty = clean
    generated: datetime
    days_note: str | None = None
    delivery: dict | None = None                    # device records vs what reached the collector (--syslog)

    @property
    def clean(self) -> bool:
        return not self.findings

    def of(self, *events: str) -> list[dict]:
        rows = [r for e in events for r in self.by_event.get(e, [])]
        rows.sort(key=lambda r: (r["_t"], r["seq"]))
        return rows


def analyse(source: Source, syslog: dict | None = None, syslog_files: Iterable[Path] = ()) -> Review:
    records = source.records
    per_day: dict[str, Counter] = defaultdict(Counter)
    per_hour: Counter = Counter()
    failures_per_day: Counter = Counter()
    lockouts_per_day: Counter = Counter()
    events: Counter = Counter()
    by_event: dict[str, list[dict]] = defaultdict(list)
    failed_other: Counter = Counter()
    first = last = None
    for r in records:
        moment = r.get("_t") or _parse_time(r.get("time"))
        r["_t"] = moment
        day = moment.strftime("%Y-%m-%d")
        r["_day"] = day
        per_day[day][_category(r)] += 1
        per_hour[moment.hour] += 1
        event = r["event"]
        events[event] += 1
        by_event[event].append(r)
        if event == "login_failure":
            failures_per_day[day] += 1
        elif event == "lockout":
            lockouts_per_day[day] += 1
        elif _failed(r):
            failed_other[event] += 1
        first = moment if first is None or moment < first else first
        last = moment if last is None or moment > last else last
    days, note = _timeline_days(per_day)
    bursts, accounts = _bursts(sorted(by_event.get("login_failure", []) + by_event.get("lockout", []),
                                      key=lambda r: (r["_t"], r["seq"])))
    review = Review(source, syslog, list(syslog_files), first, last, days, per_day, per_hour, failures_per_day,
                    lockouts_per_day, events, by_event, bursts, accounts, failed_other,
                    _findings(source, syslog), datetime.now(timezone.utc), note)
    if syslog is not None:
        review.delivery = _delivery({r["seq"] for r in records}, _delivered_seqs(review.syslog_files))
    return review


def _delivered_seqs(paths: list[Path]) -> set[int]:
    """The device seqs (`[hcdaudit@... seq=]`) of the messages in the collector's files."""
    from .syslog_verify import MalformedMessage, parse_message, read_records
    seqs: set[int] = set()
    for path in paths:
        for record in read_records(path):
            try:
                message = parse_message(record.octets)
            except MalformedMessage:
                continue
            for element in message.elements:
                if element.sd_id.startswith("hcdaudit@"):
                    for param in element.named("seq"):
                        if param.value.isdigit():
                            seqs.add(int(param.value))
    return seqs


def _delivery(device: set[int], delivered: set[int]) -> dict:
    """Which device records reached the collector. Only the window between the first and the
    last delivered seq is judged: before it the collector's file had not started, after it
    the records may still be on their way."""
    if not delivered:
        return {"delivered": 0, "window": None, "gaps": [], "missing": 0, "before": len(device), "after": 0}
    low, high = min(delivered), max(delivered)
    missing = sorted(seq for seq in device if low <= seq <= high and seq not in delivered)
    from .syslog_verify import number_ranges
    return {"delivered": len(delivered & device), "window": (low, high),
            "gaps": [tuple(r) for r in number_ranges(missing)], "missing": len(missing),
            "before": sum(1 for seq in device if seq < low), "after": sum(1 for seq in device if seq > high)}


def _timeline_days(per_day: dict[str, Counter]) -> tuple[list[str], str | None]:
    if not per_day:
        return [], None
    have = sorted(per_day)
    start, end = date.fromisoformat(have[0]), date.fromisoformat(have[-1])
    span = (end - start).days + 1
    if span > MAX_DAY_SPAN:
        return have, (f"the records span {span:,} days (a clock set far off?): the timeline shows only the "
                      f"{len(have)} days that have records")
    return [(start + timedelta(days=i)).isoformat() for i in range(span)], None


def _bursts(rows: list[dict]) -> tuple[list[Burst], list[tuple[str, int, int, list[str]]]]:
    """Failed sign-ins grouped by where they came from (the remote host; for local attempts,
    the interface and account), in runs whose failures are at most BURST_GAP apart: one
    account guessed at, or many accounts tried from one host (spraying), are both bursts."""
    per_source: dict[tuple, list[dict]] = defaultdict(list)
    per_account: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        key = (r.get("remote_host"),) if r.get("remote_host") else (r.get("interface") or "local", _who(r))
        per_source[key].append(r)
        per_account[_who(r)].append(r)
    bursts: list[Burst] = []
    for items in per_source.values():
        run: list[dict] = []
        for r in items:
            if run and r["_t"] - run[-1]["_t"] > BURST_GAP:
                bursts.append(_burst(run))
                run = []
            run.append(r)
        if run:
            bursts.append(_burst(run))
    bursts = [b for b in bursts if b.failures >= BURST_MIN or b.lockouts]
    bursts.sort(key=lambda b: b.first)
    accounts = []
    for account, items in per_account.items():
        accounts.append((account, sum(1 for r in items if r["event"] == "login_failure"),
                         sum(1 for r in items if r["event"] == "lockout"), sorted({_where(r) for r in items})))
    accounts.sort(key=lambda a: (-a[1], -a[2], a[0]))
    return bursts, accounts


def _burst(run: list[dict]) -> Burst:
    failures = [r for r in run if r["event"] == "login_failure"]
    reasons = sorted({str(r["items"].get("reason") or r.get("outcome")) for r in failures})
    accounts = list(dict.fromkeys(_who(r, mark_unknown=True) for r in run))
    return Burst(_where(run[0]), accounts, run[0]["_t"], run[-1]["_t"], len(failures),
                 sum(1 for r in run if r["event"] == "lockout"), reasons)


def _findings(source: Source, syslog: dict | None) -> list[str]:
    findings = []
    report = source.store_report
    if report is not None:
        for f in report.faults():
            words = VERDICT_WORDS.get(f.verdict, f.verdict)
            where = "" if f.first_seq == f.last_seq == 0 else f" (seq {_span(f.first_seq, f.last_seq)})"
            findings.append(f"Device store: {words}{where}: {f.detail}.")
    for f in source.seq_findings:
        findings.append(f"Export file: seq {_span(f['first'], f['last'])}: {f['detail']}.")
    if syslog is not None:
        for f in syslog["findings"]:
            findings.append(f"Signed syslog: {f['kind'].replace('_', ' ')}: {f['detail']}.")
    return findings


# ------------------------------------------------------------------------------------------------------------
# SVG charts
# ------------------------------------------------------------------------------------------------------------

def e(value) -> str:
    """Escaped text for HTML and SVG (records are untrusted input)."""
    return html.escape("" if value is None else str(value), quote=True)


def _nice_scale(peak: float, ticks: int = 4) -> tuple[int, int]:
    """(top, step) of a count axis: whole numbers, 1/2/5 steps."""
    if peak <= 0:
        return 1, 1
    raw = peak / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(1, int(math.ceil(step)))
    return int(math.ceil(peak / step) * step), step


def _axis(width: int, top: int, bottom: int, left: int, right: int, peak: int, unit: str) -> tuple[str, Any]:
    """Horizontal grid lines with count labels; returns (svg, y-of-value function)."""
    scale_top, step = _nice_scale(peak)
    plot_h = bottom - top
    y = lambda v: bottom - plot_h * (v / scale_top)  # noqa: E731
    parts = ['<g class="axis" aria-hidden="true">']
    for value in range(0, scale_top + 1, step):
        yy = y(value)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" '
                     f'class="{"baseline" if value == 0 else "grid"}"/>')
        parts.append(f'<text x="{left - 8}" y="{yy + 4:.1f}" text-anchor="end">{value:,}</text>')
    parts.append(f'<text x="{left - 44}" y="{(top + bottom) / 2:.0f}" text-anchor="middle" class="unit" '
                 f'transform="rotate(-90 {left - 44} {(top + bottom) / 2:.0f})">{e(unit)}</text>')
    parts.append("</g>")
    return "".join(parts), y


def _day_labels(days: list[str], left: float, band: float, baseline: float) -> str:
    """Weekday + date under wide bands, day numbers (thinned) and a month row under narrow ones."""
    parts = ['<g class="xlabels" aria-hidden="true">']
    every = max(1, math.ceil(26 / band)) if band < 60 else 1
    previous_month = None
    for i, day in enumerate(days):
        d = date.fromisoformat(day)
        cx = left + band * (i + 0.5)
        if band >= 60:
            parts.append(f'<text x="{cx:.1f}" y="{baseline + 16}" text-anchor="middle">{d.strftime("%a")}</text>')
            parts.append(f'<text x="{cx:.1f}" y="{baseline + 31}" text-anchor="middle">'
                         f'{d.day} {d.strftime("%b")}</text>')
            continue
        if i % every == 0:
            parts.append(f'<text x="{cx:.1f}" y="{baseline + 16}" text-anchor="middle">{d.day}</text>')
        month = (d.year, d.month)
        if month != previous_month:
            parts.append(f'<text x="{left + band * i:.1f}" y="{baseline + 32}" class="month">'
                         f'{d.strftime("%b %Y")}</text>')
            previous_month = month
    parts.append("</g>")
    return "".join(parts)


def _weekends(days: list[str], left: float, band: float, top: float, bottom: float) -> str:
    parts = ['<g class="weekend" aria-hidden="true">']
    for i, day in enumerate(days):
        if date.fromisoformat(day).weekday() >= 5:
            parts.append(f'<rect x="{left + band * i:.1f}" y="{top}" width="{band:.1f}" height="{bottom - top}"/>')
    parts.append("</g>")
    return "".join(parts)


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str, kind: str) -> str:
    return (f'<svg id="{chart_id}" class="chart" data-chart="{kind}" role="img" viewBox="0 0 {width} {height}" '
            f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{chart_id}-title">{e(title)}</title><desc id="{chart_id}-desc">{e(desc)}</desc>')


def timeline_chart(review: Review, chart_id: str = "chart-timeline") -> str:
    """Events per day, stacked by category. Every segment carries data-day, data-category and data-count."""
    days = review.days
    width, height = 1000, 340
    left, right, top, bottom = 64, 16, 18, height - 46
    totals = {d: sum(review.per_day.get(d, Counter()).values()) for d in days}
    peak = max(totals.values(), default=0)
    busiest = max(days, key=lambda d: totals[d]) if days else None
    desc = (f"{sum(totals.values()):,} events over {len(days)} day(s) from {days[0]} to {days[-1]}; "
            f"busiest day {busiest} with {totals[busiest]:,} events." if days else "No events.")
    parts = [_svg_open(chart_id, width, height, "Audit events per day, by category (UTC days)", desc, "timeline")]
    axis, y = _axis(width, top, bottom, left, right, peak, "events per day")
    band = (width - left - right) / max(len(days), 1)
    parts.append(_weekends(days, left, band, top, bottom))
    parts.append(axis)
    bar_w = max(1.0, min(56.0, band * 0.72))
    for i, day in enumerate(days):
        x = left + band * i + (band - bar_w) / 2
        counts = review.per_day.get(day, Counter())
        parts.append(f'<g class="day" data-day="{day}" data-total="{totals[day]}">')
        base = 0
        for category, color in CATEGORIES:
            count = counts.get(category, 0)
            if not count:
                continue
            y_top, y_bottom = y(base + count), y(base)
            parts.append(f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{bar_w:.1f}" '
                         f'height="{max(y_bottom - y_top, 0.5):.1f}" fill="{color}" data-day="{day}" '
                         f'data-category="{e(category)}" data-count="{count}">'
                         f'<title>{day}: {e(category)}, {count:,} event{"s" if count != 1 else ""}</title></rect>')
            base += count
        if totals[day] and band >= 30:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y(base) - 5:.1f}" text-anchor="middle" '
                         f'class="total">{totals[day]:,}</text>')
        parts.append("</g>")
    parts.append(_day_labels(days, left, band, bottom))
    parts.append("</svg>")
    return "".join(parts)


def failures_chart(review: Review, chart_id: str = "chart-failures") -> str:
    """Failed sign-ins per day (bars) with the day's lockouts (marked above the bar)."""
    days = review.days
    width, height = 1000, 250
    left, right, top, bottom = 64, 16, 30, height - 46
    peak = max((review.failures_per_day.get(d, 0) for d in days), default=0)
    total_f = sum(review.failures_per_day.values())
    total_l = sum(review.lockouts_per_day.values())
    desc = f"{total_f:,} failed sign-ins and {total_l:,} lockouts over {len(days)} day(s)."
    parts = [_svg_open(chart_id, width, height, "Failed sign-ins per day, with lockouts", desc, "failures")]
    axis, y = _axis(width, top, bottom, left, right, peak, "failed sign-ins")
    band = (width - left - right) / max(len(days), 1)
    parts.append(_weekends(days, left, band, top, bottom))
    parts.append(axis)
    bar_w = max(1.0, min(56.0, band * 0.72))
    for i, day in enumerate(days):
        failures = review.failures_per_day.get(day, 0)
        lockouts = review.lockouts_per_day.get(day, 0)
        x = left + band * i + (band - bar_w) / 2
        parts.append(f'<g class="day" data-day="{day}" data-failures="{failures}" data-lockouts="{lockouts}">')
        if failures:
            parts.append(f'<rect x="{x:.1f}" y="{y(failures):.1f}" width="{bar_w:.1f}" '
                         f'height="{max(bottom - y(failures), 0.5):.1f}" fill="{FAILURE_COLOR}" data-day="{day}" '
                         f'data-count="{failures}"><title>{day}: {failures:,} failed sign-in'
                         f'{"s" if failures != 1 else ""}</title></rect>')
        if lockouts:
            cx, cy = x + bar_w / 2, y(failures) - 12
            parts.append(f'<g class="lockout" data-day="{day}" data-count="{lockouts}">'
                         f'<title>{day}: {lockouts:,} lockout{"s" if lockouts != 1 else ""}</title>'
                         f'<path d="M{cx - 7:.1f},{cy - 6:.1f} L{cx + 7:.1f},{cy - 6:.1f} L{cx:.1f},{cy + 5:.1f} Z" '
                         f'fill="{LOCKOUT_COLOR}"/>'
                         f'<text x="{cx + 10:.1f}" y="{cy + 2:.1f}" class="lockout-label">{lockouts}</text></g>')
        parts.append("</g>")
    parts.append(_day_labels(days, left, band, bottom))
    parts.append("</svg>")
    return "".join(parts)


def hours_chart(review: Review, chart_id: str = "chart-hours") -> str:
    """Events by hour of day (UTC); hours outside BUSINESS_HOURS are drawn in a second colour."""
    width, height = 1000, 230
    left, right, top, bottom = 64, 16, 16, height - 40
    peak = max(review.per_hour.values(), default=0)
    off = sum(c for h, c in review.per_hour.items() if not BUSINESS_HOURS[0] <= h < BUSINESS_HOURS[1])
    desc = (f"{off:,} of {sum(review.per_hour.values()):,} events happened outside "
            f"{BUSINESS_HOURS[0]:02d}:00–{BUSINESS_HOURS[1]:02d}:00 UTC.")
    parts = [_svg_open(chart_id, width, height, "Events by hour of day (UTC)", desc, "hours")]
    axis, y = _axis(width, top, bottom, left, right, peak, "events")
    band = (width - left - right) / 24
    parts.append(axis)
    bar_w = band * 0.74
    for hour in range(24):
        count = review.per_hour.get(hour, 0)
        working = BUSINESS_HOURS[0] <= hour < BUSINESS_HOURS[1]
        x = left + band * hour + (band - bar_w) / 2
        if count:
            parts.append(f'<rect x="{x:.1f}" y="{y(count):.1f}" width="{bar_w:.1f}" '
                         f'height="{max(bottom - y(count), 0.5):.1f}" class="{"work" if working else "offhours"}" '
                         f'data-hour="{hour}" data-count="{count}"><title>{hour:02d}:00–{hour:02d}:59 UTC: '
                         f'{count:,} event{"s" if count != 1 else ""}'
                         f'{"" if working else " (outside business hours)"}</title></rect>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{bottom + 16}" text-anchor="middle" class="hour" '
                     f'aria-hidden="true">{hour:02d}</text>')
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------------------------------------------------
# HTML
# ------------------------------------------------------------------------------------------------------------

CSS = """
:root { --ink:#1d2330; --muted:#5b6475; --line:#d9dde5; --soft:#f4f6f9; --ok:#0b6b3a; --okbg:#e7f5ec;
        --bad:#a4161a; --badbg:#fdecec; --warn:#8a5300; --accent:#0b4f8a; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: var(--ink); background: #fff;
       font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", "Liberation Sans",
             Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 32px 48px; }
header.page { border-bottom: 3px solid var(--ink); padding-bottom: 14px; margin-bottom: 22px; }
header.page h1 { font-size: 28px; margin: 0 0 4px; letter-spacing: -0.01em; }
header.page .meta { color: var(--muted); margin: 0; }
header.page .meta span { display: inline-block; overflow-wrap: anywhere; }
header.page .meta span + span::before { content: "·"; margin: 0 8px; color: var(--line); }
h2 { font-size: 20px; margin: 34px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.lead { margin: 4px 0 12px; color: var(--muted); }
.verdict { border: 2px solid; border-radius: 10px; padding: 16px 20px; margin: 0 0 20px; }
.verdict.ok { border-color: var(--ok); background: var(--okbg); }
.verdict.bad { border-color: var(--bad); background: var(--badbg); }
.verdict h2 { border: 0; margin: 0 0 6px; padding: 0; font-size: 22px; }
.verdict.ok h2 { color: var(--ok); } .verdict.bad h2 { color: var(--bad); }
.verdict .mark { display: inline-block; width: 1.4em; text-align: center; }
.verdict ul { margin: 8px 0 0; padding-left: 0; list-style: none; }
.verdict ul li { padding-left: 1.6em; text-indent: -1.6em; }
.verdict li { margin: 3px 0; }
.verdict .check { font-weight: 600; }
.tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin: 0 0 8px; padding: 0;
         list-style: none; }
.tiles li { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: var(--soft); }
.tiles a { color: inherit; text-decoration: none; display: block; }
.tiles .n { display: block; font-size: 26px; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
.tiles .l { display: block; color: var(--muted); font-size: 13px; }
.tiles li.attn { border-color: #e0a9a9; background: #fff5f5; }
.tiles li.attn .n { color: var(--bad); }
figure { margin: 8px 0 4px; break-inside: avoid; page-break-inside: avoid; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 2px; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font-size: 12px; fill: #3b4354; font-family: inherit; }
svg.chart text.unit { font-size: 12px; fill: var(--muted); }
svg.chart text.month { font-weight: 600; }
svg.chart text.total { font-size: 11px; font-weight: 600; fill: var(--ink); }
svg.chart .grid { stroke: #e6e9ef; stroke-width: 1; }
svg.chart .baseline { stroke: #8a93a5; stroke-width: 1; }
svg.chart .weekend rect { fill: #f3f4f7; }
svg.chart rect[data-count] { stroke: #fff; stroke-width: 0.6; }
svg.chart rect.work { fill: #0072B2; } svg.chart rect.offhours { fill: #E69F00; }
svg.chart text.lockout-label { font-weight: 700; fill: #8B0000; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 6px 0 0 64px; padding: 0; list-style: none;
          font-size: 13px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 6px; }
.legend .sw { width: 12px; height: 12px; border-radius: 2px; display: inline-block; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13.5px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: var(--ink); }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--soft); border-bottom: 2px solid var(--line); font-weight: 600; white-space: nowrap; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap, td.event { white-space: nowrap; }
td.change { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.arrow { color: var(--muted); padding: 0 4px; }
tr { break-inside: avoid; page-break-inside: avoid; }
.none { color: var(--muted); font-style: italic; margin: 4px 0 10px; }
.more { color: var(--muted); font-size: 13px; }
.bad-text { color: var(--bad); font-weight: 600; }
.ok-text { color: var(--ok); font-weight: 600; }
details { margin: 4px 0 8px; }
summary { cursor: pointer; color: var(--accent); }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
      font: 12px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre-wrap;
      overflow-wrap: anywhere; }
.checklist { list-style: none; padding-left: 0; }
.checklist li { margin: 6px 0; padding-left: 28px; position: relative; }
.checklist li::before { content: ""; position: absolute; left: 0; top: 2px; width: 16px; height: 16px;
                        border: 1.5px solid var(--ink); border-radius: 3px; }
.signoff { display: grid; grid-template-columns: 1fr 1fr 1fr; gap: 24px; margin-top: 26px; }
.signoff div { border-top: 1px solid var(--ink); padding-top: 4px; color: var(--muted); font-size: 13px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12.5px; border-top: 1px solid var(--line);
         padding-top: 10px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media screen and (max-width: 760px) { .tiles { grid-template-columns: repeat(2, 1fr); } main { padding: 16px; } }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-inside: auto; }
  .verdict, .tiles li { break-inside: avoid; }
  details:not([open]) > *:not(summary) { display: none; }
  summary { color: var(--muted); }
  a { color: inherit; text-decoration: none; }
}
"""


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _table(caption: str, headers: list[tuple[str, str]], rows: list[list[tuple[str, str]]], empty: str,
           total: int | None = None) -> str:
    """headers: (label, css class); rows: cells of (html, css class). Capped at MAX_ROWS rows."""
    if not rows:
        return f'<p class="none">{e(empty)}</p>'
    shown = rows[:MAX_ROWS]
    out = [f"<table><caption>{e(caption)}</caption><thead><tr>"]
    out += [f'<th scope="col" class="{cls}">{e(label)}</th>' for label, cls in headers]
    out.append("</tr></thead><tbody>")
    for row in shown:
        out.append("<tr>" + "".join(f'<td class="{cls}">{cell}</td>' for cell, cls in row) + "</tr>")
    out.append("</tbody></table>")
    total = len(rows) if total is None else total
    if total > len(shown):
        out.append(f'<p class="more">{total - len(shown):,} more not shown; the export lists every record.</p>')
    return "".join(out)


def _change(old, new) -> str:
    old_text = e(old) if old not in (None, "") else "<i>(not recorded)</i>"
    new_text = e(new) if new not in (None, "") else "<i>(not recorded)</i>"
    return f'{old_text}<span class="arrow" aria-label="changed to">→</span>{new_text}'


def _outcome(record: dict) -> str:
    outcome = record.get("outcome") or "-"
    return f'<span class="bad-text">{e(outcome)}</span>' if _failed(record) else e(outcome)


def _items_text(items: dict, skip: Iterable[str] = ()) -> str:
    skip = set(skip)
    return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in items.items() if k not in skip and v not in (None, ""))


def _verdict_section(review: Review) -> str:
    source = review.source
    lines = []
    if source.kind == "device":
        report = source.store_report
        if report.intact():
            ranges = ", ".join(_span(a, b) for a, b in report.ranges) or "none"
            lines.append(("ok", f"The device's audit trail is intact: all {report.verified:,} records (seq {ranges}) "
                                f"authenticate with the device's key, and none is missing, altered, duplicated or "
                                f"out of order."))
        else:
            lines.append(("bad", f"The device's audit trail is NOT intact: {_plural(len(report.faults()), 'problem')} "
                                 f"found ({report.verified:,} records authenticate)."))
        if report.evicted_count:
            lines.append(("ok", f"{report.evicted_count:,} oldest records (up to seq {report.evicted_through:,}) were "
                                f"removed by the storage cap; the device audited each removal."))
        notes = [f for f in report.findings if f.verdict in ("torn", "pending")]
        if notes:
            lines.append(("ok", f"{_plural(len(notes), 'record')} torn by a power cut while being written "
                                f"(never completed, not a fault)."))
    else:
        lines.append(("note", f"This report was made from an export file ({source.path.name}). An export carries no "
                              f"signatures, so its records cannot be authenticated here; run the report on the device "
                              f"folder, or add the signed syslog (--syslog, --trust)."))
        if source.seq_findings:
            lines.append(("bad", f"Sequence numbers: {_plural(len(source.seq_findings), 'gap or repeat', 'gaps or repeats')} "
                                 f"that nothing in the file explains."))
        else:
            seqs = [r["seq"] for r in source.records]
            lines.append(("ok", f"Sequence numbers run without an unexplained gap from {min(seqs):,} to {max(seqs):,}."))
        for note in source.seq_notes[:5]:
            lines.append(("ok", note[0].upper() + note[1:] + "."))
    lost = review.of("audit_undelivered_loss")
    if lost:
        count = sum(int(r["items"].get("count") or 0) for r in lost)
        lines.append(("warn", f"{count:,} records were lost before the audit server received them; the device "
                              f"audited the loss ({_plural(len(lost), 'time')}, see Evictions and delivery losses)."))
    syslog = review.syslog
    if syslog is not None:
        files = ", ".join(p.name for p in review.syslog_files)
        anchored = all(g["key_trust"] == "anchored" for g in syslog["groups"]) and syslog["groups"]
        if syslog["ok"]:
            lines.append(("ok", f"The collector's copy ({files}) verifies: {syslog['verified']:,} messages carry "
                                f"valid RFC 5848 signatures{' from the trusted device key' if anchored else ''}; "
                                f"nothing in it is missing, altered or forged."))
        else:
            kinds = Counter(f["kind"].replace("_", " ") for f in syslog["findings"])
            lines.append(("bad", f"The collector's copy ({files}) does NOT verify: "
                                  + ", ".join(f"{n} {k}" for k, n in kinds.most_common())
                                  + f" ({syslog['verified']:,} of {syslog['normal_messages']:,} messages verified)."))
        resent = sum(len(w["where"]) for w in syslog["warnings"] if w["kind"] == "resent")
        if resent:
            lines.append(("ok", f"{_plural(resent, 'message')} re-sent after a power cut and signed in the next "
                                f"session (expected)."))
        delivery = review.delivery
        if delivery and delivery["missing"]:
            lines.append(("warn", f"{_plural(delivery['missing'], 'record')} of the device never reached the "
                                  f"collector (seq {', '.join(_span(a, b) for a, b in delivery['gaps'][:6])}"
                                  f"{', ...' if len(delivery['gaps']) > 6 else ''}): see Evictions and delivery "
                                  f"losses."))
    else:
        lines.append(("note", "The signed syslog copy was not checked (give the collector's file with --syslog and "
                              "the device certificate with --trust)."))
    clean = review.clean
    heading = ("Verdict: clean — nothing in the audit trail's integrity needs action" if clean else
               f"Verdict: {_plural(len(review.findings), 'finding')} — the audit trail needs investigation")
    marks = {"ok": "✓", "bad": "✗", "note": "ℹ", "warn": "⚠"}
    labels = {"ok": "passed", "bad": "failed", "note": "note", "warn": "warning"}
    items = "".join(f'<li><span class="mark" aria-label="{labels[kind]}">{marks[kind]}</span> {e(text)}</li>'
                    for kind, text in lines)
    details = ""
    if review.findings:
        shown = review.findings[:40]
        details = ("<h3>Findings</h3><ol>" + "".join(f"<li>{e(f)}</li>" for f in shown) + "</ol>"
                   + (f'<p class="more">{len(review.findings) - 40} more in the verification details.</p>'
                      if len(review.findings) > 40 else ""))
    return (f'<section class="verdict {"ok" if clean else "bad"}" id="verdict" aria-labelledby="verdict-h">'
            f'<h2 id="verdict-h" data-verdict="{"clean" if clean else "findings"}">{e(heading)}</h2>'
            f'<ul>{items}</ul>{details}</section>')


def _tiles(review: Review) -> str:
    lost = sum(int(r["items"].get("count") or 0) for r in review.of("audit_undelivered_loss"))
    evicted = sum(int(r["items"].get("count") or 0) for r in review.of("audit_eviction"))
    off = sum(c for h, c in review.per_hour.items() if not BUSINESS_HOURS[0] <= h < BUSINESS_HOURS[1])
    tiles = [
        ("timeline", f"{len(review.source.records):,}", f"events over {_plural(len(review.days), 'day')}", False),
        ("auth", f"{sum(review.failures_per_day.values()):,}", "failed sign-ins",
         sum(review.failures_per_day.values()) > 0),
        ("auth", f"{review.events.get('lockout', 0):,}", "account lockouts", review.events.get("lockout", 0) > 0),
        ("changes", f"{len(review.of(*CHANGE_EVENTS)):,}", "setting & account changes", False),
        ("changes", f"{len(review.of(*CLOCK_EVENTS)):,}", "clock changes", len(review.of(*CLOCK_EVENTS)) > 0),
        ("exports", f"{len(review.of(*EXPORT_EVENTS)):,}", "audit-log exports", False),
        ("losses", f"{evicted + lost:,}", f"records evicted ({evicted:,}) or lost undelivered ({lost:,})", lost > 0),
        ("power", f"{len(review.of('audit_recovery')):,}", "recoveries after power loss",
         len(review.of("audit_recovery")) > 0),
    ]
    if off:
        tiles[0] = ("timeline", tiles[0][1], f"events over {_plural(len(review.days), 'day')} "
                                             f"({off:,} outside {BUSINESS_HOURS[0]:02d}–{BUSINESS_HOURS[1]:02d} h)",
                    False)
    return ('<ul class="tiles" aria-label="At a glance">'
            + "".join(f'<li class="{"attn" if attn else ""}"><a href="#{anchor}"><span class="n">{n}</span>'
                      f'<span class="l">{e(label)}</span></a></li>' for anchor, n, label, attn in tiles)
            + "</ul>")


def _timeline_section(review: Review) -> str:
    present = [c for c, _ in CATEGORIES if any(review.per_day[d].get(c) for d in review.per_day)]
    legend = "".join(f'<li><span class="sw" style="background:{CATEGORY_COLOR[c]}"></span>{e(c)}</li>'
                     for c in present)
    rows = []
    for day in review.days:
        counts = review.per_day.get(day, Counter())
        rows.append([(e(day), "time")] + [(f"{counts.get(c, 0):,}", "num") for c in present]
                    + [(f"{sum(counts.values()):,}", "num")])
    numbers = _table("Events per day and category", [("Day (UTC)", "")] + [(c, "num") for c in present]
                     + [("Total", "num")], rows, "No events.")
    note = f'<p class="more">{e(review.days_note)}</p>' if review.days_note else ""
    body = (f'<figure>{timeline_chart(review)}<figcaption>Each bar is one UTC day; shaded columns are weekends. '
            f'Hover a segment for its count.</figcaption></figure>'
            f'<ul class="legend" aria-label="Categories">{legend}</ul>{note}'
            f'<details><summary>The numbers behind the chart</summary>{numbers}</details>') if review.days else \
        '<p class="none">No events in this period.</p>'
    return (f'<section id="timeline" aria-labelledby="timeline-h"><h2 id="timeline-h">Events per day</h2>'
            f'<p class="lead">What the device recorded each day, by kind of event. A day without events inside the '
            f'period means the device was off, or its records are gone: the verdict above says which.</p>'
            f'{body}</section>')


def _auth_section(review: Review) -> str:
    lockouts = review.of("lockout")
    expired = review.of("lockout_expired")
    rows = []
    for r in lockouts:
        end = next((x for x in expired if _who(x) == _who(r) and x["_t"] >= r["_t"]), None)
        seconds = r["items"].get("lock_seconds")
        rows.append([(e(_time(r["_t"])), "time"), (e(_who(r)), ""), (e((r.get("subject") or {}).get("role") or "-"), ""),
                     (e(_where(r)), "nowrap"), (f'{int(r["items"].get("failure_count") or 0):,}', "num"),
                     (e(f"{seconds} s" if seconds is not None else "-"), "num"),
                     (e(_time(end["_t"])) if end else "-", "time")])
    lock_table = _table("Lockouts", [("When (UTC)", ""), ("Account", ""), ("Role", ""), ("From", ""),
                                     ("Failures", "num"), ("Locked for", "num"), ("Lock ended", "")],
                        rows, "No account was locked out in this period.")
    burst_rows = [[(e(_time(b.first)), "time"), (e(_time(b.last) if b.last != b.first else "-"), "time"),
                   (e(b.source), "nowrap"), (e(", ".join(b.accounts)), ""), (f"{b.failures:,}", "num"),
                   (e(", ".join(b.reasons)), ""),
                   (f'<span class="bad-text">{b.lockouts}</span>' if b.lockouts else "0", "num")]
                  for b in review.bursts]
    burst_table = _table(f"Bursts: {BURST_MIN} or more failed sign-ins from one place, each within "
                         f"{int(BURST_GAP.total_seconds() // 60)} minutes of the last",
                         [("First (UTC)", ""), ("Last (UTC)", ""), ("From", ""), ("Accounts tried", ""),
                          ("Failures", "num"), ("Reason", ""), ("Lockouts", "num")], burst_rows,
                         "No burst of failed sign-ins in this period.")
    detected = review.of("continuous_failure_detected")
    detected_rows = [[(e(_time(r["_t"])), "time"), (e(_who(r)), ""), (e(_where(r)), "nowrap"),
                      (f'{int(r["items"].get("failure_count") or 0):,}', "num"),
                      (e(f'{r["items"].get("window_seconds", "-")} s'), "num")] for r in detected]
    detected_table = _table("Continuous authentication failure detected by the device",
                            [("When (UTC)", ""), ("Account", ""), ("From", ""), ("Failures", "num"),
                             ("Window", "num")], detected_rows, "") if detected else ""
    account_rows = [[(e(a), ""), (f"{n:,}", "num"), (f"{locks:,}", "num"), (e(", ".join(w)), "nowrap")]
                    for a, n, locks, w in review.failing_accounts if n or locks][:20]
    account_table = _table("Accounts with the most failed sign-ins (top 20)",
                           [("Account tried", ""), ("Failures", "num"), ("Lockouts", "num"), ("From", "")],
                           account_rows, "No failed sign-in in this period.")
    chart = (f'<figure>{failures_chart(review)}<figcaption>Bars: failed sign-ins per UTC day. '
             f'<span style="color:{LOCKOUT_COLOR}">▼</span> with a number: lockouts that day.</figcaption></figure>'
             if review.days else "")
    return (f'<section id="auth" aria-labelledby="auth-h"><h2 id="auth-h">Failed sign-ins and lockouts</h2>'
            f'<p class="lead">Who failed to authenticate, when and from where. Look for accounts that do not exist, '
            f'administrator accounts, unusual hosts, and bursts outside working hours.</p>'
            f'{chart}{lock_table}{burst_table}{detected_table}{account_table}</section>')


def _changes_section(review: Review) -> str:
    clock_rows = []
    for r in review.of(*CLOCK_EVENTS):
        items = r["items"]
        old = _parse_time(items.get("old_time"))
        shift = ""
        if old is not None:
            delta = (r["_t"] - old).total_seconds()
            shift = f"{'+' if delta >= 0 else '−'}{_duration(abs(delta))}"
        clock_rows.append([(e(_time(r["_t"])), "time"), (e(_who(r)), ""), (e(_where(r)), "nowrap"),
                           (_change(_time(old) if old else items.get("old_time"), _time(r["_t"])), "change"),
                           (e(shift), "num"), (e(items.get("method") or "-"), ""),
                           (e(items.get("ntp_server") or "-"), ""), (_outcome(r), "")])
    clock_table = _table("Clock changes (old → new device time, UTC)",
                         [("When (UTC)", ""), ("By", ""), ("From", ""), ("Old → new", ""), ("Shift", "num"),
                          ("Method", ""), ("NTP server", ""), ("Outcome", "")], clock_rows,
                         "The clock was not changed in this period.")
    rows = []
    for r in review.of(*CHANGE_EVENTS):
        items = dict(r["items"])
        what = items.pop("setting", None) or items.pop("target_user", None) or items.pop("category", None) \
            or items.pop("rom_type", None) or items.pop("app_kind", None) or ""
        old, new = items.pop("old_value", None), items.pop("new_value", None)
        if r["event"] == "firmware_update":
            old, new = items.pop("old_version", None), items.pop("new_version", None)
        change = _change(old, new) if (old is not None or new is not None) else e(_items_text(items) or "-")
        if old is not None or new is not None:
            rest = _items_text(items)
            change += f'<br><span class="more">{e(rest)}</span>' if rest else ""
        rows.append([(e(_time(r["_t"])), "time"), (e(r["event"].replace("_", " ")), "event"), (e(what or "-"), ""),
                     (change, "change"), (e(_who(r)), ""), (e(_where(r)), "nowrap"), (_outcome(r), "")])
    change_table = _table("Settings, accounts, certificates and software",
                          [("When (UTC)", ""), ("Event", ""), ("What", ""), ("Old → new / details", ""),
                           ("By", ""), ("From", ""), ("Outcome", "")], rows,
                          "No setting, account, certificate or software change in this period.")
    return (f'<section id="changes" aria-labelledby="changes-h"><h2 id="changes-h">Settings and clock changes</h2>'
            f'<p class="lead">Every change should match an approved change request. A clock change moves the time '
            f'stamps of everything after it; a change by an unexpected account or host needs explaining.</p>'
            f'{clock_table}{change_table}</section>')


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    if seconds < 172800:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400:,} days"


def _exports_section(review: Review) -> str:
    rows = []
    for r in review.of(*EXPORT_EVENTS):
        items = r["items"]
        first, last = items.get("first_seq"), items.get("last_seq")
        span = _span(first, last) if isinstance(first, int) and isinstance(last, int) else "-"
        rows.append([(e(_time(r["_t"])), "time"), (e(r["event"].replace("_", " ")), "event"), (e(_who(r)), ""),
                     (e(_where(r)), "nowrap"), (e(items.get("peer") or "-"), ""),
                     (e(items.get("protocol") or items.get("operation") or "-"), ""), (e(span), "num"),
                     (f'{int(items["count"]):,}' if isinstance(items.get("count"), int) else "-", "num"),
                     (_outcome(r), "")])
    table = _table("Audit-log exports and downloads",
                   [("When (UTC)", ""), ("Event", ""), ("By", ""), ("From", ""), ("To", ""), ("Protocol", ""),
                    ("Seqs", "num"), ("Records", "num"), ("Outcome", "")], rows,
                   "Nobody exported or downloaded the audit log in this period.")
    return (f'<section id="exports" aria-labelledby="exports-h"><h2 id="exports-h">Audit-log exports</h2>'
            f'<p class="lead">Only administrators may read or export the audit log, over a protected channel '
            f'(FAU_SAR.2, FTP_TRP.1). Each export below should be one you know about.</p>{table}</section>')


def _losses_section(review: Review) -> str:
    rows = []
    for r in review.of(*LOSS_EVENTS):
        items = r["items"]
        first, last = items.get("first_seq"), items.get("last_seq")
        if r["event"] == "audit_eviction":
            what = f"{int(items.get('count') or 0):,} oldest records removed by the storage cap"
        elif r["event"] == "audit_undelivered_loss":
            what = (f"{int(items.get('count') or 0):,} records removed before the audit server received them"
                    + (f" (server {items['peer']})" if items.get("peer") else ""))
        elif r["event"] == "trusted_channel_failure":
            what = (f"{items.get('protocol') or 'channel'} to {items.get('peer') or 'a peer'} failed: "
                    f"{items.get('reason') or 'no reason given'}"
                    + (f" ({items['direction']})" if items.get("direction") else "")
                    + (f", failure {items['failure_count']}" if items.get("failure_count") else ""))
        else:
            what = _items_text(items) or "-"
        span = _span(first, last) if isinstance(first, int) and isinstance(last, int) else "-"
        loss = r["event"] == "audit_undelivered_loss"
        rows.append([(e(_time(r["_t"])), "time"), (e(r["event"].replace("_", " ")), "event"), (e(span), "num"),
                     (f'<span class="bad-text">{e(what)}</span>' if loss else e(what), "")])
    table = _table("Evictions, delivery losses and channel failures recorded by the device",
                   [("When (UTC)", ""), ("Event", ""), ("Seqs", "num"), ("What happened", "")], rows,
                   "No record was evicted or lost, and no trusted channel failed, in this period.")
    syslog_part = ""
    if review.syslog is not None:
        kinds = ("missing", "altered", "unsigned", "duplicated", "reordered", "replayed")
        group_rows = [[(e(g["group"]), ""), (e(g["key_trust"]), ""), (f'{g["verified"]:,}', "num")]
                      + [(f'<span class="bad-text">{g[k]:,}</span>' if g[k] else "0", "num") for k in kinds]
                      for g in review.syslog["groups"]]
        delivery = review.delivery or {}
        if delivery.get("window"):
            low, high = delivery["window"]
            times = {r["seq"]: r["_t"] for r in review.source.records}
            gap_rows = [[(e(_span(a, b)), "num"), (f"{b - a + 1:,}", "num"),
                         (e(_time(min((times[q] for q in range(a, b + 1) if q in times), default=None))), "time")]
                        for a, b in delivery["gaps"]]
            syslog_part += (f'<p>{delivery["delivered"]:,} device records between seq {low:,} and {high:,} are in '
                            f'the collector\'s file'
                            + (f'; {delivery["before"]:,} older records predate it' if delivery["before"] else "")
                            + (f'; {delivery["after"]:,} newer records had not reached it yet' if delivery["after"]
                               else "") + ".</p>")
            syslog_part += _table("Device records that never reached the collector", [("Seqs", "num"),
                                  ("Records", "num"), ("From (UTC)", "")], gap_rows,
                                  "Every device record in that range reached the collector.")
        elif review.source.records:
            syslog_part += '<p class="none">No device record was found in the collector\'s file.</p>'
        syslog_part += _table("What reached the collector (signed syslog, per signer session)",
                             [("Session", ""), ("Key", ""), ("Verified", "num")]
                             + [(k.capitalize(), "num") for k in kinds], group_rows,
                             "The collector's file holds no signed session.")
    return (f'<section id="losses" aria-labelledby="losses-h"><h2 id="losses-h">Evictions and delivery losses</h2>'
            f'<p class="lead">When storage is full the oldest records are overwritten (FAU_STG.4), and records '
            f'overwritten before the audit server received them are lost for good. Failed trusted channels '
            f'(TLS, IPsec) delay delivery.</p>{table}{syslog_part}</section>')


def _power_section(review: Review) -> str:
    rows = []
    for r in review.of(*POWER_EVENTS):
        items = r["items"]
        if r["event"] == "audit_recovery":
            what = (f"unclean stop: last record safely stored was seq {items.get('last_durable_seq', '?'):,}"
                    if isinstance(items.get("last_durable_seq"), int) else "unclean stop")
            extra = "; ".join(str(items[k]) for k in ("actions", "quarantined")
                              if items.get(k) and str(items[k]).lower() != "none")
            what += f"; recovery: {extra}" if extra else ""
        elif r["event"] == "audit_start":
            what = f"audit started (boot {items.get('boot', '?')}, {items.get('reason') or 'no reason'})"
        else:
            what = _items_text(items) or r["event"].replace("_", " ")
        attn = r["event"] in ("audit_recovery", "abnormal_termination", "process_terminated") or \
            (r["event"] == "audit_start" and items.get("reason") not in (None, "power-on"))
        rows.append([(e(_time(r["_t"])), "time"), (e(r["event"].replace("_", " ")), "event"),
                     (f'<span class="bad-text">{e(what)}</span>' if attn else e(what), "")])
    table = _table("Start, stop, power loss and recovery",
                   [("When (UTC)", ""), ("Event", ""), ("What happened", "")], rows,
                   "No start, stop or power loss in this period.")
    return (f'<section id="power" aria-labelledby="power-h"><h2 id="power-h">Power losses and recoveries</h2>'
            f'<p class="lead">An unclean stop (power cut, crash) is labelled at the next boot, so that its gap is not '
            f'mistaken for deletion. Compare them with known outages and maintenance.</p>{table}</section>')


def _activity_section(review: Review) -> str:
    failed = "".join(f"<li>{e(ev.replace('_', ' '))}: {n:,}</li>" for ev, n in review.failed_other.most_common(12))
    failed_part = (f'<h3>Other failed operations</h3><ul>{failed}</ul>' if failed else "")
    return (f'<section id="activity" aria-labelledby="activity-h"><h2 id="activity-h">Activity by hour of day</h2>'
            f'<p class="lead">Blue: {BUSINESS_HOURS[0]:02d}:00–{BUSINESS_HOURS[1]:02d}:00 UTC; orange: outside '
            f'those hours, where activity deserves a second look.</p>'
            f'<figure>{hours_chart(review)}</figure>{failed_part}</section>')


def _details_section(review: Review) -> str:
    parts = []
    source = review.source
    if source.store_text:
        parts.append(f"<h3>Device store</h3><pre>{e(source.store_text)}</pre>")
    if source.kind == "export":
        lines = [f"export file {source.path}: {len(source.records):,} records"]
        lines += [f"  {f['kind']}: seq {_span(f['first'], f['last'])}: {f['detail']}" for f in source.seq_findings]
        lines += [f"  note: {n}" for n in source.seq_notes]
        parts.append(f"<h3>Export file</h3><pre>{e(chr(10).join(lines))}</pre>")
    if review.syslog is not None:
        from .syslog_verify import describe
        text = describe(review.syslog)
        parts.append(f"<h3>Signed syslog</h3><pre>{e(text)}</pre>")
    return (f'<section id="details" aria-labelledby="details-h"><h2 id="details-h">Verification details</h2>'
            f'{"".join(parts)}</section>')


def _checklist() -> str:
    items = ("Every failed sign-in burst and lockout is explained (a forgotten password, not an attack).",
             "Every setting, account, certificate and software change matches an approved change.",
             "Every clock change is expected, and NTP is configured and reachable.",
             "Every audit-log export was made by an administrator you know, to a host you know.",
             "No record was lost before delivery; evictions match the storage cap you chose.",
             "Every power loss and recovery matches a known outage or maintenance.",
             "The verdict is clean; any finding has been escalated.")
    return (f'<section id="signoff" aria-labelledby="signoff-h"><h2 id="signoff-h">Review checklist</h2>'
            f'<ul class="checklist">{"".join(f"<li>{e(i)}</li>" for i in items)}</ul>'
            f'<div class="signoff"><div>Reviewed by</div><div>Date</div><div>Signature</div></div></section>')


def render(review: Review) -> str:
    source = review.source
    name = source.name or (source.path.name if source.kind == "device" else None)
    if not name and review.syslog:
        hosts = sorted({g["signer"]["hostname"] for g in review.syslog["groups"] if g["signer"]["hostname"]})
        name = ", ".join(hosts) or None
    title = f"Audit log review — {name}" if name else "Audit log review"
    period = (f"{_time(review.first)} to {_time(review.last)} UTC" if review.first else "no records")
    meta = [f"Period {period}", f"{len(source.records):,} records",
            f"Source: {'device folder' if source.kind == 'device' else 'export file'} {source.path}"]
    if source.device_id:
        meta.append(f"Device {source.device_id}")
    meta.append(f"Generated {review.generated.strftime('%Y-%m-%d %H:%M')} UTC")
    body = "".join((
        f'<header class="page"><h1>{e(title)}</h1><p class="meta">'
        + "".join(f"<span>{e(m)}</span>" for m in meta) + "</p></header>",
        _verdict_section(review),
        _tiles(review),
        _timeline_section(review),
        _auth_section(review),
        _changes_section(review),
        _exports_section(review),
        _losses_section(review),
        _power_section(review),
        _activity_section(review),
        _details_section(review),
        _checklist(),
        '<footer>Made by <code>hcdaudit report</code>. All times are UTC, as the device records them. '
        'This page loads nothing from the network and runs no script.</footer>',
    ))
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            f'<meta name="generator" content="hcdaudit report">'
            f"<title>{e(title)}</title><style>{CSS}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


# ------------------------------------------------------------------------------------------------------------
# The command
# ------------------------------------------------------------------------------------------------------------

def build(source_path: Path, syslog_files: list[Path] | None = None, trust: list[Path] | None = None,
          state_dir: Path | None = None, remember: bool = True, progress: bool | None = None) -> Review:
    """Load, verify and analyse; raises UsageError on unusable input."""
    source_path = Path(source_path)
    if trust and not syslog_files:
        raise UsageError("--trust is for the signed syslog: give the collector's file with --syslog")
    if source_path.is_dir():
        source = load_device(source_path, state_dir, remember, progress)
    elif source_path.is_file():
        source = load_jsonl(source_path, progress)
    else:
        raise UsageError(f"{source_path}: no such device folder or export file")
    syslog = None
    if syslog_files:
        from .syslog_verify import verify
        syslog = verify(list(syslog_files), list(trust or []) or None)
    return analyse(source, syslog, syslog_files or [])


def write_html(review: Review, out: Path) -> None:
    """Written to a temporary file beside `out`, then renamed: never a half page."""
    out = Path(out)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder for --html")
    page = render(review)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def func(args) -> int:
    review = build(args.source, args.syslog, args.trust, args.state, not args.no_remember)
    write_html(review, args.html)
    verdict = "clean" if review.clean else f"{_plural(len(review.findings), 'finding')}"
    print(f"report written to {args.html}: {len(review.source.records):,} records over "
          f"{_plural(len(review.days), 'day')}; verdict: {verdict}")
    return 0 if review.clean else 1


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="an HTML page for the administrator's periodic audit-log review",
        description="Write one self-contained HTML page (inline SVG charts, no script, nothing loaded from the "
                    "network) for the periodic audit-log review: events per day, failed sign-ins and lockouts, "
                    "settings and clock changes, audit-log exports, evictions and delivery losses, power losses, "
                    "and the verification verdict in plain words. Exit 0 if the verdict is clean, 1 if there are "
                    "findings, 2 if the input is unusable.")
    p.add_argument("source", type=Path, metavar="DEVICE_DIR|FILE",
                   help="a device folder (verified), or a JSONL export (`hcdaudit export --format jsonl`)")
    p.add_argument("--html", type=Path, required=True, metavar="OUT.html", help="the page to write")
    p.add_argument("--syslog", type=Path, action="append", metavar="FILE",
                   help="the collector's file of the device's signed syslog, verified too (repeatable, in order)")
    p.add_argument("--trust", type=Path, action="append", metavar="PEM",
                   help="trust anchor for --syslog: the device's certificate or key, or its CA (repeatable)")
    p.add_argument("--state", type=Path, metavar="DIR",
                   help="high-water state folder of `verify store` (default $HCDAUDIT_STATE_DIR or "
                        "~/.local/state/hcdaudit)")
    p.add_argument("--no-remember", action="store_true",
                   help="do not record this verification in the high-water state")
    p.set_defaults(func=func)
