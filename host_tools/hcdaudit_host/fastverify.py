"""The verifier's per-record loops in C (_fastverify.c, built by
host_tools/build_fastverify.py), installed into the reader's hooks in place of
hal/cpython.py's Python loops: the same checks with the same results, which
tests/host/test_fastverify.py compares. Where the module is not built, the host
tools keep the Python loops."""
from __future__ import annotations

from hcdaudit import reader
from hcdaudit.hal import cpython as hal

try:
    from . import _fastverify
except ImportError:     # not built (host_tools/build_fastverify.py): the Python loops
    _fastverify = None  # type: ignore[assignment]

ACCELERATOR = "c" if _fastverify is not None else "python"


def scan_entries(data, offset, end, epoch, key, max_sealed, name, entries, make, mac_sink):
    """hal.scan_entries's contract (reader.use_scanner), in C."""
    return _fastverify.scan_entries(data, offset, end, epoch, bytes(key), max_sealed, name, entries, make, mac_sink)


class _Checker(hal._RecordChecker):
    """hal's record checker with many() in C (one call for every record of a walk)."""

    def __init__(self, cipher, max_sealed):
        super().__init__(cipher, max_sealed)
        self._key = cipher.key

    def many(self, entries, seqs, skip_event):
        return _fastverify.open_many(self._key, entries, hal._int_item_bytes(skip_event), self.max_sealed)


def make_record_checker(cipher, max_sealed):
    """reader.use_checker's factory: the C checker for this HAL's cipher, else the HAL's own choice."""
    if not isinstance(cipher, hal.Aes) or len(cipher.key) != 32 or not 16 <= max_sealed <= 0xFFFF:
        return hal.make_record_checker(cipher, max_sealed)
    return _Checker(cipher, max_sealed)


def install() -> str:
    """Put the C loops in the reader's hooks (when built); returns which loops verify."""
    if _fastverify is not None:
        reader.use_scanner(scan_entries)
        reader.use_checker(make_record_checker)
    return ACCELERATOR
