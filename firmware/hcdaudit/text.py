# Text fields are limited in bytes (vendor formats count UTF-8 bytes); an
# over-long value is cut at a code-point boundary and marked, never dropped.

MARKER = "\u2026"  # "…": visible in every export format, 3 bytes in UTF-8
_MARKER_BYTES = 3


def truncate(value, max_bytes):
    """Return value unchanged if it fits in max_bytes of UTF-8, else a prefix ending in MARKER."""
    if len(value) * 4 <= max_bytes or utf8_len(value) <= max_bytes:
        return value        # a code point is at most 4 bytes: it fits, no need to encode it
    raw = value.encode("utf-8")
    if max_bytes < _MARKER_BYTES:
        raise ValueError("limit %d bytes is too small for the truncation marker" % max_bytes)
    end = max_bytes - _MARKER_BYTES
    # Step back over continuation bytes (10xxxxxx) so no code point is split.
    while end > 0 and (raw[end] & 0xC0) == 0x80:
        end -= 1
    return raw[:end].decode("utf-8") + MARKER


def _utf8_len_encoded(value):
    return len(value.encode("utf-8"))


def _utf8_len_viewed(value):
    return len(memoryview(value)) if value else 0


def _encoded(value):
    return value.encode("utf-8")


# The UTF-8 bytes of a str as a buffer: on MicroPython a view of the str itself
# (it is stored as UTF-8, and lends its bytes), elsewhere the encoded bytes.
# Its length is then known without encoding a copy (a view costs a fixed 32 B).
try:
    memoryview("")
    utf8_len = _utf8_len_viewed
    utf8 = memoryview
except TypeError:
    utf8_len = _utf8_len_encoded
    utf8 = _encoded
