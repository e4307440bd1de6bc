"""Plain-words diagnosis of TLS credential files (PEM certificates and keys):
OpenSSL's own messages (`[SSL] PEM lib (_ssl.c:3905)`) name neither the file
nor the problem."""
from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

_CERT = b"-----BEGIN CERTIFICATE-----"


def certificate_problem(path: Path) -> str | None:
    """What is wrong with a PEM certificate (chain) file, or None."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if _CERT not in data:
        if b"PRIVATE KEY-----" in data:
            return "holds a private key, not a certificate"
        try:
            x509.load_der_x509_certificate(data)
            return (f"is a DER certificate, PEM is needed (openssl x509 -inform der -in {path} "
                    f"-out {path.with_suffix('.pem')})")
        except ValueError:
            return "is not a PEM certificate (no -----BEGIN CERTIFICATE----- line)"
    try:
        x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        return f"holds a certificate that does not parse ({exc})"
    return None


def key_problem(path: Path) -> str | None:
    """What is wrong with a PEM private key file, or None."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if b"PRIVATE KEY-----" not in data:
        return "holds no PEM private key (no -----BEGIN ... PRIVATE KEY----- line)"
    if b"ENCRYPTED" in data:
        return "holds an encrypted private key: give it unencrypted (there is no passphrase prompt)"
    try:
        serialization.load_pem_private_key(data, None)
    except (ValueError, TypeError) as exc:
        return f"holds a private key that does not parse ({exc})"
    return None


def _public_der(key) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def explain(certfile: Path, keyfile: Path | None, client_ca: Path | None, error: Exception) -> str:
    """One line naming the file and the problem, for a certificate/key pair (the
    key in keyfile, or in certfile when there is none) and an optional CA file
    that OpenSSL refused with `error`."""
    key_path = keyfile or certfile
    problem = certificate_problem(certfile)
    if problem:
        return f"TLS certificate {certfile} {problem}"
    problem = key_problem(key_path)
    if problem:
        return f"TLS private key {key_path} {problem}"
    certificate = x509.load_pem_x509_certificates(certfile.read_bytes())[0]
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    if _public_der(certificate.public_key()) != _public_der(key.public_key()):
        return f"TLS private key {key_path} does not belong to the certificate in {certfile}"
    if client_ca is not None:
        problem = certificate_problem(client_ca)
        if problem:
            return f"client CA file {client_ca} {problem}"
    reason = getattr(error, "reason", None) or str(error)
    files = ", ".join(str(p) for p in (certfile, keyfile, client_ca) if p)
    return f"OpenSSL refused the TLS credentials in {files}: {reason}"
