# AES-256-CCM (NIST SP 800-38C, RFC 3610 formatting) with a 12-byte nonce and
# a 16-byte tag, built on the HAL's block function: boards offer AES-ECB and
# AES-CBC (cryptolib, MCU engines) but not CTR or CCM.
# The HAL cipher object provides ecb(data) -> bytes and cbc_mac(data) -> last
# CBC block under a zero IV; both take whole 16-byte blocks.

NONCE_SIZE = 12
TAG_SIZE = 16
_L = 15 - NONCE_SIZE                      # length-field bytes: 3 (messages < 16 MiB)
_FLAGS_B0_AAD = 0x40 | (((TAG_SIZE - 2) // 2) << 3) | (_L - 1)
_FLAGS_B0 = (((TAG_SIZE - 2) // 2) << 3) | (_L - 1)
_FLAGS_CTR = _L - 1


class AuthError(ValueError):
    pass


def _pad16(n):
    return (16 - n % 16) % 16


def _xor(data, stream):
    n = len(data)
    if n == 0:
        return b""
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream[:n], "big")).to_bytes(n, "big")


def _mac(cipher, nonce, aad, plaintext):
    if len(aad) >= 0xFF00:
        raise ValueError("AAD too long")
    flags = _FLAGS_B0_AAD if aad else _FLAGS_B0
    parts = [bytes((flags,)), nonce, len(plaintext).to_bytes(_L, "big")]
    if aad:
        parts.append(len(aad).to_bytes(2, "big"))
        parts.append(aad)
        parts.append(bytes(_pad16(2 + len(aad))))
    parts.append(plaintext)
    parts.append(bytes(_pad16(len(plaintext))))
    return cipher.cbc_mac(b"".join(parts))


def _keystream(cipher, nonce, nblocks):
    # Counter blocks A_0 .. A_nblocks, encrypted in one ECB call.
    prefix = bytes((_FLAGS_CTR,)) + nonce
    blocks = b"".join(prefix + i.to_bytes(_L, "big") for i in range(nblocks + 1))
    return cipher.ecb(blocks)


def _check(nonce, length):
    if len(nonce) != NONCE_SIZE:
        raise ValueError("CCM nonce must be %d bytes" % NONCE_SIZE)
    if length >= 1 << (8 * _L):
        raise ValueError("CCM message too long")


def seal(cipher, nonce, aad, plaintext):
    """Return ciphertext || tag."""
    _check(nonce, len(plaintext))
    stream = _keystream(cipher, nonce, (len(plaintext) + 15) // 16)
    tag = _xor(_mac(cipher, nonce, aad, plaintext), stream[:16])
    return _xor(plaintext, stream[16:]) + tag


def open(cipher, nonce, aad, sealed):
    """Return the plaintext, or raise AuthError if anything was altered."""
    if len(sealed) < TAG_SIZE:
        raise AuthError("sealed data shorter than the tag")
    n = len(sealed) - TAG_SIZE
    _check(nonce, n)
    stream = _keystream(cipher, nonce, (n + 15) // 16)
    plaintext = _xor(sealed[:n], stream[16:])
    expected = _xor(_mac(cipher, nonce, aad, plaintext), stream[:16])
    diff = 0
    tag = sealed[n:]
    for i in range(TAG_SIZE):
        diff |= expected[i] ^ tag[i]
    if diff:
        raise AuthError("CCM tag mismatch")
    return plaintext
