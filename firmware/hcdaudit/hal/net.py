# Syslog transports over the runtime's sockets (the same `socket` API on
# MicroPython and CPython): UDP (RFC 5426, one message per datagram), TCP
# with octet-counting framing (RFC 6587 §3.4.1: "LEN SP MSG", the only TCP
# framing that carries any octet), TLS (RFC 5425: the same octet-counted
# frames inside TLS 1.2+), rsyslog's RELP (application-level acknowledgements;
# plain or over TLS), and a collector-style file (one message a line) for
# tests and offline runs. Each transport sends the caller's memoryview
# unchanged: framing is added around it, never inside.
#
# TLS is `ssl` on CPython and `tls` (mbedTLS) on MicroPython, chosen here and
# nowhere else. The collector is authenticated by its chain to the
# provisioned CA plus its name, and/or by the pinned fingerprint of its DER
# certificate (RFC 5425 §4.2); an unauthenticated channel is never built.
#
# `socket` is imported where a socket is made, not here: a board without a
# network stack (boards/qemu_m3) still formats, frames and files messages.
import sys

try:
    import select
except ImportError:     # pragma: no cover (every port with sockets has select)
    import uselect as select

from hcdaudit import kdf
from hcdaudit.ticks import ticks_diff, ticks_ms

# hcdaudit.relp (the RELP protocol, and the octet-counting framing TCP and TLS
# use), imported by the first transport that frames with it: a device sending
# over UDP or to a file keeps its ~4 KB of functions and tables off the heap.
relp = None


def _load_relp():
    global relp
    if relp is None:
        from hcdaudit import relp as module
        relp = module

_FRAME = 2048 + 16     # the largest message plus its octet count
_MICROPYTHON = sys.implementation.name == "micropython"
_RSP_BUFFER = 512      # a read's worth of RELP responses (15 octets each)


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
        return TlsTransport(host, port, timeout_s=timeout_s, **options)
    if scheme == "relp":
        return RelpTransport(host, port, None, window, timeout_s, on_ack)
    if scheme == "relp+tls":
        return RelpTransport(host, port, options, window, timeout_s, on_ack)
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
def parse_fingerprint(text):
    """RFC 5425 `sha-256:AA:BB:..` (or `sha-1:`; rsyslog's `SHA256:` too) -> (label, digest)."""
    label, sep, rest = text.partition(":")
    label = label.lower()
    label = {"sha256": "sha-256", "sha1": "sha-1"}.get(label, label)
    size = {"sha-256": 32, "sha-1": 20}.get(label)
    if not sep or size is None:
        raise ValueError("fingerprint must be sha-256:XX:XX:.. (or sha-1:..), not %r" % text[:16])
    parts = rest.split(":")
    if len(parts) != size or [p for p in parts if len(p) != 2]:
        raise ValueError("a %s fingerprint is %d colon-separated hex octets" % (label, size))
    import binascii
    try:
        return label, binascii.unhexlify("".join(parts))
    except ValueError:
        raise ValueError("fingerprint %r is not hexadecimal" % text[:16])


def _hash(label):
    import hashlib
    algorithm = getattr(hashlib, "sha256" if label == "sha-256" else "sha1", None)
    if algorithm is None:
        raise ValueError("this port has no hashlib.%s for a %s fingerprint" % (label.replace("-", ""), label))
    return algorithm


_equal = kdf.equal   # constant time


def _ders(value):
    """One DER (or PEM) certificate, or a list or tuple of them."""
    if isinstance(value, (list, tuple)):
        return value
    return (value,)


def _octets(data):
    return data.encode() if isinstance(data, str) else bytes(data)


def _is_pem(data):
    return data[:5] == b"-----"


class TlsChannel:
    """A TLS client context built once (trust anchors parsed, client key
    loaded) that turns a connected TCP socket into a verified TLS socket.

    ca: DER certificate(s) of the trust anchor(s): the collector must chain to
    one and carry server_name (default: host) in its SAN/CN. fingerprint:
    "sha-256:AA:..": the DER certificate of the collector must hash to it
    (checked in constant time; validity dates are not checked in this mode
    unless ca is given too). client_cert, client_key: DER, for mutual
    authentication. Failures raise TrustedChannelError("TLS", peer, reason)."""

    protocol = "TLS"

    def __init__(self, host, port, ca=None, fingerprint=None, client_cert=None, client_key=None,
                 server_name=None):
        if ca is None and fingerprint is None:
            raise ValueError("TLS needs ca (trust anchors) or fingerprint: the collector must be authenticated")
        if (client_cert is None) != (client_key is None):
            raise ValueError("client_cert and client_key go together")
        self.peer = "%s:%d" % (host, port)
        self.server_name = server_name or host
        self._pin = None
        self._hash = None
        if fingerprint is not None:
            label, self._pin = parse_fingerprint(fingerprint)
            self._hash = _hash(label)
        self._peer_digest = None
        self._callback = False
        self.session = None          # (protocol version, cipher suite) of the last handshake
        if _MICROPYTHON:
            self._context = self._mbedtls_context(ca, client_cert, client_key)
        else:
            self._context = self._openssl_context(ca, client_cert, client_key)

    # MicroPython: the `tls` module (mbedTLS). Only CERT_REQUIRED validates the
    # chain and the name; CERT_OPTIONAL still runs the verify callback, which
    # is where the collector's DER certificate is seen (SSLSocket.getpeercert
    # exists only in coverage builds).
    def _mbedtls_context(self, ca, client_cert, client_key):
        try:
            import tls
        except ImportError:
            raise ValueError("this MicroPython has no `tls` module (v1.23+ with mbedTLS): no TLS transport")
        context = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
        try:
            if ca is not None:
                for der in _ders(ca):
                    context.load_verify_locations(_octets(der))
                context.verify_mode = tls.CERT_REQUIRED
            else:
                context.verify_mode = tls.CERT_OPTIONAL
            if client_cert is not None:
                context.load_cert_chain(_octets(client_cert), _octets(client_key))
        except (ValueError, OSError) as exc:
            raise ValueError("TLS credentials rejected: %s" % exc)
        if self._pin is not None:
            try:
                context.verify_callback = self._seen_certificate
                self._callback = True
            except (AttributeError, TypeError):
                self._callback = False
        try:      # TLS 1.2 ECDHE with AEAD only (mbedTLS here speaks no TLS 1.0/1.1)
            suites = [name for name in context.get_ciphers()
                      if "ECDHE" in name and ("GCM" in name or "CHACHA20" in name)]
            if suites:
                context.set_ciphers(suites)
        except AttributeError:
            pass
        return context

    def _seen_certificate(self, certificate, depth):
        # mbedTLS calls this for each certificate of the chain, the collector's
        # own at depth 0; the memoryview is only valid during the call.
        if depth == 0:
            self._peer_digest = self._hash(certificate).digest()
        return 0

    # CPython: `ssl` (OpenSSL). It loads a client key only from a file, so the
    # DER credentials pass through a private temporary file.
    def _openssl_context(self, ca, client_cert, client_key):
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")    # TLS 1.2 suites; 1.3's are all AEAD
        try:
            if ca is not None:
                for der in _ders(ca):
                    der = _octets(der)
                    context.load_verify_locations(cadata=der.decode() if _is_pem(der) else der)
            else:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            if client_cert is not None:
                _load_client_credentials(context, client_cert, client_key)
        except (ssl.SSLError, ValueError) as exc:
            raise ValueError("TLS credentials rejected: %s" % exc)
        return context

    def wrap(self, sock):
        """The verified TLS socket over the connected `sock` (closed on failure)."""
        self._peer_digest = None
        try:
            tls_sock = self._context.wrap_socket(sock, server_hostname=self.server_name)
        except (OSError, ValueError) as exc:
            _close_quietly(sock)
            raise TrustedChannelError(self.protocol, self.peer, _tls_reason(exc))
        if self._pin is not None:
            digest = self._peer_digest
            if not self._callback:
                try:
                    digest = self._hash(tls_sock.getpeercert(True)).digest()
                except (AttributeError, OSError, ValueError, TypeError):
                    digest = None
            if digest is None or not _equal(digest, self._pin):
                _close_quietly(tls_sock)
                raise TrustedChannelError(self.protocol, self.peer, "fingerprint mismatch")
        try:
            if _MICROPYTHON:
                suite, version = tls_sock.cipher()
            else:
                suite, version = tls_sock.cipher()[0], tls_sock.version()
            self.session = (version, suite)
        except (AttributeError, TypeError, ValueError):
            self.session = None
        return tls_sock


def _load_client_credentials(context, cert, key):
    import os
    import ssl
    import tempfile

    from cryptography.hazmat.primitives import serialization
    cert, key = _octets(cert), _octets(key)
    cert_pem = cert if _is_pem(cert) else ssl.DER_cert_to_PEM_cert(cert).encode()
    if _is_pem(key):
        key_pem = key
    else:
        private = serialization.load_der_private_key(key, None)
        key_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    fd, path = tempfile.mkstemp(suffix=".pem")      # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(cert_pem + b"\n" + key_pem)
        context.load_cert_chain(path)
    finally:
        os.remove(path)


# OpenSSL X509_V_ERR_* codes
_EXPIRED = 10
_NOT_YET_VALID = 9
_NAME_MISMATCH = (62, 63, 64)     # hostname, email, IP address


def _tls_reason(exc):
    code = getattr(exc, "verify_code", None)
    if code is not None:                      # CPython ssl.SSLCertVerificationError
        if code == _EXPIRED:
            return "certificate expired"
        if code == _NOT_YET_VALID:
            return "certificate not yet valid"
        if code in _NAME_MISMATCH:
            return "certificate name mismatch"
        return "certificate not trusted"
    if isinstance(exc, ValueError) and not isinstance(exc, OSError):
        text = str(exc)                       # mbedTLS's verify info, as MicroPython raises it
        if "expired" in text:
            return "certificate expired"
        if "future" in text:
            return "certificate not yet valid"
        if "Common Name" in text or "CN" in text:
            return "certificate name mismatch"
        return "certificate not trusted"
    detail = getattr(exc, "reason", None)
    if not detail:
        args = getattr(exc, "args", ())
        detail = args[-1] if args and isinstance(args[-1], str) else str(exc) or type(exc).__name__
    return "handshake failed: %s" % detail


# ------------------------------------------------------------ transports
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


class TlsTransport(TcpTransport):
    """RFC 5425: octet-counted frames over TLS 1.2+ to a verified collector."""
    name = "tls"

    def __init__(self, host, port, ca=None, fingerprint=None, client_cert=None, client_key=None,
                 server_name=None, timeout_s=5):
        self.channel = TlsChannel(host, port, ca, fingerprint, client_cert, client_key, server_name)
        TcpTransport.__init__(self, host, port, timeout_s)

    def _connect(self):
        return self.channel.wrap(_connect(self._host, self._port, self._timeout_s))

    def close(self):
        if self._sock is not None:
            _tls_close(self._sock)
            self._sock = None


def _tls_close(sock):
    # RFC 5425 §4.4: close_notify first. CPython sends it in unwrap() (and
    # waits a moment for the collector's); MicroPython's tls module has no
    # call for it and just closes.
    if not _MICROPYTHON:
        try:
            sock.settimeout(0.5)
            sock.unwrap()
        except (OSError, ValueError):
            pass
    _close_quietly(sock)


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
        _load_relp()
        self.name = "relp" if tls is None else "relp+tls"
        self.peer = "%s:%d" % (host, port)
        self.channel = None if tls is None else TlsChannel(host, port, **tls)
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
    if relp is not None and isinstance(exc, relp.RelpError) and args:
        return args[0]
    if len(args) > 1 and isinstance(args[-1], str):
        return "%s (%s)" % (args[-1], args[0])
    return str(exc) or type(exc).__name__


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
