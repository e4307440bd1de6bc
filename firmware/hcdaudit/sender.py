# The syslog sender: each record, read back from the device by seq, becomes
# one RFC 5424 message; the signer hashes that buffer and the transport sends
# the same buffer, so nothing is signed that was not sent as hashed. Blocks
# the signer owes (certificate blocks first in a transport session, signature
# blocks when full or idle) go out between messages.
#
# This first version sends as records are logged and counts what a transport
# refused; the delivery cursor that resends it is the next layer.
from hcdaudit import record as record_module
from hcdaudit import ring as ring_module


class Sender:
    def __init__(self, formatter, signer, transport):
        self.formatter = formatter
        self.signer = signer
        self.transport = transport
        self.next_seq = 0          # the next seq to send; 0 = none sent yet
        self.messages = 0
        self.blocks = 0
        self.octets = 0
        self.failed = 0            # messages or blocks the transport refused
        self.skipped = 0           # seqs no longer readable from the ring
        self.covered_seq = 0       # every message through this seq went out before a sent SB
        self._last_seq = 0
        self.last_error = None

    def send_record(self, record):
        message = self.formatter.format(record)
        self._open()
        if self.signer.cert_needed():
            self._send_blocks(False)
        self.signer.hash_message(message)
        if self._send(message):
            self.messages += 1
        self._last_seq = record["seq"]
        self._send_blocks(False)

    def pump(self, log, through_seq=None):
        """Send every record from next_seq through through_seq (default: the
        newest logged) that is still in the NVRAM ring."""
        last = log.next_seq - 1 if through_seq is None else through_seq
        seq = self.next_seq or last
        ring = log.ring
        while seq <= last:
            slot = ring.read(seq % ring.slot_count)
            if slot.state == ring_module.VALID and slot.seq == seq:
                self.send_record(record_module.decode(slot.plaintext))
            else:
                self.skipped += 1
            seq += 1
        self.next_seq = seq

    def tick(self):
        """Call from the main loop: emits the idle-timer SB and periodic CBs."""
        if self.signer.idle_due():
            self._open()
            self._send_blocks(False)

    def close(self):
        """Orderly end of the session: the last SB, then a CB; then the transport closes."""
        self._open()
        self._send_blocks(True)
        self.transport.close()

    def _open(self):
        try:
            if self.transport.open():
                self.signer.reconnected()
        except OSError as exc:
            self.last_error = "%s %s: %s" % (self.transport.name, self.transport.peer, exc)

    def _send_blocks(self, final):
        gbc = self.signer.gbc
        failed = self.failed
        for block in self.signer.blocks_due(final):
            if self._send(block):
                self.blocks += 1
        if self.signer.gbc != gbc and self.failed == failed:
            # A new SB went out: what was sent before it can be verified. After a
            # crash the records past this seq are worth sending again, signed.
            self.covered_seq = self._last_seq

    def _send(self, message):
        try:
            self.transport.send(message)
        except OSError as exc:
            self.failed += 1
            self.last_error = "%s %s: %s" % (self.transport.name, self.transport.peer, exc)
            return False
        self.octets += len(message)
        return True
