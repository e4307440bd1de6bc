"""`hcdaudit provision`: create a host-board device folder."""
from __future__ import annotations

import datetime
import json
import os
import secrets
import shutil
import uuid
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from boards import profiles
from boards.host import device
from boards.host.memory import RamNvram
from hcdaudit import kdf, ring
from hcdaudit import password as passwords
from hcdaudit.syslog import DEFAULT_ENTERPRISE

from .errors import UsageError


def _write_secret(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)


def load_ca(ca_dir: Path) -> tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes]:
    """A CA folder holds ca.pem (its certificate) and ca.key (its private key, PEM)."""
    cert_path, key_path = ca_dir / "ca.pem", ca_dir / "ca.key"
    try:
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    except OSError as exc:
        raise UsageError(f"{ca_dir} must hold ca.pem and ca.key: {exc.strerror} ({exc.filename})") from None
    except ValueError as exc:
        raise UsageError(f"{ca_dir}: ca.pem / ca.key unreadable: {exc}") from None
    if not isinstance(key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey, dsa.DSAPrivateKey,
                            ed25519.Ed25519PrivateKey)):
        raise UsageError(f"{ca_dir}: ca.key is a {type(key).__name__}, which cannot sign certificates")
    if key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) != \
            certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo):
        raise UsageError(f"{ca_dir}: ca.key is not the key of ca.pem")
    return certificate, key


def signing_certificate(key: dsa.DSAPrivateKey, fqdn: str, serial: str, device_uuid: str,
                        ca: tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes] | None = None) -> x509.Certificate:
    """X.509 certificate of the RFC 5848 signing key (key blob type C): self-signed,
    or issued by the given CA."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, fqdn),
                      x509.NameAttribute(NameOID.SERIAL_NUMBER, serial),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "hcdaudit syslog signing")])
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    issuer_name, issuer_key = (ca[0].subject, ca[1]) if ca else (name, key)
    builder = (x509.CertificateBuilder()
               .subject_name(name).issuer_name(issuer_name)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=3650))
               .add_extension(x509.SubjectAlternativeName([x509.DNSName(fqdn),
                                                           x509.UniformResourceIdentifier(device_uuid)]),
                              critical=False)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=False, crl_sign=False, encipher_only=False,
                                            decipher_only=False), critical=True))
    return builder.sign(issuer_key, hashes.SHA256())


def https_certificate(key: ec.EllipticCurvePrivateKey, fqdn: str, serial: str, device_uuid: str,
                      ca: tuple[x509.Certificate, CertificateIssuerPrivateKeyTypes] | None = None) -> x509.Certificate:
    """The TLS server certificate of the device's HTTPS admin export (ECDSA P-256): issued by
    the provisioning CA when one is given, else self-signed (clients pin it). Names: the
    FQDN, localhost and 127.0.0.1 (the simulator serves on loopback)."""
    import ipaddress
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, fqdn),
                      x509.NameAttribute(NameOID.SERIAL_NUMBER, serial),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "hcdaudit https admin")])
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    issuer_name, issuer_key = (ca[0].subject, ca[1]) if ca else (name, key)
    sans = [x509.DNSName(fqdn), x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.UniformResourceIdentifier(device_uuid)]
    builder = (x509.CertificateBuilder()
               .subject_name(name).issuer_name(issuer_name)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=825))
               .add_extension(x509.SubjectAlternativeName(sans), critical=False)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=False, crl_sign=False, encipher_only=False,
                                            decipher_only=False), critical=True))
    return builder.sign(issuer_key, hashes.SHA256())


def read_admin_password(path: Path | None) -> str | None:
    """The password from the first line of a file, else from a terminal prompt (twice);
    None when neither is possible (no administrator: the HTTPS export is off)."""
    import getpass
    import sys
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeError) as exc:
            raise UsageError(f"--admin-password-file {path}: {getattr(exc, 'strerror', None) or exc}") from None
        if not lines or not lines[0]:
            raise UsageError(f"--admin-password-file {path}: the first line is empty")
        return lines[0]
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("administrator password for the HTTPS export: ")
    if first != getpass.getpass("again: "):
        raise UsageError("the two passwords differ")
    return first


def admin_credential(user: str, password: str, board: str) -> dict:
    """The stored form of the administrator's password: PBKDF2-HMAC-SHA256 with a random
    salt and the board's iteration count (boards/profiles.py "web")."""
    if not password:
        raise UsageError("the administrator password must not be empty")
    if len(password) < 8:
        raise UsageError("the administrator password must have at least 8 characters")
    if not user or ":" in user or len(user) > 64:
        raise UsageError(f"--admin-user {user!r}: 1-64 characters without ':'")
    iterations = profiles.profile(board)["web"]["pbkdf2_iterations"]
    return passwords.make(user, password.encode("utf-8"), secrets.token_bytes(16), iterations)


def _device_uuid(value: str | None) -> str:
    if value is None:
        return f"urn:uuid:{uuid.uuid4()}"
    text = value[9:] if value.lower().startswith("urn:uuid:") else value
    try:
        return f"urn:uuid:{uuid.UUID(text)}"
    except ValueError:
        raise UsageError(f"--uuid {value!r} is not a UUID") from None


def _is_device_folder(folder: Path) -> bool:
    return any((folder / part / device.DEVICE_FILE).exists() for part in (device.BUNDLE_DIR, device.ESCROW_DIR))


def provision(device_dir: Path, name: str, serial: str, force: bool = False, fqdn: str | None = None,
              device_uuid: str | None = None, board: str = "host", ca_dir: Path | None = None,
              admin_password: str | None = None, admin_user: str = "admin") -> dict:
    try:
        geometry = profiles.profile(board)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    ca = load_ca(ca_dir) if ca_dir else None
    credential = admin_credential(admin_user, admin_password, board) if admin_password is not None else None
    identity_uuid = _device_uuid(device_uuid)
    if device_dir.exists() and any(device_dir.iterdir()):
        if not force:
            raise UsageError(f"{device_dir} exists and is not empty; use --force to overwrite it")
        if not _is_device_folder(device_dir):
            raise UsageError(f"{device_dir} is not a device folder; refusing to delete it even with --force")
        shutil.rmtree(device_dir)
    fqdn = fqdn or f"{name}.example.com"
    identity = {
        "name": name,
        "serial": serial,
        "uuid": identity_uuid,
        "fqdn": fqdn,
        "board": board,
        "slot_count": geometry["slot_count"],
        "slot_size": geometry["slot_size"],
        "store_cap": geometry["store_cap"],
        "flash": dict(geometry["flash"]),
        "syslog": {
            "service_uri": f"ipp://{fqdn}/ipp/print",
            "service_uuid": f"urn:uuid:{uuid.uuid4()}",
            "enterprise": DEFAULT_ENTERPRISE,
            "facility": 6,
            "key_blob_type": "K",
            "max_hashes": 32,
            "sig_max_delay_s": 30,
            "sb_redundancy": 1,
            "cert_initial_repeat": 2,
        },
    }
    bundle = device_dir / device.BUNDLE_DIR
    escrow = device_dir / device.ESCROW_DIR
    bundle.mkdir(parents=True)
    escrow.mkdir()
    master_key = secrets.token_bytes(32)
    # DSA-2048/256: RFC 5848 defines only DSA; FIPS 186-4 sizes, SHA-256.
    key = dsa.generate_private_key(2048)
    numbers = key.private_numbers()
    params = numbers.public_numbers.parameter_numbers
    fields = {"p": params.p, "q": params.q, "g": params.g, "y": numbers.public_numbers.y, "x": numbers.x}
    certificate = signing_certificate(key, fqdn, serial, identity_uuid, ca)
    document = json.dumps(identity, indent=2) + "\n"
    # The bundle: everything the board loads, the signing key included.
    (bundle / device.DEVICE_FILE).write_text(document)
    _write_secret(bundle / device.KEY_FILE, master_key)
    _write_secret(bundle / device.SIGNING_KEY_FILE,
                  (json.dumps({k: format(v, "x") for k, v in fields.items()}) + "\n").encode())
    (bundle / device.SIGNING_CERT_FILE).write_bytes(certificate.public_bytes(serialization.Encoding.DER))
    # The escrow: what export and verify need on the host; never the signing key.
    (escrow / device.DEVICE_FILE).write_text(document)
    _write_secret(escrow / device.KEY_FILE, master_key)
    (escrow / device.SIGNING_CERT_PEM).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    # The HTTPS admin export: the device's TLS key and certificate, and the
    # administrator's salted password hash (never the password).
    tls_key = ec.generate_private_key(ec.SECP256R1())
    tls_cert = https_certificate(tls_key, fqdn, serial, identity_uuid, ca)
    _write_secret(bundle / device.HTTPS_KEY_FILE, tls_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (bundle / device.HTTPS_CERT_FILE).write_bytes(tls_cert.public_bytes(serialization.Encoding.DER))
    (escrow / device.HTTPS_CERT_PEM).write_bytes(tls_cert.public_bytes(serialization.Encoding.PEM))
    if credential is not None:
        _write_secret(bundle / device.ADMIN_FILE, (json.dumps(credential) + "\n").encode())
    if ca:
        (escrow / "ca.pem").write_bytes(ca[0].public_bytes(serialization.Encoding.PEM))
    # Forward integrity (format v2): epoch 0's integrity key is random, kept in
    # the escrow and written into the board's NVRAM header, never into the
    # bundle: the device evolves it per flush and overwrites the old one, so
    # nothing it keeps (its master key included) re-makes an earlier epoch's key.
    # The host board's NVRAM is nvram.bin, written here; a reference board's is on
    # the board: `hcdaudit deploy` installs the root there over the serial link.
    integrity_root = secrets.token_bytes(32)
    _write_secret(escrow / device.INTEGRITY_KEY_FILE, integrity_root)
    # The host board's memories (a real board has FRAM and flash instead).
    nvram = RamNvram(ring.region_size(geometry["slot_count"], geometry["slot_size"]))
    if board == "host":
        ring.Ring(nvram, geometry["slot_count"], geometry["slot_size"], None).install_root(
            kdf.device_id(identity_uuid), integrity_root)
        (device_dir / device.COUNTER_FILE).write_bytes(bytes(8))
    (device_dir / device.NVRAM_FILE).write_bytes(bytes(nvram.buf))
    (device_dir / device.STORE_DIR).mkdir()
    return identity
