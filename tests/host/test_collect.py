"""`hcdaudit collect`: the built-in collector stores what the device sends so
that `verify syslog` verifies it, deframes RFC 6587 per frame, never writes a
broken frame half, and survives hostile peers. Every socket has a timeout,
every wait a deadline, and every collector is stopped."""
from __future__ import annotations

import argparse
import datetime
import ipaddress
import select
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from hypothesis import given, settings, strategies as st

from conftest import ROOT
from hcdaudit_host import collect, sim, syslog_verify
from hcdaudit_host.collect import FrameError, FrameParser

TIMEOUT = 10.0


# ------------------------------------------------------------------ helpers

@pytest.fixture(scope="module")
def provisioned(tmp_path_factory):
    from hcdaudit_host.provision import provision
    folder = tmp_path_factory.mktemp("dev") / "device"
    provision(folder, "mfd-collect-1", "COL0001")
    return folder


def trust_anchor(device_dir: Path) -> Path:
    escrow = device_dir / "escrow" / "syslog-signing.pem"
    return escrow if escrow.exists() else device_dir / "syslog-signing.pem"


def fresh_device(provisioned, tmp_path) -> Path:
    import shutil
    folder = tmp_path / "device"
    shutil.copytree(provisioned, folder)
    return folder


def message(n: int, body: str = "hello") -> bytes:
    return (f"<110>1 2026-11-23T07:00:{n % 60:02d}.000000Z mfd-1.example.com hcdaudit - audit - "
            f"\ufeff{body} {n}").encode()


def octet_counted(msg: bytes) -> bytes:
    return b"%d %s" % (len(msg), msg)


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock.settimeout(TIMEOUT)
    return sock


def closed_by_peer(sock: socket.socket, timeout: float = TIMEOUT) -> bool:
    """True once the collector has closed the connection (EOF or reset), within the timeout."""
    sock.settimeout(timeout)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def lines(path: Path) -> list[bytes]:
    data = path.read_bytes()
    assert data == b"" or data.endswith(b"\n"), "the collector file ends in the middle of a line"
    return data.split(b"\n")[:-1]


@pytest.fixture
def tcp_collector(tmp_path):
    out = tmp_path / "collector.log"
    handle = collect.run_in_thread("tcp://127.0.0.1:0", out, report=lambda line: None)
    try:
        yield handle, out
    finally:
        handle.stop()


# ------------------------------------------------------------------ the device through the collector

@pytest.mark.parametrize("scheme", ["tcp", "udp"])
def test_device_sim_through_the_collector_verifies(provisioned, tmp_path, scheme):
    device = fresh_device(provisioned, tmp_path)
    out = tmp_path / f"collector-{scheme}.log"
    with collect.run_in_thread(f"{scheme}://127.0.0.1:0", out) as handle:
        assert handle.port > 0
        summary = sim.run(device, 400, 11, 1, "cpython", syslog=f"{scheme}://127.0.0.1:{handle.port}")
        sent = summary["syslog"]
        assert sent["failed"] == 0 and sent["lost"] == 0 and sent["undelivered"] == 0
        expected = sent["messages"] + sent["blocks"]
        assert handle.wait_for(expected, TIMEOUT), f"{handle.count} of {expected} messages stored"
        assert handle.wait_idle(quiet=0.2, timeout=TIMEOUT) == expected
        assert handle.errors == 0, handle.error_messages
    assert len(lines(out)) == expected
    report = syslog_verify.verify([out], [trust_anchor(device)])
    assert report["findings"] == [], syslog_verify.describe(report)
    assert report["ok"] and report["verified"] >= summary["logged"]
    if scheme == "tcp":
        assert handle.collector.connections == sent["sessions"]


def test_signed_stream_over_tls_verifies(provisioned, tmp_path, tls_files):
    """The firmware has no TLS transport: replay its signed messages through a TLS client, octet-counted."""
    device = fresh_device(provisioned, tmp_path)
    captured = tmp_path / "captured.log"
    sim.run(device, 150, 4, 0, "cpython", syslog=f"file://{captured}")
    sent = lines(captured)
    out = tmp_path / "collector-tls.log"
    with collect.run_in_thread("tls://127.0.0.1:0", out, certfile=tls_files["cert"], keyfile=tls_files["key"]) as h:
        with tls_client(h.port, tls_files["ca"]) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            tls.sendall(b"".join(octet_counted(m) for m in sent))
            assert h.wait_for(len(sent), TIMEOUT)
        assert h.errors == 0, h.error_messages
    assert lines(out) == sent
    report = syslog_verify.verify([out], [trust_anchor(device)])
    assert report["ok"] and report["findings"] == [], syslog_verify.describe(report)


# ------------------------------------------------------------------ framing

def test_octet_counted_and_lf_framing_mixed_on_one_connection(tcp_collector):
    handle, out = tcp_collector
    msgs = [message(i, "x" * (i * 7 % 50)) for i in range(40)]
    msgs[5] = message(5, "a message with ] and \\ and \" and UTF-8 \u00e9\u20ac")
    stream = b"".join(octet_counted(m) if i % 3 else m + b"\n" for i, m in enumerate(msgs))
    stream = stream.replace(msgs[9] + b"\n", msgs[9] + b"\n\r\n")   # stray line breaks between frames
    with connect(handle.port) as sock:
        for start in range(0, len(stream), 13):                      # frames split across reads
            sock.sendall(stream[start:start + 13])
            time.sleep(0.0005)
        assert handle.wait_for(len(msgs), TIMEOUT)
    assert handle.wait_idle(quiet=0.1) == len(msgs)
    assert lines(out) == msgs
    assert handle.errors == 0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.binary(min_size=1, max_size=300), st.booleans()), min_size=1, max_size=20),
       st.lists(st.integers(min_value=1, max_value=64), min_size=1, max_size=10))
def test_frame_parser_recovers_any_framing_at_any_split(frames, cuts):
    msgs = []
    stream = b""
    for body, lf_framed in frames:
        msg = b"<" + body.replace(b"\n", b"_").replace(b"\0", b"_")
        msgs.append(msg)
        stream += msg + b"\n" if lf_framed else octet_counted(msg)
    parser = FrameParser(max_size=1000)
    got = []
    pos, i = 0, 0
    while pos < len(stream):
        step = cuts[i % len(cuts)]
        got += parser.feed(stream[pos:pos + step])
        pos += step
        i += 1
    parser.end()
    assert got == msgs


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=1, max_value=50))
def test_frame_parser_never_crashes_on_garbage(data, step):
    parser = FrameParser(max_size=256)
    for pos in range(0, len(data), step):
        try:
            for msg in parser.feed(data[pos:pos + step]):
                assert collect.storable(msg, 256) is None
        except FrameError as exc:
            assert all(collect.storable(m, 256) is None for m in exc.messages)
            return
    try:
        parser.end()
    except FrameError:
        pass


HOSTILE = {
    "huge count": b"99999999999999999999 <13>1 x",
    "count over the limit": b"70000 <13>1 - - - - - -",
    "non-digit count": b"12a <13>1 - - - - - -",
    "count not followed by SP": b"12\t<13>1 - - - - -",
    "leading zero": b"012 <13>1 - - - - -",
    "neither count nor <": b"hello there\n",
    "LF inside an octet-counted message": b"12 <13>1 -\n- - -",
    "NUL inside an octet-counted message": b"12 <13>1 -\0- - -",
    "NUL inside an LF-framed message": b"<13>1 - -\0 - - -\n",
    "early close mid-count": b"12",
    "early close mid-message": b"200 <13>1 2026-11-23T07:00:00Z host app - - - only part of it",
    "early close without the trailing LF": b"<13>1 2026-11-23T07:00:00Z host app - - - no LF",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_frame_closes_the_connection_and_writes_nothing_half(tcp_collector, name):
    handle, out = tcp_collector
    good = [message(1), message(2)]
    with connect(handle.port) as sock:
        sock.sendall(octet_counted(good[0]) + good[1] + b"\n" + HOSTILE[name])
        if name.startswith("early close"):
            assert handle.wait_for(2, TIMEOUT)
            sock.shutdown(socket.SHUT_WR)
        assert closed_by_peer(sock), "the collector kept the connection open"
    deadline = time.monotonic() + TIMEOUT
    while handle.errors == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert handle.errors == 1, handle.error_messages
    assert lines(out) == good
    # The collector is still there for the next sender.
    with connect(handle.port) as sock:
        sock.sendall(octet_counted(message(3)))
        assert handle.wait_for(3, TIMEOUT)
    assert lines(out) == good + [message(3)]


def test_huge_count_is_refused_before_any_body_arrives(tcp_collector):
    handle, out = tcp_collector
    with connect(handle.port) as sock:
        sock.sendall(b"65537 ")                      # one over the 64 KiB limit: refused at the count
        assert closed_by_peer(sock, timeout=5)
    assert "exceeds the 65536-octet limit" in handle.error_messages[-1]
    assert out.read_bytes() == b""


def test_lf_frame_without_lf_is_bounded(tmp_path):
    out = tmp_path / "c.log"
    with collect.run_in_thread("tcp://127.0.0.1:0", out, max_size=1024, report=lambda line: None) as handle:
        with connect(handle.port) as sock:
            try:
                for _ in range(64):                  # 64 KiB of "<" and no LF: refused once past 1 KiB
                    sock.sendall(b"<" + b"a" * 1023)
            except (ConnectionResetError, BrokenPipeError):
                pass
            assert closed_by_peer(sock, timeout=5)
        assert "no LF within 1024 octets" in handle.error_messages[-1]
    assert out.read_bytes() == b""


def test_udp_datagrams_that_cannot_be_stored_are_dropped(tmp_path):
    out = tmp_path / "c.log"
    with collect.run_in_thread("udp://127.0.0.1:0", out, report=lambda line: None) as handle:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for datagram in (message(1), message(2) + b"\n", b"<13>1 a\0b", b"", message(3)):
                sock.sendto(datagram, ("127.0.0.1", handle.port))
        assert handle.wait_for(2, TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while handle.errors < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert handle.errors == 3, handle.error_messages
    assert lines(out) == [message(1), message(3)]


def test_max_messages_stops_storing(tmp_path):
    out = tmp_path / "c.log"
    with collect.run_in_thread("tcp://127.0.0.1:0", out, max_messages=5, report=lambda line: None) as handle:
        with connect(handle.port) as sock:
            sock.sendall(b"".join(octet_counted(message(i)) for i in range(20)))
            assert closed_by_peer(sock)
        assert handle.count == 5
    assert lines(out) == [message(i) for i in range(5)]


def test_bad_listen_urls_are_usage_errors(tmp_path):
    from hcdaudit_host.errors import UsageError
    for url in ("127.0.0.1:514", "http://127.0.0.1:80", "tcp://127.0.0.1", "udp://:514", "tcp://h:99999"):
        with pytest.raises(UsageError):
            collect.Collector(url, tmp_path / "c.log")
    with pytest.raises(UsageError, match="needs --cert"):
        collect.Collector("tls://127.0.0.1:0", tmp_path / "c.log")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(UsageError, match="cannot listen"):
            collect.run_in_thread(f"tcp://127.0.0.1:{busy.getsockname()[1]}", tmp_path / "c.log")


# ------------------------------------------------------------------ TLS

@pytest.fixture(scope="module")
def tls_files(tmp_path_factory):
    """A test CA, a collector certificate for 127.0.0.1/localhost, and a client certificate."""
    folder = tmp_path_factory.mktemp("tls")
    now = datetime.datetime.now(datetime.timezone.utc)

    def key():
        return ec.generate_private_key(ec.SECP256R1())

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def issue(subject_key, cn, issuer_key, issuer_name, ca=False, sans=None):
        builder = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(issuer_name)
                   .public_key(subject_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=2))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            builder = builder.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                                            critical=True)
        if sans:
            builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def write(stem, certificate, private_key):
        (folder / f"{stem}.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        (folder / f"{stem}.key").write_bytes(private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    ca_key = key()
    ca = issue(ca_key, "hcdaudit test CA", ca_key, name("hcdaudit test CA"), ca=True)
    server_key = key()
    server = issue(server_key, "collector.test", ca_key, ca.subject,
                   sans=[x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    client_key = key()
    client = issue(client_key, "mfd-1.example.com", ca_key, ca.subject, sans=[x509.DNSName("mfd-1.example.com")])
    write("ca", ca, ca_key)
    write("server", server, server_key)
    write("client", client, client_key)
    return {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "server.key",
            "client_cert": folder / "client.pem", "client_key": folder / "client.key"}


def tls_client(port: int, ca: Path, cert: Path | None = None, key: Path | None = None) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=str(ca))
    if cert:
        context.load_cert_chain(str(cert), str(key))
    return context.wrap_socket(connect(port), server_hostname="127.0.0.1")


def test_tls_mixed_framing_and_a_broken_frame(tmp_path, tls_files):
    out = tmp_path / "c.log"
    with collect.run_in_thread("tls://127.0.0.1:0", out, certfile=tls_files["cert"], keyfile=tls_files["key"],
                               report=lambda line: None) as handle:
        with tls_client(handle.port, tls_files["ca"]) as tls:
            tls.sendall(octet_counted(message(1)) + message(2) + b"\n" + octet_counted(message(3)))
            assert handle.wait_for(3, TIMEOUT)
            tls.sendall(b"30 <13>1 half a frame")
            try:
                tls.unwrap()                         # close_notify: the stream ends mid-frame
            except (ssl.SSLError, OSError):
                pass
        deadline = time.monotonic() + TIMEOUT
        while handle.errors == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert handle.errors == 1 and "middle of a frame" in handle.error_messages[0]
    assert lines(out) == [message(1), message(2), message(3)]


def test_tls_handshake_failures_are_reported_not_fatal(tmp_path, tls_files):
    out = tmp_path / "c.log"
    with collect.run_in_thread("tls://127.0.0.1:0", out, certfile=tls_files["cert"], keyfile=tls_files["key"],
                               client_ca=tls_files["ca"], handshake_timeout=2, report=lambda line: None) as handle:
        with connect(handle.port) as plain:          # plain syslog to the TLS port
            plain.sendall(octet_counted(message(1)))
            assert closed_by_peer(plain)
        try:                                         # no client certificate: refused (an alert, or EOF)
            with tls_client(handle.port, tls_files["ca"]) as tls:
                tls.sendall(octet_counted(message(2)))
                assert tls.recv(1) == b""
        except (ssl.SSLError, OSError):
            pass
        with tls_client(handle.port, tls_files["ca"], tls_files["client_cert"], tls_files["client_key"]) as tls:
            tls.sendall(octet_counted(message(3)))
            assert handle.wait_for(1, TIMEOUT)
        deadline = time.monotonic() + TIMEOUT
        while handle.errors < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert handle.errors == 2 and all("handshake failed" in e for e in handle.error_messages)
    assert lines(out) == [message(3)]


# ------------------------------------------------------------------ the command

LAUNCHER = """
import argparse, sys
from hcdaudit_host import collect
from hcdaudit_host.errors import UsageError
parser = argparse.ArgumentParser(prog="hcdaudit")
collect.add_parser(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(sys.argv[1:])
try:
    sys.exit(args.func(args))
except UsageError as exc:
    print(f"hcdaudit: error: {exc}", file=sys.stderr)
    sys.exit(2)
"""


def collect_command(*argv: str) -> list[str]:
    from hcdaudit_host import cli
    try:
        choices = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    except StopIteration:
        choices = {}
    if "collect" in choices:           # wired into the hcdaudit command
        return [sys.executable, "-m", "hcdaudit_host.cli", "collect", *argv]
    return [sys.executable, "-c", LAUNCHER, "collect", *argv]


def start_command(*argv: str) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(collect_command(*argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)
    ready, _, _ = select.select([proc.stderr], [], [], TIMEOUT)
    line = proc.stderr.readline() if ready else ""     # "hcdaudit collect: listening on tcp://127.0.0.1:PORT, ..."
    if "listening on" not in line:
        proc.kill()
        proc.wait(TIMEOUT)
        pytest.fail(f"the collector did not start within {TIMEOUT} s: {line!r}")
    port = int(line.split("listening on ", 1)[1].split(",", 1)[0].rsplit(":", 1)[1])
    return proc, port


def test_command_runs_until_sigterm_and_prints_a_summary(tmp_path):
    out = tmp_path / "c.log"
    proc, port = start_command("--listen", "tcp://127.0.0.1:0", "--out", str(out))
    try:
        with connect(port) as sock:
            sock.sendall(b"".join(octet_counted(message(i)) for i in range(10)))
        deadline = time.monotonic() + TIMEOUT
        while len(out.read_bytes().split(b"\n")) < 11 and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(TIMEOUT)
    assert proc.returncode == 0, stderr
    assert stdout.strip().startswith("collected 10 messages") and "1 connection" in stdout and "0 errors" in stdout
    assert len(stdout.strip().splitlines()) == 1
    assert lines(out) == [message(i) for i in range(10)]


def test_command_stops_after_max_messages_or_duration(tmp_path):
    out = tmp_path / "c.log"
    proc, port = start_command("--listen", "udp://127.0.0.1:0", "--out", str(out), "--max-messages", "3",
                               "--duration", "20")
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for i in range(3):
                sock.sendto(message(i), ("127.0.0.1", port))
        stdout, _ = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(TIMEOUT)
    assert proc.returncode == 0 and stdout.startswith("collected 3 messages")
    started = time.monotonic()
    done = subprocess.run(collect_command("--listen", "tcp://127.0.0.1:0", "--out", str(out), "--duration", "0.5"),
                          capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.startswith("collected 0 messages")
    assert time.monotonic() - started < TIMEOUT
    bad = subprocess.run(collect_command("--listen", "tls://127.0.0.1:0", "--out", str(out)),
                         capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--cert" in bad.stderr


def test_concurrent_senders_never_interleave_lines(tmp_path):
    import threading
    out = tmp_path / "c.log"
    per_sender, senders = 400, 4
    with collect.run_in_thread("tcp://127.0.0.1:0", out, report=lambda line: None) as handle:
        def send(k):
            stream = b"".join(octet_counted(message(i, f"sender{k}-" + "y" * (i % 300))) for i in range(per_sender))
            with connect(handle.port) as sock:
                for start in range(0, len(stream), 997):
                    sock.sendall(stream[start:start + 997])
        threads = [threading.Thread(target=send, args=(k,)) for k in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT)
        assert handle.wait_for(per_sender * senders, TIMEOUT)
        assert handle.errors == 0
    stored = lines(out)
    for k in range(senders):
        mine = [line for line in stored if f"sender{k}-".encode() in line]
        assert mine == [message(i, f"sender{k}-" + "y" * (i % 300)) for i in range(per_sender)]


def test_connections_beyond_the_limit_are_refused(tmp_path):
    out = tmp_path / "c.log"
    with collect.run_in_thread("tcp://127.0.0.1:0", out, max_connections=2, report=lambda line: None) as handle:
        first, second = connect(handle.port), connect(handle.port)
        try:
            first.sendall(octet_counted(message(1)))
            assert handle.wait_for(1, TIMEOUT)
            second.sendall(octet_counted(message(2)))
            assert handle.wait_for(2, TIMEOUT)
            with connect(handle.port) as third:
                assert closed_by_peer(third)
            assert "connections already open" in handle.error_messages[-1]
        finally:
            first.close()
            second.close()
        deadline = time.monotonic() + TIMEOUT
        while len(handle.collector._streams) and time.monotonic() < deadline:
            time.sleep(0.01)
        with connect(handle.port) as fourth:                 # room again once they closed
            fourth.sendall(octet_counted(message(3)))
            assert handle.wait_for(3, TIMEOUT)
    assert lines(out) == [message(1), message(2), message(3)]
