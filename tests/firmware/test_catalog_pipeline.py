# Catalog events through the whole device path (record, seal, NVRAM ring,
# store, reader), and the controller helpers that produce them.
from hcdaudit import catalog, events, subject, text
from hcdaudit.audit import AuditLog  # noqa: F401  (the real log() path)
from hcdaudit.lockout import FailureCounter
from support import TestDevice, raises
from test_catalog import max_call


def test_catalog_every_event_at_maximum_sizes_round_trips_through_ring_and_store():
    device = TestDevice(slot_count=8)
    log = device.boot()
    expected = {}
    for name in catalog.event_names():
        who, outcome, interface, host, items = max_call(name)
        if catalog.subject_rule(name) == "system":
            interface = host = None
        code, outcome_code, subj, items_map = catalog.prepare(name, who, outcome, interface, host, items)
        seq = log.log(name, subject=who, outcome=outcome, interface=interface, remote_host=host, **items)
        expected[seq] = (code, outcome_code, subj, interface and text.truncate(interface, 16),
                         host and text.truncate(host, 45), items_map)
    log.flush()                       # most are in segments now, the rest in the ring
    device.unmount()
    records, report = device.records()
    got = dict((r["seq"], r) for r in records)
    for seq in expected:
        code, outcome_code, subj, interface, host, items_map = expected[seq]
        r = got[seq]
        assert (r["event"], r["outcome"], r["subject"], r["interface"], r["remote_host"], r["items"]) == \
            (code, outcome_code, subj, interface, host, items_map), catalog.event_name(code)


def test_catalog_bad_input_is_refused_and_the_device_keeps_logging():
    device = TestDevice()
    log = device.boot()
    first = log.log("login", subject="alice", interface="panel")
    for call in (lambda: log.log("no_such_event"),
                 lambda: log.log("login", subject="alice", colour="blue"),
                 lambda: log.log("print_job", subject="alice", pages="ten"),
                 lambda: log.log("login", subject="alice", outcome="aborted"),
                 lambda: log.log("audit_start", subject="mallory", boot=1),
                 lambda: log.log("clock_change", subject="admin", method="user")):
        raises(catalog.CatalogError, call)
    second = log.log("print_job", subject="alice", file_name="y" * 300)
    assert second == first + 1          # no seq was spent on a refused call
    records, report = device.records()
    last = records[-1]
    assert last["seq"] == second
    assert last["items"][catalog.item_code("file_name")].endswith(text.MARKER)


class RecordingLog:
    """Stands in for AuditLog: validates like log() and keeps what it got."""

    def __init__(self):
        self.records = []

    def log(self, event, subject=None, outcome=None, interface=None, remote_host=None, **items):
        code, outcome_code, subj, items_map = catalog.prepare(event, subject, outcome, interface, remote_host,
                                                              items)
        named = dict((catalog.item_name(c), v) for c, v in items_map.items())
        self.records.append((event, catalog.outcome_name(outcome_code), subj, named))
        return len(self.records)


def test_catalog_helpers_authentication_lockout_and_expiry():
    log = RecordingLog()
    counter = FailureCounter(threshold=3, lock_seconds=60, detect_threshold=4, window_seconds=30)
    events.login_failed(log, "bob", "invalid_password", now_s=100, interface="web", remote_host="h", counter=counter)
    events.login_failed(log, "bob", "invalid_password", now_s=101, counter=counter)
    assert [r[0] for r in log.records] == ["login_failure", "login_failure"]
    assert log.records[0][1] == "invalid_password" and log.records[1][3]["failure_count"] == 2
    events.login_failed(log, "bob", "invalid_password", now_s=102, counter=counter)
    assert [r[0] for r in log.records[2:]] == ["login_failure", "lockout"]
    assert log.records[3][3] == {"failure_count": 3, "lock_seconds": 60, "threshold": 3}
    assert counter.is_locked("bob", 150) and not counter.is_locked("bob", 162)
    events.login_failed(log, "bob", "locked", now_s=103, counter=counter)
    assert [r[0] for r in log.records[4:]] == ["login_failure", "continuous_failure_detected"]
    assert log.records[5][3]["failure_count"] == 4 and log.records[5][3]["window_seconds"] == 30
    assert events.lockouts_expired(log, counter, 150) is None          # still locked
    events.lockouts_expired(log, counter, 162)
    assert log.records[-1][0] == "lockout_expired" and log.records[-1][2][1] == "bob"
    events.login_failed(log, subject.unregistered("nobody"), "invalid_user_id", counter=counter)
    assert log.records[-1][1] == "invalid_user_id" and log.records[-1][2][0] == subject.UNREGISTERED
    events.login(log, subject.user("bob"), "web", "h", "Local", counter=counter)
    assert counter.failures("bob") == 0
    events.logout(log, "bob", "timeout")
    assert log.records[-1][:2] == ("logout", "success") and log.records[-1][3] == {"reason": "timeout"}


def test_catalog_failure_counter_is_bounded():
    counter = FailureCounter(max_accounts=4)
    for i in range(100):
        counter.failed("user%d" % i, i)
    assert len(counter._accounts) == 4 and counter.failures("user99") == 1 and counter.failures("user0") == 0


def test_catalog_helpers_jobs_settings_clock_and_the_rest():
    log = RecordingLog()
    events.job_completed(log, "scan_job", "bob", "completed", "panel", destination="bob@example.com",
                         job_uuid="0a1b2c3d-0000-4000-a000-000000000000", relation="owned", account_id="42")
    raises(ValueError, events.job_completed, log, "login", "bob")
    events.setting_changed(log, subject.admin(), "IPSEC", "off", "on", "web", "h")
    events.settings_viewed(log, subject.admin(), interface="web", remote_host="h")
    events.clock_changed(log, subject.admin(), 1795392000 * 1000000, "ntp", ntp_server="ntp.example")
    assert log.records[-1][3] == {"old_time": "2026-11-23T00:00:00.000000Z", "method": "ntp",
                                  "ntp_server": "ntp.example"}
    events.role_changed(log, subject.admin(), "carol", "Administrator", grant=False)
    assert log.records[-1][3]["grant"] == "revoke"
    events.user_added(log, subject.admin(), "carol", "User")
    events.user_edited(log, subject.admin(), "carol", "Password")
    events.user_deleted(log, subject.admin(), "carol")
    events.password_changed(log, "carol", "carol")
    events.auth_mode_changed(log, subject.snmp(), "Local is enabled", "OFF is enabled")
    events.audit_enabled(log, subject.admin(), False)
    events.device_started(log, "warm")
    events.device_shutdown(log, recovered=True)
    events.audit_exported(log, subject.admin(), 1, 500, 500, "web", "h")
    events.certificate(log, subject.admin(), True, "DeviceEE", "RSA", 1024, outcome="failure",
                       reason="key below 2048 bits")
    events.certificate(log, subject.admin(), False, "RootCA")
    for op in ("add", "delete", "edit"):
        events.address_book(log, "bob", op, registration_number=35)
    for op in ("import", "export", "clear"):
        events.address_book(log, "bob", op, count=3)
    raises(ValueError, events.address_book, log, "bob", "burn")
    events.firmware_updated(log, subject.engineer(), "Controller+PS", "2.0", "1.9")
    events.self_test(log, False, check_code_1="0xBEEF")
    events.storage_overwrite(log, True, operation="scheduled")
    events.storage_overwrite(log, False, passed=False, operation="scheduled")
    events.trusted_channel_failed(log, "SSL/TLS", "Certificate verification failed", "[2001:db8::1]", 3, "outbound")
    events.ntp_failed(log, "ntp.example", "dns name resolution failed")
    events.undelivered_evicted(log, 101, 150, "syslog.example")
    assert log.records[-1][3]["count"] == 50
    names = [r[0] for r in log.records]
    for name in ("scan_job", "setting_change", "setting_view", "clock_change", "role_change", "user_add",
                 "user_edit", "user_delete", "password_change", "auth_mode_change", "audit_log_disabled",
                 "device_start", "device_shutdown", "audit_export", "certificate_import", "certificate_delete",
                 "address_add", "address_book_clear", "firmware_update", "self_test", "image_overwrite_start",
                 "image_overwrite_finish", "trusted_channel_failure", "ntp_failure", "audit_undelivered_loss"):
        assert name in names, name
