# The simulated MFD controller for the host board: drives realistic audit
# events through the real firmware, with power cuts, under either runtime.
#   micropython boards/host/simulate.py DEVICE_DIR EVENTS SEED POWER_CUTS START_US [SYSLOG_URL|- [RATE]]
# prints one JSON summary line (the `hcdaudit sim --runtime micropython` path).
import json
import sys
import time

from hcdaudit.audit import AuditLog
from hcdaudit.timefmt import rfc3339
from hcdaudit.reader import Reader
from boards.host import device
from boards.host.power import CutFs, CutNvram, PowerCut, PowerSupply

DAY_START_US = 1795392000 * 1000000 + 7 * 3600 * 1000000   # 2026-11-23 07:00 UTC
USERS = ["user%02d" % i for i in range(1, 21)]
_MASK = 0xFFFFFFFF


class Prng:
    """xorshift32: the same stream on both runtimes (their `random` modules differ)."""

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

    def choice(self, seq):
        return seq[self.below(len(seq))]


class SimClock:
    def __init__(self, start_us):
        self.now = start_us

    def __call__(self):
        return self.now


class Controller:
    """What an MFD controller would log over a working day."""

    def __init__(self, prng, clock):
        self.prng = prng
        self.clock = clock
        self.sessions = []
        self.failures = {}
        self.job = 0

    def host(self):
        return "10.20.%d.%d" % (self.prng.below(4), 10 + self.prng.below(200))

    def next_event(self, log, index, total):
        p = self.prng
        self.clock.now += (3 + p.below(22)) * 1000000   # ~3,000 events from 07:00 to about 19:30
        if index == total // 2:
            # the administrator corrects the clock by hand (audited: timestamps are not monotonic)
            old = self.clock.now
            self.clock.now -= 7 * 60 * 1000000
            return log.log("clock_change", subject="admin", interface="web", remote_host="10.20.0.5",
                           old_time=rfc3339(old), method="user")
        roll = p.below(100)
        user = p.choice(USERS)
        if roll < 14:
            if p.below(100) < 18:
                self.failures[user] = self.failures.get(user, 0) + 1
                return log.log("login_failure", subject=user, outcome="failure", interface="panel")
            self.sessions.append(user)
            return log.log("login", subject=user, interface=p.choice(("panel", "web")), remote_host=self.host())
        if roll < 22 and self.sessions:
            return log.log("logout", subject=self.sessions.pop(0), interface="panel")
        if roll < 25:
            return log.log("setting_change", subject="admin", interface="web", remote_host="10.20.0.5",
                           setting=p.choice(("SMTP server", "Scan to e-mail", "IPP attributes", "Auto clear")),
                           old_value="off", new_value="on")
        self.job += 1
        kind = p.choice(("print_job", "print_job", "print_job", "copy_job", "scan_job"))
        items = {"job_uuid": job_uuid(p), "job_id": self.job, "pages": 1 + p.below(40)}
        if kind == "print_job":
            items["file_name"] = "%s-report-%04d.pdf" % (user, self.job)
            return log.log(kind, subject=user, interface="ipp", remote_host=self.host(), **items)
        return log.log(kind, subject=user, interface="panel", **items)


def job_uuid(prng):
    h = "%08x%08x%08x%08x" % (prng.next(), prng.next(), prng.next(), prng.next())
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:32])


def _pause(ms):
    if hasattr(time, "sleep_ms"):
        time.sleep_ms(ms)
    else:
        time.sleep(ms / 1000)


def run(device_dir, events, seed=1, power_cuts=0, start_us=DAY_START_US, syslog_url=None, rate=0):
    """rate: events per second of wall-clock time (0: as fast as the device goes),
    so a real collector can be stopped and started during a run."""
    prng = Prng(seed)
    clock = SimClock(start_us)
    supply = PowerSupply()
    key = device.load_master_key(device_dir)
    board, identity = device.open_board(device_dir, clock=clock)
    board.nvram = CutNvram(board.nvram, supply)
    board.fs = CutFs(board.fs, supply)
    controller = Controller(prng, clock)
    # Cuts land at random points of the run, each in the middle of the next flush.
    cut_at = sorted(1 + prng.below(max(events - 1, 1)) for _ in range(power_cuts))
    boots = []
    returned = []      # seqs whose log() returned: each must be on the device afterwards
    logged = 0
    first_seq = last_seq = 0
    senders = []       # one signed syslog session per boot

    def boot(reason):
        log = AuditLog(board, key)
        log.boot(reason)
        boots.append(log.boot_report.as_dict())
        if syslog_url:
            # RSID = the boot counter boot() just committed; delivery resumes at
            # the persistent cursor, so what the last session could not get
            # signed or delivered is sent again.
            # The collector is part of the device's configuration record: setting
            # it is an administrator's audited change (once; later boots find it set).
            config = device.collector_config(identity, log)
            config.change(log, "url", syslog_url, subject="admin", interface="web", remote_host="10.20.0.5")
            sender = device.open_sender(device_dir, identity, log, clock, settings=config.values)
            senders.append(sender)
            sender.pump()
        return log

    log = boot("power-on")
    index = 0
    while index < events:
        if cut_at and index >= cut_at[0]:
            cut_at.pop(0)
            supply.arm(store_writes=2 + prng.below(5))
        seq = None
        try:
            seq = controller.next_event(log, index, events)
            returned.append(seq)
            logged += 1
            first_seq = first_seq or seq
            last_seq = seq
            index += 1
            if senders:
                senders[-1].pump()
                senders[-1].tick()
            if rate:
                _pause(1000 // rate)
        except PowerCut:
            if seq is None:
                index += 1      # the event in progress did not return: the controller lost it too
            if senders:
                senders[-1].transport.close()   # the connection dies with the power; its pending hashes too
            clock.now += 20 * 1000000
            log = boot("power-restored")
    supply.arm()           # no more cuts: the run ends in order
    if senders:
        # Deliver what is left (the whole backlog with --events 0), bounded.
        drain(senders[-1], clock, real_time=bool(rate) or events == 0)
    if senders:
        senders[-1].close()
    reader = Reader(board.fs, board.nvram, key, board.slot_count, board.slot_size, board.aes)
    present = set()
    for record in reader.records():
        present.add(record["seq"])
    report = reader.report
    return {
        "returned_missing": [seq for seq in returned if seq not in present],
        "logged": logged, "first_seq": first_seq, "last_seq": last_seq,
        "in_nvram": report.in_nvram, "in_store": report.in_store, "evicted": report.evicted_count,
        "recoveries": sum(1 for b in boots if b["actions"] or b["quarantined"]),
        "power_cuts": supply.cuts, "boots": boots, "device_first_seq": report.first_seq,
        "device_last_seq": report.last_seq, "intact": report.intact(),
        "runtime": sys.implementation.name,
        "syslog": _syslog_summary(senders) if senders else None,
    }


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
    device_dir, events, seed, cuts, start = argv[1], int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5])
    url = argv[6] if len(argv) > 6 and argv[6] != "-" else None
    rate = int(argv[7]) if len(argv) > 7 else 0
    print(json.dumps(run(device_dir, events, seed, cuts, start, url, rate)))


if __name__ == "__main__":
    main(sys.argv)
