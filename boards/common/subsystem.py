# The audit subsystem as a controller embeds it (docs/EMBEDDING.md), the same
# on MicroPython and CPython:
#
#   from boards.common.subsystem import open_audit
#   from boards.host import device as board      # or boards.rp2040.board, ...
#   audit = open_audit(board, "devices/printer-1")
#   audit.log("login", subject=subject.user("alice"), interface="panel")
#   audit.service()                      # from the controller's own loop
#   report = audit.close()               # audit_stop, flush, send, final SB
#
# A facade over AuditLog (boot, log, flush) and the signed syslog Sender:
# log() is durable on return and never waits on the network; the sender only
# moves when the controller calls service() (or runs `await audit.run()` as an
# asyncio task), a bounded step each time. Nothing is lost if the controller
# never closes or never services: the next boot finds every record in NVRAM or
# the store, and the sender resumes from its persistent delivery cursor,
# re-sending (and signing) what the last session could not.
from boards.common import bundle as bundle_module
from boards.common import mcu
from boards.common.bundle import DeviceError
from hcdaudit.audit import AuditLog

SERVICE_BUDGET = 16      # records one service() step may send
DRAIN_BUDGET = 256       # records per step while close() drains
RUN_PERIOD_MS = 100      # the asyncio task's pause between steps

__all__ = ["AuditClosed", "AuditSubsystem", "DeviceError", "ShutdownReport", "open_audit"]


class AuditClosed(Exception):
    pass


class ShutdownReport:
    """What close() achieved. `complete` is True when every record is in the
    store and the collector holds every message, signed; otherwise `problems`
    says what was not done (it is done after the next boot)."""

    def __init__(self, last_seq, flushed, delivered_through, signed_through, collector, error):
        self.last_seq = last_seq                     # the audit_stop record's seq
        self.flushed = flushed                       # every record is in the store
        self.delivered_through = delivered_through   # the collector holds every seq up to here
        self.signed_through = signed_through         # ... and a signature block that went out covers these
        self.collector = collector                   # the sender's peer, None without one
        self.error = error
        self.undelivered = 0 if collector is None else last_seq - delivered_through

    @property
    def complete(self):
        return self.flushed and (self.collector is None or
                                 (self.undelivered == 0 and self.signed_through >= self.last_seq))

    @property
    def problems(self):
        found = []
        if not self.flushed:
            found.append("records still in NVRAM, not in the store (%s)" % self.error)
        if self.collector is not None and self.undelivered:
            found.append("%d records not delivered to %s (seqs %d-%d)%s"
                         % (self.undelivered, self.collector, self.delivered_through + 1, self.last_seq,
                            ": " + self.error if self.error else ""))
        elif self.collector is not None and self.signed_through < self.last_seq:
            found.append("seqs %d-%d delivered but their signature block was not" % (self.signed_through + 1,
                                                                                     self.last_seq))
        return found

    def as_dict(self):
        return {"last_seq": self.last_seq, "flushed": self.flushed, "delivered_through": self.delivered_through,
                "signed_through": self.signed_through, "undelivered": self.undelivered,
                "collector": self.collector, "error": self.error, "complete": self.complete}

    def __str__(self):
        if self.complete:
            where = " and delivered to %s" % self.collector if self.collector else ""
            return "audit log closed: seqs through %d in the store%s, signed" % (self.last_seq, where) \
                if self.collector else "audit log closed: seqs through %d in the store" % self.last_seq
        return "audit log closed with seqs through %d; not done (the next boot does it): %s" % (
            self.last_seq, "; ".join(self.problems))


class AuditSubsystem:
    """An opened and booted audit log with its sender (None without a collector)."""

    def __init__(self, board, identity, audit_log, sender):
        self.board = board
        self.identity = identity
        self.audit_log = audit_log     # hcdaudit.audit.AuditLog
        self.sender = sender           # hcdaudit.sender.Sender, or None
        self.closed = False

    # -- logging (hcdaudit.events helpers take this object as their `log`)
    def log(self, event, subject=None, outcome=None, interface=None, remote_host=None, **items):
        """One catalog event (docs/EVENTS.md); returns its seq once the sealed
        record is in NVRAM. Never touches the network."""
        if self.closed:
            raise AuditClosed("log(%r) after close()" % event)
        return self.audit_log.log(event, subject, outcome, interface, remote_host, **items)

    @property
    def boot_report(self):
        return self.audit_log.boot_report

    @property
    def last_seq(self):
        return self.audit_log.next_seq - 1

    @property
    def undelivered(self):
        """Records the collector does not hold yet (0 without a collector)."""
        if self.sender is None:
            return 0
        return self.last_seq - self.sender.delivered

    # -- the sender, driven by the controller
    def service(self, budget=SERVICE_BUDGET):
        """One bounded step of the signed syslog sender: send up to `budget`
        records, then its timers (the idle signature block, acknowledgements).
        Returns the records sent. Blocks at most for one connection attempt
        (the transport's timeout, 5 s) when the backoff allows one."""
        if self.sender is None or self.closed:
            return 0
        sent = self.sender.pump(budget)
        self.sender.tick()
        return sent

    async def run(self, period_ms=RUN_PERIOD_MS, budget=SERVICE_BUDGET):
        """The sender as an asyncio task (CPython's or MicroPython's asyncio):
        one service() step, then a pause that lets the controller's tasks run;
        ends when close() is called."""
        import asyncio
        while not self.closed:
            sent = self.service(budget)
            await asyncio.sleep(0 if sent >= budget else period_ms / 1000)

    # -- shutdown
    def close(self, reason="shutdown", timeout_s=5):
        """Orderly shutdown: log audit_stop, move every record to the store,
        send what the collector lacks (audit_stop included, while it takes
        them), the final signature block, then close the connection. Returns
        a ShutdownReport saying what could not be done. Idempotent."""
        if self.closed:
            return self._report
        log = self.audit_log
        error = None
        try:
            log.shutdown(reason)
        except OSError as exc:
            error = "flush: %s" % exc
        self.closed = True
        sender = self.sender
        if sender is not None:
            # Bounded: stops when the collector has everything, or when a
            # failure puts the sender into its backoff (the next boot resends).
            for _ in range(2 + (log.next_seq - sender.next_seq) // DRAIN_BUDGET):
                if sender.drained() or not sender.pump(DRAIN_BUDGET):
                    break
            sender.close(timeout_s)
            error = error or sender.last_error
        self._report = ShutdownReport(
            log.next_seq - 1, not log.in_nvram, sender.delivered if sender else 0,
            min(sender.covered_seq, sender.delivered) if sender else 0,
            "%s %s" % (sender.transport.name, sender.transport.peer) if sender else None,
            error or log.flush_error)
        return self._report

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()
        return False


def open_audit(board_module, where=None, collector=None, reason=None, clock=None, random=None):
    """Open the board's NVRAM and store, boot the audit log (recovering what a
    power cut or a missing close() left) and open the signed syslog sender.

    board_module: boards.host.device (where = the device folder) or a
    reference board's boards.<name>.board (where = its peripherals, None for
    the real ones). collector: a URL (udp://, tcp://, tls://, relp://,
    relp+tls:// HOST:PORT, file://PATH); a new one is an administrator's
    audited setting change, kept on the device; None keeps the configured one
    (no collector at all: the log keeps everything until one is set).
    reason: the audit_start reason (default: the board's reset cause)."""
    board, identity = board_module.open_board(where, clock=clock, random=random)
    log = AuditLog(board, board_module.master_key(where))
    log.boot(reason or mcu.boot_reason(where))
    config = bundle_module.collector_config(identity, log)
    if collector:
        try:
            config.change(log, "url", collector, subject="admin", interface="console")
        except ValueError as exc:
            raise DeviceError("collector %s: %s" % (collector, exc))
    sender = None
    if config.values.get("url"):
        sender = bundle_module.open_sender(board.bundle, identity, log, board.now_us, settings=config.values)
    return AuditSubsystem(board, identity, log, sender)
