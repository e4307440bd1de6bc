"""`hcdaudit conformance`: check a syslog stream from any device against RFC
5424, PWG 5110.3 (the PWG Common Log Format), RFC 5848 and the audit content
of the HCD protection profile.

Sources: shared/specs/pwg-5110.3-checklist.md (the rule IDs), syslog-transport.md
§1 (the RFC 5424 grammar), hcd-audit-requirements.md §1.2, §1.7, §2.2 (the PP
events and record content). RFC 5424 parsing is `syslog_verify.parse_message`,
RFC 5848 verification is `syslog_verify.verify`; this module adds the checks
those do not make, and a salvage pass (see `_salvage`) that only runs on
records `parse_message` rejects: it finds *where* the grammar broke (a curly
quote, two spaces, a missing quote) and recovers the parameters so the PWG
rules can still be applied. The verdict "valid RFC 5424" stays parse_message's.

Every finding has a rule ID, a level (E error, W warning, I info), where
(FILE:LINE, or the stream for stream-wide findings), the offending slice where
useful, and a one-line hint. Exit status: 0 without E, 1 with any E, 2 for
unusable input (UsageError).

Rules implemented (checklist IDs)
---------------------------------
A1-A8  RFC 5424 envelope, all messages (RFC 5848 blocks get only these).
       A1 also: VERSION must be 1. A3 also: unescaped `]` in a value (E), a
       backslash that escapes nothing (W), an SP between elements that turns the
       next element into MSG (W), an SD-ID without `@` that is not registered (W).
       A6 is reported for a non-ASCII MSG without BOM (the E half of F1 is the
       same defect and is not reported twice).
B1-B4  PRI. PRI 63/64/66 (the PWG examples' arithmetic slip) is reported as
       B3 (E) with the "did you mean 51/52/54" hint, instead of B1+B2. B4 is
       only applied when B1 holds.
C1-C8  HEADER. C4-C7 are reported once per distinct value (count = messages).
       C8: one DUU seen with two HOSTNAMEs, or a block HOSTNAME that differs from
       the only device's.
D1-D5, D10-D22 the [PWG ...] element. D5 once per stream. Presence per D.1 is
       D10 (W); its explicit MUST NOTs "JA/JAUN/JAUU present but empty" are D10
       E. Job parameters are not asked of a refused request (failing S: there is
       no job), and a missing JS is not reported when ST carries the job state
       (D11 reports that). D13: UH without S is D12 only. D14 (UN<->UR) applies
       to client requests; a non-TitleCase UR (`user`) is D14 W. UU that is a
       urn:uuid is checked by D19, other UU values by D21.
E1-E3  event names; E5's derivation rule is used in the E2 hints. E4: nothing to check.
F1-F4  stream mode: F1 W (ASCII MSG without BOM) and F1 E (BOM inside the header
       or an SD value), F2, F4 (MSG or value not UTF-8). --file-export: F3
       instead of A6/F1/F2 (one BOM may start the file, none anywhere else).
H2     stored-log protection: "not checked" (I).
H3     log data in transit: a file has no transport metadata: "not checked" (I);
       --listen udp: E when no signature verifies, W when RFC 5848 protects the
       integrity but nothing protects against disclosure.
H7     §9 signed syslog: no RFC 5848 block: W. With blocks: the verifier's
       findings become H7 findings (E: altered, forged, equivocating, replayed,
       malformed blocks, untrusted key; W: leap-of-faith key, missing, lost
       signature blocks, unsigned, duplicated, reordered, unverifiable;
       I: re-sent, RSID 0) and one I with the verification summary.

HCD PP audit content (invented IDs)
-----------------------------------
Event classes E0-E7 are those of hcd-audit-requirements §1.2. A record is put in
a class from our [hcdaudit@PEN event=...] code (exact: the catalogue's PP
column) or, for any other device, from the PWG event (§2.2): E0 System
Restarted/Shutdown/Stopped, E1 *JobCompleted or a job message with JS
Completed/Canceled/Aborted, E2 S=ClientErrorNotAuthenticated or *Authentication
with a failing S, E3 *Identification with a failing S, E4 *ConfigChanged; PWG
has no event for E5 and E6; *InternalError is only an E7 candidate, and an
*Authentication/*Identification without S is only an E2/E3 candidate.
PP-1  FAU_GEN.1.1: each class E0-E7 seen in the stream. I for a class not seen
      or only seen as a candidate: a stream shows presence, never absence.
PP-2  FAU_GEN.1.2 outcome: E1, E4, E5, E6 records carry an outcome (S, JS or a
      vendor outcome). W, once per class with the count.
PP-3  FAU_GEN.2 subject identity: E1, E4, E5, E6 records name who caused them
      (UN, UU or a vendor subject). I: PWG forbids UN on internal events, so a
      stream cannot always decide this.
PP-4  FAU_GEN.1.2 additional information of E1: the type of job (the service of
      the event, or a vendor job_type). W.
PP-5  FAU_GEN.1.2 additional information of E7: the reason for the failure (a
      vendor reason or MSG text). W.
PP-6  FAU_STG_EXT.1 / FTP_ITC.1 trusted channel: file: "not checked" (I);
      --listen udp: E when unsigned (§H row 3), W when signed (PP wants TLS or
      IPsec; an IPsec path cannot be seen from the capture).
PP-7  FAU_STG_EXT.1 delivery: gaps in the vendor sequence number (seq=) mean
      records that never reached the collector. W.
Date and time (FAU_GEN.1.2) is C1/C2; the type of event is D10 (E) and E1-E3.
"""
from __future__ import annotations

import ipaddress
import json
import re
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from . import rules as rule_table
from .errors import UsageError
from .rfc5424 import Param, View, salvage, view_from_parsed

if TYPE_CHECKING:
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

__all__ = ["add_parser", "check_records", "check_files", "listen_udp", "main", "RULES"]

E, W, I = "E", "W", "I"
LEVEL_ORDER = {E: 0, W: 1, I: 2}

# --------------------------------------------------------------------------
# Rule titles (the summary table) and the data the rules check against
# --------------------------------------------------------------------------

# The rule table (id, level, spec section, what it enforces) lives in
# hcdaudit_host.rules, one module per specification; the ids are public.
RULES = {rule.id: rule.title for rule in rule_table.BY_ID.values()}
STRICT_RULES = frozenset(rule.id for rule in rule_table.BY_ID.values() if rule.strict)   # template W: E under --strict

SERVICES = ("EmailOut", "EmailIn", "FaxOut", "FaxIn", "Transform", "Resource", "Print", "Scan", "Copy", "System")
JOB_SUFFIXES = ("JobCompleted", "JobConfigChanged", "JobCreated", "JobForwarded", "JobStateChanged", "JobStopped")
SUFFIXES = ("Authentication", "ConfigChanged", "Identification", "InternalError", "QueueOrderChanged", "Restarted",
            "Shutdown", "StateChanged", "Stopped") + JOB_SUFFIXES

# abbreviation -> primary name ("<service>" = any service name)
PARAMS = {
    "DUU": "DeviceUUID", "E": "Event", "NL": "LogNaturalLanguage", "S": "Status", "URI": "<service>URI",
    "UH": "UserHost", "UN": "UserName", "UR": "UserRole", "UU": "UserURI",
    "IAJ": "<service>IsAcceptingJobs", "ST": "<service>State", "SR": "<service>StateReasons", "SUU": "<service>UUID",
    "JID": "JobID", "JUU": "JobUUID", "JIM": "JobImagesCompleted", "JIC": "JobImpressionsCompleted",
    "JD": "JobDestinationURI", "JS": "JobState", "JR": "JobStateReasons", "JA": "JobAccountingID",
    "JAUN": "JobAccountingUserName", "JAUU": "JobAccountingUserURI",
}
_PRIMARY = {primary: abbr for abbr, primary in PARAMS.items() if not primary.startswith("<")}
_SERVICE_PRIMARY = sorted(((p[9:], a) for a, p in PARAMS.items() if p.startswith("<service>")),
                          key=lambda item: -len(item[0]))
SERVICE_PARAMS = ("IAJ", "ST", "SR", "SUU")
JOB_PARAMS = ("JID", "JUU", "JIM", "JIC", "JD", "JS", "JR", "JA", "JAUN", "JAUU")
USER_PARAMS = ("UN", "UR", "UU")

SERVICE_STATES = ("Unknown", "Down", "Testing", "Idle", "Processing", "Stopped")
JOB_STATES = ("Pending", "PendingHeld", "Processing", "ProcessingStopped", "Canceled", "Aborted", "Completed")
ROLES = frozenset(("Administrator", "FieldTechnician", "GroupMember", "Guest", "LocalUser", "NetworkAdministrator",
                   "Operator", "Owner", "ReadOnlyUser", "RemoteUser", "SecurityAdministrator", "ServiceTechnician",
                   "User"))
# IANA IPP status codes, TitleCase (RFC 8011 §4.1.6 and the IANA IPP registry).
IPP_STATUS = frozenset((
    "SuccessfulOk", "SuccessfulOkIgnoredOrSubstitutedAttributes", "SuccessfulOkConflictingAttributes",
    "SuccessfulOkIgnoredSubscriptions", "SuccessfulOkIgnoredNotifications", "SuccessfulOkTooManyEvents",
    "SuccessfulOkButCancelSubscription", "SuccessfulOkEventsComplete",
    "ClientErrorBadRequest", "ClientErrorForbidden", "ClientErrorNotAuthenticated", "ClientErrorNotAuthorized",
    "ClientErrorNotPossible", "ClientErrorTimeout", "ClientErrorNotFound", "ClientErrorGone",
    "ClientErrorRequestEntityTooLarge", "ClientErrorRequestValueTooLong", "ClientErrorDocumentFormatNotSupported",
    "ClientErrorAttributesOrValuesNotSupported", "ClientErrorUriSchemeNotSupported",
    "ClientErrorCharsetNotSupported", "ClientErrorConflictingAttributes", "ClientErrorCompressionNotSupported",
    "ClientErrorCompressionError", "ClientErrorDocumentFormatError", "ClientErrorDocumentAccessError",
    "ClientErrorAttributesNotSettable", "ClientErrorIgnoredAllSubscriptions", "ClientErrorTooManySubscriptions",
    "ClientErrorIgnoredAllNotifications", "ClientErrorPrintSupportFileNotFound", "ClientErrorDocumentPasswordError",
    "ClientErrorDocumentPermissionError", "ClientErrorDocumentSecurityError", "ClientErrorDocumentUnprintableError",
    "ClientErrorAccountInfoNeeded", "ClientErrorAccountClosed", "ClientErrorAccountLimitReached",
    "ClientErrorAccountAuthorizationFailed", "ClientErrorNotFetchable",
    "ServerErrorInternalError", "ServerErrorOperationNotSupported", "ServerErrorServiceUnavailable",
    "ServerErrorVersionNotSupported", "ServerErrorDeviceError", "ServerErrorTemporaryError",
    "ServerErrorNotAcceptingJobs", "ServerErrorBusy", "ServerErrorJobCanceled",
    "ServerErrorMultipleDocumentJobsNotSupported", "ServerErrorPrinterIsDeactivated", "ServerErrorTooManyJobs",
    "ServerErrorTooManyDocuments",
))
# IANA Printer MIB prtAlertCodeTC labels (RFC 3805 / IANA-PRINTER-MIB), for E3.
ALERT_CODES = (
    "other", "unknown", "coverOpen", "coverClosed", "interlockOpen", "interlockClosed", "configurationChange",
    "jam", "subunitMissing", "subunitLifeAlmostOver", "subunitLifeOver", "subunitAlmostEmpty", "subunitEmpty",
    "subunitAlmostFull", "subunitFull", "subunitNearLimit", "subunitAtLimit", "subunitOpened", "subunitClosed",
    "subunitTurnedOn", "subunitTurnedOff", "subunitOffline", "subunitPowerSaver", "subunitWarmingUp",
    "subunitAdded", "subunitRemoved", "subunitResourceAdded", "subunitResourceRemoved",
    "subunitRecoverableFailure", "subunitUnrecoverableFailure", "subunitRecoverableStorageError",
    "subunitUnrecoverableStorageError", "subunitMotorFailure", "subunitMemoryExhausted", "subunitUnderTemperature",
    "subunitOverTemperature", "subunitTimingFailure", "subunitThermistorFailure", "doorOpen", "doorClosed",
    "powerUp", "powerDown", "printerNMSReset", "printerManualReset", "printerReadyToPrint",
    "inputMediaTrayMissing", "inputMediaSizeChange", "inputMediaWeightChange", "inputMediaTypeChange",
    "inputMediaColorChange", "inputMediaFormPartsChange", "inputMediaSupplyLow", "inputMediaSupplyEmpty",
    "inputMediaChangeRequest", "inputManualInputRequest", "inputTrayPositionFailure", "inputTrayElevationFailure",
    "inputCannotFeedSizeSelected", "outputMediaTrayMissing", "outputMediaTrayAlmostFull", "outputMediaTrayFull",
    "outputMailboxSelectFailure", "markerFuserUnderTemperature", "markerFuserOverTemperature",
    "markerFuserTimingFailure", "markerFuserThermistorFailure", "markerAdjustingPrintQuality", "markerTonerEmpty",
    "markerInkEmpty", "markerPrintRibbonEmpty", "markerTonerAlmostEmpty", "markerInkAlmostEmpty",
    "markerPrintRibbonAlmostEmpty", "markerWasteTonerReceptacleAlmostFull", "markerWasteInkReceptacleAlmostFull",
    "markerWasteTonerReceptacleFull", "markerWasteInkReceptacleFull", "markerOpcLifeAlmostOver",
    "markerOpcLifeOver", "markerDeveloperAlmostEmpty", "markerDeveloperEmpty", "markerTonerCartridgeMissing",
    "mediaPathMediaTrayMissing", "mediaPathMediaTrayAlmostFull", "mediaPathMediaTrayFull",
    "mediaPathCannotDuplexMediaSelected", "interpreterMemoryIncrease", "interpreterMemoryDecrease",
    "interpreterCartridgeAdded", "interpreterCartridgeDeleted", "interpreterResourceAdded",
    "interpreterResourceDeleted", "interpreterResourceUnavailable", "interpreterComplexPageEncountered",
    "alertRemovalOfBinaryChangeEntry",
)
ALERT_EVENTS = frozenset(label[0].upper() + label[1:] for label in ALERT_CODES)
REGISTERED_SD_IDS = frozenset(("timeQuality", "origin", "meta", "ssign", "ssign-cert", "PWG"))
BLOCK_SD_IDS = ("ssign", "ssign-cert")

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

MAX_OCTETS = 2048
UDP_ADVISED = 480
LARGE_INPUT = 2000          # records: show a progress bar from here (stderr a TTY)
MAX_DATAGRAMS = 1_000_000
DEFAULT_LIMIT = 20

_TITLE = re.compile(r"[A-Z][A-Za-z0-9]*\Z")
_UUID = re.compile(r"urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+\Z")
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*\Z")
_PWG_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")
_CONTROL = re.compile(rb"[\x00-\x1f]")
_SD_NAME = re.compile(rb"[\x21\x23-\x3c\x3e-\x5c\x5e-\x7e]{1,32}")
_VENDOR_SD = re.compile(r"hcdaudit@\d+\Z")
_CURLY = ("\u201d".encode(), "\u201c".encode())
_QUOTE_CHARS = (b'"',) + _CURLY
_BOM_TEXT = "\ufeff"


def _is_title(value: str) -> bool:
    return bool(_TITLE.match(value))


def to_title(value: str) -> str:
    """`media-empty-warning` -> `MediaEmptyWarning` (the TitleCase the spec defines)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_\s]+", value.strip()) if part)


def _event_parts(event: str) -> tuple[str, str] | None:
    for service in SERVICES:
        if event.startswith(service) and event[len(service):] in SUFFIXES:
            return service, event[len(service):]
    return None


def _is_job_event(event: str) -> bool:
    return event.endswith(JOB_SUFFIXES)


def _failing(status: str | None) -> bool:
    return bool(status) and not status.startswith("Successful")


# --------------------------------------------------------------------------
# Findings
# --------------------------------------------------------------------------

@dataclass
class Finding:
    rule: str
    level: str
    text: str
    hint: str = ""
    file: str | None = None
    line: int | None = None
    message: int | None = None        # 1-based message number across the inputs
    slice: dict | None = None
    count: int = 1

    @property
    def where(self) -> str:
        if self.line is None:
            return self.file or "stream"
        return f"{self.file}:{self.line}"

    def as_dict(self) -> dict:
        return {"rule": self.rule, "level": self.level, "where": self.where, "file": self.file, "line": self.line,
                "message": self.message, "text": self.text, "slice": self.slice, "hint": self.hint,
                "count": self.count}


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
        self._octet_rules(ctx, octets)
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
        self._envelope(ctx, octets, view, is_block)
        if view.hostname is not None:
            self.hostnames[view.hostname] += 1
        if is_block:
            self.blocks += 1
            if view.hostname is not None:
                self.block_hosts.setdefault(view.hostname, (record.source, record.line, number))
        else:
            self.event_messages += 1
            self._header(ctx, octets, view)
            pwg = self._pwg(ctx, octets, view)
            duu = pwg.get("DUU") if pwg is not None else None
            self._pp_record(view, pwg or {}, record, number)
            if duu and view.hostname is not None:
                first = self.first_host.setdefault(duu, (view.hostname, record.source, record.line, number))
                if first[0] != view.hostname and (duu, view.hostname) not in self.host_changes:
                    self.host_changes.add((duu, view.hostname))
                    ctx.add("C8", W, f"HOSTNAME {view.hostname} for device {duu}, which used {first[0]} at "
                            f"{first[1]}:{first[2]}", "keep one HOSTNAME per device", view.spans[2])
        self.findings += ctx.findings

    # -- A rules that look at the octets --------------------------------------

    def _octet_rules(self, ctx: _Context, octets: bytes) -> None:
        length = len(octets) + ctx.shift
        if length > MAX_OCTETS:
            ctx.add("A7", W, f"{length} octets, over {MAX_OCTETS}: receivers SHOULD take 2048, signers MUST "
                    "handle 2048", "shorten MSG (cut at a UTF-8 boundary) to stay within 2048 octets")
        elif length > UDP_ADVISED and self.options.transport == "udp":
            ctx.add("A7", I, f"{length} octets over UDP: receivers need only take {UDP_ADVISED} (RFC 5426)",
                    "keep UDP messages within 480 octets, or use TLS (RFC 5425)")
        match = _CONTROL.search(octets)
        if match:
            count = len(_CONTROL.findall(octets))
            ctx.add("A8", W, f"{count} control octet{'s' if count > 1 else ''} (first {match.group()!r} at "
                    f"offset {match.start() + ctx.shift}): collectors rewrite them and break signatures",
                    "escape or drop octets below 0x20", (max(match.start() - 8, 0), match.end() + 8), octets)

    # -- A rules on the parsed message (blocks too) ----------------------------

    def _envelope(self, ctx: _Context, octets: bytes, view: View, is_block: bool) -> None:
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
                    self._escapes(ctx, octets, param)
                if _BOM_TEXT in param.value:
                    ctx.add("F1" if not is_block else "A3", E, f"BOM inside the value of {element.sd_id} "
                            f"{param.name}", "the BOM may only start MSG", (param.start, param.end))
                if "\ufffd" in param.value:
                    ctx.add("F4", W, f"{param.name} contains U+FFFD: text was lost in a conversion to UTF-8",
                            "convert to UTF-8 from the real source encoding", (param.start, param.end))
        msg = view.msg
        if msg:
            self._msg_encoding(ctx, msg, view, is_block)
        if view.msg is not None and view.msg.startswith(b"[") and re.match(rb"\[[!-~]{1,32} [!-~]{1,32}=\"",
                                                                           view.msg):
            ctx.add("A3", W, "MSG starts with what looks like an SD element: an SP between elements ends "
                    "STRUCTURED-DATA", "write adjacent elements as '][' with no SP",
                    (view.msg_start - 2, view.msg_start + 24))

    def _escapes(self, ctx: _Context, octets: bytes, param: Param) -> None:
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

    def _msg_encoding(self, ctx: _Context, msg: bytes, view: View, is_block: bool) -> None:
        export = self.options.file_export
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

    # -- B and C --------------------------------------------------------------

    def _header(self, ctx: _Context, octets: bytes, view: View) -> None:
        spans = view.spans
        if view.pri is not None:
            facility, severity = divmod(view.pri, 8)
            if view.pri in (63, 64, 66):
                ctx.add("B3", E, f"PRI {view.pri} is facility {facility}, severity {severity}: the PWG example "
                        "PRI, whose arithmetic is wrong", f"PWG example PRI; did you mean "
                        f"{ {63: 51, 64: 52, 66: 54}[view.pri]}? (facility 6 x 8 + severity 3/4/6)", spans[0])
            else:
                if severity not in (3, 4, 6):
                    ctx.add("B1", E, f"severity {severity} (PRI {view.pri}): PWG devices MUST use 3, 4 or 6",
                            "use severity 3 (error), 4 (warning) or 6 (report)", spans[0])
                if facility != 6:
                    ctx.add("B2", W, f"facility {facility} (PRI {view.pri}): PWG devices SHOULD use 6 (lpr)",
                            "use PRI 51, 52 or 54", spans[0])
        timestamp = view.timestamp
        if timestamp == "-":
            ctx.add("C1", E, "TIMESTAMP is '-': the date and time MUST be present",
                    "write YYYY-MM-DDTHH:MM:SS.SSSSSSZ", spans[1])
        elif timestamp is not None:
            try:
                datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
                calendar_ok = True
            except ValueError:
                calendar_ok = False
                ctx.add("C2", E, f"TIMESTAMP {timestamp} is no calendar date", "write a real date and time",
                        spans[1])
            if calendar_ok and not _PWG_TIMESTAMP.match(timestamp):
                ctx.add("C3", W, f"TIMESTAMP {timestamp} is not the PWG template (UTC 'Z', exactly 6 fractional "
                        "digits)", "write YYYY-MM-DDTHH:MM:SS.SSSSSSZ in UTC", spans[1])
        hostname = view.hostname
        if hostname is not None:
            if hostname == "-":
                self._once(ctx, ("C5", hostname), "C5", W, "HOSTNAME is '-'", "find and send the device's FQDN",
                           spans[2])
            elif _is_ip(hostname):
                self._once(ctx, ("C6", hostname), "C6", I, f"HOSTNAME {hostname} is an IP address (allowed; the "
                           "FQDN is preferred)", "configure the device's FQDN", spans[2])
            elif not _is_fqdn(hostname):
                self._once(ctx, ("C4", hostname), "C4", E, f"HOSTNAME {hostname} is neither an FQDN (LDH labels, "
                           "at least one dot) nor an IP address", "send the FQDN or the IP address", spans[2])
        for index, name in ((3, "APP-NAME"), (4, "PROCID"), (5, "MSGID")):
            value = (view.app_name, view.procid, view.msgid)[index - 3]
            if value is not None and value != "-":
                self._once(ctx, ("C7", name, value), "C7", W, f"{name} is {value!r}; the PWG template has '-'",
                           f"send '-' as {name}", spans[index])

    def _once(self, ctx: _Context, key: tuple, rule: str, level: str, text: str, hint: str,
              span: tuple[int, int]) -> None:
        """A finding about a value that repeats in every message: once, counted."""
        known = self.aggregated.get(key)
        if known is not None:
            known.count += 1
            return
        self.aggregated[key] = ctx.add(rule, level, text, hint, span)

    # -- D and E --------------------------------------------------------------

    def _pwg(self, ctx: _Context, octets: bytes, view: View) -> dict[str, str] | None:
        element = next((e for e in view.elements if e.sd_id == "PWG"), None)
        if element is None:
            other = next((e for e in view.elements if e.sd_id.lower() == "pwg"), None)
            if other is None:
                ctx.add("D1", E, "no [PWG ...] element" + ("" if view.complete else " could be read"),
                        "every event message carries one [PWG NL=... DUU=... E=...] element")
                return None
            ctx.add("D1", E, f"SD-ID {other.sd_id!r}: the PWG SD-ID is 'PWG' (case-sensitive)", "write [PWG ...]",
                    (other.start, other.start + len(other.sd_id) + 1) if other.start >= 0 else None)
            element = other
        if self.pwg_seen is None:
            self.pwg_seen = Finding("D5", I, "the SD-ID PWG has no @PEN and is in no IANA registry: a strict "
                                    "RFC 5424 validator flags it; accepted here",
                                    "nothing to change; PWG 5110.3 defines it", self.source_label)
        values: dict[str, str] = {}
        spans: dict[str, tuple[int, int]] = {}
        for param in element.params:
            abbr = self._param_name(ctx, param)
            if abbr is None:
                continue
            if abbr in values:
                ctx.add("D4", E, f"{abbr} appears twice" + (f" (as {param.name})" if param.name != abbr else ""),
                        "send each parameter once", (param.start, param.end))
                continue
            values[abbr] = param.value
            spans[abbr] = (param.start, param.end)
        self._pwg_values(ctx, values, spans, view)
        return values

    def _param_name(self, ctx: _Context, param: Param) -> str | None:
        name = param.name
        if name in PARAMS:
            return name
        abbr = _PRIMARY.get(name)
        if abbr is None:
            for suffix, candidate in _SERVICE_PRIMARY:
                if name.endswith(suffix) and name[:-len(suffix)] in SERVICES:
                    abbr = candidate
                    break
        if abbr is not None:
            ctx.add("D3", W, f"long parameter name {name}", f"use the abbreviation {abbr} (480-octet line buffer)",
                    (param.start, param.end))
            return abbr
        close = next((a for a in PARAMS if a.lower() == name.lower()), None)
        ctx.add("D2", W, f"unknown PWG parameter {name}", f"names are case-sensitive: {close}" if close else
                "use the PWG 5110.3 names, or put vendor data in a name@PEN element", (param.start, param.end))
        return None

    def _pwg_values(self, ctx: _Context, v: dict[str, str], spans: dict[str, tuple[int, int]], view: View) -> None:
        add = ctx.add
        event = v.get("E")
        normal_event = None
        if event is not None:
            normal_event = self._event(ctx, event, spans["E"])
            self.events[event] += 1
        is_job = normal_event is not None and _is_job_event(normal_event)
        status = v.get("S")
        client = status is not None
        msg_text = view.msg[3:] if view.msg and view.msg.startswith(BOM) else view.msg

        # D10: the applicable parameters
        missing = ["DUU", "E", "URI"]
        if msg_text:
            missing.append("NL")
        if is_job:
            if not _failing(status):          # a refused request created no job
                missing += ["JID", "JUU"] + (["JS"] if "ST" not in v else [])
        elif event is not None:
            missing += ["IAJ", "ST", "SUU"]
        missing = [name for name in missing if name not in v]
        if missing:
            kind = "job" if is_job else "service" if event is not None else "event"
            add("D10", W, f"{kind} message without {', '.join(missing)}",
                "add the applicable PWG parameters (D.1)")
        for name in ("JA", "JAUN", "JAUU"):
            if name in v and not v[name].strip():
                add("D10", E, f'{name}="{v[name]}": it MUST be omitted when unset or empty',
                    f"leave {name} out", spans[name])
        # D11
        if event is not None:
            wrong = [n for n in (SERVICE_PARAMS if is_job else JOB_PARAMS) if n in v]
            if wrong:
                add("D11", W, f"{'job' if is_job else 'service'} message with "
                    f"{'service' if is_job else 'job'} parameter{'s' if len(wrong) > 1 else ''} {', '.join(wrong)}",
                    "the job state belongs in JS (and JR), not ST/SR" if is_job else
                    "job parameters belong to <service>Job... events", spans[wrong[0]])
        # D12, D13, D14
        if client != ("UH" in v):
            add("D12", E, "S without UH" if client else "UH without S",
                "a client request carries S and UH; an internal event neither",
                spans.get("S") or spans.get("UH"))
        if not client:
            present = [n for n in USER_PARAMS if n in v]
            relaxed = [n for n in present if self.options.allow_job_owner and is_job and n in ("UN", "UU")]
            strict = [n for n in present if n not in relaxed]
            for names, level in ((strict, E), (relaxed, W)):
                if names:
                    add("D13", level, f"internal event (no S) with {', '.join(names)}: MUST NOT for internally "
                        "generated events", "drop the user parameters, or log the client request with S and UH",
                        spans[names[0]])
        else:
            if ("UN" in v) != ("UR" in v):
                add("D14", E, "UN without UR" if "UN" in v else "UR without UN",
                    "an authenticated client request carries both UN and UR", spans.get("UN") or spans.get("UR"))
        if "UR" in v and not _is_title(v["UR"]):
            suggestion = to_title(v["UR"]) if v["UR"].strip() else "User"
            add("D14", W, f'UR="{v["UR"]}" is not a TitleCase role', f"use {suggestion}", spans["UR"])
        # D15
        if status is not None:
            if not _is_title(status):
                add("D15", E, f'S="{status}" is not a TitleCase status code',
                    f"use {to_title(status) or 'SuccessfulOk'}", spans["S"])
            elif status not in IPP_STATUS:
                add("D15", I, f'S="{status}" is not an IANA IPP status code (a PWG 5108.1 StatusString?)',
                    "prefer the IPP status code names", spans["S"])
        # D16, D17
        if "ST" in v and v["ST"] not in SERVICE_STATES:
            hint = "job states go in JS" if v["ST"] in JOB_STATES else f"one of {', '.join(SERVICE_STATES)}"
            add("D16", E, f'ST="{v["ST"]}" is not a service state', hint, spans["ST"])
        if "JS" in v and v["JS"] not in JOB_STATES:
            add("D16", E, f'JS="{v["JS"]}" is not a job state', f"one of {', '.join(JOB_STATES)}", spans["JS"])
        if "IAJ" in v and v["IAJ"] not in ("T", "F"):
            add("D17", E, f'IAJ="{v["IAJ"]}": only T or F', "write T or F", spans["IAJ"])
        # D18
        for name in ("SR", "JR"):
            if name in v:
                self._reasons(ctx, name, v[name], spans[name])
        # D19, D21
        for name in ("DUU", "SUU", "JUU"):
            if name in v:
                self._uuid(ctx, name, v[name], spans[name])
        if "UU" in v:
            if v["UU"].strip().lower().startswith("urn:uuid:"):
                self._uuid(ctx, "UU", v["UU"], spans["UU"])
            else:
                self._uri(ctx, "UU", v["UU"], spans["UU"])
        for name in ("URI", "JAUU"):
            if name in v and v[name].strip():
                self._uri(ctx, name, v[name], spans[name])
        if "JD" in v:
            for item in v["JD"].split(","):
                if not _URI.match(item):
                    self._uri(ctx, "JD", item, spans["JD"])
                    break
        # D20
        for name in ("JID", "JIM", "JIC"):
            if name in v:
                value = v[name]
                if not re.fullmatch(r"0|[1-9][0-9]*", value):
                    add("D20", E, f'{name}="{value}" is not a decimal integer without leading zeros',
                        "write the plain decimal number", spans[name])
                elif name == "JID" and not 1 <= int(value) <= 2147483647:
                    add("D20", E, f'JID="{value}" is outside 1..2147483647', "IPP job-id is 1..2^31-1",
                        spans[name])
        # D22
        if "NL" in v and not _LANGUAGE.match(v["NL"]):
            add("D22", E, f'NL="{v["NL"]}" is not a language tag', "write a tag such as en-US", spans["NL"])
        # B4
        severity = view.pri % 8 if view.pri is not None else None
        if severity in (3, 4, 6) and view.pri not in (63, 64, 66):
            reasons = [to_title(r) for name in ("SR", "JR") for r in v.get(name, "").split(",") if r.strip()]
            expected = (3 if any(r.endswith("Error") for r in reasons) else
                        4 if any(r.endswith("Warning") for r in reasons) else
                        6 if any(r.endswith("Report") for r in reasons) else None)
            if expected is not None and expected != severity:
                add("B4", W, f"severity {severity}, but the reasons ({', '.join(reasons)}) suggest {expected}",
                    "severity 3 for ...Error, 4 for ...Warning, 6 for ...Report reasons",
                    view.spans[0] if view.spans else None)

    def _event(self, ctx: _Context, event: str, span: tuple[int, int]) -> str:
        if not _is_title(event):
            suggestion = to_title(event)
            ctx.add("E1", E, f'E="{event}" is not a TitleCase event name', f"use {suggestion}" if suggestion
                    else "name the event, e.g. PrintJobCompleted", span)
            return suggestion
        if _event_parts(event):
            return event
        if event in ALERT_EVENTS:
            ctx.add("E3", I, f'E="{event}" is a prtAlertCodeTC label', "fine; PWG allows these", span)
            return event
        hint = "use <service><event>, e.g. PrintJobCompleted"
        for service in SERVICES:
            rest = event[len(service):]
            if event.startswith(service) and rest.startswith("Printer") and rest[7:] in SUFFIXES:
                hint = f"drop 'Printer' (E5): {service}{rest[7:]}"
                break
        else:
            if event in SUFFIXES:
                hint = f"prepend the service (E5), e.g. Print{event}"
        ctx.add("E2", W, f'E="{event}" is neither <service><suffix> nor a prtAlertCodeTC label', hint, span)
        return event

    def _reasons(self, ctx: _Context, name: str, value: str, span: tuple[int, int]) -> None:
        if value == "":
            return
        if not value.strip():
            ctx.add("D18", E, f'{name}="{value}" is blank', f'write {name}="" (or leave {name} out) for none',
                    span)
            return
        bad, none = [], False
        for item in value.split(","):
            if item in ("none", "None"):
                none = True
            elif not _is_title(item):
                bad.append(item)
        if bad:
            hyphen = [b for b in bad if "-" in b or "_" in b]
            ctx.add("D18", E, f"{name} has {'hyphenated IPP keywords' if hyphen else 'non-TitleCase reasons'}: "
                    f"{', '.join(repr(b) for b in bad)}",
                    f"use {','.join(to_title(b) for b in bad)}" + (" (no spaces after commas)"
                                                                   if any(b != b.strip() for b in bad) else ""),
                    span)
        elif none:
            ctx.add("D18", W, f'{name}="{value}": none is written as an empty string',
                    f'write {name}="" or leave {name} out', span)

    def _uuid(self, ctx: _Context, name: str, value: str, span: tuple[int, int]) -> None:
        octets = len(value.encode("utf-8"))
        if value != value.strip():
            ctx.add("D19", E, f"{name} has whitespace around the UUID ({octets} octets, not 45)",
                    f'write {name}="{value.strip()}"', span)
        elif not _UUID.match(value):
            ctx.add("D19", E, f'{name}="{value}" is not a 45-octet urn:uuid URI', "write urn:uuid: and 8-4-4-4-12 "
                    "lowercase hex digits", span)
        elif value != value.lower():
            ctx.add("D19", W, f"{name} has uppercase hex", f'write {name}="{value.lower()}"', span)

    def _uri(self, ctx: _Context, name: str, value: str, span: tuple[int, int]) -> None:
        if not _URI.match(value):
            ctx.add("D21", E, f'{name}="{value}" is not an absolute URI' + (" (whitespace around it)"
                                                                              if value != value.strip() else ""),
                    "write scheme:rest with no whitespace, e.g. ipps://host/ipp/print or mailto:user@host", span)

    # -- HCD PP: per record ---------------------------------------------------

    def _pp_record(self, view: View, v: dict[str, str], record: Record, number: int) -> None:
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
                known = self._catalog.get(int(vp["event"], 16))
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
            self.pp[c]["seen"] += 1
            self.pp[c]["events"][event or vp.get("event", "?")] += 1
        for c in candidates - classes:
            self.pp[c]["candidates"] += 1
            self.pp[c]["events"][event or vp.get("event", "?")] += 1
        for c in classes & set(_ACTED_CLASSES):
            if status is None and "JS" not in v and outcome is None:
                self.pp_gaps["PP-2"].append((c, where))
            if not ({"UN", "UU"} & v.keys()) and not (vp.get("user") or vp.get("name")) \
                    and vp.get("subject") != "system":
                self.pp_gaps["PP-3"].append((c, where))
        if "E1" in classes:
            service = _event_parts(event)
            if not vp.get("job_type") and (service is None or service[0] == "System"):
                self.pp_gaps["PP-4"].append(("E1", where))
        if "E7" in classes | candidates:
            msg = view.msg[3:] if view.msg and view.msg.startswith(BOM) else view.msg
            if not vp.get("reason") and not (msg or b"").strip():
                self.pp_gaps["PP-5"].append(("E7", where))
        if vendor is not None and vp.get("seq", "").isdigit():
            key = (view.hostname, vendor.sd_id, v.get("DUU"))
            self.sequences.setdefault(key, []).append((int(vp["seq"]), record.source, record.line))

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
            self._signatures(verification)
        self._pp_stream()

    def _signatures(self, report: dict) -> None:
        label = self.source_label
        for finding in report["findings"] + report["warnings"]:
            kind = finding["kind"]
            level = _VERIFY_LEVELS.get(kind, W)
            where = finding["where"][0] if finding["where"] else None
            file, line = _split_where(where) if where else (label, None)
            if kind == "unverifiable_group" and finding.get("cause") in _TAMPER_CAUSES:
                level = E
            hint = _VERIFY_HINTS.get(kind, "see `hcdaudit verify syslog` for the details")
            if kind == "untrusted_key" and not self.options.trust:
                hint = "the signing key is not the trusted one: check the device's key"
            f = Finding("H7", level, f"RFC 5848 {kind.replace('_', ' ')}: {finding['detail']}", hint, file, line)
            f.count = max(len(finding["where"]), 1)
            self.findings.append(f)
        groups = report["groups"]
        self.findings.append(Finding(
            "H7", I, f"RFC 5848: {report['verified']} of {report['normal_messages']} messages verified, "
            f"{report['blocks']} blocks, {len(groups)} signer session{'s' if len(groups) != 1 else ''} "
            f"({', '.join(sorted({g['key_trust'] for g in groups})) or 'no key'})",
            "keys checked against the --trust anchors given" if self.options.trust else
            "pass --trust with the device's certificate to anchor the key", label))

    def _pp_stream(self) -> None:
        label = self.source_label
        for name, info in self.pp.items():
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
            self.findings.append(Finding("PP-1", I, text, "a stream shows presence, not absence: trigger the "
                                         "event on the device and capture again", label))
        texts = {
            "PP-2": (W, "record{s} of {c} without an outcome (no S, JS or vendor outcome)",
                     "FAU_GEN.1.2: record success or failure in every record"),
            "PP-3": (I, "record{s} of {c} name no user (no UN, UU or vendor subject)",
                     "FAU_GEN.2: tie each record to the user who caused it (a vendor element may carry the "
                     "owner of an internal event)"),
            "PP-4": (W, "job completion record{s} without the type of job (service System, no job_type)",
                     "FAU_GEN.1.2 / FDP_ACF.1: say which kind of job (Print, Copy, Scan, FaxIn, ...)"),
            "PP-5": (W, "E7 record{s} without a reason for the failure",
                     "FTP_ITC.1: record why the session failed (MSG text or a vendor reason)"),
        }
        for rule, gaps in self.pp_gaps.items():
            by_class: dict[str, list] = {}
            for c, where in gaps:
                by_class.setdefault(c, []).append(where)
            level, text, hint = texts[rule]
            for c, places in sorted(by_class.items()):
                file, line, _ = places[0]
                f = Finding(rule, level, f"{len(places)} " + text.format(s="s" if len(places) > 1 else "", c=c)
                            + f" (first at {file}:{line})", hint, label)
                f.count = len(places)
                self.findings.append(f)
        for (host, sd_id, duu), seqs in self.sequences.items():
            numbers = sorted({s for s, *_ in seqs})
            holes = [(a + 1, b - 1) for a, b in zip(numbers, numbers[1:]) if b > a + 1]
            if holes:
                lost = sum(b - a + 1 for a, b in holes)
                shown = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in holes[:8])
                f = Finding("PP-7", W, f"{lost} record{'s' if lost > 1 else ''} of {host} never reached the "
                            f"collector ({sd_id} seq {shown}{', ...' if len(holes) > 8 else ''})",
                            "FAU_STG_EXT.1: deliver every record (resend after a loss, or use TLS/RELP)",
                            self.source_label)
                f.count = lost
                self.findings.append(f)


# RFC 5848 verifier findings as H7 levels (hcdaudit_host.rules.rfc5848). Those
# that mean tampering are errors; unverifiable_group is an error only for a
# missing certificate block or an unsupported VER (its `cause`).
_VERIFY_LEVELS = {kind: rule.level if rule.level in (E, W, I) else W
                  for kind, rule in rule_table.VERIFIER_KINDS.items()}
_TAMPER_CAUSES = ("unsupported_ver", "no_certificate_block")
_VERIFY_HINTS = {
    "altered": "the message differs from what was signed: find who changed it (collector templates, relays)",
    "unanchored_key": "pass --trust with the device's certificate or public key",
    "untrusted_key": "the signing key is not the trusted one: check --trust and the device's key",
    "missing": "signed messages never arrived: use a reliable transport (TLS, RELP)",
    "unsigned": "messages no valid signature block covers: injected, altered, or sent after the last block",
    "rsid_zero": "RFC 5848 §4.2.2: keep RSID in non-volatile memory so that sessions can be told apart",
    "unknown_sg_scheme": "RFC 5848 §4.2.3: SG=3 groups are private; check with the vendor what each group holds",
    "reserved_sg": "RFC 5848 §4.2.3: use SG 0-3",
    "conflicting_certificate": "two payload blocks under one signer key: a forged or equivocating signer",
    "malformed": "signature/certificate blocks must follow RFC 5848 §4.2 / §5.3",
}


def _split_where(where: str) -> tuple[str, int | None]:
    file, _, line = where.rpartition(":")
    return (file, int(line)) if file and line.isdigit() else (where, None)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _is_fqdn(host: str) -> bool:
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    return len(host) <= 255 and len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


def _catalog_classes() -> dict[int, tuple[str, ...]]:
    """Our event codes -> the PP event classes of the catalogue's PP column."""
    try:
        from hcdaudit.catalog_data import E_CODE, E_PP, events
    except ImportError:          # the firmware package is not on the path: PWG mapping only
        return {}
    return {row[E_CODE]: tuple(re.findall(r"\b(E[0-7])\b", row[E_PP])) for row in events()}


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
        except Exception:        # the worker died (no /dev/shm, killed ...): verify here instead
            pass
        finally:
            executor.shutdown(cancel_futures=True)
    return sv.verify(paths, trust or None)


def _report(checker: Checker, verification: dict | None, options: Options) -> dict:
    findings = sorted(checker.findings, key=lambda f: (f.message is None, f.message or 0,
                                                       LEVEL_ORDER[f.level], _rule_key(f.rule)))
    rules: dict[str, dict[str, int]] = {}
    levels = Counter()
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
        self.bar = None
        self.task = None

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
                except (socket.timeout, BlockingIOError, InterruptedError):
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
    for column, justify in (("Rule", "left"), ("Check", "left"), ("E", "right"), ("W", "right"), ("I", "right")):
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
