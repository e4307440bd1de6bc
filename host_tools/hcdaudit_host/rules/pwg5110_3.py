"""PWG 5110.3 (PWG Common Log Format) rules: checklist §B-§F and §H
(shared/specs/pwg-5110.3-checklist.md; the spec text is
shared/seeds/pwg-common-log-format.txt). Messages carrying RFC 5848 blocks
get only the RFC 5424 rules."""
from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import TYPE_CHECKING

from ..findings import E, Finding, I, W
from ..rfc5424 import BOM, Param, View
from . import JOB, REQUEST, SERVICE, Rule, example_line

if TYPE_CHECKING:
    from ..conformance import Checker, _Context

SPEC = "PWG 5110.3"
_BOM_CHAR = "\ufeff"

_FORMAT = ("\"The general message format is as follows: <PRI>1 YYYY-MM-DDTHH:MM:SS.SSSSSSZ HOSTNAME - - - "
           "[PWG PARAMETER=\"VALUE\" ...] MESSAGE\" and \"Imaging Devices MUST use this format both for internal "
           "logging and for logs distributed off the device\" (General Message Format).")


def _svc(old: str | bytes, new: str | bytes) -> tuple[bytes, ...]:
    return (example_line(SERVICE, old, new),)


RULES = (
    Rule("B1", "E", SPEC, "General Message Format; checklist B1", "severity 3, 4 or 6",
         "\"Imaging Devices MUST use the following severity codes\": 3 error, 4 warning, 6 informational.",
         _svc("<54>", "<55>")),
    Rule("B2", "W", SPEC, "General Message Format; checklist B2", "facility 6 (PRI 51/52/54)",
         "\"Imaging Devices SHOULD use facility code 6 (line printer subsystem)\": PRI 51, 52, 54.",
         _svc("<54>", "<14>")),
    Rule("B3", "E", SPEC, "General Message Format; checklist B3", "PWG example PRI 63/64/66",
         "The spec's PRI 63/64/66 is an arithmetic slip (6 x 8 + 3/4/6 = 51/52/54); 63/64/66 decode to severities "
         "B1 forbids. Reported with the 'did you mean' hint.", _svc("<54>", "<66>")),
    Rule("B4", "W", SPEC, "Table 1 (severity <-> IPP suffix); checklist B4", "severity matches the reason suffixes",
         "Table 1 maps severity 3/4/6 to the IPP suffixes -error/-warning/-report; a reason ending in Warning "
         "with severity 6 disagrees.", _svc('SR=""', 'SR="MediaEmptyWarning"')),
    Rule("C1", "E", SPEC, "General Message Format; checklist C1", "TIMESTAMP present",
         "\"The date (YYYY-MM-DD) and time (HH:MM:SS.SSSSSSZ) MUST be present\": NILVALUE is a violation.",
         _svc("2026-03-01T10:00:01.000000Z", "-")),
    Rule("C2", "E", SPEC, "RFC 5424 §6.2.3; checklist C2", "TIMESTAMP valid RFC 5424",
         "A valid RFC 3339 date and time: uppercase T and Z, 1-6 fractional digits, a real calendar date.",
         _svc("2026-03-01T10", "2026-02-30T10")),
    Rule("C3", "W", SPEC, "General Message Format; checklist C3", "TIMESTAMP as the PWG template",
         "The template's TIMESTAMP is YYYY-MM-DDTHH:MM:SS.SSSSSSZ: UTC with exactly 6 fractional digits. W from "
         "the template, E under --strict.", _svc(".000000Z", ".000Z"), strict=True),
    Rule("C4", "E", SPEC, "General Message Format; checklist C4", "HOSTNAME FQDN or IP",
         "\"HOSTNAME is the FQDN or numeric IP address used by the service.\"",
         _svc(" printer.example.com - ", " printer_1 - ")),
    Rule("C5", "W", SPEC, "General Message Format; checklist C5", "HOSTNAME '-'",
         "\"The value '-' MAY be used; however, Imaging Devices SHOULD make reasonable attempts to discover their "
         "FQDN.\"", _svc(" printer.example.com - ", " - - ")),
    Rule("C6", "I", SPEC, "General Message Format; checklist C6", "HOSTNAME is an IP address",
         "An IP address is allowed; the FQDN is preferred.", _svc(" printer.example.com - ", " 192.0.2.10 - ")),
    Rule("C7", "W", SPEC, "General Message Format; checklist C7", "APP-NAME PROCID MSGID '-'",
         _FORMAT + " The template has '-' for APP-NAME, PROCID and MSGID, so a device sends '-' there. W from the "
         "template, E under --strict. (hcdaudit's own messages send '-'; its RFC 5848 blocks, which the PWG rules "
         "do not cover, keep the signer's APP-NAME as RFC 5848 §4.2 asks.)",
         _svc(" printer.example.com - - - ", " printer.example.com printerd - - "), strict=True),
    Rule("C8", "W", SPEC, "General Message Format; RFC 5848 §4.2; checklist C8", "one HOSTNAME per device",
         "One device (DUU) keeps one HOSTNAME, and its RFC 5848 blocks share it.",
         (SERVICE, example_line(SERVICE, " printer.example.com - ", " printer2.example.com - "))),
    Rule("D1", "E", SPEC, "PWG Common Log Format; checklist D1", "exactly one [PWG] element",
         "Every event message carries one SD element with the SD-ID PWG (case-sensitive).",
         _svc("[PWG ", "[Pwg ")),
    Rule("D2", "W", SPEC, "PWG Parameter Definitions; checklist D2", "known parameter names",
         "Parameter names are a primary name or its abbreviation from the parameter definitions.",
         _svc(' IAJ="T"', ' FOO="1" IAJ="T"')),
    Rule("D3", "W", SPEC, "General Message Format; checklist D3", "abbreviated names",
         "\"Because the Syslog protocol only requires a server to support a 480 byte line buffer, Imaging "
         "Devices SHOULD use the abbreviated parameter names.\"", _svc(' IAJ="T"', ' SystemIsAcceptingJobs="T"')),
    Rule("D4", "E", SPEC, "checklist D4", "no repeated parameter",
         "A parameter appears once (long and short form count as the same): PWG gives a repeat no meaning.",
         _svc(' IAJ="T"', ' IAJ="T" IAJ="T"')),
    Rule("D5", "I", SPEC, "checklist D5", "PWG SD-ID has no @PEN",
         "The SD-ID PWG has no @PEN and is in no IANA registry: a strict RFC 5424 validator flags it; accepted "
         "here. Reported once for any stream with a [PWG] element.", (SERVICE,)),
    Rule("D10", "E/W", SPEC, "Service Message Format, Job Message Format, §5.1-§5.3; checklist D10",
         "applicable parameters present",
         "\"Every service message MUST provide the applicable general parameters defined in section 5.1 and the "
         "applicable service parameters defined in section 5.2\" (and a job message those of 5.1 and 5.3). The "
         "spec does not define 'applicable' further; its own service examples, an InternalError among them, all "
         "carry IAJ, ST, SR and SUU, so the checker asks DUU, E, URI, NL (with MSG text) and IAJ, ST, SUU of "
         "every service message, JID, JUU and JS of a job message: W per missing parameter. E: JA, JAUN, JAUU "
         "present but empty (\"MUST be omitted\").", _svc(' ST="Idle"', "")),
    Rule("D11", "W", SPEC, "§5.2, §5.3; checklist D11", "service vs job parameters",
         "A service message carries no job parameters; a job message puts its state in JS, not ST.",
         _svc(' IAJ="T"', ' IAJ="T" JID="5"')),
    Rule("D12", "E", SPEC, "Status, UserHost; checklist D12", "S and UH together",
         "S and UH: \"MUST be included when logging Client requests and MUST NOT be included for "
         "internally-generated events\": one without the other is E.",
         _svc('E="SystemRestarted"', 'E="SystemRestarted" S="SuccessfulOk"')),
    Rule("D13", "E", SPEC, "UserName, UserRole, UserURI; checklist D13", "no user parameters on internal events",
         "UN, UR, UU \"MUST NOT be included for internally-generated events\" (--allow-job-owner: W for UN/UU on "
         "internal job events).", _svc(' IAJ="T"', ' UN="alice" IAJ="T"')),
    Rule("D14", "E/W", SPEC, "UserName, UserRole; checklist D14", "UN and UR together",
         "UN and UR both \"MUST be included when logging authenticated Client requests\": one without the other "
         "is E; a role that is not TitleCase is W.", (example_line(REQUEST, ' UR="User"', ""),)),
    Rule("D15", "E/I", SPEC, "Status; checklist D15", "S TitleCase status",
         "S is a TitleCase IPP status code name or a PWG 5108.1 StatusString; unknown to IPP is I.",
         (example_line(REQUEST, 'S="SuccessfulOk"', 'S="successful-ok"'),)),
    Rule("D16", "E", SPEC, "<service>State, JobState; checklist D16", "ST / JS values",
         "ST is one of Unknown, Down, Testing, Idle, Processing, Stopped; JS one of the seven job states.",
         _svc('ST="Idle"', 'ST="Sleeping"')),
    Rule("D17", "E", SPEC, "<service>IsAcceptingJobs; checklist D17", "IAJ T or F",
         "IAJ \"specifies a boolean value indicating that the service is (T) or is not (F) accepting new jobs\".",
         _svc('IAJ="T"', 'IAJ="yes"')),
    Rule("D18", "E/W", SPEC, "<service>StateReasons, JobStateReasons; checklist D18", "SR / JR TitleCase reasons",
         "\"zero or more TitleCase reasons ... separated by commas\"; none is an empty string or no SR.",
         _svc('SR=""', 'SR="media-empty-warning"')),
    Rule("D19", "E/W", SPEC, "DeviceUUID, <service>UUID, JobUUID; checklist D19", "45-octet urn:uuid",
         "\"the globally-unique 45-octet urn:uuid: URI\": no whitespace; uppercase hex is W.",
         _svc('DUU="urn', 'DUU=" urn')),
    Rule("D20", "E", SPEC, "JobID, JobImagesCompleted, JobImpressionsCompleted; checklist D20", "integers",
         "JID, JIM, JIC are decimal integers without leading zeros; JID 1..2^31-1.",
         (example_line(JOB, 'JIC="42"', 'JIC="042"'),)),
    Rule("D21", "E", SPEC, "<service>URI, UserURI, JobDestinationURI; checklist D21", "absolute URIs",
         "URI, UU, JD items and JAUU are absolute URIs with a scheme and no whitespace.",
         _svc('URI="ipp://printer.example.com/ipp/print"', 'URI="printer.example.com/ipp"')),
    Rule("D22", "E", SPEC, "LogNaturalLanguage; checklist D22", "NL language tag",
         "NL is a language tag (RFC 5646 syntax, en-US style).", _svc('NL="en-US"', 'NL="english_US"')),
    Rule("E1", "E", SPEC, "Event; checklist E1", "E TitleCase",
         "\"Event names are TitleCase keywords.\"", _svc('E="SystemRestarted"', 'E="system-restarted"')),
    Rule("E2", "W", SPEC, "Event; checklist E2", "E is <service><suffix>",
         "Standard names are <service><suffix> with the listed services and suffixes.",
         _svc('E="SystemRestarted"', 'E="SystemRebooted"')),
    Rule("E3", "I", SPEC, "Event; checklist E3", "E from prtAlertCodeTC",
         "\"Additional event names may also come from the IANA Printer MIB registry for prtAlertCodeTC\".",
         _svc('E="SystemRestarted"', 'E="CoverOpen"')),
    Rule("F1", "E/W", SPEC, "§8 (RFC 5424 §6.4); checklist F1", "BOM before a UTF-8 MSG",
         "A UTF-8 MSG starts with the BOM; a pure-ASCII MSG without it is W; a BOM inside the header or an SD "
         "value is E.", _svc(_BOM_CHAR + "System", "System")),
    Rule("F2", "E", SPEC, "§8; checklist F2", "no misplaced BOM in a message",
         "No BOM before '<' and no second BOM inside MSG (stream form).", (BOM + SERVICE,)),
    Rule("F3", "E", SPEC, "§8 file export; checklist F3", "export file: BOM only at file start",
         "In a file export the BOM is optional and may appear only at the start of the file. A file whose one "
         "BOM is at its start and whose messages carry none is taken as a file export by itself "
         "(--file-export forces it).",
         (BOM + SERVICE.replace(BOM, b""), BOM + SERVICE.replace(BOM, b"")),
         options={"file_export": True}),
    Rule("F4", "E", SPEC, "§8; checklist F4", "UTF-8, not Latin-1",
         "Devices MUST support UTF-8: text is UTF-8, not Latin-1 or '?'.",
         _svc(BOM + b"System restarted.", b"Syst\xe8me")),
    Rule("H2", "I", SPEC, "Conformance Requirements 2; checklist H2", "stored log protected",
         "Protection of the log stored on the device is not visible in a stream: reported 'not checked' for "
         "every stream (verify store checks it).", (SERVICE,)),
    Rule("H3", "E/W/I", SPEC, "Conformance Requirements 3, §9; checklist H3", "log data protected in transit",
         "Log data in transit is protected from disclosure and modification: a file carries no transport "
         "metadata (I); --listen udp: E when nothing verifies, W when only RFC 5848 protects it.", (SERVICE,)),
    Rule("H7", "E/W/I", SPEC, "Conformance Requirements 7, §9; RFC 5848", "RFC 5848 signed syslog",
         "\"SHOULD support RFC 5848 signed syslog\": an unsigned stream is W; with blocks, each RFC 5848 verifier "
         "finding below is reported as H7 at its level, plus one I with the verification summary.", (SERVICE,)),
)


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------

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
_TITLE = re.compile(r"[A-Z][A-Za-z0-9]*\Z")
_UUID = re.compile(r"urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+\Z")
_LANGUAGE = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*\Z")
_PWG_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\Z")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)\Z")

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
    return status is not None and status != "" and not status.startswith("Successful")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _is_fqdn(host: str) -> bool:
    name = host.removesuffix(".")
    labels = name.split(".")
    return len(host) <= 255 and len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


def header(checker: Checker, ctx: _Context, octets: bytes, view: View) -> None:
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
            datetime.fromisoformat(timestamp)          # Python 3.11 reads "Z"
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
            checker._once(ctx, ("C5", hostname), "C5", W, "HOSTNAME is '-'", "find and send the device's FQDN",
                       spans[2])
        elif _is_ip(hostname):
            checker._once(ctx, ("C6", hostname), "C6", I, f"HOSTNAME {hostname} is an IP address (allowed; the "
                       "FQDN is preferred)", "configure the device's FQDN", spans[2])
        elif not _is_fqdn(hostname):
            checker._once(ctx, ("C4", hostname), "C4", E, f"HOSTNAME {hostname} is neither an FQDN (LDH labels, "
                       "at least one dot) nor an IP address", "send the FQDN or the IP address", spans[2])
    for index, name in ((3, "APP-NAME"), (4, "PROCID"), (5, "MSGID")):
        value = (view.app_name, view.procid, view.msgid)[index - 3]
        if value is not None and value != "-":
            checker._once(ctx, ("C7", name, value), "C7", W, f"{name} is {value!r}; the PWG template has '-'",
                       f"send '-' as {name}", spans[index])


def pwg(checker: Checker, ctx: _Context, octets: bytes, view: View) -> dict[str, str] | None:
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
    if checker.pwg_seen is None:
        checker.pwg_seen = Finding("D5", I, "the SD-ID PWG has no @PEN and is in no IANA registry: a strict "
                                "RFC 5424 validator flags it; accepted here",
                                "nothing to change; PWG 5110.3 defines it", checker.source_label)
    values: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    for param in element.params:
        abbr = _param_name(checker, ctx, param)
        if abbr is None:
            continue
        if abbr in values:
            ctx.add("D4", E, f"{abbr} appears twice" + (f" (as {param.name})" if param.name != abbr else ""),
                    "send each parameter once", (param.start, param.end))
            continue
        values[abbr] = param.value
        spans[abbr] = (param.start, param.end)
    _pwg_values(checker, ctx, values, spans, view)
    return values


def _param_name(checker: Checker, ctx: _Context, param: Param) -> str | None:
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


def _pwg_values(checker: Checker, ctx: _Context, v: dict[str, str], spans: dict[str, tuple[int, int]], view: View) -> None:
    add = ctx.add
    event = v.get("E")
    normal_event = None
    if event is not None:
        normal_event = _event(checker, ctx, event, spans["E"])
        checker.events[event] += 1
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
        relaxed = [n for n in present if checker.options.allow_job_owner and is_job and n in ("UN", "UU")]
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
            _reasons(checker, ctx, name, v[name], spans[name])
    # D19, D21
    for name in ("DUU", "SUU", "JUU"):
        if name in v:
            _uuid(checker, ctx, name, v[name], spans[name])
    if "UU" in v:
        if v["UU"].strip().lower().startswith("urn:uuid:"):
            _uuid(checker, ctx, "UU", v["UU"], spans["UU"])
        else:
            _uri(checker, ctx, "UU", v["UU"], spans["UU"])
    for name in ("URI", "JAUU"):
        if name in v and v[name].strip():
            _uri(checker, ctx, name, v[name], spans[name])
    if "JD" in v:
        for item in v["JD"].split(","):
            if not _URI.match(item):
                _uri(checker, ctx, "JD", item, spans["JD"])
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


def _event(checker: Checker, ctx: _Context, event: str, span: tuple[int, int]) -> str:
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


def _reasons(checker: Checker, ctx: _Context, name: str, value: str, span: tuple[int, int]) -> None:
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


def _uuid(checker: Checker, ctx: _Context, name: str, value: str, span: tuple[int, int]) -> None:
    octets = len(value.encode("utf-8"))
    if value != value.strip():
        ctx.add("D19", E, f"{name} has whitespace around the UUID ({octets} octets, not 45)",
                f'write {name}="{value.strip()}"', span)
    elif not _UUID.match(value):
        ctx.add("D19", E, f'{name}="{value}" is not a 45-octet urn:uuid URI', "write urn:uuid: and 8-4-4-4-12 "
                "lowercase hex digits", span)
    elif value != value.lower():
        ctx.add("D19", W, f"{name} has uppercase hex", f'write {name}="{value.lower()}"', span)


def _uri(checker: Checker, ctx: _Context, name: str, value: str, span: tuple[int, int]) -> None:
    if not _URI.match(value):
        ctx.add("D21", E, f'{name}="{value}" is not an absolute URI' + (" (whitespace around it)"
                                                                          if value != value.strip() else ""),
                "write scheme:rest with no whitespace, e.g. ipps://host/ipp/print or mailto:user@host", span)
