"""Foreign valid streams: what util-linux `logger --rfc5424` sends (received on
a loopback UDP socket) is clean at the RFC 5424 level (no A rule), with and
without structured data and a MSGID; only the PWG rules object to them."""
from __future__ import annotations

import shutil
import socket
import subprocess

import pytest

from hcdaudit_host.conformance import Options, check_records
from hcdaudit_host.syslog_verify import Record

pytestmark = pytest.mark.skipif(shutil.which("logger") is None, reason="util-linux logger is not installed")

VARIANTS = (
    ["hello from logger"],
    ["-t", "printerd", "--msgid", "JOB42", "job done"],
    ["--sd-id", "zoo@32473", "--sd-param", 'tiger="hungry"', "--sd-param", 'path="C:\\\\temp"', "with sd"],
    ["-p", "lpr.warning", "paper low"],
)
# logger writes UTF-8 text without the BOM: RFC 5424 §6.4 says a UTF-8 MSG MUST
# start with it, so this one is rightly A6 (the only RFC 5424 finding).
NON_ASCII = ["Gr\u00fc\u00dfe aus K\u00f6ln"]


def logger_messages(variants=VARIANTS) -> list[bytes]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        port = sock.getsockname()[1]
        received = []
        for args in variants:
            subprocess.run(["logger", "--rfc5424", "-d", "-n", "127.0.0.1", "-P", str(port), *args],
                           check=True, timeout=10)
            received.append(sock.recvfrom(65535)[0])
    return received


def test_logger_rfc5424_messages_are_clean_at_the_rfc5424_level():
    messages = logger_messages()
    assert all(m.startswith(b"<") and b">1 " in m[:6] for m in messages)
    records = [Record(m, "logger", i, i - 1) for i, m in enumerate(messages, 1)]
    report = check_records(records, Options(transport="udp"))
    rfc5424 = [f for f in report["findings"] if f["rule"].startswith("A") and f["level"] in ("E", "W")]
    assert rfc5424 == [], rfc5424
    assert report["unparseable"] == 0
    assert any(f["rule"] == "D1" for f in report["findings"])        # not PWG messages: said, not crashed


def test_logger_utf8_text_without_bom_is_a6_only():
    (message,) = logger_messages((NON_ASCII,))
    report = check_records([Record(message, "logger", 1, 0)], Options(transport="udp"))
    assert {f["rule"] for f in report["findings"] if f["rule"].startswith("A") and f["level"] in ("E", "W")} == \
        {"A6"}
