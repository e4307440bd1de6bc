"""Delivery that loses nothing, against a real rsyslog on 127.0.0.1: the device
logs continuously while the collector is stopped and restarted (and once killed
with SIGKILL); at the end rsyslog's file holds every seq the device logged and
`verify syslog` verifies it. TLS to a wrong, expired or wrongly pinned collector
is refused and audited, and everything is delivered once the right one appears.
Each scenario on both runtimes, through the `hcdaudit sim` command."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from hcdaudit_host.provision import provision
from hcdaudit_host.syslog_verify import verify
from rsyslog import Rsyslog, make_test_pki
from test_transports import _expired_collector

HCDAUDIT = [sys.executable, "-m", "hcdaudit_host.cli"]


def hcdaudit(*args: str, timeout: float = 180) -> tuple[int, str, str]:
    proc = subprocess.run([*HCDAUDIT, *map(str, args)], capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def configure(device: Path, **settings) -> None:
    path = device / "bundle" / "device.json"
    identity = json.loads(path.read_text())
    identity["syslog"].update(settings)
    path.write_text(json.dumps(identity, indent=2))


def seqs_of(lines: list[bytes]) -> list[int]:
    out = []
    for line in lines:
        if b' seq="' in line and b"[ssign" not in line:
            out.append(int(line.split(b' seq="')[1].split(b'"')[0]))
    return out


def wait_for_seqs(collector: Rsyslog, last: int, timeout: float = 30) -> list[bytes]:
    deadline = time.monotonic() + timeout
    while True:
        lines = collector.lines()
        if set(range(1, last + 1)) <= set(seqs_of(lines)) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


def records(device: Path) -> list[dict]:
    status, out, err = hcdaudit("export", device, "--format", "jsonl")
    assert status == 0, err
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("runtime", ["cpython", "micropython"])
@pytest.mark.parametrize("transport", ["tcp", "relp"])
def test_collector_outages_cost_nothing(tmp_path, runtime, transport):
    device = tmp_path / "mfd"
    provision(device, "mfd-outage", "OUT0001")
    with Rsyslog(tmp_path / "collector", relp=transport == "relp") as collector:
        port = collector.relp_port if transport == "relp" else collector.tcp_port
        run = subprocess.Popen([*HCDAUDIT, "sim", str(device), "--events", "500", "--rate", "100",
                                "--runtime", runtime, "--syslog", f"{transport}://127.0.0.1:{port}", "--json"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.2)
        collector.stop()              # an orderly outage
        time.sleep(0.8)
        collector.start()
        time.sleep(0.8)
        collector.kill()              # SIGKILL: whatever rsyslog had not written is gone
        time.sleep(0.6)
        collector.start()
        out, err = run.communicate(timeout=180)
        assert run.returncode == 0, err
        summary = json.loads(out)
        last = records(device)[-1]["seq"]         # every record the device holds
        lines = wait_for_seqs(collector, last)
    got = seqs_of(lines)
    assert set(range(1, last + 1)) <= set(got), sorted(set(range(1, last + 1)) - set(got))[:20]
    assert summary["syslog"]["failed"] > 0            # the outages did happen
    assert summary["syslog"]["undelivered"] == 0
    (tmp_path / "collector.log").write_bytes(b"".join(line + b"\n" for line in lines))
    report = verify([tmp_path / "collector.log"], [device / "escrow" / "syslog-signing.pem"])
    assert report["findings"] == [], report["findings"][:5]


def _der(pem_path: str) -> bytes:
    return x509.load_pem_x509_certificate(Path(pem_path).read_bytes()).public_bytes(serialization.Encoding.DER)


@pytest.mark.parametrize("runtime,bad", [("cpython", "other_ca"), ("cpython", "expired"),
                                         ("cpython", "fingerprint"), ("micropython", "other_ca"),
                                         ("micropython", "fingerprint")])
def test_tls_refuses_a_wrong_collector_audits_it_and_delivers_to_the_right_one(tmp_path, runtime, bad):
    pki = make_test_pki(tmp_path / "pki")
    device = tmp_path / "mfd"
    provision(device, "mfd-tls", "TLS0001")
    if bad == "fingerprint":
        pin = hashlib.sha256(_der(pki["collector_cert"])).hexdigest().upper()
        configure(device, collector_fingerprint="sha-256:" + ":".join(pin[i:i + 2] for i in range(0, 64, 2)))
    else:
        (device / "bundle" / "collector-ca.der").write_bytes(_der(pki["ca_cert"]))
        configure(device, collector_ca="collector-ca.der")
    if bad == "other_ca":
        other = make_test_pki(tmp_path / "other")
        wrong = dict(ca=other["ca_cert"], cert=other["collector_cert"], key=other["collector_key"])
        reason = "certificate not trusted"
    elif bad == "expired":
        cert, key = _expired_collector(pki, tmp_path)
        wrong = dict(ca=pki["ca_cert"], cert=cert, key=key)
        reason = "certificate expired"
    else:
        other = make_test_pki(tmp_path / "other")    # chains nowhere we trust, and the pin differs
        wrong = dict(ca=other["ca_cert"], cert=other["collector_cert"], key=other["collector_key"])
        reason = "fingerprint mismatch"
    with Rsyslog(tmp_path / "wrong", tls=wrong) as impostor:
        status, out, err = hcdaudit("sim", device, "--events", "40", "--runtime", runtime,
                                    "--syslog", f"tls://127.0.0.1:{impostor.tls_port}", "--json")
        assert status == 0, err
        summary = json.loads(out)
        assert summary["syslog"]["messages"] == 0 and summary["syslog"]["failed"] > 0
        assert impostor.lines() == []                  # not one octet of the log reached it
    failures = [r for r in records(device) if r["event"] == "trusted_channel_failure"]
    assert failures and failures[0]["items"]["reason"] == reason, failures[:1]
    assert failures[0]["items"]["protocol"] == "TLS" and failures[0]["outcome"] == "failure"
    right = dict(ca=pki["ca_cert"], cert=pki["collector_cert"], key=pki["collector_key"])
    with Rsyslog(tmp_path / "right", tls=right) as collector:
        status, out, err = hcdaudit("sim", device, "--events", "0", "--runtime", runtime,
                                    "--syslog", f"tls://127.0.0.1:{collector.tls_port}", "--json")
        assert status == 0, err
        last = records(device)[-1]["seq"]
        lines = wait_for_seqs(collector, last)
    assert set(seqs_of(lines)) == set(range(1, last + 1))
    (tmp_path / "collector.log").write_bytes(b"".join(line + b"\n" for line in lines))
    assert verify([tmp_path / "collector.log"], [device / "escrow" / "syslog-signing.pem"])["findings"] == []
