# Deterministic CBOR (RFC 8949 §4.2.1) for audit records: shortest integer
# heads, definite lengths, map keys sorted by their encoded bytes. The decoder
# is strict: it accepts exactly what the encoder emits, so a record has one
# encoding and a hash over it means one thing.
# Supported: int (-2**64 .. 2**64-1), bytes, str, list/tuple, dict, bool, None.


class CBORError(ValueError):
    pass


def _head(out, major, n):
    m = major << 5
    if n < 24:
        out.append(m | n)
    elif n < 0x100:
        out.append(m | 24)
        out.append(n)
    elif n < 0x10000:
        out.append(m | 25)
        out.extend(n.to_bytes(2, "big"))
    elif n < 0x100000000:
        out.append(m | 26)
        out.extend(n.to_bytes(4, "big"))
    elif n < 0x10000000000000000:
        out.append(m | 27)
        out.extend(n.to_bytes(8, "big"))
    else:
        raise CBORError("integer out of range for CBOR: %d" % n)


def _encode(out, obj):
    # bool first: it is an int subclass on CPython.
    if obj is True:
        out.append(0xF5)
    elif obj is False:
        out.append(0xF4)
    elif obj is None:
        out.append(0xF6)
    elif isinstance(obj, int):
        if obj >= 0:
            _head(out, 0, obj)
        else:
            _head(out, 1, -1 - obj)
    elif isinstance(obj, str):
        raw = obj.encode("utf-8")
        _head(out, 3, len(raw))
        out.extend(raw)
    elif isinstance(obj, (bytes, bytearray, memoryview)):
        _head(out, 2, len(obj))
        out.extend(obj)
    elif isinstance(obj, (list, tuple)):
        _head(out, 4, len(obj))
        for item in obj:
            _encode(out, item)
    elif isinstance(obj, dict):
        pairs = []
        for key in obj:
            encoded = bytearray()
            _encode(encoded, key)
            pairs.append((bytes(encoded), key))
        pairs.sort()
        _head(out, 5, len(pairs))
        for i in range(len(pairs)):
            if i and pairs[i][0] == pairs[i - 1][0]:
                raise CBORError("duplicate map key %r" % (pairs[i][1],))
            out.extend(pairs[i][0])
            _encode(out, obj[pairs[i][1]])
    else:
        raise CBORError("cannot encode %s in a record" % type(obj).__name__)


def dumps(obj):
    out = bytearray()
    _encode(out, obj)
    return bytes(out)


def _read_head(buf, pos):
    if pos >= len(buf):
        raise CBORError("truncated at offset %d" % pos)
    initial = buf[pos]
    major = initial >> 5
    info = initial & 0x1F
    pos += 1
    if info < 24:
        return major, info, pos
    if info > 27:
        raise CBORError("unsupported head 0x%02x at offset %d" % (initial, pos - 1))
    size = 1 << (info - 24)
    if pos + size > len(buf):
        raise CBORError("truncated at offset %d" % pos)
    n = int.from_bytes(buf[pos:pos + size], "big")
    # Deterministic encoding: the head must be the shortest one for n.
    if n < (24 if size == 1 else 1 << (4 * size)):
        raise CBORError("non-shortest integer head at offset %d" % (pos - 1))
    return major, n, pos + size


def _decode(buf, pos, depth):
    if depth > 16:
        raise CBORError("nesting too deep")
    start = pos
    major, n, pos = _read_head(buf, pos)
    if major == 0:
        return n, pos
    if major == 1:
        return -1 - n, pos
    if major == 2 or major == 3:
        end = pos + n
        if end > len(buf):
            raise CBORError("truncated string at offset %d" % start)
        raw = bytes(buf[pos:end])
        if major == 2:
            return raw, end
        try:
            return raw.decode("utf-8"), end
        except UnicodeError:
            raise CBORError("invalid UTF-8 in text at offset %d" % start)
    if major == 4:
        if n > len(buf) - pos:
            raise CBORError("array length %d exceeds input" % n)
        items = []
        for _ in range(n):
            item, pos = _decode(buf, pos, depth + 1)
            items.append(item)
        return items, pos
    if major == 5:
        if n > len(buf) - pos:
            raise CBORError("map length %d exceeds input" % n)
        result = {}
        previous = None
        for _ in range(n):
            key_start = pos
            key, pos = _decode(buf, pos, depth + 1)
            encoded_key = bytes(buf[key_start:pos])
            if previous is not None and encoded_key <= previous:
                raise CBORError("map keys unsorted or duplicated at offset %d" % key_start)
            if isinstance(key, list):
                raise CBORError("array as map key at offset %d" % key_start)
            previous = encoded_key
            value, pos = _decode(buf, pos, depth + 1)
            result[key] = value
        return result, pos
    if major == 7:
        if n == 20:
            return False, pos
        if n == 21:
            return True, pos
        if n == 22:
            return None, pos
    raise CBORError("unsupported item 0x%02x at offset %d" % (buf[start], start))


def loads(buf):
    obj, pos = _decode(buf, 0, 0)
    if pos != len(buf):
        raise CBORError("%d trailing bytes" % (len(buf) - pos))
    return obj
