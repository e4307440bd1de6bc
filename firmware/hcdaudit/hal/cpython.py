# HAL for CPython (host simulator): AES from `cryptography`, os.urandom, time.
import os
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

_ZERO_IV = bytes(16)
_TAG_SIZE = 16


class Aes:
    """AES block function writing into caller buffers (len(dst) >= len(src) + 15),
    and whole-message CCM (ccm_seal / ccm_open) from `cryptography`: the same
    bytes as hcdaudit/ccm.py builds from the block function, at C speed."""

    def __init__(self, key):
        key = bytes(key)
        self._algorithm = algorithms.AES(key)
        self._ecb = Cipher(self._algorithm, modes.ECB()).encryptor()   # stateless: reused
        self._ccm = AESCCM(key, _TAG_SIZE)

    def ecb(self, src, dst):
        self._ecb.update_into(src, dst)

    def cbc(self, src, dst):
        Cipher(self._algorithm, modes.CBC(_ZERO_IV)).encryptor().update_into(src, dst)

    def ccm_seal(self, nonce, aad, plaintext):
        """ciphertext || 16-byte tag, as bytes."""
        return self._ccm.encrypt(bytes(nonce), bytes(plaintext), bytes(aad) if aad else None)

    def ccm_open(self, nonce, aad, sealed):
        """The plaintext as bytes, or None when the tag does not verify."""
        try:
            return self._ccm.decrypt(bytes(nonce), bytes(sealed), bytes(aad) if aad else None)
        except InvalidTag:
            return None


def random(n):
    return os.urandom(n)


def now_us():
    return time.time_ns() // 1000
