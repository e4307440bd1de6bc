"""The rule table (hcdaudit_host.rules): every conformance rule has an example
stream that triggers it, the clean stream does not trigger it, the public ids
stay what they were, and docs/CONFORMANCE.md is the table, generated."""
from __future__ import annotations

from pathlib import Path

import pytest

from hcdaudit_host import conformance, conformance_doc, rules
from hcdaudit_host.conformance import Options, check_records
from hcdaudit_host.syslog_verify import Record

DOC = Path(__file__).resolve().parents[2] / "docs" / "CONFORMANCE.md"
# The public rule ids of the first release: users' CI depends on them.
PUBLIC_IDS = ("A1 A2 A3 A4 A5 A6 A7 A8 B1 B2 B3 B4 C1 C2 C3 C4 C5 C6 C7 C8 D1 D2 D3 D4 D5 D10 D11 D12 D13 D14 D15 "
              "D16 D17 D18 D19 D20 D21 D22 E1 E2 E3 F1 F2 F3 F4 H2 H3 H7 PP-1 PP-2 PP-3 PP-4 PP-5 PP-6 PP-7").split()
# Reported for every stream at level I (a stream cannot show them): the clean
# stream gets them as I only, never as E or W.
ALWAYS_INFO = {"D5", "H2", "H3", "PP-1", "PP-3", "PP-6"}


def findings(lines, **options) -> set[tuple[str, str]]:
    records = [Record(line, "example", i, i - 1) for i, line in enumerate(lines, 1)]
    return {(f["rule"], f["level"]) for f in check_records(records, Options(**options))["findings"]}


def test_public_ids_are_stable():
    assert list(rules.BY_ID) == PUBLIC_IDS
    assert conformance.RULES == {rule.id: rule.title for rule in rules.BY_ID.values()}


@pytest.mark.parametrize("rule", rules.BY_ID.values(), ids=lambda r: r.id)
def test_the_example_triggers_its_rule(rule):
    assert rule.example, f"{rule.id} has no example"
    assert rule.id in {r for r, _ in findings(rule.example, **rule.options)}


@pytest.mark.parametrize("rule", rules.BY_ID.values(), ids=lambda r: r.id)
def test_the_clean_stream_does_not_trigger_it(rule):
    stream = rules.CLEAN
    if rule.id == "F3":             # a clean export: one BOM, at the start of the file
        stream = tuple(line.replace(b"\xef\xbb\xbf", b"") for line in rules.CLEAN)
        stream = (b"\xef\xbb\xbf" + stream[0],) + stream[1:]
    clean = findings(stream, **rule.options) if rule.id != "H7" else set()
    if rule.id in ALWAYS_INFO:
        assert {level for r, level in clean if r == rule.id} <= {"I"}
    elif rule.id != "H7":          # H7: a signed clean stream, tests/host/test_rfc5848_rules.py
        assert rule.id not in {r for r, _ in clean}


def test_every_rule_has_its_spec_section_and_text():
    for rule in rules.ALL:
        assert rule.spec in ("RFC 5424", "PWG 5110.3", "RFC 5848", "HCD PP")
        assert rule.section and rule.title and len(rule.enforces) > 20
        assert rule.level in ("E", "W", "I", "E/W", "E/I", "E/W/I")


def test_every_rfc5848_rule_names_a_test_that_exists():
    root = Path(__file__).resolve().parents[2]
    for rule in rules.VERIFIER_KINDS.values():
        path, _, name = rule.trigger.partition("::")
        assert f"def {name}(" in (root / path).read_text(), rule.trigger


def test_conformance_doc_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == conformance_doc.render(), \
        "docs/CONFORMANCE.md is stale: run `python -m hcdaudit_host.conformance_doc > docs/CONFORMANCE.md`"
