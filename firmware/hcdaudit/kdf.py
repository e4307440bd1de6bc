# HMAC (RFC 2104, SHA-256 by default) and HKDF-SHA256 (RFC 5869) on hashlib alone:
# MicroPython has no core hmac module and its hash objects cannot be copied.
import hashlib

_COPYABLE = hasattr(hashlib.sha256(), "copy")     # CPython's hash objects; not MicroPython's
if _COPYABLE:
    from hmac import compare_digest as _compare_digest  # CPython: constant time, in C
else:
    _compare_digest = None

_BLOCK = 64


def _xor_pad(key, pad):
    if _COPYABLE:       # CPython: one big-int XOR, not a generator (a reader makes an HmacKey per epoch)
        return (int.from_bytes(key, "big") ^ int.from_bytes(bytes((pad,)) * len(key), "big")).to_bytes(len(key), "big")
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
        # Where hash objects can be copied (CPython), the padded keys are hashed
        # once and each digest starts from a copy of those states.
        self._states = (hash_fn(self._inner), hash_fn(self._outer)) if _COPYABLE else None

    def digest2(self, a, b):
        """digest(a, b) without the tuple of parts (the per-record mac)."""
        h = self._hash(self._inner)
        h.update(a)
        h.update(b)
        o = self._hash(self._outer)
        o.update(h.digest())
        return o.digest()

    def digest(self, *parts):
        if self._states is not None:
            h = self._states[0].copy()
            o = self._states[1].copy()
        else:
            h = self._hash(self._inner)
            o = self._hash(self._outer)
        for part in parts:
            h.update(part)
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
    if _compare_digest is not None:
        return _compare_digest(a, b)
    if len(a) != len(b):
        return False
    diff = 0
    for i in range(len(a)):
        diff |= a[i] ^ b[i]
    return diff == 0


_SALT = b"hcdaudit/v2"
_EVOLVE = b"hcdaudit/v2 evolve"
ID_SIZE = 16


def device_id(uuid_text):
    """The 16 bytes of a device's UUID ("urn:uuid:..." or bare), bound into every
    key: another device's memory never authenticates here even under the same
    master key. No UUID (bench, unit tests) binds the all-zero id."""
    if not uuid_text:
        return bytes(ID_SIZE)
    if isinstance(uuid_text, (bytes, bytearray)) and len(uuid_text) == ID_SIZE:
        return bytes(uuid_text)
    text = str(uuid_text)
    if text[:9].lower() == "urn:uuid:":
        text = text[9:]
    text = text.replace("-", "")
    if len(text) != 2 * ID_SIZE:
        raise ValueError("device UUID %r is not 16 bytes" % uuid_text)
    return bytes(int(text[i:i + 2], 16) for i in range(0, 2 * ID_SIZE, 2))


def integrity_root(master_key, ident):
    """Epoch 0's integrity key: the host derives it from the escrowed master key.
    A device provisioned with a separate root (AuditLog integrity_root=) cannot
    derive it back from the key it keeps."""
    return hkdf(master_key, _SALT, b"integrity root" + ident, 32)


def evolve(key):
    """The next epoch's integrity key: one way, so the current key says nothing
    about an earlier one."""
    h = hashlib.sha256(_EVOLVE)
    h.update(key)
    return h.digest()


def epoch_key(root, epoch):
    """The integrity key of `epoch` from epoch 0's (host side: every epoch)."""
    key = root
    for _ in range(epoch):
        key = evolve(key)
    return key


class Subkeys:
    """The static keys derived from a 256-bit master key and the device id.
    `conf` seals records (AES-256-CCM): static, so the device can still read its
    own backlog for export. `mac` authenticates the device's own small state
    files (delivery cursor, collector configuration), never the log. The log's
    integrity keys are separate and evolve per epoch (see evolve())."""

    def __init__(self, master_key, ident=None):
        if len(master_key) != 32:
            raise ValueError("master key must be 32 bytes, got %d" % len(master_key))
        ident = ident or bytes(ID_SIZE)
        self.ident = ident
        self.conf = hkdf(master_key, _SALT, b"record confidentiality" + ident, 32)
        # Not bound to the id: the state files never leave the device's own filesystem.
        self.mac = HmacKey(hkdf(master_key, _SALT, b"device state mac", 32))
