# Sealing one record with AES-256-CCM. The nonce is (boot counter, per-boot
# random salt, seq): seq alone would repeat if an old NVRAM image were restored;
# the salt makes that impossible. The AAD binds the seq and the chain link, so a
# record cannot be moved, renumbered or spliced without its tag failing.
import struct

from hcdaudit import ccm

OVERHEAD = ccm.TAG_SIZE
_AAD_SIZE = 20          # seq u32 + link[16]


class Sealer:
    """One key's sealing state: CCM work buffers, nonce and AAD, all preallocated.
    `share`: another Sealer whose CCM work buffers this one uses too (never at
    the same time)."""

    def __init__(self, cipher, max_plaintext, share=None):
        self._ccm = ccm.Ccm(cipher, max_plaintext, _AAD_SIZE, share._ccm if share else None)
        self._nonce = bytearray(ccm.NONCE_SIZE)
        self._aad = bytearray(_AAD_SIZE)

    def _bind(self, boot, salt, seq, link):
        struct.pack_into(">III", self._nonce, 0, boot, salt, seq)
        struct.pack_into(">I", self._aad, 0, seq)
        self._aad[4:_AAD_SIZE] = link

    def seal_into(self, boot, salt, seq, link, plaintext, out):
        self._bind(boot, salt, seq, link)
        return self._ccm.seal_into(self._nonce, self._aad, plaintext, out)

    def open_into(self, boot, salt, seq, link, sealed, out):
        """Raises ccm.AuthError when anything was altered."""
        self._bind(boot, salt, seq, link)
        return self._ccm.open_into(self._nonce, self._aad, sealed, out)

    def open(self, boot, salt, seq, link, sealed):
        out = bytearray(len(sealed))
        return bytes(out[:self.open_into(boot, salt, seq, link, sealed, out)])
