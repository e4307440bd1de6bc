"""The conformance rule table: one module per specification, each rule a small
unit with its public id, level, specification section, the text it enforces
and an example that triggers it. `hcdaudit conformance` takes its rule titles
and the levels of the RFC 5848 verifier findings from here, and
docs/CONFORMANCE.md is generated from it (`python -m hcdaudit_host.conformance_doc`).

Rule ids are public (users' CI depends on them): never renumber or reuse one.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ALL", "BY_ID", "SPECS", "VERIFIER_KINDS", "Rule", "example_line"]


@dataclass(frozen=True)
class Rule:
    id: str                 # public, stable: A1, D10, PP-7, or an RFC 5848 verifier kind
    level: str              # E, W, I, or "E/W" where the rule has both
    spec: str               # "RFC 5424", "PWG 5110.3", "RFC 5848", "HCD PP"
    section: str            # where in the specification (the checklist row for PWG 5110.3)
    title: str              # the short name shown in the per-rule table
    enforces: str           # the text of the specification the rule enforces, and how
    example: tuple[bytes, ...] = ()       # a stream (lines) that triggers the rule; () = described in `trigger`
    trigger: str = ""       # what triggers it, when no single stream shows it (stream-wide, signed streams)
    options: dict = field(default_factory=dict)   # conformance Options the example needs (file_export ...)
    strict: bool = False    # a format-template W that --strict raises to E
    conformance_id: str = ""   # RFC 5848 verifier kinds: the conformance rule they are reported under


# A clean PWG service message, an internal job message and a client request
# (tests/host/data/conformance/clean-pwg.log): every example is one of these
# with one defect.
SERVICE = ('<54>1 2026-03-01T10:00:01.000000Z printer.example.com - - - [PWG NL="en-US" '
           'DUU="urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84" E="SystemRestarted" IAJ="T" ST="Idle" SR="" '
           'SUU="urn:uuid:21c85055-f117-4781-8029-efb0ebcd9954" URI="ipp://printer.example.com/ipp/print"] '
           '\ufeffSystem restarted.').encode()
REQUEST = ('<54>1 2026-03-01T10:00:02.000000Z printer.example.com - - - [PWG NL="en-US" '
           'DUU="urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84" E="PrintJobCreated" S="SuccessfulOk" '
           'UH="client.example.com" UN="alice" UR="User" UU="mailto:alice@example.com" JID="123" '
           'JUU="urn:uuid:70fe0e41-1e92-4189-8dbe-bb459dc93296" JIC="0" JS="Pending" JR="" '
           'URI="ipp://printer.example.com/ipp/print"] \ufeffCreated job 123.').encode()
JOB = ('<54>1 2026-03-01T10:00:03.000000Z printer.example.com - - - [PWG NL="en-US" '
       'DUU="urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84" E="PrintJobCompleted" JID="123" '
       'JUU="urn:uuid:70fe0e41-1e92-4189-8dbe-bb459dc93296" JIC="42" JS="Completed" JR="" '
       'URI="ipp://printer.example.com/ipp/print"] \ufeffJob 123 printed: 42 pages.').encode()
CLEAN = (SERVICE, REQUEST, JOB)


def example_line(base: bytes, old: bytes | str, new: bytes | str) -> bytes:
    """`base` with its first `old` replaced by `new` (which must be there)."""
    old_b = old.encode() if isinstance(old, str) else old
    new_b = new.encode() if isinstance(new, str) else new
    if old_b not in base:
        raise ValueError(f"example: {old_b!r} is not in the base message")
    return base.replace(old_b, new_b, 1)


from . import hcd_pp, pwg5110_3, rfc5424, rfc5848

SPECS = (rfc5424, pwg5110_3, rfc5848, hcd_pp)
ALL: tuple[Rule, ...] = tuple(rule for module in SPECS for rule in module.RULES)
BY_ID = {rule.id: rule for rule in ALL if not rule.conformance_id}
VERIFIER_KINDS = {rule.id: rule for rule in ALL if rule.conformance_id}
