"""Generate docs/CONFORMANCE.md from the rule table (hcdaudit_host.rules):
`python -m hcdaudit_host.conformance_doc > docs/CONFORMANCE.md`."""
from __future__ import annotations

import sys

from . import rules


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _example(rule: rules.Rule) -> str:
    if not rule.example:
        return _cell(rule.trigger)
    lines = [line.decode("utf-8", "backslashreplace").replace("\ufeff", "\\ufeff") for line in rule.example]
    shown = "<br>".join(f"`{_cell(line if len(line) <= 400 else line[:400] + '…')}`" for line in lines)
    if rule.options:
        shown += " (with " + ", ".join(f"--{k.replace('_', '-')}" for k in rule.options) + ")"
    return shown


def render() -> str:
    out = [
        "# Conformance rules",
        "",
        ("Generated from `host_tools/hcdaudit_host/rules/` by `python -m hcdaudit_host.conformance_doc > "
         "docs/CONFORMANCE.md`; do not edit by hand (a test compares the two)."),
        "",
        ("`hcdaudit conformance` checks a syslog stream against these rules; `hcdaudit verify syslog` reports "
         "the RFC 5848 rules as finding kinds. Rule ids are public and stable. Levels: E error (exit 1), W "
         "warning, I info; `--strict` raises the format-template warnings ("
         + ", ".join(sorted(r.id for r in rules.BY_ID.values() if r.strict)) + ") to errors. Each example is a "
         "stream that triggers the rule (the clean messages of tests/host/data/conformance/clean-pwg.log with "
         "one defect); tests/host/test_rule_table.py checks that it does, and that the clean stream does not."),
        "",
        f"{len(rules.BY_ID)} conformance rules and {len(rules.VERIFIER_KINDS)} RFC 5848 verifier rules.",
    ]
    for module in rules.SPECS:
        own = [r for r in module.RULES]
        out += ["", f"## {module.SPEC}", "", (module.__doc__ or "").strip().replace("\n", " "), ""]
        if own and own[0].conformance_id:
            out += ["| Kind | Level (as H7) | Section | Checks | Triggering test |", "|---|---|---|---|---|"]
            for r in own:
                out.append(f"| `{r.id}` | {r.level} | {_cell(r.section)} | **{_cell(r.title)}.** "
                           f"{_cell(r.enforces)} | `{_cell(r.trigger)}` |")
        else:
            out += ["| Id | Level | Section | Checks | Example that triggers it |", "|---|---|---|---|---|"]
            for r in own:
                level = r.level + (" (E with --strict)" if r.strict else "")
                out.append(f"| {r.id} | {level} | {_cell(r.section)} | **{_cell(r.title)}.** {_cell(r.enforces)} "
                           f"| {_example(r)} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
