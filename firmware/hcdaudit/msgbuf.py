# One preallocated octet buffer that a syslog message is written into and
# then hashed and sent from, as one memoryview: what is signed is exactly
# what goes on the wire, and a message costs no intermediate strings.
# RFC 5424 §6.3.3: inside a PARAM-VALUE exactly `"`, `\` and `]` are
# escaped. Control octets are legal there but collectors rewrite them
# (rsyslog turns them into #ooo), which breaks every RFC 5848 hash, so they
# become U+FFFD: a visible mark, and never a line break a reader could be
# fooled by.
_REPLACEMENT = b"\xef\xbf\xbd"
_ESCAPED = b'"\\]'


def _needs_care(raw):
    for b in raw:
        if b < 0x20 or b == 0x7F or b == 0x22 or b == 0x5C or b == 0x5D:
            return True
    return False


def utf8_boundary(buf, end, start):
    """The largest cut point <= end (and >= start) that splits no UTF-8 sequence."""
    while end > start and (buf[end] & 0xC0) == 0x80:
        end -= 1
    return end


class MessageBuffer:
    def __init__(self, size):
        self.buf = bytearray(size)
        self.view = memoryview(self.buf)
        self.size = size
        self.n = 0
        self.overflow = False

    def clear(self):
        self.n = 0
        self.overflow = False

    def put(self, data):
        """Append octets (bytes / bytearray / memoryview); clipped at capacity, flagged."""
        n = self.n
        room = self.size - n
        count = len(data)
        if count > room:
            count = room
            self.overflow = True
        self.view[n:n + count] = data[:count] if count < len(data) else data
        self.n = n + count

    def put_text(self, text):
        self.put(text.encode("utf-8") if isinstance(text, str) else text)

    def put_digits(self, value, width=1):
        """A non-negative int in decimal, zero-padded to at least width digits,
        written in place: no string is made."""
        if value < 0:
            self.put_text("-%0*d" % (width - 1, -value) if width > 1 else str(value))
            return
        count = 1
        probe = value // 10
        while probe:
            count += 1
            probe //= 10
        if count < width:
            count = width
        probe = self.n              # reused (a frame small enough for the stack): where the digits go
        if probe + count > self.size:
            self.overflow = True
            return
        self.n = probe + count
        while count:
            count -= 1
            self.buf[probe + count] = 0x30 + value % 10
            value //= 10

    def put_clean(self, raw, quoted):
        """Append UTF-8 octets with control octets replaced; inside a quoted
        PARAM-VALUE also escape `"`, `\\` and `]`."""
        if _needs_care(raw):
            self._put_escaped(raw, quoted)
        else:
            self.put(raw)

    def _put_escaped(self, raw, quoted):
        # Apart from put_clean: a loop's iterator slots would push put_clean's
        # frame past MicroPython's on-stack limit, a heap frame per parameter.
        for b in raw:
            if b < 0x20 or b == 0x7F:
                self.put(_REPLACEMENT)
            elif quoted and (b == 0x22 or b == 0x5C or b == 0x5D):
                self.put(b"\\")
                self.put(bytes((b,)))
            else:
                self.put(bytes((b,)))

    def put_param(self, name, value, cap=0):
        """` NAME="VALUE"`, VALUE escaped; with cap, the escaped value is cut
        to at most cap octets at a character boundary and marked with `…`."""
        self.put(b" ")
        self.put(name)
        self.put(b'="')
        start = self.n
        self.put_clean(value.encode("utf-8") if isinstance(value, str) else value, True)
        if cap and self.n - start > cap:
            self.cut(start, start + cap - 3)
            self.put(b"\xe2\x80\xa6")
        self.put(b'"')

    def cut(self, start, end):
        """Truncate to end, stepping back so neither a UTF-8 sequence nor an
        escape pair (`\\x`) is split."""
        end = utf8_boundary(self.buf, min(end, self.n), start)
        # Count the backslashes before end: an odd run means end splits an escape pair.
        run = 0
        while end - run - 1 >= start and self.buf[end - run - 1] == 0x5C:
            run += 1
        if run & 1:
            end -= 1
        self.n = end

    def message(self):
        return self.view[:self.n]
