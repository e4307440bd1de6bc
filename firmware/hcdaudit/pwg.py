# A decoded record's PWG 5110.3 [PWG ...] parameters, and the record helpers
# every format shares. The device's syslog formatter needs only this module;
# the export formats (formats.py) build on it. `record` is the dict
# record.decode() returns; an unknown event or item code (a newer firmware)
# is rendered by number, never an exception.
from hcdaudit import catalog, subject
from hcdaudit.catalog_data import OUTCOMES

RESTING_STATE = "Idle"     # <service>State of a service message whose event implies none

# PWG JobState / JobStateReasons per job outcome (hcd-audit-requirements §3.7).
_JOB_STATE = ("Completed", "Aborted", "Aborted", "Aborted", "Completed", "Completed", "Canceled", "Canceled",
              "Aborted", "")
_JOB_REASON = ("", "AbortedBySystem", "AbortedBySystem", "AbortedBySystem", "", "JobCompletedWithWarnings",
               "JobCanceledByUser", "JobCanceledAtDevice", "AbortedBySystem", "")


def outcome_of(record):
    """The record's outcome code, or None when this firmware does not know it."""
    code = record["outcome"]
    return code if isinstance(code, int) and 0 <= code < len(OUTCOMES) else None


def subject_of(record):
    value = record.get("subject")
    if isinstance(value, list) and len(value) == 4:
        return value
    return [subject.UNREGISTERED, "", "", ""]


def items_by_name(record):
    named = {}
    items = record.get("items") or {}
    for code in items:
        named[catalog.item_label(code)] = items[code]
    return named


def _is_uri(value):
    colon = value.find(":")
    return colon > 0 and value[:colon].replace("+", "").replace("-", "").replace(".", "").isalpha() \
        and " " not in value


def _uuid_urn(value):
    if not isinstance(value, str) or len(value) != 36:
        return None
    value = value.lower()
    # As octets: MicroPython interns every one-char str it indexes (a qstr per
    # distinct character, for good, in a pool that grows by doubling).
    raw = value.encode()
    if len(raw) != 36:
        return None
    for i in range(36):
        c = raw[i]
        if i in (8, 13, 18, 23):
            if c != 45:                                 # "-"
                return None
        elif not (48 <= c <= 57 or 97 <= c <= 102):     # "0"-"9", "a"-"f"
            return None
    return "urn:uuid:" + value


def _destination_uri(value):
    if not isinstance(value, str) or not value or value == "-":
        return None
    if _is_uri(value):
        return value
    if "@" in value:
        return "mailto:" + value
    digits = value.replace("+", "").replace("-", "").replace(" ", "")
    if digits.isdigit():
        return "tel:" + value.replace(" ", "")
    return None


def is_client_request(record):
    """PWG: a client request carries S and UH; an internal event carries neither,
    nor any user parameter. A request is an event from a remote user's host."""
    return bool(record.get("remote_host")) and subject_of(record)[0] != subject.SYSTEM


def pwg_params(record, uri=None):
    """[PWG ...] parameters as (name, value) pairs in a fixed order: E, S, ST, SR,
    UN, UR, UH, UU, URI, JID, JUU, JIC, JIM, JD, JS, JR, JA, JAUN, JAUU.
    DUU and NL belong to the message and are added by the syslog formatter."""
    code = record["event"]
    try:
        name = catalog.event_name(code)
        event = catalog.pwg_name(code)
        state = catalog.pwg_state(code)
    except catalog.CatalogError:
        name, event, state = "", "SystemInternalError", ""
    items = items_by_name(record)
    who = subject_of(record)
    outcome = outcome_of(record)
    failed = outcome is not None and catalog.outcome_failed(outcome)
    is_job = "Job" in event
    params = [("E", event)]
    client = is_client_request(record)
    if client:
        if not failed:
            status = "SuccessfulOk"
        elif (code >> 8) == 2:
            status = "ClientErrorNotAuthenticated"
        else:
            status = "ClientErrorNotPossible"
        params.append(("S", status))
    if not is_job:
        # PWG 5110.3 "Service Message Format": every service message MUST provide
        # the applicable service parameters of section 5.2, and the spec's own
        # service examples (an InternalError among them) all carry ST and SR. An
        # event that implies no state change reports the resting state Idle, the
        # one consistent with the IsAcceptingJobs="T" every service message carries.
        params.append(("ST", state or RESTING_STATE))
        params.append(("SR", ""))
    # Only an authenticated client request names its user (PWG: MUST for
    # authenticated requests, MUST NOT for internal events).
    authenticated = client and who[0] not in (subject.SYSTEM, subject.UNREGISTERED) and name != "login_failure"
    if authenticated:
        params.append(("UN", who[1] or who[2]))
        params.append(("UR", who[3] or "User"))
    if client:
        params.append(("UH", record["remote_host"]))
    if authenticated and who[1] and _is_uri(who[1]):
        params.append(("UU", who[1]))
    if uri:
        params.append(("URI", uri))
    if is_job:
        job_id = items.get("job_id")
        if isinstance(job_id, int) and job_id > 0:
            params.append(("JID", str(job_id)))
        urn = _uuid_urn(items.get("job_uuid"))
        if urn:
            params.append(("JUU", urn))
        if isinstance(items.get("pages"), int):
            params.append(("JIC", str(items["pages"])))
        if isinstance(items.get("images"), int):
            params.append(("JIM", str(items["images"])))
        destination = _destination_uri(items.get("destination"))
        if destination:
            params.append(("JD", destination))
        if outcome is not None:
            if event.endswith("JobCreated"):
                params.append(("JS", "Aborted" if failed else "Pending"))
            elif _JOB_STATE[outcome]:
                params.append(("JS", _JOB_STATE[outcome]))
                params.append(("JR", _JOB_REASON[outcome]))
        account = items.get("account_id")
        if account and account != "-":
            params.append(("JA", account))
        account_user = items.get("account_user")
        if account_user and account_user != "-":
            params.append(("JAUN", account_user))
            if _is_uri(account_user):
                params.append(("JAUU", account_user))
    return params
