# Delivery from the device: the sender reads records by seq (ring, then store)
# from a persistent cursor, hashes exactly the bytes it sends, resends after a
# failure byte-identically without hashing again, and audits records evicted
# before they were delivered. Same scenarios on both runtimes.
import binascii
import hashlib

import rfc5848_vectors as vec
import support
from support import TestDevice

from hcdaudit import catalog, dsa
from hcdaudit.backlog import Backlog
from hcdaudit.cursor import NAME as CURSOR_NAME
from hcdaudit.cursor import DeliveryCursor
from hcdaudit.hal.net import FileTransport
from hcdaudit.sender import Sender
from hcdaudit.signer import Signer
from hcdaudit.syslog import Formatter

UUID = "urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84"


def key():
    return dsa.PrivateKey(vec.KEY_P, vec.KEY_Q, vec.KEY_G, vec.KEY_Y, vec.KEY_X)


class Collector:
    """A transport that stores what it is given, and can be told to fail."""
    name = "test"
    peer = "collector:514"

    def __init__(self, fail_at=()):
        self.lines = []
        self.fail_at = list(fail_at)    # send numbers (1-based, over all sends) that raise
        self.sends = 0
        self.opens = 0
        self.up = False

    def open(self):
        if self.up:
            return False
        self.up = True
        self.opens += 1
        return True

    def send(self, message):
        self.sends += 1
        if self.sends in self.fail_at:
            raise OSError(104, "connection reset by peer")
        self.lines.append(bytes(message))

    def close(self):
        self.up = False


class RelpCollector:
    """A RELP-like transport: a message is stored when the collector answers
    it, in send order. With `hold_from_sb` the answers stop at the next
    Signature Block; kill() loses every unanswered message and refuses the
    connection until revive()."""
    name = "relp"
    peer = "collector:2514"

    def __init__(self):
        self.on_ack = None
        self.lines = []
        self.window = []            # (message, tag) sent and not answered
        self.hold_from_sb = False
        self.up = False
        self.dead = False
        self.waits = 0

    def open(self):
        if self.dead:
            raise OSError(111, "connection refused")
        if self.up:
            return False
        self.up = True
        return True

    def send(self, message, tag=None):
        if self.dead:
            raise OSError(104, "connection reset by peer")
        self.window.append((bytes(message), tag))
        self._answer()

    def _answer(self):
        while self.window and not (self.hold_from_sb and self.window[0][0].find(b"[ssign ") > 0):
            message, tag = self.window.pop(0)
            self.lines.append(message)
            self.on_ack(tag)

    def poll(self, timeout_s=0):
        if self.dead:
            raise OSError(104, "connection reset by peer")
        self._answer()
        return 0

    def wait_acked(self, timeout_s=None):
        self.waits += 1
        self.poll()
        if self.window:
            raise OSError(110, "timed out waiting for acknowledgements")

    def outstanding(self):
        return len(self.window)

    def kill(self):
        self.window = []
        self.dead = True

    def revive(self):
        self.dead = False
        self.hold_from_sb = False

    def close(self):
        lost = [tag for _, tag in self.window]
        self.window = []
        self.up = False
        return lost


def sender_for(log, dev, transport, max_hashes=8):
    f = Formatter("printer.example.com", UUID, "ipp://printer.example.com/ipp/print")
    signer = Signer(key(), f.hostname, f.signer_app_name, log.boot_count, dev.clock(), dev.clock, max_hashes=max_hashes)
    return Sender(log, f, signer, transport, DeliveryCursor(log.store.fs, log.mac_key), Backlog(log),
                  dev.clock, dev.random)


def normal(lines):
    return [line for line in lines if line.find(b"[ssign") < 0]


def seqs(lines):
    out = []
    for line in normal(lines):
        i = line.find(b' seq="') + 6
        out.append(int(line[i:line.find(b'"', i)]))
    return out


def signed_hashes(lines):
    hashes = {}
    seen = set()
    for line in lines:
        if line.find(b"[ssign ") < 0 or line in seen:
            continue
        seen.add(line)
        i = line.find(b'FMN="') + 5
        fmn = int(line[i:line.find(b'"', i)])
        hb = line[line.find(b'HB="') + 4:line.find(b'" SIGN')]
        for n, h in enumerate(hb.split(b" ")):
            hashes[fmn + n] = binascii.a2b_base64(h)
    return hashes


def flip_bit(fs, name, offset, mask):
    """Edit a device file behind the device's back."""
    f = fs.open(name, "rb")
    data = bytearray(f.read())
    f.close()
    data[offset] ^= mask
    f = fs.open(name, "wb")
    f.write(data)
    f.close()


def log_events(log, n, start=0):
    for i in range(n):
        log.log("logout", subject="user%02d" % ((start + i) % 20), interface="panel")


def test_sender_hashes_exactly_the_bytes_it_sends_from_ring_and_store():
    dev = TestDevice()
    log = dev.boot()
    log_events(log, 130)          # two flushes: most records are read back from the store
    collector = Collector()
    sender = sender_for(log, dev, collector)
    while sender.pump(50):
        pass
    sender.close()
    assert seqs(collector.lines) == list(range(1, log.next_seq))
    hashes = signed_hashes(collector.lines)
    messages = normal(collector.lines)
    assert [hashes[n + 1] for n in range(len(messages))] == [hashlib.sha256(m).digest() for m in messages]
    assert collector.lines[0].find(b"[ssign-cert ") > 0            # a CB opens the transport session


def test_cursor_survives_a_reboot_and_an_orderly_close_resends_nothing():
    dev = TestDevice()
    log = dev.boot()
    log_events(log, 70)
    first = Collector()
    sender = sender_for(log, dev, first)
    sender.pump(1000)
    sender.close()
    delivered = sender.delivered
    assert delivered == log.next_seq - 1 and CURSOR_NAME in log.store.fs.listdir()
    dev.unmount()
    log = dev.boot()              # a new reboot session (RSID)
    log_events(log, 5)
    second = Collector()
    sender = sender_for(log, dev, second)
    assert sender.next_seq == delivered + 1
    sender.pump(1000)
    sender.close()
    assert seqs(second.lines) == list(range(delivered + 1, log.next_seq))


def test_a_failed_send_is_resent_byte_identically_and_not_hashed_again():
    dev = TestDevice()
    log = dev.boot()
    log_events(log, 40)
    collector = Collector(fail_at=(12,))
    dev.clock.step = 0            # time moves only when the test says
    sender = sender_for(log, dev, collector)
    sender.pump(1000)
    assert not sender.connected and sender.failed == 1 and sender.last_error.find("reset") > 0
    assert sender.pump(1000) == 0             # backoff: no retry before its time
    dev.clock.now = sender.retry_at_us
    while sender.pump(1000):
        pass
    sender.close()
    got = seqs(collector.lines)
    assert sorted(set(got)) == list(range(1, log.next_seq))       # nothing missing
    numbers = signed_hashes(collector.lines)
    assert len(numbers) == log.next_seq - 1                      # one number per record, resends included
    digests = set(numbers.values())
    for message in normal(collector.lines):
        assert hashlib.sha256(message).digest() in digests       # every copy, resent or not, is signed


def assert_all_signed(collector, last_seq):
    assert sorted(set(seqs(collector.lines))) == list(range(1, last_seq + 1))
    digests = set(signed_hashes(collector.lines).values())
    for message in normal(collector.lines):
        assert hashlib.sha256(message).digest() in digests


def relp_with_an_unanswered_sb():
    """Everything the device logged is sent and acknowledged; then the idle SB
    covering it goes out and the collector answers nothing from there on."""
    dev = TestDevice()
    log = dev.boot()
    dev.clock.step = 0            # time moves only when the test says
    log_events(log, 6)
    collector = RelpCollector()
    collector.hold_from_sb = True
    sender = sender_for(log, dev, collector)
    sender.pump(1000)
    assert sender.delivered == log.next_seq - 1 and sender.signer.gbc == 0
    dev.clock.now += 31 * 1000000
    sender.tick()
    assert sender.signer.gbc == 1 and collector.outstanding() == 1
    return dev, log, collector, sender


def test_relp_an_unacknowledged_signature_block_is_resent_after_the_failure():
    # The collector acknowledged the messages, then died before answering the
    # SB that covers them and the SB's redundant copy: the messages it holds
    # would stay unsigned unless the SB is sent again.
    dev, log, collector, sender = relp_with_an_unanswered_sb()
    sender._save_cursor(True)
    assert sender.saved == 0              # acknowledged, but their SB is not: the cursor waits
    dev.clock.now += 31 * 1000000
    sender.tick()                         # the idle period's copy of the SB: unanswered too
    assert collector.outstanding() == 2
    before = log.next_seq - 1
    collector.kill()
    sender.pump(1000)
    assert not sender.connected and sender.failed == 1
    collector.revive()
    dev.clock.now = sender.retry_at_us
    sender.pump(1000)
    assert sender.covered_seq == before and sender.signer.gbc == 1     # the kept SB, not a new one
    assert log.next_seq - 1 == before + 2      # audit_link_down and audit_link_up, signed by the final SB
    sender.close()
    assert_all_signed(collector, log.next_seq - 1)
    assert sender.saved == log.next_seq - 1


def test_relp_no_new_signature_block_while_the_last_is_unacknowledged():
    dev, log, collector, sender = relp_with_an_unanswered_sb()
    first = sender.delivered
    log_events(log, 8)
    sender.pump(1000)                     # 8 more hashes: an SB is due, the last is unanswered
    assert collector.waits == 1 and sender.signer.gbc == 1 and not sender.connected
    assert sender.delivered == first
    collector.revive()
    dev.clock.now = sender.retry_at_us
    while sender.pump(1000):
        pass
    sender.close()
    assert sender.signer.gbc >= 2
    assert_all_signed(collector, log.next_seq - 1)


def test_records_evicted_before_delivery_are_one_audited_loss():
    dev = TestDevice(cap=100)
    log = dev.boot()
    log_events(log, 260)          # the store keeps 100-150: the oldest were evicted, undelivered
    collector = Collector()
    sender = sender_for(log, dev, collector)
    oldest = Backlog(log).oldest()
    assert oldest > 1
    while sender.pump(100):
        pass
    sender.close()
    assert sender.lost == oldest - 1
    losses = [line for line in normal(collector.lines) if line.find(b'event="0x0905"') > 0]
    assert len(losses) == 1
    assert losses[0].find(b'first_seq="1"') > 0 and losses[0].find(b'last_seq="%d"' % (oldest - 1)) > 0
    assert losses[0].find(b'count="%d"' % (oldest - 1)) > 0
    assert seqs(collector.lines)[0] == oldest


def test_a_tampered_cursor_is_ignored_and_everything_is_sent_again():
    dev = TestDevice()
    log = dev.boot()
    cursor = DeliveryCursor(log.store.fs, log.mac_key)
    cursor.save(7)
    assert DeliveryCursor(log.store.fs, log.mac_key).load() == 7
    flip_bit(log.store.fs, CURSOR_NAME, 12, 0x01)
    fresh = DeliveryCursor(log.store.fs, log.mac_key)
    assert fresh.load() == 0 and fresh.problem == "does not authenticate"


def test_file_collector_gets_what_the_device_logged():
    path = support.tmpdir() + "/collector.log"
    dev = TestDevice()
    log = dev.boot()
    log_events(log, 20)
    sender = sender_for(log, dev, FileTransport(path))
    sender.pump(100)
    sender.close()
    with open(path, "rb") as fh:
        lines = fh.read().split(b"\n")[:-1]
    assert seqs(lines) == list(range(1, log.next_seq))
    assert catalog.event_code("audit_start") == 0x0901


def test_collector_configuration_changes_only_through_an_audited_change():
    from hcdaudit.collector_config import NAME as CONFIG_NAME
    from hcdaudit.collector_config import CollectorConfig, ConfigError
    from support import raises
    dev = TestDevice()
    log = dev.boot()
    defaults = {"facility": 6, "enterprise": 32473, "max_hashes": 32}
    config = CollectorConfig(log.store.fs, log.mac_key, defaults)
    assert config.load() == defaults
    before = log.next_seq
    assert config.change(log, "url", "relp+tls://collector.example.com:2514", remote_host="10.0.0.5")
    assert not config.change(log, "url", "relp+tls://collector.example.com:2514")     # no change, no event
    assert config.change(log, "max_hashes", 16)
    assert log.next_seq == before + 2                        # two changes, two audit records
    records, _ = dev.records()
    changes = [r for r in records if r["event"] == catalog.event_code("setting_change")]
    item = catalog.item_code
    assert changes[-2]["items"][item("setting")] == "syslog url"
    assert changes[-2]["items"][item("new_value")] == "relp+tls://collector.example.com:2514"
    assert changes[-1]["items"][item("old_value")] == "32" and changes[-1]["items"][item("new_value")] == "16"
    dev.unmount()
    log = dev.boot()                                          # persists across a reboot
    again = CollectorConfig(log.store.fs, log.mac_key, defaults)
    assert again.load()["url"] == "relp+tls://collector.example.com:2514" and again.values["max_hashes"] == 16
    for name, value in (("url", "smtp://x"), ("facility", 24), ("max_hashes", 33), ("nope", 1),
                        ("collector_fingerprint", "md5:00")):
        raises(ConfigError, again.change, log, name, value)
    # Edited behind the device's back: ignored, the provisioned defaults apply.
    flip_bit(log.store.fs, CONFIG_NAME, 3, 0x20)
    tampered = CollectorConfig(log.store.fs, log.mac_key, defaults)
    assert tampered.load() == defaults and tampered.problem == "does not authenticate"


def test_tcp_a_signature_block_lost_in_kernel_buffers_is_sent_again():
    # TCP: the collector died with the last writes unread in its buffers, the
    # SB among them. The messages it covered are resent (not hashed again), so
    # without that SB they would reach the collector's file unsigned.
    dev = TestDevice()
    log = dev.boot()
    dev.clock.step = 0            # time moves only when the test says
    log_events(log, 15)           # 16 records with audit_start
    collector = Collector()
    sender = sender_for(log, dev, collector)
    sender.pump(1000)             # CB and its copy, 8 messages, SB 0, 8 messages, SB 0's copy, SB 1
    dev.clock.now += 31 * 1000000
    sender.tick()                 # SB 1's redundant copy: the signer owes no other
    assert sender.signer.gbc == 2 and len(collector.lines) == 22
    assert [line.find(b' GBC="') > 0 for line in collector.lines[-5:]] == [False, False, True, True, True]
    del collector.lines[-5:]      # the last two messages and every copy of SB 1: never read
    collector.fail_at.append(collector.sends + 1)
    log_events(log, 3, 16)
    sender.pump(1000)
    assert not sender.connected and sender.failed == 1
    dev.clock.now = sender.retry_at_us
    while sender.pump(1000):
        pass
    sender.close()
    assert_all_signed(collector, log.next_seq - 1)


def test_backlog_reads_every_record_by_seq_and_none_past_a_truncated_entry():
    from hcdaudit import record
    dev = TestDevice()
    log = dev.boot()
    log_events(log, 130)          # two flushes: records 1..~100 in the store, the rest in the ring
    backlog = Backlog(log)
    for seq in range(1, log.next_seq):
        plaintext = backlog.read(seq)
        assert plaintext is not None and record.decode(plaintext)["seq"] == seq, seq
    backlog.release()
    name = log.store.segment_of(1)
    last = 1
    while log.store.segment_of(last + 1) == name:
        last += 1
    f = log.store.fs.open(name, "rb")
    data = f.read()
    f.close()
    cut = data.find(b"HCDC")      # a segment's checkpoint ends its entries (if it has one yet)
    cut = len(data) if cut < 0 else cut
    f = log.store.fs.open(name, "wb")
    f.write(data[:cut - 5])       # the last entry loses its mac's tail
    f.close()
    backlog = Backlog(log)
    assert record.decode(backlog.read(last - 1))["seq"] == last - 1
    assert backlog.read(last) is None
    backlog.release()


def test_blocks_are_built_in_the_formatters_buffer_and_never_over_an_unsent_message():
    dev = TestDevice()
    log = dev.boot()
    log_events(log, 20)
    collector = Collector()
    sender = sender_for(log, dev, collector)
    assert sender.signer.out is sender.formatter.out      # one 2 KB buffer, not two
    sender.pump(5)
    sender.signer.reconnected()                           # a CB is owed before the next message
    sender.pump(5)
    sender.close()
    assert seqs(collector.lines) == list(range(1, 11))
    hashes = signed_hashes(collector.lines)
    messages = normal(collector.lines)
    assert [hashes[n + 1] for n in range(len(messages))] == [hashlib.sha256(m).digest() for m in messages]
    sixth = [i for i, line in enumerate(collector.lines) if line.find(b' seq="6"') > 0][0]
    assert collector.lines[sixth - 1].find(b"[ssign-cert ") > 0    # the CB owed went out just before it
