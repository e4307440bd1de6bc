"""RFC 5848 rules added for issue 16 and the tamper levels of issue 13, each in
`verify syslog` and in `conformance` (as H7): a stream that triggers the rule
and the clean signed stream that does not."""
from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from hcdaudit_host.cli import main as hcdaudit
from hcdaudit_host.conformance import Options, check_files
from hcdaudit_host.syslog_verify import verify
from test_syslog_verify import PUBLIC_KEY_PEM, TestSigner, messages


class Signer(TestSigner):
    """TestSigner with a chosen SG and, optionally, SB parameters in another order."""
    __test__ = False

    def __init__(self, sg: int = 0, swap_order: bool = False, **kw):
        super().__init__(**kw)
        self.sg, self.swap_order = sg, swap_order

    def session(self) -> str:
        return f'VER="0121" RSID="{self.rsid}" SG="{self.sg}" SPRI="{self.spri}"'

    def signature_block(self, fmn, messages_, cnt=None, hashes_=None) -> bytes:
        if not self.swap_order:
            return super().signature_block(fmn, messages_, cnt, hashes_)
        import base64
        import hashlib
        hb = " ".join(base64.b64encode(hashlib.sha256(m).digest()).decode() for m in messages_)
        block = self.close(f'{self.header()}[ssign VER="0121" SG="{self.sg}" RSID="{self.rsid}" '
                           f'SPRI="{self.spri}" GBC="{self.gbc}" FMN="{fmn}" CNT="{len(messages_)}" HB="{hb}"]')
        self.gbc += 1
        return block


@pytest.fixture
def trust(tmp_path) -> list[Path]:
    key = tmp_path / "trusted.pem"
    key.write_text(PUBLIC_KEY_PEM)
    return [key]


def write(tmp_path: Path, lines: list[bytes], name: str = "stream.log") -> Path:
    path = tmp_path / name
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def kinds(report: dict) -> set[str]:
    return {f["kind"] for f in report["findings"]}


def h7(path: Path, trust: list[Path]) -> set[tuple[str, str]]:
    report = check_files([path], Options(trust=trust))
    return {(f["level"], f["text"].split(":")[0]) for f in report["findings"] if f["rule"] == "H7"}


def test_clean_signed_stream_triggers_no_rfc5848_rule(tmp_path, trust):
    path = write(tmp_path, Signer().stream(messages(8)))
    report = verify([path], trust)
    assert report["ok"] and report["warnings"] == [] and report["verified"] == 8
    assert {level for level, _ in h7(path, trust)} == {"I"}


def test_conflicting_certificate_fragments(tmp_path, trust):
    signer = Signer()
    lines = signer.stream(messages(4))
    pb = signer.payload_block
    other = "X" * 40 if pb[100:140] != "X" * 40 else "Y" * 40
    lines.insert(1, signer.close(f'{signer.header()}[ssign-cert {signer.session()} TPBL="{len(pb)}" '
                                 f'INDEX="101" FLEN="40" FRAG="{other}"]'))
    path = write(tmp_path, lines)
    report = verify([path], trust)
    assert kinds(report) == {"conflicting_certificate"}
    assert ("E", "RFC 5848 conflicting certificate") in h7(path, trust)


def test_agreeing_overlapping_fragment_is_no_conflict(tmp_path, trust):
    signer = Signer()
    lines = signer.stream(messages(4))
    pb = signer.payload_block
    lines.insert(1, signer.close(f'{signer.header()}[ssign-cert {signer.session()} TPBL="{len(pb)}" '
                                 f'INDEX="101" FLEN="40" FRAG="{pb[100:140]}"]'))
    assert verify([write(tmp_path, lines)], trust)["ok"]


def test_signature_block_parameters_out_of_order(tmp_path, trust):
    path = write(tmp_path, Signer(swap_order=True).stream(messages(4)))
    report = verify([path], trust)
    assert kinds(report) == {"malformed"} and report["verified"] == 4       # still verified, and reported
    (finding,) = report["findings"]
    assert finding["cause"] == "parameter_order" and "out of the RFC 5848 order" in finding["detail"]
    assert ("E", "RFC 5848 malformed") in h7(path, trust)


def test_reserved_sg_value(tmp_path, trust):
    path = write(tmp_path, Signer(sg=5).stream(messages(4)))
    report = verify([path], trust)
    assert kinds(report) == {"reserved_sg"} and not report["ok"]
    assert ("E", "RFC 5848 reserved sg") in h7(path, trust)
    assert verify([write(tmp_path, Signer(sg=2).stream(messages(4)), "sg2.log")], trust)["ok"]


def test_sg_3_alerts_that_the_groups_cannot_be_interpreted(tmp_path, trust):
    path = write(tmp_path, Signer(sg=3).stream(messages(4)))
    report = verify([path], trust)
    assert report["ok"] and [w["kind"] for w in report["warnings"]] == ["unknown_sg_scheme"]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = hcdaudit(["verify", "syslog", str(path), "--trust", str(trust[0])])
    assert status == 0 and "SG=3" in out.getvalue() and "cannot be interpreted" in out.getvalue()
    assert ("W", "RFC 5848 unknown sg scheme") in h7(path, trust)


def test_rsid_zero_is_a_warning_in_conformance(tmp_path, trust):
    path = write(tmp_path, Signer(rsid=0).stream(messages(4)))
    assert ("W", "RFC 5848 rsid zero") in h7(path, trust)


@pytest.mark.parametrize("tamper,kind", [
    ("delete", "missing"), ("inject", "unsigned"), ("swap", "reordered"), ("duplicate", "duplicated"),
    ("alter", "altered"), ("drop_certificate", "unverifiable group"), ("ver", "unverifiable group")])
def test_tampering_is_an_error_in_conformance(tmp_path, trust, tamper, kind):
    lines = Signer().stream(messages(8))
    normal = [i for i, line in enumerate(lines) if b"[ssign" not in line]
    if tamper == "delete":
        del lines[normal[2]]
    elif tamper == "inject":
        lines.insert(normal[2], messages(20)[19])
    elif tamper == "swap":
        lines[normal[1]], lines[normal[2]] = lines[normal[2]], lines[normal[1]]
    elif tamper == "duplicate":
        lines.insert(normal[2], lines[normal[2]])
    elif tamper == "alter":
        lines[normal[2]] = lines[normal[2]].replace(b"Job", b"Jab")
    elif tamper == "drop_certificate":
        lines = [line for line in lines if b"[ssign-cert" not in line]
    elif tamper == "ver":
        lines = [line.replace(b'VER="0121"', b'VER="0131"') for line in lines]
    path = write(tmp_path, lines)
    report = check_files([path], Options(trust=trust))
    errors = [f for f in report["findings"] if f["level"] == "E"]
    assert report["exit_status"] == 1
    assert any(f["rule"] == "H7" and kind in f["text"] for f in errors), errors


def run_conformance(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = hcdaudit(["conformance", *map(str, argv)])
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("content", [b"", b"seq,time,event\n1,2026-11-23T00:00:00Z,login\n", b"\x00\x01\x02" * 50])
def test_input_that_is_not_syslog_is_one_line_and_exit_2(tmp_path, content):
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    for argv in (("conformance", path), ("verify", "syslog", path)):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = hcdaudit([str(a) for a in argv])
        assert status == 2 and out.getvalue() == ""
        assert err.getvalue().count("\n") == 1 and ("not syslog" in err.getvalue() or "empty" in err.getvalue())


def test_no_trust_hint_when_trust_was_given(tmp_path, trust):
    path = write(tmp_path, Signer().stream(messages(4)))
    status, out, _ = run_conformance(path, "--trust", trust[0], "--json")
    hints = [f["hint"] for f in json.loads(out)["findings"] if f["rule"] == "H7"]
    assert hints and not any("pass --trust" in h for h in hints)
    status, out, _ = run_conformance(path, "--json")
    assert any("pass --trust" in f["hint"] for f in json.loads(out)["findings"] if f["rule"] == "H7")


def test_verify_syslog_json_keys_are_only_added_to(tmp_path, trust):
    report = verify([write(tmp_path, Signer().stream(messages(4)))], trust)
    assert {"files", "messages", "normal_messages", "blocks", "groups", "findings", "warnings", "verified",
            "ok"} <= set(report)
    assert {"verified_seqs", "tail"} <= set(report)
    assert report["tail"]["anchored"] is False and "leaves no trace in this file alone" in report["tail"]["statement"]
