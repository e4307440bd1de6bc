"""TLS credential errors name the file and the problem (never OpenSSL's
`[SSL] PEM lib (_ssl.c:3905)`): the built-in collector's --cert/--key/--client-ca,
and a device bundle's collector TLS files."""
from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from rsyslog import make_test_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> dict:
    return make_test_pki(tmp_path_factory.mktemp("pki"))


def collect_error(hcdaudit, tmp_path, *options) -> str:
    status, out, err = hcdaudit("collect", "--listen", "tls://127.0.0.1:0", "--out", tmp_path / "out.log",
                                "--duration", "0.1", *options)
    assert status == 2, out + err
    assert "PEM lib" not in err and len(err.strip().splitlines()) == 1, err
    return err.strip()


def test_a_file_that_is_no_certificate(hcdaudit, tmp_path, pki):
    garbage = tmp_path / "server.pem"
    garbage.write_text("hello\n")
    err = collect_error(hcdaudit, tmp_path, "--cert", garbage, "--key", pki["collector_key"])
    assert f"TLS certificate {garbage} is not a PEM certificate" in err, err


def test_a_key_given_as_the_certificate(hcdaudit, tmp_path, pki):
    err = collect_error(hcdaudit, tmp_path, "--cert", pki["collector_key"], "--key", pki["collector_key"])
    assert f"TLS certificate {pki['collector_key']} holds a private key, not a certificate" in err, err


def test_a_der_certificate(hcdaudit, tmp_path, pki):
    from cryptography import x509
    der = tmp_path / "server.der"
    cert = x509.load_pem_x509_certificate(Path(pki["collector_cert"]).read_bytes())
    der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    err = collect_error(hcdaudit, tmp_path, "--cert", der, "--key", pki["collector_key"])
    assert f"TLS certificate {der} is a DER certificate, PEM is needed" in err, err


def test_a_key_of_another_certificate(hcdaudit, tmp_path, pki):
    err = collect_error(hcdaudit, tmp_path, "--cert", pki["collector_cert"], "--key", pki["client_key"])
    assert err.endswith(f"TLS private key {pki['client_key']} does not belong to the certificate in "
                        f"{pki['collector_cert']}"), err


def test_an_encrypted_key(hcdaudit, tmp_path, pki):
    key = serialization.load_pem_private_key(Path(pki["collector_key"]).read_bytes(), None)
    locked = tmp_path / "locked.key"
    locked.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.BestAvailableEncryption(b"secret")))
    err = collect_error(hcdaudit, tmp_path, "--cert", pki["collector_cert"], "--key", locked)
    assert f"TLS private key {locked} holds an encrypted private key" in err, err


def test_no_key_at_all(hcdaudit, tmp_path, pki):
    err = collect_error(hcdaudit, tmp_path, "--cert", pki["collector_cert"])
    assert f"TLS private key {pki['collector_cert']} holds no PEM private key" in err, err


def test_a_bundle_naming_a_bad_collector_ca_says_which_file(hcdaudit, tmp_path):
    import json
    device = tmp_path / "printer-1"
    assert hcdaudit("provision", device)[0] == 0
    (device / "bundle/collector-ca.der").write_bytes(b"not a certificate")
    identity = json.loads((device / "bundle/device.json").read_text())
    identity.setdefault("syslog", {})["collector_ca"] = "collector-ca.der"
    (device / "bundle/device.json").write_text(json.dumps(identity))
    status, out, err = hcdaudit("sim", device, "--events", "5", "--syslog", "tls://127.0.0.1:6514")
    assert status == 2 and "PEM lib" not in err, out + err
    assert f"collector_ca {device}/bundle/collector-ca.der" in err, err
