# The sender audits its link to the collector on connection-oriented
# transports: one audit_link_down when the link is lost (or the first
# connection of a reboot session fails), nothing per retry, and one
# audit_link_up when it is back, with the failed tries, how long it was down
# by the device clock and the backlog it is about to deliver. A fake TCP
# collector gives exact counts; a real one on 127.0.0.1 goes away and comes
# back. Same scenarios on both runtimes.
import errno
import hashlib
import os

from support import TestDevice
from test_delivery import log_events, normal, sender_for, seqs, signed_hashes

from hcdaudit import catalog
from hcdaudit.hal.net import TcpTransport, TrustedChannelError


class TcpCollector:
    """A TCP-like transport: while dead, connecting is refused and a send is
    reset; `flaky` accepts the connection and resets the first send."""
    name = "tcp"
    peer = "collector:601"

    def __init__(self):
        self.lines = []
        self.up = False
        self.dead = False
        self.flaky = False
        self.refused = 0
        self.reset = 0

    def open(self):
        if self.up:
            return False
        if self.dead:
            self.refused += 1
            raise OSError(errno.ECONNREFUSED, "connection refused")
        self.up = True
        return True

    def send(self, message):
        if self.dead or self.flaky:
            self.up = False
            self.reset += 1
            raise OSError(errno.ECONNRESET, "connection reset by peer")
        self.lines.append(bytes(message))

    def close(self):
        self.up = False


class TlsRefused(TcpCollector):
    """A TLS collector whose certificate is not trusted: every handshake fails for one reason."""
    name = "tls"

    def open(self):
        if self.dead:
            self.refused += 1
            raise TrustedChannelError("TLS", self.peer, "certificate not trusted")
        return TcpCollector.open(self)


class UdpCollector(TcpCollector):
    name = "udp"


def link_records(dev):
    records, _ = dev.records()
    downs = [r for r in records if r["event"] == catalog.event_code("audit_link_down")]
    ups = [r for r in records if r["event"] == catalog.event_code("audit_link_up")]
    failures = [r for r in records if r["event"] == catalog.event_code("trusted_channel_failure")]
    return downs, ups, failures


def item(record, name):
    return record["items"].get(catalog.item_code(name))


def assert_all_signed(lines, last_seq):
    assert sorted(set(seqs(lines))) == list(range(1, last_seq + 1))
    digests = set(signed_hashes(lines).values())
    for message in normal(lines):
        assert hashlib.sha256(message).digest() in digests


def retry(dev, sender, log, times):
    """`times` retries at their due time while the collector is away; one record logged before each."""
    for _ in range(times):
        dev.clock.now = sender.retry_at_us
        log_events(log, 1)
        assert sender.pump(1000) == 0 and not sender.connected


def test_a_tcp_outage_is_one_link_down_and_one_link_up_with_its_tries_duration_and_backlog():
    dev = TestDevice()
    log = dev.boot()
    dev.clock.step = 0            # time moves only when the test says
    log_events(log, 20)
    collector = TcpCollector()
    sender = sender_for(log, dev, collector)
    sender.unconfirmed = 4        # TCP: the last 4 written may have died in kernel buffers
    sender.pump(1000)
    delivered = sender.delivered
    assert delivered == log.next_seq - 1 and sender.connected
    collector.dead = True
    log_events(log, 3)
    logged = log.next_seq - 1
    dev.clock.now += 5000000
    down_at = dev.clock.now
    assert sender.pump(1000) == 0 and not sender.connected     # the first send is reset
    first_unsent = sender.next_seq
    assert first_unsent == delivered - 4 + 1                  # the unconfirmed window is sent again
    retry(dev, sender, log, 40)                               # many failed tries: no record for any
    assert collector.refused == 40
    collector.dead = False
    dev.clock.now = sender.retry_at_us
    back_at = dev.clock.now
    back_last = log.next_seq - 1
    while sender.pump(7):
        pass
    sender.close()
    downs, ups, failures = link_records(dev)
    assert len(downs) == 1 and len(ups) == 1 and failures == [] and sender.link_records == 2
    down, up = downs[0], ups[0]
    assert down["seq"] == logged + 1 and down["time_us"] == down_at and down["outcome"] == 1
    assert item(down, "protocol") == "tcp" and item(down, "peer") == "collector:601"
    assert item(down, "reason").find("reset") >= 0
    assert item(down, "first_seq") == first_unsent and item(down, "last_seq") == logged
    assert item(up, "failure_count") == 40
    assert item(up, "duration_ms") == (back_at - down_at) // 1000
    assert item(up, "first_seq") == first_unsent and item(up, "last_seq") == back_last
    assert item(up, "count") == back_last - first_unsent + 1             # records waiting, the down record too
    assert up["seq"] == back_last + 1 and catalog.severity("audit_link_up") == 6
    # Both were delivered in order with the rest, and signed like any record.
    assert_all_signed(collector.lines, log.next_seq - 1)
    got = seqs(collector.lines)
    assert got.index(down["seq"]) < got.index(up["seq"])


def test_a_failed_first_connection_after_boot_is_a_link_down_and_counts_as_a_try():
    dev = TestDevice()
    log = dev.boot()
    dev.clock.step = 0
    log_events(log, 5)
    collector = TcpCollector()
    collector.dead = True
    sender = sender_for(log, dev, collector)
    assert sender.pump(1000) == 0
    retry(dev, sender, log, 3)
    collector.dead = False
    dev.clock.now = sender.retry_at_us
    while sender.pump(1000):
        pass
    sender.close()
    downs, ups, _ = link_records(dev)
    assert len(downs) == 1 and len(ups) == 1
    assert item(downs[0], "first_seq") == 1 and item(downs[0], "reason").find("refused") >= 0
    assert item(ups[0], "failure_count") == 4 and item(ups[0], "first_seq") == 1
    assert item(ups[0], "count") == ups[0]["seq"] - 1
    assert_all_signed(collector.lines, log.next_seq - 1)


def test_no_record_storm_whatever_fails_and_the_channel_failure_stays_once_per_reason():
    dev = TestDevice()
    log = dev.boot()
    dev.clock.step = 0
    log_events(log, 4)
    collector = TlsRefused()
    collector.dead = True
    sender = sender_for(log, dev, collector)
    sender.pump(1000)
    retry(dev, sender, log, 120)             # the backoff is capped: 120 tries, each a minute apart
    collector.dead = False
    collector.flaky = True                   # accepted, then reset at the first write: still down
    retry(dev, sender, log, 30)
    assert collector.refused == 121 and collector.reset == 30
    collector.flaky = False
    dev.clock.now = sender.retry_at_us
    while sender.pump(1000):
        pass
    sender.close()
    downs, ups, failures = link_records(dev)
    assert len(downs) == 1 and len(ups) == 1 and len(failures) == 1
    assert item(failures[0], "reason") == "certificate not trusted"
    assert item(downs[0], "reason") == "certificate not trusted" and item(downs[0], "protocol") == "tls"
    assert item(ups[0], "failure_count") == 151
    assert log.next_seq - 1 == 1 + 4 + 150 + 3       # start, events, the retries' events; down, tcf, up
    assert_all_signed(collector.lines, log.next_seq - 1)


def test_udp_has_no_link_to_audit():
    dev = TestDevice()
    log = dev.boot()
    dev.clock.step = 0
    log_events(log, 4)
    collector = UdpCollector()
    sender = sender_for(log, dev, collector)
    sender.pump(1000)
    collector.dead = True
    log_events(log, 2)
    sender.pump(1000)
    retry(dev, sender, log, 5)
    collector.dead = False
    dev.clock.now = sender.retry_at_us
    while sender.pump(1000):
        pass
    downs, ups, _ = link_records(dev)
    assert downs == [] and ups == [] and sender.link_records == 0 and not sender.audits_link


def test_a_link_record_that_fills_the_ring_flushes_while_the_sender_reads_the_store():
    # The down record is the one that makes the ring flush (slot_count records
    # unflushed) while the sender is reading back from a stored segment: its
    # bookkeeping and the store both stay whole.
    dev = TestDevice()
    log = dev.boot()
    dev.clock.step = 0
    log_events(log, 120)
    collector = TcpCollector()
    sender = sender_for(log, dev, collector)
    sender.unconfirmed = 100                  # the resend reads far back, from the store
    sender.pump(1000)
    collector.dead = True
    while log.next_seq - 1 - log.store.last_seq < log.slot_count - 1:
        log_events(log, 1)
    stored = log.store.last_seq
    sender.pump(1000)                         # fails: the down record is the 50th unflushed
    assert log.store.last_seq > stored        # it flushed
    collector.dead = False
    dev.clock.now = sender.retry_at_us
    while sender.pump(16):
        pass
    sender.close()
    downs, ups, _ = link_records(dev)
    assert len(downs) == 1 and len(ups) == 1
    assert_all_signed(collector.lines, log.next_seq - 1)


# ------------------------------------------------------------------ a real TCP collector on 127.0.0.1
class LoopbackCollector:
    """A TCP syslog listener in this process, read between pumps (no thread):
    stop() closes it and every connection; start() listens again on the same port."""

    def __init__(self):
        self.port = 0
        self.listener = None
        self.conns = []
        self.data = b""

    def start(self):
        # MicroPython's sockets have no getsockname(): pick a free port ourselves.
        import socket
        for _ in range(20):
            port = self.port or 20000 + int.from_bytes(os.urandom(2), "big") % 20000
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1])
            except OSError:
                s.close()
                if self.port:
                    raise
                continue
            s.listen(4)
            s.setblocking(False)
            self.port = port
            self.listener = s
            return
        raise AssertionError("no free port on 127.0.0.1")

    def read(self):
        for _ in range(8):
            try:
                conn, _ = self.listener.accept()
            except OSError:
                break
            conn.setblocking(False)
            self.conns.append(conn)
        for conn in self.conns:
            for _ in range(1000):
                try:
                    chunk = conn.recv(4096)
                except OSError:
                    break
                if not chunk:
                    break
                self.data += chunk

    def stop(self):
        self.read()
        for conn in self.conns:
            conn.close()
        self.conns = []
        self.listener.close()
        self.listener = None

    def lines(self):
        out = []
        data = self.data
        while data:
            space = data.find(b" ")
            count = int(data[:space])
            out.append(data[space + 1:space + 1 + count])
            data = data[space + 1 + count:]
        return out


def test_a_real_tcp_collector_going_away_and_back_gives_one_down_and_one_up():
    server = LoopbackCollector()
    server.start()
    try:
        dev = TestDevice()
        log = dev.boot()
        dev.clock.step = 0
        log_events(log, 10)
        transport = TcpTransport("127.0.0.1", server.port, timeout_s=2)
        sender = sender_for(log, dev, transport)
        sender.pump(1000)
        server.read()
        server.stop()                         # the collector goes away
        for _ in range(50):                   # writes into kernel buffers succeed until the reset comes back
            log_events(log, 1)
            dev.clock.now += 1000000
            sender.pump(1000)
            if not sender.connected:
                break
        assert not sender.connected
        down_at = dev.clock.now
        retry(dev, sender, log, 6)            # refused: nothing listens
        server.start()
        dev.clock.now = sender.retry_at_us
        back_at = dev.clock.now
        for _ in range(20):
            if not sender.pump(1000):
                break
            server.read()
        sender.close()
        server.read()
        downs, ups, _ = link_records(dev)
        assert len(downs) == 1 and len(ups) == 1
        assert item(ups[0], "failure_count") == 6 and item(ups[0], "duration_ms") == (back_at - down_at) // 1000
        assert item(ups[0], "count") == item(ups[0], "last_seq") - item(downs[0], "first_seq") + 1
        assert set(range(1, log.next_seq)) <= set(seqs(server.lines()))
    finally:
        if server.listener is not None:
            server.stop()
