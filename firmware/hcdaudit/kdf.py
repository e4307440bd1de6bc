# HMAC (RFC 2104, SHA-256 by default) and HKDF-SHA256 (RFC 5869) on hashlib alone:
# MicroPython has no core hmac module and its hash objects cannot be copied.
import hashlib

_BLOCK = 64


def _xor_pad(key, pad):
    return bytes(b ^ pad for b in key)


class HmacKey:
    """A key prepared once; digest() then costs two hash passes. SHA-256 unless
    another 64-byte-block hash is given (RFC 6979 with SHA-1 needs HMAC-SHA-1)."""

    def __init__(self, key, hash_fn=hashlib.sha256):
        if len(key) > _BLOCK:
            key = hash_fn(key).digest()
        key = bytes(key) + bytes(_BLOCK - len(key))
        self._hash = hash_fn
        self._inner = _xor_pad(key, 0x36)
        self._outer = _xor_pad(key, 0x5C)

    def digest(self, *parts):
        h = self._hash(self._inner)
        for part in parts:
            h.update(part)
        o = self._hash(self._outer)
        o.update(h.digest())
        return o.digest()


def hmac_sha256(key, msg):
    return HmacKey(key).digest(msg)


def hkdf(ikm, salt, info, length):
    prk = hmac_sha256(salt or bytes(32), ikm)
    expand = HmacKey(prk)
    out = b""
    block = b""
    counter = 1
    while len(out) < length:
        block = expand.digest(block, info, bytes((counter,)))
        out += block
        counter += 1
    return out[:length]


def equal(a, b):
    """Constant-time comparison (MicroPython lacks hmac.compare_digest)."""
    if len(a) != len(b):
        return False
    diff = 0
    for i in range(len(a)):
        diff |= a[i] ^ b[i]
    return diff == 0


class Subkeys:
    """The device's working keys, derived from its 256-bit master key.
    Labels are versioned so a future format derives new keys, never reuses these."""

    def __init__(self, master_key):
        if len(master_key) != 32:
            raise ValueError("master key must be 32 bytes, got %d" % len(master_key))
        salt = b"hcdaudit/v1"
        self.nvram = hkdf(master_key, salt, b"nvram record sealing", 32)
        self.store = hkdf(master_key, salt, b"store record sealing", 32)
        self.mac = HmacKey(hkdf(master_key, salt, b"chain and checkpoint mac", 32))
