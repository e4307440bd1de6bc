# HAL for CPython (host simulator): AES from `cryptography`, os.urandom, time.
import os
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_ZERO_IV = bytes(16)


class Aes:
    def __init__(self, key):
        self._algorithm = algorithms.AES(bytes(key))
        self._ecb = Cipher(self._algorithm, modes.ECB())

    def ecb(self, blocks):
        return self._ecb.encryptor().update(blocks)

    def cbc_mac(self, blocks):
        return Cipher(self._algorithm, modes.CBC(_ZERO_IV)).encryptor().update(blocks)[-16:]


def random(n):
    return os.urandom(n)


def now_us():
    return time.time_ns() // 1000
