# RFC 5848 signer: hashes every normal message exactly as sent, and emits
# Signature Blocks ([ssign ...]) and Certificate Blocks ([ssign-cert ...])
# signed with DSA-2048/256 + SHA-256 (VER "0121"), deterministic k.
#
# One Signature Group (SG 0, SPRI 110 = the blocks' own PRI, RFC 5848
# §4.2.3a). RSID = the device's persistent boot counter, committed to NVRAM
# before the session's first block. GBC counts Signature Blocks only (the RFC
# text; NetBSD also counts CBs). Message numbers start at 1 each session.
#
# When what goes (shared/specs/rfc5848-signed-syslog.md §7):
#   - CBs `cert_initial_repeat` times before the first normal message of the
#     session, again after every transport (re)connect, and every
#     `cert_resend_s` seconds or `cert_resend_count` messages;
#   - an SB when `max_hashes` are pending, or `sig_max_delay_s` after the
#     oldest pending hash, or at close;
#   - each SB again, byte-identical, `sb_redundancy` times: one copy per
#     idle period (`sig_max_delay_s`), the rest just before the next SB. A
#     lost SB does not cost its messages their proof; identical copies
#     collapse at the verifier.
import binascii
import hashlib

from hcdaudit import dsa
from hcdaudit.msgbuf import MessageBuffer
from hcdaudit.timefmt import rfc3339

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

VER = b"0121"                 # protocol 01, hash 2 = SHA-256, scheme 1 = OpenPGP DSA
BLOCK_PRI = const(110)        # facility 13 (log audit), severity 6
_DIGEST = const(32)
_MAX_OCTETS = const(2048)
_FRAGMENT = const(1400)       # PB octets per CB: a 255-octet HOSTNAME still fits in 2048
MAX_HASHES = const(32)        # per SB: fits 2048 octets with a 255-octet HOSTNAME (notes §3.6)
_MAX_NUMBER = 9999999999


class SignerConfigError(ValueError):
    pass


def b64(data):
    """Standard base64 with padding and no newline (MicroPython adds one by default)."""
    return binascii.b2a_base64(data, newline=False)


def payload_block(session_start_us, key_blob_type, key_blob):
    """PB = TIMESTAMP SP KEYBLOBTYPE SP base64(KEYBLOB) (RFC 5848 §5.2)."""
    return rfc3339(session_start_us).encode() + b" " + key_blob_type + b" " + b64(key_blob)


class Signer:
    def __init__(self, key, hostname, app_name, rsid, session_start_us, clock,
                 key_blob_type=b"K", certificate=None, max_hashes=MAX_HASHES, sig_max_delay_s=30,
                 sb_redundancy=1, cert_initial_repeat=2, cert_resend_s=300, cert_resend_count=1000,
                 procid=b"-", fragment=_FRAGMENT):
        if not 0 <= rsid <= _MAX_NUMBER:
            raise SignerConfigError("RSID must be 0-9999999999")
        if not 1 <= max_hashes <= MAX_HASHES:
            raise SignerConfigError("max_hashes must be 1-%d" % MAX_HASHES)
        if key_blob_type == b"C":
            if not certificate:
                raise SignerConfigError("key blob type C needs the provisioned certificate")
        elif key_blob_type != b"K":
            raise SignerConfigError("key blob type must be C or K")
        if not 1 <= fragment <= _FRAGMENT:
            raise SignerConfigError("fragment must be 1-%d octets" % _FRAGMENT)
        self.key = key
        self.fragment = fragment
        self.rsid = rsid
        self.clock = clock
        self.max_hashes = max_hashes
        self.sig_max_delay_us = sig_max_delay_s * 1000000
        self.cert_initial_repeat = cert_initial_repeat
        self.cert_resend_us = cert_resend_s * 1000000
        self.cert_resend_count = cert_resend_count
        # The payload block (1.4 KB, the same for the whole session) is made once,
        # here: remade for every CB set its pieces needed 4-5 KB of heap in
        # blocks of up to 1.5 KB, which a long-running heap may no longer have.
        blob = certificate if key_blob_type == b"C" else key.public_key().key_blob()
        self._payload = payload_block(session_start_us, key_blob_type, blob)
        self._head = b" " + hostname + b" " + app_name + b" " + procid + b" - "
        self._ids = b' RSID="%d" SG="0" SPRI="%d"' % (rsid, BLOCK_PRI)
        self.gbc = 0                  # SBs sent before this one, this session
        self.next_number = 1          # the number the next hashed message gets
        self.pending = 0              # hashes waiting for an SB
        self._hashes = bytearray(max_hashes * _DIGEST)
        self._oldest_pending_us = 0
        self.out = None     # the block buffer: made at the first block unless share_buffer() gave one
        # The last SB, kept for its byte-identical re-sends (one preallocated
        # copy): the redundant copies, and the sender's retry of a failed send.
        self.sb_redundancy = sb_redundancy
        self._copy = bytearray(_MAX_OCTETS)
        self._copy_len = 0
        self._copy_left = 0
        self._copy_us = 0
        self._cert_due = cert_initial_repeat     # CB sets owed before the next normal message
        self._last_cert_us = 0
        self._since_cert = 0
        self.blocks_signed = 0
        self.yielding_sb = False      # what blocks_due() just yielded: an SB (the last one, or a copy of it)

    def share_buffer(self, buffer):
        """Build blocks in `buffer` (a MessageBuffer of 2048 + 64 octets or more,
        the formatter's) instead of one of the signer's own: 2 KB of heap less.
        The caller never asks for a block while the buffer holds a message it
        has yet to send (the sender sends each message before any block)."""
        self.out = buffer

    # -- normal messages
    def cert_needed(self):
        """CBs owed before the next normal message (session start, reconnect)."""
        return self._cert_due > 0

    def reconnected(self):
        """A new transport session: RFC 5848 §6.1.1 wants a fresh CB first."""
        self._cert_due = max(self._cert_due, 1)

    def hash_message(self, message):
        """Hash one normal message exactly as it is being sent; True when an SB is due."""
        at = self.pending * _DIGEST
        self._hashes[at:at + _DIGEST] = hashlib.sha256(message).digest()
        if self.pending == 0:
            self._oldest_pending_us = self.clock()
        self.pending += 1
        self._since_cert += 1
        return self.pending >= self.max_hashes

    # -- what is due
    def blocks_due(self, final=False, now=None):
        """Every block due now, as memoryviews of shared buffers: send each
        before asking for the next. `final` closes the session: last SB, then
        a CB. `now`: the clock reading an earlier signature_due() decided on."""
        if now is None:
            now = self.clock()
        sb_due = self.signature_due(final, now)
        self.yielding_sb = True
        if self._copy_left:
            if sb_due or final:
                # The copy buffer is about to hold the next SB: its owed re-sends go now.
                while self._copy_left:
                    self._copy_left -= 1
                    yield memoryview(self._copy)[:self._copy_len]
            elif now - self._copy_us >= self.sig_max_delay_us:
                self._copy_left -= 1
                self._copy_us = now
                yield memoryview(self._copy)[:self._copy_len]
        if sb_due:
            yield self._signature_block()
        self.yielding_sb = False
        if self._cert_due or final or (self._since_cert and (
                self._since_cert >= self.cert_resend_count or now - self._last_cert_us >= self.cert_resend_us)):
            repeat = self._cert_due or 1
            self._cert_due = 0
            self._last_cert_us = now
            self._since_cert = 0
            for _ in range(repeat):
                for view in self.certificate_blocks():
                    yield view

    def signature_due(self, final, now):
        """Whether blocks_due(final, now) makes a new SB."""
        return bool(self.pending and (final or self.pending >= self.max_hashes
                                      or now - self._oldest_pending_us >= self.sig_max_delay_us))

    def idle_due(self):
        """Whether a timer tick would emit anything (SB delay, SB re-send, periodic CB)."""
        now = self.clock()
        return bool((self.pending and now - self._oldest_pending_us >= self.sig_max_delay_us)
                    or (self._copy_left and now - self._copy_us >= self.sig_max_delay_us)
                    or (self._since_cert and now - self._last_cert_us >= self.cert_resend_us))

    # -- blocks
    def _start_block(self, sd_id):
        out = self.out
        if out is None:
            out = self.out = MessageBuffer(_MAX_OCTETS + 64)
        out.clear()
        out.put(b"<%d>1 " % BLOCK_PRI)
        out.put(rfc3339(self.clock()).encode())
        out.put(self._head)
        out.put(sd_id)
        out.put(b' VER="')
        out.put(VER)
        out.put(b'"')
        out.put(self._ids)
        return out

    def _sign_and_close(self):
        """The signed octets are the block without ` SIGN="..."` (RFC 5848 §4.2.8):
        sign the block as it stands, then append SIGN and the closing bracket."""
        out = self.out
        out.put(b"]")
        r, s = self.key.sign_digest(hashlib.sha256(out.message()).digest())
        out.n -= 1
        out.put(b' SIGN="')
        out.put(b64(dsa.signature_mpi(r, s)))
        out.put(b'"]')
        if out.overflow or out.n > _MAX_OCTETS:
            raise SignerConfigError("a block exceeds 2048 octets: shorten HOSTNAME or max_hashes")
        self.blocks_signed += 1
        return out.message()

    def _signature_block(self):
        count = self.pending
        out = self._start_block(b"[ssign")
        out.put(b' GBC="%d" FMN="%d" CNT="%d" HB="' % (self.gbc, self.next_number, count))
        for i in range(count):
            if i:
                out.put(b" ")
            out.put(b64(memoryview(self._hashes)[i * _DIGEST:(i + 1) * _DIGEST]))
        out.put(b'"')
        view = self._sign_and_close()
        self.gbc += 1
        self.next_number += count
        if self.next_number > _MAX_NUMBER:
            self.next_number = 1   # RFC 5848 §4.2.6: wraps; GBC tells the rounds apart
        self.pending = 0
        self._keep_copy(view)
        return view

    def _keep_copy(self, view):
        self._copy[:len(view)] = view
        self._copy_len = len(view)
        self._copy_left = self.sb_redundancy
        self._copy_us = self.clock()

    def last_signature_block(self):
        """The last SB, byte-identical (valid until the next SB is made)."""
        return memoryview(self._copy)[:self._copy_len]

    @property
    def payload(self):
        """The payload block of this session's CBs (RFC 5848 §5.2)."""
        return self._payload

    def certificate_blocks(self):
        """The payload block in fragments of at most `fragment` octets, one CB each."""
        payload = self.payload
        total = len(payload)
        index = 0
        while index < total:
            length = min(self.fragment, total - index)
            out = self._start_block(b"[ssign-cert")
            out.put(b' TPBL="%d" INDEX="%d" FLEN="%d" FRAG="' % (total, index + 1, length))
            out.put(memoryview(payload)[index:index + length])
            out.put(b'"')
            yield self._sign_and_close()
            index += length
