"""The verifier's C loops (hcdaudit_host/_fastverify.c) against the Python loops
they replace (hal/cpython.py scan_entries and _RecordChecker.many): the same
results on entries as the device writes them and on every kind of damage, and
the same reports as the exact path on the tamper, forward-integrity and
power-cut corpora (tests/firmware/test_verify_fast_path.py, run with the C
loops installed). `make test` builds the module (host_tools/build_fastverify.py):
a missing build fails here rather than passing on the fallback."""
from __future__ import annotations

import random

import pytest
import test_verify_fast_path as corpus
from hcdaudit import catalog, kdf, reader, record, seal
from hcdaudit.hal import cpython as hal
from hcdaudit_host import fastverify

MAX_SEALED = 512
EPOCH = 7
CONF_KEY = bytes(range(32))
MAC_KEY = bytes(range(100, 132))


def test_the_c_loops_are_built_and_installed_by_the_host_tools():
    assert fastverify.ACCELERATOR == "c", "run `make accel` (host_tools/build_fastverify.py): gcc and libssl-dev"
    from hcdaudit_host import source
    assert source.VERIFY_LOOPS == "c"
    assert reader._scanner[0] is fastverify.scan_entries
    assert reader._checker[0] is fastverify.make_record_checker


def _sealer():
    return seal.Sealer(hal.Aes(CONF_KEY), MAX_SEALED)


def _entry(sealer, seq, plaintext, epoch=EPOCH, salt=0x5A5A, mac_key=MAC_KEY):
    buf = bytearray(seal.entry_size(len(plaintext)))
    n = sealer.seal_entry_into(kdf.HmacKey(mac_key), seq, epoch, salt, plaintext, buf)
    return bytes(buf[:n])


def _record(seq, event="print_job", **items):
    return record.encode(seq, 1_700_000_000_000_000 + seq, catalog.event_code(event), 0, "user%d" % (seq % 5), "ipp",
                         "10.0.0.%d" % (seq % 200), {catalog.item_code(k): v for k, v in items.items()})


def _scan_both(data, offset=0, end=None, epoch=EPOCH, key=MAC_KEY, max_sealed=MAX_SEALED):
    end = len(data) if end is None else end
    results = []
    for scan in (hal.scan_entries, fastverify.scan_entries):
        entries, macs = [], []
        reached = scan(data, offset, end, epoch, key, max_sealed, "seg", entries, lambda *a: a, macs.append)
        results.append((reached, entries, macs))
    return results


def _segment(rng, count, first_seq=1):
    sealer = _sealer()
    return b"".join(_entry(sealer, first_seq + i, _record(first_seq + i, file_name="f%d.pdf" % rng.randrange(10**6)))
                    for i in range(count))


def test_scan_takes_what_the_python_scanner_takes_on_intact_entries():
    data = _segment(random.Random(1), 40, first_seq=20)
    python, c = _scan_both(data)
    assert c == python
    assert python[0] == (len(data), 59) and len(python[1]) == 40


@pytest.mark.parametrize("seed", range(6))
def test_scan_stops_where_the_python_scanner_stops_on_damage(seed):
    """Bit flips, cut bytes, stray bytes, a length out of range, another epoch, another
    key, offsets and ends anywhere: the same entries, macs, offset and last seq."""
    rng = random.Random(seed)
    base = _segment(rng, 12, first_seq=rng.choice((1, 23, 255, 70000)))
    for _ in range(250):
        data = bytearray(base)
        kind = rng.randrange(5)
        if kind == 0:
            at = rng.randrange(len(data))
            data[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            at = rng.randrange(len(data))
            del data[at:at + rng.randrange(1, 40)]
        elif kind == 2:
            at = rng.randrange(len(data))
            data[at:at] = rng.randbytes(rng.randrange(1, 30))
        elif kind == 3:
            at = rng.randrange(0, len(data) - 14)
            data[at + 12:at + 14] = rng.choice((0, 15, 16, MAX_SEALED + 1, 0xFFFF)).to_bytes(2, "big")
        data = bytes(data)
        offset = rng.choice((0, 0, rng.randrange(len(data))))
        end = rng.choice((len(data), len(data), rng.randrange(offset, len(data) + 1)))
        key = MAC_KEY if kind != 4 else bytes(32)
        python, c = _scan_both(data, offset, end, key=key, max_sealed=rng.choice((MAX_SEALED, 100, 16)))
        assert c == python, (kind, offset, end)
    python, c = _scan_both(base, epoch=EPOCH + 1)
    assert c == python and python[0] == (0, None)


def test_scan_declines_what_the_python_scanner_declines():
    data = _segment(random.Random(2), 3)
    for kwargs in ({"key": bytes(65)}, {"epoch": 1 << 32}, {"epoch": -1}):
        python, c = _scan_both(data, **kwargs)
        assert c == python and python[0] == (0, None), kwargs
    entries = []
    assert fastverify.scan_entries(bytearray(data), 0, len(data), EPOCH, MAC_KEY, MAX_SEALED, "s", entries,
                                   lambda *a: a, entries.append) == (0, None) and entries == []
    # an end past the data: declined (the exact loop reads what is there)
    assert fastverify.scan_entries(data, 0, len(data) + 1, EPOCH, MAC_KEY, MAX_SEALED, "s", entries,
                                   lambda *a: a, entries.append) == (0, None)


def test_scan_passes_on_an_error_of_the_callbacks():
    data = _segment(random.Random(3), 3)

    def refuse(*_):
        raise RuntimeError("refused")
    with pytest.raises(RuntimeError, match="refused"):
        fastverify.scan_entries(data, 0, len(data), EPOCH, MAC_KEY, MAX_SEALED, "s", [], refuse, lambda mac: None)
    with pytest.raises(RuntimeError, match="refused"):
        fastverify.scan_entries(data, 0, len(data), EPOCH, MAC_KEY, MAX_SEALED, "s", [], lambda *a: a, refuse)


def _many_both(entries, skip_event):
    cipher = hal.Aes(CONF_KEY)
    python = hal._RecordChecker(cipher, MAX_SEALED).many(entries, [seal.parse_header(e)[0] for e in entries],
                                                          skip_event)
    c = fastverify.make_record_checker(cipher, MAX_SEALED).many(entries, None, skip_event)
    return python, c


def _cbor_int(major, value, width):
    """An integer item with a head of the given width (0: in the initial byte), shortest or not."""
    if width == 0:
        return bytes((major << 5 | value,))
    info = {1: 24, 2: 25, 4: 26, 8: 27}[width]
    return bytes((major << 5 | info,)) + value.to_bytes(width, "big")


def _prefixes(rng, seq):
    """Record prefixes a key holder could seal: right ones, and each way one can be wrong."""
    seq_item = hal._int_item_bytes(seq)
    tail = b"\x63abc"
    yield bytes((0xA5,)) + b"\x00" + seq_item + b"\x01\x1a\x65\x5e\x5e\x5e\x02\x01" + tail
    yield bytes((rng.choice((0xA4, 0xA9, 0xA6)),)) + b"\x00" + seq_item + b"\x01\x00\x02\x01" + tail
    yield b"\xa6\x01" + seq_item + b"\x01\x00\x02\x01"
    yield b"\xa6\x00" + hal._int_item_bytes(seq + 1) + b"\x01\x00\x02\x01"
    yield b"\xa6\x00" + _cbor_int(0, seq, 8) + b"\x01\x00\x02\x01"          # not the shortest head
    for width in (0, 1, 2, 4, 8):
        for value in (0, 5, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32):
            if width == 0 and value > 23 or width and value >= 1 << (8 * width):
                continue
            for major in (0, 1, 2):
                item = _cbor_int(major, value, width)
                yield b"\xa7\x00" + seq_item + b"\x01" + item + b"\x02\x03"
                yield b"\xa7\x00" + seq_item + b"\x01\x00\x02" + item
    yield b"\xa7\x00" + seq_item + b"\x01\x00\x02"                             # cut before the event
    yield b"\xa7\x00" + seq_item + b"\x01\x00\x02\x19\x01"                      # cut inside it
    yield b"\xa7\x00" + seq_item + b"\x01\x00"
    yield b"\xa7\x00" + seq_item + b"\x01\x00\x03\x01"
    yield b"\xa7\x00" + seq_item
    yield b"\xa7\x00"
    yield b""


@pytest.mark.parametrize("seq", (1, 23, 24, 255, 256, 65535, 65536, 2**32 - 1))
def test_open_many_names_what_the_python_checker_names(seq):
    rng = random.Random(seq)
    sealer = _sealer()
    eviction = catalog.event_code("audit_eviction")
    entries = [_entry(sealer, seq, p) for p in _prefixes(rng, seq)]
    entries.append(_entry(sealer, seq, _record(seq, file_name="x.pdf")))
    entries.append(_entry(sealer, seq, _record(seq, "audit_eviction", evicted_through=seq)))
    entries.append(_entry(seal.Sealer(hal.Aes(bytes(32)), MAX_SEALED), seq, _record(seq)))    # another key
    good = _entry(sealer, seq, _record(seq))
    for at in (0, 4, 8, 11, 20, len(good) - 20, len(good) - 17):      # seq, epoch, salt, the record, its tag
        flipped = bytearray(good)
        flipped[at] ^= 0x40
        entries.append(bytes(flipped))
    entries.append(good)
    for skip in (eviction, 1, 3, 0x10000):
        python, c = _many_both(entries, skip)
        assert c == python, skip
        assert len(entries) - 1 not in c and len(c) < len(entries) - 1
    # Framing the reader never gives (the Python checker relies on it): never proven in C.
    longer = bytearray(good)
    longer[13] += 1         # (the length field)
    unframed = [good[:-1], good + b"\x00", bytes(longer), good[:14], good[:13], b"", bytearray(good),
                memoryview(good), None]
    c = fastverify.make_record_checker(hal.Aes(CONF_KEY), MAX_SEALED).many(unframed + [good], None, eviction)
    assert c == list(range(len(unframed)))


def test_open_many_refuses_a_wrong_key_or_bound_clearly():
    from hcdaudit_host import _fastverify
    with pytest.raises(ValueError, match="32-byte key"):
        _fastverify.open_many(bytes(16), [], b"\x01", MAX_SEALED)
    with pytest.raises(ValueError, match="max_sealed"):
        _fastverify.open_many(CONF_KEY, [], b"\x01", 8)
    with pytest.raises(TypeError, match="sequence"):
        _fastverify.open_many(CONF_KEY, 5, b"\x01", MAX_SEALED)


@pytest.fixture()
def c_loops():
    previous = reader.use_scanner(fastverify.scan_entries), reader.use_checker(fastverify.make_record_checker)
    yield
    reader.use_scanner(previous[0])
    reader.use_checker(previous[1])


def test_every_tamper_class_gives_the_exact_findings_with_the_c_loops(c_loops):
    corpus.test_every_tamper_class_gives_the_same_findings_both_ways()


def test_forward_integrity_cases_give_the_exact_findings_with_the_c_loops(c_loops):
    corpus.test_forward_integrity_cases_give_the_same_findings_both_ways()


def test_power_cuts_give_the_exact_findings_with_the_c_loops(c_loops):
    corpus.test_power_cuts_give_the_same_findings_both_ways()
