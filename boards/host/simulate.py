# The simulator on the host board: the simulated MFD controller
# (boards/host/controller.py) drives the real firmware over working days, with
# power cuts at random NVRAM and store writes, reboots, and signed syslog to a
# collector whose network link can drop for a while. Same code on both runtimes:
#   micropython boards/host/simulate.py OPTIONS.json
# (the options as a JSON object, in a file: the unix port's command line is
# short) prints one JSON summary line: the `hcdaudit sim --runtime micropython` path.
#
# Each day runs 07:00-19:30 of simulated time; between days the device is
# switched off in the evening and on at 06:55 (--days fast-forwards the night).
# `rate` paces events in wall-clock time (events per second; 0: flat out), so
# a real collector can be stopped and started during a run.
import json
import sys
import time

from boards.host import device

# (Controller, Prng and SimClock: tests/heap_scenario.py drives the controller from here too)
from boards.host.controller import ADMIN_HOST, DAY_START_US, DAY_US, Controller, Prng, SimClock
from boards.host.netfault import FaultyTransport, Link
from boards.host.power import CutFs, CutNvram, PowerCut, PowerSupply
from hcdaudit import catalog
from hcdaudit.audit import AuditLog
from hcdaudit.reader import Reader
from hcdaudit.timefmt import rfc3339

REBOOT_AFTER_CUT_US = 20 * 1000000
SWITCH_ON_EARLY_US = 5 * 60 * 1000000     # the timer switches the device on at 06:55
PROGRESS_EVERY = 50


def _pause(ms):
    if hasattr(time, "sleep_ms"):
        time.sleep_ms(ms)
    else:
        time.sleep(ms / 1000)


def _wall_ms():
    if hasattr(time, "ticks_ms"):
        return time.ticks_ms()
    return int(time.monotonic() * 1000)


def _wall_since(start):
    if hasattr(time, "ticks_diff"):
        return time.ticks_diff(time.ticks_ms(), start)
    return _wall_ms() - start


class Simulation:
    def __init__(self, device_dir, seed, start_us, syslog_url, rate, outage, https=None, duration=0,
                 cut_during_export=0):
        self.device_dir = device_dir
        self.prng = Prng(seed)
        self.clock = SimClock(start_us)
        self.start_us = start_us
        self.syslog_url = syslog_url
        self.rate = rate
        self.supply = PowerSupply()
        self.key = device.load_master_key(device_dir)
        self.board, self.identity = device.open_board(device_dir, clock=self.clock)
        self.board.nvram = CutNvram(self.board.nvram, self.supply)
        self.board.fs = CutFs(self.board.fs, self.supply)
        self.controller = Controller(self.prng, self.clock)
        # The sender's backoff jitter, from its own stream: the same seed gives the
        # same retries (and collector file), and network trouble never changes
        # what the controller does.
        self.jitter = Prng(seed ^ 0x5A5A5A5A)
        self.link = Link(self.clock) if outage and syslog_url else None
        self.log = None
        self.boots = []
        self.senders = []        # one signed syslog session per boot
        self.returned = []       # seqs whose log() returned: each must be on the device afterwards
        self.cuts = []           # where each power cut landed
        self.outages = []
        self.logged = 0
        self.first_seq = 0
        # The HTTPS admin export (boards/common/web.py): one listener for the
        # run, a server per boot (RAM and connections die with the power).
        self.https = https
        self.duration_ms = int(duration * 1000)
        self.cut_during_export = cut_during_export
        self.export_cuts = 0
        self.listener = None
        self.web = None
        self.web_stats = {}
        self._wall_start = _wall_ms()

    # -- the device's life
    def boot(self, reason, start_mode="cold"):
        """Boot until a boot completes (a cut armed for the boot's own writes cuts it)."""
        while True:
            try:
                self._boot(reason, start_mode)
                return
            except PowerCut as exc:
                self._lost_power(exc)
                reason = "power-restored"

    def _boot(self, reason, start_mode):
        log = AuditLog(self.board, self.key)
        self.log = None
        log.boot(reason)
        self.log = log
        self.boots.append(log.boot_report.as_dict())
        if not self.first_seq:
            self.first_seq = log.boot_report.last_durable_seq + 1    # this run's records start here
        if self.syslog_url:
            # RSID = the boot counter boot() just committed; delivery resumes at
            # the persistent cursor, so what the last session could not get
            # signed or delivered is sent again. The collector is part of the
            # device's configuration record: setting it is an administrator's
            # audited change (once; later boots find it set).
            config = device.collector_config(self.identity, log)
            config.change(log, "url", self.syslog_url, subject="admin", interface="web", remote_host=ADMIN_HOST)
            sender = device.open_sender(self.device_dir, self.identity, log, self.clock, random=self._jitter_bytes,
                                        settings=config.values)
            if self.link is not None:
                sender.transport = FaultyTransport(sender.transport, self.link)
            self.senders.append(sender)
            sender.pump()
        if self.https:
            self._open_web(log)
        self._returned(self.controller.started(log, start_mode))

    def _open_web(self, log):
        from boards.common import web
        from boards.host.dirfs import DirFs
        self._close_web()
        folder = DirFs(self.device_dir + "/" + device.BUNDLE_DIR)
        if self.listener is None:
            host, _, port = self.https.rpartition(":")
            self.listener = web.open_listener(folder, log, host.strip("[]"), int(port))
            if self.listener is not None:
                print("listening https://%s:%d" % (host, self.listener.port))
                if hasattr(sys.stdout, "flush"):
                    sys.stdout.flush()
        if self.listener is None:
            return
        self.web = web.open_web_admin(folder, self.identity, log, self.board, self.key, self.listener,
                                      self.board.random,
                                      web={"connections": 4},
                                      settings=device.collector_config(self.identity, log),
                                      status=self._delivery_state)

    def _close_web(self):
        if self.web is not None:
            for key, value in self.web.stats.items():
                self.web_stats[key] = self.web_stats.get(key, 0) + value
            if self.web.last_error:
                self.web_stats["last_error"] = self.web.last_error
            self.web.lose_power()
            self.web = None

    def _delivery_state(self):
        if not self.senders:
            return {"syslog": "off"}
        sender = self.senders[-1]
        return {"syslog": sender.transport.peer, "syslog_delivered_seq": sender.delivered,
                "syslog_connected": sender.connected, "syslog_last_error": sender.last_error}

    def serve(self, ms=0):
        """Poll the web server (for about `ms` of wall-clock time); a power cut
        inside it (an audit record it logs) is the device's."""
        if self.web is None:
            if ms:
                _pause(ms)
            return
        start = _wall_ms()
        while True:
            try:
                busy = self.web.poll()
                if self.cut_during_export and self.web.exporting() >= self.cut_during_export:
                    self.cut_during_export = 0          # once: the power goes mid-export
                    self.export_cuts += 1
                    raise PowerCut("export", "power cut while an HTTPS export was streaming")
            except PowerCut as exc:
                self.power_cut(exc)
                busy = False
            if _wall_since(start) >= ms:
                return
            if not busy:
                _pause(2)

    def serve_until_done(self):
        """After the day: idle, serving, until --duration has passed."""
        if self.web is not None:
            print("idle after the day, serving")
            if hasattr(sys.stdout, "flush"):
                sys.stdout.flush()
        while self.web is not None and _wall_since(self._wall_start) < self.duration_ms:
            self.serve(50)

    def _lost_power(self, exc):
        """RAM, the connection and the controller's state are gone; the power comes back."""
        self.cuts.append({"time": rfc3339(self.clock.now), "where": exc.where, "write": str(exc)})
        self._close_web()
        if self.senders:
            self.senders[-1].transport.close()
        self.controller.power_lost()
        self.clock.now += REBOOT_AFTER_CUT_US

    def power_cut(self, exc):
        self._lost_power(exc)
        self.boot("power-restored")

    def restart(self, reason):
        """An orderly restart the controller asked for (a firmware update)."""
        self.log.shutdown(reason)
        if self.senders:
            self.senders[-1].close()
        self.clock.now += 40 * 1000000
        self.boot(reason, "warm")

    def night(self, morning_us):
        """The evening shutdown, the night fast-forwarded, the morning's power-on."""
        self._returned(self.controller.end_day(self.log))
        self.log.shutdown("shutdown")
        if self.senders:
            drain(self.senders[-1], self.clock)
            self.senders[-1].close()
        self.clock.now = max(self.clock.now + 60 * 1000000, morning_us - SWITCH_ON_EARLY_US)
        self.boot("power-on")

    def _jitter_bytes(self, n):
        return bytes(self.jitter.below(256) for _ in range(n))

    def deliver(self):
        if self.senders:
            self.senders[-1].pump()
            self.senders[-1].tick()

    def _returned(self, seq):
        if seq is not None:
            self.returned.append(seq)

    # -- the run
    def run(self, events, days, power_cuts, progress=None):
        """progress(done, total), if given, every PROGRESS_EVERY events."""
        prng = self.prng
        total = events * days
        # Cuts land at random points of the run, each at a random write soon
        # after: an NVRAM slot or header, or a store write (segment, rename,
        # eviction, configuration or delivery cursor). Near the end only NVRAM
        # writes are sure to come.
        cut_at = sorted(1 + prng.below(max(total - 1, 1)) for _ in range(power_cuts))
        nvram_next = prng.chance(50)     # then store and NVRAM writes take turns
        self.boot("power-on")
        for day in range(days if events else 0):
            if day:
                try:
                    self.night(self.start_us + day * DAY_US)
                except PowerCut as exc:
                    self.power_cut(exc)
            outage_at = events * (25 + prng.below(40)) // 100 if self.link is not None else -1
            index = 0
            while index < events:
                step = day * events + index
                if cut_at and step >= cut_at[0] and not self.supply.armed():    # one cut at a time
                    cut_at.pop(0)
                    if nvram_next or step > total - 120:
                        self.supply.arm(nvram_writes=1 + prng.below(3))
                    else:
                        self.supply.arm(store_writes=1 + prng.below(8))
                    nvram_next = not nvram_next
                if index == outage_at:
                    self._drop_link()
                seq = None
                try:
                    seq = self.controller.next_event(self.log, index, events)
                    self.returned.append(seq)
                    self.logged += 1
                    index += 1
                    if self.controller.restart:
                        reason, self.controller.restart = self.controller.restart, None
                        self.restart(reason)
                    self.deliver()
                    if self.rate:
                        self.serve(1000 // self.rate)
                    elif self.web is not None:
                        self.serve()
                    if progress is not None and not step % PROGRESS_EVERY:
                        progress(step, total)
                except PowerCut as exc:
                    if seq is None:
                        index += 1      # the event in progress did not return: the controller lost it too
                    self.power_cut(exc)
        self.serve_until_done()
        self.supply.arm()           # no more cuts: the run ends in order
        self._close_web()
        if self.listener is not None:
            self.listener.close()
        if self.senders:
            # Deliver what is left (the whole backlog with --events 0), bounded.
            drain(self.senders[-1], self.clock, real_time=bool(self.rate) or events == 0)
            self.senders[-1].close()
        return self.summary()

    def _drop_link(self):
        minutes = 20 + self.prng.below(25)
        self.link.drop(minutes * 60)
        self.outages.append({"from": rfc3339(self.link.down_from), "until": rfc3339(self.link.down_until),
                             "minutes": minutes})

    # -- what is on the device afterwards
    def summary(self):
        board = self.board
        reader = Reader(board.fs, board.nvram, self.key, board.slot_count, board.slot_size, board.aes,
                        board.device_id, device.escrowed_integrity_root(self.device_dir))
        counts = {}
        first_time = last_time = 0
        for record in reader.records():
            if record["seq"] < self.first_seq:
                continue      # an earlier run's
            name = catalog.event_name(record["event"])
            counts[name] = counts.get(name, 0) + 1
            t = record["time_us"]
            first_time = t if not first_time or t < first_time else first_time
            last_time = t if t > last_time else last_time
        report = reader.report
        # A seq is missing if log() returned it and it is neither on the device
        # nor evicted (with an audit record) by the store cap.
        missing = [seq for seq in self.returned if seq > report.evicted_through and not report.seen(seq)]
        link = self.link
        return {
            "returned_missing": missing,
            "logged": self.logged, "first_seq": self.first_seq, "last_seq": self.log.next_seq - 1,
            "events": counts,
            "first_time": rfc3339(first_time) if first_time else None,
            "last_time": rfc3339(last_time) if last_time else None,
            "in_nvram": report.in_nvram, "in_store": report.in_store, "evicted": report.evicted_count,
            "recoveries": sum(1 for b in self.boots if b["actions"] or b["quarantined"]),
            "power_cuts": self.supply.cuts, "cuts": self.cuts, "boots": self.boots,
            "device_first_seq": report.first_seq, "device_last_seq": report.last_seq, "intact": report.intact(),
            "runtime": sys.implementation.name,
            "syslog": _syslog_summary(self.senders) if self.senders else None,
            "outage": None if link is None else {"windows": self.outages, "refused": link.refused},
            "web": dict(self.web_stats, export_cuts=self.export_cuts) if self.https else None,
        }


def run(device_dir, events, seed=1, power_cuts=0, start_us=DAY_START_US, syslog_url=None, rate=0, days=1,
        outage=False, progress=None, https=None, duration=0, cut_during_export=0):
    """`events` per day over `days` working days; outage: the collector's link
    drops once a day for 20-45 simulated minutes (with syslog_url); https:
    HOST:PORT of the admin export, served for `duration` wall-clock seconds
    (and while the day runs); cut_during_export: cut the power once an export
    has sent that many bytes (tests)."""
    return Simulation(device_dir, seed, start_us, syslog_url, rate, outage, https, duration,
                      cut_during_export).run(events, days, power_cuts, progress)



def _print_progress(done, total):
    print("progress %d %d" % (done, total))


def drain(sender, clock, rounds=600, real_time=False):
    """Pump until the collector has everything. Simulated time passes for the
    reconnect backoff; with real_time, wall-clock time too (a collector that is
    restarting gets ~30 s). Bounded either way."""
    for _ in range(rounds):
        if sender.drained():
            break
        if not sender.pump(512):
            clock.now += 1000000
            sender.tick()
            if real_time:
                _pause(50)
    if sender.acknowledged and sender.connected:
        sender.tick()
    return sender.drained()


def _syslog_summary(senders):
    total = {"sessions": len(senders), "messages": 0, "blocks": 0, "octets": 0, "failed": 0,
             "resent": 0, "lost": 0, "signatures": 0, "shortened": 0, "rsids": [s.signer.rsid for s in senders],
             "last_error": None, "delivered_through": senders[-1].delivered,
             "undelivered": senders[-1].log.next_seq - 1 - senders[-1].delivered}
    for s in senders:
        total["messages"] += s.messages
        total["resent"] += s.resent
        total["lost"] += s.lost
        total["blocks"] += s.blocks
        total["octets"] += s.octets
        total["failed"] += s.failed
        total["signatures"] += s.signer.blocks_signed
        total["shortened"] += s.formatter.shortened
        total["last_error"] = s.last_error or total["last_error"]
    return total


def main(argv):
    if len(argv) == 2:
        with open(argv[1]) as f:
            options = json.load(f)
    else:   # DEVICE_DIR EVENTS SEED POWER_CUTS START_US [SYSLOG_URL|- [RATE]]
        options = {"device_dir": argv[1], "events": int(argv[2]), "seed": int(argv[3]),
                   "power_cuts": int(argv[4]), "start_us": int(argv[5])}
        if len(argv) > 6 and argv[6] != "-":
            options["syslog_url"] = argv[6]
        if len(argv) > 7:
            options["rate"] = int(argv[7])
    if options.pop("progress", False):
        options["progress"] = _print_progress     # lines the host reads as the run goes
    print(json.dumps(run(**options)))


if __name__ == "__main__":
    main(sys.argv)
