# HAL for MicroPython (unix port and boards): cryptolib AES-ECB/CBC, os.urandom,
# and a UTC clock normalised to the 1970 epoch (esp32/stm32 count from 2000).
import os
import time

import cryptolib

_MODE_ECB = 1   # cryptolib.MODE_* constants are compiled out on most ports
_MODE_CBC = 2
_ZERO_IV = bytes(16)
_EPOCH_OFFSET_US = 946684800 * 1000000 if time.gmtime(0)[0] == 2000 else 0


def _xor_into_bytecode(dst, a, b, n):
    if n < 0 or n > len(dst) or n > len(a) or n > len(b):
        raise ValueError("xor_into: buffer too short for %d bytes" % n)
    for i in range(n):
        dst[i] = a[i] ^ b[i]


def _copy_at_bytecode(dst, src, at, n):
    if at < 0 or n < 0 or n > len(dst) or at + n > len(src):
        raise ValueError("copy_at: buffer too short for %d bytes at %d" % (n, at))
    for i in range(n):
        dst[i] = src[at + i]


# The byte loops of CCM (the keystream XOR, the CBC restart) as viper machine
# code where the port has it (hal/native.py, compiled ahead of time where the
# firmware is built for the machine); else the bytecode loops above: the same results.
try:
    from hcdaudit.hal.native import copy_at, xor_into
except (ImportError, SyntaxError, ValueError, NotImplementedError, MemoryError):
    # no native emitter ("invalid micropython decorator"), an image of another
    # machine ("incompatible .mpy arch"), no room
    xor_into, copy_at = _xor_into_bytecode, _copy_at_bytecode


class Aes:
    """AES block function writing into caller buffers (len(dst) >= len(src)).
    One ECB and one CBC cryptolib object per key, for the key's lifetime:
    creating one per message costs a key schedule and ~400 B of heap.
    xor_into(dst, a, b, n): dst[i] = a[i] ^ b[i] for i < n (ccm.py's XORs)."""

    def __init__(self, key):
        key = bytes(key)
        self._ecb = cryptolib.aes(key, _MODE_ECB)            # stateless: reused
        self._cbc = cryptolib.aes(key, _MODE_CBC, _ZERO_IV)
        # cryptolib's CBC object carries its chaining value (the last ciphertext
        # block) from call to call and cannot be reset: encrypting (first block
        # XOR that value) gives E(first block), a restart from the zero IV.
        self._chain = bytearray(16)
        self._first = bytearray(16)
        self.xor_into = xor_into

    def ecb(self, src, dst):
        self._ecb.encrypt(src, dst)

    def cbc(self, src, dst):
        # A writable src (ccm.py's work buffer) has the chaining value XORed into
        # its first block in place, and undone after; bytes are copied instead.
        if isinstance(src, bytes):
            return self._cbc_copying(src, dst)
        chain = self._chain
        xor_into(src, src, chain, 16)
        self._cbc.encrypt(src, dst)
        xor_into(src, src, chain, 16)
        copy_at(chain, dst, len(src) - 16, 16)

    def _cbc_copying(self, src, dst):
        n = len(src)
        xor_into(self._first, src, self._chain, 16)
        out = memoryview(dst)
        self._cbc.encrypt(self._first, out[:16])
        if n > 16:
            self._cbc.encrypt(memoryview(src)[16:n], out[16:n])
        self._chain[:] = out[n - 16:n]


def random(n):
    return os.urandom(n)


def now_us():
    return time.time_ns() // 1000 + _EPOCH_OFFSET_US
