# HAL for CPython (host simulator): AES from `cryptography`, os.urandom, time.
import os
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_ZERO_IV = bytes(16)


class Aes:
    """AES block function writing into caller buffers (len(dst) >= len(src) + 15)."""

    def __init__(self, key):
        self._algorithm = algorithms.AES(bytes(key))
        self._ecb = Cipher(self._algorithm, modes.ECB()).encryptor()   # stateless: reused

    def ecb(self, src, dst):
        self._ecb.update_into(src, dst)

    def cbc(self, src, dst):
        Cipher(self._algorithm, modes.CBC(_ZERO_IV)).encryptor().update_into(src, dst)


def random(n):
    return os.urandom(n)


def now_us():
    return time.time_ns() // 1000
