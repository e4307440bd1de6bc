"""The device's signed syslog checked by independent code: `cryptography`
verifies every signature the firmware makes, pycryptodome's deterministic DSA
(RFC 6979) picks the same k, and both runtimes send the same octets."""
from __future__ import annotations

import base64
import hashlib
import json
import shutil

import pytest
from Crypto.Hash import SHA256
from Crypto.PublicKey import DSA as CryptoDSA
from Crypto.Signature import DSS
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given, settings, strategies as st

from hcdaudit import dsa

from conftest import ROOT  # noqa: F401  (puts firmware/ on sys.path)


@pytest.fixture(scope="module")
def provisioned(tmp_path_factory):
    from hcdaudit_host.provision import provision
    folder = tmp_path_factory.mktemp("dev") / "device"
    provision(folder, "mfd-lab-7", "XR0007")
    return folder


def device_key(folder):
    fields = json.loads((folder / "bundle" / "syslog-signing.json").read_text())
    return dsa.load_private_key(fields)


def blocks_of(lines):
    return [line for line in lines if b"[ssign" in line]


def run_sim(folder, runtime, log_path, events=240, cuts=1, seed=3):
    from hcdaudit_host import sim
    summary = sim.run(folder, events, seed, cuts, runtime, syslog=f"file://{log_path}")
    assert summary["intact"] and not summary["returned_missing"]
    assert summary["syslog"]["failed"] == 0 and summary["syslog"]["lost"] == 0
    return log_path.read_bytes().split(b"\n")[:-1]


def test_cryptography_verifies_every_block_the_device_signs(provisioned, tmp_path):
    folder = tmp_path / "d"
    shutil.copytree(provisioned, folder)
    lines = run_sim(folder, "cpython", tmp_path / "collector.log")
    cert = x509.load_pem_x509_certificate((folder / "escrow" / "syslog-signing.pem").read_bytes())
    public = cert.public_key()
    blocks = blocks_of(lines)
    assert len(blocks) > 20
    for block in blocks:
        cut = block.index(b' SIGN="')
        r, s = dsa.parse_signature_mpi(base64.b64decode(block[cut + 7:-2], validate=True))
        public.verify(encode_dss_signature(r, s), block[:cut] + b"]", hashes.SHA256())
        with pytest.raises(InvalidSignature):
            public.verify(encode_dss_signature(r, s), block[:cut] + b" ]", hashes.SHA256())
    # The K blob of the CBs is the provisioned key, as 4 MPIs.
    cb = next(b for b in blocks if b"[ssign-cert " in b)
    frag = cb[cb.index(b'FRAG="') + 6:cb.index(b'" SIGN=')]
    blob = base64.b64decode(frag.split(b" ")[2], validate=True)
    numbers = public.public_numbers()
    key = dsa.PublicKey.from_key_blob(blob)
    assert (key.p, key.q, key.g, key.y) == (numbers.parameter_numbers.p, numbers.parameter_numbers.q,
                                            numbers.parameter_numbers.g, numbers.y)


def test_every_normal_message_is_hashed_as_sent_and_signed_once_per_number(provisioned, tmp_path):
    folder = tmp_path / "d"
    shutil.copytree(provisioned, folder)
    lines = run_sim(folder, "cpython", tmp_path / "collector.log", cuts=0)
    # Numbers count per reboot session (RSID): the simulated day restarts once, after a firmware update.
    numbered, rsid, count = {}, None, 0
    for line in lines:
        if b"[ssign" in line:
            session = int(line.split(b' RSID="')[1].split(b'"')[0])
            if session != rsid:
                rsid, count = session, 0
        else:
            count += 1
            numbered[(rsid, count)] = line
    signed = {}
    for block in dict.fromkeys(blocks_of(lines)):       # byte-identical copies once
        if b"[ssign " not in block:
            continue
        fields = dict(part.split(b"=", 1) for part in block[block.index(b"[ssign ") + 7:block.index(b' HB=')].split(b" "))
        fmn, session = int(fields[b"FMN"].strip(b'"')), int(fields[b"RSID"].strip(b'"'))
        hb = block[block.index(b'HB="') + 4:block.index(b'" SIGN')].split(b" ")
        for i, h in enumerate(hb):
            assert signed.setdefault((session, fmn + i), h) == h
    assert sorted(signed) == sorted(numbered) and len({s for s, _ in signed}) == 2
    uri = json.loads((folder / "bundle" / "device.json").read_text())["syslog"]["service_uri"].encode()
    for number, line in numbered.items():
        assert base64.b64decode(signed[number]) == hashlib.sha256(line).digest()
        assert len(line) <= 2048 and b"\t" not in line and b"\x00" not in line
        assert b' URI="' + uri + b'"' in line            # the provisioned settings reach the formatter


def test_cpython_and_micropython_send_identical_octets(provisioned, tmp_path):
    for name in ("a", "b"):
        shutil.copytree(provisioned, tmp_path / name)
    a = run_sim(tmp_path / "a", "cpython", tmp_path / "a.log", events=160, cuts=1, seed=9)
    b = run_sim(tmp_path / "b", "micropython", tmp_path / "b.log", events=160, cuts=1, seed=9)
    assert a == b
    assert len(blocks_of(a)) > 10


@settings(max_examples=25, deadline=None)
@given(message=st.binary(min_size=0, max_size=400))
def test_rfc6979_k_agrees_with_pycryptodome(message):
    from rfc5848_vectors import KEY_G, KEY_P, KEY_Q, KEY_X, KEY_Y
    ours = dsa.PrivateKey(KEY_P, KEY_Q, KEY_G, KEY_Y, KEY_X)
    theirs = DSS.new(CryptoDSA.construct((KEY_Y, KEY_G, KEY_P, KEY_Q, KEY_X)), "deterministic-rfc6979")
    raw = theirs.sign(SHA256.new(message))
    r, s = ours.sign_digest(hashlib.sha256(message).digest())
    assert raw == r.to_bytes(32, "big") + s.to_bytes(32, "big")


def test_provisioned_key_files_are_private(provisioned):
    for name in ("syslog-signing.json", "master.key"):
        assert (provisioned / "bundle" / name).stat().st_mode & 0o077 == 0
    cert = x509.load_der_x509_certificate((provisioned / "bundle" / "syslog-signing.der").read_bytes())
    assert cert.public_key().key_size == 2048


def test_power_cut_tail_is_resent_signed_and_a_copy_elsewhere_is_still_a_duplicate(provisioned, tmp_path):
    from hcdaudit_host.syslog_verify import verify
    # Whether a cut leaves an unsigned tail depends on where it lands: try seeds.
    for seed in range(11, 19):
        folder = tmp_path / f"d{seed}"
        shutil.copytree(provisioned, folder)
        lines = run_sim(folder, "cpython", tmp_path / f"collector{seed}.log", events=300, cuts=2, seed=seed)
        trust = [folder / "escrow" / "syslog-signing.pem"]
        report = verify([tmp_path / f"collector{seed}.log"], trust)
        assert report["findings"] == [], report["findings"]
        resent = [w for w in report["warnings"] if w["kind"] == "resent"]
        assert report["verified"] == report["normal_messages"] - sum(len(w["where"]) for w in resent)
        if resent:
            break
    assert resent, "no seed left an unsigned tail to resend"
    # The same octets put into the middle of the first session are no re-send.
    normal = [i for i, line in enumerate(lines) if b"[ssign" not in line]
    later = lines[normal[-1]]
    tampered = lines[:normal[10]] + [later] + lines[normal[10]:]
    (tmp_path / "tampered.log").write_bytes(b"".join(line + b"\n" for line in tampered))
    report = verify([tmp_path / "tampered.log"], trust)
    assert [f["kind"] for f in report["findings"]] == ["duplicated"]


def test_certificate_key_blob_verifies_against_the_certificate(provisioned, tmp_path):
    from hcdaudit_host.syslog_verify import verify
    folder = tmp_path / "d"
    shutil.copytree(provisioned, folder)
    identity = json.loads((folder / "bundle" / "device.json").read_text())
    identity["syslog"]["key_blob_type"] = "C"
    (folder / "bundle" / "device.json").write_text(json.dumps(identity))
    lines = run_sim(folder, "cpython", tmp_path / "collector.log", events=80, cuts=0)
    fragments = {}
    for cb in (line for line in lines if b"[ssign-cert " in line):
        index = int(cb.split(b' INDEX="')[1].split(b'"')[0])
        fragments[index] = cb[cb.index(b'FRAG="') + 6:cb.index(b'" SIGN=')]
    # About 1,400 octets: one fragment or two, by the certificate's size; never more than 1,400 each.
    assert 1 <= len(fragments) <= 2 and all(len(f) <= 1400 for f in fragments.values())
    payload = b"".join(fragments[i] for i in sorted(fragments))
    assert payload.split(b" ")[1] == b"C"
    assert base64.b64decode(payload.split(b" ")[2]) == (folder / "bundle" / "syslog-signing.der").read_bytes()
    report = verify([tmp_path / "collector.log"], [folder / "escrow" / "syslog-signing.pem"])
    assert report["findings"] == [] and report["groups"][0]["key_blob_type"] == "C"
