# AES-256-CCM, HMAC-SHA256 and HKDF against published and independently computed vectors.
from hcdaudit import ccm, kdf
from boards.host.board import runtime_hal
from support import raises

KEY = b"k" * 32
NONCE = b"n" * 12
# Computed with cryptography's AESCCM(tag_length=16), an independent implementation.
SEALED = ("6fbd2c2201e70d5ec5da2c4a0a4a33344a0f8855174ccd32b62d4e0cf6d9504804b43b1eba6b2466"
          "f416b093600fe57178c262f6bac9fe9538a808f119997d4dbde55eaa890e6a")


def test_ccm_matches_the_independent_vector():
    cipher = runtime_hal().Aes(KEY)
    assert ccm.seal(cipher, NONCE, b"aad", b"hello world" * 5).hex() == SEALED
    assert ccm.open(cipher, NONCE, b"aad", bytes.fromhex(SEALED)) == b"hello world" * 5


def test_ccm_rejects_every_alteration():
    aes = runtime_hal().Aes
    sealed = bytes.fromhex(SEALED)
    for i in (0, 20, len(sealed) - 16, len(sealed) - 1):
        flipped = bytearray(sealed)
        flipped[i] ^= 0x01
        raises(ccm.AuthError, ccm.open, aes(KEY), NONCE, b"aad", bytes(flipped))
    raises(ccm.AuthError, ccm.open, aes(KEY), NONCE, b"aae", sealed)
    raises(ccm.AuthError, ccm.open, aes(KEY), b"m" * 12, b"aad", sealed)
    raises(ccm.AuthError, ccm.open, aes(b"j" * 32), NONCE, b"aad", sealed)
    raises(ccm.AuthError, ccm.open, aes(KEY), NONCE, b"aad", sealed[:-1])
    raises(ccm.AuthError, ccm.open, aes(KEY), NONCE, b"aad", sealed[:10])


def test_ccm_empty_plaintext_and_block_boundaries():
    cipher = runtime_hal().Aes(KEY)
    for n in (0, 1, 15, 16, 17, 32, 466):
        msg = bytes(range(256)) * 2
        sealed = ccm.seal(cipher, NONCE, b"", msg[:n])
        assert len(sealed) == n + 16
        assert ccm.open(cipher, NONCE, b"", sealed) == msg[:n]


class _BlockOnly:
    """The HAL's block function alone: ccm.py's own CCM, even where the HAL has a native one."""

    def __init__(self, key):
        aes = runtime_hal().Aes(key)
        self.ecb = aes.ecb
        self.cbc = aes.cbc


def test_ccm_from_the_block_function_equals_the_hal_ccm():
    # Same bytes whichever path the HAL picks (CPython: `cryptography`'s CCM; MicroPython: ccm.py).
    msg = bytes(range(256)) * 2
    for n in (0, 1, 15, 16, 17, 128, 466):
        for aad in (b"", b"seq+link" * 2 + b"abcd"):
            native = ccm.seal(runtime_hal().Aes(KEY), NONCE, aad, msg[:n])
            assert ccm.seal(_BlockOnly(KEY), NONCE, aad, msg[:n]) == native
            assert ccm.open(_BlockOnly(KEY), NONCE, aad, native) == msg[:n]
            assert ccm.open(runtime_hal().Aes(KEY), NONCE, aad, native) == msg[:n]
    sealed = bytearray(ccm.seal(_BlockOnly(KEY), NONCE, b"aad", msg[:40]))
    sealed[3] ^= 0x10
    raises(ccm.AuthError, ccm.open, runtime_hal().Aes(KEY), NONCE, b"aad", bytes(sealed))
    raises(ccm.AuthError, ccm.open, _BlockOnly(KEY), NONCE, b"aad", bytes(sealed))


def test_hmac_sha256_rfc4231():
    assert kdf.hmac_sha256(b"\x0b" * 20, b"Hi There").hex() == \
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    assert kdf.hmac_sha256(b"Jefe", b"what do ya want for nothing?").hex() == \
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    # case 6: a key longer than the block is hashed first
    assert kdf.hmac_sha256(b"\xaa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First").hex() == \
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"


def test_hkdf_rfc5869_case1():
    okm = kdf.hkdf(b"\x0b" * 22, bytes(range(13)), bytes(range(0xF0, 0xFA)), 42)
    assert okm.hex() == ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                         "34007208d5b887185865")


def test_subkeys_are_distinct_and_need_a_256_bit_master_key():
    keys = kdf.Subkeys(bytes(32))
    other = kdf.Subkeys(bytes(32), kdf.device_id("urn:uuid:12345678-1234-5678-1234-567812345678"))
    assert len(keys.conf) == 32 and keys.conf != other.conf          # the device id is bound in
    root = kdf.integrity_root(bytes(32), keys.ident)
    assert root not in (keys.conf, kdf.integrity_root(bytes(32), other.ident))
    assert kdf.epoch_key(root, 2) == kdf.evolve(kdf.evolve(root)) != kdf.epoch_key(root, 1)
    assert kdf.device_id("12345678-1234-5678-1234-567812345678") == other.ident
    raises(ValueError, kdf.device_id, "urn:uuid:1234")
    raises(ValueError, kdf.Subkeys, bytes(16))
    assert kdf.equal(b"abc", b"abc") and not kdf.equal(b"abc", b"abd") and not kdf.equal(b"ab", b"abc")


def test_hal_xor_checks_its_bounds_and_equals_a_plain_loop():
    """The HAL's XOR that ccm.py uses where offered (MicroPython: viper machine code
    compiled at import, with no bounds of its own): the same bytes as a plain loop,
    and a length past any buffer is a ValueError, never a write past the end."""
    hal = runtime_hal()
    xor_into = getattr(hal.Aes(KEY), "xor_into", None)
    if xor_into is None:
        return      # this HAL seals with a native CCM (CPython): nothing of its own to check
    a = bytes(range(40))
    b = bytes(range(100, 140))
    out = bytearray(44)
    xor_into(out, a, memoryview(b)[3:], 37)
    assert bytes(out[:37]) == bytes(a[i] ^ b[3 + i] for i in range(37)) and out[37:] == bytearray(7)
    for n in (38, 41, 45, -1):
        exc = raises(ValueError, xor_into, out, a, memoryview(b)[3:], n)
        assert "too short" in str(exc)
    assert out[37:] == bytearray(7)
    chain = bytearray(16)
    hal.copy_at(chain, b, 24, 16)
    assert chain == bytearray(b[24:40])
    raises(ValueError, hal.copy_at, chain, b, 25, 16)
