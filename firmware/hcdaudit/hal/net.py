# Syslog transports over the runtime's sockets (the same `socket` API on
# MicroPython and CPython): UDP (RFC 5426, one message per datagram), TCP
# with octet-counting framing (RFC 6587 §3.4.1: "LEN SP MSG", the only TCP
# framing that carries any octet), and a collector-style file (one message a
# line) for tests and offline runs. Each transport sends the caller's
# memoryview unchanged: framing is added around it, never inside.
import socket

_FRAME = 2048 + 16     # the largest message plus its octet count


class TransportError(OSError):
    pass


def parse_url(url):
    """(scheme, host, port) of udp://HOST:PORT or tcp://HOST:PORT; ("file", path, 0) of file://PATH."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ValueError("collector URL needs a scheme: udp://HOST:PORT, tcp://HOST:PORT or file://PATH")
    if scheme == "file":
        if not rest:
            raise ValueError("file:// needs a path")
        return scheme, rest, 0
    if scheme not in ("udp", "tcp"):
        raise ValueError("unsupported collector scheme %r (udp, tcp, file)" % scheme)
    host, colon, port = rest.rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError("collector URL %r needs HOST:PORT" % url)
    return scheme, host.strip("[]"), int(port)


def open_transport(url, timeout_s=5):
    scheme, host, port = parse_url(url)
    if scheme == "udp":
        return UdpTransport(host, port)
    if scheme == "tcp":
        return TcpTransport(host, port, timeout_s)
    return FileTransport(host)


def _address(host, port, kind):
    try:
        return socket.getaddrinfo(host, port, 0, kind)[0][-1]
    except (OSError, IndexError) as exc:
        raise TransportError("cannot resolve %s: %s" % (host, exc))


class UdpTransport:
    name = "udp"

    def __init__(self, host, port):
        self.peer = "%s:%d" % (host, port)
        self._address = _address(host, port, socket.SOCK_DGRAM)
        self._sock = None

    def open(self):
        """True when this call started a new transport session."""
        if self._sock is None:
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
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(self._timeout_s)
        try:
            sock.connect(_address(self._host, self._port, socket.SOCK_STREAM))
        except OSError:
            sock.close()
            raise
        self._sock = sock
        return True

    def send(self, message):
        self.open()
        count = len(message)
        head = b"%d " % count
        frame = self._view
        frame[:len(head)] = head
        frame[len(head):len(head) + count] = message
        try:
            self._sock.sendall(frame[:len(head) + count])
        except OSError:
            self.close()      # the stream may hold half a frame: never write after it
            raise

    def close(self):
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None


class FileTransport:
    """Appends each message and an LF, as a collector stores `%rawmsg%`."""
    name = "file"

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
