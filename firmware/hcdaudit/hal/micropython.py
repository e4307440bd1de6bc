# HAL for MicroPython (unix port and boards): cryptolib AES-ECB/CBC, os.urandom,
# and a UTC clock normalised to the 1970 epoch (esp32/stm32 count from 2000).
import os
import time

import cryptolib

_MODE_ECB = 1   # cryptolib.MODE_* constants are compiled out on most ports
_MODE_CBC = 2
_ZERO_IV = bytes(16)
_EPOCH_OFFSET_US = 946684800 * 1000000 if time.gmtime(0)[0] == 2000 else 0


class Aes:
    """AES block function writing into caller buffers (len(dst) >= len(src))."""

    def __init__(self, key):
        self._key = bytes(key)
        self._ecb = cryptolib.aes(self._key, _MODE_ECB)   # stateless: reused

    def ecb(self, src, dst):
        self._ecb.encrypt(src, memoryview(dst)[:len(src)])

    def cbc(self, src, dst):
        # a fresh object per message: CBC state must restart from the zero IV
        cryptolib.aes(self._key, _MODE_CBC, _ZERO_IV).encrypt(src, memoryview(dst)[:len(src)])


def random(n):
    return os.urandom(n)


def now_us():
    return time.time_ns() // 1000 + _EPOCH_OFFSET_US
