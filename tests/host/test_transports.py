"""TLS (RFC 5425) and RELP transports of the firmware against a real rsyslog on
127.0.0.1, run under CPython in this process and under the MicroPython unix
port in a subprocess: the same driver code (DRIVER below) on both.

* TLS: collector verified by CA (chain + name), by pinned SHA-256 fingerprint,
  mutual TLS with a client certificate; an untrusted, an expired, a misnamed
  collector certificate and a wrong fingerprint each give TrustedChannelError
  with its reason, and nothing reaches rsyslog.
* RELP, plain and over TLS: every message acknowledged, in order, and stored
  byte-identically; rsyslog stopped (or killed) mid-stream: the unacknowledged
  messages are reported, re-sent after the reconnect, and none is missing.
* Throughput on loopback, printed (messages/s) for both runtimes.
"""
from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
import os
import tempfile
import threading
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from conftest import record_figure, run_micropython
from rsyslog import HOST, make_test_pki

RUNTIMES = ("cpython", "micropython")

# The driver: portable code (CPython and MicroPython), configured by one JSON
# argument; it reports one JSON result and never raises for a transport error.
DRIVER = r'''
import json
import sys
import time

from hcdaudit.hal import net

try:
    from time import ticks_diff, ticks_us
except ImportError:
    def ticks_us():
        return int(time.perf_counter() * 1000000)

    def ticks_diff(a, b):
        return a - b


def message(i, label):
    """Message i of a run: RFC 5424, 120..2019 octets, UTF-8 MSG after a BOM."""
    size = 120 + (i * 389) % 1900
    head = (b"<54>1 2026-11-23T09:%02d:%02d.%06dZ printer.example.com hcdaudit " % ((i // 60) % 60, i % 60, i)
            + label + b' - [hcdaudit@32473 seq="%d"] \xef\xbb\xbf' % i)
    body = b"\xc3\xa9v\xc3\xa9nement %d: " % i
    fill = size - len(head) - len(body)
    if fill > 0:
        body += (b"abcdefghij" * (fill // 10 + 1))[:fill]
    return head + body


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _exists(path):
    try:
        open(path).close()
        return True
    except OSError:
        return False


def _transport(config, on_ack):
    options = {}
    for key in ("ca", "client_cert", "client_key"):
        if config.get(key):
            options[key] = _read(config[key])
    for key in ("fingerprint", "server_name"):
        if config.get(key):
            options[key] = config[key]
    if config["url"].startswith("relp"):
        options["window"] = config.get("window", 32)
        options["on_ack"] = on_ack
    return net.open_transport(config["url"], timeout_s=config.get("timeout_s", 5), **options)


def _error(exc):
    return {"type": type(exc).__name__, "text": str(exc), "reason": getattr(exc, "reason", None),
            "protocol": getattr(exc, "protocol", None), "peer": getattr(exc, "peer", None),
            "undelivered": list(getattr(exc, "undelivered", ()))}


def run(config):
    label = config["label"].encode()
    count = config["count"]
    relp = config["url"].startswith("relp")
    messages = [message(i, label) for i in range(count)]
    acked = []
    result = {"sent": 0, "failures": 0, "reported": [], "sessions": 0, "error": None}
    transport = _transport(config, acked.append)
    queue = list(range(count))
    i = 0
    paused = config.get("pause_at") is None
    start = ticks_us()
    while i < len(queue):
        if not paused and i >= config["pause_at"]:
            # ask the test to take rsyslog down, and wait until it has
            open(config["sync"] + "/request", "w").close()
            for _ in range(600):
                if _exists(config["sync"] + "/stopped"):
                    break
                time.sleep(0.05)
            paused = True
        tag = queue[i]
        try:
            if transport.open():
                result["sessions"] += 1
            if relp:
                transport.send(messages[tag], tag)
            else:
                transport.send(messages[tag])
            result["sent"] += 1
            i += 1
            if config.get("poll_every") and i % config["poll_every"] == 0:
                # The first poll waits for an answer (every message sent so far is still
                # in the window); later ones read what has arrived.
                wait = 2 if "polled" not in result else 0
                result["polled"] = result.get("polled", 0) + transport.poll(wait)
        except OSError as exc:          # TransportError, TrustedChannelError, or the socket's own
            result["failures"] += 1
            lost = list(getattr(exc, "undelivered", ()))
            if config.get("pause_at") is None or ticks_diff(ticks_us(), start) > 60000000:
                result["error"] = _error(exc)
                break
            # the collector is away: re-send what it did not acknowledge, first and unchanged
            result["reported"].append(lost)
            rest = [t for t in queue[i:] if t not in lost]
            queue = lost + rest
            i = 0
            time.sleep(0.05)
    if config.get("poll_every") and result["error"] is None:
        transport.wait_acked(5)
        result["acked_before_close"] = len(acked)
    lost = transport.close()
    result["seconds"] = ticks_diff(ticks_us(), start) / 1000000
    result["lost"] = lost or []
    result["acked"] = acked
    channel = getattr(transport, "channel", None)
    result["session"] = list(channel.session) if channel is not None and channel.session else None
    result["octets"] = sum(len(m) for m in messages)
    return result


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)
    print("RESULT " + json.dumps(run(config)))
'''

_namespace: dict = {}
exec(compile(DRIVER, "transport-driver", "exec"), _namespace)
message = _namespace["message"]


def drive(runtime: str, config: dict) -> dict:
    if runtime == "cpython":
        return _namespace["run"](config)
    # the config goes in a file: this unix port dies ("FATAL: uncaught NLR") on
    # any command-line argument of 256 octets or more
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(config, f)
    try:
        proc = run_micropython(DRIVER + "\nmain()\n", f.name, heap="16M", timeout=180)
    finally:
        os.unlink(f.name)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, proc.stdout + proc.stderr
    return json.loads(lines[-1][7:])


def messages(label: str, count: int) -> list[bytes]:
    return [message(i, label.encode()) for i in range(count)]


def fingerprint(der: bytes) -> str:
    return "sha-256:" + ":".join("%02X" % b for b in hashlib.sha256(der).digest())


# ------------------------------------------------------------------ PKI
def _der_cert(path) -> bytes:
    return x509.load_pem_x509_certificate(Path(path).read_bytes()).public_bytes(serialization.Encoding.DER)


def _der_key(path) -> bytes:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), None)
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _expired_collector(pki: dict, directory: Path) -> tuple[str, str]:
    """A collector certificate from the right CA whose validity ended yesterday."""
    ca_key = serialization.load_pem_private_key(Path(pki["ca_key"]).read_bytes(), None)
    ca = x509.load_pem_x509_certificate(Path(pki["ca_cert"]).read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(99)
            .not_valid_before(now - datetime.timedelta(days=30))
            .not_valid_after(now - datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address(HOST))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = directory / "expired.pem", directory / "expired.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """The test PKI (make_test_pki), another CA's collector, an expired collector, and DER files."""
    base = tmp_path_factory.mktemp("transport-pki")
    out = make_test_pki(base / "pki")
    other = make_test_pki(base / "other")
    out["other_collector_cert"], out["other_collector_key"] = other["collector_cert"], other["collector_key"]
    out["expired_cert"], out["expired_key"] = _expired_collector(out, base)
    for label in ("ca", "collector", "client"):
        path = base / f"{label}.der"
        path.write_bytes(_der_cert(out[f"{label}_cert"]))
        out[f"{label}_der"] = str(path)
    (base / "client.key.der").write_bytes(_der_key(out["client_key"]))
    out["client_key_der"] = str(base / "client.key.der")
    out["collector_fingerprint"] = fingerprint(Path(out["collector_der"]).read_bytes())
    out["client_fingerprint"] = fingerprint(Path(out["client_der"]).read_bytes())
    return out


def collector_tls(pki: dict, cert: str = "collector", **extra) -> dict:
    return dict(cert=pki[f"{cert}_cert"], key=pki[f"{cert}_key"], ca=pki["ca_cert"], **extra)


# ------------------------------------------------------------ helpers
def wait_for_all(collector, expected: list[bytes], timeout: float = 30.0) -> list[bytes]:
    """Bounded wait until rsyslog's file holds every expected message; returns its lines."""
    wanted = set(expected)
    deadline = time.monotonic() + timeout
    while True:
        lines = collector.lines()
        if wanted <= set(lines):
            return lines
        if time.monotonic() > deadline:
            missing = len(wanted - set(lines))
            raise AssertionError(f"rsyslog holds {len(lines)} lines, {missing} of {len(wanted)} messages "
                                 "missing\n" + collector.diagnostics())
        time.sleep(0.05)


def assert_nothing_delivered(collector, settle: float = 0.5) -> None:
    time.sleep(settle)
    assert collector.lines() == []


def report(capsys, text: str) -> None:
    record_figure(text)


def config(label, url, count, **extra) -> dict:
    return dict(label=label, url=url, count=count, **extra)


# ------------------------------------------------------------------ TLS
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_tls_verified_by_ca(runtime, pki, rsyslog_factory):
    collector = rsyslog_factory(tls=collector_tls(pki))
    label = f"tls-ca-{runtime}"
    result = drive(runtime, config(label, f"tls://{HOST}:{collector.tls_port}", 300, ca=pki["ca_der"]))
    assert result["error"] is None and result["sent"] == 300 and result["sessions"] == 1, result
    assert result["session"][0] in ("TLSv1.2", "TLSv1.3"), result["session"]
    assert collector.wait_for_lines(300) == messages(label, 300)     # one connection: in order, byte-identical


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_tls_pinned_fingerprint(runtime, pki, rsyslog_factory):
    collector = rsyslog_factory(tls=collector_tls(pki))
    label = f"tls-pin-{runtime}"
    result = drive(runtime, config(label, f"tls://{HOST}:{collector.tls_port}", 200,
                                   fingerprint=pki["collector_fingerprint"]))
    assert result["error"] is None and result["sent"] == 200, result
    assert collector.wait_for_lines(200) == messages(label, 200)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_mutual_tls_with_client_certificate(runtime, pki, rsyslog_factory):
    collector = rsyslog_factory(tls=collector_tls(pki, auth_mode="x509/name", permitted_peer=pki["client_name"]))
    url = f"tls://{HOST}:{collector.tls_port}"
    label = f"tls-mutual-{runtime}"
    result = drive(runtime, config(label, url, 200, ca=pki["ca_der"], server_name="localhost",
                                   client_cert=pki["client_der"], client_key=pki["client_key_der"]))
    assert result["error"] is None and result["sent"] == 200, result
    assert collector.wait_for_lines(200) == messages(label, 200)
    # without the client certificate rsyslog lets nothing in
    drive(runtime, config(f"tls-anonymous-{runtime}", url, 20, ca=pki["ca_der"]))
    time.sleep(0.5)
    assert len(collector.lines()) == 200


BAD_SERVERS = {
    # collector certificate, client options, expected reason
    "other-ca": ("other_collector", {"ca": "ca_der"}, "certificate not trusted"),
    "expired": ("expired", {"ca": "ca_der"}, "certificate expired"),
    "wrong-name": ("collector", {"ca": "ca_der", "server_name": "collector.example.org"},
                   "certificate name mismatch"),
    "wrong-fingerprint": ("collector", {"fingerprint": "client_fingerprint"}, "fingerprint mismatch"),
    "ca-right-pin-wrong": ("collector", {"ca": "ca_der", "fingerprint": "client_fingerprint"},
                           "fingerprint mismatch"),
    "pin-of-other-collector": ("other_collector", {"fingerprint": "collector_fingerprint"},
                               "fingerprint mismatch"),
}


@pytest.mark.parametrize("case", sorted(BAD_SERVERS))
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_untrusted_collector_is_refused(runtime, case, pki, rsyslog_factory):
    cert, options, reason = BAD_SERVERS[case]
    collector = rsyslog_factory(tls=collector_tls(pki, cert))
    for scheme, port in (("tls", collector.tls_port),):
        client = {k: (v if k == "server_name" else pki[v]) for k, v in options.items()}
        result = drive(runtime, config(f"bad-{case}", f"{scheme}://{HOST}:{port}", 5, **client))
        error = result["error"]
        assert error is not None and result["sent"] == 0, result
        assert error["type"] == "TrustedChannelError", error
        assert (error["protocol"], error["peer"], error["reason"]) == ("TLS", f"{HOST}:{port}", reason), error
    assert_nothing_delivered(collector)


# ----------------------------------------------------------------- RELP
def _check_relp_run(result: dict, count: int) -> None:
    assert result["error"] is None and result["sent"] == count, result
    assert result["acked"] == list(range(count))        # every one, in send order
    assert result["lost"] == [] and result["failures"] == 0


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_relp_every_message_acknowledged_and_stored(runtime, rsyslog_factory):
    collector = rsyslog_factory(relp=True)
    label = f"relp-{runtime}"
    result = drive(runtime, config(label, f"relp://{HOST}:{collector.relp_port}", 400, window=32, poll_every=10))
    _check_relp_run(result, 400)
    assert result["polled"] > 0 and result["acked_before_close"] == 400      # poll() and wait_acked() report them
    assert collector.wait_for_lines(400) == messages(label, 400)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_relp_window_of_one(runtime, rsyslog_factory):
    collector = rsyslog_factory(relp=True)
    label = f"relp-w1-{runtime}"
    result = drive(runtime, config(label, f"relp://{HOST}:{collector.relp_port}", 50, window=1))
    _check_relp_run(result, 50)
    assert collector.wait_for_lines(50) == messages(label, 50)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_relp_over_tls(runtime, pki, rsyslog_factory):
    collector = rsyslog_factory(relp=collector_tls(pki))                  # librelp + OpenSSL, server auth
    label = f"relp-tls-{runtime}"
    result = drive(runtime, config(label, f"relp+tls://{HOST}:{collector.relp_port}", 300, ca=pki["ca_der"]))
    _check_relp_run(result, 300)
    assert result["session"][0] in ("TLSv1.2", "TLSv1.3")
    assert collector.wait_for_lines(300) == messages(label, 300)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_relp_over_mutual_tls(runtime, pki, rsyslog_factory):
    collector = rsyslog_factory(relp=collector_tls(pki, auth_mode="x509/name",      # librelp + GnuTLS
                                                   permitted_peer=pki["client_name"]))
    label = f"relp-mtls-{runtime}"
    result = drive(runtime, config(label, f"relp+tls://{HOST}:{collector.relp_port}", 200,
                                   fingerprint=pki["collector_fingerprint"],
                                   client_cert=pki["client_der"], client_key=pki["client_key_der"]))
    _check_relp_run(result, 200)
    assert collector.wait_for_lines(200) == messages(label, 200)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_relp_over_tls_untrusted_collector(runtime, pki, rsyslog_factory):
    collector = rsyslog_factory(relp=collector_tls(pki, "other_collector"))
    result = drive(runtime, config("relp-bad", f"relp+tls://{HOST}:{collector.relp_port}", 5, ca=pki["ca_der"]))
    error = result["error"]
    assert error["type"] == "TrustedChannelError" and error["reason"] == "certificate not trusted", error
    assert error["undelivered"] == [] and result["acked"] == []      # open() failed: nothing was sent
    assert_nothing_delivered(collector)


def _outage(runtime: str, collector, tmp_path: Path, how: str, label: str, url: str, count: int,
            **extra) -> tuple[dict, list[bytes]]:
    """Drive `count` RELP messages; after 150 of them rsyslog is stopped (or
    killed) for a second and started again, while the driver keeps going."""
    sync = tmp_path / f"sync-{label}"
    sync.mkdir()
    results: list = []
    errors: list = []

    def target():
        try:
            results.append(drive(runtime, config(label, url, count, pause_at=150, sync=str(sync), **extra)))
        except BaseException as exc:     # noqa: BLE001  (re-raised in the test thread)
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not (sync / "request").exists():
            assert thread.is_alive() and time.monotonic() < deadline, errors or "driver never paused"
            time.sleep(0.02)
        collector.stop() if how == "stop" else collector.kill()
        (sync / "stopped").touch()
        time.sleep(1.0)
        collector.start()
    finally:
        thread.join(timeout=180)
    if errors:
        raise errors[0]
    assert not thread.is_alive(), "driver still running"
    result = results[0]
    assert result["error"] is None, result
    expected = messages(label, count)
    return result, wait_for_all(collector, expected)


@pytest.mark.parametrize("how", ("stop", "kill"))
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_relp_collector_outage_loses_nothing(runtime, how, tmp_path, rsyslog_factory, capsys):
    collector = rsyslog_factory(relp=True)
    label = f"relp-{how}-{runtime}"
    count = 400
    result, lines = _outage(runtime, collector, tmp_path, how, label,
                            f"relp://{HOST}:{collector.relp_port}", count, window=32)
    reported = [tag for lost in result["reported"] for tag in lost]
    assert result["failures"] >= 1 and result["sessions"] >= 2, result
    assert reported, "no unacknowledged message was reported"
    assert sorted(set(result["acked"])) == list(range(count))          # in the end, each one acknowledged
    assert result["lost"] == []
    expected = messages(label, count)
    assert set(lines) == set(expected)                                 # byte-identical, nothing else, none missing
    report(capsys, f"{runtime} RELP, rsyslog {'stopped' if how == 'stop' else 'killed'} after message 150: "
                   f"{result['failures']} failed calls (sends and refused reconnects), unacknowledged "
                   f"reported and re-sent: {sorted(set(reported))}, {result['sessions']} sessions, "
                   f"{len(lines) - count} duplicates stored")


def test_relp_session_renewal_before_txnr_wrap(rsyslog_factory):
    """When the TXNR space is used up, open() closes the session cleanly and
    starts a new one at TXNR 1 (librelp cannot follow the wrap)."""
    from hcdaudit.hal import net
    collector = rsyslog_factory(relp=True)
    acked = []
    transport = net.open_transport(f"relp://{HOST}:{collector.relp_port}", on_ack=acked.append)
    expected = messages("renewal", 40)
    assert transport.open() is True
    for i, m in enumerate(expected[:20]):
        transport.send(m, i)
    client = transport._client
    client.exhausted = lambda: True           # as if TXNR 999999998 had been used
    assert transport.open() is True           # the new session: the caller owes a certificate block
    del client.exhausted
    assert acked == list(range(20)) and client.txnr == 1
    for i, m in enumerate(expected[20:], start=20):
        transport.send(m, i)
    assert transport.open() is False and transport.close() == []
    assert acked == list(range(40)) and transport.sessions == 2
    assert collector.wait_for_lines(40) == expected


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_relp_over_tls_outage(runtime, pki, tmp_path, rsyslog_factory):
    collector = rsyslog_factory(relp=collector_tls(pki))
    label = f"relp-tls-stop-{runtime}"
    result, lines = _outage(runtime, collector, tmp_path, "stop", label,
                            f"relp+tls://{HOST}:{collector.relp_port}", 300, ca=pki["ca_der"])
    assert result["failures"] >= 1 and result["sessions"] >= 2, result
    assert sorted(set(result["acked"])) == list(range(300))
    assert set(lines) == set(messages(label, 300))


# ---------------------------------------------------------- throughput
@pytest.mark.parametrize("transport", ("tcp", "tls", "relp", "relp+tls"))
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_throughput(runtime, transport, pki, rsyslog_factory, capsys):
    """Messages/s to rsyslog on loopback: TCP/TLS until the last octet is
    written (rsyslog's file is then checked), RELP until every message is
    acknowledged (close() returned). Messages 120..2019 octets, mean ~1070."""
    count = 3000
    tls = collector_tls(pki)
    collector = rsyslog_factory(tls=tls if transport == "tls" else None,
                                relp=tls if transport == "relp+tls" else transport == "relp")
    port = {"tcp": collector.tcp_port, "tls": collector.tls_port}.get(transport, collector.relp_port)
    extra = {"ca": pki["ca_der"]} if "tls" in transport else {}
    label = f"speed-{transport}-{runtime}"
    result = drive(runtime, config(label, f"{transport}://{HOST}:{port}", count, window=32, **extra))
    assert result["error"] is None and result["sent"] == count, result
    if transport.startswith("relp"):
        assert result["acked"] == list(range(count))
    assert len(wait_for_all(collector, messages(label, count), timeout=60)) == count
    rate = count / result["seconds"]
    report(capsys, f"throughput {runtime:11} {transport:8}: {rate:8.0f} messages/s, "
                   f"{result['octets'] / result['seconds'] / 1e6:5.1f} MB/s "
                   f"({count} messages in {result['seconds']:.3f} s incl. connect/handshake"
                   + (f", {result['session'][0]} {result['session'][1]}" if result["session"] else "") + ")")
