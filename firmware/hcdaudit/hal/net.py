# Syslog transports over the runtime's sockets (the same `socket` API on
# MicroPython and CPython): UDP (RFC 5426, one message per datagram), TCP
# with octet-counting framing (RFC 6587 §3.4.1: "LEN SP MSG", the only TCP
# framing that carries any octet), TLS (RFC 5425: the same octet-counted
# frames inside TLS 1.2+), rsyslog's RELP (application-level acknowledgements;
# plain or over TLS), and a collector-style file (one message a line) for
# tests and offline runs. Each transport sends the caller's memoryview
# unchanged: framing is added around it, never inside.
#
# TLS (hal/tls.py) and RELP (hal/relp_transport.py) are imported only for a
# collector that uses them: a device sending over UDP, TCP or to a file keeps
# their functions and tables (~8 KB) off its heap.
#
# `socket` is imported where a socket is made, not here: a board without a
# network stack (boards/qemu_m3) still formats, frames and files messages.
import sys

# hcdaudit.relp (the RELP protocol, and the octet-counting framing TCP and TLS
# use), imported by the first transport that frames with it.
relp = None


def _load_relp():
    global relp
    if relp is None:
        from hcdaudit import relp as module
        relp = module


_FRAME = 2048 + 16     # the largest message plus its octet count
_MICROPYTHON = sys.implementation.name == "micropython"


class TransportError(OSError):
    """A send or connect failed. `undelivered` (RELP): the tags, oldest first,
    that were handed to send() in the failed session without a 200 answer,
    including the one of the failing call; the caller re-sends them."""
    undelivered = ()


class TrustedChannelError(TransportError):
    """The TLS channel to the collector could not be established as trusted."""

    def __init__(self, protocol, peer, reason):
        super().__init__("%s %s: %s" % (protocol, peer, reason))
        self.protocol = protocol
        self.peer = peer
        self.reason = reason


_SCHEMES = ("udp", "tcp", "tls", "relp", "relp+tls")


def parse_url(url):
    """(scheme, host, port) of SCHEME://HOST:PORT (udp, tcp, tls, relp, relp+tls); ("file", path, 0) of file://PATH."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("collector URL needs a scheme: udp://, tcp://, tls://, relp://, relp+tls:// "
                         "HOST:PORT or file://PATH")
    if scheme == "file":
        if not rest:
            raise ValueError("file:// needs a path")
        return scheme, rest, 0
    if scheme not in _SCHEMES:
        raise ValueError("unsupported collector scheme %r (udp, tcp, tls, relp, relp+tls, file)" % scheme)
    host, colon, port = rest.rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("collector URL %r needs HOST:PORT" % url)
    return scheme, host.strip("[]"), int(port)


def open_transport(url, timeout_s=5, ca=None, fingerprint=None, client_cert=None, client_key=None,
                   server_name=None, window=32, on_ack=None):
    """The transport for a collector URL. TLS options (tls:// and relp+tls://):
    ca = DER certificate(s) of the trust anchor(s), fingerprint = "sha-256:AA:..",
    client_cert / client_key = DER, server_name = the name to check (default HOST)."""
    scheme, host, port = parse_url(url)
    options = {}
    for name, value in (("ca", ca), ("fingerprint", fingerprint), ("client_cert", client_cert),
                        ("client_key", client_key), ("server_name", server_name)):
        if value is not None:
            options[name] = value
    if options and scheme not in ("tls", "relp+tls"):
        raise ValueError("TLS options given for a %s:// collector: use tls:// or relp+tls://" % scheme)
    if scheme == "udp":
        return UdpTransport(host, port)
    if scheme == "tcp":
        return TcpTransport(host, port, timeout_s)
    if scheme == "tls":
        from hcdaudit.hal.tls import TlsTransport
        return TlsTransport(host, port, timeout_s=timeout_s, **options)
    if scheme in ("relp", "relp+tls"):
        from hcdaudit.hal.relp_transport import RelpTransport
        return RelpTransport(host, port, options if scheme == "relp+tls" else None, window, timeout_s, on_ack)
    return FileTransport(host)


def _address(host, port, datagram=False):
    import socket
    kind = socket.SOCK_DGRAM if datagram else socket.SOCK_STREAM
    try:
        return socket.getaddrinfo(host, port, 0, kind)[0][-1]
    except (OSError, IndexError) as exc:
        raise TransportError("cannot resolve %s: %s" % (host, exc))


def _connect(host, port, timeout_s):
    import socket
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(timeout_s)
    try:
        sock.connect(_address(host, port))
    except OSError:
        sock.close()
        raise
    return sock


def _send_all(sock, view, n):
    """view[:n] on a blocking socket (MicroPython: write(buf, offset, length) slices nothing)."""
    if not _MICROPYTHON:
        sock.sendall(view[:n])
        return
    done = 0
    while done < n:
        sent = sock.write(view, done, n - done)
        if not sent:
            raise TransportError("the connection took no data (timed out)")
        done += sent


def _close_quietly(sock):
    try:
        sock.close()
    except OSError:
        pass


# ------------------------------------------------------------------ TLS
class UdpTransport:
    name = "udp"

    def __init__(self, host, port):
        self.peer = "%s:%d" % (host, port)
        self._address = _address(host, port, datagram=True)
        self._sock = None

    def open(self):
        """True when this call started a new transport session."""
        if self._sock is None:
            import socket
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            return True
        return False

    def send(self, message):
        self.open()
        self._sock.sendto(message, self._address)

    def close(self):
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class TcpTransport:
    name = "tcp"

    def __init__(self, host, port, timeout_s=5):
        _load_relp()
        self.peer = "%s:%d" % (host, port)
        self._host = host
        self._port = port
        self._timeout_s = timeout_s
        self._sock = None
        self._frame = bytearray(_FRAME)
        self._view = memoryview(self._frame)

    def open(self):
        if self._sock is not None:
            return False
        self._sock = self._connect()
        return True

    def _connect(self):
        return _connect(self._host, self._port, self._timeout_s)

    def send(self, message):
        self.open()
        count = len(message)
        if count > _FRAME - 16:
            raise TransportError("message of %d octets is longer than 2048" % count)
        frame = self._view
        head = relp.put_decimal(frame, 0, count)
        frame[head] = 0x20
        frame[head + 1:head + 1 + count] = message
        try:
            _send_all(self._sock, frame, head + 1 + count)
        except OSError:
            self.close()      # the stream may hold half a frame: never write after it
            raise

    def close(self):
        if self._sock is not None:
            _close_quietly(self._sock)
            self._sock = None


class FileTransport:
    """Appends each message and an LF, as a collector stores `%rawmsg%`."""
    name = "file"
    confirms_writes = True   # flushed per message: written is delivered

    def __init__(self, path):
        self.peer = path
        self._path = path
        self._file = None

    def open(self):
        if self._file is None:
            self._file = open(self._path, "ab")
            return True
        return False

    def send(self, message):
        self.open()
        self._file.write(message)
        self._file.write(b"\n")
        self._file.flush()    # on disk per message, as a collector stores it: a power cut loses none

    def close(self):
        if self._file is not None:
            self._file.close()
            self._file = None
