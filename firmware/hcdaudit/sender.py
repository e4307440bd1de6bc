# The syslog sender: a consumer reading the device's records by seq (ring,
# then store) from a persistent delivery cursor. Each record becomes one
# RFC 5424 message; the signer hashes that buffer and the transport sends the
# same buffer, so nothing is signed that was not sent as hashed. Blocks the
# signer owes (certificate blocks first in every transport session, signature
# blocks when full or idle) go out between messages.
#
# Delivery (at-least-once): over RELP a record is delivered when the collector
# acknowledged it. Over TCP/TLS a write that succeeded may still die in kernel
# buffers when the collector goes away, so a failure resends the last
# UNCONFIRMED records written on that connection as well, and the stored
# cursor stays that far behind (duplicates are allowed there; RELP has none to
# spare). A failure closes the connection, rewinds and retries with capped
# exponential backoff and jitter. A resent message is byte-identical and is
# not hashed again: it keeps the number it got in this reboot session (RFC
# 5848 §4.2.5), so a copy the collector did store shows as a duplicate, never
# as a second number. A new reboot session resends from the stored cursor,
# which never passes the last message an SB that went out covers: the hashes
# a power cut destroyed are made again for the resent messages. Over RELP an
# SB too is out only when acknowledged; the signer keeps just its last SB, so
# no new one is made while the last is unanswered, and a failure resends it.
# Over TCP/TLS a failure resends the last SB too when it went out within the
# resend window (it may have died in kernel buffers with what it covers).
#
# The link to the collector is audited on connection-oriented transports
# (LINKED; UDP and a file have no link): one audit_link_down when an
# established link is lost or the first connection of the reboot session
# fails, nothing per retry while it stays down, and one audit_link_up when a
# write succeeds on a new connection (the failed tries, how long it lasted by
# the device clock, and the backlog about to be delivered). Both go through
# log() like any record: they join the backlog and are delivered in order.
#
# log() never waits on the network: the sender runs from the main loop
# (`pump()` with a message budget, `tick()` for timers) and its sockets have
# timeouts. Its buffers are the formatter's (blocks are built there too,
# between messages), the signer's SB copy and the transport's, all preallocated.
from hcdaudit import record as record_module

SAVE_EVERY = 32           # deliveries between cursor writes (a lag costs duplicates only)
UNCONFIRMED = 256         # TCP/TLS default: records kernel buffers can hold unseen (a board sets its own)
BACKOFF_FIRST_S = 1
BACKOFF_CAP_S = 60
LINKED = ("tcp", "tls", "relp", "relp+tls")   # transports with a link to audit

_LINK_NEW = 0             # not connected yet in this reboot session
_LINK_UP = 1              # a write succeeded on the current or last connection
_LINK_DOWN = 2            # audit_link_down logged; audit_link_up is owed


class Sender:
    def __init__(self, log, formatter, signer, transport, cursor, backlog, clock, random,
                 backoff_cap_s=BACKOFF_CAP_S, unconfirmed=UNCONFIRMED):
        self.log = log
        self.formatter = formatter
        self.signer = signer
        self.transport = transport
        self.cursor = cursor
        self.backlog = backlog
        self.clock = clock
        self.random = random
        self.backoff_cap_us = backoff_cap_s * 1000000
        self.unconfirmed = unconfirmed   # the board's TCP/TLS resend window
        self.acknowledged = hasattr(transport, "poll")     # RELP: delivered only when acknowledged
        self.confirmed = getattr(transport, "confirms_writes", False)   # a collector file: written is delivered
        if self.acknowledged:
            transport.on_ack = self._acked
        # Blocks are built in the formatter's buffer: every message is sent before
        # a block is asked for (the certificate blocks owed go before the message).
        signer.share_buffer(formatter.out)
        self.delivered = cursor.load()   # the collector holds every seq up to here
        self.saved = self.delivered
        self.next_seq = self.delivered + 1
        self.hashed_through = 0   # highest seq hashed in this reboot session
        self.covered_seq = 0      # highest seq hashed before an SB that went out
        self._last_hashed = 0
        self.connected = False
        self._clean = False       # the session ended with an orderly close
        self._session_first = self.next_seq   # the first seq written on the current connection
        self.failures = 0         # consecutive failed attempts
        self.retry_at_us = 0
        self._failure_reason = None
        self._retry_sb = False    # an SB whose send failed (the signer's last), resent first
        self._sb_at = -1          # TCP/TLS: messages written before the last SB on this connection (-1: none)
        self._sb_acked = 0        # RELP: the newest SB acknowledged, as the signer's GBC after it
        self._sb_covers = 0       # RELP: the highest seq the signer's last SB covers
        self.messages = 0
        self.resent = 0
        self.blocks = 0
        self.octets = 0
        self.failed = 0
        self.lost = 0             # records evicted before delivery (audited)
        self.last_error = None
        self.audits_link = transport.name in LINKED
        self._link = _LINK_NEW
        self._wrote = False       # a write succeeded on the current connection
        self._down_us = 0         # device clock when the link went down
        self._tries = 0           # failed tries while down
        self._back_first = 0      # at reconnection: the first seq to (re)send
        self._back_last = 0       # at reconnection: the last seq logged
        self._back_us = 0         # device clock at reconnection
        self.link_records = 0     # audit_link_down and audit_link_up logged

    # -- the main loop's calls
    def pump(self, budget=64):
        """Send up to `budget` records the collector does not have yet. Returns how many were sent."""
        if not self._ready():
            return 0
        sent = 0
        try:
            self._resend_failed_block()
            while sent < budget and self.next_seq < self.log.next_seq:
                self._send_seq(self.next_seq)
                sent += 1
            if self.acknowledged:
                self.transport.poll(0)
            self._send_blocks(False)
        except OSError as exc:
            self._failure(exc)
        finally:
            self.backlog.release()
            self._save_cursor(False)
        return sent

    def tick(self):
        """Timers: the idle SB, SB re-sends and periodic CBs; acknowledgements."""
        idle = self.signer.idle_due()
        if not self.connected or not (idle or self.acknowledged):
            return
        try:
            if self.acknowledged:
                self.transport.poll(0)
            if idle:
                self._send_blocks(False)
        except OSError as exc:
            self._failure(exc)
        self._save_cursor(False)

    def drained(self):
        return self.next_seq >= self.log.next_seq and self.delivered >= self.log.next_seq - 1

    def close(self, timeout_s=5):
        """Orderly end of the session: the last SB, then a CB, every acknowledgement, the cursor."""
        if self._ready():
            try:
                self._resend_failed_block()     # before the final SB replaces it
                self._send_blocks(True)
                if self.acknowledged:
                    self.transport.wait_acked(timeout_s)
            except OSError as exc:
                self._failure(exc)
        try:
            self.transport.close()
            # Closed in order with nothing failing: what was written is delivered.
            self._clean = self.connected
        except OSError:
            pass
        self.connected = False
        self._wrote = False       # a later connection proves itself again
        self._save_cursor(True)

    # -- sending
    def _send_seq(self, seq):
        if self.signer.cert_needed():
            self._send_blocks(False)      # before the message: blocks are made in its buffer
        plaintext = self.backlog.read(seq)
        if plaintext is None:
            self._gone(seq)
            return
        message = self.formatter.format(record_module.decode(plaintext))
        if seq > self.hashed_through:
            self.signer.hash_message(message)
            self.hashed_through = seq
            self._last_hashed = seq
        else:
            self.resent += 1
        self._write(message, seq)
        self.messages += 1
        if not self.acknowledged:
            self.delivered = seq
        self.next_seq = seq + 1
        if self.signer.pending >= self.signer.max_hashes:
            self._send_blocks(False)

    def _send_blocks(self, final):
        signer = self.signer
        gbc = signer.gbc
        now = signer.clock()       # one reading: the SB the check expects is the one made
        if self.acknowledged and self._sb_acked < gbc and signer.signature_due(final, now):
            # RELP: the signer keeps one SB for re-sending, so the last one must
            # be acknowledged before the next replaces it; after a failure the
            # only SB the collector can lack is then the one still kept.
            self.transport.wait_acked()
        for block in signer.blocks_due(final, now):
            is_sb = signer.yielding_sb     # a new SB or a copy: either way the signer's last
            if is_sb and signer.gbc != gbc:
                self._sb_covers = self._last_hashed
            try:
                self._write(block, -signer.gbc if is_sb else None)
            except OSError:
                if is_sb:
                    self._retry_sb = True
                raise
            if is_sb:
                self._sb_at = self.messages
            self.blocks += 1
        if signer.gbc != gbc and not self.acknowledged:
            # A new SB went out: what was hashed before it can be verified
            # (over RELP, once the collector acknowledged it: _acked).
            self.covered_seq = self._last_hashed

    def _write(self, message, tag):
        """tag: the record's seq, or -GBC for an SB (RELP acknowledges by tag)."""
        if self.acknowledged:
            self.transport.send(message, tag)
        else:
            self.transport.send(message)
        self.octets += len(message)
        if not self._wrote:
            self._wrote = True
            if self._link == _LINK_DOWN:
                self._link_up()
            elif self._link == _LINK_NEW:
                self._link = _LINK_UP

    def _resend_failed_block(self):
        if self._retry_sb:
            self._write(self.signer.last_signature_block(), -self.signer.gbc)
            self._retry_sb = False
            self._sb_at = self.messages
            self.blocks += 1

    def _acked(self, tag):
        if tag is None:
            return
        if tag < 0:
            if -tag > self._sb_acked:
                self._sb_acked = -tag
            if -tag == self.signer.gbc:
                self.covered_seq = self._sb_covers
        elif tag > self.delivered:
            self.delivered = tag

    # -- what can go wrong
    def _gone(self, seq):
        """seq is no longer on the device: evicted (or damaged) before it was
        delivered. One audit event names the range; delivery goes on after it."""
        oldest = self.backlog.oldest()
        last = oldest - 1 if oldest > seq else seq
        count = last - seq + 1
        self.lost += count
        self._audit("audit_undelivered_loss", first_seq=seq, last_seq=last, count=count,
                    peer=self.transport.peer[:45])
        self.next_seq = last + 1
        if self.delivered < last:
            self.delivered = last

    def _ready(self):
        """Connected, or connecting now if the backoff allows."""
        if self.connected:
            return True
        if self.clock() < self.retry_at_us:
            return False
        try:
            self.transport.open()
        except OSError as exc:
            self._failure(exc)
            return False
        self.connected = True
        self._session_first = self.next_seq
        self._sb_at = -1
        self._wrote = False
        if self._link == _LINK_DOWN:
            # What waits now; audit_link_up says so once a write gets through.
            self._back_first = self.next_seq
            self._back_last = self.log.next_seq - 1
            self._back_us = self.clock()
        self.failures = 0
        self._failure_reason = None
        self.signer.reconnected()   # RFC 5848 §6.1.1: a fresh CB in every transport session
        return True

    def _failure(self, exc):
        self.failed += 1
        self.failures += 1
        self.last_error = "%s %s: %s" % (self.transport.name, self.transport.peer, exc)
        try:
            self.transport.close()
        except OSError:
            pass
        self.connected = False
        if self.acknowledged and self._sb_acked < self.signer.gbc:
            self._retry_sb = True     # the signer's last SB went out unacknowledged
        elif not self.confirmed and self._sb_at >= 0 and self.messages - self._sb_at < self.unconfirmed:
            # TCP/TLS: the last SB and its copies may have died unread in the
            # collector's buffers with the messages they cover, which are resent
            # but not hashed again: it goes again after the new CB.
            self._retry_sb = True
        # Resend, byte-identically, everything the collector is not known to hold.
        safe = self._safe_through()
        if not self.acknowledged and safe < self._session_first - 1:
            safe = self._session_first - 1     # the earlier connection ended cleanly
        if safe < self.saved:
            safe = self.saved
        self.next_seq = safe + 1
        self._link_failed(exc)
        reason = getattr(exc, "reason", None)
        if reason is not None and reason != self._failure_reason:
            # FTP_ITC.1: a failed trusted channel is audited, once per distinct reason.
            self._failure_reason = reason
            self._audit("trusted_channel_failure", protocol=exc.protocol[:16], peer=exc.peer[:45],
                        reason=reason[:64], failure_count=self.failures)
        delay = min(self.backoff_cap_us, BACKOFF_FIRST_S * 1000000 << min(self.failures - 1, 16))
        jitter = self.random(1)[0]            # 0..255: wait between half and all of the delay
        self.retry_at_us = self.clock() + delay // 2 + delay * jitter // 510

    # -- the link's audit
    def _link_failed(self, exc):
        """A failure: a try that never got a write through, or the loss of a
        link that had one. The first failure after the link was up (or the
        first of the reboot session) is audited; the rest are counted."""
        if not self.audits_link:
            return
        attempt = not self._wrote          # the connection failed before any write got through
        self._wrote = False
        if self._link == _LINK_DOWN:
            self._tries += 1
            return
        self._link = _LINK_DOWN
        self._tries = 1 if attempt else 0
        self._down_us = self.clock()
        self._back_first = self.next_seq
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        self._audit("audit_link_down", protocol=self.transport.name, peer=self.transport.peer[:45],
                    reason=reason[:64], first_seq=self.next_seq, last_seq=self.log.next_seq - 1)
        self.link_records += 1

    def _link_up(self):
        """The first write on a new connection got through: the outage is over."""
        self._link = _LINK_UP
        lasted = self._back_us - self._down_us
        backlog = self._back_last - self._back_first + 1
        self._audit("audit_link_up", protocol=self.transport.name, peer=self.transport.peer[:45],
                    failure_count=self._tries, duration_ms=lasted // 1000 if lasted > 0 else 0,
                    count=backlog if backlog > 0 else 0, first_seq=self._back_first, last_seq=self._back_last)
        self.link_records += 1
        self._tries = 0

    def _audit(self, event, **items):
        # The record joins the backlog behind the seqs being sent (the loop
        # reads log.next_seq afresh); the open segment is released first, as
        # the flush this log() may trigger can evict it.
        self.backlog.release()
        self.log.log(event, **items)

    def _safe_through(self):
        """The highest seq the collector surely holds."""
        if self.acknowledged or self.confirmed or self._clean:
            return self.delivered
        return self.delivered - self.unconfirmed if self.delivered > self.unconfirmed else 0

    def _save_cursor(self, force):
        # Never past the last message an SB that went out covers: after a
        # power cut the unsigned tail is sent again, and signed.
        target = self._safe_through()
        if target > self.covered_seq:
            target = self.covered_seq
        if target > self.saved and (force or target - self.saved >= SAVE_EVERY):
            try:
                self.cursor.save(target)
                self.saved = target
            except OSError as exc:
                self.last_error = "delivery cursor: %s" % exc
