# The event catalog: structure, validation of log() calls, subjects, sizes.
from hcdaudit import catalog, cbor, record, subject, text
from hcdaudit.catalog_data import events, items
from support import raises

SERVICES = ("Copy", "EmailIn", "EmailOut", "FaxIn", "FaxOut", "Print", "Resource", "Scan", "System", "Transform")
SUFFIXES = ("Authentication", "ConfigChanged", "Identification", "InternalError", "QueueOrderChanged",
            "Restarted", "Shutdown", "StateChanged", "Stopped", "JobCompleted", "JobConfigChanged",
            "JobCreated", "JobForwarded", "JobStateChanged", "JobStopped")
CORE_EVENTS = (("audit_start", ("boot", "reason")), ("audit_stop", ("reason",)),
               ("audit_recovery", ("last_durable_seq", "actions", "quarantined")),
               ("audit_eviction", ("first_seq", "last_seq", "count", "evicted_through")))
DEMO_EVENTS = ("login", "login_failure", "logout", "print_job", "copy_job", "scan_job", "setting_change",
               "clock_change")


def is_title_case(name):
    if not name or not ("A" <= name[0] <= "Z"):
        return False
    for c in name:
        if not ("A" <= c <= "Z" or "a" <= c <= "z" or "0" <= c <= "9"):
            return False
    return True


def test_catalog_names_and_codes_are_unique_and_round_trip():
    names = catalog.event_names()
    assert len(names) == len(events()) and len(set(names)) == len(names)
    codes = [catalog.event_code(n) for n in names]
    assert len(set(codes)) == len(codes)
    for name in names:
        assert catalog.event_name(catalog.event_code(name)) == name
    item_names = [i[0] for i in items()]
    assert len(set(item_names)) == len(item_names)
    for i in range(len(item_names)):
        assert catalog.item_name(catalog.item_code(item_names[i])) == item_names[i]
        assert catalog.item_code(item_names[i]) == i + 1
    for code in range(10):
        assert catalog.outcome_code(catalog.outcome_name(code)) == code


def test_catalog_pwg_names_are_title_case_with_a_known_service_and_suffix():
    for name in catalog.event_names():
        pwg = catalog.pwg_name(name)
        assert is_title_case(pwg), pwg
        matched = False
        for service in SERVICES:
            if pwg.startswith(service) and pwg[len(service):] in SUFFIXES:
                matched = True
        assert matched, "%s: %s is not <service><suffix>" % (name, pwg)


def test_catalog_severities_are_3_4_or_6_and_failures_are_not_informational():
    for name in catalog.event_names():
        assert catalog.severity(name) in (3, 4, 6), name
        for outcome in catalog.event_outcomes(name):
            sev = catalog.severity(name, outcome)
            assert sev in (3, 4, 6)
            if outcome in ("failure", "invalid_user_id", "invalid_password", "aborted"):
                assert sev in (3, 4), (name, outcome)
    assert catalog.severity("login") == 6
    assert catalog.severity("login_failure") == 4
    assert catalog.severity("setting_change", "failure") == 4
    assert catalog.severity("trusted_channel_failure") == 3


def test_catalog_has_the_core_and_demo_events_with_their_items():
    for name, items in CORE_EVENTS:
        for item in items:
            assert item in catalog.event_items(name), (name, item)
    assert catalog.item_type("boot") == "uint" and catalog.item_type("reason") == "text"
    for name in DEMO_EVENTS:
        catalog.event_code(name)
    # The simulator's calls.
    catalog.prepare("clock_change", "admin", None, "web", "10.20.0.5",
                    {"old_time": "2026-11-23T07:00:05.000000Z", "method": "user"})
    catalog.prepare("login_failure", "u", "failure", "panel", None, {})
    catalog.prepare("setting_change", "admin", None, "web", "10.20.0.5",
                    {"setting": "SMTP server", "old_value": "off", "new_value": "on"})
    for job in ("print_job", "copy_job", "scan_job"):
        catalog.prepare(job, "u", None, "ipp", "10.0.0.1",
                        {"job_uuid": "0a1b2c3d-0000-4000-a000-000000000000", "pages": 3})


def test_catalog_prepare_normalises_a_call():
    code, outcome, subj, items = catalog.prepare("login", subject.admin(), None, "web", "192.0.2.1",
                                                 {"auth_method": "Local"})
    assert code == catalog.event_code("login") == 0x0201
    assert catalog.outcome_name(outcome) == "success"
    assert subj == [subject.ADMIN, "admin", "", "Administrator"]
    assert items == {catalog.item_code("auth_method"): "Local"}
    # By code, None subject = the system, a str subject = a registered user, None item = absent.
    code, outcome, subj, items = catalog.prepare(0x0901, None, None, None, None, {"boot": 7, "reason": None})
    assert subj == [subject.SYSTEM, "", "", ""] and items == {catalog.item_code("boot"): 7}
    assert catalog.prepare("logout", "bob", None, None, None, {})[2] == [subject.USER, "bob", "", "User"]


def _message(fn, *args):
    return str(raises(catalog.CatalogError, fn, *args))


def test_catalog_bad_input_gets_an_error_naming_the_event_and_field():
    p = catalog.prepare
    assert "unknown event 'teleport'" in _message(p, "teleport", None, None, None, None, {})
    assert "unknown event code 4660" in _message(p, 0x1234, None, None, None, None, {})
    msg = _message(p, "login", "alice", None, None, None, {"host": "x"})
    assert msg.startswith("login:") and "'host'" in msg
    msg = _message(p, "login", "alice", None, None, None, {"file_name": "x"})
    assert "login:" in msg and "'file_name'" in msg and "does not belong" in msg
    assert _message(p, "login", "alice", None, None, None, {"auth_method": 3}) == \
        "login: item 'auth_method' must be text, got int"
    assert _message(p, "audit_start", None, None, None, None, {"boot": "7"}) == \
        "audit_start: item 'boot' must be an unsigned int, got str"
    assert "'boot' out of range" in _message(p, "audit_start", None, None, None, None, {"boot": -1})
    assert "'boot' out of range" in _message(p, "audit_start", None, None, None, None, {"boot": 1 << 32})
    assert "must be an unsigned int, got bool" in _message(p, "audit_start", None, None, None, None, {"boot": True})
    msg = _message(p, "login", "alice", "aborted", None, None, {})
    assert msg.startswith("login: outcome 'aborted' is not allowed")
    assert "audit_start: subject must be the system" in _message(p, "audit_start", "mallory", None, None, None,
                                                                  {"boot": 1})
    assert "login: subject must identify" in _message(p, "login", None, None, None, None, {})
    assert "login: subject" in _message(p, "login", 42, None, None, None, {})
    assert _message(p, "trusted_channel_failure", None, None, None, None, {"protocol": "SSL/TLS"}) == \
        "trusted_channel_failure: item 'reason' is required"
    assert "login: interface must be text" in _message(p, "login", "a", None, 5, None, {})
    assert "login: remote_host must be text" in _message(p, "login", "a", None, None, b"x", {})
    assert "event must be a name or a code" in _message(p, 1.5, None, None, None, None, {})


def test_catalog_over_long_text_is_cut_with_the_marker():
    long_name = "scan-" + "é" * 100 + ".pdf"
    items = catalog.prepare("print_job", "u", None, None, None, {"file_name": long_name})[3]
    cut = items[catalog.item_code("file_name")]
    assert cut.endswith(text.MARKER) and len(cut.encode("utf-8")) <= 64
    assert cut.startswith("scan-é")
    subj = catalog.prepare("login", subject.user("u" * 50, "n" * 100), None, None, None, {})[2]
    assert len(subj[1].encode()) <= 32 and subj[1].endswith(text.MARKER)
    assert len(subj[2].encode()) <= 64


def max_value(item):
    kind, limit = catalog.item_type(item), catalog.item_limit(item)
    if kind == "uint":
        return (1 << (8 * limit)) - 1
    return "\u00e9" * limit   # 2 bytes a character: twice the limit before the cut


def max_call(name):
    """The largest log() call for an event: every item, subject field, interface and host over its limit."""
    rule = catalog.subject_rule(name)
    who = None if rule == "system" else subject.user("U" * 40, "N" * 80, "R" * 40)
    items = {}
    for item in catalog.event_items(name):
        items[item] = max_value(item)
    return who, catalog.event_outcomes(name)[-1], "I" * 30, "H" * 60, items


def test_catalog_every_event_at_its_maximum_sizes_fits_one_nvram_slot():
    largest = 0
    for name in catalog.event_names():
        who, outcome, interface, host, items = max_call(name)
        code, outcome_code, subj, items_map = catalog.prepare(name, who, outcome, interface, host, items)
        interface = text.truncate(interface, 16)
        host = text.truncate(host, 45)
        for item in items:   # every item is still there, only shortened
            assert catalog.item_code(item) in items_map, (name, item)
        body = {0: (1 << 64) - 1, 1: (1 << 64) - 1, 2: code, 3: outcome_code, 4: subj}
        if items_map:
            body[7] = items_map
        if catalog.subject_rule(name) != "system":
            body[5] = interface
            body[6] = host
        size = len(cbor.dumps(body))
        assert size <= catalog.MAX_RECORD_BYTES, "%s: %d bytes" % (name, size)
        assert size == len(record.encode((1 << 64) - 1, (1 << 64) - 1, code, outcome_code, subj,
                                         body.get(5), body.get(6), items_map))
        largest = max(largest, size)
    assert largest == catalog.MAX_RECORD_BYTES   # the budget is used, not wasted


def test_catalog_items_within_their_own_limits_are_kept_whole_when_they_fit():
    items = {"protocol": "SSL/TLS", "reason": "r" * 64, "peer": "p" * 45, "failure_count": 3,
             "direction": "inbound"}
    got = catalog.prepare("trusted_channel_failure", None, None, None, None, items)[3]
    for name in items:
        assert got[catalog.item_code(name)] == items[name]


def test_catalog_subject_spelled_in_each_vendor_convention():
    cases = ((subject.admin(), "KO", "-2"), (subject.engineer("ce1"), "CE", "-1"),
             (subject.unregistered("mallory"), "-", "-3"), (subject.system(), "System", "-3"),
             (subject.guest(), "Guest", "-3"), (subject.snmp(), "SNMP:admin", "-3"),
             (subject.user("1042", "Alice"), "1042", "1042"))
    for who, fx, km in cases:
        assert subject.fx_user_name(who) == fx, who
        assert subject.km_id(who) == km, who
    assert subject.fx_user_name(subject.user("1042", "Alice"), prefer_name=True) == "Alice"
    assert subject.xerox_user_name(subject.system()) == "SYSTEM"
    assert subject.fx_role(subject.admin()) == "System Administrator"
    assert subject.fx_role(subject.user("a", role="Administrator")) == "System Administrator"
    assert subject.fx_role(subject.engineer()) == "Customer Engineer"
    assert subject.fx_role(subject.guest()) == "Casual Operator"
    assert catalog.subject_kind_name(subject.ENGINEER) == "engineer"
    raises(subject.SubjectError, subject.user, "")
    raises(subject.SubjectError, subject.make, 99)


def test_catalog_vendor_rows_name_known_events_and_their_items():
    from hcdaudit.catalog_vendor import ROWS
    kinds = subject.KIND_NAMES
    for scheme, vendor_id, vendor_text, event, selector, status in ROWS:
        assert scheme in ("xerox", "x101", "fx", "km")
        assert isinstance(vendor_id, int) and vendor_text
        items = catalog.event_items(event)
        if selector:
            for condition in selector.split(";"):
                key, _, value = condition.partition("=")
                assert value, selector
                if key == "kind":
                    assert value in kinds, selector
                elif key == "outcome":
                    assert value in catalog.event_outcomes(event), selector
                else:
                    assert key in items, (event, selector)
    # Every event has an ID in at least one vendor scheme, or is one of ours (class 9).
    for name in catalog.event_names():
        code = catalog.event_code(name)
        found = [r for r in ROWS if r[3] == name]
        assert found or code >> 8 == 9 or name in ("login_failure", "other_job", "lockout_expired"), name


def test_catalog_vendor_ids_follow_the_record():
    def rec(name, outcome="success", who=None, **items):
        return {"event": catalog.event_code(name), "outcome": catalog.outcome_code(outcome),
                "subject": who or subject.system(),
                "items": dict((catalog.item_code(k), v) for k, v in items.items())}
    assert catalog.vendor_id("xerox", rec("login", who=subject.admin()))[0] == 30
    assert catalog.vendor_id("xerox", rec("login", who=subject.user("a")))[0] == 31
    assert catalog.vendor_id("xerox", rec("login", who=subject.user("a"), auth_method="Convenience"))[0] == 107
    assert catalog.vendor_id("km", rec("login", who=subject.engineer()))[0] == 1
    assert catalog.vendor_id("xerox", rec("setting_change", setting="IPSEC"))[0] == 39
    assert catalog.vendor_id("xerox", rec("setting_change", setting="HDD Encryption", new_value="disabled"))[0] == 18
    assert catalog.vendor_id("xerox", rec("setting_change", setting="HDD Encryption", new_value="enabled"))[0] == 15
    assert catalog.vendor_id("xerox", rec("setting_change", setting="Unlisted")) is None   # x101 has it
    assert catalog.vendor_id("x101", rec("setting_change", setting="Unlisted"))[1] == "Change Security Setting"
    assert catalog.vendor_id("fx", rec("device_start", start_mode="warm"))[1] == "Started normally (warm boot)"
    assert catalog.vendor_id("fx", rec("disk_change", change="removed"))[2] == "Removed"
    assert catalog.vendor_id("km", rec("audit_start")) == (52, "Power on (audit function starts)", "")
    assert catalog.vendor_id("km", rec("trusted_channel_failure", "failure")) is None
    assert catalog.vendor_event("fx", 0x0201, "Login") == "login"
    assert catalog.vendor_event("xerox", 999) is None
