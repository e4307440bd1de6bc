# HAL for CPython (host simulator): AES from `cryptography`, os.urandom, time.
import os
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

try:
    import cbor2 as _cbor2
except ImportError:         # the simulator runs without it, on the strict decoder
    _cbor2 = None

from hcdaudit import cbor as _cbor

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


_LIMIT = 0x10000000000000000             # CBOR integers: -2**64 .. 2**64 - 1
_SCALARS = (str, bytes, bool, type(None))


def _plain_item(value, depth):
    """A map value or list element of a container at `depth`."""
    kind = type(value)
    if kind is int:
        return -_LIMIT <= value < _LIMIT
    return kind in _SCALARS or (depth < 12 and _plain(value, depth + 1))


def _plain(obj, depth):
    """Whether obj holds only what cbor.py decodes (int in range, text, bytes,
    bool, None, lists, maps with unsigned-int keys in ascending order), at most
    12 deep. For such a value cbor2's encoding is exactly cbor.py's deterministic
    one; anything else is left to the strict decoder (a doubt costs only time)."""
    kind = type(obj)
    if kind is dict:
        previous = -1
        for key, value in obj.items():
            if type(key) is not int or key <= previous or key >= _LIMIT:
                return False
            previous = key
            if not _plain_item(value, depth):
                return False
        return True
    if kind is list:
        for value in obj:
            if not _plain_item(value, depth):
                return False
        return True
    if kind is int:
        return -_LIMIT <= obj < _LIMIT
    return kind in _SCALARS


def cbor_loads(buf):
    """cbor2 (C) decoding, accepted only when the value is plain and encoding it
    again gives back exactly buf (shortest heads, definite lengths, no duplicate
    key, no trailing byte; key order is checked by _plain): then cbor.py's
    strict decoder would return the same value. Anything else (non-canonical,
    other types, bad input) is left to the strict decoder: same verdicts, same
    errors."""
    data = bytes(buf)
    try:
        obj = _cbor2.loads(data)
        if _plain(obj, 0) and _cbor2.dumps(obj) == data:
            return obj
    except Exception:  # noqa: BLE001, S110 (cbor2 raises many kinds; the strict decoder says what is wrong)
        pass
    return _cbor.NOT_SURE


def random(n):
    return os.urandom(n)


def now_us():
    return time.time_ns() // 1000


if _cbor2 is not None:
    _cbor.use_accelerator(cbor_loads)
