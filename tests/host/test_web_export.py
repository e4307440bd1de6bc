"""The device's HTTPS admin export, served by `hcdaudit sim --https` under CPython
and the MicroPython unix port, over real TLS on 127.0.0.1: sign-in and lockout
with their audit records, plain HTTP refused, malformed and oversized requests,
the formats byte-identical to the host's export, an export and a pull while the
device logs, a power cut in the middle of an export, the admin page in Chromium."""
from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hcdaudit_host.provision import provision

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
RUNTIMES = ("cpython", "micropython")
CHROMIUM = "/usr/bin/chromium"


class Device:
    """A provisioned simulator serving its admin export; stop() returns the run's summary."""

    def __init__(self, tmp_path: Path, runtime: str, events: int = 200, rate: int = 0, duration: float = 20,
                 extra: tuple = ()):
        self.dir = tmp_path / "dev"
        provision(self.dir, "mfd-web-1", "WEB0001", admin_password=PASSWORD)
        cmd = [sys.executable, "-m", "hcdaudit_host.cli", "sim", str(self.dir), "--events", str(events),
               "--rate", str(rate), "--https", "127.0.0.1:0", "--duration", str(duration), "--runtime", runtime,
               "--json", *extra]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                     env=dict(os.environ, PYTHONPATH=f"{ROOT}:{ROOT / 'firmware'}:"
                                                                     f"{ROOT / 'host_tools'}"))
        line = self.proc.stdout.readline()
        assert line.startswith("listening https://"), line + self.proc.stderr.read()
        self.port = int(line.rsplit(":", 1)[1])
        if not rate:      # the day runs flat out, with its reboots: wait for the idle device
            line = self.proc.stdout.readline()
            assert line.startswith("idle after the day"), line + self.proc.stderr.read()

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.dir / "escrow" / "https-cert.pem"))
        return context

    def get(self, path: str, user: str | None = "admin", password: str = PASSWORD, method: str = "GET",
            body: bytes | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.context(), timeout=30)
        headers = {}
        if user is not None:
            headers["Authorization"] = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    def wait_for_records(self, count: int, timeout_s: float = 60) -> None:
        """Until the running device has logged `count` records (its own status page), bounded."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            status, body = self.get("/status.json")
            if status == 200 and json.loads(body)["newest_seq"] >= count:
                return
            time.sleep(0.2)
        raise AssertionError(f"the device did not log {count} records in {timeout_s} s")

    def raw(self, data: bytes, read_s: float = 15) -> bytes:
        """Send raw octets over TLS; everything the server answers until it closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=read_s) as plain:
            with self.context().wrap_socket(plain, server_hostname="127.0.0.1") as sock:
                if data:
                    sock.sendall(data)
                out = b""
                try:
                    while True:
                        got = sock.recv(4096)
                        if not got:
                            break
                        out += got
                except (ssl.SSLError, OSError):
                    pass
                return out

    def stop(self) -> dict:
        out, err = self.proc.communicate(timeout=180)
        assert self.proc.returncode == 0, err[-2000:]
        return json.loads(out[out.index("{"):])

    def records(self, hcdaudit) -> list[dict]:
        status, out, err = hcdaudit("export", self.dir, "--format", "jsonl")
        assert status == 0, err
        return [json.loads(line) for line in out.splitlines()]

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


@pytest.fixture
def device_factory(tmp_path):
    made = []

    def make(runtime, **options):
        d = Device(tmp_path / f"d{len(made)}", runtime, **options)
        made.append(d)
        return d
    yield make
    for d in made:
        d.kill()


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_wrong_passwords_lock_the_account_and_every_attempt_is_audited(device_factory, hcdaudit, runtime):
    dev = device_factory(runtime, events=50, duration=30)     # room for 6 PBKDF2 runs on a loaded machine
    assert dev.get("/", user=None)[0] == 401            # no credentials: a challenge, not a failed sign-in
    for _ in range(5):
        status, body = dev.get("/export/jsonl", password="wrong-password")
        assert status == 401 and b"jsonl" not in body
    status, body = dev.get("/export/jsonl")            # the right password, but locked now
    assert status == 403 and b"locked" in body
    summary = dev.stop()
    assert summary["web"]["failed_signins"] == 6 and summary["web"]["exports"] == 0
    web = [r for r in dev.records(hcdaudit) if r["interface"] == "web" and r["remote_host"] == "127.0.0.1"]
    failures = [r for r in web if r["event"] == "login_failure"]
    assert [r["items"]["reason"] for r in failures] == ["invalid_password"] * 5 + ["locked"]
    assert all(r["remote_host"] == "127.0.0.1" and r["subject"]["user_id"] == "admin" for r in failures)
    assert [r["items"]["failure_count"] for r in failures[:5]] == [1, 2, 3, 4, 5]
    lockouts = [r for r in web if r["event"] == "lockout"]
    assert len(lockouts) == 1 and lockouts[0]["items"]["threshold"] == 5
    assert lockouts[0]["seq"] == failures[4]["seq"] + 1
    assert not [r for r in web if r["event"] in ("login", "audit_export")]


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_every_format_is_the_host_export_byte_for_byte_and_audited(device_factory, hcdaudit, runtime, tmp_path):
    dev = device_factory(runtime, events=150, duration=20)
    time.sleep(1)
    bodies = {}
    for fmt in ("pwg", "fx", "xerox", "km", "jsonl", "csv"):
        status, body = dev.get(f"/export/{fmt}?seq=1-120")
        assert status == 200, body
        bodies[fmt] = body
    status, body = dev.get("/export/csv?since=2026-11-23T09:00:00Z&until=2026-11-23T12:00:00%2B00:00")
    assert status == 200
    times = [line.split(b",")[1] for line in body.splitlines()[1:]]
    assert times and all(b"T09:" <= t[10:14] <= b"T12:" for t in times)
    assert dev.get("/export/csv?since=yesterday")[0] == 400
    assert dev.get("/export/raw?seq=1-5")[0] == 400
    assert dev.get("/export/nothing")[0] == 404
    dev.stop()
    for fmt, body in bodies.items():
        out = tmp_path / f"host.{fmt}"
        status, _, err = hcdaudit("export", dev.dir, "--format", fmt, "--seq", "1-120", "-o", out)
        assert status == 0, err
        assert body == out.read_bytes(), fmt
    records = dev.records(hcdaudit)
    mine = [r for r in records if r["interface"] == "web" and r["remote_host"] == "127.0.0.1"]
    exports = [r for r in mine if r["event"] == "audit_export"]
    assert [r["items"]["operation"] for r in exports] == ["pwg", "fx", "xerox", "km", "jsonl", "csv", "csv"]
    assert exports[0]["items"]["first_seq"] == 1 and exports[0]["items"]["last_seq"] == 120
    assert exports[0]["items"]["count"] == 120 and exports[0]["items"]["protocol"] == "HTTPS"
    assert len([r for r in mine if r["event"] == "login"]) == 1


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_plain_http_malformed_oversized_and_slow_requests_get_errors_and_others_are_served(device_factory,
                                                                                           hcdaudit, runtime):
    dev = device_factory(runtime, events=100, duration=30)
    plain = http.client.HTTPConnection("127.0.0.1", dev.port, timeout=10)
    with pytest.raises((OSError, http.client.HTTPException)):
        plain.request("GET", "/export/raw")
        plain.getresponse().read()
    plain.close()
    # a slow client holds a connection open saying nothing; the others are served meanwhile
    slow = socket.create_connection(("127.0.0.1", dev.port), timeout=30)
    slow = dev.context().wrap_socket(slow, server_hostname="127.0.0.1")
    slow.sendall(b"GET / HTTP/1.1\r\n")
    started = time.monotonic()
    assert dev.raw(b"GET /" + b"a" * 600 + b" HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 414")
    assert dev.raw(b"GET / HTTP/1.1\r\n" + b"X-Pad: " + b"b" * 3000 + b"\r\n\r\n").startswith(b"HTTP/1.1 431")
    assert dev.raw(b"\x00\x01garbage\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert dev.raw(b"GET /export/../nvram.bin HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert dev.raw(b"GET /%2e%2e/bundle/master.key HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert dev.raw(b"POST /settings HTTP/1.1\r\nContent-Length: 100000\r\n\r\n").startswith(b"HTTP/1.1 413")
    assert dev.raw(b"BREW / HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 405")
    first = json.loads(dev.get("/status.json")[1])          # served while the slow client is held
    # the connection bound (4 on the host board): three more silent clients fill it, so
    # the next request waits in the listen backlog until the first slow one is let go
    held = []
    for _ in range(3):
        extra = dev.context().wrap_socket(socket.create_connection(("127.0.0.1", dev.port), timeout=30),
                                          server_hostname="127.0.0.1")
        extra.sendall(b"GET / HTTP/1.1\r\n")
        held.append(extra)
    asked = time.monotonic()
    assert dev.get("/status.json")[0] == 200
    assert time.monotonic() - asked > 10 - (asked - started) - 2       # not before the 408 freed a place
    answer = b""
    try:
        while True:
            got = slow.recv(4096)
            if not got:
                break
            answer += got
    except OSError:
        pass
    waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408") and 8 < waited < 25
    second = json.loads(dev.get("/status.json")[1])
    assert second["newest_seq"] >= first["newest_seq"] > 0
    for extra in held:
        extra.close()
    summary = dev.stop()
    assert summary["intact"] and not summary["returned_missing"]
    records = dev.records(hcdaudit)
    tls = [r for r in records if r["event"] == "trusted_channel_failure"]
    assert tls and tls[0]["items"]["protocol"] == "HTTPS" and tls[0]["items"]["peer"] == "127.0.0.1"


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_pull_during_logging_gives_a_folder_verify_and_export_accept(device_factory, hcdaudit, runtime, tmp_path,
                                                                     monkeypatch):
    dev = device_factory(runtime, events=2000, rate=100, duration=12)    # its mid-day restart comes at ~6 s
    dev.wait_for_records(120)        # past its first flushes: the pull carries segments and the ring
    copy = tmp_path / "pulled"
    copy.mkdir()
    shutil.copytree(dev.dir / "escrow", copy / "escrow")
    monkeypatch.setenv("HCDAUDIT_PASSWORD", "not-the-password")
    status, _, err = hcdaudit("pull", f"https://127.0.0.1:{dev.port}", "--device", copy)
    assert status == 2 and "refused the sign-in" in err
    assert not (copy / "nvram.bin").exists()
    monkeypatch.setenv("HCDAUDIT_PASSWORD", PASSWORD)
    status, out, err = hcdaudit("pull", f"https://127.0.0.1:{dev.port}", "--device", copy)
    assert status == 0, err
    status, out, err = hcdaudit("verify", "store", copy, "--json")
    assert status == 0, out
    pulled = json.loads(out)
    assert pulled["verified"] > 50
    status, out, _ = hcdaudit("export", copy, "--format", "csv")
    assert status == 0 and out.count("\n") == pulled["verified"] + 1
    summary = dev.stop()
    assert summary["last_seq"] > pulled["last_seq"]          # the device logged on during the export
    assert summary["intact"] and not summary["returned_missing"]


# Another device's certificate given to the copy as the pin (https-cert.pem), or as
# the provisioning CA (ca.pem) that never issued this device's: refused either way.
@pytest.mark.parametrize("trusted_as,refusal", [("https-cert.pem", "pin mismatch"), ("ca.pem", "not the device's")])
def test_pull_refuses_a_server_the_escrow_does_not_trust(device_factory, hcdaudit, tmp_path, monkeypatch,
                                                         trusted_as, refusal):
    dev = device_factory("cpython", events=20, duration=15)
    other = tmp_path / "other"
    provision(other, "someone-else", "X1", admin_password=PASSWORD)
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copytree(dev.dir / "escrow", copy / "escrow")
    shutil.copy(other / "escrow" / "https-cert.pem", copy / "escrow" / trusted_as)
    monkeypatch.setenv("HCDAUDIT_PASSWORD", PASSWORD)
    status, _, err = hcdaudit("pull", f"https://127.0.0.1:{dev.port}", "--device", copy)
    assert status == 2 and refusal in err
    dev.stop()


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_power_cut_during_an_export_loses_nothing(device_factory, hcdaudit, runtime, tmp_path, monkeypatch):
    # the day first (its own restart would cut a pull too), then the export the power cut hits
    dev = device_factory(runtime, events=300, duration=20, extra=("--cut-during-export", "8000"))
    copy = tmp_path / "pulled"
    copy.mkdir()
    shutil.copytree(dev.dir / "escrow", copy / "escrow")
    monkeypatch.setenv("HCDAUDIT_PASSWORD", PASSWORD)
    status, _, err = hcdaudit("pull", f"https://127.0.0.1:{dev.port}", "--device", copy)
    assert status == 2 and "cut short" in err, err
    assert not (copy / "nvram.bin").exists() and not (copy / ".pull-new").exists()
    status, _, err = hcdaudit("pull", f"https://127.0.0.1:{dev.port}", "--device", copy)   # after the reboot
    assert status == 0, err
    assert hcdaudit("verify", "store", copy)[0] == 0
    summary = dev.stop()
    assert summary["web"]["export_cuts"] == 1 and [c["where"] for c in summary["cuts"]] == ["export"]
    assert summary["intact"] and not summary["returned_missing"]
    assert hcdaudit("verify", "store", dev.dir)[0] == 0


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium")
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_chromium_loads_the_admin_page(device_factory, runtime, tmp_path):
    dev = device_factory(runtime, events=60, duration=30)
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp_path / 'chromium'}", "--ignore-certificate-errors",
                           "--dump-dom", f"https://admin:{PASSWORD}@127.0.0.1:{dev.port}/"],
                          capture_output=True, text=True, timeout=60)
    dom = proc.stdout
    assert 'id="newest_seq"' in dom and 'href="/export/raw"' in dom, proc.stderr[-2000:]
    assert 'href="/export/pwg"' in dom and "mfd-web-1" in dom
    dev.kill()


def test_provision_stores_only_a_salted_pbkdf2_hash_and_a_ca_issued_https_certificate(tmp_path, hcdaudit):
    import datetime
    import hashlib
    import stat

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    ca_dir = tmp_path / "ca"
    ca_dir.mkdir()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    ca = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
          .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    (ca_dir / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (ca_dir / "ca.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    dev = tmp_path / "dev"
    assert hcdaudit("provision", dev, "--ca", ca_dir, "--admin-password-file", secret)[0] == 0
    stored = json.loads((dev / "bundle" / "admin.json").read_text())
    assert PASSWORD not in (dev / "bundle" / "admin.json").read_text()
    assert stat.S_IMODE((dev / "bundle" / "admin.json").stat().st_mode) == 0o600
    assert stored["kdf"] == "pbkdf2-sha256" and stored["iterations"] == 200000 and len(stored["salt"]) == 32
    assert hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), bytes.fromhex(stored["salt"]),
                               stored["iterations"]).hex() == stored["hash"]
    cert = x509.load_der_x509_certificate((dev / "bundle" / "https-cert.der").read_bytes())
    assert cert.issuer == ca.subject
    cert.verify_directly_issued_by(ca)
    short = tmp_path / "short"
    short.write_text("abc\n")
    status, _, err = hcdaudit("provision", tmp_path / "dev2", "--admin-password-file", short)
    assert status == 2 and "at least 8" in err


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_an_unusable_device_certificate_is_audited_and_the_export_stays_off(tmp_path, hcdaudit, runtime):
    dev = tmp_path / "dev"
    provision(dev, "mfd-web-2", "WEB0002", admin_password=PASSWORD)
    key = dev / "bundle" / "https-key.der"
    key.write_bytes(key.read_bytes()[:40])        # a damaged key file
    status, out, err = hcdaudit("sim", dev, "--events", "20", "--https", "127.0.0.1:0", "--duration", "1",
                                "--runtime", runtime)
    assert status == 0, err
    assert "listening" not in out
    status, out, _ = hcdaudit("export", dev, "--format", "jsonl")
    failures = [json.loads(line) for line in out.splitlines() if '"trusted_channel_failure"' in line]
    assert failures and failures[0]["items"]["protocol"] == "HTTPS"
    assert "unusable" in failures[0]["items"]["reason"] and failures[0]["items"]["direction"] == "inbound"
