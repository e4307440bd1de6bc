# Deterministic CBOR: RFC 8949 Appendix A vectors and strict decoding.
from hcdaudit import cbor
from support import raises

VECTORS = (
    (0, "00"), (23, "17"), (24, "1818"), (100, "1864"), (1000, "1903e8"), (1000000, "1a000f4240"),
    (1000000000000, "1b000000e8d4a51000"), (18446744073709551615, "1bffffffffffffffff"),
    (-1, "20"), (-10, "29"), (-100, "3863"), (-1000, "3903e7"), (-18446744073709551616, "3bffffffffffffffff"),
    ("", "60"), ("a", "6161"), ("IETF", "6449455446"), ("\u00fc", "62c3bc"), ("\u6c34", "63e6b0b4"),
    (b"", "40"), (b"\x01\x02\x03\x04", "4401020304"), ([], "80"), ([1, [2, 3], [4, 5]], "8301820203820405"),
    ({}, "a0"), ({1: 2, 3: 4}, "a201020304"), ({"a": 1, "b": [2, 3]}, "a26161016162820203"),
    (False, "f4"), (True, "f5"), (None, "f6"),
)


def test_rfc8949_vectors_encode_and_decode():
    for value, expected in VECTORS:
        assert cbor.dumps(value).hex() == expected, (value, cbor.dumps(value).hex())
        assert cbor.loads(bytes.fromhex(expected)) == value


def test_map_keys_sorted_bytewise_whatever_the_insertion_order():
    a = {10: "x", 1: "y", 300: "z", 24: "w"}
    b = {}
    for k in (300, 24, 1, 10):
        b[k] = a[k]
    assert cbor.dumps(a) == cbor.dumps(b) == bytes.fromhex("a4016179" "0a6178" "18186177" "19012c617a")


def test_strict_decoder_rejects_non_deterministic_forms():
    raises(cbor.CBORError, cbor.loads, bytes.fromhex("1800"))          # 0 in a 1-byte head
    raises(cbor.CBORError, cbor.loads, bytes.fromhex("190017"))        # 23 in a 2-byte head
    raises(cbor.CBORError, cbor.loads, bytes.fromhex("a203040102"))    # keys unsorted
    raises(cbor.CBORError, cbor.loads, bytes.fromhex("a201020103"))    # duplicate key
    raises(cbor.CBORError, cbor.loads, bytes.fromhex("0000"))          # trailing byte
    raises(cbor.CBORError, cbor.loads, bytes.fromhex("62c3"))          # truncated text
    raises(cbor.CBORError, cbor.loads, bytes.fromhex("5f4101ff"))      # indefinite length
    raises(cbor.CBORError, cbor.loads, bytes.fromhex("f93c00"))        # float
    raises(cbor.CBORError, cbor.loads, bytes.fromhex("c11a514b67b0"))  # tag
    raises(cbor.CBORError, cbor.loads, bytes.fromhex("62c328"))        # invalid UTF-8
    raises(cbor.CBORError, cbor.loads, bytes.fromhex("9bffffffffffffffff"))  # absurd length
    raises(cbor.CBORError, cbor.loads, b"")


def test_nesting_limit_protects_the_stack():
    raises(cbor.CBORError, cbor.loads, b"\x81" * 40 + b"\x00")


def test_unsupported_types_are_refused_clearly():
    exc = raises(cbor.CBORError, cbor.dumps, {1: 1.5})
    assert "float" in str(exc)
    raises(cbor.CBORError, cbor.dumps, 1 << 64)


def test_key_order_is_checked_per_map_around_a_nested_map():
    # {1: {5: 0, 9: 0}, 2: 0} is canonical; the outer keys compare with each
    # other, never with the inner map's last key (9 > 2).
    ok = bytes.fromhex("a201a2050009000200")
    assert cbor.strict_loads(ok) == {1: {5: 0, 9: 0}, 2: 0}
    raises(cbor.CBORError, cbor.strict_loads, bytes.fromhex("a202a2050009000100"))   # 2 then 1
    raises(cbor.CBORError, cbor.strict_loads, bytes.fromhex("a201a2090005000200"))   # inner 9 then 5
