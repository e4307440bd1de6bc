# Text fields are limited in bytes (vendor formats count UTF-8 bytes); an
# over-long value is cut at a code-point boundary and marked, never dropped.

MARKER = "\u2026"  # "…": visible in every export format, 3 bytes in UTF-8
_MARKER_BYTES = 3


def truncate(value, max_bytes):
    """Return value unchanged if it fits in max_bytes of UTF-8, else a prefix ending in MARKER."""
    raw = value.encode("utf-8")
    if len(raw) <= max_bytes:
        return value
    if max_bytes < _MARKER_BYTES:
        raise ValueError("limit %d bytes is too small for the truncation marker" % max_bytes)
    end = max_bytes - _MARKER_BYTES
    # Step back over continuation bytes (10xxxxxx) so no code point is split.
    while end > 0 and (raw[end] & 0xC0) == 0x80:
        end -= 1
    return raw[:end].decode("utf-8") + MARKER
