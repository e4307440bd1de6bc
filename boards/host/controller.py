# The simulated MFD controller: who works the device and what they do in a
# working day, told to the real firmware through hcdaudit.events. Runs on
# both runtimes; deterministic from its seed (its own xorshift: the `random`
# modules of MicroPython and CPython differ).
#
# The cast: the built-in administrator account, a customer engineer, twenty
# registered users (two with the administrator role on their personal
# account), a guest, a printer-hungry office and an attacker on the Internet.
# A day is 07:00-19:30 of simulated time. The routine (sign-ins, print, copy,
# scan, e-mail, fax, mailbox jobs, sign-outs) fills it; incidents happen at
# fixed points of the day as short scripts (generators, one record a step):
# an NTP outage and correction, the administrator's morning session, a user
# who locks herself out, the engineer's visit with a firmware update (and a
# restart), a guest, a certificate import with a weak key refused, a
# brute-force burst from one remote host, a manual clock change that NTP
# corrects later, user and role changes, an audit-log export.
#
#   controller = Controller(prng, clock)
#   seq = controller.next_event(log, index, total)   # index 0 plans a new day
# Optional calls from the host board: started(log, mode) after a boot,
# power_lost() after a cut (RAM state is gone), end_day(log) in the evening;
# `restart` names the reason when the controller wants an orderly restart.
from hcdaudit import events, lockout
from hcdaudit import subject as subjects

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

SECOND_US = const(1000000)
MINUTE_US = const(60000000)
DAY_US = 24 * 3600 * SECOND_US
DAY_START_US = 1795392000 * SECOND_US + 7 * 3600 * SECOND_US   # Monday 2026-11-23 07:00 UTC
WORKDAY_US = (12 * 60 + 30) * MINUTE_US                          # 07:00-19:30

USER_COUNT = const(20)
PERSONAL_ADMINS = (1, 2)          # user01 and user02 hold the administrator role on their own accounts
ADMIN_HOST = "10.20.0.5"
ATTACKER_HOST = "198.51.100.77"   # TEST-NET-2: the brute-force burst comes from here
NTP_SERVER = "ntp.example.com"
ISSUER_DN = "CN=Example Corp Issuing CA 2,O=Example Corp,C=DE"
FIRST_NAMES = ("Aiko", "Ben", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Julia")
LAST_NAMES = ("Tanaka", "Okafor", "Weber", "Silva", "Novak", "Larsen", "Ito", "Moreau", "Kowalski", "Haddad")
SETTINGS = (("Auto Clear Timer", "60 s", "120 s"), ("SMTP SSL/TLS", "STARTTLS", "SSL/TLS"),
            ("Session Lock Timer", "5 min", "3 min"), ("IPP SSL/TLS Forced", "off", "on"),
            ("Print Reports Button", "on", "off"), ("Front USB-A", "enabled", "disabled"))
PRINT_FILES = ("quarterly-report", "invoice", "minutes", "slides", "contract", "timesheet", "poster", "memo")

_MASK = 0xFFFFFFFF


class Prng:
    """xorshift32: the same stream on both runtimes."""

    def __init__(self, seed):
        self.state = ((seed * 2654435761) ^ 0x9E3779B9) & _MASK or 1

    def next(self):
        x = self.state
        x ^= (x << 13) & _MASK
        x ^= x >> 17
        x ^= (x << 5) & _MASK
        self.state = x
        return x

    def below(self, n):
        return self.next() % n

    def chance(self, percent):
        return self.next() % 100 < percent

    def choice(self, seq):
        return seq[self.below(len(seq))]


class SimClock:
    """The device's clock in simulated microseconds (the board's now_us)."""

    def __init__(self, start_us):
        self.now = start_us

    def __call__(self):
        return self.now


def user_id(n):
    return "user%02d" % n


def person(n):
    """Registered user n (1..USER_COUNT), role Administrator for the personal admin accounts."""
    name = FIRST_NAMES[(n - 1) % 10] + " " + LAST_NAMES[(n * 3) % 10]
    return subjects.user(user_id(n), name, "Administrator" if n in PERSONAL_ADMINS else "User")


def workstation(n):
    return "10.20.%d.%d" % (1 + n % 3, 20 + n)


def job_uuid(prng):
    h = "%08x%08x%08x%08x" % (prng.next(), prng.next(), prng.next(), prng.next())
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:32])


def phone(prng):
    return "+49 30 %04d %04d" % (prng.below(10000), prng.below(10000))


class Controller:
    """What an MFD controller logs over working days."""

    def __init__(self, prng, clock):
        self.prng = prng
        self.clock = clock
        self.day = -1              # days planned so far - 1
        self.total = 0
        self.day_end = 0
        self.job = 0
        self.exported_through = 0  # the last seq an audit export covered
        self.restart = None        # set when the controller wants an orderly restart
        self.engineer = subjects.engineer("ce-4711", "Field Service")
        self.admin = subjects.admin()
        self._incident = 0
        self._manual_error = 0     # how far a manual clock change set the clock wrong (NTP corrects it)
        self.power_lost()
        # (per mille of the day's events, script): the day's incidents, in order.
        self.plan = ((15, self._ntp_unreachable), (50, self._ntp_sync), (70, self._admin_morning),
                     (190, self._user_lockout), (300, self._engineer_visit), (400, self._guest),
                     (480, self._certificates), (590, self._brute_force), (660, self._manual_clock),
                     (700, self._ntp_sync), (750, self._user_admin), (800, self._own_password),
                     (860, self._audit_export))

    # -- the host board's calls
    def power_lost(self):
        """RAM is gone: open sessions, failure counts and the script in progress."""
        self.sessions = []         # [until_us, user n, interface, remote host]
        self.counter = lockout.FailureCounter()
        self.script = None
        self.restart = None
        self._unlocks = []         # when the locked accounts unlock (s)

    def started(self, log, start_mode="cold"):
        return events.device_started(log, start_mode)

    def end_day(self, log):
        """The evening: sessions time out, the timer switches the device off."""
        while self.sessions:
            _, n, interface, host = self.sessions.pop(0)
            events.logout(log, person(n), "timeout", interface, host)
        self.script = None
        return events.device_shutdown(log, None, "soft")

    def next_event(self, log, index, total):
        """Log the next thing that happens (one step: one record, or a failed
        sign-in with the lockout it causes). Returns the seq of the last record."""
        if index == 0 or total != self.total:
            self._plan_day(total)
        waited = self.script is None
        if waited:
            self._wait_for_next(index, total)
            seq = self._expire_locks(log)
            if seq is not None:
                return seq
            if self._incident < len(self.plan) and index >= self.plan[self._incident][0] * total // 1000:
                self.script = self.plan[self._incident][1](log)
                self._incident += 1
        if self.script is not None:
            try:
                return next(self.script)
            except StopIteration:       # the incident is over (or has nothing to do today)
                self.script = None
                if not waited:
                    self._wait_for_next(index, total)
        return self._routine(log)

    # -- time
    def _plan_day(self, total):
        self.day += 1
        self.total = total
        self.day_end = self.clock.now + WORKDAY_US
        self._incident = 0
        self.script = None

    def _wait_for_next(self, index, total):
        """Spread the day's remaining events over what is left of it, unevenly."""
        left = total - index
        remaining = self.day_end - self.clock.now
        mean = remaining // left if left > 0 and remaining > 0 else SECOND_US
        gap = mean * (25 + self.prng.below(151)) // 100
        self.clock.now += gap if gap > SECOND_US else SECOND_US

    def _wait(self, low_s, high_s):
        self.clock.now += (low_s + self.prng.below(high_s - low_s + 1)) * SECOND_US

    # -- the routine
    def _routine(self, log):
        p = self.prng
        now = self.clock.now
        for i in range(len(self.sessions)):
            if self.sessions[i][0] <= now:
                _, n, interface, host = self.sessions.pop(i)
                return events.logout(log, person(n), "timeout" if p.chance(30) else "user", interface, host)
        roll = p.below(100)
        if roll < 14:
            return self._sign_in(log)
        if roll < 44:
            return self._print(log)
        n, interface = self._operator()
        who = person(n)
        if roll < 58:
            return self._job(log, "copy_job", who, interface, None)
        if roll < 68:
            return self._job(log, "scan_job", who, interface, None,
                             destination="\\\\fs01\\scans\\%s" % user_id(n))
        if roll < 74:
            to = user_id(1 + p.below(USER_COUNT))
            return self._job(log, "email_job", who, interface, None, destination=to + "@example.com",
                             sender=user_id(n) + "@example.com")
        if roll < 79:
            return self._job(log, "fax_send_job", who, interface, None, destination=phone(p),
                             sender="+49 30 5550 1000")
        if roll < 84:
            return self._job(log, "fax_receive_job", subjects.system(), None, None, sender=phone(p),
                             destination="Mailbox %03d" % (1 + p.below(12)))
        if roll < 91:
            return self._job(log, "mailbox_job", who, interface, None, operation=p.choice(("print", "print", "delete")),
                             file_name="Mailbox %03d doc %d" % (1 + p.below(12), 1 + p.below(40)))
        if roll < 94:
            return events.address_book(log, who, p.choice(("add", "edit")), registration_number=1 + p.below(2000),
                                       interface=interface)
        if roll < 96:
            return self._job(log, "report_job", subjects.system(), None, None, job_type="Job History Report")
        return self._print(log)

    def _sign_in(self, log):
        p = self.prng
        n = 1 + p.below(USER_COUNT)
        web = p.chance(40)
        interface = "web" if web else "panel"
        host = workstation(n) if web else None
        now_s = self.clock.now // SECOND_US
        if self.counter.is_locked(user_id(n), now_s):
            return self._failed(log, person(n), "locked", now_s, interface, host)
        if p.chance(12):
            if p.chance(25):      # a mistyped user ID: the device does not know the name
                return self._failed(log, subjects.unregistered(user_id(n) + "x"), "invalid_user_id", now_s,
                                    interface, host)
            return self._failed(log, person(n), "invalid_password", now_s, interface, host)
        if len(self.sessions) < 12:
            self.sessions.append([self.clock.now + (2 + p.below(14)) * MINUTE_US, n, interface, host])
        return events.login(log, person(n), interface, host, "Local", self.counter)

    def _failed(self, log, who, reason, now_s, interface, host):
        before = self.counter.is_locked(who[1], now_s)
        seq = events.login_failed(log, who, reason, now_s, interface, host, "Local", self.counter)
        if not before and self.counter.is_locked(who[1], now_s):
            self._unlocks.append(now_s + self.counter.lock_seconds)
        return seq

    def _expire_locks(self, log):
        """lockout_expired for the locks that have run out (None if none has)."""
        now_s = self.clock.now // SECOND_US
        if not self._unlocks or min(self._unlocks) > now_s:
            return None
        self._unlocks = [t for t in self._unlocks if t > now_s]
        return events.lockouts_expired(log, self.counter, now_s)

    def _operator(self):
        """Who stands at the panel: someone signed in there, else any user."""
        for s in self.sessions:
            if s[2] == "panel":
                return s[1], "panel"
        return 1 + self.prng.below(USER_COUNT), "panel"

    def _print(self, log):
        p = self.prng
        n = 1 + p.below(USER_COUNT)
        name = "%s-%04d.pdf" % (p.choice(PRINT_FILES), self.job + 1)
        return self._job(log, "print_job", person(n), "ipp", workstation(n), file_name=name,
                         account_user=user_id(n))

    def _job(self, log, event, who, interface, host, **items):
        p = self.prng
        self.job += 1
        roll = p.below(100)
        outcome = "canceled_by_user" if roll < 4 else "aborted" if roll < 6 else "completed"
        items["job_uuid"] = job_uuid(p)
        items["job_id"] = self.job
        items["relation"] = "Owned"
        if event == "email_job":
            items["images"] = 1 + p.below(20)
        else:
            items["pages"] = 1 + p.below(40)
        return events.job_completed(log, event, who, outcome, interface, host, **items)

    # -- incidents (generators: one record per step)
    def _ntp_unreachable(self, log):
        self._wait(5, 30)
        yield events.ntp_failed(log, NTP_SERVER, "no response (timeout)", 1)

    def _ntp_sync(self, log):
        """NTP steps the clock: a small drift, or back from a manual mistake."""
        self._wait(5, 30)
        old = self.clock.now
        drift = self._manual_error if self._manual_error else (150 + self.prng.below(2500)) * 1000
        self._manual_error = 0
        self.clock.now += drift if self.prng.chance(50) or drift > MINUTE_US else -drift
        yield events.clock_changed(log, subjects.system(), old, "ntp", ntp_server=NTP_SERVER)

    def _admin_morning(self, log):
        admin, via = self.admin, {"interface": "web", "remote_host": ADMIN_HOST}
        p = self.prng
        self._wait(10, 40)
        yield events.login(log, admin, auth_method="Local", counter=self.counter, **via)
        self._wait(20, 90)
        yield events.settings_viewed(log, admin, "Syslog", **via)
        for _ in range(2):
            setting, old, new = p.choice(SETTINGS)
            self._wait(20, 120)
            yield events.setting_changed(log, admin, setting, old, new, **via)
        self._wait(30, 120)
        yield events.address_book(log, admin, "import", count=100 + p.below(400), **via)
        self._wait(20, 60)
        yield log.log("mailbox_create", subject=admin, box_number=1 + p.below(200), **via)
        self._wait(10, 40)
        yield events.logout(log, admin, **via)

    def _user_lockout(self, log):
        """A user mistypes her password until the device locks the account; it unlocks by itself."""
        n = 3 + self.prng.below(USER_COUNT - 2)
        for _ in range(self.counter.threshold):
            self._wait(8, 25)
            yield self._failed(log, person(n), "invalid_password", self.clock.now // SECOND_US, "panel", None)
        self._wait(self.counter.lock_seconds + 5, self.counter.lock_seconds + 90)
        seq = self._expire_locks(log)
        if seq is not None:
            yield seq
        self._wait(5, 30)
        self.sessions.append([self.clock.now + 4 * MINUTE_US, n, "panel", None])
        yield events.login(log, person(n), "panel", auth_method="Local", counter=self.counter)

    def _engineer_visit(self, log):
        """The customer engineer (every fifth day): a firmware update at the panel, then the device restarts."""
        if self.day % 5:
            return
        ce = self.engineer
        self._wait(10, 60)
        yield events.login(log, ce, "panel", auth_method="Local", counter=self.counter)
        self._wait(60, 300)
        yield events.settings_viewed(log, ce, "Self Test", "panel")
        self._wait(60, 240)
        old = "1.%d.0" % (40 + self.day // 5)
        yield events.firmware_updated(log, ce, "Controller ROM", "1.%d.0" % (41 + self.day // 5), old,
                                      method="panel")
        self._wait(5, 20)
        self.restart = "firmware update"
        yield events.device_shutdown(log, ce, "soft")

    def _guest(self, log):
        self._wait(10, 60)
        guest = subjects.guest()
        yield events.login(log, guest, "panel", auth_method="Guest")
        self._wait(30, 120)
        self.job += 1
        yield events.job_completed(log, "copy_job", guest, "completed", "panel", None, job_uuid=job_uuid(self.prng),
                                   job_id=self.job, relation="Owned", pages=1 + self.prng.below(6))
        self._wait(10, 40)
        yield events.logout(log, guest, interface="panel")

    def _certificates(self, log):
        """A new device certificate (every fifth day); a 1024-bit one is refused by policy first."""
        if self.day % 5:
            return
        admin, via = self.admin, {"interface": "web", "remote_host": ADMIN_HOST}
        self._wait(10, 60)
        yield events.login(log, admin, auth_method="Local", counter=self.counter, **via)
        self._wait(60, 180)
        serial = "%08x%08x" % (self.prng.next(), self.prng.next())
        yield events.certificate(log, admin, True, "DeviceEE", "RSA", 1024, ISSUER_DN, serial,
                                 reason="key below policy (RSA 2048)", outcome="failure", **via)
        self._wait(60, 180)
        serial = "%08x%08x" % (self.prng.next(), self.prng.next())
        yield events.certificate(log, admin, True, "DeviceEE", "RSA", 3072, ISSUER_DN, serial, **via)
        self._wait(10, 40)
        yield events.logout(log, admin, **via)

    def _brute_force(self, log):
        """Password guessing on the administrator account from one Internet host:
        the account locks at the threshold, the burst is detected, guessing goes on."""
        admin = self.admin
        for _ in range(self.counter.detect_threshold + 2):
            self._wait(1, 4)
            now_s = self.clock.now // SECOND_US
            reason = "locked" if self.counter.is_locked(admin[1], now_s) else "invalid_password"
            yield self._failed(log, admin, reason, now_s, "web", ATTACKER_HOST)

    def _manual_clock(self, log):
        """The administrator sets the clock by hand, seven minutes slow: NTP puts it right later."""
        admin = self.admin
        self._wait(10, 60)
        yield events.login(log, admin, "panel", auth_method="Local", counter=self.counter)
        self._wait(30, 90)
        old = self.clock.now
        self.clock.now -= 7 * MINUTE_US
        self._manual_error = 7 * MINUTE_US
        yield events.clock_changed(log, admin, old, "user", interface="panel")
        self._wait(10, 40)
        yield events.logout(log, admin, interface="panel")

    def _user_admin(self, log):
        """user01 (a personal administrator account) manages accounts from her desk."""
        manager, host = person(1), workstation(1)
        via = {"interface": "web", "remote_host": host}
        p = self.prng
        temp = "temp%02d" % (1 + self.day % 100)
        self._wait(10, 60)
        yield events.login(log, manager, auth_method="Local", counter=self.counter, **via)
        self._wait(30, 120)
        yield events.user_added(log, manager, temp, "User", **via)
        self._wait(30, 120)
        n = 3 + p.below(USER_COUNT - 2)
        yield events.user_edited(log, manager, user_id(n), "Name", "User", **via)
        self._wait(20, 90)
        yield events.role_changed(log, manager, user_id(n), "AccountingAdministrator", True, **via)
        self._wait(20, 90)
        yield events.password_changed(log, manager, user_id(3 + p.below(USER_COUNT - 2)), "User", **via)
        self._wait(60, 240)
        yield events.role_changed(log, manager, user_id(n), "AccountingAdministrator", False, **via)
        self._wait(20, 90)
        yield events.user_deleted(log, manager, temp, "User", **via)
        self._wait(10, 40)
        yield events.logout(log, manager, **via)

    def _own_password(self, log):
        n = 3 + self.prng.below(USER_COUNT - 2)
        self._wait(10, 60)
        yield events.password_changed(log, person(n), user_id(n), "User", interface="web",
                                      remote_host=workstation(n))

    def _audit_export(self, log):
        """The administrator downloads the audit log (FAU_SAR.1) over HTTPS."""
        admin, via = self.admin, {"interface": "web", "remote_host": ADMIN_HOST}
        self._wait(10, 60)
        yield events.login(log, admin, auth_method="Local", counter=self.counter, **via)
        self._wait(30, 120)
        last = getattr(log, "next_seq", 1) - 1
        first = self.exported_through + 1 if self.exported_through < last else 1
        self.exported_through = last
        yield events.audit_exported(log, admin, first, last, last - first + 1, peer=ADMIN_HOST, protocol="https",
                                    **via)
        self._wait(10, 40)
        yield events.logout(log, admin, **via)
