"""PWG 5110.3 (PWG Common Log Format) rules: checklist §B-§F and §H
(shared/specs/pwg-5110.3-checklist.md; the spec text is
shared/seeds/pwg-common-log-format.txt). Messages carrying RFC 5848 blocks
get only the RFC 5424 rules."""
from __future__ import annotations

from . import JOB, REQUEST, SERVICE, Rule, example_line

SPEC = "PWG 5110.3"
BOM = "\ufeff"

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
         "value is E.", _svc(BOM + "System", "System")),
    Rule("F2", "E", SPEC, "§8; checklist F2", "no misplaced BOM in a message",
         "No BOM before '<' and no second BOM inside MSG (stream form).", (BOM.encode() + SERVICE,)),
    Rule("F3", "E", SPEC, "§8 file export; checklist F3", "export file: BOM only at file start",
         "In a file export the BOM is optional and may appear only at the start of the file. A file whose one "
         "BOM is at its start and whose messages carry none is taken as a file export by itself "
         "(--file-export forces it).",
         (BOM.encode() + SERVICE.replace(BOM.encode(), b""), BOM.encode() + SERVICE.replace(BOM.encode(), b"")),
         options={"file_export": True}),
    Rule("F4", "E", SPEC, "§8; checklist F4", "UTF-8, not Latin-1",
         "Devices MUST support UTF-8: text is UTF-8, not Latin-1 or '?'.",
         _svc(BOM.encode() + b"System restarted.", b"Syst\xe8me")),
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
