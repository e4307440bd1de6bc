# The client side of rsyslog's RELP (librelp's protocol), without sockets:
# frames are built into a preallocated buffer, the server's bytes are parsed
# incrementally (any split, down to one byte at a time), and the TXNR/window
# bookkeeping says which tagged messages the server acknowledged with 200 and
# which are outstanding. hal/relp_transport.py's RelpTransport does the I/O around it.
#
#   RELP-FRAME = TXNR SP COMMAND SP DATALEN [SP DATA] LF
#   TXNR 1*9 digits (0 only in the server's serverclose hint), COMMAND 1*32
#   letters, DATALEN 1*9 digits; DATALEN 0 has no SP and no DATA ("3 close 0\n").
#
# librelp's rules that bite (shared/specs/syslog-transport.md §6): the client
# numbers its commands 1, 2, 3... strictly consecutively starting with `open`;
# the server answers in command order; relp_version is 0 and `commands=syslog`
# must be offered; anything but `200` is a failure and everything not yet
# acknowledged counts as not delivered.
try:
    from micropython import const
except ImportError:
    def const(x):
        return x

MAX_TXNR = const(999999999)
_MAX_DIGITS = const(9)
_MAX_COMMAND = const(32)
HEAD_ROOM = const(32)          # "999999999 syslog 999999999 " + LF, rounded up
MAX_RSP_DATA = const(512)      # rsp DATA: 3-digit code, <=80 octets text, offers

_SP = const(0x20)
_LF = const(0x0A)

OFFERS = b"relp_version=0\nrelp_software=hcdaudit,1,-\ncommands=syslog"

# parsed command kinds
OTHER = const(0)
RSP = const(1)
SERVERCLOSE = const(2)

# parser states
_P_TXNR = const(0)
_P_COMMAND = const(1)
_P_LEN = const(2)
_P_DATA = const(3)
_P_TRAILER = const(4)

# session states
CLOSED = const(0)
OPENING = const(1)
OPEN = const(2)
CLOSING = const(3)
BROKEN = const(4)


class RelpError(OSError):
    """The server broke the protocol, refused a command or ended the session."""


def next_txnr(txnr):
    """The TXNR after txnr: +1, and 1 again after 999999999 (0 is never a client's)."""
    return 1 if txnr >= MAX_TXNR else txnr + 1


def put_decimal(buf, pos, value):
    """Write value (0..999999999) in decimal at buf[pos]; returns the position after it."""
    digits = 1
    scale = 10
    while value >= scale:
        digits += 1
        scale *= 10
    end = pos + digits
    i = end
    while True:
        i -= 1
        buf[i] = 0x30 + value % 10
        value //= 10
        if i == pos:
            return end


def write_frame(buf, txnr, command, data=None):
    """Build `txnr command datalen [SP data] LF` into buf; returns the frame's length."""
    if not 0 <= txnr <= MAX_TXNR:
        raise ValueError("TXNR out of range")
    length = 0 if data is None else len(data)
    if len(buf) < len(command) + length + HEAD_ROOM:
        raise ValueError("RELP frame of %d octets does not fit the %d-octet buffer" % (length, len(buf)))
    pos = put_decimal(buf, 0, txnr)
    buf[pos] = _SP
    n = len(command)
    buf[pos + 1:pos + 1 + n] = command
    pos += 1 + n
    buf[pos] = _SP
    pos = put_decimal(buf, pos + 1, length)
    if length:
        buf[pos] = _SP
        buf[pos + 1:pos + 1 + length] = data
        pos += 1 + length
    buf[pos] = _LF
    return pos + 1


def _same(buf, n, text):
    if n != len(text):
        return False
    for i in range(n):
        if buf[i] != text[i]:
            return False
    return True


class Parser:
    """Incremental RELP frame parser into preallocated buffers.

    feed(chunk, pos, end) consumes octets up to the end of one frame and returns
    the position after them; then .complete is True and .txnr, .kind (RSP,
    SERVERCLOSE, OTHER), .length and .data[:length] describe the frame. The next
    feed() starts a new frame. Malformed input raises RelpError; the stream
    cannot be resynchronised after that, so the connection must go."""

    def __init__(self, max_data=MAX_RSP_DATA):
        self.data = bytearray(max_data)
        self._data_view = memoryview(self.data)
        self.command = bytearray(_MAX_COMMAND)
        self.reset()

    def reset(self):
        self.complete = False
        self.txnr = 0
        self.kind = OTHER
        self.command_len = 0
        self.length = 0
        self._state = _P_TXNR
        self._digits = 0
        self._have = 0

    def _done(self):
        self.complete = True
        n = self.command_len
        if _same(self.command, n, b"rsp"):
            self.kind = RSP
        elif _same(self.command, n, b"serverclose"):
            self.kind = SERVERCLOSE
        else:
            self.kind = OTHER

    def feed(self, chunk, pos, end):
        if self.complete:
            self.reset()
        state = self._state
        while pos < end:
            if state == _P_DATA:
                take = self.length - self._have
                if take > end - pos:
                    take = end - pos
                have = self._have
                if take > 16:
                    self._data_view[have:have + take] = chunk[pos:pos + take]
                else:            # a "200 OK": octet by octet costs less than a slice object
                    data = self.data
                    for i in range(take):
                        data[have + i] = chunk[pos + i]
                self._have = have + take
                pos += take
                if self._have == self.length:
                    state = _P_TRAILER
                continue
            b = chunk[pos]
            pos += 1
            if state == _P_TXNR:
                if 0x30 <= b <= 0x39:
                    if self._digits == _MAX_DIGITS:
                        raise RelpError("RELP: TXNR longer than 9 digits")
                    self.txnr = self.txnr * 10 + b - 0x30
                    self._digits += 1
                elif b == _SP and self._digits:
                    state = _P_COMMAND
                else:
                    raise RelpError("RELP: bad TXNR (octet %d)" % b)
            elif state == _P_COMMAND:
                if 0x61 <= (b | 0x20) <= 0x7A:
                    if self.command_len == _MAX_COMMAND:
                        raise RelpError("RELP: command longer than 32 letters")
                    self.command[self.command_len] = b
                    self.command_len += 1
                elif b == _SP and self.command_len:
                    state = _P_LEN
                    self._digits = 0
                else:
                    raise RelpError("RELP: bad command (octet %d)" % b)
            elif state == _P_LEN:
                if 0x30 <= b <= 0x39:
                    if self._digits == _MAX_DIGITS:
                        raise RelpError("RELP: DATALEN longer than 9 digits")
                    self.length = self.length * 10 + b - 0x30
                    self._digits += 1
                elif b == _SP and self._digits:
                    if self.length == 0:
                        raise RelpError("RELP: SP after DATALEN 0")
                    if self.length > len(self.data):
                        raise RelpError("RELP: %d octets of DATA, more than the %d expected" %
                                        (self.length, len(self.data)))
                    state = _P_DATA
                elif b == _LF and self._digits:
                    if self.length:
                        raise RelpError("RELP: DATALEN %d but no DATA" % self.length)
                    self._state = _P_TXNR
                    self._done()
                    return pos
                else:
                    raise RelpError("RELP: bad DATALEN (octet %d)" % b)
            else:   # _P_TRAILER
                if b != _LF:
                    raise RelpError("RELP: frame trailer is octet %d, not LF" % b)
                self._state = _P_TXNR
                self._done()
                return pos
        self._state = state
        return pos


def rsp_code(data, n):
    """The 3-digit RSP-CODE at the start of rsp DATA (data[:n])."""
    if n < 3 or (n > 3 and data[3] != _SP and data[3] != _LF):
        raise RelpError("RELP: rsp without a 3-digit code")
    code = 0
    for i in range(3):
        b = data[i]
        if not 0x30 <= b <= 0x39:
            raise RelpError("RELP: rsp without a 3-digit code")
        code = code * 10 + b - 0x30
    return code


def rsp_text(data, n):
    """The rsp's HUMAN-TEXT (for error messages only: it allocates)."""
    end = n
    for i in range(n):
        if data[i] == _LF:
            end = i
            break
    return bytes(data[:min(end, 84)]).decode("utf-8", "replace")


def check_offers(data, n):
    """The rsp to `open`: 200, relp_version=0 and `syslog` among the commands."""
    code = rsp_code(data, n)
    if code != 200:
        raise RelpError("RELP open refused: %s" % rsp_text(data, n))
    version = None
    commands = ()
    lines = bytes(data[:n]).split(b"\n")
    for line in lines[1:]:
        eq = line.find(b"=")
        name = line if eq < 0 else line[:eq]
        value = b"" if eq < 0 else line[eq + 1:]
        if name == b"relp_version":
            version = value
        elif name == b"commands":
            commands = value.split(b",")
    if version != b"0":
        raise RelpError("RELP server offers relp_version %s, not 0" % (version and version.decode()))
    if b"syslog" not in commands:
        raise RelpError("RELP server does not offer the syslog command")


class Client:
    """One RELP session's state: the frame buffer, the parser and a ring of
    `window` (txnr -> tag) entries for syslog commands awaiting their rsp.

    start() -> length of the `open` frame in .frame; frame_syslog(msg, tag) and
    frame_close() likewise; receive(chunk, pos, end, on_ack) parses the
    server's octets and calls on_ack(tag) for each 200, in order. Any failure
    raises RelpError and leaves the state BROKEN; undelivered() then lists the
    tags without a 200, oldest first."""

    def __init__(self, window=32, max_message=2048):
        if window < 1:
            raise ValueError("RELP window must be at least 1")
        self.window = window
        self.frame = bytearray(max_message + HEAD_ROOM)
        self._frame_view = memoryview(self.frame)
        self.parser = Parser()
        self._tags = [None] * window
        self.state = CLOSED
        self.txnr = 0              # the TXNR of the last command built
        self._clear()

    def _clear(self):
        for i in range(self.window):
            self._tags[i] = None
        self._head = 0             # ring index of the oldest outstanding syslog command
        self._count = 0
        self._head_txnr = 0        # its TXNR
        self._close_txnr = 0
        self.parser.reset()

    # ------------------------------------------------------------ outgoing
    def start(self):
        """A new session: TXNR 1 is `open` with our offers."""
        self._clear()
        self.txnr = 1
        self.state = OPENING
        return write_frame(self._frame_view, 1, b"open", OFFERS)

    def full(self):
        return self._count >= self.window

    def outstanding(self):
        return self._count

    def exhausted(self):
        """True when only the TXNR for `close` is left before the wrap to 1,
        which librelp's server cannot follow: end this session, open another."""
        return self.txnr >= MAX_TXNR - 1

    def frame_syslog(self, message, tag=None):
        if self.state != OPEN:
            raise RelpError("RELP session is not open")
        if self._count >= self.window:
            raise RelpError("RELP window is full")
        txnr = next_txnr(self.txnr)
        n = write_frame(self._frame_view, txnr, b"syslog", message)
        self.txnr = txnr
        if not self._count:
            self._head_txnr = txnr
        self._tags[(self._head + self._count) % self.window] = tag
        self._count += 1
        return n

    def frame_close(self):
        if self.state != OPEN:
            raise RelpError("RELP session is not open")
        txnr = next_txnr(self.txnr)
        n = write_frame(self._frame_view, txnr, b"close")
        self.txnr = txnr
        self._close_txnr = txnr
        self.state = CLOSING
        return n

    # ------------------------------------------------------------ incoming
    def receive(self, chunk, pos, end, on_ack=None):
        """Parse chunk[pos:end]; returns the number of messages acknowledged."""
        acked = 0
        parser = self.parser
        try:
            if self.state == CLOSED or self.state == BROKEN:
                raise RelpError("RELP: data from the server outside a session")
            while pos < end:
                pos = parser.feed(chunk, pos, end)
                if parser.complete:
                    if self._handle(on_ack):
                        acked += 1
        except RelpError:
            self.state = BROKEN
            raise
        return acked

    def _handle(self, on_ack):
        p = self.parser
        if p.kind == SERVERCLOSE:
            raise RelpError("RELP server closed the session (serverclose)")
        if p.kind != RSP:
            raise RelpError("RELP: unexpected command %r from the server" %
                            bytes(p.command[:p.command_len]))
        if self.state == OPENING:
            if p.txnr != 1:
                raise RelpError("RELP: rsp to TXNR %d while opening" % p.txnr)
            check_offers(p.data, p.length)
            self.state = OPEN
            return False
        if self._count:
            if p.txnr != self._head_txnr:
                raise RelpError("RELP: rsp to TXNR %d, expected %d" % (p.txnr, self._head_txnr))
            if rsp_code(p.data, p.length) != 200:
                raise RelpError("RELP message refused: %s" % rsp_text(p.data, p.length))
            head = self._head
            tag = self._tags[head]
            self._tags[head] = None
            self._head = (head + 1) % self.window
            self._count -= 1
            self._head_txnr = next_txnr(self._head_txnr)
            if on_ack is not None:
                on_ack(tag)
            return True
        if self.state == CLOSING and p.txnr == self._close_txnr:
            if p.length and rsp_code(p.data, p.length) != 200:
                raise RelpError("RELP close refused: %s" % rsp_text(p.data, p.length))
            self.state = CLOSED
            return False
        raise RelpError("RELP: rsp to TXNR %d, nothing outstanding" % p.txnr)

    def undelivered(self):
        """Tags of the syslog commands without a 200, oldest first (allocates: error path)."""
        return [self._tags[(self._head + i) % self.window] for i in range(self._count)]

    def abandon(self):
        """The connection is gone: forget the session (call undelivered() first)."""
        self._clear()
        self.state = CLOSED
