"""`hcdaudit conformance`: check a syslog stream from any device against RFC
5424, PWG 5110.3 (the PWG Common Log Format), RFC 5848 and the audit content
of the HCD protection profile.

The rules live in hcdaudit_host.rules, one module per specification (the
table: id, level, spec section, the text each enforces, a triggering example;
and the checks themselves); docs/CONFORMANCE.md is generated from it. This
module runs them over a stream: each record is parsed by hcdaudit_host.rfc5424
(strict, else salvage, which reports where the grammar broke and recovers the
rest so the later rules still run), RFC 5848 verification is
`syslog_verify.verify` (in a second process on large inputs), and the stream-
wide findings are added at the end.

Every finding has a rule ID, a level (E error, W warning, I info), where
(FILE:LINE, or the stream for stream-wide findings), the offending slice where
useful, and a one-line hint. Exit status: 0 without E, 1 with any E, 2 for
unusable input (UsageError: an empty file, or input with no syslog message).
"""
from __future__ import annotations

import ipaddress
import json
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import rules as rule_table
from .errors import UsageError
from .findings import LEVEL_ORDER, E, Finding, I, W
from .rfc5424 import View, salvage, view_from_parsed
from .rules import hcd_pp as pp_rules
from .rules import pwg5110_3 as pwg_rules
from .rules import rfc5424 as rfc5424_rules
from .rules import rfc5848 as rfc5848_rules
from .rules.hcd_pp import PP_CLASSES, _catalog_classes

if TYPE_CHECKING:
    from rich.console import JustifyMethod

    from .syslog_verify import Record


class _SyslogVerify:
    """syslog_verify (and with it `cryptography`), imported on first use, so
    that registering the sub-command costs `hcdaudit` nothing at start-up."""

    def __getattr__(self, name: str):
        from . import syslog_verify
        value = getattr(syslog_verify, name)
        setattr(self, name, value)          # later look-ups hit the instance
        return value


sv = _SyslogVerify()
BOM = b"\xef\xbb\xbf"

__all__ = ["RULES", "add_parser", "check_files", "check_records", "listen_udp", "main"]


# --------------------------------------------------------------------------
# Rule titles (the summary table) and the data the rules check against
# --------------------------------------------------------------------------

# The rule table (id, level, spec section, what it enforces) lives in
# hcdaudit_host.rules, one module per specification; the ids are public.
RULES = {rule.id: rule.title for rule in rule_table.BY_ID.values()}
STRICT_RULES = frozenset(rule.id for rule in rule_table.BY_ID.values() if rule.strict)   # template W: E under --strict

BLOCK_SD_IDS = ("ssign", "ssign-cert")

LARGE_INPUT = 2000          # records: show a progress bar from here (stderr a TTY)
MAX_DATAGRAMS = 1_000_000
DEFAULT_LIMIT = 20




# --------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------

def _excerpt(octets: bytes, start: int, end: int, limit: int = 80) -> str:
    text = octets[start:end].decode("utf-8", "backslashreplace")
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


# --------------------------------------------------------------------------
# One message: parsed, or salvaged, by hcdaudit_host.rfc5424
# --------------------------------------------------------------------------

class _Context:
    """Findings of one record; offsets are made relative to the record."""

    def __init__(self, checker: Checker, record: Record, number: int, shift: int):
        self.checker = checker
        self.record = record
        self.number = number
        self.shift = shift
        self.findings: list[Finding] = []

    def add(self, rule: str, level: str, text: str, hint: str = "", span: tuple[int, int] | None = None,
            octets: bytes | None = None) -> Finding:
        level = self.checker.level(rule, level)
        piece = None
        if span is not None:
            data = octets if octets is not None else self.record.octets[self.shift:]
            start, end = max(span[0], 0), max(span[1], span[0])
            piece = {"offset": start + self.shift, "length": end - start, "text": _excerpt(data, start, end)}
        finding = Finding(rule, level, text, hint, self.record.source, self.record.line, self.number, piece)
        self.findings.append(finding)
        return finding

    def has_error(self, rules: tuple[str, ...]) -> bool:
        return any(f.level == E and f.rule in rules for f in self.findings)


# --------------------------------------------------------------------------
# The checker
# --------------------------------------------------------------------------

@dataclass
class Options:
    strict: bool = False
    allow_job_owner: bool = False
    file_export: bool = False
    transport: str = "file"            # "file", or the --listen scheme: "udp", "tcp", "tls", "relp"
    trust: list[Path] = field(default_factory=list)


class Checker:
    def __init__(self, options: Options):
        self.options = options
        self.findings: list[Finding] = []
        self.aggregated: dict[tuple, Finding] = {}
        self.events: Counter = Counter()
        self.hostnames: Counter = Counter()
        self.messages = 0
        self.blocks = 0
        self.event_messages = 0
        self.unparseable = 0
        self.pwg_seen: Finding | None = None
        self.first_host: dict[str, tuple[str, str, int, int]] = {}      # DUU -> (hostname, file, line, number)
        self.host_changes: set[tuple[str, str]] = set()
        self.block_hosts: dict[str, tuple[str, int, int]] = {}
        self.pp: dict[str, dict] = {c: {"seen": 0, "candidates": 0, "events": Counter()} for c in PP_CLASSES}
        self.pp_gaps: dict[str, list] = {"PP-2": [], "PP-3": [], "PP-4": [], "PP-5": []}
        self.sequences: dict[tuple, list[tuple[int, str, int]]] = {}
        self.source_label = "stream"
        self._catalog = _catalog_classes()

    def level(self, rule: str, level: str) -> str:
        return E if self.options.strict and level == W and rule in STRICT_RULES else level

    # -- one record -----------------------------------------------------------

    def check(self, record: Record, number: int, first_of_file: bool) -> None:
        self.messages += 1
        octets = record.octets
        ctx = _Context(self, record, number, 0)
        export = self.options.file_export
        if record.framing_error:
            ctx.add("A1", E, f"octet-counted framing broke: {record.framing_error}",
                    "frame as MSG-LEN SP SYSLOG-MSG (RFC 6587 / RFC 5425)")
            self.unparseable += 1
            self.findings += ctx.findings
            return
        if octets.startswith(BOM):
            if export and first_of_file:
                pass                    # F3: the one BOM an export file may start with
            elif export:
                ctx.add("F3", E, "BOM at the start of a line that is not the start of the file",
                        "an export file may carry one BOM, at its very start", (0, 3))
            else:
                ctx.add("F2", E, "BOM before '<': a message starts with PRI", "put the BOM right before MSG text",
                        (0, 3))
            octets = octets[3:]
            ctx.shift = 3
        rfc5424_rules.octet_rules(self, ctx, octets)
        view: View | None
        try:
            view = view_from_parsed(octets, sv.parse_message(octets))
            parsed = True
        except sv.MalformedMessage as exc:
            parsed = False
            view = salvage(ctx, octets)
            grammar = ("A1", "A2", "A3", "A4", "A5", "C2", "F1", "F4")
            if view is not None and not ctx.has_error(grammar) and not exc.reason.startswith("NUL octet"):
                if "MSG after the BOM" in exc.reason:
                    ctx.add("F4", E, exc.reason, "MSG after the BOM must be UTF-8",
                            (view.msg_start, len(octets)) if view.msg_start >= 0 else None)
                else:
                    ctx.add("A1", E, exc.reason, "see RFC 5424 §6 (syslog-transport.md §1)")
        if view is None:
            self.unparseable += 1
            self.findings += ctx.findings
            return
        if not parsed and ctx.has_error(("A1", "A2", "A3", "A4", "A5", "C2")):
            self.unparseable += 1
        ids = [e.sd_id for e in view.elements]
        is_block = any(i in BLOCK_SD_IDS for i in ids)
        rfc5424_rules.envelope(self, ctx, octets, view, is_block)
        if view.hostname is not None:
            self.hostnames[view.hostname] += 1
        if is_block:
            self.blocks += 1
            if view.hostname is not None:
                self.block_hosts.setdefault(view.hostname, (record.source, record.line, number))
        else:
            self.event_messages += 1
            pwg_rules.header(self, ctx, octets, view)
            pwg = pwg_rules.pwg(self, ctx, octets, view)
            duu = pwg.get("DUU") if pwg is not None else None
            pp_rules.pp_record(self, view, pwg or {}, record, number)
            if duu and view.hostname is not None:
                first = self.first_host.setdefault(duu, (view.hostname, record.source, record.line, number))
                if first[0] != view.hostname and (duu, view.hostname) not in self.host_changes:
                    self.host_changes.add((duu, view.hostname))
                    ctx.add("C8", W, f"HOSTNAME {view.hostname} for device {duu}, which used {first[0]} at "
                            f"{first[1]}:{first[2]}", "keep one HOSTNAME per device", view.spans[2])
        self.findings += ctx.findings

    # -- shared by the rule modules --------------------------------------------

    def _once(self, ctx: _Context, key: tuple, rule: str, level: str, text: str, hint: str,
              span: tuple[int, int]) -> None:
        """A finding about a value that repeats in every message: once, counted."""
        known = self.aggregated.get(key)
        if known is not None:
            known.count += 1
            return
        self.aggregated[key] = ctx.add(rule, level, text, hint, span)

    # -- the stream -----------------------------------------------------------

    def finish(self, verification: dict | None, blocks_present: bool) -> None:
        label = self.source_label
        add = self.findings.append
        if self.pwg_seen is not None:
            add(self.pwg_seen)
        if len(self.first_host) == 1:
            (host, *_), = self.first_host.values()
            for block_host, (file, line, number) in self.block_hosts.items():
                if block_host != host:
                    add(Finding("C8", W, f"RFC 5848 blocks from HOSTNAME {block_host}, the device's messages "
                                f"use {host}", "signature and certificate blocks share the messages' HOSTNAME",
                                file, line, number))
        add(Finding("H2", I, "not checked: protection of the log stored on the device is not visible in a stream",
                    "use the hcdaudit store tests (verify store)", label))
        transport = self.options.transport
        udp = transport in ("udp", "tcp", "relp")        # captured plain: nothing protects against disclosure
        export = self.options.file_export
        verified = verification["verified"] if verification else 0
        normal = verification["normal_messages"] if verification else self.messages - self.blocks
        if transport == "tls":
            add(Finding("H3", I, "received over TLS (RFC 5425): protected from modification and disclosure in "
                        "transit", "keep TLS 1.2 or newer, with the collector's certificate checked", label))
            add(Finding("PP-6", I, "received over TLS (RFC 5425): a trusted channel (FTP_ITC.1)",
                        "FAU_STG_EXT.1: keep sending over TLS", label))
        elif not udp:
            add(Finding("H3", I, "not checked: a file carries no transport metadata (TLS, DTLS, plain UDP/TCP)",
                        "check the transport where the stream is captured (--listen)", label))
            add(Finding("PP-6", I, "not checked: a file carries no transport metadata (trusted channel)",
                        "FAU_STG_EXT.1: send over TLS (RFC 5425) or IPsec", label))
        elif verified == 0:
            add(Finding("H3", E, f"plain {transport.upper()} and no verified RFC 5848 signature: log data in transit "
                        "is protected from neither modification nor disclosure", "use TLS (RFC 5425) or DTLS (RFC "
                        "6012), and sign (RFC 5848)", label))
            add(Finding("PP-6", E, f"plain {transport.upper()}, unsigned: not a trusted channel (FTP_ITC.1)",
                        "FAU_STG_EXT.1: send over TLS (RFC 5425) or IPsec", label))
        else:
            partial = f" ({verified} of {normal} messages verified)" if verified < normal else ""
            add(Finding("H3", W, f"plain {transport.upper()}: RFC 5848 signatures protect the integrity, nothing "
                        "protects against disclosure" + partial, "PWG §9: use DTLS (RFC 6012) over UDP, or TLS "
                        "(RFC 5425)", label))
            add(Finding("PP-6", W, f"plain {transport.upper()}: the PP wants TLS or IPsec (FTP_ITC.1); an IPsec path "
                        "cannot be seen "
                        "from this capture" + partial, "FAU_STG_EXT.1: send over TLS (RFC 5425) or IPsec", label))
        if not export and not blocks_present:
            add(Finding("H7", W, "unsigned stream: no RFC 5848 signature or certificate block",
                        "PWG §9: devices SHOULD sign their syslog (RFC 5848)", label))
        elif not export and verification is not None:
            rfc5848_rules.signatures(self, verification)
        pp_rules.pp_stream(self)


# --------------------------------------------------------------------------
# Running it
# --------------------------------------------------------------------------

def check_records(records: list[Record], options: Options, verify_paths: list[Path] | None = None,
                  source_label: str = "stream", progress=None) -> dict:
    """Check the records (one stream, in order) and return the JSON-able report."""
    checker = Checker(options)
    checker.source_label = source_label
    blocks_present = any(b"[ssign" in r.octets for r in records)
    background = None
    if blocks_present and not options.file_export and verify_paths and len(records) >= LARGE_INPUT:
        background = _verify_in_background(verify_paths, options.trust)
    previous_source = None
    for number, record in enumerate(records, 1):
        checker.check(record, number, record.source != previous_source and record.line == 1)
        previous_source = record.source
        if progress is not None and number % 500 == 0:
            progress(500)
    verification = None
    if blocks_present and not options.file_export and verify_paths:
        if hasattr(progress, "phase"):
            progress.phase("verifying RFC 5848 signatures")
        verification = _verify_result(background, verify_paths, options.trust)
    checker.finish(verification, blocks_present)
    return _report(checker, verification, options)


def _verify_in_background(paths: list[Path], trust: list[Path]):
    """RFC 5848 verification of a large stream in a second process, while this
    one checks the messages (both are CPU-bound)."""
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        return executor, executor.submit(sv.verify, paths, trust or None)
    except (OSError, ImportError, RuntimeError, ValueError):
        return None


def _verify_result(background, paths: list[Path], trust: list[Path]) -> dict:
    if background is not None:
        executor, future = background
        try:
            return future.result()
        except UsageError:
            raise
        except Exception:        # noqa: BLE001, S110 - the worker died (no /dev/shm, killed ...): verify here instead
            pass
        finally:
            executor.shutdown(cancel_futures=True)
    return sv.verify(paths, trust or None)


def _report(checker: Checker, verification: dict | None, options: Options) -> dict:
    findings = sorted(checker.findings, key=lambda f: (f.message is None, f.message or 0,
                                                       LEVEL_ORDER[f.level], _rule_key(f.rule)))
    rules: dict[str, dict[str, int]] = {}
    levels: Counter[str] = Counter()
    for f in findings:
        rules.setdefault(f.rule, {E: 0, W: 0, I: 0})[f.level] += 1
        levels[f.level] += 1
    rfc5848: dict = {"checked": verification is not None, "signed": checker.blocks > 0}
    if verification is not None:
        rfc5848.update(verified=verification["verified"], normal_messages=verification["normal_messages"],
                       blocks=verification["blocks"], ok=verification["ok"],
                       findings=len(verification["findings"]), warnings=len(verification["warnings"]),
                       groups=[{"group": g["group"], "key_trust": g["key_trust"], "verified": g["verified"],
                                "signature_blocks": g["signature_blocks"],
                                "certificate_blocks": g["certificate_blocks"]} for g in verification["groups"]])
    status = 1 if levels[E] else 0
    return {
        "transport": options.transport,
        "mode": "file-export" if options.file_export else "stream",
        "strict": options.strict,
        "allow_job_owner": options.allow_job_owner,
        "messages": checker.messages,
        "event_messages": checker.event_messages,
        "rfc5848_blocks": checker.blocks,
        "unparseable": checker.unparseable,
        "findings": [f.as_dict() for f in findings],
        "counts": {E: levels[E], W: levels[W], I: levels[I]},
        "rules": dict(sorted(rules.items(), key=lambda item: _rule_key(item[0]))),
        "events": dict(checker.events.most_common()),
        "hostnames": dict(checker.hostnames.most_common()),
        "pp_events": {c: {"description": PP_CLASSES[c], "seen": info["seen"], "candidates": info["candidates"],
                          "events": dict(info["events"].most_common())} for c, info in checker.pp.items()},
        "rfc5848": rfc5848,
        "exit_status": status,
    }


def _rule_key(rule: str) -> tuple:
    if rule.startswith("PP-"):
        return ("Z", int(rule[3:]))
    return (rule[0], int(rule[1:]) if rule[1:].isdigit() else 0)


def is_file_export(records: list[Record]) -> bool:
    """PWG 5110.3 §8 file form: the one BOM, if any, at the start of the file,
    and no per-message BOM (a stream carries one before every UTF-8 MSG)."""
    return bool(records) and records[0].octets.startswith(BOM + b"<") and \
        not any(BOM in (r.octets[3:] if i == 0 else r.octets) for i, r in enumerate(records))


def check_files(paths: list[Path], options: Options, progress_factory=None) -> dict:
    records: list[Record] = []
    per_file: list[list[Record]] = []
    for path in paths:
        per_file.append(sv.read_records(Path(path)))
        records += per_file[-1]
    label = ", ".join(str(p) for p in paths)
    sv.require_syslog(records, label)
    detected = False
    if not options.file_export and all(is_file_export(found) for found in per_file):
        options = replace(options, file_export=True)
        detected = True
    with _progress(len(records), progress_factory) as advance:
        report = check_records(records, options, [Path(p) for p in paths], label, advance)
    report["mode_detected"] = detected
    return report


class _progress:
    """A rich progress bar on stderr for large inputs when stderr is a terminal.
    Entering gives a callable advance(n) (with .phase(text)), or None."""

    def __init__(self, total: int, factory=None):
        self.total = total
        self.factory = factory
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self):
        if self.factory is not None:
            return self.factory(self.total)
        if self.total < LARGE_INPUT or not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task("checking messages", total=self.total)
        return self

    def __call__(self, n: int) -> None:
        self.bar.advance(self.task, n)

    def phase(self, text: str) -> None:
        self.bar.update(self.task, description=text, completed=self.total)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.stop()


LISTEN_SCHEMES = ("udp", "tcp", "tls", "relp")


def parse_listen(url: str) -> tuple[str, int]:
    """(address, port) of udp://, tcp://, tls:// or relp://ADDRESS:PORT."""
    return parse_listen_url(url)[1:]


def parse_listen_url(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"--listen {url}: {exc}") from None
    if parts.scheme not in LISTEN_SCHEMES or not parts.hostname or port is None or port == 0 \
            or parts.path not in ("", "/") or parts.query or parts.username:
        raise UsageError(f"--listen {url}: expected udp://, tcp://, tls:// or relp://ADDRESS:PORT "
                         "(e.g. udp://127.0.0.1:5514)")
    host = parts.hostname
    if host == "localhost":
        host = "127.0.0.1"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise UsageError(f"--listen {url}: ADDRESS must be an IP address") from None
    return parts.scheme, host, port


def listen_udp(host: str, port: int, duration: float, ready=None) -> list[bytes]:
    """Every datagram that arrives on host:port for `duration` seconds, in order."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        except OSError:
            pass
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise UsageError(f"--listen udp://{host}:{port}: {exc.strerror or exc}") from None
        if ready is not None:
            ready()
        datagrams: list[bytes] = []
        deadline = time.monotonic() + duration
        try:
            while len(datagrams) < MAX_DATAGRAMS:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                sock.settimeout(min(left, 0.25))
                try:
                    data, _ = sock.recvfrom(65535)
                except (TimeoutError, BlockingIOError, InterruptedError):
                    continue
                datagrams.append(data)
        except KeyboardInterrupt:
            if not datagrams:
                raise
            print(f"interrupted: checking the {len(datagrams)} datagrams received", file=sys.stderr)
        return datagrams
    finally:
        sock.close()


def check_datagrams(datagrams: list[bytes], label: str, options: Options) -> dict:
    """Check what a listener received: one message per datagram (RFC 5426), or
    the messages of a TCP, TLS or RELP stream in arrival order."""
    kept = [d for d in datagrams if d]
    if not kept:
        raise UsageError(f"{label}: no {'datagram' if options.transport == 'udp' else 'message'} arrived")
    sv.require_syslog([sv.Record(d, label, i, i - 1) for i, d in enumerate(kept, 1)], label)
    records = [sv.Record(d, label, i, i - 1) for i, d in enumerate(kept, 1)]
    with tempfile.TemporaryDirectory(prefix="hcdaudit-conformance-") as folder:
        path = Path(folder) / "capture.octet-counted"
        path.write_bytes(b"".join(b"%d %s" % (len(d), d) for d in kept))
        with _progress(len(records)) as advance:
            report = check_records(records, options, [path], label, advance)
        for finding in report["findings"]:       # the verifier saw the temporary file
            finding["text"] = finding["text"].replace(str(path), label)
            if finding["file"] == str(path):
                finding["file"] = label
                finding["where"] = f"{label}:{finding['line']}" if finding["line"] is not None else label
    empty = len(datagrams) - len(kept)
    if empty:
        report["findings"].append(Finding("A1", E, f"{empty} empty datagram{'s' if empty > 1 else ''}",
                                          "one whole message per datagram (RFC 5426)", label).as_dict())
        report["counts"][E] += 1
        report["rules"].setdefault("A1", {E: 0, W: 0, I: 0})[E] += 1
        report["exit_status"] = 1
    report["datagrams"] = len(datagrams)
    return report


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

_STYLE = {E: "bold red", W: "yellow", I: "cyan"}


def render(report: dict, limit: int = DEFAULT_LIMIT, file=None) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    console = Console(file=file or sys.stdout, highlight=False, soft_wrap=True)
    shown: Counter = Counter()
    hidden: Counter = Counter()
    for f in report["findings"]:
        if limit and f["line"] is not None and shown[f["rule"]] >= limit:      # stream findings: always
            hidden[f["rule"]] += 1
            continue
        shown[f["rule"]] += 1
        line = Text.assemble((f["where"], "dim"), "  ", (f"{f['rule']:<5}", "bold"), " ",
                             (f["level"], _STYLE[f["level"]]), "  ", f["text"])
        if f["count"] > 1:
            line.append(f" [x{f['count']}]", style="dim")
        if f["slice"]:
            line.append("  \u00ab" + f["slice"]["text"] + "\u00bb", style="magenta")
        if f["hint"]:
            line.append("  \u2192 " + f["hint"], style="green")
        console.print(line)
    if hidden:
        console.print(Text(f"... {sum(hidden.values())} more findings not shown ("
                           + ", ".join(f"{rule} {n}" for rule, n in sorted(hidden.items(),
                                                                          key=lambda i: _rule_key(i[0])))
                           + "); --limit 0 or --json shows all", style="dim"))
    if report["findings"]:
        console.print()
    table = Table(title="Findings per rule", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("Rule", "left"), ("Check", "left"), ("E", "right"), ("W", "right"), ("I", "right"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for rule, counts in report["rules"].items():
        table.add_row(rule, RULES.get(rule, ""), *(str(counts[level] or "") for level in (E, W, I)))
    table.add_row("", "total", *(str(report["counts"][level]) for level in (E, W, I)), style="bold")
    console.print(table)
    events = Table(title="Events seen (E)", title_justify="left")
    events.add_column("Event")
    events.add_column("Messages", justify="right")
    for name, count in list(report["events"].items())[:30]:
        events.add_row(name, str(count))
    if len(report["events"]) > 30:
        events.add_row(f"... {len(report['events']) - 30} more", "")
    pp = Table(title="HCD PP audit events", title_justify="left")
    for column in ("Class", "Event", "Seen", "Candidates"):
        pp.add_column(column, justify="right" if column in ("Seen", "Candidates") else "left")
    for name, info in report["pp_events"].items():
        pp.add_row(name, info["description"], str(info["seen"]), str(info["candidates"] or ""))
    hosts = Table(title="HOSTNAMEs", title_justify="left")
    hosts.add_column("HOSTNAME")
    hosts.add_column("Messages", justify="right")
    for name, count in list(report["hostnames"].items())[:20]:
        hosts.add_row(name, str(count))
    for item in (events, pp, hosts):
        console.print(item)
    sig = report["rfc5848"]
    if sig["checked"]:
        text = (f"RFC 5848: {sig['verified']} of {sig['normal_messages']} messages verified, {sig['blocks']} "
                f"blocks, {len(sig['groups'])} session(s), {sig['findings']} verifier finding(s)"
                + ("" if sig["ok"] else " (see H7)"))
    elif report["mode"] == "file-export":
        text = "RFC 5848: not checked (export file)"
    else:
        text = "RFC 5848: unsigned stream"
    console.print(Text(text))
    counts = report["counts"]
    verdict = Text.assemble(
        f"{report['messages']} messages ({report['event_messages']} event messages, {report['rfc5848_blocks']} "
        f"RFC 5848 blocks) via {report['transport']}: ",
        (f"{counts[E]} E", _STYLE[E] if counts[E] else ""), f", {counts[W]} W, {counts[I]} I  ",
        ("FAIL" if report["exit_status"] else "PASS", "bold red" if report["exit_status"] else "bold green"))
    console.print(verdict)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def add_parser(subparsers) -> None:
    """Register `conformance` on the `hcdaudit` sub-command parser."""
    p = subparsers.add_parser(
        "conformance", help="check a syslog stream against RFC 5424, PWG 5110.3, RFC 5848 and the HCD PP",
        description="Check syslog messages from any device (one message a line, as a collector stores them, "
                    "or octet-counted captures; or what arrives on a UDP port) against RFC 5424, the PWG 5110.3 "
                    "Common Log Format (rules A-H of the checklist), RFC 5848 signatures, and the audit content "
                    "the HCD protection profile asks for (PP-1..PP-7). Exit 0 without errors (E), 1 with any, "
                    "2 for unusable input.")
    p.add_argument("files", type=Path, nargs="*", metavar="FILE", help="files, read in order as one stream")
    p.add_argument("--listen", metavar="URL",
                   help="receive syslog on udp://, tcp:// (RFC 6587), tls:// (RFC 5425) or relp://ADDR:PORT for "
                        "--duration seconds, then check what arrived")
    p.add_argument("--cert", type=Path, metavar="PEM", help="--listen tls://: the collector's certificate (chain)")
    p.add_argument("--key", type=Path, metavar="PEM", help="--listen tls://: its private key")
    p.add_argument("--duration", type=float, metavar="S", help="how long --listen listens (seconds)")
    p.add_argument("--strict", action="store_true", help="raise the format-template warnings (C3, C7) to errors")
    p.add_argument("--allow-job-owner", action="store_true",
                   help="D13: UN/UU on internal job events are a warning, not an error")
    p.add_argument("--file-export", action="store_true",
                   help="the files are PWG-format export files: one BOM may start a file, no per-message BOM (F3)")
    p.add_argument("--trust", type=Path, action="append", metavar="CERT|PUBKEY",
                   help="trust anchor for RFC 5848 signatures (repeatable), as for `verify syslog`")
    p.add_argument("--limit", type=int, default=DEFAULT_LIMIT, metavar="N",
                   help=f"findings shown per rule on the terminal (default {DEFAULT_LIMIT}, 0 = all)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    options = Options(strict=args.strict, allow_job_owner=args.allow_job_owner, file_export=args.file_export,
                      trust=list(args.trust or []))
    if args.listen:
        if args.files:
            raise UsageError("give FILEs or --listen, not both")
        if args.file_export:
            raise UsageError("--file-export checks files, not --listen")
        if args.duration is None or not 0 < args.duration <= 86400:
            raise UsageError("--listen needs --duration S (seconds, 0 < S <= 86400)")
        scheme, host, port = parse_listen_url(args.listen)
        label = f"{scheme}://{host if ':' not in host else '[' + host + ']'}:{port}"
        if not args.json and sys.stderr.isatty():
            print(f"listening on {label} for {args.duration:g} s ...", file=sys.stderr)
        options.transport = scheme
        if scheme == "udp":
            received = listen_udp(host, port, args.duration)
        else:
            from .conformance_listen import listen_stream
            received = listen_stream(scheme, host, port, args.duration, cert=args.cert, key=args.key)
        report = check_datagrams(received, label, options)
    else:
        if not args.files:
            raise UsageError("give one or more FILEs, or --listen udp://ADDR:PORT --duration S")
        if args.duration is not None:
            raise UsageError("--duration goes with --listen")
        report = check_files(args.files, options)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        render(report, args.limit)
    return report["exit_status"]


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (`python -m hcdaudit_host.conformance`): the `hcdaudit
    conformance` command, with the command's error handling."""
    from .cli import main as hcdaudit_main
    return hcdaudit_main(["conformance", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
