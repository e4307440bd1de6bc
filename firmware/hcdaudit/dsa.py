# DSA signatures for RFC 5848 on the device's own big integers, with the
# nonce k derived deterministically (RFC 6979): an MCU's RNG is never trusted
# with k, and both runtimes produce the same signature for the same input.
# Encodings are OpenPGP MPIs (RFC 4880 §3.2) as RFC 5848 §4.2.8 requires.
#
# MicroPython traps (shared/specs/rfc5848-signed-syslog.md §5.4): no
# int.bit_length(), and pow(k, -1, q) silently returns 0 there, so the
# inverse is Fermat's pow(k, q - 2, q) (q is prime).
import hashlib

from hcdaudit.kdf import HmacKey


class DsaError(ValueError):
    pass


def bit_length(n):
    """Bits in a non-negative int, without int.bit_length()."""
    if n <= 0:
        return 0
    digits = "%x" % n
    top = int(digits[0], 16)
    bits = 4 * (len(digits) - 1)
    while top:
        bits += 1
        top >>= 1
    return bits


def mpi(n):
    """OpenPGP MPI: 2-octet big-endian exact bit count, then the magnitude."""
    bits = bit_length(n)
    return bytes(((bits >> 8) & 0xFF, bits & 0xFF)) + n.to_bytes((bits + 7) // 8, "big")


def read_mpi(data, offset):
    """(value, next offset). The bit count is read leniently, as RFC 5848's own
    examples overstate it: its octet length is what counts."""
    if offset + 2 > len(data):
        raise DsaError("MPI header runs past the end of the data")
    bits = (data[offset] << 8) | data[offset + 1]
    end = offset + 2 + (bits + 7) // 8
    if end > len(data):
        raise DsaError("MPI of %d bits runs past the end of the data" % bits)
    return int.from_bytes(bytes(data[offset + 2:end]), "big"), end


class PublicKey:
    def __init__(self, p, q, g, y):
        self.p = p
        self.q = q
        self.g = g
        self.y = y
        self.qlen = bit_length(q)

    def key_blob(self):
        """RFC 5848 key blob type 'K': MPI(p) ‖ MPI(q) ‖ MPI(g) ‖ MPI(y)."""
        return mpi(self.p) + mpi(self.q) + mpi(self.g) + mpi(self.y)

    @classmethod
    def from_key_blob(cls, blob):
        values = []
        offset = 0
        for _ in range(4):
            value, offset = read_mpi(blob, offset)
            values.append(value)
        if offset != len(blob):
            raise DsaError("%d octets follow the four MPIs of the key blob" % (len(blob) - offset))
        return cls(*values)

    def verify(self, digest, r, s):
        """For the device's self-test only: the host verifies with `cryptography`."""
        q = self.q
        if not (0 < r < q and 0 < s < q):
            return False
        w = pow(s, q - 2, q)
        z = _bits2int(digest, self.qlen)
        v = (pow(self.g, z * w % q, self.p) * pow(self.y, r * w % q, self.p)) % self.p % q
        return v == r


class PrivateKey(PublicKey):
    def __init__(self, p, q, g, y, x):
        PublicKey.__init__(self, p, q, g, y)
        if not 0 < x < q:
            raise DsaError("the private key is not in (0, q)")
        if pow(g, x, p) != y:
            raise DsaError("the private key does not match its public key")
        self.x = x
        self._rlen = (self.qlen + 7) // 8
        self._x_octets = x.to_bytes(self._rlen, "big")

    def public_key(self):
        return PublicKey(self.p, self.q, self.g, self.y)

    def sign_digest(self, digest, hash_fn=hashlib.sha256):
        """(r, s) over a message digest made with hash_fn, k per RFC 6979 §3.2."""
        q = self.q
        z = _bits2int(digest, self.qlen)
        for k in self._nonces(digest, hash_fn):
            r = pow(self.g, k, self.p) % q
            if r == 0:
                continue
            s = pow(k, q - 2, q) * (z + self.x * r) % q
            if s != 0:
                return r, s
        raise DsaError("no usable nonce")   # unreachable: _nonces never ends

    def _nonces(self, digest, hash_fn):
        rlen = self._rlen
        h1 = (_bits2int(digest, self.qlen) % self.q).to_bytes(rlen, "big")
        size = len(hash_fn(b"").digest())
        v = b"\x01" * size
        k = HmacKey(b"\x00" * size, hash_fn).digest(v, b"\x00", self._x_octets, h1)
        v = HmacKey(k, hash_fn).digest(v)
        k = HmacKey(k, hash_fn).digest(v, b"\x01", self._x_octets, h1)
        mac = HmacKey(k, hash_fn)
        v = mac.digest(v)
        while True:
            t = b""
            while len(t) < rlen:
                v = mac.digest(v)
                t += v
            candidate = _bits2int(t, self.qlen)
            if 0 < candidate < self.q:
                yield candidate
            k = mac.digest(v, b"\x00")
            mac = HmacKey(k, hash_fn)
            v = mac.digest(v)


def _bits2int(octets, qlen):
    """RFC 6979 §2.3.2: the leftmost qlen bits of the octets as an int."""
    n = int.from_bytes(bytes(octets), "big")
    blen = len(octets) * 8
    if blen > qlen:
        n >>= blen - qlen
    return n


def signature_mpi(r, s):
    """RFC 5848 SIGN octets: MPI(r) ‖ MPI(s), before base64."""
    return mpi(r) + mpi(s)


def parse_signature_mpi(data):
    r, offset = read_mpi(data, 0)
    s, offset = read_mpi(data, offset)
    if offset != len(data):
        raise DsaError("%d octets follow the signature's two MPIs" % (len(data) - offset))
    return r, s


def load_private_key(fields):
    """The device bundle's key: a dict of lowercase hex p, q, g, y, x."""
    try:
        return PrivateKey(*(int(fields[name], 16) for name in ("p", "q", "g", "y", "x")))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, DsaError):
            raise
        raise DsaError("the signing key needs hex fields p, q, g, y and x")
