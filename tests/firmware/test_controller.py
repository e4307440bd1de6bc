# The simulated MFD controller (boards/host/controller.py) on both runtimes:
# a working day through the real AuditLog holds every kind of event the
# simulator promises, the same seed gives the same day, and a power cut in
# the middle of an incident leaves a controller that carries on.
from hcdaudit import catalog
from boards.host.controller import DAY_START_US, WORKDAY_US, Controller, Prng, SimClock
from support import TestDevice

REQUIRED = ("login", "login_failure", "logout", "lockout", "lockout_expired", "continuous_failure_detected",
            "print_job", "copy_job", "scan_job", "email_job", "fax_send_job", "fax_receive_job", "mailbox_job",
            "setting_change", "user_add", "user_edit", "user_delete", "role_change", "password_change",
            "certificate_import", "clock_change", "ntp_failure", "audit_export", "firmware_update",
            "device_shutdown", "device_start", "address_book_import", "mailbox_create")


class Recorder:
    """Anything with AuditLog.log()'s signature will do for the controller."""

    def __init__(self, fail_at=0):
        self.calls = []
        self.next_seq = 1
        self.fail_at = fail_at

    def log(self, event, subject=None, outcome=None, interface=None, remote_host=None, **items):
        if self.next_seq == self.fail_at:
            self.fail_at = 0
            raise OSError("power cut")
        catalog.prepare(event, subject, outcome, interface, remote_host, items)     # valid for the catalog
        keys = sorted(items)
        self.calls.append((event, subject, outcome, interface, remote_host, [(k, items[k]) for k in keys]))
        self.next_seq += 1
        return self.next_seq - 1


def day(seed, events, log=None, clock=None):
    clock = clock or SimClock(DAY_START_US)
    log = log or Recorder()
    controller = Controller(Prng(seed), clock)
    for index in range(events):
        controller.next_event(log, index, events)
    return log, controller


def test_controller_day_through_the_audit_log_has_every_kind_of_event():
    clock = SimClock(DAY_START_US)
    device = TestDevice(clock=clock)
    log = device.boot()
    controller = Controller(Prng(11), clock)
    controller.started(log)
    restarts = 0
    for index in range(320):
        controller.next_event(log, index, 320)
        if controller.restart:       # the engineer's firmware update restarts the device
            controller.restart = None
            restarts += 1
            log.shutdown("firmware update")
            log = device.boot("firmware update")
            controller.started(log, "warm")
    device.unmount()
    records, report = device.records()
    assert report.intact()
    names = [catalog.event_name(r["event"]) for r in records]
    missing = [name for name in REQUIRED if name not in names]
    assert not missing, missing
    assert restarts == 1 and names.count("audit_start") == 2
    times = [r["time_us"] for r in records]
    assert DAY_START_US <= min(times) and max(times) <= DAY_START_US + WORKDAY_US + 60 * 1000000
    outcomes = [catalog.outcome_name(r["outcome"]) for r, name in zip(records, names) if name == "certificate_import"]
    assert sorted(outcomes) == ["failure", "success"]       # the weak key is refused, the good one imported


def test_controller_brute_force_is_one_host_and_locks_then_detects():
    log, _ = day(5, 400)
    burst = [c for c in log.calls if c[4] == "198.51.100.77"]
    kinds = [c[0] for c in burst]
    assert kinds.count("lockout") == 1 and kinds.count("continuous_failure_detected") == 1
    assert kinds.index("lockout") < kinds.index("continuous_failure_detected")
    assert set(c[1][1] for c in burst) == {"admin"}
    after = [c[0] for c in log.calls[log.calls.index(burst[-1]):]]
    assert "lockout_expired" in after


def test_controller_clock_is_set_by_hand_and_put_right_by_ntp():
    log, _ = day(6, 400)
    methods = [dict(c[5])["method"] for c in log.calls if c[0] == "clock_change"]
    assert methods.count("ntp") == 2 and methods.count("user") == 1
    assert methods.index("user") < len(methods) - 1 and methods[-1] == "ntp"    # NTP corrects the manual change


def test_controller_same_seed_same_day_other_seed_other_day():
    a, _ = day(21, 250)
    b, _ = day(21, 250)
    c, _ = day(22, 250)
    assert a.calls == b.calls
    assert a.calls != c.calls


def test_controller_days_are_planned_anew_and_fill_the_working_day():
    clock = SimClock(DAY_START_US)
    log, controller = day(4, 200, clock=clock)
    assert DAY_START_US + WORKDAY_US - 30 * 60 * 1000000 < clock.now < DAY_START_US + WORKDAY_US + 30 * 60 * 1000000
    controller.end_day(log)
    assert log.calls[-1][0] == "device_shutdown" and not controller.sessions
    clock.now = DAY_START_US + 24 * 3600 * 1000000
    for index in range(200):
        controller.next_event(log, index, 200)
    assert controller.day == 1
    assert [c[0] for c in log.calls].count("audit_export") == 2


def test_controller_carries_on_after_a_power_cut_in_an_incident():
    log = Recorder(fail_at=0)
    clock = SimClock(DAY_START_US)
    controller = Controller(Prng(9), clock)
    index = 0
    cut = False
    while index < 300:
        if controller.script is not None and not cut:
            log.fail_at = log.next_seq        # the next record of the incident in progress
            cut = True
        try:
            controller.next_event(log, index, 300)
        except OSError:
            controller.power_lost()
            assert controller.script is None and not controller.sessions
        index += 1
    assert cut and log.fail_at == 0
    assert "audit_export" in [c[0] for c in log.calls]     # the day's later incidents still happen
