"""Independent cross-checks: the firmware's CCM, HMAC/HKDF and CBOR against
`cryptography`, the standard library and `cbor2`; sealed records on a device
decrypted with keys derived and opened by `cryptography` alone."""
from __future__ import annotations

import hashlib
import hmac
import struct

import cbor2
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hcdaudit import ccm, cbor, kdf, record, ring, segment
from hcdaudit.hal import cpython as hal
from hcdaudit.ccm import AuthError

keys32 = st.binary(min_size=32, max_size=32)
nonces = st.binary(min_size=12, max_size=12)


class BlockOnly:
    """The HAL's block function without its native CCM: ccm.py's own CCM
    (what MicroPython runs) is what gets checked."""

    def __init__(self, key):
        aes = hal.Aes(key)
        self.ecb, self.cbc = aes.ecb, aes.cbc


CIPHERS = pytest.mark.parametrize("cipher", [hal.Aes, BlockOnly], ids=["native", "block-function"])


@CIPHERS
@settings(max_examples=300, deadline=None)
@given(key=keys32, nonce=nonces, aad=st.binary(max_size=80), plaintext=st.binary(max_size=600))
def test_ccm_equals_cryptography_aesccm_both_ways(cipher, key, nonce, aad, plaintext):
    reference = AESCCM(key, tag_length=16)
    sealed = ccm.seal(cipher(key), nonce, aad, plaintext)
    assert sealed == reference.encrypt(nonce, plaintext, aad)
    assert reference.decrypt(nonce, sealed, aad) == plaintext
    assert ccm.open(cipher(key), nonce, aad, reference.encrypt(nonce, plaintext, aad)) == plaintext


@CIPHERS
@settings(max_examples=200, deadline=None)
@given(key=keys32, nonce=nonces, aad=st.binary(max_size=40), plaintext=st.binary(min_size=1, max_size=200),
       flip=st.integers(min_value=0))
def test_tampered_ccm_rejected_by_both(cipher, key, nonce, aad, plaintext, flip):
    sealed = bytearray(AESCCM(key, tag_length=16).encrypt(nonce, plaintext, aad))
    sealed[flip % len(sealed)] ^= 1 << (flip % 8)
    with pytest.raises(AuthError):
        ccm.open(cipher(key), nonce, aad, bytes(sealed))
    with pytest.raises(InvalidTag):
        AESCCM(key, tag_length=16).decrypt(nonce, bytes(sealed), aad)
    other = bytes(b ^ 0xFF for b in key)
    with pytest.raises(AuthError):
        ccm.open(cipher(other), nonce, aad, ccm.seal(cipher(key), nonce, aad, plaintext))


@settings(max_examples=200, deadline=None)
@given(key=st.binary(max_size=150), msg=st.binary(max_size=300))
def test_hmac_equals_stdlib(key, msg):
    assert kdf.hmac_sha256(key, msg) == hmac.new(key, msg, hashlib.sha256).digest()


@settings(max_examples=100, deadline=None)
@given(ikm=st.binary(min_size=1, max_size=64), salt=st.binary(min_size=1, max_size=32),
       info=st.binary(max_size=40), length=st.integers(min_value=1, max_value=200))
def test_hkdf_equals_cryptography(ikm, salt, info, length):
    expected = HKDF(hashes.SHA256(), length, salt, info).derive(ikm)
    assert kdf.hkdf(ikm, salt, info, length) == expected


# Records use unsigned integer map keys, for which RFC 8949 §4.2.1 (bytewise)
# and cbor2's canonical (length-first, §4.2.3) orders coincide.
texts = st.text(max_size=60)
scalars = st.one_of(st.integers(min_value=-(2 ** 64), max_value=2 ** 64 - 1), texts, st.binary(max_size=60),
                    st.booleans(), st.none())
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=5),
    st.dictionaries(st.integers(min_value=0, max_value=2 ** 32), inner, max_size=5)), max_leaves=20)
records = st.fixed_dictionaries({
    record.SEQ: st.integers(min_value=1, max_value=2 ** 32 - 1),
    record.TIME: st.integers(min_value=0, max_value=2 ** 63),
    record.EVENT: st.integers(min_value=0, max_value=0xFFFF),
    record.OUTCOME: st.integers(min_value=0, max_value=9),
    record.SUBJECT: st.tuples(st.integers(min_value=0, max_value=9), texts, texts, texts).map(list),
}, optional={
    record.INTERFACE: texts, record.REMOTE_HOST: texts,
    record.ITEMS: st.dictionaries(st.integers(min_value=0, max_value=300), values, max_size=8),
})


@settings(max_examples=400, deadline=None)
@given(body=records)
def test_cbor_records_equal_cbor2_byte_for_byte(body):
    encoded = cbor.dumps(body)
    assert encoded == cbor2.dumps(body, canonical=True)
    assert cbor.loads(encoded) == cbor2.loads(encoded)
    assert cbor.loads(cbor2.dumps(body, canonical=True)) == body


@settings(max_examples=300, deadline=None)
@given(blob=st.binary(max_size=200))
def test_cbor_decoder_never_crashes_on_garbage(blob):
    try:
        cbor.loads(blob)
    except cbor.CBORError:
        pass


def test_every_sealed_record_on_a_device_opens_with_cryptography_alone(tmp_path, hcdaudit):
    """Derive the keys with cryptography's HKDF, open every NVRAM slot and every
    stored entry with AESCCM and check every entry's epoch mac with the standard
    library's hmac: an implementation that shares no code with the device (format v2)."""
    import json
    import uuid
    device = tmp_path / "dev"
    assert hcdaudit("provision", device)[0] == 0
    assert hcdaudit("sim", device, "--events", "180")[0] == 0
    master = (device / "escrow" / "master.key").read_bytes()
    ident = uuid.UUID(json.loads((device / "escrow" / "device.json").read_text())["uuid"][9:]).bytes
    conf = AESCCM(HKDF(hashes.SHA256(), 32, b"hcdaudit/v2", b"record confidentiality" + ident).derive(master))
    root = (device / "escrow" / "integrity.key").read_bytes()

    def epoch_key(epoch: int) -> bytes:
        key = root
        for _ in range(epoch):
            key = hashlib.sha256(b"hcdaudit/v2 evolve" + key).digest()
        return key

    def open_entry(data: bytes, pos: int) -> tuple[int, int, dict]:
        seq, epoch, salt, length = struct.unpack_from(">IIIH", data, pos)
        end = pos + 14 + length
        mac = hmac.new(epoch_key(epoch), b"R" + data[pos:end], hashlib.sha256).digest()[:16]
        assert data[end:end + 16] == mac, seq
        nonce, aad = struct.pack(">III", epoch, salt, seq), struct.pack(">III", seq, epoch, salt)
        return seq, end + 16, cbor2.loads(conf.decrypt(nonce, data[pos + 14:end], aad))

    opened = {}
    for path in sorted((device / "store").iterdir()):
        data = path.read_bytes()
        count = struct.unpack_from(">H", data, 6)[0]
        pos = segment.HEADER_SIZE
        for _ in range(count):
            seq, pos, body = open_entry(data, pos)
            opened[seq] = body
    nv = (device / "nvram.bin").read_bytes()
    in_ring = 0
    for index in range(50):
        off = ring.HEADERS_SIZE + index * 512
        seq, _, _, length = struct.unpack_from(">IIIH", nv, off)
        if length == 0 or seq in opened:
            continue
        opened[seq] = open_entry(nv, off)[2]
        in_ring += 1
    assert sorted(opened) == list(range(1, len(opened) + 1)) and len(opened) >= 181
    assert in_ring > 0
    assert all(body[record.SEQ] == seq for seq, body in opened.items())
    with pytest.raises(InvalidTag):   # and a wrong key opens nothing
        seq, epoch, salt, length = struct.unpack_from(">IIIH", nv, ring.HEADERS_SIZE)
        AESCCM(bytes(32)).decrypt(struct.pack(">III", epoch, salt, seq), nv[ring.HEADERS_SIZE + 14:
                                  ring.HEADERS_SIZE + 14 + length], struct.pack(">III", seq, epoch, salt))


# The host's accelerated decoder (hal/cpython.py: cbor2 plus an exactness check)
# must give exactly the strict decoder's verdicts: the same value, or an error
# from the strict decoder itself.
def _both(blob):
    def outcome(fn):
        try:
            return ("value", fn(blob))
        except cbor.CBORError as exc:
            return ("error", str(exc))
    previous = cbor.use_accelerator(hal.cbor_loads)
    try:
        return outcome(cbor.loads), outcome(cbor.strict_loads)
    finally:
        cbor.use_accelerator(previous)


def _mutations(encoded):
    yield encoded
    yield encoded + b"\x00"                                     # a trailing byte
    for i in range(min(len(encoded), 12)):
        yield encoded[:i] + bytes([encoded[i] ^ 0x01]) + encoded[i + 1:]
        yield encoded[:i] + bytes([0x18]) + encoded[i:]      # a longer head
        yield encoded[:i] + encoded[i + 1:]


@settings(max_examples=300, deadline=None)
@given(value=values)
def test_accelerated_decoder_gives_the_strict_verdict_on_values_and_mutations(value):
    for blob in _mutations(cbor.dumps(value)):
        fast, strict = _both(blob)
        assert fast == strict


@settings(max_examples=300, deadline=None)
@given(blob=st.binary(max_size=80))
def test_accelerated_decoder_gives_the_strict_verdict_on_garbage(blob):
    fast, strict = _both(blob)
    assert fast == strict


def test_accelerated_decoder_leaves_non_canonical_forms_to_the_strict_decoder():
    cases = [cbor2.dumps(1.5), cbor2.dumps(2 ** 70), bytes.fromhex("c11a514b67b0"),       # float, bignum, tag
             bytes.fromhex("9f0102ff"), bytes.fromhex("a201000000"), bytes.fromhex("a202000100"),  # indefinite, dup, order
             bytes.fromhex("1805"), bytes.fromhex("a1616101"), cbor2.dumps({(1, 2): 3})]   # long head, text key, array key
    for blob in cases:
        assert hal.cbor_loads(blob) is cbor.NOT_SURE
        fast, strict = _both(blob)
        assert fast == strict


def test_accelerated_decoder_is_installed_by_the_cpython_hal():
    assert cbor.use_accelerator(hal.cbor_loads) is hal.cbor_loads
    record_bytes = record.encode(7, 1, 2, 0, [1, "u", "n", "r"], "ipp", "10.0.0.1", {5: "f.pdf", 12: 3})
    assert hal.cbor_loads(record_bytes) == cbor.strict_loads(record_bytes)


# The host's accelerated record decoder (hal/cpython.py record_loads, used by the
# reader) must give exactly record.decode's verdicts over the strict CBOR decoder.
def _record_outcomes(blob):
    def outcome(fn):
        try:
            value = fn(blob)
        except record.RecordError as exc:
            return ("error", str(exc))
        return ("not sure", None) if value is cbor.NOT_SURE else ("value", value)
    previous = cbor.use_accelerator(None)
    try:
        strict = outcome(record.decode)
    finally:
        cbor.use_accelerator(previous)
    fast = outcome(hal.record_loads)
    return fast, strict


@settings(max_examples=400, deadline=None)
@given(body=records)
def test_accelerated_record_decoder_gives_record_decode_s_value(body):
    for blob in _mutations(cbor.dumps(body)):
        fast, strict = _record_outcomes(blob)
        assert fast == strict or fast[0] == "not sure", (blob, fast, strict)
    fast, strict = _record_outcomes(cbor.dumps(body))
    assert fast == strict       # a well-formed record is decoded by the accelerator itself


@settings(max_examples=300, deadline=None)
@given(value=values)
def test_accelerated_record_decoder_leaves_what_is_not_a_record_to_record_decode(value):
    fast, strict = _record_outcomes(cbor.dumps(value))
    assert fast == strict or fast[0] == "not sure"


def test_accelerated_record_decoder_refuses_wrong_field_types():
    good = {record.SEQ: 7, record.TIME: 1, record.EVENT: 2, record.OUTCOME: 0, record.SUBJECT: [1, "u", "n", "r"]}
    cases = [{**good, "seq": 1}, {k: v for k, v in good.items() if k != record.SUBJECT}]     # a text key, a field gone
    for key, bad in ((record.SEQ, True), (record.TIME, "1"), (record.EVENT, None), (record.OUTCOME, False),
                     (record.SUBJECT, [1, "u", "n"]), (record.SUBJECT, {1: 2}), (record.ITEMS, [1]),
                     (record.ITEMS, {1: 1.5})):
        cases.append({**good, key: bad})
    for body in cases:
        blob = cbor2.dumps(body)
        assert hal.record_loads(blob) is cbor.NOT_SURE, body
    blob = cbor.dumps(good)
    assert hal.record_loads(blob) == record.decode(blob)
    assert blob[3] == record.TIME
    simple_key = blob[:3] + b"\xe1" + blob[4:]      # simple value 1 as a key: cbor2's compares equal to 1
    assert hal.record_loads(simple_key) is cbor.NOT_SURE
    assert _record_outcomes(simple_key)[1][0] == "error"


def test_accelerated_record_decoder_is_installed_by_the_cpython_hal():
    from hcdaudit import reader
    assert reader.use_accelerator(hal.record_loads) is hal.record_loads


def test_reader_opens_entries_natively_exactly_as_the_sealer_does():
    from hcdaudit import reader, seal
    r = reader.Reader(None, None, bytes(32), 50, 512, hal.Aes)
    sealer, key = r._sealer, kdf.HmacKey(bytes(32))
    body = record.encode(9, 1, 2, 0, [1, "u", "n", "r"], "ipp", None, {5: "Grüße.pdf"})
    out = bytearray(512)
    entry = bytes(out[:sealer.seal_entry_into(key, 9, 3, 0x10002, body, out)])
    assert r._open_native(entry) == sealer.open_entry(entry) == body
    flipped = entry[:20] + bytes([entry[20] ^ 1]) + entry[21:]
    for bad in (flipped, entry[:-1], entry + b"\x00", entry[:4] + b"\x00\x00\x00\x04" + entry[8:]):
        assert r._open_native(bad) is None      # left to the Sealer, which judges it


# The default verify walk's record checker (hal/cpython.py make_record_checker)
# opens a record by AESCCM and reads its fixed prefix (map head; seq, time and
# event code as integer items) by one regular expression: it must give exactly
# what the reader's own record_prefix gives (MicroPython's path), NOT_SURE where
# that refuses, and, for a record that decodes, the decoder's seq and event.
def _sealed(reader, blob, seq=9):
    out = bytearray(len(blob) + 80)
    return bytes(out[:reader._sealer.seal_entry_into(kdf.HmacKey(bytes(32)), seq, 3, 0x10002, blob, out)])


def _strict_verdict(blob):
    previous = cbor.use_accelerator(None)
    try:
        body = record.decode(blob)
    except record.RecordError:
        return None
    finally:
        cbor.use_accelerator(previous)
    return body["seq"], body["event"]


def _prefix_mutations(encoded):
    yield encoded
    yield encoded + b"\x00"
    for i in range(min(len(encoded), 24)):                      # map head, seq, time and event
        yield encoded[:i] + bytes([encoded[i] ^ 0x01]) + encoded[i + 1:]
        yield encoded[:i] + bytes([encoded[i] ^ 0x20]) + encoded[i + 1:]  # another major type
        yield encoded[:i] + bytes([0x18]) + encoded[i:]          # a longer head
        yield encoded[:i] + encoded[i + 1:]


@settings(max_examples=300, deadline=None)
@given(body=records)
def test_record_checker_reads_the_prefix_exactly_as_record_prefix(body):
    from hcdaudit import reader
    r = reader.Reader(None, None, bytes(32), 50, 512, hal.Aes)
    check = hal.make_record_checker(r._cipher, r._max_sealed)
    good = cbor.dumps(body)
    assume(len(good) < r._sealer.max_plaintext)         # what a slot holds (the mutations add a byte at most)
    assert check(_sealed(r, good)) == reader.record_prefix(good) == _strict_verdict(good)
    for blob in _prefix_mutations(good):
        found = check(_sealed(r, blob))
        prefix = reader.record_prefix(blob)
        assert found == (cbor.NOT_SURE if prefix is None else prefix), (blob, found, prefix)
        strict = _strict_verdict(blob)
        assert prefix is None or strict is None or prefix == strict, (blob, prefix, strict)
    assert check(_sealed(r, good)[:-1]) is cbor.NOT_SURE       # a record that does not open


_SEQ_FORMS = st.sampled_from([0, 1, 23, 24, 255, 256, 65535, 65536, 2 ** 24, 2 ** 32 - 1]) | \
    st.integers(min_value=0, max_value=2 ** 32 - 1)


@settings(max_examples=200, deadline=None)
@given(body=records, seq=_SEQ_FORMS, skip_own_event=st.booleans())
def test_record_checker_many_names_exactly_the_records_check_does_not_prove(body, seq, skip_own_event):
    # many() (verify's default walk on CPython) must name exactly the entries for which
    # check() is not sure, or reads a seq other than the entry's or the skipped event:
    # over every shortest form of a seq (its header seq bound by a backreference), the
    # prefix mutations, a record under another header seq, one that does not open.
    from hcdaudit import reader
    r = reader.Reader(None, None, bytes(32), 50, 512, hal.Aes)
    check = hal.make_record_checker(r._cipher, r._max_sealed)
    body = dict(body)
    body[record.SEQ] = seq
    good = cbor.dumps(body)
    assume(len(good) < r._sealer.max_plaintext)
    skip = body[record.EVENT] if skip_own_event else 0xFFFF + 1
    entries, seqs = [], []
    for blob in _prefix_mutations(good):
        for header_seq in (seq, (seq + 1) % 2 ** 32, (seq + 256) % 2 ** 32):
            entries.append(_sealed(r, blob, header_seq))
            seqs.append(header_seq)
    sealed = _sealed(r, good, seq)
    entries += [sealed[:30] + bytes([sealed[30] ^ 1]) + sealed[31:],
                sealed[:-17] + bytes([sealed[-17] ^ 1]) + sealed[-16:], sealed]
    seqs += [seq, seq, seq]     # (a ciphertext byte flipped, a CCM tag byte flipped: neither opens)
    expected = []
    for index, (entry, header_seq) in enumerate(zip(entries, seqs)):
        found = check(entry)
        if found is cbor.NOT_SURE or found[0] != header_seq or found[1] == skip:
            expected.append(index)
    assert check.many(entries, seqs, skip) == expected
    assert check.many([sealed], [seq], skip) == ([0] if skip_own_event else [])
    assert check.many(entries[-3:-1], seqs[-3:-1], skip) == [0, 1]


def test_record_prefix_refuses_a_malformed_seq_time_or_event():
    from hcdaudit import reader
    r = reader.Reader(None, None, bytes(32), 50, 512, hal.Aes)
    check = hal.make_record_checker(r._cipher, r._max_sealed)
    good = record.encode(60, 1795392381000000, 1025, 4, [1, "u", "", "U"], "ipp", None, {7: "f.pdf", 10: 3})
    assert check(_sealed(r, good)) == reader.record_prefix(good) == (60, 1025)
    tail = good[2 + 2 + 1 + 9:]             # after seq (0x18 0x3c) and key 1 + time (0x1b + 8 bytes)
    assert good[2:4] == b"\x18\x3c" and good[5] == 0x1B and tail[:4] == b"\x02\x19\x04\x01"
    time_item = good[4:14]
    for bad in (good[:2] + b"\x19\x00\x3c" + time_item + tail,          # seq in a longer head
                good[:2] + b"\x18\x3c\x01\x1b" + (5).to_bytes(8, "big") + tail,   # time in a longer head
                good[:2] + b"\x18\x3c\x01\xfb" + bytes(8) + tail,         # time a float
                good[:2] + b"\xf5" + time_item + tail,                     # seq true
                good[:1] + b"\x01\x18\x3c" + time_item + tail,             # key 1 first
                good[:14] + b"\x02\x1a\x00\x00\x04\x01" + tail[4:],       # event in a longer head
                good[:14] + b"\x02\x64" + tail[4:],                        # event a text
                bytes([0xA9]) + good[1:], bytes([0xA4]) + good[1:]):      # a map head no record has
        assert _strict_verdict(bad) is None
        assert reader.record_prefix(bad) is None, bad
        assert check(_sealed(r, bad)) is cbor.NOT_SURE, bad
    negative = good[:2] + b"\x38\x3b" + time_item + tail                # seq -60: read as -60
    assert check(_sealed(r, negative)) == reader.record_prefix(negative) == _strict_verdict(negative) == (-60, 1025)


def test_record_checker_is_installed_by_the_cpython_hal():
    # (in a process of its own: the host tools put their C loops in these hooks)
    from conftest import run_cpython
    run_cpython("from hcdaudit import reader\nfrom hcdaudit.hal import cpython as hal\n"
                "assert reader._checker[0] is hal.make_record_checker\n"
                "assert reader._scanner[0] is hal.scan_entries\n")


# The host's accelerated record encoder (hal/cpython.py record_encode_into, used by
# record.encode_into on CPython) must write exactly the firmware encoder's bytes,
# or leave the record to it (which then raises what it raises).
def _encode_outcomes(args, size=400):
    def outcome():
        try:
            return ("bytes", bytes(record.encode_into(cbor.Writer(size), *args)))
        except (cbor.CBORError, ValueError) as exc:     # UnicodeEncodeError is a ValueError
            return ("error", type(exc).__name__, str(exc))
    previous = record.use_accelerator(None)
    try:
        firmware = outcome()
    finally:
        record.use_accelerator(previous)
    record.use_accelerator(hal.record_encode_into)
    try:
        return outcome(), firmware
    finally:
        record.use_accelerator(previous)


record_args = st.tuples(st.integers(min_value=1, max_value=2 ** 32 - 1), st.integers(min_value=0, max_value=2 ** 63),
                        st.integers(min_value=0, max_value=0xFFFF), st.integers(min_value=0, max_value=9),
                        st.tuples(st.integers(min_value=0, max_value=9), texts, texts, texts).map(list),
                        st.one_of(st.none(), texts), st.one_of(st.none(), texts),
                        st.dictionaries(st.integers(min_value=0, max_value=300), values, max_size=8))


@settings(max_examples=400, deadline=None)
@given(args=record_args)
def test_accelerated_record_encoder_writes_the_firmware_s_bytes(args):
    fast, firmware = _encode_outcomes(args)
    assert fast == firmware
    small = _encode_outcomes(args, 40)          # a writer too small: the firmware's error
    assert small == (small[1], small[1])


def test_accelerated_record_encoder_leaves_other_values_to_the_firmware_encoder():
    base = (7, 1, 2, 0, [1, "u", "n", "r"], "ipp", "10.0.0.1")
    for items in ({5: 1.5}, {5: 2 ** 64}, {5: -(2 ** 64) - 1}, {"a": 1}, {5: (1, 2)}, {5: bytearray(b"x")},
                  {5: memoryview(b"y")}, {1: "a", "b": 2}, {5: "\ud800"}):
        w = cbor.Writer(400)
        assert hal.record_encode_into(w, *base, items) is cbor.NOT_SURE, items
        fast, firmware = _encode_outcomes(base + (items,))
        assert fast == firmware
    assert hal.record_encode_into(cbor.Writer(400), *base[:4], (1, "u", "n", "r"), None, None, {}) is cbor.NOT_SURE
    assert hal.record_encode_into(cbor.Writer(400), *base, [0, 1]) is cbor.NOT_SURE      # items not a map


def test_accelerated_record_encoder_is_installed_by_the_cpython_hal():
    assert record.use_accelerator(hal.record_encode_into) is hal.record_encode_into
