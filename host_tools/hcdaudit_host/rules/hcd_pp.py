"""Audit content the HCD protection profile asks for (hcd-audit-requirements
§1.2, §1.7, §2.2); ids PP-1..PP-7 are hcdaudit's own."""
from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING

from ..findings import E, Finding, I, W  # noqa: F401
from ..rfc5424 import BOM, View
from . import SERVICE, Rule, example_line
from .pwg5110_3 import _event_parts, _failing, _is_job_event

if TYPE_CHECKING:
    from ..conformance import Checker
    from ..syslog_verify import Record

SPEC = "HCD PP"

_CONFIG = example_line(SERVICE, 'E="SystemRestarted"', 'E="SystemConfigChanged"')

RULES = (
    Rule("PP-1", "I", SPEC, "FAU_GEN.1.1 (E0-E7)", "FAU_GEN.1.1 required events seen",
         "Each required event class E0-E7 should appear; a stream shows presence, never absence: I for a class "
         "not seen or seen only as a candidate.", (SERVICE,)),
    Rule("PP-2", "W", SPEC, "FAU_GEN.1.2", "FAU_GEN.1.2 outcome recorded",
         "Records of E1, E4, E5, E6 carry an outcome (S, JS or a vendor outcome).", (_CONFIG,)),
    Rule("PP-3", "I", SPEC, "FAU_GEN.2", "FAU_GEN.2 subject identity",
         "Records of E1, E4, E5, E6 name who caused them (UN, UU or a vendor subject); I, because PWG forbids "
         "UN on internal events.", (_CONFIG,)),
    Rule("PP-4", "W", SPEC, "FAU_GEN.1.2 (E1)", "E1 type of job",
         "A job completion record says which kind of job (its service, or a vendor job_type).",
         (example_line(SERVICE, 'E="SystemRestarted" IAJ="T" ST="Idle" SR="" '
                                'SUU="urn:uuid:21c85055-f117-4781-8029-efb0ebcd9954"',
                       'E="SystemJobCompleted" JID="1" JUU="urn:uuid:21c85055-f117-4781-8029-efb0ebcd9954" '
                       'JS="Completed"'),)),
    Rule("PP-5", "W", SPEC, "FAU_GEN.1.2 (E7), FTP_ITC.1", "E7 reason for failure",
         "A failure to establish a trusted channel records its reason (a vendor reason or MSG text).",
         (example_line(example_line(SERVICE, 'E="SystemRestarted"', 'E="SystemInternalError"'),
                       " \ufeffSystem restarted.", ""),)),
    Rule("PP-6", "E/W/I", SPEC, "FAU_STG_EXT.1, FTP_ITC.1", "FAU_STG_EXT.1 trusted channel",
         "Audit records leave the device over a trusted channel (TLS or IPsec): a file cannot show it (I); "
         "--listen udp: E unsigned, W signed.", (SERVICE,)),
    Rule("PP-7", "W", SPEC, "FAU_STG_EXT.1", "FAU_STG_EXT.1 no records lost",
         "Gaps in the vendor sequence number (seq=) mean records that never reached the collector.",
         (example_line(SERVICE, "] \ufeff", '][hcdaudit@32473 seq="1"] \ufeff'),
          example_line(SERVICE, "] \ufeff", '][hcdaudit@32473 seq="3"] \ufeff'))),
)


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------

PP_CLASSES = {
    "E0": "start-up and shutdown of the audit functions (FAU_GEN.1.1a)",
    "E1": "job completion, with the type of job (FDP_ACF.1)",
    "E2": "unsuccessful user authentication (FIA_UAU.1)",
    "E3": "unsuccessful user identification (FIA_UID.1)",
    "E4": "use of the management functions (FMT_SMF.1)",
    "E5": "change to the users of a role (FMT_SMR.1)",
    "E6": "change to the time (FPT_STM.1)",
    "E7": "failure to establish a trusted session, with reason (FTP_ITC.1, FTP_TRP.1)",
}
_ACTED_CLASSES = ("E1", "E4", "E5", "E6")        # PP-2 and PP-3 apply to these

_VENDOR_SD = re.compile(r"hcdaudit@\d+\Z")


def _catalog_classes() -> dict[int, tuple[str, ...]]:
    """Our event codes -> the PP event classes of the catalogue's PP column."""
    try:
        from hcdaudit.catalog_data import E_CODE, E_PP, events
    except ImportError:          # the firmware package is not on the path: PWG mapping only
        return {}
    return {row[E_CODE]: tuple(re.findall(r"\b(E[0-7])\b", row[E_PP])) for row in events()}


def pp_record(checker: Checker, view: View, v: dict[str, str], record: Record, number: int) -> None:
    vendor = next((e for e in view.elements if _VENDOR_SD.match(e.sd_id)), None)
    vp = {p.name: p.value for p in vendor.params} if vendor else {}
    classes: set[str] = set()
    candidates: set[str] = set()
    event = v.get("E", "")
    status = v.get("S")
    outcome = vp.get("outcome")
    known = None
    if "event" in vp:
        try:
            known = checker._catalog.get(int(vp["event"], 16))
        except ValueError:
            known = None
    if known is not None:
        classes = set(known)
        if {"E2", "E3"} <= classes:        # a failed login: which one the outcome says
            classes -= {"E2"} if outcome == "invalid_user_id" else {"E3"}
    else:
        if event in ("SystemRestarted", "SystemShutdown", "SystemStopped"):
            classes.add("E0")
        if event.endswith("JobCompleted") or (_is_job_event(event) and
                                              v.get("JS") in ("Completed", "Canceled", "Aborted")):
            classes.add("E1")
        refused = status == "ClientErrorNotAuthenticated" and not event.endswith("Identification")
        if refused or (event.endswith("Authentication") and _failing(status)):
            classes.add("E2")
        elif event.endswith("Authentication") and status is None:
            candidates.add("E2")
        if event.endswith("Identification") and _failing(status):
            classes.add("E3")
        elif event.endswith("Identification") and status is None:
            candidates.add("E3")
        if event.endswith("ConfigChanged"):
            classes.add("E4")
        if event.endswith("InternalError"):
            candidates.add("E7")
    where = (record.source, record.line, number)
    for c in classes:
        checker.pp[c]["seen"] += 1
        checker.pp[c]["events"][event or vp.get("event", "?")] += 1
    for c in candidates - classes:
        checker.pp[c]["candidates"] += 1
        checker.pp[c]["events"][event or vp.get("event", "?")] += 1
    for c in classes & set(_ACTED_CLASSES):
        if status is None and "JS" not in v and outcome is None:
            checker.pp_gaps["PP-2"].append((c, where))
        if not ({"UN", "UU"} & v.keys()) and not (vp.get("user") or vp.get("name")) \
                and vp.get("subject") != "system":
            checker.pp_gaps["PP-3"].append((c, where))
    if "E1" in classes:
        service = _event_parts(event)
        if not vp.get("job_type") and (service is None or service[0] == "System"):
            checker.pp_gaps["PP-4"].append(("E1", where))
    if "E7" in classes | candidates:
        msg = view.msg[3:] if view.msg and view.msg.startswith(BOM) else view.msg
        if not vp.get("reason") and not (msg or b"").strip():
            checker.pp_gaps["PP-5"].append(("E7", where))
    if vendor is not None and vp.get("seq", "").isdigit():
        key = (view.hostname, vendor.sd_id, v.get("DUU"))
        checker.sequences.setdefault(key, []).append((int(vp["seq"]), record.source, record.line))


def pp_stream(checker: Checker) -> None:
    label = checker.source_label
    for name, info in checker.pp.items():
        if info["seen"]:
            continue
        if info["candidates"]:
            text = (f"{name} {PP_CLASSES[name]}: only candidates seen ({info['candidates']}: "
                    f"{', '.join(sorted(info['events']))}); the stream cannot tell which are {name}")
        elif name in ("E5", "E6"):
            text = (f"{name} {PP_CLASSES[name]}: not seen; PWG has no event for it, so only a vendor element "
                    "can show it")
        else:
            text = f"{name} {PP_CLASSES[name]}: not seen in this stream"
        checker.findings.append(Finding("PP-1", I, text, "a stream shows presence, not absence: trigger the "
                                     "event on the device and capture again", label))
    texts = {
        "PP-2": (W, "record{s} of {c} without an outcome (no S, JS or vendor outcome)",
                 "FAU_GEN.1.2: record success or failure in every record"),
        "PP-3": (I, "record{s} of {c} name no user (no UN, UU or vendor subject)",
                 ("FAU_GEN.2: tie each record to the user who caused it (a vendor element may carry the "
                  "owner of an internal event)")),
        "PP-4": (W, "job completion record{s} without the type of job (service System, no job_type)",
                 "FAU_GEN.1.2 / FDP_ACF.1: say which kind of job (Print, Copy, Scan, FaxIn, ...)"),
        "PP-5": (W, "E7 record{s} without a reason for the failure",
                 "FTP_ITC.1: record why the session failed (MSG text or a vendor reason)"),
    }
    for rule, gaps in checker.pp_gaps.items():
        by_class: dict[str, list] = {}
        for c, where in gaps:
            by_class.setdefault(c, []).append(where)
        level, text, hint = texts[rule]
        for c, places in sorted(by_class.items()):
            file, line, _ = places[0]
            f = Finding(rule, level, f"{len(places)} " + text.format(s="s" if len(places) > 1 else "", c=c)
                        + f" (first at {file}:{line})", hint, label)
            f.count = len(places)
            checker.findings.append(f)
    for (host, sd_id, duu), seqs in checker.sequences.items():
        numbers = sorted({s for s, *_ in seqs})
        holes = [(a + 1, b - 1) for a, b in pairwise(numbers) if b > a + 1]
        if holes:
            lost = sum(b - a + 1 for a, b in holes)
            shown = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in holes[:8])
            f = Finding("PP-7", W, f"{lost} record{'s' if lost > 1 else ''} of {host} never reached the "
                        f"collector ({sd_id} seq {shown}{', ...' if len(holes) > 8 else ''})",
                        "FAU_STG_EXT.1: deliver every record (resend after a loss, or use TLS/RELP)",
                        checker.source_label)
            f.count = lost
            checker.findings.append(f)
