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
        self._nonce = bytearray(ccm.NONCE_SIZE)
        self._aad = bytearray(_AAD_SIZE)
        self.max_plaintext = max_plaintext

    def _bind(self, seq, epoch, salt):
        struct.pack_into(">III", self._nonce, 0, epoch, salt, seq)
        struct.pack_into(">III", self._aad, 0, seq, epoch, salt)

    def seal_entry_into(self, mac_key, seq, epoch, salt, plaintext, out):
        """Write the whole entry into out (a bytearray); returns its length."""
        self._bind(seq, epoch, salt)
        view = memoryview(out)
        n = self._ccm.seal_into(self._nonce, self._aad, plaintext, view[HEADER_SIZE:])
        struct.pack_into(_HEADER_FMT, out, 0, seq, epoch, salt, n)
        end = HEADER_SIZE + n
        view[end:end + MAC_SIZE] = mac_of(mac_key, view[:end])
        return end + MAC_SIZE

    def open_entry_into(self, entry, out):
        """Decrypt an entry's record into out: its length. Raises ccm.AuthError or
        ValueError when it does not open (the mac is not checked here)."""
        seq, epoch, salt, n = parse_header(entry)
        if HEADER_SIZE + n + MAC_SIZE > len(entry):
            raise ValueError("entry shorter than its length field")
        self._bind(seq, epoch, salt)
        return self._ccm.open_into(self._nonce, self._aad, entry[HEADER_SIZE:HEADER_SIZE + n], out)

    def open_entry(self, entry):
        out = bytearray(len(entry))
        return bytes(out[:self.open_entry_into(entry, out)])
