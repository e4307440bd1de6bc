# The HTTPS admin export's listening socket and its TLS server connections,
# non-blocking on both runtimes so that one slow client never stalls the
# main loop (and with it, logging): `ssl` on CPython, `tls` (mbedTLS) on
# MicroPython, chosen here and nowhere else. The portable server
# (hcdaudit/webadmin.py) is handed a Listener by the board and sees only
#   accept() -> Connection | None
#   Connection.read_into(view) -> n > 0 | 0 (the client closed) | None (nothing yet)
#   Connection.write(view) -> n | None (try again)
#   Connection.close(), .remote (the client's address as text)
# A failed handshake raises TlsFailure(reason) from read_into/write.
import socket
import sys

_MICROPYTHON = sys.implementation.name == "micropython"


from hcdaudit.webadmin import TlsFailure


class CertificateProblem(ValueError):
    """The device's own certificate or key cannot be used (audited by the caller)."""


def _reason(exc):
    args = getattr(exc, "args", ())
    text = getattr(exc, "reason", None) or (args[-1] if args and isinstance(args[-1], str) else None)
    if not text:
        text = str(exc) or type(exc).__name__
    return "handshake failed: %s" % text


class Listener:
    """A TLS listener on host:port with the device's DER certificate and key.
    backlog bounds the kernel's queue; the server bounds live connections."""

    def __init__(self, host, port, cert_der, key_der, backlog=2):
        self._context = _server_context(cert_der, key_der)
        address = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0][-1]
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(backlog)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self._sock = sock
        self.port = sock.getsockname()[1] if hasattr(sock, "getsockname") else port

    def accept(self):
        try:
            client, address = self._sock.accept()
        except OSError:
            return None          # EAGAIN: nobody waiting
        client.setblocking(False)
        remote = _host_of(address)
        try:
            if _MICROPYTHON:
                tls_sock = self._context.wrap_socket(client, server_side=True, do_handshake_on_connect=False)
            else:
                tls_sock = self._context.wrap_socket(client, server_side=True, do_handshake_on_connect=False)
        except (OSError, ValueError) as exc:
            _close(client)
            conn = Connection(None, remote)
            conn.failure = _reason(exc)
            return conn
        return Connection(tls_sock, remote)

    def close(self):
        _close(self._sock)


def _host_of(address):
    if isinstance(address, tuple):
        return str(address[0])
    try:    # MicroPython: a sockaddr as bytes (family, port, IPv4)
        data = bytes(address)
        if len(data) >= 8:
            return "%d.%d.%d.%d" % (data[4], data[5], data[6], data[7])
    except (TypeError, ValueError):
        pass
    return str(address)


def _close(sock):
    try:
        sock.close()
    except OSError:
        pass


class Connection:
    def __init__(self, sock, remote):
        self._sock = sock
        self.remote = remote
        self.failure = None      # set when accept() could not even start TLS
        self._handshaken = _MICROPYTHON     # mbedTLS finishes the handshake inside read/write

    def _handshake(self):
        import ssl
        try:
            self._sock.do_handshake()
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return False
        except (OSError, ValueError) as exc:
            raise TlsFailure(_reason(exc))
        self._handshaken = True
        return True

    def read_into(self, view):
        if self.failure:
            raise TlsFailure(self.failure)
        if _MICROPYTHON:
            try:
                n = self._sock.readinto(view)
            except OSError as exc:
                raise TlsFailure(_reason(exc))
            return n      # None: nothing yet
        import ssl
        if not self._handshaken and not self._handshake():
            return None
        try:
            return self._sock.recv_into(view)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            return None
        except ssl.SSLZeroReturnError:
            return 0
        except (OSError, ValueError) as exc:
            raise TlsFailure(_reason(exc))

    def write(self, view):
        if self.failure:
            raise TlsFailure(self.failure)
        if _MICROPYTHON:
            try:
                return self._sock.write(view)
            except OSError as exc:
                raise TlsFailure(_reason(exc))
        import ssl
        if not self._handshaken and not self._handshake():
            return None
        try:
            return self._sock.send(view)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
            return None
        except (OSError, ValueError) as exc:
            raise TlsFailure(_reason(exc))

    def close(self):
        if self._sock is not None:
            _close(self._sock)
            self._sock = None


def _server_context(cert_der, key_der):
    if _MICROPYTHON:
        try:
            import tls
        except ImportError:
            raise CertificateProblem("this MicroPython has no `tls` module: no HTTPS server")
        context = tls.SSLContext(tls.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(bytes(cert_der), bytes(key_der))
        except (ValueError, OSError) as exc:
            raise CertificateProblem("the device's HTTPS certificate or key is unusable: %s" % (exc,))
        try:      # TLS 1.2 ECDHE with AEAD only
            suites = [name for name in context.get_ciphers()
                      if "ECDHE" in name and ("GCM" in name or "CHACHA20" in name)]
            if suites:
                context.set_ciphers(suites)
        except AttributeError:
            pass
        return context
    import ssl

    from hcdaudit.hal.tls import _load_client_credentials
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("ECDHE+AESGCM:ECDHE+CHACHA20")
    try:
        _load_client_credentials(context, cert_der, key_der)
    except (ssl.SSLError, ValueError, OSError) as exc:
        raise CertificateProblem("the device's HTTPS certificate or key is unusable: %s" % (exc,))
    return context
