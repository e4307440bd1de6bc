# Salted, iterated password hashes: PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) on
# kdf.HmacKey, because MicroPython's hashlib has no pbkdf2_hmac. The work is
# done in steps (Pbkdf2.step) so a web server can spread one verification
# over its polls instead of stalling logging for the whole count.
#
# The administrator's credential (`admin.json` in the bundle, written by
# `hcdaudit provision`): {"user", "role", "kdf": "pbkdf2-sha256", "iterations",
# "salt": hex, "hash": hex}. The password itself is never stored.
import binascii

from hcdaudit import kdf

KDF_NAME = "pbkdf2-sha256"
MIN_ITERATIONS = 1000
ROLES = ("administrator",)


class CredentialError(ValueError):
    pass


class Pbkdf2:
    """One 32-byte PBKDF2-HMAC-SHA256 block, computed `step(n)` iterations at a time."""

    def __init__(self, password, salt, iterations):
        if iterations < 1:
            raise ValueError("PBKDF2 needs at least one iteration")
        self._key = kdf.HmacKey(password)
        self.left = iterations - 1
        # U1 = PRF(P, S || INT(1)); the XOR of all U is kept as one 256-bit int:
        # one bignum XOR per iteration instead of 32 byte operations.
        self._u = self._key.digest(salt, b"\x00\x00\x00\x01")
        self._acc = int.from_bytes(self._u, "big")

    def step(self, n):
        """Run up to n more iterations; True when done."""
        key = self._key
        u = self._u
        acc = self._acc
        count = n if n < self.left else self.left
        for _ in range(count):
            u = key.digest(u)
            acc ^= int.from_bytes(u, "big")
        self._u = u
        self._acc = acc
        self.left -= count
        return self.left == 0

    def digest(self):
        if self.left:
            raise ValueError("PBKDF2 not finished")
        return self._acc.to_bytes(32, "big")


def pbkdf2_sha256(password, salt, iterations):
    job = Pbkdf2(password, salt, iterations)
    job.step(iterations)
    return job.digest()


def _hex(value, name, size=None):
    try:
        data = binascii.unhexlify(value)
    except (ValueError, TypeError):
        raise CredentialError("credential field %s is not hexadecimal" % name)
    if size is not None and len(data) != size:
        raise CredentialError("credential field %s must be %d bytes" % (name, size))
    return data


class Credential:
    """The administrator account as stored; verify with start(password) -> Pbkdf2, then matches()."""

    def __init__(self, document):
        if not isinstance(document, dict):
            raise CredentialError("the credential is not a JSON object")
        if document.get("kdf") != KDF_NAME:
            raise CredentialError("unsupported password hash %r (only %s)" % (document.get("kdf"), KDF_NAME))
        user = document.get("user")
        if not isinstance(user, str) or not user or ":" in user or len(user) > 64:
            raise CredentialError("credential user must be 1-64 characters without ':'")
        self.user = user
        self.role = document.get("role", "administrator")
        if self.role not in ROLES:
            raise CredentialError("credential role %r is not one of %s" % (self.role, ", ".join(ROLES)))
        iterations = document.get("iterations")
        if not isinstance(iterations, int) or iterations < MIN_ITERATIONS:
            raise CredentialError("credential iterations must be an integer >= %d" % MIN_ITERATIONS)
        self.iterations = iterations
        self.salt = _hex(document.get("salt"), "salt")
        if len(self.salt) < 16:
            raise CredentialError("credential salt must be at least 16 bytes")
        self._hash = _hex(document.get("hash"), "hash", 32)

    def start(self, password):
        return Pbkdf2(password, self.salt, self.iterations)

    def matches(self, job):
        return kdf.equal(job.digest(), self._hash)     # constant time


def make(user, password, salt, iterations, role="administrator"):
    """The stored form of a new credential (host side: provisioning)."""
    return {"user": user, "role": role, "kdf": KDF_NAME, "iterations": iterations,
            "salt": binascii.hexlify(salt).decode(), "hash": binascii.hexlify(
                pbkdf2_sha256(password, salt, iterations)).decode()}
