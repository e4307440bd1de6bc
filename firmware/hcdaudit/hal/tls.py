# TLS for the syslog transports (RFC 5425): `ssl` on CPython and `tls`
# (mbedTLS) on MicroPython, chosen here and nowhere else. The collector is
# authenticated by its chain to the provisioned CA plus its name, and/or by
# the pinned fingerprint of its DER certificate (RFC 5425 §4.2); an
# unauthenticated channel is never built. Imported by hal/net.py only for a
# tls:// or relp+tls:// collector: a device sending over UDP, TCP or to a
# file keeps these functions off its heap.
from hcdaudit import kdf
from hcdaudit.hal.net import _MICROPYTHON, TcpTransport, TrustedChannelError, _close_quietly, _connect


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
