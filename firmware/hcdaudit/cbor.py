# Deterministic CBOR (RFC 8949 §4.2.1) for audit records: shortest integer
# heads, definite lengths, map keys sorted by their encoded bytes. The decoder
# is strict: it accepts exactly what the encoder emits, so a record has one
# encoding and a hash over it means one thing.
# Supported: int (-2**64 .. 2**64-1), bytes, str, list/tuple, dict, bool, None.
from struct import pack_into

from hcdaudit.text import utf8


class CBORError(ValueError):
    pass


_HEADS = (">BB", ">BH", ">BI", ">BQ")


class Writer:
    """Encodes into one buffer, reused record after record: no per-record garbage
    beyond the UTF-8 bytes of text values. A fixed buffer raises CBORError when
    full; a growable one (dumps) extends itself."""

    def __init__(self, size, growable=False):
        self.buf = bytearray(size)
        self.pos = 0
        self._growable = growable

    def reset(self):
        self.pos = 0

    def view(self):
        return memoryview(self.buf)[:self.pos]

    def _room(self, n):
        if self.pos + n > len(self.buf):
            if not self._growable:
                raise CBORError("encoding exceeds its %d-byte buffer" % len(self.buf))
            self.buf.extend(bytes(max(n, len(self.buf))))

    def raw(self, data):
        n = len(data)
        if self.pos + n > len(self.buf):
            self._room(n)
        self.buf[self.pos:self.pos + n] = data
        self.pos += n

    def head(self, major, n):
        # Kept tiny on purpose: MicroPython heap-allocates, on every call, the
        # frame of a function whose locals + stack exceed ~11 slots.
        if n < 24 and self.pos < len(self.buf):
            self.buf[self.pos] = (major << 5) | n
            self.pos += 1
        else:
            self._long_head(major, n)

    def _long_head(self, major, n):
        self._room(9)
        if n < 24:
            self.buf[self.pos] = (major << 5) | n
            self.pos += 1
            return
        if n >= 0x10000000000000000:
            raise CBORError("integer out of range for CBOR: %d" % n)
        size = 0 if n < 0x100 else 1 if n < 0x10000 else 2 if n < 0x100000000 else 3
        self._pack(_HEADS[size], (major << 5) | (24 + size), n)
        self.pos += 1 + (1 << size)

    def _pack(self, fmt, initial, n):
        # apart from _long_head: fewer locals + stack slots, so no heap frame
        pack_into(fmt, self.buf, self.pos, initial, n)

    def int(self, n):
        if n >= 0:
            self.head(0, n)
        else:
            self.head(1, -1 - n)

    def text(self, s):
        s = utf8(s)         # MicroPython: a view of the str's own UTF-8 bytes, no copy
        self.head(3, len(s))
        self.raw(s)

    def value(self, obj):
        # bool first: it is an int subclass on CPython.
        if obj is True:
            self.head(7, 21)
        elif obj is False:
            self.head(7, 20)
        elif obj is None:
            self.head(7, 22)
        elif isinstance(obj, int):
            self.int(obj)
        elif isinstance(obj, str):
            self.text(obj)
        elif isinstance(obj, (bytes, bytearray, memoryview)):
            self.head(2, len(obj))
            self.raw(obj)
        elif isinstance(obj, (list, tuple)):
            self.head(4, len(obj))
            for item in obj:
                self.value(item)
        elif isinstance(obj, dict):
            self.map(obj)
        else:
            raise CBORError("cannot encode %s in a record" % type(obj).__name__)

    def map(self, obj):
        if _unsigned_keys(obj):
            self.uint_map(obj)
            return
        self.head(5, len(obj))
        for key in sorted_keys(obj):
            self.value(key)
            self.value(obj[key])

    def uint_map(self, obj):
        """A map whose keys are all unsigned ints (a record's): ascending order
        found in place, no sorted key list per map."""
        self.head(5, len(obj))
        key = -1
        left = len(obj)
        while left:
            key = _next_key(obj, key)
            self.head(0, key)
            self.value(obj[key])
            left -= 1


def _unsigned_keys(obj):
    for k in obj:
        if not isinstance(k, int) or k is True or k is False or k < 0:
            return False
    return True


def _next_key(obj, after):
    """The smallest key of obj above `after`."""
    best = -1
    for k in obj:
        if k > after and (best < 0 or k < best):
            best = k
    return best


def sorted_keys(obj):
    """Map keys in RFC 8949 §4.2.1 order (bytewise on their encodings)."""
    keys = list(obj)
    unsigned = True
    for k in keys:
        if not isinstance(k, int) or k is True or k is False or k < 0:
            unsigned = False
            break
    if unsigned:
        keys.sort()        # record keys: for unsigned integers value order is byte order
        return keys
    encoded = []
    for key in keys:
        w = Writer(16, True)
        w.value(key)
        encoded.append((bytes(w.view()), key))
    encoded.sort()
    for i in range(1, len(encoded)):
        if encoded[i][0] == encoded[i - 1][0]:
            raise CBORError("duplicate map key %r" % (encoded[i][1],))
    return [k for _, k in encoded]


def dumps(obj):
    w = Writer(64, True)
    w.value(obj)
    return bytes(w.view())


def _ascending(buf, a, a_end, b, b_end):
    """Whether the encoding buf[a:a_end] sorts strictly before buf[b:b_end]
    (bytewise), compared in place: no copy of either key per map entry."""
    while a < a_end and b < b_end:
        if buf[a] != buf[b]:
            return buf[a] < buf[b]
        a += 1
        b += 1
    return a == a_end and b < b_end     # a proper prefix sorts first; equal keys do not ascend


def _utf8(view):
    """The text of UTF-8 octets (a view: no intermediate bytes copy), or None.
    A function of its own: a try block's slots in a decoder method's frame
    would put that frame on MicroPython's heap, per text."""
    try:
        return str(view, "utf-8")
    except UnicodeError:
        return None


_CONTAINERS = (list, dict)     # never map keys (a constant: no tuple built per key)


class _Decoder:
    """One pass over buf. The position is the decoder's state, so an item costs
    its value only, not a (value, position) tuple as well. Each method keeps
    under MicroPython's on-stack frame limit (about 11 locals plus stack
    slots): a larger frame is heap-allocated on every call, i.e. per item."""

    def __init__(self, buf):
        self.reset(buf)

    def reset(self, buf):
        self.buf = buf
        self.pos = 0
        self.major = 0
        self._key_start = -1    # the current map's previous key: buf[_key_start:_key_end]
        self._key_end = 0

    def head(self):
        """Read one head: returns its argument, sets self.major."""
        buf = self.buf
        pos = self.pos
        if pos >= len(buf):
            raise CBORError("truncated at offset %d" % pos)
        info = buf[pos]
        self.major = info >> 5
        self.pos = pos + 1
        info &= 0x1F
        return info if info < 24 else self._long_head(info)

    def _long_head(self, info):
        pos = self.pos
        if info > 27:
            raise CBORError("unsupported head 0x%02x at offset %d" % (self.buf[pos - 1], pos - 1))
        size = 1 << (info - 24)
        if pos + size > len(self.buf):
            raise CBORError("truncated at offset %d" % pos)
        n = int.from_bytes(self.buf[pos:pos + size], "big")
        # Deterministic encoding: the head must be the shortest one for n.
        if n < (24 if size == 1 else 1 << (4 * size)):
            raise CBORError("non-shortest integer head at offset %d" % (pos - 1))
        self.pos = pos + size
        return n

    def item(self, depth):
        if depth > 16:
            raise CBORError("nesting too deep")
        start = self.pos
        n = self.head()
        major = self.major
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major == 2 or major == 3:
            return self._string(n, start)
        if major == 4:
            return self._array(n, depth)
        if major == 5:
            return self.map(n, depth)
        if major == 7:
            if n == 20:
                return False
            if n == 21:
                return True
            if n == 22:
                return None
        self._unsupported(start)

    def _unsupported(self, start):
        # Apart from item(): the message's stack slots would put item's frame on
        # MicroPython's heap, per item.
        raise CBORError("unsupported item 0x%02x at offset %d" % (self.buf[start], start))

    def _string(self, n, start):
        pos = self.pos
        n += pos
        if n > len(self.buf):
            raise CBORError("truncated string at offset %d" % start)
        self.pos = n
        if self.major == 2:
            return bytes(self.buf[pos:n])
        return self._text(pos, n, start)

    def _text(self, pos, end, start):
        text = _utf8(self.buf[pos:end])
        if text is None:
            raise CBORError("invalid UTF-8 in text at offset %d" % start)
        return text

    def _array(self, n, depth):
        if n > len(self.buf) - self.pos:
            raise CBORError("array length %d exceeds input" % n)
        items = []
        depth += 1
        while n:        # as in map(): no range loop's stack slots
            items.append(self.item(depth))
            n -= 1
        return items

    def map(self, n, depth):
        if n > len(self.buf) - self.pos:
            raise CBORError("map length %d exceeds input" % n)
        result = {}
        outer_start = self._key_start     # an enclosing map's last key, restored after this map
        outer_end = self._key_end
        self._key_start = -1
        depth += 1
        while n:        # not `for _ in range(n)`: its stack slots would put this frame on MicroPython's heap
            self._entry(result, depth)
            n -= 1
        self._key_start = outer_start
        self._key_end = outer_end
        return result

    def _entry(self, result, depth):
        """One key and value into result."""
        start = self.pos
        key = self.item(depth)
        self._check_key(key, start)
        end = self.pos
        result[key] = self.item(depth)
        self._key_start = start         # after the value: a map in it restores them as it found them
        self._key_end = end

    def _check_key(self, key, start):
        if self._key_start >= 0 and not _ascending(self.buf, self._key_start, self._key_end, start, self.pos):
            raise CBORError("map keys unsorted or duplicated at offset %d" % start)
        if isinstance(key, _CONTAINERS):
            raise CBORError("%s as map key at offset %d" % ("array" if isinstance(key, list) else "map", start))


# A faster exact decoder a host HAL may offer (hal/cpython.py): it returns the
# value, or NOT_SURE for anything it cannot prove this decoder would accept
# identically; then this decoder decides. The firmware never depends on it.
NOT_SURE = object()
_accelerated = [None]


def use_accelerator(fn):
    """Install (or, with None, remove) the host's exact decoder; returns the previous one."""
    previous = _accelerated[0]
    _accelerated[0] = fn
    return previous


def loads(buf):
    fast = _accelerated[0]
    if fast is not None:
        obj = fast(buf)
        if obj is not NOT_SURE:
            return obj
    return strict_loads(buf)


_spare = []     # one decoder kept between calls: its object and attributes are not garbage per record


def strict_loads(buf):
    decoder = _spare.pop() if _spare else _Decoder(None)
    # A view: its slices are views too, where a slice of bytes would be a copy.
    decoder.reset(buf if isinstance(buf, memoryview) else memoryview(buf))
    obj = decoder.item(0)
    if decoder.pos != len(buf):
        raise CBORError("%d trailing bytes" % (len(buf) - decoder.pos))
    # Kept only after a clean decode (an error drops it: no try block, whose
    # exception slots would put this frame on MicroPython's heap).
    decoder.buf = None      # the caller's buffer is not held past the call
    if not _spare:
        _spare.append(decoder)
    return obj
