# AES-256-CCM (NIST SP 800-38C, RFC 3610 formatting) with a 12-byte nonce and
# a 16-byte tag, built on the HAL's block function: boards offer AES-ECB and
# AES-CBC (cryptolib, MCU engines) but not CTR or CCM.
#
# A Ccm object owns its work buffers, sized once for the largest message, so
# sealing a record allocates nothing. The HAL cipher provides
#   ecb(src, dst)  and  cbc(src, dst)  (zero IV)
# over whole 16-byte blocks, writing into dst (len(dst) >= len(src) + 15).
# A cipher that also offers ccm_seal / ccm_open (hal/__init__.py: a native
# AES-CCM, as `cryptography` on the host) is used for whole messages instead:
# the same bytes, the buffers here unused.

NONCE_SIZE = 12
TAG_SIZE = 16
_L = 15 - NONCE_SIZE                      # length-field bytes: 3 (messages < 16 MiB)
_FLAGS_B0 = (((TAG_SIZE - 2) // 2) << 3) | (_L - 1)
_FLAGS_AAD = 0x40
_FLAGS_CTR = _L - 1


class AuthError(ValueError):
    pass


def _blocks(n):
    return (n + 15) // 16


class Ccm:
    """`share`: another Ccm (another key) whose work buffers this one may use
    too, when the two never run at the same time: 2 KB once, not per key."""

    def __init__(self, cipher, max_message, max_aad, share=None):
        if max_aad >= 0xFF00:
            raise ValueError("AAD too long")
        self.max_message = max_message
        self.max_aad = max_aad
        self._cipher = cipher
        self._native = getattr(cipher, "ccm_seal", None) is not None
        if self._native:
            self.seal_into = self._native_seal_into     # its own method: seal_into's frame stays small
        if share is not None and share.max_message >= max_message and share.max_aad >= max_aad:
            self._mac_in, self._mac_out, self._ctr, self._stream = share._mac_in, share._mac_out, share._ctr, \
                share._stream
        else:
            mac_len = 16 + 16 * _blocks(2 + max_aad) + 16 * _blocks(max_message)
            ctr_len = 16 * (_blocks(max_message) + 1)
            self._mac_in = bytearray(mac_len)
            self._mac_out = bytearray(mac_len + 16)
            self._ctr = bytearray(ctr_len)
            self._stream = bytearray(ctr_len + 16)
        # Views of the work buffers, one per length in blocks, made when first
        # needed and kept: no memoryview slice per message.
        if share is not None and share._mac_in is self._mac_in:
            self._mac_views, self._ctr_views, self._tag_views = share._mac_views, share._ctr_views, \
                share._tag_views      # the same buffers: the same views
        else:
            self._mac_views = [None] * (len(self._mac_in) // 16 + 1)
            self._ctr_views = [None] * (len(self._ctr) // 16 + 1)
            self._tag_views = [None] * (len(self._mac_in) // 16 + 1)
            _counter_template(self._ctr)
        # The HAL's XOR where it has one (machine code on MicroPython), else ours.
        self._xor = getattr(cipher, "xor_into", None) or _xor_into
        self._stream_body = memoryview(self._stream)[16:]     # S_1 ..: the payload's keystream

    def _check(self, nonce, aad, n):
        if len(nonce) != NONCE_SIZE:
            raise ValueError("CCM nonce must be %d bytes" % NONCE_SIZE)
        if n > self.max_message or len(aad) > self.max_aad:
            raise ValueError("CCM message of %d bytes exceeds the %d-byte buffer" % (n, self.max_message))

    # MicroPython puts the frame of a function with more than ~11 locals and
    # stack slots on the heap, on every call: the steps are small functions.
    def _keystream(self, nonce, n):
        # Counter blocks A_0 .. A_m, encrypted in one ECB call into self._stream.
        count = _blocks(n) + 1
        _nonces(self._ctr, nonce, count)
        self._cipher.ecb(_view(self._ctr_views, self._ctr, count), self._stream)

    def _mac(self, nonce, aad, plaintext):
        """CBC-MAC of B0 || encoded AAD || payload; returns the offset of T in self._mac_out."""
        pos = _b0(self._mac_in, nonce, aad, len(plaintext))
        pos = _payload(self._mac_in, pos, plaintext, len(plaintext))
        return self._cbc_mac(pos)

    def _cbc_mac(self, end):
        self._cipher.cbc(_view(self._mac_views, self._mac_in, end // 16), self._mac_out)
        return end - 16

    def _tag(self, t):
        """The CBC-MAC T (self._mac_out[t:t + 16]) as a kept view."""
        view = self._tag_views[t // 16]
        if view is None:
            view = self._tag_views[t // 16] = memoryview(self._mac_out)[t:t + TAG_SIZE]
        return view

    def seal_into(self, nonce, aad, plaintext, out):
        """Write ciphertext || tag into out; return its length."""
        t = len(plaintext)
        self._check(nonce, aad, t)
        t = self._mac(nonce, aad, plaintext)        # where the tag T is
        self._keystream(nonce, len(plaintext))
        self._encrypt(out, plaintext, t)
        return len(plaintext) + TAG_SIZE

    def _native_seal_into(self, nonce, aad, plaintext, out):
        n = len(plaintext)
        self._check(nonce, aad, n)
        out[:n + TAG_SIZE] = self._cipher.ccm_seal(nonce, aad, plaintext)
        return n + TAG_SIZE

    def _encrypt(self, out, plaintext, t):
        """out = payload xor S_1.., then the tag U = T xor S_0."""
        n = len(plaintext)
        self._xor(out, plaintext, self._stream_body, n)
        t = self._tag(t)
        self._xor(t, t, self._stream, TAG_SIZE)     # in place: T is scratch
        out[n:n + TAG_SIZE] = t

    def open_into(self, nonce, aad, sealed, out):
        """Write the plaintext into out and return its length, or raise AuthError."""
        if len(sealed) < TAG_SIZE:
            raise AuthError("sealed data shorter than the tag")
        n = len(sealed) - TAG_SIZE
        self._check(nonce, aad, n)
        if self._native:
            plaintext = self._cipher.ccm_open(nonce, aad, sealed)
            if plaintext is None:
                raise AuthError("CCM tag mismatch")
            out[:n] = plaintext
            return n
        self._keystream(nonce, n)
        self._xor(out, sealed, self._stream_body, n)
        t = self._mac(nonce, aad, memoryview(out)[:n])
        if _differs(self._tag(t), self._stream, sealed, n):
            for i in range(n):      # never leave unauthenticated plaintext behind
                out[i] = 0
            raise AuthError("CCM tag mismatch")
        return n


def _view(views, buf, blocks):
    view = views[blocks]
    if view is None:
        view = views[blocks] = memoryview(buf)[:16 * blocks]
    return view


def _counter_template(ctr):
    """The flags and the counter of every block A_i, written once: a message
    then writes only its nonce into the blocks it uses."""
    for base in range(0, len(ctr) - 15, 16):
        ctr[base] = _FLAGS_CTR
        ctr[base + 13] = base >> 20         # the counter i = base / 16, big-endian in 3 bytes
        ctr[base + 14] = (base >> 12) & 0xFF
        ctr[base + 15] = (base >> 4) & 0xFF


def _nonces(ctr, nonce, count):
    for base in range(1, 16 * count, 16):
        ctr[base:base + 12] = nonce


def _b0(buf, nonce, aad, n):
    """B0 and the encoded AAD into buf; returns where the payload starts."""
    buf[0] = _FLAGS_B0 | (_FLAGS_AAD if len(aad) else 0)
    buf[1:13] = nonce
    buf[13] = n >> 16
    buf[14] = (n >> 8) & 0xFF
    buf[15] = n & 0xFF
    return _aad(buf, aad) if len(aad) else 16


def _aad(buf, aad):
    a = len(aad)
    end = 16 + 16 * _blocks(2 + a)
    buf[end - 16:end] = _ZERO_BLOCK         # the padding; the AAD then overwrites its part
    buf[16] = a >> 8
    buf[17] = a & 0xFF
    buf[18:18 + a] = aad
    return end


def _payload(buf, pos, plaintext, n):
    """The payload at pos, zero-padded to a whole block; returns the end."""
    end = pos + 16 * _blocks(n)
    if end > pos:
        buf[end - 16:end] = _ZERO_BLOCK     # the padding: the payload then overwrites its part
    buf[pos:pos + n] = plaintext
    return end


_ZERO_BLOCK = bytes(16)


def _xor_into(dst, a, b, n):
    for i in range(n):
        dst[i] = a[i] ^ b[i]


def _differs(tag, stream, sealed, n):
    diff = 0
    for i in range(TAG_SIZE):
        expected = tag[i] ^ stream[i]
        diff |= expected ^ sealed[n + i]
    return diff


def seal(cipher, nonce, aad, plaintext):
    """Convenience for tests and host tools: returns ciphertext || tag as bytes."""
    ccm = Ccm(cipher, len(plaintext), len(aad))
    out = bytearray(len(plaintext) + TAG_SIZE)
    ccm.seal_into(nonce, aad, plaintext, out)
    return bytes(out)


def open(cipher, nonce, aad, sealed):
    if len(sealed) < TAG_SIZE:
        raise AuthError("sealed data shorter than the tag")
    ccm = Ccm(cipher, len(sealed) - TAG_SIZE, len(aad))
    out = bytearray(len(sealed) - TAG_SIZE)
    return bytes(out[:ccm.open_into(nonce, aad, sealed, out)])
