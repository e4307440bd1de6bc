"""RFC 5424 envelope rules (checklist §A: every message, RFC 5848 blocks too).
Parsed by hcdaudit_host.rfc5424 (strict, then salvage to localise damage)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..findings import E, Finding, I, W  # noqa: F401
from ..rfc5424 import BOM, Param, View
from . import SERVICE, Rule, example_line

if TYPE_CHECKING:
    from ..conformance import Checker, _Context

SPEC = "RFC 5424"

RULES = (
    Rule("A1", "E", SPEC, "§6 HEADER; checklist A1", "RFC 5424 HEADER grammar",
         "HEADER = PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID, single SPs, VERSION 1, "
         "printable US-ASCII fields of at most 255/48/128/32 octets (checklist A1).",
         (example_line(SERVICE, "<54>1 ", "<54>2 "),)),
    Rule("A2", "E", SPEC, "§6.2.1 PRI; checklist A2", "PRI 0-191, no leading zero",
         "PRI is '<' 1-3 digits '>' with no leading zero except <0>, value 0-191.",
         (example_line(SERVICE, "<54>", "<054>"),)),
    Rule("A3", "E/W", SPEC, "§6.3 STRUCTURED-DATA; checklist A3", "STRUCTURED-DATA grammar",
         "SD-ID and PARAM-NAME are 1-32 PRINTUSASCII without '=', SP, ']' and '\"'; PARAM-VALUE between ASCII "
         "'\"' with '\"', '\\' and ']' escaped; elements adjacent; exactly one SP before each SD-PARAM. "
         "W for a backslash that escapes nothing, an SD-ID without @ that is not registered, and an SP between "
         "elements.",
         (example_line(SERVICE, ' IAJ="T"', ' IAJ=T"'),)),
    Rule("A4", "E", SPEC, "§6.3.2 SD-ID; checklist A4", "SD-ID at most once per message",
         "\"The same SD-ID MUST NOT exist more than once in a message.\"",
         (example_line(SERVICE, "] \ufeff", '][PWG E="SystemRestarted"] \ufeff'),)),
    Rule("A5", "E", SPEC, "§6.3.3 PARAM-VALUE; checklist A5", "PARAM-VALUE shortest-form UTF-8",
         "PARAM-VALUE MUST be UTF-8; an overlong or invalid sequence is not.",
         (example_line(SERVICE, b'SR=""', b'SR="\xc0\xaf"'),)),
    Rule("A6", "E", SPEC, "§6.4 MSG; checklist A6", "non-ASCII MSG starts with the BOM",
         "MSG-UTF8 = BOM UTF-8-STRING: a MSG with octets >= 0x80 without the BOM is MSG-ANY, not UTF-8.",
         (example_line(SERVICE, "\ufeffSystem restarted.", "Syst\u00e8me red\u00e9marr\u00e9."),)),
    Rule("A7", "W", SPEC, "§6.1 message length; RFC 5426 §3.2; checklist A7", "message length",
         "Receivers SHOULD take 2048 octets (W above 2048); over UDP only 480 are assured (I above 480).",
         (example_line(SERVICE, "System restarted.", "x" * 2100),)),
    Rule("A8", "W", SPEC, "§8.2 control characters; checklist A8", "control octets",
         "Octets below 0x20 are legal but collectors rewrite them, which breaks RFC 5848 signatures.",
         (example_line(SERVICE, "System restarted.", "System\trestarted."),)),
)


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------

MAX_OCTETS = 2048
UDP_ADVISED = 480
_CONTROL = re.compile(rb"[\x00-\x1f]")
REGISTERED_SD_IDS = frozenset(("timeQuality", "origin", "meta", "ssign", "ssign-cert", "PWG"))
_BOM_TEXT = "\ufeff"


def octet_rules(checker: Checker, ctx: _Context, octets: bytes) -> None:
    length = len(octets) + ctx.shift
    if length > MAX_OCTETS:
        ctx.add("A7", W, f"{length} octets, over {MAX_OCTETS}: receivers SHOULD take 2048, signers MUST "
                "handle 2048", "shorten MSG (cut at a UTF-8 boundary) to stay within 2048 octets")
    elif length > UDP_ADVISED and checker.options.transport == "udp":
        ctx.add("A7", I, f"{length} octets over UDP: receivers need only take {UDP_ADVISED} (RFC 5426)",
                "keep UDP messages within 480 octets, or use TLS (RFC 5425)")
    match = _CONTROL.search(octets)
    if match:
        count = len(_CONTROL.findall(octets))
        ctx.add("A8", W, f"{count} control octet{'s' if count > 1 else ''} (first {match.group()!r} at "
                f"offset {match.start() + ctx.shift}): collectors rewrite them and break signatures",
                "escape or drop octets below 0x20", (max(match.start() - 8, 0), match.end() + 8), octets)


def envelope(checker: Checker, ctx: _Context, octets: bytes, view: View, is_block: bool) -> None:
    if view.version is not None and view.version != 1:
        ctx.add("A1", E, f"VERSION {view.version}: RFC 5424 is VERSION 1", "write <PRI>1",
                view.spans[0] if view.spans else None)
    for element in view.elements:
        if "@" not in element.sd_id and element.sd_id not in REGISTERED_SD_IDS:
            ctx.add("A3", W, f"SD-ID {element.sd_id} has no @PEN and is not IANA-registered",
                    "name a private element name@PEN", (element.start, element.end)
                    if element.start >= 0 else None)
        for param in element.params:
            raw = octets[param.start:param.end]
            if b"]" in raw or b"\\" in raw:
                _escapes(checker, ctx, octets, param)
            if _BOM_TEXT in param.value:
                ctx.add("F1" if not is_block else "A3", E, f"BOM inside the value of {element.sd_id} "
                        f"{param.name}", "the BOM may only start MSG", (param.start, param.end))
            if "\ufffd" in param.value:
                ctx.add("F4", W, f"{param.name} contains U+FFFD: text was lost in a conversion to UTF-8",
                        "convert to UTF-8 from the real source encoding", (param.start, param.end))
    msg = view.msg
    if msg:
        _msg_encoding(checker, ctx, msg, view, is_block)
    if view.msg is not None and view.msg.startswith(b"[") and re.match(rb"\[[!-~]{1,32} [!-~]{1,32}=\"",
                                                                       view.msg):
        ctx.add("A3", W, "MSG starts with what looks like an SD element: an SP between elements ends "
                "STRUCTURED-DATA", "write adjacent elements as '][' with no SP",
                (view.msg_start - 2, view.msg_start + 24))


def _escapes(checker: Checker, ctx: _Context, octets: bytes, param: Param) -> None:
    raw = octets[param.start:param.end]
    quote = raw.find(b'="')
    if quote < 0 or not raw.endswith(b'"'):
        return
    body_start = param.start + quote + 2
    body = octets[body_start:param.end - 1]
    index = 0
    while index < len(body):
        octet = body[index]
        if octet == 0x5C:
            if body[index + 1:index + 2] in (b'"', b"\\", b"]"):
                index += 2
                continue
            ctx.add("A3", W, f"backslash in {param.name} escapes nothing (only '\"', '\\' and ']' are "
                    "escaped)", "write a literal backslash as '\\\\'",
                    (body_start + index, body_start + index + 2))
            return
        if octet == 0x5D:
            ctx.add("A3", E, f"unescaped ']' in the value of {param.name}", "escape ']' as '\\]' in PARAM-VALUE",
                    (body_start + max(index - 8, 0), body_start + index + 1))
            return
        index += 1


def _msg_encoding(checker: Checker, ctx: _Context, msg: bytes, view: View, is_block: bool) -> None:
    export = checker.options.file_export
    start = view.msg_start
    has_bom = msg.startswith(BOM)
    text = msg[3:] if has_bom else msg
    inner = text.find(BOM)
    if export:
        if has_bom or inner >= 0:
            at = start if has_bom else start + inner
            ctx.add("F3", E, "BOM before MSG in an export file", "an export file may carry one BOM, at its "
                    "very start; drop the per-message BOMs", (at, at + 3))
    elif inner >= 0:
        at = start + (3 if has_bom else 0) + inner
        ctx.add("F2", E, "a BOM inside MSG" + (" (a second one)" if has_bom else ""),
                "one BOM, right at the start of MSG", (at, at + 3))
    if text.isascii():
        if not has_bom and text and not is_block and not export:
            ctx.add("F1", W, "MSG has no BOM (ASCII only, so tolerable)", "start MSG with the BOM EF BB BF, "
                    "as hcdaudit does", (start, min(start + 24, start + len(msg))))
        return
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as exc:
        if has_bom:
            return          # parse_message reported it (F4 above)
        ctx.add("F4", E, f"MSG is not UTF-8 (octet {text[exc.start]:#04x} at offset "
                f"{start + exc.start + ctx.shift}): Latin-1 or another legacy encoding",
                "encode MSG as UTF-8" + ("" if export else " and start it with the BOM"),
                (start + max(exc.start - 8, 0), start + exc.start + 8))
        return
    if "\ufffd" in decoded:
        ctx.add("F4", W, "MSG contains U+FFFD: text was lost in a conversion to UTF-8",
                "convert to UTF-8 from the real source encoding")
    if not has_bom and not export:
        ctx.add("A6", E, "MSG has non-ASCII octets but no BOM: RFC 5424 reads it as MSG-ANY, not UTF-8",
                "start a UTF-8 MSG with the BOM EF BB BF", (start, min(start + 24, start + len(msg))))
