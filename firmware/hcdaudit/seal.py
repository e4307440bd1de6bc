# One record as it is stored, in NVRAM and in the store alike (format v2): the
# flush copies these bytes unchanged.
#
#   entry   seq u32 | epoch u32 | salt u32 | length u16 | sealed[length] | mac[16]
#
# sealed  AES-256-CCM under the static confidentiality key; nonce (epoch, salt,
#         seq), AAD (seq, epoch, salt). The device can open it to export its backlog.
# mac     HMAC-SHA256 under the integrity key of `epoch` over the header and the
#         sealed bytes, truncated to 16 bytes. Epoch keys evolve one way and the
#         old one is erased, so a record of an earlier epoch cannot be re-made
#         with the key a device holds today. The mac is also the record's link:
#         the next segment's seam and a host high-water mark pin it.
# Each entry verifies on its own: damage to one never condemns its neighbours.
import struct

from hcdaudit import ccm, kdf

HEADER_SIZE = 14
MAC_SIZE = 16
OVERHEAD = HEADER_SIZE + ccm.TAG_SIZE + MAC_SIZE     # bytes an entry adds to its plaintext
_HEADER_FMT = ">IIIH"
_AAD_SIZE = 12
_SHA256_SIZE = 32


def entry_size(plaintext_len):
    return plaintext_len + OVERHEAD


def parse_header(buf, offset=0):
    """(seq, epoch, salt, sealed length) of the entry at offset."""
    return struct.unpack_from(_HEADER_FMT, buf, offset)


def mac_of(mac_key, entry_without_mac):
    return mac_key.digest(b"R", entry_without_mac)[:MAC_SIZE]


def verify(mac_key, entry):
    """Whether a whole entry (header, sealed, mac) authenticates under mac_key."""
    n = len(entry)
    return n >= OVERHEAD and kdf.equal(entry[n - MAC_SIZE:], mac_of(mac_key, entry[:n - MAC_SIZE]))


class Sealer:
    """Seals and opens entries under one confidentiality key: CCM work buffers,
    nonce and AAD preallocated. `share`: another Sealer whose CCM work buffers
    this one uses too (never at the same time)."""

    def __init__(self, cipher, max_plaintext, share=None):
        self._ccm = ccm.Ccm(cipher, max_plaintext, _AAD_SIZE, share._ccm if share else None)
        self._nonce = bytearray(ccm.NONCE_SIZE)     # sealing's; seq filled in per entry
        self._aad = bytearray(_AAD_SIZE)
        self._open_nonce = bytearray(ccm.NONCE_SIZE)    # opening's: an open between two seals leaves them be
        self._open_aad = bytearray(_AAD_SIZE)
        self.max_plaintext = max_plaintext
        self.epoch = 0          # what seal_into() seals under (set_context)
        self.salt = 0
        self._out = None        # the entry buffer seal_into() wrote last, and views of it
        self._out_body = None

    def _bind(self, seq, epoch, salt, nonce, aad):
        struct.pack_into(">III", nonce, 0, epoch, salt, seq)
        struct.pack_into(">III", aad, 0, seq, epoch, salt)

    def set_context(self, epoch, salt):
        """The epoch and salt of the entries seal_into() makes."""
        self.epoch = epoch
        self.salt = salt
        self._bind(0, epoch, salt, self._nonce, self._aad)

    def seal_entry_into(self, mac_key, seq, epoch, salt, plaintext, out):
        """Write the whole entry into out (a bytearray); returns its length."""
        self.set_context(epoch, salt)
        n = self.seal_into(mac_key, seq, plaintext, out)
        self._out = self._out_body = None       # CPython: no export left on the caller's buffer
        return n

    # The log() path: a few locals per step, as MicroPython heap-allocates the
    # frame of a function with more than ~11 locals and stack slots.
    def seal_into(self, mac_key, seq, plaintext, out):
        """seal_entry_into() under the epoch and salt of set_context()."""
        self._header(seq, len(plaintext), out)
        self._ccm.seal_into(self._nonce, self._aad, plaintext, self._out_body)
        return self._mac_into(mac_key, out, len(plaintext))

    def _header(self, seq, n, out):
        # nonce (epoch, salt, seq) and AAD (seq, epoch, salt): only seq changes
        struct.pack_into(">I", self._nonce, 8, seq)
        struct.pack_into(">I", self._aad, 0, seq)
        if out is not self._out:
            self._out = out
            self._out_body = memoryview(out)[HEADER_SIZE:]
        out[0:_AAD_SIZE] = self._aad            # the entry header: seq, epoch, salt (= the AAD) | length
        n += ccm.TAG_SIZE
        out[_AAD_SIZE] = n >> 8
        out[_AAD_SIZE + 1] = n & 0xFF

    def _mac_into(self, mac_key, out, n):
        n += HEADER_SIZE + ccm.TAG_SIZE         # the end of the sealed bytes: the mac goes there
        digest = mac_key.digest2(b"R", memoryview(out)[:n])
        if n + _SHA256_SIZE <= len(out) and len(digest) == _SHA256_SIZE:
            out[n:n + _SHA256_SIZE] = digest    # the whole digest, no slice of it: past the mac is scratch
        else:
            out[n:n + MAC_SIZE] = digest[:MAC_SIZE]
        return n + MAC_SIZE

    def open_entry_into(self, entry, out):
        """Decrypt an entry's record into out: its length. Raises ccm.AuthError or
        ValueError when it does not open (the mac is not checked here)."""
        seq, epoch, salt, n = parse_header(entry)
        if HEADER_SIZE + n + MAC_SIZE > len(entry):
            raise ValueError("entry shorter than its length field")
        self._bind(seq, epoch, salt, self._open_nonce, self._open_aad)
        return self._ccm.open_into(self._open_nonce, self._open_aad, entry[HEADER_SIZE:HEADER_SIZE + n], out)

    def open_entry(self, entry):
        out = bytearray(len(entry))
        return bytes(out[:self.open_entry_into(entry, out)])
