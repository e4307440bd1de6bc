# rsyslog's RELP as a syslog transport (hcdaudit.relp holds the protocol),
# over TCP or TLS. Imported by hal/net.py only for a relp:// or relp+tls://
# collector: a device sending over UDP, TCP or to a file keeps it off its heap.
try:
    import select
except ImportError:     # pragma: no cover (every port with sockets has select)
    import uselect as select

from hcdaudit import relp
from hcdaudit.hal.net import _MICROPYTHON, TransportError, TrustedChannelError, _close_quietly, _connect
from hcdaudit.ticks import ticks_diff, ticks_ms

_RSP_BUFFER = 512      # a read's worth of RELP responses (15 octets each)
# RelpTransport._wait_for targets
_UNTIL_OPEN = 0
_UNTIL_ROOM = 1
_UNTIL_CLOSED = 2
_UNTIL_ACKED = 3


class RelpTransport:
    """rsyslog's RELP (hcdaudit.relp holds the protocol) over TCP, or over TLS
    from the first octet (librelp never uses STARTTLS).

    send(message, tag) frames the message as the next `syslog` command and
    remembers its tag; with `window` commands unanswered it first waits (up to
    timeout_s) for responses. Each `200` answer calls on_ack(tag), in send
    order, from within send(), poll(), wait_acked() or close(): only then is
    the message delivered. A refusal, a serverclose, EOF, a malformed frame or
    a timeout closes the connection and raises TransportError whose
    `undelivered` lists the tags to re-send, byte-identically, after the next
    open(). close() returns the tags it could not get acknowledged."""

    def __init__(self, host, port, tls=None, window=32, timeout_s=5, on_ack=None, max_message=2048):
        self.name = "relp" if tls is None else "relp+tls"
        self.peer = "%s:%d" % (host, port)
        if tls is not None:
            from hcdaudit.hal.tls import TlsChannel
            self.channel = TlsChannel(host, port, **tls)
        else:
            self.channel = None
        self.on_ack = on_ack
        self._host = host
        self._port = port
        self._timeout_s = timeout_s
        self._timeout_ms = int(timeout_s * 1000)
        self._client = relp.Client(window, max_message)
        self._frame = memoryview(self._client.frame)
        self._rbuf = bytearray(_RSP_BUFFER)
        self._rview = memoryview(self._rbuf)
        self._sock = None
        self._poller = None
        self._out_poller = None
        self.sessions = 0

    # ----------------------------------------------------------- public
    def open(self):
        """True when this call started a new RELP session (after a failure,
        or when the TXNR space is used up and the session was renewed)."""
        if self._sock is not None:
            if not self._client.exhausted():
                return False
            lost = self.close()
            if lost:
                error = TransportError("%s %s: the renewed session lost its answers" % (self.name, self.peer))
                error.undelivered = lost
                raise error
        try:
            sock = _connect(self._host, self._port, self._timeout_s)
            if self.channel is not None:
                sock = self.channel.wrap(sock)
        except OSError as exc:
            raise self._fail(exc)
        self._sock = sock
        self._poller = select.poll()
        self._poller.register(sock, select.POLLIN)
        if _MICROPYTHON:
            # A blocking readinto() waits to fill the whole buffer, so after
            # the handshake the socket reads and writes without blocking, and
            # poll() does the (bounded) waiting.
            sock.setblocking(False)
            self._out_poller = select.poll()
            self._out_poller.register(sock, select.POLLOUT)
        try:
            self._write(self._client.start())
            self._wait_for(_UNTIL_OPEN, "the rsp to open")
        except OSError as exc:
            raise self._fail(exc)
        self.sessions += 1
        return True

    def send(self, message, tag=None):
        if len(message) > len(self._frame) - relp.HEAD_ROOM:
            error = TransportError("message of %d octets does not fit a RELP frame" % len(message))
            error.undelivered = [tag]
            raise error
        try:
            self.open()
        except TransportError as exc:
            exc.undelivered = list(exc.undelivered) + [tag]
            raise
        framed = False
        try:
            if self._client.full():
                self._wait_for(_UNTIL_ROOM, "a free window slot")
            n = self._client.frame_syslog(message, tag)
            framed = True
            self._write(n)
        except OSError as exc:
            raise self._fail(exc, tag, framed)

    def poll(self, timeout_s=0):
        """Read the responses that arrived (waiting up to timeout_s for the
        first); returns how many messages they acknowledged."""
        if self._sock is None:
            return 0
        acked = 0
        wait = int(timeout_s * 1000)
        try:
            while True:
                got = self._receive(wait)
                if got < 0:
                    return acked
                acked += got
                wait = 0
        except OSError as exc:
            raise self._fail(exc)

    def outstanding(self):
        return self._client.outstanding()

    def wait_acked(self, timeout_s=None):
        """Wait until every message sent has its answer (bounded by timeout_s,
        default the transport's); raises TransportError on failure or timeout."""
        if self._sock is None or not self._client.outstanding():
            return
        try:
            self._wait_for(_UNTIL_ACKED, "all acknowledgements", timeout_s)
        except OSError as exc:
            raise self._fail(exc)

    def close(self):
        """`close`, its rsp (every earlier answer comes first), then the socket.
        Returns the tags that got no 200 (empty after a clean close)."""
        if self._sock is None:
            return []
        client = self._client
        try:
            if client.state == relp.OPEN:
                self._write(client.frame_close())
                self._wait_for(_UNTIL_CLOSED, "the rsp to close")
        except OSError:
            pass
        lost = client.undelivered()
        self._drop()
        return lost

    # ---------------------------------------------------------- internals
    def _drop(self):
        sock = self._sock
        self._sock = None
        self._poller = None
        self._out_poller = None
        self._client.abandon()
        if sock is not None:
            if self.channel is not None:
                from hcdaudit.hal.tls import _tls_close
                _tls_close(sock)
            else:
                _close_quietly(sock)

    def _fail(self, exc, tag=None, framed=True):
        """Close the connection; the TransportError to raise, with the undelivered tags."""
        if self._sock is not None and not isinstance(exc, relp.RelpError):
            # A write failed: answers that arrived before the collector went
            # away are still worth reading (fewer duplicates after the resend).
            try:
                while self._receive(0) >= 0:
                    pass
            except (OSError, ValueError):
                pass
        lost = self._client.undelivered()
        if not framed:
            lost.append(tag)
        self._drop()
        if isinstance(exc, TrustedChannelError):
            error = exc
        else:
            error = TransportError("%s %s: %s" % (self.name, self.peer, _describe(exc)))
        error.undelivered = lost
        return error

    def _write(self, n):
        if not _MICROPYTHON:
            self._sock.sendall(self._frame[:n])
            return
        done = 0
        start = ticks_ms()
        while done < n:
            sent = self._sock.write(self._frame, done, n - done)     # (buf, offset, length): no slice
            if sent:
                done += sent
                continue
            left = self._timeout_ms - ticks_diff(ticks_ms(), start)
            if left <= 0:
                raise relp.RelpError("RELP: the connection took no data for %d ms" % self._timeout_ms)
            _ready(self._out_poller, left)

    def _wait_for(self, target, what, timeout_s=None):
        client = self._client
        budget = self._timeout_ms if timeout_s is None else int(timeout_s * 1000)
        start = ticks_ms()
        while True:
            if target == _UNTIL_OPEN:
                if client.state != relp.OPENING:
                    return
            elif target == _UNTIL_ROOM:
                if not client.full():
                    return
            elif target == _UNTIL_CLOSED:
                if client.state != relp.CLOSING:
                    return
            elif not client.outstanding():
                return
            left = budget - ticks_diff(ticks_ms(), start)
            if left <= 0:
                raise relp.RelpError("RELP: no %s within %d ms" % (what, budget))
            self._receive(left)

    def _receive(self, wait_ms):
        """Wait up to wait_ms for the server's octets and parse them: the
        number of messages acknowledged, or -1 when nothing arrived."""
        sock = self._sock
        if not (not _MICROPYTHON and self.channel is not None and sock.pending()):
            if not _ready(self._poller, wait_ms):
                return -1
        if _MICROPYTHON:
            n = sock.readinto(self._rview)
        elif self.channel is not None:
            import ssl
            sock.setblocking(False)      # a partial record or a session ticket is not data yet
            try:
                n = sock.recv_into(self._rview)
            except ssl.SSLWantReadError:
                n = None
            finally:
                sock.settimeout(self._timeout_s)
        else:
            n = sock.recv_into(self._rview)
        if n is None:
            return -1
        if n == 0:
            raise relp.RelpError("RELP server closed the connection")
        return self._client.receive(self._rview, 0, n, self.on_ack)


def _ready(poller, wait_ms):
    if _MICROPYTHON:
        for _ in poller.ipoll(wait_ms):      # ipoll reuses its result tuple
            return True
        return False
    return bool(poller.poll(wait_ms))


def _describe(exc):
    args = getattr(exc, "args", ())
    if isinstance(exc, relp.RelpError) and args:
        return args[0]
    if len(args) > 1 and isinstance(args[-1], str):
        return "%s (%s)" % (args[-1], args[0])
    return str(exc) or type(exc).__name__
