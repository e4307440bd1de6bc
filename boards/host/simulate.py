# The simulated MFD controller for the host board: drives realistic audit
# events through the real firmware, with power cuts, under either runtime.
#   micropython boards/host/simulate.py DEVICE_DIR EVENTS SEED POWER_CUTS START_US [SYSLOG_URL]
# prints one JSON summary line (the `hcdaudit sim --runtime micropython` path).
import json
import sys

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


def run(device_dir, events, seed=1, power_cuts=0, start_us=DAY_START_US, syslog_url=None):
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
            sender = device.open_sender(device_dir, identity, log.boot_count, clock(), clock, syslog_url)
            # A new session resends what the last one sent after its last SB
            # (those hashes died with the power): this time they get signed.
            previous = senders[-1].covered_seq if senders else log.boot_report.last_durable_seq
            sender.next_seq = previous + 1
            senders.append(sender)
            sender.pump(log)
        return log

    log = boot("power-on")
    index = 0
    while index < events:
        if cut_at and index >= cut_at[0]:
            cut_at.pop(0)
            supply.arm(store_writes=2 + prng.below(5))
        try:
            seq = controller.next_event(log, index, events)
            if senders:
                senders[-1].pump(log)
                senders[-1].tick()
            returned.append(seq)
            logged += 1
            first_seq = first_seq or seq
            last_seq = seq
            index += 1
        except PowerCut:
            index += 1          # the event in progress did not return: the controller lost it too
            if senders:
                senders[-1].transport.close()   # the connection dies with the power; its pending hashes too
            clock.now += 20 * 1000000
            log = boot("power-restored")
    supply.arm()
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


def _syslog_summary(senders):
    total = {"sessions": len(senders), "messages": 0, "blocks": 0, "octets": 0, "failed": 0, "skipped": 0,
             "signatures": 0, "shortened": 0, "rsids": [s.signer.rsid for s in senders], "last_error": None}
    for s in senders:
        total["messages"] += s.messages
        total["blocks"] += s.blocks
        total["octets"] += s.octets
        total["failed"] += s.failed
        total["skipped"] += s.skipped
        total["signatures"] += s.signer.blocks_signed
        total["shortened"] += s.formatter.shortened
        total["last_error"] = s.last_error or total["last_error"]
    return total


def main(argv):
    device_dir, events, seed, cuts, start = argv[1], int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5])
    url = argv[6] if len(argv) > 6 and argv[6] != "-" else None
    print(json.dumps(run(device_dir, events, seed, cuts, start, url)))


if __name__ == "__main__":
    main(sys.argv)
