"""Generate docs/EVENTS.md from the catalog: `python -m hcdaudit_host.events_doc > docs/EVENTS.md`."""
from __future__ import annotations

import sys

from hcdaudit import catalog
from hcdaudit.catalog_vendor import ROWS

# Events no seed has, and why the catalog carries them (hcd-audit-requirements §2.5 gaps).
ADDED = {
    "login_failure": "Split from login so that its severity is 4 (PWG: failures are warnings) and E2/E3 are one "
                     "event; the seeds log failures as a Login status.",
    "lockout_expired": "Xerox 127 only; FX and KM have no end-of-lock record. FIA_AFL.1 needs both ends.",
    "other_job": "FX '-' job: kept so every FX job row has a home; PWG has no service for it.",
    "audit_start": "FAU_GEN.1.1(a): start of the audit function itself, logged by the audit subsystem at boot "
                   "(device_start is the device becoming Ready). KM 52 is the only seed row for it.",
    "audit_stop": "FAU_GEN.1.1(a): orderly stop of the audit function (Sharp notes Audit End is lost on power "
                  "loss, hence audit_recovery).",
    "audit_recovery": "Gap 9 / §1.11 item 5: an unclean stop is labelled at the next boot with the last durable "
                      "seq, so a crash gap is not mistaken for deletion.",
    "audit_eviction": "Gap 9 / FAU_STG.4: no seed records the overwrite of the oldest records; we record the "
                      "evicted seq range and count.",
    "audit_undelivered_loss": "§1.11 item 4 / TD0066: records evicted before the syslog sender delivered them "
                              "are a loss the audit server never sees; the loss is itself audited.",
    "audit_link_down": "§1.11 item 4 / FAU_STG_EXT.1: the syslog sender lost its link to the audit server (or "
                       "could not reach it after a start); logged once, never per retry, with the first record "
                       "not yet delivered. No seed records when its audit server became unreachable.",
    "audit_link_up": "The end of an audit_link_down: the link is back, with the failed tries, how long it was down "
                     "(device clock) and the backlog about to be delivered, so an auditor can match the collector's "
                     "silence and its re-sent copies with the device's own account.",
    "fax_receive_job": "Gap in FX: 'Fax' does not separate send from receive; PWG has FaxIn and FaxOut.",
    "trusted_channel_failure": "E7 is weak in every seed (no reason in Xerox, periodic check only in FX, no "
                               "inbound sessions): ours carries protocol, peer, count, reason and direction "
                               "(inbound = FTP_TRP.1 session from a client).",
}


def _vendor(scheme: str, name: str) -> str:
    ids = []
    for row in ROWS:
        if row[0] == scheme and row[3] == name:
            text = ("0x%04x" % row[1]) if scheme == "fx" else str(row[1])
            if scheme in ("fx", "x101"):
                text += " " + row[2]
            if text not in ids:
                ids.append(text)
    return "<br>".join(ids) or "—"


def _items(name: str) -> str:
    required = set(catalog.required_items(name))
    cells = []
    for item in catalog.event_items(name):
        kind = catalog.item_type(item)
        limit = catalog.item_limit(item)
        text = "%s%s (%s)" % (item, "*" if item in required else "",
                               "text %d B" % limit if kind == "text" else "uint%d" % (8 * limit))
        cells.append(text)
    return ", ".join(cells) or "—"


def render() -> str:
    out = [
        "# Audit events",
        "",
        "Generated from `firmware/hcdaudit/catalog_data.py` and `catalog_vendor.py` by",
        "`python -m hcdaudit_host.events_doc > docs/EVENTS.md`; `tests/host/test_catalog_events_doc.py` fails",
        "when this file is out of date. Do not edit by hand.",
        "",
        "Every record also carries date/time (µs UTC), the subject `[kind, user_id, name, role]`, the",
        "outcome, and optionally the interface (16 B) and remote host (45 B, the FX host limit).",
        "Items marked `*` are required. Text over its limit is cut with `…`. Each item may reach its",
        "own limit; when all of an event's items are at their limits together, the longest are cut",
        "to one common length so that the record fits its 466-byte NVRAM slot.",
        "Severity: 6 informational, 4 warning, 3 error; a failed outcome of a severity-6 event is",
        "logged at 4. Vendor IDs: Xerox App. B ID; PrimeLink class ID + description; Fuji Xerox",
        "Audit Event ID + Description; Konica Minolta action number.",
        "",
        "| event | code | category | PWG event | sev | outcomes (first = default) | items | Xerox | PrimeLink | "
        "Fuji Xerox | KM | HCD PP requirement |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in catalog.event_names():
        out.append("| `%s` | 0x%04x | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            name, catalog.event_code(name), catalog.category(name), catalog.pwg_name(name),
            catalog.severity(name), ", ".join(catalog.event_outcomes(name)), _items(name),
            _vendor("xerox", name), _vendor("x101", name), _vendor("fx", name), _vendor("km", name),
            catalog.pp_requirement(name)))
    out += ["", "## Events beyond the seeds, and why", ""]
    for name in catalog.event_names():
        if name in ADDED:
            out.append("- `%s`: %s" % (name, ADDED[name]))
    out += ["", "## Subjects", "",
            "| kind | Fuji Xerox | Konica Minolta | Xerox | PWG UR |", "|---|---|---|---|---|",
            "| system | System | -3 | SYSTEM | (internal: no user parameters) |",
            "| user | user ID (job records: name) | user number | name | role |",
            "| admin (built-in) | KO | -2 | name | Administrator |",
            "| engineer | CE | -1 | name | ServiceTechnician |",
            "| unregistered | - | -3 | attempted ID | (not authenticated) |",
            "| guest | Guest | -3 | Guest | Guest |",
            "| snmp | SNMP:admin | -3 | admin | Administrator |", ""]
    return "\n".join(out)


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
