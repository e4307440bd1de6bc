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
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.x509.oid import NameOID

from boards.host import board, device
from hcdaudit import ring
from hcdaudit.syslog import DEFAULT_ENTERPRISE

from .errors import UsageError


def _write_secret(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)


def signing_certificate(key: dsa.DSAPrivateKey, fqdn: str, serial: str, device_uuid: str) -> x509.Certificate:
    """Self-signed X.509 certificate of the RFC 5848 signing key (key blob type C)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, fqdn),
                      x509.NameAttribute(NameOID.SERIAL_NUMBER, serial),
                      x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "hcdaudit syslog signing")])
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return (x509.CertificateBuilder()
            .subject_name(name).issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(fqdn),
                                                        x509.UniformResourceIdentifier(device_uuid)]),
                           critical=False)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))


def provision(device_dir: Path, name: str, serial: str, force: bool = False, fqdn: str | None = None) -> dict:
    if device_dir.exists() and any(device_dir.iterdir()):
        if not force:
            raise UsageError(f"{device_dir} exists and is not empty; use --force to overwrite it")
        if not (device_dir / device.DEVICE_FILE).exists():
            raise UsageError(f"{device_dir} is not a device folder; refusing to delete it even with --force")
        shutil.rmtree(device_dir)
    device_dir.mkdir(parents=True, exist_ok=True)
    fqdn = fqdn or f"{name}.example.com"
    identity = {
        "name": name,
        "serial": serial,
        "uuid": f"urn:uuid:{uuid.uuid4()}",
        "fqdn": fqdn,
        "board": "host",
        "slot_count": board.SLOT_COUNT,
        "slot_size": board.SLOT_SIZE,
        "store_cap": board.STORE_CAP,
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
    (device_dir / device.DEVICE_FILE).write_text(json.dumps(identity, indent=2) + "\n")
    _write_secret(device_dir / device.KEY_FILE, secrets.token_bytes(32))
    # DSA-2048/256: RFC 5848 defines only DSA; FIPS 186-4 sizes, SHA-256.
    key = dsa.generate_private_key(2048)
    numbers = key.private_numbers()
    params = numbers.public_numbers.parameter_numbers
    fields = {"p": params.p, "q": params.q, "g": params.g, "y": numbers.public_numbers.y, "x": numbers.x}
    _write_secret(device_dir / device.SIGNING_KEY_FILE,
                  (json.dumps({k: format(v, "x") for k, v in fields.items()}) + "\n").encode())
    certificate = signing_certificate(key, fqdn, serial, identity["uuid"])
    (device_dir / device.SIGNING_CERT_FILE).write_bytes(certificate.public_bytes(serialization.Encoding.DER))
    (device_dir / device.SIGNING_CERT_PEM).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (device_dir / device.NVRAM_FILE).write_bytes(bytes(ring.region_size(board.SLOT_COUNT, board.SLOT_SIZE)))
    (device_dir / device.STORE_DIR).mkdir()
    return identity
