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
    """AES block function writing into caller buffers (len(dst) >= len(src)).
    One ECB and one CBC cryptolib object per key, for the key's lifetime:
    creating one per message costs a key schedule and ~400 B of heap."""

    def __init__(self, key):
        key = bytes(key)
        self._ecb = cryptolib.aes(key, _MODE_ECB)            # stateless: reused
        self._cbc = cryptolib.aes(key, _MODE_CBC, _ZERO_IV)
        # cryptolib's CBC object carries its chaining value (the last ciphertext
        # block) from call to call and cannot be reset: encrypting (first block
        # XOR that value) gives E(first block), a restart from the zero IV.
        self._chain = bytearray(16)
        self._first = bytearray(16)

    def ecb(self, src, dst):
        self._ecb.encrypt(src, dst)

    def cbc(self, src, dst):
        # A writable src (ccm.py's work buffer) has the chaining value XORed into
        # its first block in place, and undone after; bytes are copied instead.
        if isinstance(src, bytes):
            return self._cbc_copying(src, dst)
        _xor16(src, src, self._chain)
        self._cbc.encrypt(src, dst)
        _xor16(src, src, self._chain)
        _last16(self._chain, dst, len(src) - 16)

    def _cbc_copying(self, src, dst):
        n = len(src)
        _xor16(self._first, src, self._chain)
        out = memoryview(dst)
        self._cbc.encrypt(self._first, out[:16])
        if n > 16:
            self._cbc.encrypt(memoryview(src)[16:n], out[16:n])
        self._chain[:] = out[n - 16:n]


def _last16(chain, dst, at):
    for i in range(16):
        chain[i] = dst[at + i]


def _xor16(out, a, b):
    for i in range(16):
        out[i] = a[i] ^ b[i]


def random(n):
    return os.urandom(n)


def now_us():
    return time.time_ns() // 1000 + _EPOCH_OFFSET_US
