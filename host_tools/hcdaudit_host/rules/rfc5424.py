"""RFC 5424 envelope rules (checklist §A: every message, RFC 5848 blocks too).
Parsed by hcdaudit_host.rfc5424 (strict, then salvage to localise damage)."""
from __future__ import annotations

from . import SERVICE, Rule, example_line

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
