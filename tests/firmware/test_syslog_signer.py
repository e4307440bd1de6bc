# RFC 5848 on the device: DSA with RFC 6979 k reproduces the published
# vectors exactly, and the signer's blocks are the ones the notes give.
import hashlib

import rfc5848_vectors as vec
from support import raises

from hcdaudit import dsa
from hcdaudit.signer import Signer, SignerConfigError

# 2025-03-14T09:26:50.000000Z and friends, µs since 1970
T_SESSION = 1741944410000000
T_CB = T_SESSION + 100000
T_SB = 1741944451000000


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def test_key():
    return dsa.PrivateKey(vec.KEY_P, vec.KEY_Q, vec.KEY_G, vec.KEY_Y, vec.KEY_X)


def _signer(clock, **kw):
    options = {"sb_redundancy": 0, "cert_initial_repeat": 1}
    options.update(kw)
    return Signer(test_key(), b"printer.example.com", b"hcdaudit", 1, T_SESSION, clock, **options)


def test_bit_length_without_int_bit_length():
    for n, bits in ((0, 0), (1, 1), (2, 2), (255, 8), (256, 9), (1 << 255, 256), ((1 << 256) - 1, 256)):
        assert dsa.bit_length(n) == bits, n


def test_mpi_exact_bit_count_and_lenient_read():
    assert dsa.mpi(0x01FF) == b"\x00\x09\x01\xff"
    assert dsa.mpi(0x80) == b"\x00\x08\x80"
    # RFC 5848's own examples overstate the count (8 x octets): still read.
    assert dsa.read_mpi(b"\x00\xa0" + bytes(19) + b"\x05", 0) == (5, 22)
    raises(dsa.DsaError, dsa.read_mpi, b"\x01\x00\x01", 0)


def test_profile_a_signature_block_signature_reproduced():
    signed = vec.PROFILE_A_SB[:vec.PROFILE_A_SB.index(b' SIGN="')] + b"]"
    r, s = test_key().sign_digest(hashlib.sha256(signed).digest())
    assert r == 0x851ce256e21221ef6b7eebecbe693a7a92a2c7143fb0681e657d226d8b7d5ab0
    assert s == 0x368c808caf7a2dc8c64d098be69a80bbeee2f7df1ca2bbe9f81117619795122f
    mpis = dsa.signature_mpi(r, s)
    assert mpis[:2] == b"\x01\x00" and mpis[34:36] == b"\x00\xfe"   # exact bit counts: 256, 254
    assert test_key().verify(hashlib.sha256(signed).digest(), r, s)
    assert not test_key().verify(hashlib.sha256(signed + b" ").digest(), r, s)


def test_rfc6979_with_sha1_matches_the_netbsd_profile_k():
    # Profile N signs with DSA-SHA1 and RFC 6979 k (HMAC-SHA-1): our k reproduces
    # its signature, whose DER r and s are taken apart here by hand.
    signed = vec.PROFILE_N_SB[:vec.PROFILE_N_SB.index(b' SIGN="')] + b"]"
    import binascii
    der = binascii.a2b_base64(vec.PROFILE_N_SB[vec.PROFILE_N_SB.index(b'SIGN="') + 6:-2])
    assert der[0] == 0x30 and der[2] == 0x02
    r_len = der[3]
    r = int.from_bytes(der[4:4 + r_len], "big")
    s = int.from_bytes(der[6 + r_len:], "big")
    assert test_key().sign_digest(hashlib.sha1(signed).digest(), hashlib.sha1) == (r, s)


def test_profile_a_stream_reproduced_byte_for_byte():
    clock = Clock(T_CB)
    signer = _signer(clock)
    assert signer.cert_needed()
    blocks = [bytes(b) for b in signer.blocks_due()]
    assert blocks == [vec.PROFILE_A_CB]
    assert not signer.cert_needed()
    for message in (vec.M1, vec.M2, vec.M3):
        assert not signer.hash_message(message)
    clock.now = T_SB
    blocks = [bytes(b) for b in signer.blocks_due(final=True)]
    assert blocks[0] == vec.PROFILE_A_SB
    assert blocks[1].startswith(b"<110>1 2025-03-14T09:27:31.000000Z printer.example.com hcdaudit - - [ssign-cert ")
    assert signer.gbc == 1 and signer.next_number == 4


def test_fragmented_certificate_blocks_reproduced():
    signer = _signer(Clock(T_CB), fragment=600)
    blocks = [bytes(b) for b in signer.certificate_blocks()]
    assert len(blocks) == 2
    frag = vec.PROFILE_A_CB[vec.PROFILE_A_CB.index(b'FRAG="') + 6:vec.PROFILE_A_CB.index(b'" SIGN=')]
    assert b'INDEX="1" FLEN="600" FRAG="' + frag[:600] + b'"' in blocks[0]
    assert b'INDEX="601" FLEN="510" FRAG="' + frag[600:] + b'"' in blocks[1]
    for block, sign in zip(blocks, vec.FRAG_SIGNS):
        assert block.endswith(b' SIGN="' + sign + b'"]')


def test_signature_block_when_full_idle_or_final():
    clock = Clock(T_SESSION)
    signer = _signer(clock, max_hashes=4, sig_max_delay_s=30)
    list(signer.blocks_due())                        # the session's CB
    due = [signer.hash_message(b"<54>1 m%d" % i) for i in range(4)]
    assert due == [False, False, False, True]
    sb = [bytes(b) for b in signer.blocks_due()]
    assert len(sb) == 1 and b'GBC="0" FMN="1" CNT="4"' in sb[0]
    signer.hash_message(b"<54>1 m4")
    clock.now += 29000000
    assert not signer.idle_due() and list(signer.blocks_due()) == []
    clock.now += 1000000
    assert signer.idle_due()
    sb = [bytes(b) for b in signer.blocks_due()]
    assert len(sb) == 1 and b'GBC="1" FMN="5" CNT="1"' in sb[0]
    assert [bytes(b) for b in signer.blocks_due(final=True)][0].find(b"[ssign-cert ") > 0


def test_redundant_copies_are_byte_identical_and_bounded():
    clock = Clock(T_SESSION)
    signer = _signer(clock, max_hashes=2, sb_redundancy=2)
    list(signer.blocks_due())
    signer.hash_message(b"a")
    signer.hash_message(b"b")
    first = [bytes(b) for b in signer.blocks_due()]
    assert len(first) == 1
    clock.now += 30000000
    copy1 = [bytes(b) for b in signer.blocks_due()]
    assert copy1 == first                        # one copy per idle period
    signer.hash_message(b"c")
    signer.hash_message(b"d")
    # The next SB first flushes the last copy owed for the previous one.
    out = [bytes(b) for b in signer.blocks_due()]
    assert out[0] == first[0] and b'FMN="3"' in out[1] and len(out) == 2


def test_certificate_blocks_again_after_reconnect_and_periodically():
    clock = Clock(T_SESSION)
    signer = _signer(clock, cert_initial_repeat=2)
    assert len(list(signer.blocks_due())) == 2       # initial repeat
    signer.reconnected()
    assert signer.cert_needed() and len(list(signer.blocks_due())) == 1
    signer.hash_message(b"x")
    clock.now += 300 * 1000000
    kinds = [bytes(b)[bytes(b).index(b"[") + 1:bytes(b).index(b" VER")] for b in signer.blocks_due()]
    assert kinds == [b"ssign", b"ssign-cert"]


def test_bad_configuration_is_refused_clearly():
    raises(SignerConfigError, _signer, Clock(0), max_hashes=33)
    raises(SignerConfigError, _signer, Clock(0), key_blob_type=b"C")
    raises(SignerConfigError, _signer, Clock(0), key_blob_type=b"X")
    raises(dsa.DsaError, dsa.PrivateKey, vec.KEY_P, vec.KEY_Q, vec.KEY_G, vec.KEY_Y, vec.KEY_X + 1)
    raises(dsa.DsaError, dsa.load_private_key, {"p": "zz"})


def test_key_blob_round_trip():
    key = test_key()
    blob = key.public_key().key_blob()
    again = dsa.PublicKey.from_key_blob(blob)
    assert (again.p, again.q, again.g, again.y) == (key.p, key.q, key.g, key.y)
    raises(dsa.DsaError, dsa.PublicKey.from_key_blob, blob + b"\x00")


def test_native_modular_powers_equal_pow():
    # MicroPython signs with the viper Montgomery routine (dsa.Montgomery), which
    # the unix port can compile; CPython has none and keeps pow().
    import sys
    key = test_key()
    native = sys.implementation.name == "micropython"
    assert (key._mod_p is not None) == native and (key._mod_q is not None) == native
    if not native:
        return
    h = hashlib.sha256(b"modexp").digest()
    for i in range(12):
        h = hashlib.sha256(h).digest()
        e = int.from_bytes(h, "big") >> (i * 19)          # down to a few bits, and 0
        assert key._power_of_g(e) == pow(vec.KEY_G, e, vec.KEY_P), i
        k = e % vec.KEY_Q or 1
        assert key._inverse(k) * k % vec.KEY_Q == 1, i
    assert key._power_of_g(vec.KEY_Q - 1) == pow(vec.KEY_G, vec.KEY_Q - 1, vec.KEY_P)
    small = dsa.Montgomery.make(0xFFFFFFFB)           # a modulus below one limb's reach of R
    assert small.power(3, 0xFFFFFFFA) == 1 and small.power(0xFFFFFFF7, 2) == 16
