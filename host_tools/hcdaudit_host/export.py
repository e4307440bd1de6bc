"""`hcdaudit export`: the records of a device, in seq order, in a chosen format.

Formats (UTF-8 throughout):
  pwg    PWG 5110.3 Common Log Format: one RFC 5424 message a line, exactly as the
         device's syslog formatter writes it, except that the file carries ONE BOM at
         its start and no message keeps its own BOM before MSG (PWG §8 for files).
  fx     Fuji Xerox format-3 text export, tab-separated: a header line (format version
         3, device IP, UTF8, time zone offset in minutes, date format), a line of
         column names, then Log ID, Date, Time, Audit Event ID, Logged Events, User
         Name, Description, Status, Optionally Logged Items (local time = UTC + offset).
  xerox  Xerox App. B style table, tab-separated (as auditfile.txt): Index, Date
         (mm/dd/yy), Time, ID, Description, User Name, Completion Status, then one
         name=value column per detail.
  km     Konica Minolta / Sharp style table, tab-separated: date/time, audit ID, action, result.
  jsonl  one JSON object per record (lossless, names and codes).
  csv    RFC 4180 CSV with a header row (lossless; items as a JSON object; a text
         cell starting with = + - @ TAB CR gets a leading ' so no spreadsheet runs it).

In the three vendor tables a control character inside a value (tab, line break)
would break the row: it becomes U+FFFD, as in syslog. jsonl and csv keep every
value exactly. Filters (--since/--until/--seq) choose what is written, never what
is verified: the integrity report, and the exit status, always cover the whole log."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO, cast

from hcdaudit import formats

from .errors import UsageError
from .records import to_json
from .source import as_source, progress

FORMATS = ("pwg", "fx", "xerox", "km", "jsonl", "csv")
FX_DATE_FORMATS = ("YYYY/MM/DD", "MM/DD/YYYY", "DD/MM/YYYY")
BOM = b"\xef\xbb\xbf"
_MSG_BOM = b'"] ' + BOM        # end of the last SD element, SP, then the per-message BOM
_DAY_US = 86400 * 1000000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# ---------------------------------------------------------------- filters

_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
                   r"(?:\s*([Zz]|[+-]\d{2}:?\d{2}))?)?\Z")


def parse_time(text: str, option: str, end_of_day: bool = False) -> int:
    """RFC 3339 (`2026-11-23T08:00:00Z`, `…T17:00:00+09:00`, fractions) or a plain
    date (UTC; as an upper bound it means the whole day) -> µs since 1970."""
    m = _TIME.match(text.strip())
    if not m:
        raise UsageError(f"{option} {text!r}: expected an RFC 3339 time (2026-11-23T08:00:00Z, "
                         f"2026-11-23T17:00:00+09:00) or a date (2026-11-23)")
    y, mo, d, h, mi, s, frac, offset = m.groups()
    if h is not None and offset is None:
        raise UsageError(f"{option} {text!r}: give the UTC offset (Z or +hh:mm); a bare local time is ambiguous")
    tz = UTC
    if offset and offset not in "Zz":
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            raise UsageError(f"{option} {text!r}: UTC offset out of range")
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        moment = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0),
                          int((frac or "0").ljust(6, "0")[:6]), tzinfo=tz)
    except ValueError as exc:
        raise UsageError(f"{option} {text!r}: {exc}") from None
    us = (moment - _EPOCH) // timedelta(microseconds=1)
    if h is None and end_of_day:
        us += _DAY_US - 1
    return us


def parse_seq(text: str) -> tuple[int, int | None]:
    """`100-200`, `100-` (from 100), `-200` (up to 200) or `150` -> (first, last or None)."""
    m = re.fullmatch(r"\s*(\d*)\s*(-?)\s*(\d*)\s*", text)
    if not m or not (m.group(1) or m.group(3)) or (not m.group(2) and not m.group(1)):
        raise UsageError(f"--seq {text!r}: expected A-B, A-, -B or A (seq numbers)")
    first = int(m.group(1)) if m.group(1) else 1
    last = int(m.group(3)) if m.group(3) else (None if m.group(2) else first)
    if last is not None and last < first:
        raise UsageError(f"--seq {text!r}: the range ends before it starts")
    return first, last


@dataclass
class Selection:
    since_us: int | None = None
    until_us: int | None = None
    first_seq: int = 1
    last_seq: int | None = None
    text: str = ""

    @classmethod
    def parse(cls, since: str | None = None, until: str | None = None, seq: str | None = None) -> Selection:
        sel = cls()
        parts = []
        if since:
            sel.since_us = parse_time(since, "--since")
            parts.append(f"--since {since}")
        if until:
            sel.until_us = parse_time(until, "--until", end_of_day=True)
            parts.append(f"--until {until}")
        if sel.since_us is not None and sel.until_us is not None and sel.until_us < sel.since_us:
            raise UsageError(f"--until {until} is before --since {since}")
        if seq:
            sel.first_seq, sel.last_seq = parse_seq(seq)
            parts.append(f"--seq {seq}")
        sel.text = ", ".join(parts)
        return sel

    @property
    def active(self) -> bool:
        return bool(self.text)

    def __call__(self, record: dict) -> bool:
        seq, t = record["seq"], record["time_us"]
        return (seq >= self.first_seq and (self.last_seq is None or seq <= self.last_seq)
                and (self.since_us is None or t >= self.since_us) and (self.until_us is None or t <= self.until_us))


# ---------------------------------------------------------------- writers

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _cell(value) -> str:
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return _CONTROL.sub("\ufffd", text) if _CONTROL.search(text) else text


def _tsv(cells) -> bytes:
    return ("\t".join(_cell(c) for c in cells) + "\n").encode("utf-8")


class PwgWriter:
    def __init__(self, identity: dict, options: dict):
        from hcdaudit.syslog import Formatter, SyslogConfigError
        settings = identity.get("syslog") or {}
        if not isinstance(identity.get("uuid"), str) or not isinstance(settings, dict):
            raise UsageError("--format pwg needs the escrow's device.json 'uuid' (the PWG DUU) and 'syslog' settings")
        try:
            self.formatter = Formatter(identity.get("fqdn") or "-", identity.get("uuid"),
                                       settings.get("service_uri"), settings.get("service_uuid"),
                                       enterprise=settings.get("enterprise", 32473),
                                       facility=settings.get("facility", 6))
        except (SyslogConfigError, TypeError) as exc:
            raise UsageError(f"the escrow's syslog settings are unusable: {exc}") from None

    def header(self) -> bytes:
        return BOM      # the one BOM of the file (PWG 5110.3 §8)

    def row(self, record: dict) -> bytes:
        message = bytes(self.formatter.format(record))
        cut = message.find(_MSG_BOM)
        if cut >= 0:    # drop the per-message BOM: a file carries one, at its start
            message = message[:cut + 3] + message[cut + 3 + len(BOM):]
        return message + b"\n"


class FxWriter:
    COLUMNS = ("Log ID", "Date", "Time", "Audit Event ID", "Logged Events", "User Name", "Description", "Status",
               "Optionally Logged Items")

    def __init__(self, identity: dict, options: dict):
        self.tz = options.get("tz_minutes")
        if self.tz is None:
            try:
                self.tz = int(identity.get("tz_minutes", 0) or 0)
            except (TypeError, ValueError):
                raise UsageError(f"the escrow's tz_minutes {identity.get('tz_minutes')!r} is not a number") from None
        if not -720 <= self.tz <= 720:
            raise UsageError(f"--tz-minutes {self.tz}: the format-3 header allows -720 to 720 minutes")
        self.date_format = options.get("date_format") or "YYYY/MM/DD"
        if self.date_format not in FX_DATE_FORMATS:
            raise UsageError(f"--date-format {self.date_format}: one of {', '.join(FX_DATE_FORMATS)}")
        self.ip = options.get("device_ip") or identity.get("ip") or "0.0.0.0"
        if not re.fullmatch(r"[0-9A-Za-z.:]+", self.ip):
            raise UsageError(f"--device-ip {self.ip!r}: an IPv4 or IPv6 address (letters, digits, '.', ':')")

    def header(self) -> bytes:
        return _tsv(("3", self.ip, "UTF8", str(self.tz), self.date_format)) + _tsv(self.COLUMNS)

    def row(self, record: dict) -> bytes:
        return _tsv(formats.fx_row(record, self.tz, self.date_format))


class XeroxWriter:
    COLUMNS = ("Index", "Date", "Time", "ID", "Description", "User Name", "Completion Status", "Additional Details")

    def __init__(self, identity: dict, options: dict):
        pass

    def header(self) -> bytes:
        return _tsv(self.COLUMNS)

    def row(self, record: dict) -> bytes:
        return _tsv(formats.xerox_row(record))


class KmWriter:
    COLUMNS = ("Date/Time", "Audit ID", "Action", "Result")

    def __init__(self, identity: dict, options: dict):
        pass

    def header(self) -> bytes:
        return _tsv(self.COLUMNS)

    def row(self, record: dict) -> bytes:
        return _tsv(formats.km_row(record))


class JsonlWriter:
    def __init__(self, identity: dict, options: dict):
        pass

    def header(self) -> bytes:
        return b""

    def row(self, record: dict) -> bytes:
        return (json.dumps(to_json(record), ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _inert(cell):
    """A text cell a spreadsheet would run as a formula (CSV injection: user
    names come from login attempts) gets a leading apostrophe, the usual
    spreadsheet escape; numbers and every other cell are written as logged."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


class CsvWriter:
    COLUMNS = ("seq", "time", "event", "event_code", "outcome", "subject_kind", "user_id", "user_name", "role",
               "interface", "remote_host", "items", "chain")

    def __init__(self, identity: dict, options: dict):
        self.buf = io.StringIO()
        self.writer = csv.writer(self.buf, lineterminator="\r\n")

    def _line(self, cells) -> bytes:
        self.buf.seek(0)
        self.buf.truncate()
        self.writer.writerow([_inert(cell) for cell in cells])
        return self.buf.getvalue().encode("utf-8")

    def header(self) -> bytes:
        return self._line(self.COLUMNS)

    def row(self, record: dict) -> bytes:
        r = to_json(record)
        s = r["subject"]
        return self._line((r["seq"], r["time"], r["event"], "0x%04x" % r["event_code"], r["outcome"], s["kind"],
                           s["user_id"], s["name"], s["role"], r["interface"] or "", r["remote_host"] or "",
                           json.dumps(r["items"], ensure_ascii=False, sort_keys=True) if r["items"] else "",
                           r["chain"] or ""))


WRITERS = {"pwg": PwgWriter, "fx": FxWriter, "xerox": XeroxWriter, "km": KmWriter, "jsonl": JsonlWriter,
           "csv": CsvWriter}


# ---------------------------------------------------------------- the export

@dataclass
class ExportResult:
    selected: int       # records written
    total: int          # authentic records read (the whole log)
    report: Any         # hcdaudit.reader.Report over the whole log (firmware: untyped)


def export(source, fmt: str, out: BinaryIO, selection: Selection | None = None, options: dict | None = None,
           show_progress: bool = True) -> ExportResult:
    """Write the selected records to a binary stream; everything that authenticates is
    read and verified, damaged records are skipped with a finding, never a crash."""
    if fmt not in WRITERS:
        raise UsageError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    source = as_source(source)
    writer: Any = WRITERS[fmt](source.identity, options or {})
    selection = selection or Selection()
    chunks = [writer.header()]
    pending = len(chunks[0])
    selected = total = 0
    with progress(f"export {fmt}", source.expected_records if show_progress else (lambda: 0)) as bar:
        for record in source.records():
            total += 1
            if total % 256 == 0:
                bar.advance(256)
            if not selection(record):
                continue
            line = writer.row(record)
            chunks.append(line)
            pending += len(line)
            selected += 1
            if pending > 1 << 16:
                out.write(b"".join(chunks))
                chunks.clear()
                pending = 0
        bar.finish(total)
    source.require_authentic()
    out.write(b"".join(chunks))
    return ExportResult(selected, total, source.reader.report)


def _binary_stdout() -> BinaryIO:
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        stream.flush()
        return buffer
    return cast(BinaryIO, _TextSink(stream))        # e.g. redirected to a StringIO


class _TextSink:
    def __init__(self, stream):
        self.stream = stream

    def write(self, data: bytes) -> None:
        self.stream.write(data.decode("utf-8"))


def export_stream(source, fmt: str, output: Path | None, selection: Selection | None = None,
                  options: dict | None = None) -> ExportResult:
    """Export to a file (written to a temporary name, renamed into place only when the
    whole log was read: an unusable input never leaves a partial file) or stdout."""
    if output is None:
        result = export(source, fmt, _binary_stdout(), selection, options)
        sys.stdout.flush()
        return result
    source = as_source(source)       # unusable input fails before any file is created
    output = Path(output)
    folder = output.parent if str(output.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            result = export(source, fmt, out, selection, options)
        os.chmod(tmp, 0o644 & ~_umask())
        os.replace(tmp, output)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return result


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def export_to(source, fmt: str, output: Path | None) -> tuple[int, Any]:
    """(records written, integrity report): the whole log, no filter."""
    result = export_stream(source, fmt, output)
    return result.selected, result.report
