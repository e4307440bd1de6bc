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
import itertools
import json
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import UsageError

__all__ = ["Review", "add_parser", "analyse", "build", "func", "load_device", "load_jsonl", "render"]

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
HOURLY_MAX_DAYS = 2              # the charts' bars: one per hour for a period of up to 2 days,
DAILY_MAX_DAYS = 92              # one per day up to about 3 months, one per week beyond
MAX_WEEK_SPAN = 160              # beyond this many weeks (a clock set far off?) only weeks with records are drawn
CLOCK_STEP_ALARM_S = 60          # a clock change needs a look when it steps more than this, or a person made it
OUTAGE_MIN = timedelta(minutes=5)   # a silence of the collector's link at least this long, followed by a backlog

AUTH_EVENTS = ("login_failure", "lockout", "lockout_expired", "continuous_failure_detected")
CLOCK_EVENTS = ("clock_change",)
CHANGE_EVENTS = ("setting_change", "job_setting_change", "auth_mode_change", "user_add", "user_edit", "user_delete",
                 "role_change", "password_change", "audit_log_enabled", "audit_log_disabled", "certificate_import",
                 "certificate_delete", "firmware_update", "app_install", "app_uninstall", "cloning_import",
                 "customer_data_erase", "mailbox_create", "mailbox_delete", "remote_service")
EXPORT_EVENTS = ("audit_export", "log_download")
LOSS_EVENTS = ("audit_eviction", "audit_undelivered_loss", "trusted_channel_failure", "ntp_failure",
               "deleted_username_overflow")
LINK_EVENTS = ("audit_link_down", "audit_link_up")     # the syslog sender's own account of its collector link
NTP_EVENTS = ("ntp_failure",)
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
        self._bar: Any = None
        self._task: Any = None

    def advance(self, amount: int = 1) -> None:
        self.done += amount
        if self._bar is None:
            if not self.enabled or time.monotonic() - self.started < PROGRESS_AFTER_S:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
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
    fqdn: str | None = None            # the device's syslog HOSTNAME, to pick its messages from a shared collector file
    store_json: dict = field(default_factory=dict)           # verify_store.as_json() (tail anchoring, proven range)


def load_device(device_dir: Path, state_dir: Path | None = None, remember: bool = True,
                progress: bool | None = None) -> Source:
    """Records (as `to_json` gives them) and the verification of a device folder."""
    from . import verify_store
    from .access import open_reader
    from .records import to_json
    reader = open_reader(device_dir)
    bar = _Progress(f"reading {device_dir.name}", None, progress)
    records = []
    try:
        for record in reader.records():
            records.append(to_json(record))
            bar.advance()
    finally:
        bar.close()
    report = verify_store.verify(device_dir, state_dir, remember=remember, decode=True)     # it decodes every record
    source = getattr(report, "source", None)
    identity = getattr(source, "identity", None) or {}
    try:
        store_json = verify_store.as_json(report)
    except (AttributeError, KeyError, TypeError, ValueError):   # a verifier that cannot describe itself: say less
        store_json = {}
    return Source("device", device_dir, records, name=identity.get("name"),
                  device_id=getattr(source, "device_id", None) or identity.get("uuid"),
                  store_report=report, store_text=verify_store.describe(report), fqdn=identity.get("fqdn"),
                  store_json=store_json if isinstance(store_json, dict) else {})


def load_jsonl(path: Path, progress: bool | None = None) -> Source:
    """Records of a JSONL export, checked for the fields the report needs and for seq continuity."""
    try:
        size = path.stat().st_size
        handle = open(path, "rb")       # noqa: SIM115  (closed by the `with handle` below)
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
    for before, after in itertools.pairwise(unique):
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
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
class Account:
    """An account that failed to sign in, as the device's own records name it: the device marks a
    name it does not know as an unregistered subject, and the role it knows with the subject."""
    name: str
    failures: int
    lockouts: int
    where: list[str]
    unknown: bool                  # the device recorded the name as unregistered (no such account on it)
    admin: bool                    # the device recorded the administrator role (or its built-in admin account)

    @property
    def label(self) -> str:
        return f"{self.name} (unknown account)" if self.unknown else self.name


@dataclass
class Outage:
    """A time the collector's link was down. From the device's own records (source "device"): its
    audit_link_down (when, why, the first record not delivered) and audit_link_up (failed tries, how
    long by the device clock, the records waiting), reconciled with the collector's file when given.
    Older firmware logs neither: then (source "collector") an outage is a silence in the collector's
    file followed by a backlog, counted from the device's records made during it."""
    start: datetime                # device: the link went down; collector: the last thing received before it
    end: datetime | None           # device: the link was back (None: not back by the last record);
    #                                collector: the first block the device sent when the link was back
    backlog: int                   # device: records waiting when the link was back; collector: made meanwhile
    first_seq: int | None
    last_seq: int | None
    failed_tries: int | None       # device: its count; collector: failed trusted channels recorded meanwhile
    reasons: list[str]
    source: str = "collector"
    protocol: str | None = None
    peer: str | None = None
    ended: str = "link up"         # "link up", "restart" (the next boot session resent), "open" (still down)
    down_seq: int | None = None    # device: the seqs of its audit_link_down / audit_link_up records
    up_seq: int | None = None
    silence: tuple[datetime | None, datetime | None] | None = None   # the collector's view: last received, back
    delivered: int | None = None   # backlog records present in the collector's file
    resent: int | None = None      # extra copies of backlog records the collector already held (stored twice)

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds() if self.end else 0.0

    @property
    def minutes(self) -> int:
        return int(self.seconds // 60)


@dataclass
class Delivery:
    """What reached the collector, reconciled with `verify syslog`'s own counts."""
    messages: int                  # normal messages of this device in the collector's files
    distinct: int                  # distinct device seqs among them
    device_delivered: int          # of the device's records in this period, how many are in the files
    window: tuple[int, int] | None
    gaps: list[tuple[int, int]]
    missing: int
    before: int
    after: int
    verified: int                  # verify syslog: messages verified
    resent_unsigned: int           # verify syslog "resent": first copy unsigned, re-sent signed by the next session
    reconnect_duplicates: int      # verify syslog "resent ... stored twice": a reconnect's at-least-once copies
    session_resends: int           # copies re-sent by the next boot session, each verified in its own session
    other_copies: int              # extra copies none of the above explains (findings account for them)
    late: int                      # verify syslog "late": stored after a newer session began
    sessions: list[dict]           # verify syslog's groups of this device
    outages: list[Outage]
    outage_source: str = "collector"   # "device": its link records, reconciled; "collector": silences in the file

    @property
    def outage_resent(self) -> int:
        """Extra copies the device's outages account for (records re-sent after the link was back)."""
        return sum(o.resent or 0 for o in self.outages if o.source == "device")

    @property
    def extra_copies(self) -> int:
        return self.messages - self.distinct


@dataclass
class Review:
    """Everything the page shows, computed once (the tests read it too)."""
    source: Source
    syslog: dict | None
    syslog_files: list[Path]
    first: datetime | None
    last: datetime | None
    days: list[str]                                  # the calendar days of the period, YYYY-MM-DD
    per_day: dict[str, Counter]                      # day -> category -> count
    per_hour: Counter
    failures_per_day: Counter
    lockouts_per_day: Counter
    events: Counter
    by_event: dict[str, list[dict]]
    bursts: list[Burst]
    failing_accounts: list[Account]
    failed_other: Counter                           # failed outcomes outside sign-in, by event
    findings: list[str]                             # one plain sentence each; empty = clean
    generated: datetime
    days_note: str | None = None
    granularity: str = "day"                        # the charts' bars: "hour", "day" or "week"
    buckets: list[str] = field(default_factory=list)            # the bars, in order (keys of per_bucket)
    per_bucket: dict[str, Counter] = field(default_factory=dict)
    failures_per_bucket: Counter = field(default_factory=Counter)
    lockouts_per_bucket: Counter = field(default_factory=Counter)
    delivery: Delivery | None = None                # the collector's copy reconciled (--syslog)
    link_outages: list[Outage] = field(default_factory=list)   # from the device's audit_link_down / _up

    @property
    def outages(self) -> list[Outage]:
        """The outages the page shows: the delivery's (reconciled) with --syslog, else the device's own."""
        return self.delivery.outages if self.delivery is not None else self.link_outages

    @property
    def outage_source(self) -> str:
        if self.delivery is not None:
            return self.delivery.outage_source
        return "device" if self.link_outages else "none"

    @property
    def clean(self) -> bool:
        return not self.findings

    @property
    def authenticated(self) -> bool:
        """The records were authenticated (a device folder); an export's were not."""
        return self.source.kind == "device"

    @property
    def tail_anchored(self) -> bool:
        """Whether the verifier proved the newest records were not removed (absent: not proven)."""
        return bool(self.source.store_json.get("tail_anchored", False))

    @property
    def verdict(self) -> str:
        if self.findings:
            return "findings"
        return "clean" if self.authenticated else "unauthenticated"

    def of(self, *events: str) -> list[dict]:
        rows = [r for e in events for r in self.by_event.get(e, [])]
        rows.sort(key=lambda r: (r["_t"], r["seq"]))
        return rows

    def clock_alarms(self) -> list[tuple[dict, str]]:
        return [(r, why) for r in self.of(*CLOCK_EVENTS) for why in [_clock_alarm(r)] if why]


def _bucket_key(moment: datetime, granularity: str) -> str:
    if granularity == "hour":
        return moment.strftime("%Y-%m-%dT%H")
    if granularity == "week":
        return (moment.date() - timedelta(days=moment.weekday())).isoformat()
    return moment.strftime("%Y-%m-%d")


def _granularity(first: datetime | None, last: datetime | None) -> str:
    if first is None or last is None:
        return "day"
    span = (last.date() - first.date()).days + 1
    return "hour" if span <= HOURLY_MAX_DAYS else "day" if span <= DAILY_MAX_DAYS else "week"


def _bucket_list(keys: Iterable[str], granularity: str) -> tuple[list[str], str | None]:
    """Every bar from the first to the last, empty ones included (an empty bar is news too)."""
    have = sorted(set(keys))
    if not have:
        return [], None
    if granularity == "hour":
        start = datetime.strptime(have[0], "%Y-%m-%dT%H")
        end = datetime.strptime(have[-1], "%Y-%m-%dT%H")
        count = int((end - start).total_seconds() // 3600) + 1
        return [(start + timedelta(hours=i)).strftime("%Y-%m-%dT%H") for i in range(count)], None
    step = 7 if granularity == "week" else 1
    start_day, end_day = date.fromisoformat(have[0]), date.fromisoformat(have[-1])
    count = (end_day - start_day).days // step + 1
    limit = MAX_WEEK_SPAN if granularity == "week" else MAX_DAY_SPAN
    if count > limit:
        unit = "weeks" if granularity == "week" else "days"
        return have, (f"the records span {count:,} {unit} (a clock set far off?): the charts show only the "
                      f"{len(have)} {unit} that have records")
    return [(start_day + timedelta(days=i * step)).isoformat() for i in range(count)], None


def analyse(source: Source, syslog: dict | None = None, syslog_files: Iterable[Path] = ()) -> Review:
    records = source.records
    per_day: dict[str, Counter] = defaultdict(Counter)
    per_hour: Counter = Counter()
    failures_per_day: Counter = Counter()
    lockouts_per_day: Counter = Counter()
    events: Counter = Counter()
    by_event: dict[str, list[dict]] = defaultdict(list)
    failed_other: Counter = Counter()
    first: datetime | None = None
    last: datetime | None = None
    for r in records:
        moment = r.get("_t") or _parse_time(r.get("time"))
        if moment is None:      # load_jsonl and to_json give every record an RFC 3339 time
            raise UsageError(f"record seq {r.get('seq')}: time {r.get('time')!r} is not an RFC 3339 time")
        r["_t"] = moment
        day = moment.strftime("%Y-%m-%d")
        r["_day"] = day
        r["_cat"] = _category(r)
        per_day[day][r["_cat"]] += 1
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
    days, _ = _timeline_days(per_day)
    granularity = _granularity(first, last)
    per_bucket: dict[str, Counter] = defaultdict(Counter)
    failures_per_bucket: Counter = Counter()
    lockouts_per_bucket: Counter = Counter()
    for r in records:
        key = _bucket_key(r["_t"], granularity)
        per_bucket[key][r["_cat"]] += 1
        if r["event"] == "login_failure":
            failures_per_bucket[key] += 1
        elif r["event"] == "lockout":
            lockouts_per_bucket[key] += 1
    buckets, note = _bucket_list(per_bucket, granularity)
    bursts, accounts = _bursts(sorted(by_event.get("login_failure", []) + by_event.get("lockout", []),
                                      key=lambda r: (r["_t"], r["seq"])))
    syslog = _syslog_of_host(syslog, source.fqdn) if syslog is not None else None
    review = Review(source, syslog, list(syslog_files), first, last, days, per_day, per_hour, failures_per_day,
                    lockouts_per_day, events, by_event, bursts, accounts, failed_other,
                    _findings(source, syslog), datetime.now(UTC), note, granularity, buckets,
                    per_bucket, failures_per_bucket, lockouts_per_bucket)
    review.link_outages = _link_outages(review)
    if syslog is not None:
        review.delivery = _delivery(review, _scan_collector(review.syslog_files, source.fqdn))
    return review


# ------------------------------------------------------------------------------------------------------------
# Delivery: the collector's copy against the device's records and `verify syslog`
# ------------------------------------------------------------------------------------------------------------

def _host_of(label: str | None) -> str | None:
    """The HOSTNAME of a verify-syslog group label ("HOST APP PROCID RSID=... ...")."""
    return label.split(" ", 1)[0] if label else None


def _syslog_of_host(syslog: dict, hostname: str | None) -> dict:
    """verify syslog's report restricted to one device's sessions, when the collector's file holds
    several devices; unchanged when it holds only this one (or the device's HOSTNAME is unknown)."""
    groups = syslog.get("groups") or []
    hosts = {(g.get("signer") or {}).get("hostname") for g in groups}
    if not hostname or hosts <= {hostname}:
        return syslog
    mine = [g for g in groups if (g.get("signer") or {}).get("hostname") == hostname]
    labels = {g.get("group") for g in mine}
    findings = [f for f in syslog.get("findings") or [] if f.get("group") in labels or
                (f.get("group") is None and _host_of(f.get("group")) in (None, hostname))]
    return dict(syslog, groups=mine, findings=findings,
                warnings=[w for w in syslog.get("warnings") or [] if w.get("group") in labels],
                verified=sum(int(g.get("verified") or 0) for g in mine), ok=not findings)
    # "messages", "normal_messages" and "blocks" stay the file's totals (the details section says so); the
    # delivery section counts this device's own messages from the file.


@dataclass
class _Scan:
    copies: Counter                                  # device seq -> copies in the collector's files
    normal: int                                      # normal messages of the device
    timeline: list[tuple[str, datetime, int | None]]  # ("message" | "block", header time, seq), in file order


_HCDAUDIT_SD = re.compile(rb'\[hcdaudit@[!-~]*?((?: [^ ="\]]+="(?:[^"\\]|\\.)*")*)\]')
_SEQ_PARAM = re.compile(rb' seq="(\d+)"')


def _scan_collector(paths: list[Path], hostname: str | None) -> _Scan:
    """One pass over the collector's files: the device seqs (`[hcdaudit@... seq=]`) of the messages, and
    the header times of messages and signature/certificate blocks in the order the collector stored them.
    Only the header and the hcdaudit element are read (verify syslog has parsed and judged every message;
    this pass only counts them, at a tenth of the cost)."""
    from .syslog_verify import read_records
    copies: Counter = Counter()
    timeline: list[tuple[str, datetime, int | None]] = []
    normal = 0
    wanted = hostname.encode() if hostname else None
    for path in paths:
        for record in read_records(path):
            fields = record.octets.split(b" ", 6)
            if len(fields) < 7 or not fields[0].startswith(b"<") or (wanted and fields[2] != wanted):
                continue
            moment = _parse_time(fields[1].decode("ascii", "replace"))
            block = fields[6].startswith((b"[ssign ", b"[ssign-cert "))
            seq = None
            if not block:
                normal += 1
                element = _HCDAUDIT_SD.search(fields[6])
                found = _SEQ_PARAM.search(element.group(1)) if element else None
                if found:
                    seq = int(found.group(1))
                    copies[seq] += 1
            if moment is not None:
                timeline.append(("block" if block else "message", moment, seq))
    return _Scan(copies, normal, timeline)


def _warning_count(warning: dict) -> int:
    """How many messages a verify-syslog warning is about: its numbers, else the count its detail
    starts with ("40 message(s) ..."), else the places it names."""
    numbers = warning.get("numbers") or []
    if numbers:
        return len(numbers)
    head = str(warning.get("detail") or "").split(" ", 1)[0].replace(",", "")
    return int(head) if head.isdigit() else len(warning.get("where") or [])


def _is_reconnect_copy(warning: dict) -> bool:
    detail = str(warning.get("detail") or "")
    return "stored twice" in detail or "reconnect" in detail


def _delivery(review: Review, scan: _Scan) -> Delivery:
    """Which device records reached the collector, how many copies of each, and why. Only the
    window between the first and the last delivered seq is judged: before it the collector's file
    had not started, after it the records may still be on their way."""
    from .syslog_verify import number_ranges
    syslog = review.syslog or {}
    device = {r["seq"] for r in review.source.records}
    delivered = set(scan.copies)
    warnings = syslog.get("warnings") or []
    resent = [w for w in warnings if w.get("kind") == "resent"]
    reconnect = sum(_warning_count(w) for w in resent if _is_reconnect_copy(w))
    unsigned = sum(_warning_count(w) for w in resent if not _is_reconnect_copy(w))
    late = sum(_warning_count(w) for w in warnings if w.get("kind") == "late")
    extra = scan.normal - len(delivered)
    # A copy verify syslog names as "resent" or "stored twice" is one it verified once; the rest of
    # the extra copies were verified twice, once in each boot session (re-sent from the stored
    # delivery cursor after a power cut or restart).
    verified = int(syslog.get("verified") or 0)
    session = max(0, min(extra - reconnect - unsigned, verified - len(delivered)))
    other = max(0, extra - reconnect - unsigned - session)
    if delivered:
        low, high = min(delivered), max(delivered)
        missing = sorted(seq for seq in device if low <= seq <= high and seq not in delivered)
        window: tuple[int, int] | None = (low, high)
        before = sum(1 for seq in device if seq < low)
        after = sum(1 for seq in device if seq > high)
    else:
        missing, window, before, after = [], None, len(device), 0
    if review.link_outages:
        outages, outage_source = [_reconciled(o, scan) for o in review.link_outages], "device"
    else:
        outages, outage_source = _outages(scan, review), "collector"
    return Delivery(scan.normal, len(delivered), len(delivered & device), window,
                    [(a, b) for a, b in number_ranges(missing)], len(missing), before, after, verified, unsigned,
                    reconnect, session, other, late, list(syslog.get("groups") or []), outages, outage_source)


def _link_outages(review: Review) -> list[Outage]:
    """The device's own account of its collector link: each audit_link_down with the audit_link_up
    that ends it. A down the next boot session ends (audit_start) was resent from the delivery
    cursor by that session; one still open at the last record had not ended when the log was read."""
    outages: list[Outage] = []
    current: Outage | None = None
    for r in review.of("audit_link_down", "audit_link_up", "audit_start"):
        items = r["items"]
        if r["event"] == "audit_link_down":
            if current is not None:          # a down without its up (a record lost): close it where the next began
                current.end, current.ended = r["_t"], "restart"
            current = Outage(r["_t"], None, 0, _int(items.get("first_seq")), _int(items.get("last_seq")), None,
                             [str(items["reason"])] if items.get("reason") else [], "device",
                             items.get("protocol"), items.get("peer"), "open", r["seq"])
            outages.append(current)
        elif r["event"] == "audit_link_up" and current is not None:
            lasted = _int(items.get("duration_ms"))
            current.end = current.start + timedelta(milliseconds=lasted) if lasted is not None else r["_t"]
            current.failed_tries = _int(items.get("failure_count"))
            current.backlog = _int(items.get("count")) or 0
            current.first_seq = _int(items.get("first_seq"))
            current.last_seq = _int(items.get("last_seq"))
            current.ended, current.up_seq = "link up", r["seq"]
            current = None
        elif r["event"] == "audit_start" and current is not None:
            current.end, current.ended = r["_t"], "restart"
            current = None
    for o in outages:
        until = o.end or review.last
        tries = [r for r in review.of("trusted_channel_failure") if o.start <= r["_t"] <= (until or o.start)]
        o.reasons += sorted({str(r["items"]["reason"]) for r in tries if r["items"].get("reason")} - set(o.reasons))
        if o.ended != "link up" and o.first_seq is not None:
            # Not back (or a restart ended it): what waited is what was logged from the first unsent on.
            o.last_seq = max((r["seq"] for r in review.source.records if r["_t"] <= (o.end or r["_t"])),
                             default=o.last_seq)
            o.backlog = max(0, (o.last_seq or 0) - o.first_seq + 1)
    return outages


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _reconciled(outage: Outage, scan: _Scan) -> Outage:
    """The device's outage against the collector's file: the silence the collector saw (the newest
    record it held before, and the first block of the session that ended it), how many of the records
    waiting reached it, and how many of those it already held (the re-sent copies verify syslog calls
    "stored twice")."""
    timeline = scan.timeline
    at = next((i for i, (kind, _, seq) in enumerate(timeline) if seq == outage.down_seq), None)
    if at is not None:
        # The session that ended the outage: walking back from the first copy of the down record,
        # the records re-sent before it (seq by seq down to the first waiting), and the blocks the
        # device made on reconnecting (stamped after the loss). What precedes it the collector held.
        begin, expect = at, (outage.down_seq or 0) - 1
        while begin > 0:
            kind, moment_, seq = timeline[begin - 1]
            if kind == "block" and moment_ > outage.start:
                begin -= 1
            elif kind == "message" and seq == expect and outage.first_seq is not None and seq >= outage.first_seq:
                begin, expect = begin - 1, expect - 1
            else:
                break
        held = [m for _, m, _ in timeline[:begin]]
        back = [m for kind, m, _ in timeline[begin:at] if kind == "block"]
        outage.silence = (max(held) if held else None, min(back) if back else timeline[at][1])
    if outage.first_seq is not None and outage.last_seq is not None and outage.ended == "link up":
        span = range(outage.first_seq, outage.last_seq + 1)
        outage.delivered = sum(1 for seq in span if scan.copies.get(seq))
        outage.resent = sum(scan.copies[seq] - 1 for seq in span if scan.copies.get(seq, 0) > 1)
    return outage


def _outages(scan: _Scan, review: Review) -> list[Outage]:
    """Silences of the collector's link. While the link is down the device goes on recording; when it
    is back, the first block it sends is stamped with the time of sending and the messages after it are
    older than that block: the backlog. A quiet night has no backlog after it, so it is no outage."""
    outages = []
    newest: datetime | None = None
    timeline = scan.timeline
    for index, (kind, moment, _) in enumerate(timeline):
        if newest is not None and moment > newest and moment - newest >= OUTAGE_MIN:
            following = next((m for k, m, _ in timeline[index + 1:index + 40] if k == "message"), None)
            if following is not None and following < moment:
                outage = _outage(newest, moment, review)
                if outage.backlog:         # the device was on and recording: not a power cut's silence
                    outages.append(outage)
        if newest is None or moment > newest:
            newest = moment
    return outages


def _outage(start: datetime, end: datetime, review: Review) -> Outage:
    held = [r for r in review.source.records if start < r["_t"] < end and r["event"] not in POWER_EVENTS]
    tries = [r for r in review.of("trusted_channel_failure") if start <= r["_t"] <= end]
    failed = sum(int(r["items"].get("failure_count") or 1) for r in tries)
    reasons = sorted({str(r["items"].get("reason")) for r in tries if r["items"].get("reason")})
    seqs = [r["seq"] for r in held]
    return Outage(start, end, len(held), min(seqs, default=None), max(seqs, default=None), failed, reasons)


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


def _clock_alarm(record: dict) -> str | None:
    """Why a clock change needs a look, or None for a routine correction: a change a person made,
    a step of more than CLOCK_STEP_ALARM_S, or one that failed."""
    subject = record.get("subject") or {}
    method = str((record.get("items") or {}).get("method") or "")
    reasons = []
    if method not in ("ntp", "sntp", "ptp") or subject.get("kind") not in ("system", "", None):
        reasons.append("changed by a person" if subject.get("user_id") or method == "user" else
                       f"changed by {method or 'an unknown method'}")
    shift = _clock_shift(record)
    if shift is not None and abs(shift) > CLOCK_STEP_ALARM_S:
        reasons.append(f"a step of more than {CLOCK_STEP_ALARM_S} s")
    if _failed(record):
        reasons.append("failed")
    return "; ".join(reasons) or None


def _clock_shift(record: dict) -> float | None:
    old = _parse_time((record.get("items") or {}).get("old_time"))
    return None if old is None else (record["_t"] - old).total_seconds()


def _bursts(rows: list[dict]) -> tuple[list[Burst], list[Account]]:
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
        subjects = [r.get("subject") or {} for r in items]
        accounts.append(Account(account, sum(1 for r in items if r["event"] == "login_failure"),
                                sum(1 for r in items if r["event"] == "lockout"), sorted({_where(r) for r in items}),
                                unknown=any(s.get("kind") == "unregistered" for s in subjects),
                                admin=any(_is_admin(s) for s in subjects)))
    accounts.sort(key=lambda a: (-a.failures, -a.lockouts, a.name))
    return bursts, accounts


def _is_admin(subject: dict) -> bool:
    return subject.get("kind") == "admin" or "administrator" in str(subject.get("role") or "").lower()


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
    step = max(1, math.ceil(step))
    return int(math.ceil(peak / step) * step), step


def _axis(width: int, top: int, bottom: int, left: int, right: int, peak: int, unit: str) -> tuple[str, Any]:
    """Horizontal grid lines with count labels; returns (svg, y-of-value function)."""
    scale_top, step = _nice_scale(peak)
    plot_h = bottom - top
    y = lambda v: bottom - plot_h * (v / scale_top)
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


def _bucket_start(key: str, granularity: str) -> datetime:
    if granularity == "hour":
        return datetime.strptime(key, "%Y-%m-%dT%H")
    return datetime.combine(date.fromisoformat(key), datetime.min.time())


def bucket_label(key: str, granularity: str) -> str:
    """A bar's name in words, for tables and titles."""
    moment = _bucket_start(key, granularity)
    if granularity == "hour":
        return f"{moment:%a %d %b} {moment:%H}:00–{moment:%H}:59"
    if granularity == "week":
        end = moment + timedelta(days=6)
        return f"week of {moment:%d %b %Y} – {end:%d %b}"
    return f"{moment:%a %d %b %Y}"


def _weekend(key: str, granularity: str) -> bool:
    return granularity != "week" and _bucket_start(key, granularity).weekday() >= 5


def _x_labels(buckets: list[str], granularity: str, left: float, band: float, baseline: float) -> str:
    """Hours with the date under them, weekday + date under wide day bands, day numbers (thinned) and a
    month row under narrow ones, week starts with a year row."""
    parts = ['<g class="xlabels" aria-hidden="true">']
    if granularity == "hour":
        every = next(n for n in (1, 2, 3, 6, 12, 24) if band * n >= 26)
        previous = None
        for i, key in enumerate(buckets):
            moment = _bucket_start(key, "hour")
            cx = left + band * (i + 0.5)
            if moment.hour % every == 0:
                parts.append(f'<text x="{cx:.1f}" y="{baseline + 16}" text-anchor="middle">{moment:%H}</text>')
            if moment.date() != previous:
                parts.append(f'<text x="{left + band * i:.1f}" y="{baseline + 33}" class="month">'
                             f'{moment:%a %d %b %Y}</text>')
                previous = moment.date()
        parts.append("</g>")
        return "".join(parts)
    width = 26 if granularity == "day" else 46          # a day number, or "12 Jan"
    every = max(1, math.ceil(width / band)) if band < 60 else 1
    previous_group = None
    for i, key in enumerate(buckets):
        d = date.fromisoformat(key)
        cx = left + band * (i + 0.5)
        if granularity == "day" and band >= 60:
            parts.append(f'<text x="{cx:.1f}" y="{baseline + 16}" text-anchor="middle">{d.strftime("%a")}</text>')
            parts.append(f'<text x="{cx:.1f}" y="{baseline + 31}" text-anchor="middle">'
                         f'{d.day} {d.strftime("%b")}</text>')
            continue
        if i % every == 0:
            text = str(d.day) if granularity == "day" else f"{d.day} {d:%b}"
            parts.append(f'<text x="{cx:.1f}" y="{baseline + 16}" text-anchor="middle">{text}</text>')
        group = (d.year, d.month) if granularity == "day" else d.year
        if group != previous_group:
            text = d.strftime("%b %Y") if granularity == "day" else str(d.year)
            parts.append(f'<text x="{left + band * i:.1f}" y="{baseline + 32}" class="month">{text}</text>')
            previous_group = group
    parts.append("</g>")
    return "".join(parts)


def _weekends(buckets: list[str], granularity: str, left: float, band: float, top: float, bottom: float) -> str:
    # down under the axis too: the day's label stays marked when its bar fills the column
    rects = [f'<rect x="{left + band * i:.1f}" y="{top}" width="{band:.1f}" height="{bottom - top + 21}"/>'
             for i, key in enumerate(buckets) if _weekend(key, granularity)]
    return f'<g class="weekend" aria-hidden="true">{"".join(rects)}</g>' if rects else ""


def _bar_label(x: float, y: float, value: int, band: float, css: str = "total") -> str:
    """The count written on the chart: above the bar when the band is wide, turned upright when it is
    narrow; none when too narrow (the table under the chart has every count)."""
    if band >= 30:
        return f'<text x="{x:.1f}" y="{y - 5:.1f}" text-anchor="middle" class="{css}">{value:,}</text>'
    if band >= 13:
        return (f'<text x="{x + 4:.1f}" y="{y - 4:.1f}" transform="rotate(-90 {x + 4:.1f} {y - 4:.1f})" '
                f'class="{css} upright">{value:,}</text>')
    return ""


_UNIT = {"hour": "hour", "day": "day", "week": "week"}


def _svg_open(chart_id: str, width: int, height: int, title: str, desc: str, kind: str) -> str:
    return (f'<svg id="{chart_id}" class="chart" data-chart="{kind}" role="img" viewBox="0 0 {width} {height}" '
            f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f'xmlns="http://www.w3.org/2000/svg">'
            f'<title id="{chart_id}-title">{e(title)}</title><desc id="{chart_id}-desc">{e(desc)}</desc>')


def _bucket_attrs(key: str, granularity: str) -> str:
    day = f' data-day="{key}"' if granularity == "day" else ""
    return f'data-bucket="{key}"{day}'


def timeline_chart(review: Review, chart_id: str = "chart-timeline") -> str:
    """Events per bar (hour, day or week), stacked by category. Every segment carries data-bucket
    (and data-day for days), data-category and data-count."""
    buckets, unit = review.buckets, _UNIT[review.granularity]
    width, height = 1000, 340
    left, right, top, bottom = 64, 16, 30, height - 46
    totals = {b: sum(review.per_bucket.get(b, Counter()).values()) for b in buckets}
    peak = max(totals.values(), default=0)
    busiest = max(buckets, key=lambda b: totals[b]) if buckets else None
    desc = (f"{sum(totals.values()):,} events in {len(buckets)} {unit}(s); busiest "
            f"{bucket_label(busiest, review.granularity)} with {totals[busiest]:,} events." if busiest else
            "No events.")
    parts = [_svg_open(chart_id, width, height, f"Audit events per {unit}, by category (UTC)", desc, "timeline")]
    axis, y = _axis(width, top, bottom, left, right, peak, f"events per {unit}")
    band = (width - left - right) / max(len(buckets), 1)
    parts.append(_weekends(buckets, review.granularity, left, band, top, bottom))
    parts.append(axis)
    bar_w = max(1.0, min(56.0, band * 0.72))
    for i, key in enumerate(buckets):
        x = left + band * i + (band - bar_w) / 2
        counts = review.per_bucket.get(key, Counter())
        label = bucket_label(key, review.granularity)
        parts.append(f'<g class="day" {_bucket_attrs(key, review.granularity)} data-total="{totals[key]}">')
        base = 0
        for category, color in CATEGORIES:
            count = counts.get(category, 0)
            if not count:
                continue
            y_top, y_bottom = y(base + count), y(base)
            parts.append(f'<rect x="{x:.1f}" y="{y_top:.1f}" width="{bar_w:.1f}" '
                         f'height="{max(y_bottom - y_top, 0.5):.1f}" fill="{color}" '
                         f'{_bucket_attrs(key, review.granularity)} data-category="{e(category)}" data-count="{count}">'
                         f'<title>{e(label)}: {e(category)}, {count:,} event{"s" if count != 1 else ""}</title></rect>')
            base += count
        if totals[key]:
            parts.append(_bar_label(x + bar_w / 2, y(base), totals[key], band))
        parts.append("</g>")
    parts.append(_x_labels(buckets, review.granularity, left, band, bottom))
    parts.append("</svg>")
    return "".join(parts)


def failures_chart(review: Review, chart_id: str = "chart-failures") -> str:
    """Failed sign-ins per bar (bars) with the bar's lockouts (marked above the bar)."""
    buckets, unit = review.buckets, _UNIT[review.granularity]
    width, height = 1000, 270
    left, right, top, bottom = 64, 16, 62, height - 46
    peak = max((review.failures_per_bucket.get(b, 0) for b in buckets), default=0)
    total_f = sum(review.failures_per_bucket.values())
    total_l = sum(review.lockouts_per_bucket.values())
    desc = f"{total_f:,} failed sign-ins and {total_l:,} lockouts in {len(buckets)} {unit}(s)."
    parts = [_svg_open(chart_id, width, height, f"Failed sign-ins per {unit}, with lockouts", desc, "failures")]
    axis, y = _axis(width, top, bottom, left, right, peak, "failed sign-ins")
    band = (width - left - right) / max(len(buckets), 1)
    parts.append(_weekends(buckets, review.granularity, left, band, top, bottom))
    parts.append(axis)
    bar_w = max(1.0, min(56.0, band * 0.72))
    for i, key in enumerate(buckets):
        failures = review.failures_per_bucket.get(key, 0)
        lockouts = review.lockouts_per_bucket.get(key, 0)
        label = bucket_label(key, review.granularity)
        x = left + band * i + (band - bar_w) / 2
        parts.append(f'<g class="day" {_bucket_attrs(key, review.granularity)} data-failures="{failures}" '
                     f'data-lockouts="{lockouts}">')
        if failures:
            parts.append(f'<rect x="{x:.1f}" y="{y(failures):.1f}" width="{bar_w:.1f}" '
                         f'height="{max(bottom - y(failures), 0.5):.1f}" fill="{FAILURE_COLOR}" '
                         f'{_bucket_attrs(key, review.granularity)} data-count="{failures}"><title>{e(label)}: '
                         f'{failures:,} failed sign-in{"s" if failures != 1 else ""}</title></rect>')
            parts.append(_bar_label(x + bar_w / 2, y(failures), failures, band))
        if lockouts:
            # above the bar's own number: its height when upright, one line when level
            lift = 0 if not failures else 16 if band >= 30 else 7 * len(f"{failures:,}") + 6 if band >= 13 else 0
            cx, cy = x + bar_w / 2, y(failures) - 12 - lift
            parts.append(f'<g class="lockout" {_bucket_attrs(key, review.granularity)} data-count="{lockouts}">'
                         f'<title>{e(label)}: {lockouts:,} lockout{"s" if lockouts != 1 else ""}</title>'
                         f'<path d="M{cx - 7:.1f},{cy - 6:.1f} L{cx + 7:.1f},{cy - 6:.1f} L{cx:.1f},{cy + 5:.1f} Z" '
                         f'fill="{LOCKOUT_COLOR}"/>'
                         f'<text x="{cx + 10:.1f}" y="{cy + 2:.1f}" class="lockout-label">{lockouts}</text></g>')
        parts.append("</g>")
    parts.append(_x_labels(buckets, review.granularity, left, band, bottom))
    parts.append("</svg>")
    return "".join(parts)


def hours_chart(review: Review, chart_id: str = "chart-hours") -> str:
    """Events by hour of day (UTC); hours outside BUSINESS_HOURS are drawn in a second colour."""
    width, height = 1000, 240
    left, right, top, bottom = 64, 16, 26, height - 40
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
            parts.append(_bar_label(x + bar_w / 2, y(count), count, band))
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
header.page .meta { color: var(--muted); margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap;
                    gap: 2px 18px; }
header.page .meta li { min-width: 0; overflow-wrap: anywhere; }
p, li, td, th, caption, figcaption, h1, h2, h3 { overflow-wrap: break-word; }
h2 { font-size: 20px; margin: 34px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 6px; }
p.lead { margin: 4px 0 12px; color: var(--muted); }
.verdict { border: 2px solid; border-radius: 10px; padding: 16px 20px; margin: 0 0 20px; }
.verdict.ok { border-color: var(--ok); background: var(--okbg); }
.verdict.bad { border-color: var(--bad); background: var(--badbg); }
.verdict.unverified { border-color: var(--warn); background: #fff6e5; }
.verdict.unverified h2 { color: var(--warn); }
.verdict h2 { border: 0; margin: 0 0 6px; padding: 0; font-size: 22px; }
.verdict.ok h2 { color: var(--ok); } .verdict.bad h2 { color: var(--bad); }
.verdict .mark { display: inline-block; width: 1.4em; text-align: center; }
.verdict ul { margin: 8px 0 0; padding-left: 0; list-style: none; }
.verdict ul li { padding-left: 1.6em; text-indent: -1.6em; }
.verdict li { margin: 3px 0; }
.verdict .check { font-weight: 600; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; margin: 0 0 8px; padding: 0;
         list-style: none; }
.tiles li { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: var(--soft); }
.tiles a { color: inherit; text-decoration: none; display: block; }
.tiles .n { display: block; font-size: 26px; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
.tiles .l { display: block; color: var(--muted); font-size: 13px; }
.tiles li.attn { border-color: #e0a9a9; background: #fff5f5; }
.tiles li.attn .n { color: var(--bad); }
figure { margin: 8px 0 4px; break-inside: avoid; page-break-inside: avoid; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 2px; }
.chartbox { overflow-x: auto; max-width: 100%; }
svg.chart { width: 100%; height: auto; display: block; }
svg.chart text { font-size: 12px; fill: #3b4354; font-family: inherit; }
svg.chart text.unit { font-size: 12px; fill: var(--muted); }
svg.chart text.month { font-weight: 600; }
svg.chart text.total { font-size: 11px; font-weight: 600; fill: var(--ink); }
svg.chart text.upright { font-size: 10px; }
svg.chart .grid { stroke: #e6e9ef; stroke-width: 1; }
svg.chart .baseline { stroke: #8a93a5; stroke-width: 1; }
svg.chart .weekend rect { fill: #eceef3; }
svg.chart rect[data-count] { stroke: #fff; stroke-width: 0.6; }
svg.chart rect.work { fill: #0072B2; } svg.chart rect.offhours { fill: #E69F00; }
svg.chart text.lockout-label { font-weight: 700; fill: #8B0000; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 6px 0 0 64px; padding: 0; list-style: none;
          font-size: 13px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 6px; }
.legend .sw { width: 12px; height: 12px; border-radius: 2px; display: inline-block; }
.scroll { overflow-x: auto; max-width: 100%; margin: 2px 0 10px; }
.scroll.tall { max-height: 340px; overflow-y: auto; border-bottom: 1px solid var(--line); }
.scroll.tall thead th { position: sticky; top: 0; }
table { border-collapse: collapse; width: 100%; margin: 0; font-size: 13.5px; }
caption { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
div.caption { font-weight: 600; padding: 4px 0 0; color: var(--ink); }
td.label { min-width: 13em; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--soft); border-bottom: 2px solid var(--line); font-weight: 600; white-space: nowrap; }
thead th.num { white-space: normal; }
tbody tr:nth-child(even) td { background: #fafbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.nowrap, td.event { white-space: nowrap; }
td.indent { padding-left: 28px; }
td.indent2 { padding-left: 52px; }
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
.neutral-text { color: var(--muted); }
.warn-text { color: var(--warn); font-weight: 600; }
.explain { border-left: 4px solid var(--accent); background: var(--soft); padding: 8px 12px; margin: 8px 0 12px; }
.overview td a { font-weight: 600; }
.device { border-top: 4px double var(--ink); margin-top: 48px; padding-top: 8px; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media screen and (max-width: 760px) {
  .tiles { grid-template-columns: repeat(2, minmax(0, 1fr)); } main { padding: 14px 12px 32px; }
  header.page h1 { font-size: 22px; } .tiles .n { font-size: 22px; }
  /* charts keep a readable size and scroll sideways in their own box */
  svg.chart { min-width: 800px; } svg.chart text { font-size: 14px; } svg.chart text.total { font-size: 13px; }
  svg.chart text.upright { font-size: 12px; }
  .legend { margin-left: 0; } .signoff { grid-template-columns: 1fr; }
  table { font-size: 13px; }
}
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  h2, h3, div.caption, p.lead, section > p { break-after: avoid; page-break-after: avoid; }
  section { break-inside: auto; }
  .verdict, .tiles li, .keep { break-inside: avoid; page-break-inside: avoid; }
  details:not([open]) > *:not(summary) { display: none; }
  .scroll, .scroll.tall, .chartbox { overflow: visible; max-height: none; border: 0; }
  .scroll.tall thead th { position: static; }
  svg.chart { min-width: 0; }
  table { font-size: 8.5pt; } td.nowrap, td.event, td.time, thead th { white-space: normal; }
  .device { break-before: page; page-break-before: always; }
  summary { color: var(--muted); }
  a { color: inherit; text-decoration: none; }
}
"""


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural or word + 's')}"


def _table(caption: str, headers: list[tuple[str, str]], rows: list[list[tuple[str, str]]], empty: str,
           total: int | None = None, tall: bool = False) -> str:
    """headers: (label, css class); rows: cells of (html, css class). Capped at MAX_ROWS rows. The table
    scrolls sideways in its own box on a narrow screen (tall: and downwards on a screen, not in print)."""
    if not rows:
        return f'<p class="none">{e(empty)}</p>'
    shown = rows[:MAX_ROWS]
    # The caption is shown above the box (it stays in view while the table scrolls sideways) and kept
    # in the table for screen readers.
    out = [(f'<div class="caption" aria-hidden="true">{e(caption)}</div>'
            f'<div class="scroll{" tall" if tall else ""}" role="region" aria-label="{e(caption)}" tabindex="0">'
            f"<table><caption>{e(caption)}</caption><thead><tr>")]
    out += [f'<th scope="col" class="{cls}">{e(label)}</th>' for label, cls in headers]
    out.append("</tr></thead><tbody>")
    for row in shown:
        out.append("<tr>" + "".join(f'<td class="{cls}">{cell}</td>' for cell, cls in row) + "</tr>")
    out.append("</tbody></table></div>")
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


RESEND_SENTENCE = ("A resend is the device sending a record again, byte for byte, because it could not be sure the "
                   "collector had stored it (the connection dropped, or power was cut before the delivery was "
                   "confirmed); every copy carries the record's own seq and verifies against its signature, so a "
                   "copy is never a second event and never hides one.")


def _verdict_section(review: Review) -> str:
    source = review.source
    lines = []
    proven_text = ""
    if source.kind == "device":
        report = source.store_report
        proven = source.store_json.get("proven") or {}
        if report.intact():
            ranges = ", ".join(_span(a, b) for a, b in report.ranges) or "none"
            lines.append(("ok", (f"The device's audit trail is intact: all {report.verified:,} records (seq {ranges}) "
                                f"authenticate with the device's key, and none is missing, altered, duplicated or "
                                f"out of order.")))
        else:
            lines.append(("bad", (f"The device's audit trail is NOT intact: {_plural(len(report.faults()), 'problem')} "
                                 f"found ({report.verified:,} records authenticate).")))
        if report.evicted_count:
            lines.append(("ok", (f"{report.evicted_count:,} oldest records (up to seq {report.evicted_through:,}) were "
                                f"removed by the storage cap; the device audited each removal.")))
        notes = [f for f in report.findings if f.verdict in ("torn", "pending")]
        if notes:
            lines.append(("ok", (f"{_plural(len(notes), 'record')} torn by a power cut while being written "
                                f"(never completed, not a fault).")))
        last_seq = proven.get("last_seq") if isinstance(proven.get("last_seq"), int) else \
            (report.ranges[-1][1] if report.ranges else None)
        first_seq = proven.get("first_seq") if isinstance(proven.get("first_seq"), int) else \
            (report.ranges[0][0] if report.ranges else None)
        if first_seq is not None and last_seq is not None:
            proven_text = f"seq {_span(first_seq, last_seq)}"
        if not review.tail_anchored and last_seq is not None:
            newest = ""
            delivery = review.delivery
            if delivery and delivery.window and delivery.window[1] >= last_seq:
                newest = (f" The collector's signed copy holds the same newest record (seq {delivery.window[1]:,}), "
                          f"which is consistent, but the verification did not anchor it.")
            lines.append(("warn", f"The newest records are not anchored: a removal of records after seq {last_seq:,} "
                                  f"would leave no trace on the device alone. Anchor it with the host's state of an "
                                  f"earlier verification (--state), or with the collector's signed copy."
                                  + newest))
    else:
        lines.append(("warn", (f"This report was made from an export file ({source.path.name}). An export carries no "
                              f"signatures, so its records cannot be authenticated here: anyone could have edited "
                              f"it. Run the report on the device folder, or add the signed syslog (--syslog, "
                              f"--trust).")))
        if source.seq_findings:
            lines.append(("bad", (f"Sequence numbers: {_plural(len(source.seq_findings), 'gap or repeat', 'gaps or repeats')} "
                                 f"that nothing in the file explains.")))
        else:
            seqs = [r["seq"] for r in source.records]
            lines.append(("ok", (f"Sequence numbers run without an unexplained gap from {min(seqs):,} to {max(seqs):,} "
                                f"(continuity only, not authenticity).")))
        for note in source.seq_notes[:5]:
            lines.append(("ok", note[0].upper() + note[1:] + "."))
    lost = review.of("audit_undelivered_loss")
    if lost:
        count = sum(int(r["items"].get("count") or 0) for r in lost)
        lines.append(("warn", (f"{count:,} records were lost before the audit server received them; the device "
                              f"audited the loss ({_plural(len(lost), 'time')}, see Delivery to the collector).")))
    syslog = review.syslog
    if syslog is not None:
        files = ", ".join(p.name for p in review.syslog_files)
        groups = syslog.get("groups") or []
        anchored = bool(groups) and all(g.get("key_trust") == "anchored" for g in groups)
        delivery = review.delivery
        if syslog.get("ok"):
            lines.append(("ok", (f"The collector's copy ({files}) verifies: {int(syslog.get('verified') or 0):,} "
                                f"messages carry valid RFC 5848 signatures"
                                f"{' from the trusted device key' if anchored else ''}; nothing in it is missing, "
                                f"altered or forged.")))
        else:
            kinds = Counter(str(f.get("kind")).replace("_", " ") for f in syslog.get("findings") or [])
            lines.append(("bad", f"The collector's copy ({files}) does NOT verify: "
                                  + ", ".join(f"{n} {k}" for k, n in kinds.most_common())
                                  + f" ({int(syslog.get('verified') or 0):,} messages verified)."))
        if delivery is not None:
            copies = delivery.extra_copies
            if copies:
                lines.append(("ok", f"{_plural(copies, 'extra copy', 'extra copies')} of records in the collector's "
                                    f"file are resends (expected, see Delivery to the collector): "
                                    + _resend_breakdown(delivery) + "."))
            if delivery.outages:
                lines.append(("note", _outages_sentence(review)))
            if delivery.missing:
                lines.append(("warn", (f"{_plural(delivery.missing, 'record')} of the device never reached the "
                                      f"collector (seq {', '.join(_span(a, b) for a, b in delivery.gaps[:6])}"
                                      f"{', ...' if len(delivery.gaps) > 6 else ''}): see Delivery to the collector.")))
    else:
        if review.link_outages:
            lines.append(("note", _outages_sentence(review)))
        lines.append(("note", ("The signed syslog copy was not checked (give the collector's file with --syslog and "
                              "the device certificate with --trust).")))
    verdict = review.verdict
    if verdict == "findings":
        heading = (f"Verdict: {_plural(len(review.findings), 'finding')} — the audit trail needs investigation")
    elif verdict == "unauthenticated":
        heading = "Verdict: not authenticated — no gap found, but an export file proves nothing about its records"
    else:
        scope = f" for {proven_text}" if proven_text else ""
        heading = (f"Verdict: clean{scope} — nothing in the audit trail's integrity needs action"
                   + ("" if review.tail_anchored else "; the newest records are not anchored"))
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
    box = {"findings": "bad", "unauthenticated": "unverified", "clean": "ok"}[verdict]
    return (f'<section class="verdict {box}" id="verdict" aria-labelledby="verdict-h">'
            f'<h2 id="verdict-h" data-verdict="{verdict}" data-tail-anchored="{str(review.tail_anchored).lower()}">'
            f'{e(heading)}</h2><ul>{items}</ul>{details}</section>')


def _outages_sentence(review: Review) -> str:
    outages = review.outages
    longest = max(o.minutes for o in outages)
    waiting = sum(o.backlog for o in outages)
    if review.outage_source == "device":
        still = sum(1 for o in outages if o.ended == "open")
        return (f"The device recorded {_plural(len(outages), 'outage')} of its link to the collector (longest "
                f"{longest} min, {sum(o.failed_tries or 0 for o in outages):,} failed tries); "
                f"{waiting:,} records were waiting when it was back"
                + (f"; {_plural(still, 'outage')} had not ended by the last record" if still else "")
                + ". The device keeps a record until it is delivered, unless the storage cap evicts it first "
                  "(which it audits as a loss).")
    return (f"The collector was unreachable {_plural(len(outages), 'time')} (longest {longest} min); the device "
            f"held {waiting:,} records and delivered them when the link was back.")


def _resend_breakdown(delivery: Delivery) -> str:
    parts = []
    if delivery.session_resends:
        parts.append(f"{delivery.session_resends:,} re-sent by the next boot session after a power cut or restart "
                     f"(each copy verified in its own session)")
    if delivery.reconnect_duplicates:
        parts.append(f"{delivery.reconnect_duplicates:,} stored twice after a reconnect (verify syslog: "
                     f"“stored twice”)")
    if delivery.resent_unsigned:
        parts.append(f"{delivery.resent_unsigned:,} first sent unsigned before a power cut, then re-sent signed "
                     f"(verify syslog: “re-sent”)")
    if delivery.other_copies:
        parts.append(f"{delivery.other_copies:,} not explained (see the findings)")
    return "; ".join(parts)


def _tiles(review: Review) -> str:
    """The page at a glance. Red is kept for what needs a look: failed sign-ins, lockouts, clock changes
    past the documented threshold, records lost undelivered, stops the device could not explain."""
    lost = sum(int(r["items"].get("count") or 0) for r in review.of("audit_undelivered_loss"))
    evicted = sum(int(r["items"].get("count") or 0) for r in review.of("audit_eviction"))
    off = sum(c for h, c in review.per_hour.items() if not BUSINESS_HOURS[0] <= h < BUSINESS_HOURS[1])
    failures = sum(review.failures_per_day.values())
    unknown = sum(a.failures for a in review.failing_accounts if a.unknown)
    clocks = review.of(*CLOCK_EVENTS)
    alarms = review.clock_alarms()
    recoveries = review.of("audit_recovery")
    odd_stops = review.of("abnormal_termination", "process_terminated") + \
        [r for r in recoveries if str(r["items"].get("quarantined") or "none").lower() != "none"]
    outages = review.outages
    events_label = f"events over {_plural(len(review.days), 'day')}"
    if off:
        events_label += f" ({off:,} outside {BUSINESS_HOURS[0]:02d}–{BUSINESS_HOURS[1]:02d} h)"
    tiles = [
        ("timeline", f"{len(review.source.records):,}", events_label, False),
        ("auth", f"{failures:,}", "failed sign-ins" + (f" ({unknown:,} for unknown accounts)" if unknown else ""),
         failures > 0),
        ("auth", f"{review.events.get('lockout', 0):,}", "account lockouts", review.events.get("lockout", 0) > 0),
        ("changes", f"{len(review.of(*CHANGE_EVENTS)):,}", "setting & account changes", False),
        ("changes", f"{len(clocks):,}", f"clock changes ({len(alarms):,} past the threshold)" if clocks else
         "clock changes", bool(alarms)),
        ("exports", f"{len(review.of(*EXPORT_EVENTS)):,}", "audit-log exports", False),
        ("delivery", f"{evicted + lost:,}", f"records evicted ({evicted:,}) or lost undelivered ({lost:,})", lost > 0),
        ("delivery", f"{len(outages):,}",
         "collector outages" + ("" if review.delivery else " the device recorded (collector's copy not checked)"),
         False),
        ("power", f"{len(recoveries):,}", "recoveries after power loss"
         + (f" ({len(odd_stops)} abnormal)" if odd_stops else ""), bool(odd_stops)),
    ]
    return ('<ul class="tiles" aria-label="At a glance">'
            + "".join(f'<li class="{"attn" if attn else ""}"><a href="#{anchor}"><span class="n">{n}</span>'
                      f'<span class="l">{e(label)}</span></a></li>' for anchor, n, label, attn in tiles)
            + "</ul>")


def _numbers_table(review: Review, caption: str, columns: list[tuple[str, str]], cells) -> str:
    rows = [[(e(bucket_label(key, review.granularity)), "time")] + cells(key) for key in review.buckets]
    unit = _UNIT[review.granularity]
    return _table(caption, [(f"{unit.capitalize()} (UTC)", "")] + columns, rows, "No events.", tall=True)


def _shading_note(review: Review) -> str:
    if not any(_weekend(key, review.granularity) for key in review.buckets):
        return ""
    return " Shaded columns are Saturdays and Sundays."


def _timeline_section(review: Review) -> str:
    present = [c for c, _ in CATEGORIES if any(counts.get(c) for counts in review.per_bucket.values())]
    legend = "".join(f'<li><span class="sw" style="background:{CATEGORY_COLOR[c]}"></span>{e(c)}</li>'
                     for c in present)
    unit = _UNIT[review.granularity]

    def cells(key: str) -> list[tuple[str, str]]:
        counts = review.per_bucket.get(key, Counter())
        return [(f"{counts.get(c, 0):,}", "num") for c in present] + [(f"{sum(counts.values()):,}", "num")]

    numbers = _numbers_table(review, f"Events per {unit} and category (the numbers of the chart)",
                             [(c, "num") for c in present] + [("Total", "num")], cells)
    note = f'<p class="more">{e(review.days_note)}</p>' if review.days_note else ""
    why = {"hour": f"one bar per hour: the period is {HOURLY_MAX_DAYS} days or shorter",
           "day": f"one bar per day: the period is up to {DAILY_MAX_DAYS} days",
           "week": f"one bar per week (Monday to Sunday): the period is longer than {DAILY_MAX_DAYS} days"}
    figure = (f'<figure><div class="chartbox">{timeline_chart(review)}</div><figcaption>UTC, '
              f'{why[review.granularity]}; the number on a bar is its total, the table below has every count.'
              f'{_shading_note(review)}</figcaption></figure>'
              f'<ul class="legend" aria-label="Categories">{legend}</ul>') if review.buckets else \
        '<p class="none">No events in this period.</p>'
    rest = f"{note}{numbers}" if review.buckets else ""
    # The heading, its lead and the chart print on one page (the keep box): a heading never ends a page.
    return (f'<section id="timeline" aria-labelledby="timeline-h"><div class="keep"><h2 id="timeline-h">Events '
            f'per {unit}</h2><p class="lead">What the device recorded, by kind of event. An empty stretch inside the '
            f'period means the device was off, or its records are gone: the verdict above says which.</p>'
            f'{figure}</div>{rest}</section>')


def _auth_section(review: Review) -> str:
    lockouts = review.of("lockout")
    expired = review.of("lockout_expired")
    rows = []
    for r in lockouts:
        end = next((x for x in expired if _who(x) == _who(r) and x["_t"] >= r["_t"]), None)
        seconds = r["items"].get("lock_seconds")
        rows.append([(e(_time(r["_t"])), "time"), (e(_who(r, mark_unknown=True)), ""),
                     (e((r.get("subject") or {}).get("role") or "-"), ""),
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
    account_rows = []
    for a in [a for a in review.failing_accounts if a.failures or a.lockouts][:20]:
        known = '<span class="bad-text">no</span>' if a.unknown else "yes"
        role = '<span class="warn-text">administrator</span>' if a.admin else ("–" if a.unknown else "user")
        account_rows.append([(e(a.label), ""), (known, ""), (role, ""), (f"{a.failures:,}", "num"),
                             (f"{a.lockouts:,}", "num"), (e(", ".join(a.where)), "nowrap")])
    account_table = _table("Accounts with the most failed sign-ins (top 20)",
                           [("Account tried", ""), ("On the device?", ""), ("Role", ""), ("Failures", "num"),
                            ("Lockouts", "num"), ("From", "")],
                           account_rows, "No failed sign-in in this period.")
    unknown = [a for a in review.failing_accounts if a.unknown]
    admins = [a for a in review.failing_accounts if a.admin and (a.failures or a.lockouts)]
    summary = []
    if unknown:
        summary.append(f"{_plural(sum(a.failures for a in unknown), 'failed sign-in')} named "
                       f"{_plural(len(unknown), 'account')} the device does not have (it recorded each name as "
                       f"unregistered): someone guessing names, or a misconfigured client")
    if admins:
        summary.append(f"{_plural(sum(a.failures for a in admins), 'failed sign-in')} to "
                       f"{_plural(len(admins), 'administrator account')} ({', '.join(a.name for a in admins[:5])})")
    summary_part = (f'<p>{e("; ".join(summary))}.</p>' if summary else "")
    unit = _UNIT[review.granularity]

    def cells(key: str) -> list[tuple[str, str]]:
        return [(f"{review.failures_per_bucket.get(key, 0):,}", "num"),
                (f"{review.lockouts_per_bucket.get(key, 0):,}", "num")]

    numbers = _numbers_table(review, f"Failed sign-ins and lockouts per {unit} (the numbers of the chart)",
                             [("Failed sign-ins", "num"), ("Lockouts", "num")], cells) if \
        sum(review.failures_per_bucket.values()) or sum(review.lockouts_per_bucket.values()) else ""
    chart = (f'<figure><div class="chartbox">{failures_chart(review)}</div><figcaption>Bars: failed sign-ins per '
             f'UTC {unit}, with their number. <span style="color:{LOCKOUT_COLOR}">▼</span> with a number: lockouts '
             f'in that {unit}.{_shading_note(review)}</figcaption></figure>'
             if review.buckets else "")
    return (f'<section id="auth" aria-labelledby="auth-h"><div class="keep"><h2 id="auth-h">Failed sign-ins and '
            f'lockouts</h2><p class="lead">Who failed to authenticate, when and from where. Names the device does '
            f'not know are marked “unknown account” (the device\'s own record of the attempt says so); '
            f'administrator accounts are marked too. Look also for unusual hosts, and bursts outside working '
            f'hours.</p>{summary_part}{chart}</div>'
            f'{numbers if review.buckets else ""}{lock_table}{burst_table}{detected_table}{account_table}</section>')


def _changes_section(review: Review) -> str:
    clock_rows = []
    for r in review.of(*CLOCK_EVENTS):
        items = r["items"]
        old = _parse_time(items.get("old_time"))
        delta = _clock_shift(r)
        shift = "" if delta is None else f"{'+' if delta >= 0 else '−'}" + \
            (f"{abs(delta):.1f} s" if abs(delta) < 10 else _duration(abs(delta)))
        alarm = _clock_alarm(r)
        look = (f'<span class="bad-text">needs a look: {e(alarm)}</span>' if alarm else
                '<span class="neutral-text">routine correction</span>')
        clock_rows.append([(e(_time(r["_t"])), "time"), (e(_who(r)), ""), (e(_where(r)), "nowrap"),
                           (_change(_time(old) if old else items.get("old_time"), _time(r["_t"])), "change"),
                           (e(shift), "num nowrap"), (e(items.get("method") or "-"), ""),
                           (e(items.get("ntp_server") or "-"), ""), (_outcome(r), ""), (look, "")])
    clock_table = _table("Clock changes (old → new device time, UTC)",
                         [("When (UTC)", ""), ("By", ""), ("From", ""), ("Old → new", ""), ("Shift", "num"),
                          ("Method", ""), ("NTP server", ""), ("Outcome", ""), ("Assessment", "")], clock_rows,
                         "The clock was not changed in this period.")
    ntp_rows = [[(e(_time(r["_t"])), "time"), (e(r["items"].get("peer") or "-"), ""),
                 (e(r["items"].get("reason") or "-"), ""), (f'{int(r["items"].get("failure_count") or 0):,}', "num")]
                for r in review.of(*NTP_EVENTS)]
    ntp_table = _table("Time source (NTP) failures", [("When (UTC)", ""), ("Server", ""), ("Reason", ""),
                                                        ("Failures", "num")], ntp_rows, "") if ntp_rows else ""
    clock_rule = (f'<p class="more">A clock change needs a look when a person made it, when it steps the clock by '
                  f'more than {CLOCK_STEP_ALARM_S} s, or when it failed; NTP corrections of up to '
                  f'{CLOCK_STEP_ALARM_S} s are routine and shown without alarm.</p>')
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
            f'{clock_table}{clock_rule}{ntp_table}{change_table}</section>')


def _duration(seconds: float) -> str:
    seconds = round(seconds)
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


def _delivery_section(review: Review) -> str:
    """Delivery to the collector: what the device recorded about it (evictions, losses, failed channels),
    and with --syslog the collector's sessions, the outages, and every extra copy reconciled with
    `verify syslog`'s own counts."""
    rows = []
    for r in review.of("audit_eviction", "audit_undelivered_loss", "trusted_channel_failure",
                       "deleted_username_overflow"):
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
    table = _table("What the device recorded about storage and delivery",
                   [("When (UTC)", ""), ("Event", ""), ("Seqs", "num"), ("What happened", "")], rows,
                   "The device recorded no eviction, no loss before delivery and no failed trusted channel in this "
                   "period.")
    explain = f'<p class="explain" id="what-is-a-resend">{e(RESEND_SENTENCE)}</p>'
    delivery = review.delivery
    if delivery is None:
        collector = ('<p class="none">The collector\'s copy was not given (--syslog): sessions and resends cannot '
                     'be shown, and the outages below are the device\'s account alone.</p>')
        return _delivery_wrap(collector + explain + _outages_table(review) + table)
    parts = [_reconciliation(review, delivery), explain, _sessions_table(review, delivery),
             _outages_table(review)]
    if delivery.window:
        low, high = delivery.window
        times = {r["seq"]: r["_t"] for r in review.source.records}
        gap_rows = [[(e(_span(a, b)), "num"), (f"{b - a + 1:,}", "num"),
                     (e(_time(min((times[q] for q in range(a, b + 1) if q in times), default=None))), "time")]
                    for a, b in delivery.gaps]
        parts.append(f'<p>{delivery.device_delivered:,} device records between seq {low:,} and {high:,} are in the '
                     f'collector\'s file'
                     + (f'; {delivery.before:,} older records predate it' if delivery.before else "")
                     + (f'; {delivery.after:,} newer records had not reached it yet' if delivery.after else "")
                     + ".</p>")
        parts.append(_table("Device records that never reached the collector",
                            [("Seqs", "num"), ("Records", "num"), ("From (UTC)", "")], gap_rows,
                            "Every device record in that range reached the collector."))
    elif review.source.records:
        parts.append('<p class="none">No device record was found in the collector\'s file.</p>')
    parts.append(table)
    return _delivery_wrap("".join(parts))


def _delivery_wrap(body: str) -> str:
    return (f'<section id="delivery" aria-labelledby="delivery-h"><h2 id="delivery-h">Delivery to the collector, '
            f'evictions and losses</h2>'
            f'<p class="lead">The device keeps every record until the collector (the audit server) has it, and sends '
            f'it again when it cannot be sure. When storage is full the oldest records are overwritten (FAU_STG.4); '
            f'records overwritten before the collector received them are lost for good.</p>{body}</section>')


def _reconciliation(review: Review, d: Delivery) -> str:
    """Every message in the collector's file accounted for, with verify syslog's own numbers."""
    attrs = (f'data-messages="{d.messages}" data-distinct="{d.distinct}" data-verified="{d.verified}" '
             f'data-reconnect-duplicates="{d.reconnect_duplicates}" data-resent="{d.resent_unsigned}" '
             f'data-session-resends="{d.session_resends}" data-other-copies="{d.other_copies}" '
             f'data-outages="{len(d.outages)}" data-sessions="{len(d.sessions)}" data-missing="{d.missing}" '
             f'data-outage-resent="{d.outage_resent}"')
    rows = [
        ("Messages of this device in the collector's file", d.messages, "verify syslog: normal messages"),
        ("… distinct device records among them (one per seq)", d.distinct, "counted by seq"),
        ("… extra copies: resends", d.extra_copies, "the three lines below"),
        ("    re-sent by the next boot session after a power cut or restart", d.session_resends,
         "each copy verified in its own session"),
        ("    stored twice after a transport reconnect", d.reconnect_duplicates,
         "verify syslog warning “stored twice”"),
    ]
    if d.outage_source == "device":
        rows.append(("      of which re-sent when an outage the device recorded ended", d.outage_resent,
                     "the device's audit_link_up records (records waiting) vs the collector's copies"))
    rows += [
        ("    first sent unsigned before a power cut, re-sent signed", d.resent_unsigned,
         "verify syslog warning “re-sent”"),
    ]
    if d.other_copies:
        rows.append(("    not explained", d.other_copies, "see the findings"))
    rows += [
        ("Messages verify syslog verified", d.verified, "verify syslog: verified"),
        ("Messages stored after a newer session began", d.late, "verify syslog warning “late” (all verified)"),
        ("Device records of this period never delivered", d.missing, "device records vs the collector's seqs"),
    ]
    body = [[(e(label.strip()), ("label indent2" if label.startswith("      ") else "label indent")
              if label.startswith("    ") else "label"), (f"{n:,}", "num"),
             (e(source), "")]
            for label, n, source in rows]
    return (f'<div id="delivery-figures" {attrs}>'
            + _table("Every message in the collector's file, accounted for",
                     [("", ""), ("Count", "num"), ("Where the number comes from", "")], body, "") + "</div>")


def _sessions_table(review: Review, d: Delivery) -> str:
    per_group: dict[str | None, Counter] = defaultdict(Counter)
    for w in (review.syslog or {}).get("warnings") or []:
        if w.get("kind") == "resent":
            per_group[w.get("group")]["stored twice" if _is_reconnect_copy(w) else "re-sent"] += _warning_count(w)
    rows = []
    for g in d.sessions:
        counts = per_group.get(g.get("group"), Counter())
        bad = sum(int(g.get(k) or 0) for k in ("missing", "altered", "unsigned", "reordered", "replayed",
                                              "forged_blocks"))
        ranges = ", ".join(f"#{_span(a, b)}" for a, b in (g.get("verified_ranges") or [])[:4])
        started = _parse_time(str(g.get("pb_timestamp") or "").replace("Z", "+00:00"))
        rows.append([(e(g.get("rsid")), "num"), (e(_time(started)), "time"), (e(g.get("key_trust") or "-"), ""),
                     (f'{int(g.get("verified") or 0):,}', "num"), (e(ranges or "-"), "nowrap"),
                     (f'{counts["stored twice"]:,}', "num"), (f'{counts["re-sent"]:,}', "num"),
                     (f'<span class="bad-text">{bad:,}</span>' if bad else "0", "num")])
    return _table("Signed sessions at the collector (one per start of the device)",
                  [("Session (RSID)", "num"), ("Started (UTC)", ""), ("Key", ""), ("Verified", "num"),
                   ("Message numbers", ""), ("Stored twice", "num"), ("Re-sent", "num"), ("Findings", "num")],
                  rows, "The collector's file holds no signed session of this device.")


def _outages_table(review: Review) -> str:
    if review.outage_source == "device":
        return _device_outages_table(review)
    outages = review.outages
    rows = [[(e(_time(o.start)), "time"), (e(_time(o.end)), "time"), (f"{o.minutes:,} min", "num"),
             (f"{o.backlog:,}", "num"),
             (e(_span(o.first_seq, o.last_seq)) if o.first_seq is not None and o.last_seq is not None else "-", "num"),
             (f"{o.failed_tries:,}" if o.failed_tries else "none recorded", "num"), (e(", ".join(o.reasons) or "-"), "")]
            for o in outages]
    source = ('<p class="more" data-outage-source="collector">Source: silences in the collector\'s file. This '
              'device\'s records carry no link records (audit_link_down / audit_link_up: older firmware), so '
              'each outage is derived: a silence of at least '
              f'{int(OUTAGE_MIN.total_seconds() // 60)} min in what reached the collector, after which the device '
              'delivered records it had made meanwhile (its backlog, counted from its own records); a night '
              'without records is not one. Such a device records a failed try only on a protected channel (TLS) '
              'that fails for a new reason.</p>')
    if review.outage_source == "none":
        source = ('<p class="more" data-outage-source="none">The device recorded no outage of its collector link '
                  '(audit_link_down / audit_link_up), and the collector\'s file was not given to look for '
                  'silences in it.</p>')
    return _table("Collector outages: link down, records held, delivered when the link was back",
                  [("Last received (UTC)", ""), ("Back (UTC)", ""), ("Down for", "num"), ("Records held", "num"),
                   ("Seqs held", "num"), ("Failed tries", "num"), ("Reason", "")], rows,
                  "No outage: the collector received the device's records as they were made.") + source


def _device_outages_table(review: Review) -> str:
    """The device's own outages (audit_link_down / audit_link_up), each beside the collector's view."""
    checked = review.delivery is not None

    def collector_cell(value: int | None) -> tuple[str, str]:
        return (f"{value:,}" if value is not None else ("-" if checked else "not checked"), "num")

    rows = []
    for o in review.outages:
        ended = {"link up": _time(o.end), "restart": f"{_time(o.end)} (restart)",
                 "open": "not back by the last record"}[o.ended]
        lasted = _duration(o.seconds) if o.end else "-"
        waiting = (f"{o.backlog:,} (seq {_span(o.first_seq, o.last_seq)})"
                   if o.first_seq is not None and o.last_seq is not None and o.backlog else f"{o.backlog:,}")
        silence = "-" if checked else "not checked"
        if o.silence is not None:
            last, back = o.silence
            silence = (f"{_time(last) if last else 'nothing before'} → {_time(back) if back else '?'}"
                       + (f" ({_duration((back - last).total_seconds())})" if last and back else ""))
        rows.append([(e(_time(o.start)), "time"), (e(ended), "time"), (e(lasted), "num"),
                     (f"{o.failed_tries:,}" if o.failed_tries is not None else "-", "num"), (e(waiting), "num"),
                     collector_cell(o.delivered), collector_cell(o.resent), (e(silence), "time"),
                     (e(" ".join(x for x in (o.protocol, o.peer) if x) or "-"), "nowrap"),
                     (e(", ".join(o.reasons) or "-"), "")])
    rule = ('<p class="more" data-outage-source="device">Source: the device\'s own records. The syslog sender logs '
            'one audit_link_down when its link to the collector is lost (or its first connection after a start '
            'fails), counts its failed tries without a record each, and logs one audit_link_up when a write gets '
            'through again, with the tries, how long the link was down by the device clock, and the records '
            'waiting (the first not yet delivered to the newest). Over TCP the waiting records start a few before '
            'the loss, as the device cannot know which of its last writes the collector stored: those it had are '
            'the “re-sent” copies (verify syslog: “stored twice”). '
            + ("The collector's silence runs from the newest record it held before the outage to the first block "
               "of the session that ended it." if checked else
               "Give the collector's file (--syslog) to set each beside what the collector received.") + '</p>')
    return _table("Collector outages: link down, records held, delivered when the link was back",
                  [("Down (UTC)", ""), ("Back (UTC)", ""), ("Down for", "num"), ("Failed tries", "num"),
                   ("Records waiting", "num"), ("Delivered after", "num"), ("Re-sent copies", "num"),
                   ("Collector's silence (UTC)", ""), ("Link", ""), ("Reason", "")], rows,
                  "No outage: the device recorded no loss of its link to the collector.") + rule


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
        # A recovery after a power cut is information to match with known outages, not an alarm; what
        # the device could not explain (a crash, damaged storage set aside) is.
        attn = r["event"] in ("abnormal_termination", "process_terminated") or \
            (r["event"] == "audit_recovery" and str(items.get("quarantined") or "none").lower() != "none")
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
    hours_table = _table("Events by hour of day (UTC, the numbers of the chart)",
                         [("Hour", "")] + [(f"{h:02d}", "num") for h in range(24)],
                         [[("Events", "")] + [(f"{review.per_hour.get(h, 0):,}", "num") for h in range(24)]], "")
    return (f'<section id="activity" aria-labelledby="activity-h"><div class="keep"><h2 id="activity-h">Activity '
            f'by hour of day</h2><p class="lead">Blue: {BUSINESS_HOURS[0]:02d}:00–{BUSINESS_HOURS[1]:02d}:00 UTC; '
            f'orange: outside those hours, where activity deserves a second look.</p>'
            f'<figure><div class="chartbox">{hours_chart(review)}</div><figcaption>The number on a bar is its count; '
            f'the table below has every hour.</figcaption></figure></div>{hours_table}{failed_part}</section>')


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
        delivery = review.delivery
        shared = ('<p class="more">The file also holds other devices\' messages: its totals below count them too; '
                  'this device\'s own are counted under Delivery to the collector.</p>'
                  if delivery is not None and delivery.messages != review.syslog.get("normal_messages") else "")
        parts.append(f"<h3>Signed syslog</h3>{shared}<pre>{e(text)}</pre>")
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


def _device_name(review: Review) -> str | None:
    source = review.source
    name = source.name or (source.path.name if source.kind == "device" else None)
    if not name and review.syslog:
        hosts = sorted({(g.get("signer") or {}).get("hostname") or "" for g in review.syslog.get("groups") or []})
        name = ", ".join(h for h in hosts if h) or None
    return name


def _device_body(review: Review) -> str:
    source = review.source
    name = _device_name(review)
    title = f"Audit log review — {name}" if name else "Audit log review"
    period = (f"{_time(review.first)} to {_time(review.last)} UTC" if review.first else "no records")
    meta = [f"Period {period}", f"{len(source.records):,} records",
            (f"Source: {'device folder' if source.kind == 'device' else 'export file (not authenticated)'} "
            f"{source.path}")]
    if source.device_id:
        meta.append(f"Device {source.device_id}")
    meta.append(f"Generated {review.generated.strftime('%Y-%m-%d %H:%M')} UTC")
    return "".join((
        f'<header class="page"><h1>{e(title)}</h1><ul class="meta">'
        + "".join(f"<li>{e(m)}</li>" for m in meta) + "</ul></header>",
        _verdict_section(review),
        _tiles(review),
        _timeline_section(review),
        _auth_section(review),
        _changes_section(review),
        _exports_section(review),
        _delivery_section(review),
        _power_section(review),
        _activity_section(review),
        _details_section(review),
    ))


_FOOTER = ('<footer>Made by <code>hcdaudit report</code>. All times are UTC, as the device records them. '
           'This page loads nothing from the network and runs no script.</footer>')


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "img-src data:\">"
            f'<meta name="generator" content="hcdaudit report">'
            f"<title>{e(title)}</title><style>{CSS}</style></head>"
            f"<body><main>{body}</main></body></html>\n")


def render(review: Review) -> str:
    name = _device_name(review)
    title = f"Audit log review — {name}" if name else "Audit log review"
    return _page(title, _device_body(review) + _checklist() + _FOOTER)


_ID_ATTR = re.compile(r'\b(id|aria-labelledby)="([^"]*)"|\bhref="#([^"]*)"')


def _prefixed(fragment: str, prefix: str) -> str:
    """The page's ids (and the links and labels naming them) made unique to one device's section."""
    def swap(match: re.Match) -> str:
        if match.group(3) is not None:
            return f'href="#{prefix}-{match.group(3)}"'
        return f'{match.group(1)}="' + " ".join(f"{prefix}-{v}" for v in match.group(2).split()) + '"'
    return _ID_ATTR.sub(swap, fragment)


def render_many(reviews: list[Review]) -> str:
    """One page for several devices: an overview row per device linking to its section."""
    rows, sections = [], []
    for number, review in enumerate(reviews, 1):
        prefix = f"dev{number}"
        name = _device_name(review) or f"device {number}"
        verdict = review.verdict
        word = {"clean": "clean", "unauthenticated": "not authenticated",
                "findings": _plural(len(review.findings), "finding")}[verdict]
        css = {"clean": "ok-text", "unauthenticated": "warn-text", "findings": "bad-text"}[verdict]
        if verdict == "clean" and not review.tail_anchored:
            word += " (tail not anchored)"
        outages = f"{len(review.outages):,}"
        rows.append([(f'<a href="#{prefix}-device">{e(name)}</a>', ""),
                     (f'<span class="{css}" data-verdict="{verdict}">{e(word)}</span>', ""),
                     (f"{len(review.source.records):,}", "num"),
                     (f"{sum(review.failures_per_day.values()):,}", "num"),
                     (f"{review.events.get('lockout', 0):,}", "num"), (e(outages), "num"),
                     (e(f"{_time(review.first)[:10]} – {_time(review.last)[:10]}" if review.first else "-"), "time")])
        sections.append(f'<section class="device" id="{prefix}-device" data-device="{e(name)}">'
                        + _prefixed(_device_body(review), prefix) + "</section>")
    findings = sum(1 for r in reviews if r.findings)
    overview = _table("One row per device; the name leads to its section",
                      [("Device", ""), ("Verdict", ""), ("Events", "num"), ("Failed sign-ins", "num"),
                       ("Lockouts", "num"), ("Collector outages", "num"), ("Period (UTC)", "")], rows, "No device.")
    head = (f'<header class="page"><h1>Audit log review — {_plural(len(reviews), "device")}</h1><ul class="meta">'
            f'<li>{_plural(findings, "device")} with findings</li>'
            f'<li>Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC</li></ul></header>'
            f'<section id="overview" class="overview" aria-labelledby="overview-h"><h2 id="overview-h">Overview</h2>'
            f'{overview}</section>')
    return _page(f"Audit log review — {_plural(len(reviews), 'device')}",
                 head + "".join(sections) + _checklist() + _FOOTER)


# ------------------------------------------------------------------------------------------------------------
# The command
# ------------------------------------------------------------------------------------------------------------

def build(source_path: Path, syslog_files: list[Path] | None = None, trust: list[Path] | None = None,
          state_dir: Path | None = None, remember: bool = True, progress: bool | None = None,
          syslog: dict | None = None) -> Review:
    """Load, verify and analyse; raises UsageError on unusable input. `syslog`: the collector's files
    already verified (several devices share one verification)."""
    source_path = Path(source_path)
    if trust and not syslog_files:
        raise UsageError("--trust is for the signed syslog: give the collector's file with --syslog")
    if source_path.is_dir():
        source = load_device(source_path, state_dir, remember, progress)
    elif source_path.is_file():
        source = load_jsonl(source_path, progress)
    else:
        raise UsageError(f"{source_path}: no such device folder or export file")
    if syslog_files and syslog is None:
        syslog = verify_syslog(syslog_files, trust)
    return analyse(source, syslog, syslog_files or [])


def verify_syslog(syslog_files: list[Path], trust: list[Path] | None) -> dict:
    from .syslog_verify import verify
    return verify(list(syslog_files), list(trust or []) or None)


def _is_device_folder(path: Path) -> bool:
    return any((path / name).exists() for name in ("escrow", "store", "bundle", "nvram.bin"))


def expand_sources(paths: Iterable[Path]) -> list[Path]:
    """The inputs, where a folder that is not a device folder but holds device folders stands for them."""
    sources: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir() and not _is_device_folder(path):
            inner = sorted(child for child in path.iterdir() if child.is_dir() and _is_device_folder(child))
            if inner:
                sources.extend(inner)
                continue
        sources.append(path)
    if len(set(sources)) != len(sources):
        raise UsageError("the same device is given twice")
    return sources


def build_many(paths: Iterable[Path], syslog_files: list[Path] | None = None, trust: list[Path] | None = None,
               state_dir: Path | None = None, remember: bool = True, progress: bool | None = None) -> list[Review]:
    """Every device of a multi-device page; a shared collector file is verified once, and each device
    is judged on its own messages (by its syslog HOSTNAME)."""
    sources = expand_sources(paths)
    if trust and not syslog_files:
        raise UsageError("--trust is for the signed syslog: give the collector's file with --syslog")
    syslog = verify_syslog(syslog_files, trust) if syslog_files else None
    return [build(path, syslog_files, trust, state_dir, remember, progress, syslog) for path in sources]


def write_html(review: Review | list[Review] | str, out: Path) -> None:
    """A review (or several, or a rendered page) written to a temporary file beside `out`, then renamed:
    never a half page."""
    out = Path(out)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such folder for --html")
    if isinstance(review, str):
        page = review
    elif isinstance(review, list):
        page = render(review[0]) if len(review) == 1 else render_many(review)
    else:
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
    sources = args.source if isinstance(args.source, list) else [args.source]
    reviews = build_many(sources, args.syslog, args.trust, args.state, not args.no_remember)
    write_html(reviews, args.html)
    for review in reviews:
        verdict = {"clean": "clean", "unauthenticated": "not authenticated (export file)"}.get(
            review.verdict, _plural(len(review.findings), "finding"))
        if review.verdict == "clean" and not review.tail_anchored:
            verdict += " (newest records not anchored)"
        print(f"{_device_name(review) or review.source.path}: {len(review.source.records):,} records over "
              f"{_plural(len(review.days), 'day')}; verdict: {verdict}")
    print(f"report written to {args.html}")
    return 1 if any(review.findings for review in reviews) else 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="an HTML page for the administrator's periodic audit-log review",
        description="Write one self-contained HTML page (inline SVG charts, no script, nothing loaded from the "
                    "network) for the periodic audit-log review: events per hour, day or week, failed sign-ins and "
                    "lockouts, settings and clock changes, audit-log exports, delivery to the collector (sessions, "
                    "outages, resends), evictions and losses, power losses, and the verification verdict in plain "
                    "words. Several devices (or a folder of device folders) give one page with an overview row "
                    "per device. Exit 0 if no verdict has findings, 1 if one has, 2 if the input is unusable.")
    p.add_argument("source", type=Path, nargs="+", metavar="DEVICE_DIR|FILE",
                   help="a device folder (verified), a JSONL export (`hcdaudit export --format jsonl`), or a "
                        "folder of device folders; several give a multi-device page")
    p.add_argument("--html", type=Path, required=True, metavar="OUT.html", help="the page to write")
    p.add_argument("--syslog", type=Path, action="append", metavar="FILE",
                   help="the collector's file of the devices' signed syslog, verified too (repeatable, in order); "
                        "each device is judged on the messages of its own HOSTNAME")
    p.add_argument("--trust", type=Path, action="append", metavar="PEM",
                   help="trust anchor for --syslog: the device's certificate or key, or its CA (repeatable)")
    p.add_argument("--state", type=Path, metavar="DIR",
                   help="high-water state folder of `verify store` (default $HCDAUDIT_STATE_DIR or "
                        "~/.local/state/hcdaudit)")
    p.add_argument("--no-remember", action="store_true",
                   help="do not record this verification in the high-water state")
    p.set_defaults(func=func)
