# DSA signatures for RFC 5848 on the device's own big integers, with the
# nonce k derived deterministically (RFC 6979): an MCU's RNG is never trusted
# with k, and both runtimes produce the same signature for the same input.
# Encodings are OpenPGP MPIs (RFC 4880 §3.2) as RFC 5848 §4.2.8 requires.
#
# MicroPython traps (shared/specs/rfc5848-signed-syslog.md §5.4): no
# int.bit_length(), and pow(k, -1, q) silently returns 0 there, so the
# inverse is Fermat's pow(k, q - 2, q) (q is prime).
import hashlib
import sys


class DsaError(ValueError):
    pass


def bit_length(n):
    """Bits in a non-negative int, without int.bit_length()."""
    if n <= 0:
        return 0
    bits = 4 * (len("%x" % n) - 1)
    top = n >> bits     # not int(digits[0], 16): MicroPython interns a str's one-char slices as qstrs
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
        self._pad = bytearray(64)       # HMAC pads (a 64-octet-block hash: SHA-1, SHA-256)
        # Native modular powers where the port allows (Montgomery), else the runtime's pow.
        self._mod_p = Montgomery.make(p)
        self._mod_q = Montgomery.make(q)
        self._g_form = self._mod_p.form(g) if self._mod_p else None

    def _power_of_g(self, k):
        if self._mod_p is None:
            return pow(self.g, k, self.p)
        return self._mod_p.power(self._g_form, k)

    def _inverse(self, k):
        """k⁻¹ mod q by Fermat (q is prime; MicroPython's pow(k, -1, q) is 0)."""
        if self._mod_q is None:
            return pow(k, self.q - 2, self.q)
        return self._mod_q.power(k, self.q - 2)

    def public_key(self):
        return PublicKey(self.p, self.q, self.g, self.y)

    def sign_digest(self, digest, hash_fn=hashlib.sha256):
        """(r, s) over a message digest made with hash_fn, k per RFC 6979 §3.2."""
        q = self.q
        z = _bits2int(digest, self.qlen)
        for k in self._nonces(digest, hash_fn):
            r = self._power_of_g(k) % q
            if r == 0:
                continue
            s = self._inverse(k) * (z + self.x * r) % q
            if s != 0:
                return r, s
        raise DsaError("no usable nonce")   # unreachable: _nonces never ends

    def _hmac(self, hash_fn, key, v, sep=None, h1=None):
        """HMAC(key, v [‖ sep ‖ x ‖ h1]) with the pads made in one preallocated
        buffer: RFC 6979 re-keys its HMAC at nearly every step, so a prepared
        key (kdf.HmacKey) would be made and dropped each time."""
        pad = self._pad
        n = len(key)
        for i in range(64):
            pad[i] = (key[i] if i < n else 0) ^ 0x36
        inner = hash_fn(pad)
        inner.update(v)
        if sep is not None:
            inner.update(sep)
        if h1 is not None:
            inner.update(self._x_octets)
            inner.update(h1)
        for i in range(64):
            pad[i] ^= 0x6A      # 0x36 ^ 0x5C: the inner pad becomes the outer one
        outer = hash_fn(pad)
        outer.update(inner.digest())
        return outer.digest()

    def _nonces(self, digest, hash_fn):
        rlen = self._rlen
        h1 = (_bits2int(digest, self.qlen) % self.q).to_bytes(rlen, "big")
        size = 32 if hash_fn is hashlib.sha256 else len(hash_fn(b"").digest())
        v = b"\x01" * size
        k = self._hmac(hash_fn, b"", v, b"\x00", h1)     # K = 0x00 * size: the pad alone
        v = self._hmac(hash_fn, k, v)
        k = self._hmac(hash_fn, k, v, b"\x01", h1)
        v = self._hmac(hash_fn, k, v)
        while True:
            t = b""
            while len(t) < rlen:
                v = self._hmac(hash_fn, k, v)
                t += v
            candidate = _bits2int(t, self.qlen)
            if 0 < candidate < self.q:
                yield candidate
            k = self._hmac(hash_fn, k, v, b"\x00")
            v = self._hmac(hash_fn, k, v)


# g^k mod p in Montgomery form on preallocated limb buffers, by a viper
# routine (hal/native.py, compiled ahead of time where the firmware is built
# for the machine). MicroPython's own pow() on 2048-bit numbers copies an
# operand on every step (≈200 KB of heap per signature, a signature per 32
# messages); this allocates only the result. A port without the native
# emitter (or CPython) keeps pow(). Limbs are 32-bit where the machine word
# is 64-bit, else 16-bit (native.py says why).
_LIMB = 32 if sys.maxsize > (1 << 32) else 16
_compiled = [None]     # the routine, looked up once (False: this port has none)


def _montmul():
    if _compiled[0] is None:
        try:
            from hcdaudit.hal import native
            _compiled[0] = native.montmul32 if _LIMB == 32 else native.montmul16
        except (ImportError, SyntaxError, ValueError, NotImplementedError, MemoryError):
            _compiled[0] = False    # no native emitter, an image of another machine, or no room: pow() it is
    return _compiled[0]


class Montgomery:
    """Powers modulo one odd modulus, allocation-free but for the result."""

    @classmethod
    def make(cls, modulus):
        """The native routine for this modulus, or None where it cannot be had."""
        if sys.implementation.name != "micropython" or not modulus & 1:
            return None
        montmul = _montmul()
        return cls(modulus, montmul) if montmul else None

    def __init__(self, modulus, montmul):
        self._montmul = montmul
        self.modulus = modulus
        octets = (bit_length(modulus) + _LIMB - 1) // _LIMB * _LIMB // 8
        self._size = octets * 8 // _LIMB
        self._octets = octets
        self._r = 1 << (octets * 8)
        word = 1 << _LIMB
        inv = 1                         # modulus⁻¹ mod 2^L by Newton's iteration (odd modulus)
        for _ in range(6):
            inv = inv * (2 - modulus * inv) % word
        self._ninv = (word - inv) % word
        self._n = bytearray(modulus.to_bytes(octets, "little"))
        self._one = bytearray((self._r % modulus).to_bytes(octets, "little"))     # 1 in Montgomery form
        self._acc = bytearray(octets)
        self._scratch = bytearray(octets + 2 * _LIMB // 8)
        self._unit = bytearray(octets)
        self._unit[0] = 1
        self._base = bytearray(octets)

    def form(self, value):
        """value in Montgomery form (a buffer to keep for power())."""
        return bytearray((value * self._r % self.modulus).to_bytes(self._octets, "little"))

    def power(self, base, exponent):
        """base^exponent mod the modulus; base: an int, or a form() buffer (a fixed base)."""
        if isinstance(base, int):
            self._base[:] = (base * self._r % self.modulus).to_bytes(self._octets, "little")
            base = self._base
        acc, n, t, size, ninv, mul = self._acc, self._n, self._scratch, self._size, self._ninv, self._montmul
        acc[:] = self._one
        for octet in exponent.to_bytes((bit_length(exponent) + 7) // 8, "big"):
            mask = 0x80
            while mask:
                mul(acc, acc, acc, n, t, size, ninv)     # square and multiply, top bit first
                if octet & mask:
                    mul(acc, acc, base, n, t, size, ninv)
                mask >>= 1
        mul(acc, acc, self._unit, n, t, size, ninv)     # out of Montgomery form
        return int.from_bytes(bytes(acc), "little")


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
