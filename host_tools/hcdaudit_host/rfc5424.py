"""RFC 5424 (shared/specs/syslog-transport.md §1): the one parser that both
`hcdaudit verify syslog` and `hcdaudit conformance` use.

* Strict mode, `parse_message(octets)`: a SyslogMessage, or MalformedMessage
  with the reason (and whatever HOSTNAME / APP-NAME could still be read, so a
  damaged line can be tied to its host). The verifier hashes records as they
  are; this decides only what they are.
* Salvage mode, `salvage(reporter, octets)`: for a record the strict parser
  rejects, read on through the usual slips (curly quotes, runs of SP, a
  missing quote, a BOM in the header), report each slip *where* it is through
  `reporter.add(rule, level, text, hint, span)` (rules A1-A5, C2, F1 of
  hcdaudit_host.rules) and recover what can be read, so that the later rules
  still apply to the rest of the message. `view_from_parsed` gives the same
  View for a strictly parsed message.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "BOM",
    "MAX_RECORD_OCTETS",
    "SP",
    "Element",
    "MalformedMessage",
    "Param",
    "Reporter",
    "SDElement",
    "SDParam",
    "SyslogMessage",
    "View",
    "parse_message",
    "salvage",
    "view_from_parsed",
]

SP = 0x20
BOM = b"\xef\xbb\xbf"
# rsyslog is set up with maxMessageSize 64k (transport notes §7): a longer
# record cannot have been received intact.
MAX_RECORD_OCTETS = 65536
E = "E"

# ---------------------------------------------------------------------------
# Strict
# ---------------------------------------------------------------------------

class MalformedMessage(Exception):
    """A record that is not a valid RFC 5424 message. Carries whatever header
    fields could still be read, so the record can be attributed to a host."""

    def __init__(self, reason: str, hostname: str | None = None, app_name: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.hostname = hostname
        self.app_name = app_name


@dataclass
class SDParam:
    name: str
    value: str          # unescaped
    start: int          # offset of the SP before PARAM-NAME
    end: int            # offset just after the closing quote


@dataclass
class SDElement:
    sd_id: str
    params: list[SDParam]

    def named(self, name: str) -> list[SDParam]:
        return [p for p in self.params if p.name == name]


@dataclass
class SyslogMessage:
    pri: int
    version: int
    timestamp: str
    hostname: str
    app_name: str
    procid: str
    msgid: str
    elements: list[SDElement]
    msg: bytes | None


_PRINTUSASCII = bytes(range(33, 127))
_TIMESTAMP = re.compile(rb"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(Z|[+-](\d{2}):(\d{2}))\Z")
# SD-NAME: PRINTUSASCII except '=', SP, ']' and '"'.
_SD_NAME = re.compile(rb"[\x21\x23-\x3c\x3e-\x5c\x5e-\x7e]+")
_PLAIN_VALUE = re.compile(rb'[^"\\]*')


def _is_printusascii(field_octets: bytes) -> bool:
    return bool(field_octets) and not field_octets.translate(None, _PRINTUSASCII)


def _header_field(value: bytes, name: str, max_length: int) -> str:
    if value != b"-" and not (len(value) <= max_length and _is_printusascii(value)):
        raise MalformedMessage(f"{name} must be '-' or 1-{max_length} printable US-ASCII characters")
    return value.decode("ascii")


def parse_message(octets: bytes) -> SyslogMessage:
    """Parse one RFC 5424 message (transport notes §1); MalformedMessage otherwise."""
    fields = octets.split(b" ", 6)
    hostname, app_name = _best_effort_identity(fields)
    try:
        return _parse_fields(octets, fields)
    except MalformedMessage as exc:
        exc.hostname, exc.app_name = hostname, app_name
        raise


def _best_effort_identity(fields: list[bytes]) -> tuple[str | None, str | None]:
    """HOSTNAME and APP-NAME of a message that may be malformed elsewhere, so
    an altered or injected line can still be tied to its host."""
    hostname = fields[2] if len(fields) > 2 and _is_printusascii(fields[2]) and len(fields[2]) <= 255 else None
    app_name = fields[3] if hostname and len(fields) > 3 and _is_printusascii(fields[3]) else None
    return (hostname.decode("ascii") if hostname else None, app_name.decode("ascii") if app_name else None)


def _parse_fields(octets: bytes, fields: list[bytes]) -> SyslogMessage:
    if len(octets) > MAX_RECORD_OCTETS:
        raise MalformedMessage(f"{len(octets)} octets, longer than the {MAX_RECORD_OCTETS} a collector stores intact")
    nul = octets.find(b"\x00")
    if nul >= 0:
        raise MalformedMessage(f"NUL octet at offset {nul}")
    pri, version = _parse_pri_version(fields[0])
    if len(fields) < 7:
        raise MalformedMessage(f"HEADER has {len(fields)} SP-separated fields, "
                               "expected PRI+VERSION, TIMESTAMP, HOSTNAME, APP-NAME, PROCID, MSGID and STRUCTURED-DATA")
    timestamp = _parse_timestamp(fields[1])
    hostname = _header_field(fields[2], "HOSTNAME", 255)
    app_name = _header_field(fields[3], "APP-NAME", 48)
    procid = _header_field(fields[4], "PROCID", 128)
    msgid = _header_field(fields[5], "MSGID", 32)
    elements, msg = _parse_structured_data(octets, len(octets) - len(fields[6]))
    return SyslogMessage(pri, version, timestamp, hostname, app_name, procid, msgid, elements, msg)


def _parse_pri_version(head: bytes) -> tuple[int, int]:
    close = head.find(b">")
    if not head.startswith(b"<") or close < 2 or close > 4:
        raise MalformedMessage("bad PRI: expected '<' 1-3 digits '>'")
    digits, version = head[1:close], head[close + 1:]
    if not digits.isdigit() or (digits.startswith(b"0") and digits != b"0") or int(digits) > 191:
        raise MalformedMessage(f"bad PRI {head[:close + 1]!r}: PRIVAL must be 0-191 without leading zeros")
    if not (1 <= len(version) <= 3 and version.isdigit() and not version.startswith(b"0")):
        raise MalformedMessage("bad VERSION: expected 1-3 digits right after PRI")
    return int(digits), int(version)


def _parse_timestamp(value: bytes) -> str:
    if value == b"-":
        return "-"
    match = _TIMESTAMP.match(value)
    if not match:
        raise MalformedMessage("bad TIMESTAMP: expected '-' or YYYY-MM-DDThh:mm:ss[.1-6 digits](Z|+hh:mm)")
    month, day, hour, minute, second = (int(match.group(i)) for i in range(2, 7))
    offset_ok = match.group(7) == b"Z" or (int(match.group(8)) <= 23 and int(match.group(9)) <= 59)
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 23 and minute <= 59 and second <= 59 and offset_ok):
        raise MalformedMessage("bad TIMESTAMP: a field is out of range")
    return value.decode("ascii")


def _parse_structured_data(octets: bytes, offset: int) -> tuple[list[SDElement], bytes | None]:
    elements: list[SDElement] = []
    if octets[offset:offset + 1] == b"-":
        offset += 1
    elif octets[offset:offset + 1] == b"[":
        while octets[offset:offset + 1] == b"[":      # elements are adjacent: "]["
            element, offset = _parse_sd_element(octets, offset)
            if any(e.sd_id == element.sd_id for e in elements):
                raise MalformedMessage(f"SD-ID {element.sd_id} appears twice")
            elements.append(element)
    else:
        raise MalformedMessage(f"STRUCTURED-DATA must be '-' or start with '[' (offset {offset})")
    if offset == len(octets):
        return elements, None
    if octets[offset] != SP:
        raise MalformedMessage(f"octet {octets[offset]:#04x} after STRUCTURED-DATA at offset {offset}, expected SP")
    msg = octets[offset + 1:]
    if msg.startswith(BOM):
        try:
            msg[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedMessage(f"MSG after the BOM is not UTF-8 (offset {offset + 4 + exc.start})") from None
    return elements, msg


def _parse_sd_name(octets: bytes, offset: int, what: str) -> tuple[str, int]:
    match = _SD_NAME.match(octets, offset)
    if not match or len(match.group()) > 32:
        raise MalformedMessage(f"bad {what} at offset {offset}: 1-32 printable characters except '=', SP, ']' and '\"'")
    return match.group().decode("ascii"), match.end()


def _parse_sd_element(octets: bytes, offset: int) -> tuple[SDElement, int]:
    sd_id, offset = _parse_sd_name(octets, offset + 1, "SD-ID")
    params: list[SDParam] = []
    while True:
        octet = octets[offset:offset + 1]
        if octet == b"]":
            return SDElement(sd_id, params), offset + 1
        if octet != b" ":
            raise MalformedMessage(f"SD element {sd_id} is not closed by ']' (offset {offset})")
        start = offset
        name, offset = _parse_sd_name(octets, offset + 1, "PARAM-NAME")
        if octets[offset:offset + 2] != b'="':
            raise MalformedMessage(f"PARAM {name} in {sd_id}: expected '=\"' at offset {offset}")
        value, offset = _parse_param_value(octets, offset + 2, sd_id, name)
        params.append(SDParam(name, value, start, offset))


def _parse_param_value(octets: bytes, offset: int, sd_id: str, name: str) -> tuple[str, int]:
    """Read up to the closing quote. Only `\\"`, `\\\\` and `\\]` are escapes; a
    backslash before anything else stays as it is (RFC 5424 §6.3.3)."""
    pieces: list[bytes] = []
    while True:
        plain = _PLAIN_VALUE.match(octets, offset)
        assert plain is not None        # the pattern matches the empty string
        pieces.append(plain.group())
        offset = plain.end()
        if offset >= len(octets):
            raise MalformedMessage(f"PARAM-VALUE of {sd_id} {name} has no closing quote")
        if octets[offset] == 0x22:
            break
        escaped = octets[offset + 1:offset + 2]
        if escaped in (b'"', b"\\", b"]"):
            pieces.append(escaped)
            offset += 2
        else:
            pieces.append(b"\\")
            offset += 1
    try:
        value = b"".join(pieces).decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedMessage(f"PARAM-VALUE of {sd_id} {name} is not UTF-8") from None
    return value, offset + 1


# ---------------------------------------------------------------------------
# Salvage
# ---------------------------------------------------------------------------

class Reporter(Protocol):
    """Where salvage reports a slip: rule id, level, text, hint, span in the record."""

    def add(self, rule: str, level: str, text: str, hint: str = "", span: tuple[int, int] | None = None,
            octets: bytes | None = None) -> object: ...


_SD_NAME_BOUNDED = re.compile(rb"[\x21\x23-\x3c\x3e-\x5c\x5e-\x7e]{1,32}")
_CURLY = ("\u201d".encode(), "\u201c".encode())
_QUOTE_CHARS = (b'"',) + _CURLY

@dataclass
class Param:
    name: str
    value: str
    start: int          # offset of the SP before PARAM-NAME (or of the name when the SP is missing)
    end: int            # just after the closing delimiter


@dataclass
class Element:
    sd_id: str
    params: list[Param]
    start: int = -1
    end: int = -1


@dataclass
class View:
    pri: int | None = None
    version: int | None = None
    timestamp: str | None = None          # None: unreadable (a C2 or A1 finding says why)
    hostname: str | None = None
    app_name: str | None = None
    procid: str | None = None
    msgid: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)    # header fields 0..5
    elements: list[Element] = field(default_factory=list)
    msg: bytes | None = None
    msg_start: int = -1
    complete: bool = True     # the SD was read to its end (MSG is known)


def _header_spans(octets: bytes) -> list[tuple[int, int]] | None:
    spans, position = [], 0
    for _ in range(6):
        space = octets.find(b" ", position)
        if space < 0:
            return None
        spans.append((position, space))
        position = space + 1
    return spans


def view_from_parsed(octets: bytes, message: SyslogMessage) -> View:
    elements = [Element(e.sd_id, [Param(p.name, p.value, p.start, p.end) for p in e.params]) for e in message.elements]
    view = View(message.pri, message.version, None if message.timestamp is None else message.timestamp,
                message.hostname, message.app_name, message.procid, message.msgid, _header_spans(octets) or [],
                elements, message.msg)
    if message.msg is not None:
        view.msg_start = len(octets) - len(message.msg)
    return view


# --------------------------------------------------------------------------
# Salvage: where did the grammar break, and what can still be read
# --------------------------------------------------------------------------

def salvage(ctx: Reporter, octets: bytes) -> View | None:
    """Read a record parse_message rejected, tolerating the usual slips, and
    report each slip where it is. None when not even a HEADER can be read."""
    view = View(complete=False)
    if not octets.startswith(b"<"):
        ctx.add("A1", E, "not an RFC 5424 message: it does not start with '<PRI>'",
                "each record must be one syslog message: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]",
                (0, min(len(octets), 24)))
        return None
    # HEADER: six fields, each ended by SP (runs of SP are reported).
    position, spans = 0, []
    for index in range(6):
        space = octets.find(b" ", position)
        if space < 0:
            ctx.add("A1", E, f"HEADER ends after {index} of 6 fields (PRI+VERSION, TIMESTAMP, HOSTNAME, APP-NAME, "
                    "PROCID, MSGID) and STRUCTURED-DATA", "write every header field, '-' for an empty one",
                    (position, len(octets)))
            return None
        spans.append((position, space))
        run = len(octets[space:]) - len(octets[space:].lstrip(b" "))
        if run > 1:
            ctx.add("A1", E, f"{run} SPs after HEADER field {index + 1}: RFC 5424 allows exactly one",
                    "separate header fields by a single SP", (space, space + run))
        position = space + run
    view.spans = spans
    fields = [octets[a:b] for a, b in spans]
    try:
        view.pri, view.version = _parse_pri_version(fields[0])
    except MalformedMessage as exc:
        match = re.match(rb"<(\d{1,3})>", fields[0])
        if match is None or exc.reason.startswith("bad PRI"):
            close = fields[0].find(b">") + 1
            ctx.add("A2", E, exc.reason, "PRI is '<' 1-3 digits '>' without leading zeros, 0-191 "
                    "(facility 6: 51/52/54)", (0, close or len(fields[0])))
        else:
            ctx.add("A1", E, exc.reason, "VERSION is 1, right after PRI", spans[0])
            value = int(match.group(1))
            view.pri = value if value <= 191 else None
    try:
        view.timestamp = _parse_timestamp(fields[1])
    except MalformedMessage as exc:
        digits = re.search(rb"\.(\d+)", fields[1])
        detail = f" ({len(digits.group(1))} fractional digits, at most 6)" if digits and len(digits.group(1)) > 6 \
            else ""
        ctx.add("C2", E, exc.reason + detail, "RFC 3339 with uppercase T and Z, seconds 00-59, at most 6 "
                "fractional digits: YYYY-MM-DDTHH:MM:SS.SSSSSSZ", spans[1])
    for index, (name, limit) in enumerate((("HOSTNAME", 255), ("APP-NAME", 48), ("PROCID", 128), ("MSGID", 32)), 2):
        text: str | None
        try:
            text = _header_field(fields[index], name, limit)
        except MalformedMessage as exc:
            if BOM in fields[index]:
                ctx.add("F1", E, f"BOM inside {name}", "the BOM may only start MSG", spans[index])
            else:
                ctx.add("A1", E, exc.reason, f"{name} is '-' or printable US-ASCII without SP", spans[index])
            text = None
        setattr(view, ("hostname", "app_name", "procid", "msgid")[index - 2], text)
    _salvage_sd(ctx, octets, position, view)
    return view


def _skip_to(octets: bytes, position: int, stops: bytes = b" ]") -> int:
    while position < len(octets) and octets[position] not in stops:
        position += 1
    return position


def _salvage_sd(ctx: Reporter, o: bytes, position: int, view: View) -> None:
    n = len(o)
    if position >= n:
        ctx.add("A1", E, "no STRUCTURED-DATA after the HEADER", "write '-' when there is no SD element",
                (max(n - 1, 0), n))
        return
    if o[position] == 0x2D:       # "-"
        position += 1
    elif o[position] == 0x5B:     # "["
        seen: set[str] = set()
        while position < n and o[position] == 0x5B:
            element, position = _salvage_element(ctx, o, position)
            if element.sd_id in seen:
                ctx.add("A4", E, f"SD-ID {element.sd_id} appears twice in one message (the second is ignored)",
                        "merge the parameters into one element", (element.start, element.end))
            else:
                seen.add(element.sd_id)
                view.elements.append(element)
    else:
        ctx.add("A3", E, "STRUCTURED-DATA must be '-' or start with '['", "write '-' or [SD-ID PARAM=\"VALUE\"]",
                (position, min(position + 16, n)))
        return
    if position == n:
        view.complete = True
        return
    if o[position] != 0x20:
        ctx.add("A3", E, f"octet {o[position]:#04x} right after STRUCTURED-DATA, expected SP before MSG",
                "end an element with ']' and put one SP before MSG", (position, min(position + 16, n)))
        return
    view.msg = o[position + 1:]
    view.msg_start = position + 1
    view.complete = True


def _salvage_element(ctx: Reporter, o: bytes, start: int) -> tuple[Element, int]:
    n = len(o)
    match = _SD_NAME_BOUNDED.match(o, start + 1)
    if match and (match.end() >= n or o[match.end()] in b" ]"):
        sd_id, position = match.group().decode("ascii"), match.end()
    else:
        end = _skip_to(o, start + 1)
        sd_id = o[start + 1:end].decode("utf-8", "replace")
        ctx.add("A3", E, f"bad SD-ID {sd_id!r}: 1-32 printable US-ASCII characters except '=', SP, ']' and '\"'",
                "use a registered SD-ID or name@PEN", (start + 1, end))
        position = end
    element = Element(sd_id, [], start)
    while True:
        if position >= n:
            ctx.add("A3", E, f"SD element {sd_id} is not closed by ']'", "close every element with ']'",
                    (start, n))
            element.end = n
            return element, n
        octet = o[position]
        if octet == 0x5D:      # "]"
            element.end = position + 1
            return element, position + 1
        param_start = position
        if octet == 0x20:
            run = len(o[position:]) - len(o[position:].lstrip(b" "))
            if run > 1:
                ctx.add("A3", E, f"{run} SPs before a parameter in {sd_id}: RFC 5424 allows exactly one",
                        "separate SD-PARAMs by a single SP", (max(position - 8, start), min(position + run + 8, n)))
            position += run
            if position < n and o[position] == 0x5D:
                ctx.add("A3", E, f"SP before ']' in {sd_id}", "no SP before the closing ']'",
                        (position - 1, position + 1))
                continue
        else:
            ctx.add("A3", E, f"no SP before a parameter in {sd_id}", "put one SP before each PARAM-NAME",
                    (max(position - 8, start), min(position + 8, n)))
        match = _SD_NAME_BOUNDED.match(o, position)
        name_end = match.end() if match else position
        if not match or name_end >= n or o[name_end] != 0x3D:        # "="
            end = _skip_to(o, position + 1)
            ctx.add("A3", E, f"bad SD-PARAM in {sd_id}: expected PARAM-NAME=\"VALUE\"",
                    "PARAM-NAME is 1-32 printable US-ASCII characters, then =\"VALUE\"", (position, end))
            position = max(end, position + 1)
            continue
        name = match.group().decode("ascii")
        position = name_end + 1
        value, position = _salvage_value(ctx, o, position, sd_id, name, param_start)
        element.params.append(Param(name, value, param_start, position))


def _salvage_value(ctx: Reporter, o: bytes, position: int, sd_id: str, name: str,
                   param_start: int) -> tuple[str, int]:
    n = len(o)
    if o.startswith(b'"', position):
        try:
            return _parse_param_value(o, position + 1, sd_id, name)
        except MalformedMessage as exc:
            end = _value_end(o, position + 1, (b'"',))
            if "UTF-8" in exc.reason:
                ctx.add("A5", E, exc.reason, "encode values as shortest-form UTF-8", (position, end))
            else:
                ctx.add("A3", E, exc.reason, "close the value with '\"' and escape '\"', '\\' and ']'",
                        (param_start, n))
            return o[position + 1:max(end - 1, position + 1)].decode("utf-8", "replace"), end
    for curly in _CURLY:
        if o.startswith(curly, position):
            end = _value_end(o, position + len(curly), _QUOTE_CHARS)
            closer = next((q for q in _QUOTE_CHARS if o[:end].endswith(q)), b"")
            ctx.add("A3", E, f"{name} value delimited by {o[position:position + 3].decode()} "
                    f"(U+{ord(o[position:position + 3].decode()):04X}), not ASCII '\"': the SD is unparseable "
                    "from here", "delimit PARAM-VALUE with ASCII '\"' (0x22)", (param_start, end))
            return o[position + len(curly):end - len(closer)].decode("utf-8", "replace"), end
    # No opening quote (`JIC=42"`): the value runs to the next quote, SP or ']'.
    end = position
    while end < n and o[end] not in b'" ]':
        end += 1
    value = o[position:end].decode("utf-8", "replace")
    if end < n and o[end] == 0x22:
        end += 1
    ctx.add("A3", E, f"{name} value has no opening '\"'", "write PARAM-NAME=\"VALUE\"", (param_start, end))
    return value, end


def _value_end(o: bytes, position: int, closers: tuple[bytes, ...]) -> int:
    """Offset just after the first unescaped closer, or the end of the record."""
    n = len(o)
    while position < n:
        if o[position] == 0x5C:
            position += 2
            continue
        for closer in closers:
            if o.startswith(closer, position):
                return position + len(closer)
        position += 1
    return n
