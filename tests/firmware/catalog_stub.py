# TEMPORARY: stands in for hcdaudit.catalog until the real one lands.
from hcdaudit import text


class CatalogError(ValueError):
    pass


_EVENTS = ("audit_start", "audit_stop", "audit_recovery", "audit_eviction", "login", "logout",
           "login_failure", "print_job", "copy_job", "scan_job", "setting_change", "clock_change")
_ITEMS = (("boot", int, 0), ("reason", str, 64), ("last_durable_seq", int, 0), ("actions", str, 200),
          ("quarantined", str, 160), ("first_seq", int, 0), ("last_seq", int, 0), ("count", int, 0),
          ("evicted_through", int, 0), ("job_uuid", str, 36), ("file_name", str, 64), ("setting", str, 64),
          ("old_value", str, 64), ("new_value", str, 64), ("old_time", str, 32), ("method", str, 16),
          ("pages", int, 0))
_OUTCOMES = ("success", "failure")


def event_code(name):
    try:
        return _EVENTS.index(name) + 1
    except ValueError:
        raise CatalogError("unknown event '%s'" % name)


def item_code(name):
    for i, item in enumerate(_ITEMS):
        if item[0] == name:
            return i + 1
    raise CatalogError("unknown item '%s'" % name)


def prepare(event, subject, outcome, interface, remote_host, items):
    code = event_code(event)
    if outcome is None:
        outcome = "success"
    if outcome not in _OUTCOMES:
        raise CatalogError("%s: outcome '%s' not allowed" % (event, outcome))
    if subject is None:
        subject = [0, "System", "System", "system"]
    elif isinstance(subject, str):
        subject = [1, subject, subject, "user"]
    out = {}
    for name in items:
        value = items[name]
        try:
            code_i = item_code(name)
        except CatalogError:
            raise CatalogError("%s: unknown item '%s'" % (event, name))
        kind, limit = _ITEMS[code_i - 1][1], _ITEMS[code_i - 1][2]
        if not isinstance(value, kind):
            raise CatalogError("%s: item '%s' has the wrong type" % (event, name))
        if kind is str:
            value = text.truncate(value, limit)
        out[code_i] = value
    return code, _OUTCOMES.index(outcome), list(subject), out


def event_name(code):
    return _EVENTS[code - 1]


def item_name(code):
    return _ITEMS[code - 1][0]


def outcome_name(code):
    return _OUTCOMES[code]
