# The firmware a flashed board runs (boards/<name>/main.py calls run()):
# the board's parts, the network, the clock from NTP, the audit log booted,
# the signed syslog sender, and a service loop pumping it. Every step that
# needs the network is bounded and may fail: the log comes up regardless and
# records what went wrong (ntp_failure); the sender retries on its own.
# The controller's own code logs through `app.log` (hcdaudit.events).
import gc
import json

from boards import profiles
from boards.common import bundle as bundle_module
from boards.common import mcu
from boards.common.bundle import DeviceError
from boards.common.netif import sleep_ms, ticks_diff, ticks_ms
from hcdaudit import events, subject
from hcdaudit.audit import AuditLog
from hcdaudit.ring import RootNotInstalled

NETWORK_FILE = "network.json"     # in ROOT: Wi-Fi credentials, NTP server, collector (not in device.json:
                                  # that is public, and its copy in the escrow is the host's)
DEFAULT_NTP = "pool.ntp.org"
NTP_EVERY_S = 86400
NETWORK_TIMEOUT_S = 30


def network_settings(folder):
    """ROOT/network.json as a dict ({} if there is none)."""
    if NETWORK_FILE not in folder.listdir():
        return {}
    text = bundle_module.read(folder, NETWORK_FILE, "r")
    try:
        settings = json.loads(text)
    except ValueError:
        raise DeviceError("%s is not valid JSON" % bundle_module.path_of(folder, NETWORK_FILE))
    if not isinstance(settings, dict):
        raise DeviceError("%s is not a JSON object" % bundle_module.path_of(folder, NETWORK_FILE))
    return settings


def set_gc_policy(board_name):
    """A collection every eighth of the board's heap budget allocated: what stays
    alive is then allocated low in the heap instead of spread over the free space
    that the 2 KiB message buffers need (tests/heap_scenario.py runs with the same)."""
    if hasattr(gc, "threshold"):
        gc.threshold(profiles.profile(board_name)["heap"] // 8)


class App:
    def __init__(self, board_module, peripherals=None, clock=None, sntp=None, out=print):
        self.board_module = board_module
        self.peripherals = peripherals
        self.clock = clock
        self._sntp = sntp            # factory(server) -> object with query(); default ntp.Sntp
        self.out = out
        self.board = self.identity = self.log = self.sender = self.web = None
        self.settings = {}
        self.address = None
        self.ntp_failures = 0
        self._ntp_at = 0

    # -- start-up
    def start(self):
        b = self.board_module
        set_gc_policy(b.PROFILE)
        self.board, self.identity = b.open_board(self.peripherals, clock=self.clock)
        self.settings = network_settings(self.board.bundle)
        self._connect(NETWORK_TIMEOUT_S)
        clock = self._ntp()             # before boot: the log's first records carry the right time
        key = b.master_key(self.peripherals)
        self.log = AuditLog(self.board, key)
        try:
            self.log.boot(mcu.boot_reason(self.peripherals))
        except RootNotInstalled as exc:
            self.out("audit log: %s" % exc)     # on the console before the traceback: the one fix
            raise
        self._log_clock(clock)
        self._open_sender()
        self._open_web(key)
        return self

    def _open_web(self, key):
        """The HTTPS admin export on network.json's "https_port" (default 443; 0: off)."""
        port = self.settings.get("https_port", 443)
        if not port or self.address is None:
            return
        from boards.common import web
        if web.CERT_FILE not in self.board.bundle.listdir():
            self.out("https admin export off: the bundle has no %s (provisioned before it existed)" % web.CERT_FILE)
            return
        try:
            listener = web.open_listener(self.board.bundle, self.log, "0.0.0.0", port)
        except OSError as exc:
            self.out("https admin export: %s" % exc)
            return
        if listener is not None:
            self.web = web.open_web_admin(self.board.bundle, self.identity, self.log, self.board, key, listener,
                                          self.board.random, web=profiles.profile(self.board_module.PROFILE)["web"],
                                          settings=bundle_module.collector_config(self.identity, self.log))
            self.out("https admin export on port %d%s" % (port, "" if self.web.problem is None else
                                                           " (off: %s)" % self.web.problem))

    def _connect(self, timeout_s):
        try:
            self.address = self.board_module.connect_network(self.settings, self.peripherals, timeout_s)
            self.out("network up: %s" % self.address)
        except OSError as exc:
            self.out("network: %s" % exc)

    def _open_sender(self):
        config = bundle_module.collector_config(self.identity, self.log)
        # Collector settings the deployer put in network.json ("collector": {"url": ...}) are an
        # administrator's change like any other: audited (setting_change), then applied, once.
        wanted = self.settings.get("collector") or {}
        for name in sorted(wanted):
            try:
                config.change(self.log, name, wanted[name], subject="admin", interface="console")
            except ValueError as exc:
                self.out("network.json collector setting %s: %s" % (name, exc))
        try:
            self.sender = bundle_module.open_sender(self.board.bundle, self.identity, self.log, self.board.now_us,
                                                    settings=config.values)
        except DeviceError as exc:
            self.out("syslog sender: %s" % exc)     # no collector yet: the log keeps everything

    # -- the clock
    def _ntp(self):
        """("set", old_us, server) or ("failed", reason, server)."""
        server = self.settings.get("ntp_server", DEFAULT_NTP)
        self._ntp_at = ticks_ms()
        if self.address is None:
            return ("failed", "network down", server)
        if self._sntp is None:
            from boards.common.ntp import Sntp
            source = Sntp(server)
        else:
            source = self._sntp(server)
        try:
            now = source.query()
        except OSError as exc:
            return ("failed", str(exc) or exc.__class__.__name__, server)
        old = self.board.now_us()
        self.board_module.set_clock(now, self.peripherals)
        return ("set", old, server)

    def _log_clock(self, result):
        if result[0] == "set":
            self.ntp_failures = 0
            events.clock_changed(self.log, subject.system(), result[1], "ntp", ntp_server=result[2])
        else:
            self.ntp_failures += 1
            events.ntp_failed(self.log, result[2], result[1][:64], failure_count=self.ntp_failures)

    # -- the service loop
    def service(self):
        """One pass of the main loop: deliver, run the sender's timers, re-sync the clock when due."""
        if self.sender is not None:
            self.sender.pump()
            self.sender.tick()
        if self.web is not None:
            self.web.poll()
        every = self.settings.get("ntp_every_s", NTP_EVERY_S)
        if ticks_diff(ticks_ms(), self._ntp_at) > every * 1000:
            if self.address is None:
                self._connect(NETWORK_TIMEOUT_S // 3)
            self._log_clock(self._ntp())

    def run_forever(self, pause_ms=50):
        while True:
            self.service()
            sleep_ms(pause_ms)


def run(board_module):
    app = App(board_module).start()
    app.run_forever()
