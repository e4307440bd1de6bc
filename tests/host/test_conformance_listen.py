"""`hcdaudit conformance --listen` over TCP, TLS and RELP (loopback, bounded):
our device's signed stream over TCP and RELP is clean under --strict, TLS is
reported as a protected channel, and the URL is checked."""
from __future__ import annotations

import shutil
import socket
import ssl
import threading
from pathlib import Path

import pytest

from hcdaudit_host.conformance import Options, check_datagrams, parse_listen_url
from hcdaudit_host.conformance_listen import listen_stream
from hcdaudit_host.errors import UsageError
from rsyslog import make_test_pki

CLEAN = Path(__file__).resolve().parent / "data" / "conformance" / "clean-pwg.log"


def listen_in_thread(scheme: str, duration: float, **kw) -> tuple[threading.Thread, dict, threading.Event]:
    found: dict = {}
    ready = threading.Event()

    def bound(port: int) -> None:
        found["port"] = port
        ready.set()

    def work() -> None:
        found["messages"] = listen_stream(scheme, "127.0.0.1", 0, duration, ready=bound, **kw)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    assert ready.wait(10), "the listener never bound"
    return thread, found, ready


@pytest.fixture(scope="module")
def device(tmp_path_factory):
    from hcdaudit_host.provision import provision
    folder = tmp_path_factory.mktemp("listen") / "device"
    provision(folder, "mfd-lab-3", "XR0003")
    return folder


@pytest.mark.parametrize("scheme", ["tcp", "relp"])
def test_our_device_over_a_stream_transport_is_clean_under_strict(scheme, device, tmp_path):
    from hcdaudit_host import sim
    folder = tmp_path / "device"
    shutil.copytree(device, folder)
    thread, found, _ = listen_in_thread(scheme, 8)
    summary = sim.run(folder, 80, 3, 0, "cpython", syslog=f"{scheme}://127.0.0.1:{found['port']}")
    assert summary["syslog"]["failed"] == 0
    thread.join(30)
    messages = found["messages"]
    assert len(messages) == summary["syslog"]["messages"] + summary["syslog"]["blocks"]
    trust = [folder / "escrow" / "syslog-signing.pem"]
    report = check_datagrams(messages, f"{scheme}://127.0.0.1", Options(transport=scheme, strict=True, trust=trust))
    assert report["exit_status"] == 0 and report["counts"]["E"] == 0
    assert {(f["rule"], f["level"]) for f in report["findings"] if f["level"] != "I"} == \
        {("H3", "W"), ("PP-6", "W")}          # plain TCP/RELP: signed, but not protected against disclosure
    assert report["transport"] == scheme and report["rfc5848"]["verified"] == report["event_messages"]


def test_tls_listener_reports_a_protected_channel(tmp_path):
    pki = make_test_pki(tmp_path / "pki")
    thread, found, _ = listen_in_thread("tls", 3, cert=Path(pki["collector_cert"]), key=Path(pki["collector_key"]))
    context = ssl.create_default_context(cafile=pki["ca_cert"])
    lines = CLEAN.read_bytes().split(b"\n")[:2]
    with socket.create_connection(("127.0.0.1", found["port"]), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"".join(b"%d %s" % (len(line), line) for line in lines))
    thread.join(15)
    assert found["messages"] == lines
    report = check_datagrams(found["messages"], "tls://127.0.0.1", Options(transport="tls"))
    stream = {(f["rule"], f["level"]) for f in report["findings"] if f["line"] is None}
    assert {("H3", "I"), ("PP-6", "I")} <= stream and ("H3", "E") not in stream


def test_tls_listener_needs_its_certificate():
    with pytest.raises(UsageError, match="--cert and --key"):
        listen_stream("tls", "127.0.0.1", 0, 0.1)


@pytest.mark.parametrize("url", ["udp://127.0.0.1:5514", "tcp://127.0.0.1:5514", "tls://[::1]:6514",
                                 "relp://127.0.0.1:2514"])
def test_listen_urls(url):
    assert parse_listen_url(url)[0] == url.split(":")[0]


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "tcp://printer:1", "relp://127.0.0.1"])
def test_bad_listen_urls(url):
    with pytest.raises(UsageError):
        parse_listen_url(url)
