"""Tests of the offline RFC 5848 verifier (host_tools/hcdaudit_host/syslog_verify.py).

The §12 test vectors of shared/specs/rfc5848-signed-syslog.md, then one
tampering at a time: each must give exactly the one finding it deserves.
Bigger streams are signed here with the notes' TEST-ONLY key, through
pycryptodome (an implementation independent of the verifier's `cryptography`)."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
from Crypto.Hash import SHA256
from Crypto.PublicKey import DSA
from Crypto.Signature import DSS
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcdaudit_host.syslog_verify import (Record, SyslogInputError, describe, exit_status, parse_message,
                                         read_records, verify)

KINDS = {"missing", "altered", "unsigned", "unsigned_source", "duplicated", "reordered", "replayed",
         "rsid_regression", "forged_block", "malformed", "no_signature", "equivocation", "untrusted_key",
         "unanchored_key", "incomplete_certificate", "unverifiable_group", "conflicting_certificate", "reserved_sg"}

# --- §12 vectors, byte for byte ----------------------------------------------

PUBLIC_KEY_PEM = """\
-----BEGIN PUBLIC KEY-----
MIIDRjCCAjkGByqGSM44BAEwggIsAoIBAQCJLJuLAehDPjn8RU7mdjB9oDBs7gRS
zuAu88dpKsnhBfmcAjmxWx/vhWWrJrRCXdGHGT3DBaJxKL9RRv4r3ShYKag8ObbD
/Yo+RknCTxqq7hfGY9+gRP8fNYb8MTQxbSJTFQbP6s+8fwhK3DHdNqEk9Sn3csgi
QcNVB4brZjb3X9qAOsAo74nMJ37XUrI+tT+EooRJfuOvCQvPenYeQKDTj8auzZ/7
+Lun0wrFQbi6XC6dmJc9M0g4pODl0cs0nfXjAsvq+sTgLCgKqOiPiG07FrElYSIh
iiYhbQSgLk0eIABcUk9lQ3tHZdWDRfYvN2uoADFjpKhZ7LoAaeLhpVLxAiEAmn2o
JAR73ne0MgBBQOMQQ5Wado+71So/iSf7PcHAel8CggEAaTLcn4omx/NwqQuDtnI9
wNO/hDul2B6OEsoohVg1ODn23sptb3bpf1BFRZ2XzNLstjDS6+47NfsrIw03ftC0
kXNA+jb9SsC1fv3uw78TrJqWf465+SkfVP+rVEPoxO5qDlovEvrVLUJxkKfmSj3c
ymC9FacR/te5hU9xGJaiCHIArvWVjYmTk37WwVa9y3TdLDw5gw150oCMf/3CBpeV
wcqxF5eQylmLZwYETIcvVO9DWzKy46BmJ1kQsdDrSTQOFaWtmiRLc9encdgcMFPo
93AtVwXioCBKkEv0zqoMZt4OYGX8UYdl9/htbL/yPLkBGfGIaX2LiChDWtEOBj/U
fwOCAQUAAoIBABt5U5pZqPySTE83ukFGB4Ts3t4irmesWKtFpfwhu0eRN+3Y3sBj
cuPpjj4f7yUAjCLzzM4Toaxi2PDLpXnLRZ0//sq7ip2sZzjpoFOFB4Ky0Smr9SNO
SFIGiq+m6qwdTyDpctm74+Yk0LWug8ukSBduZTdW8PjucOpFkjM+NZN+D2TjAdSX
h+MUWfzT9EGciHeppq0cjJp/mKvOlBKxuL28mMhJLKDKJoQmorEFf2iXaLlIrU1z
ajrERT5SAeZOO7Dg718ZJ7vEvgWj5/XhipV5rmhmS7KgscGYQnZpNSEUFgD2PTmD
nqSm4TICb/zH/pMw0Ln939JbYIlEMMpgG2g=
-----END PUBLIC KEY-----
"""

PRIVATE_KEY_PEM = """\
-----BEGIN PRIVATE KEY-----
MIICZAIBADCCAjkGByqGSM44BAEwggIsAoIBAQCJLJuLAehDPjn8RU7mdjB9oDBs
7gRSzuAu88dpKsnhBfmcAjmxWx/vhWWrJrRCXdGHGT3DBaJxKL9RRv4r3ShYKag8
ObbD/Yo+RknCTxqq7hfGY9+gRP8fNYb8MTQxbSJTFQbP6s+8fwhK3DHdNqEk9Sn3
csgiQcNVB4brZjb3X9qAOsAo74nMJ37XUrI+tT+EooRJfuOvCQvPenYeQKDTj8au
zZ/7+Lun0wrFQbi6XC6dmJc9M0g4pODl0cs0nfXjAsvq+sTgLCgKqOiPiG07FrEl
YSIhiiYhbQSgLk0eIABcUk9lQ3tHZdWDRfYvN2uoADFjpKhZ7LoAaeLhpVLxAiEA
mn2oJAR73ne0MgBBQOMQQ5Wado+71So/iSf7PcHAel8CggEAaTLcn4omx/NwqQuD
tnI9wNO/hDul2B6OEsoohVg1ODn23sptb3bpf1BFRZ2XzNLstjDS6+47NfsrIw03
ftC0kXNA+jb9SsC1fv3uw78TrJqWf465+SkfVP+rVEPoxO5qDlovEvrVLUJxkKfm
Sj3cymC9FacR/te5hU9xGJaiCHIArvWVjYmTk37WwVa9y3TdLDw5gw150oCMf/3C
BpeVwcqxF5eQylmLZwYETIcvVO9DWzKy46BmJ1kQsdDrSTQOFaWtmiRLc9encdgc
MFPo93AtVwXioCBKkEv0zqoMZt4OYGX8UYdl9/htbL/yPLkBGfGIaX2LiChDWtEO
Bj/UfwQiAiA+kdF0VdAdz0KLOWasFzv+yVueAi3DxKBZj3a8bEWMEQ==
-----END PRIVATE KEY-----
"""  # TEST-ONLY key published in the notes, never deploy

M1 = '<54>1 2025-03-14T09:26:53.589793Z printer.example.com - - - [PWG NL="en-US" DUU="urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84" E="SystemRestarted" IAJ="T" ST="Idle" SR="" SUU="urn:uuid:21c85055-f117-3781-4029-efb0ebcd9954" URI="ipp://printer.example.com/ipp"] \ufeffSystem restarted.'.encode()

M2 = '<54>1 2025-03-14T09:27:01.000002Z printer.example.com - - - [PWG NL="de-DE" DUU="urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84" E="PrintJobCreated" S="SuccessfulOk" UH="client.example.com" UN="Jürgen \\"JM\\" Müller" UR="User" URI="ipp://printer.example.com/ipp" UU="mailto:jm@example.com" JID="123" JUU="urn:uuid:70fe0e41-1e92-3189-6dbe-bb459dc93296" JS="Pending"] \ufeffAuftrag 123 angelegt, 42 Seiten [A4].'.encode()

M3 = '<52>1 2025-03-14T09:27:30.5+01:00 printer.example.com - - - [PWG NL="en-US" DUU="urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84" E="PrintStateChanged" IAJ="T" ST="Processing" SR="MediaEmptyWarning" SUU="urn:uuid:21c85055-f117-3781-4029-efb0ebcd9954" URI="ipp://printer.example.com/ipp"] \ufeffThe printer is out of paper.'.encode()

CB_A = (
    '<110>1 2025-03-14T09:26:50.100000Z printer.example.com hcdaudit - - [ssign-cert VER="0121" RSID='
    '"1" SG="0" SPRI="110" TPBL="1110" INDEX="1" FLEN="1110" FRAG="2025-03-14T09:26:50.000000Z K CACJ'
    'LJuLAehDPjn8RU7mdjB9oDBs7gRSzuAu88dpKsnhBfmcAjmxWx/vhWWrJrRCXdGHGT3DBaJxKL9RRv4r3ShYKag8ObbD/Yo+'
    'RknCTxqq7hfGY9+gRP8fNYb8MTQxbSJTFQbP6s+8fwhK3DHdNqEk9Sn3csgiQcNVB4brZjb3X9qAOsAo74nMJ37XUrI+tT+E'
    'ooRJfuOvCQvPenYeQKDTj8auzZ/7+Lun0wrFQbi6XC6dmJc9M0g4pODl0cs0nfXjAsvq+sTgLCgKqOiPiG07FrElYSIhiiYh'
    'bQSgLk0eIABcUk9lQ3tHZdWDRfYvN2uoADFjpKhZ7LoAaeLhpVLxAQCafagkBHved7QyAEFA4xBDlZp2j7vVKj+JJ/s9wcB6'
    'Xwf/aTLcn4omx/NwqQuDtnI9wNO/hDul2B6OEsoohVg1ODn23sptb3bpf1BFRZ2XzNLstjDS6+47NfsrIw03ftC0kXNA+jb9'
    'SsC1fv3uw78TrJqWf465+SkfVP+rVEPoxO5qDlovEvrVLUJxkKfmSj3cymC9FacR/te5hU9xGJaiCHIArvWVjYmTk37WwVa9'
    'y3TdLDw5gw150oCMf/3CBpeVwcqxF5eQylmLZwYETIcvVO9DWzKy46BmJ1kQsdDrSTQOFaWtmiRLc9encdgcMFPo93AtVwXi'
    'oCBKkEv0zqoMZt4OYGX8UYdl9/htbL/yPLkBGfGIaX2LiChDWtEOBj/Ufwf9G3lTmlmo/JJMTze6QUYHhOze3iKuZ6xYq0Wl'
    '/CG7R5E37djewGNy4+mOPh/vJQCMIvPMzhOhrGLY8MulectFnT/+yruKnaxnOOmgU4UHgrLRKav1I05IUgaKr6bqrB1PIOly'
    '2bvj5iTQta6Dy6RIF25lN1bw+O5w6kWSMz41k34PZOMB1JeH4xRZ/NP0QZyId6mmrRyMmn+Yq86UErG4vbyYyEksoMomhCai'
    'sQV/aJdouUitTXNqOsRFPlIB5k47sODvXxknu8S+BaPn9eGKlXmuaGZLsqCxwZhCdmk1IRQWAPY9OYOepKbhMgJv/Mf+kzDQ'
    'uf3f0ltgiUQwymAbaA==" SIGN="AP0QmnPgifafsM3sEy3PyijZoUdg9rc7OQdlvqP/nKgcDgD/cgYqy/z0an3h9lGwMkjP'
    'W2isNXmrUZeB18yj77RZI1c="]'
).encode()

SB_A = (
    '<110>1 2025-03-14T09:27:31.000000Z printer.example.com hcdaudit - - [ssign VER="0121" RSID="1" S'
    'G="0" SPRI="110" GBC="0" FMN="1" CNT="3" HB="C4xUkMSBC8OdJ43PraawVXWK28Qy6/iba0wwak9rTHA= 8zJWCX'
    '/5aUivucInNW+TxHcfzomhfa8D7Qn4uO1j+p8= GRmpqTpsC4p23jG8nCBksUsLOLVUOQl9mc+klNpQSvI=" SIGN="AQCFH'
    'OJW4hIh72t+6+y+aTp6kqLHFD+waB5lfSJti31asAD+NoyAjK96LcjGTQmL5pqAu+7i998corvp+BEXYZeVEi8="]'
).encode()

CB_N = (
    '<110>1 2025-03-14T09:27:31.000123+00:00 printer.example.com syslogd 2138 - [ssign-cert VER="0111'
    '" RSID="1741944410" SG="0" SPRI="0" TBPL="1159" INDEX="1" FLEN="1159" FRAG="2025-03-14T09:27:31.'
    '000101+00:00 K MIIDRjCCAjkGByqGSM44BAEwggIsAoIBAQCJLJuLAehDPjn8RU7mdjB9oDBs7gRSzuAu88dpKsnhBfmcA'
    'jmxWx/vhWWrJrRCXdGHGT3DBaJxKL9RRv4r3ShYKag8ObbD/Yo+RknCTxqq7hfGY9+gRP8fNYb8MTQxbSJTFQbP6s+8fwhK3'
    'DHdNqEk9Sn3csgiQcNVB4brZjb3X9qAOsAo74nMJ37XUrI+tT+EooRJfuOvCQvPenYeQKDTj8auzZ/7+Lun0wrFQbi6XC6dm'
    'Jc9M0g4pODl0cs0nfXjAsvq+sTgLCgKqOiPiG07FrElYSIhiiYhbQSgLk0eIABcUk9lQ3tHZdWDRfYvN2uoADFjpKhZ7LoAa'
    'eLhpVLxAiEAmn2oJAR73ne0MgBBQOMQQ5Wado+71So/iSf7PcHAel8CggEAaTLcn4omx/NwqQuDtnI9wNO/hDul2B6OEsooh'
    'Vg1ODn23sptb3bpf1BFRZ2XzNLstjDS6+47NfsrIw03ftC0kXNA+jb9SsC1fv3uw78TrJqWf465+SkfVP+rVEPoxO5qDlovE'
    'vrVLUJxkKfmSj3cymC9FacR/te5hU9xGJaiCHIArvWVjYmTk37WwVa9y3TdLDw5gw150oCMf/3CBpeVwcqxF5eQylmLZwYET'
    'IcvVO9DWzKy46BmJ1kQsdDrSTQOFaWtmiRLc9encdgcMFPo93AtVwXioCBKkEv0zqoMZt4OYGX8UYdl9/htbL/yPLkBGfGIa'
    'X2LiChDWtEOBj/UfwOCAQUAAoIBABt5U5pZqPySTE83ukFGB4Ts3t4irmesWKtFpfwhu0eRN+3Y3sBjcuPpjj4f7yUAjCLzz'
    'M4Toaxi2PDLpXnLRZ0//sq7ip2sZzjpoFOFB4Ky0Smr9SNOSFIGiq+m6qwdTyDpctm74+Yk0LWug8ukSBduZTdW8PjucOpFk'
    'jM+NZN+D2TjAdSXh+MUWfzT9EGciHeppq0cjJp/mKvOlBKxuL28mMhJLKDKJoQmorEFf2iXaLlIrU1zajrERT5SAeZOO7Dg7'
    '18ZJ7vEvgWj5/XhipV5rmhmS7KgscGYQnZpNSEUFgD2PTmDnqSm4TICb/zH/pMw0Ln939JbYIlEMMpgG2g=" SIGN="MEQCI'
    'BJTl99KULA7/vmK3ZJBB5hT8GQrzUo/b5hFJK0a3t7TAiALdq7oDE4+MBTVL6kiNPo1ctNOyHmRxCbjsxTaLBg5MA=="]'
).encode()

SB_N = (
    '<110>1 2025-03-14T09:27:31.000456+00:00 printer.example.com syslogd 2138 - [ssign VER="0111" RSI'
    'D="1741944410" SG="0" SPRI="0" GBC="2" FMN="1" CNT="3" HB="d9HhHsrLU7jTZYuErVls98vT9rQ= td7qnqLp'
    'TxE09ZXJDgaYBPxfrig= X4wedzDSMNjieXUwsxFevuCbhpU=" SIGN="MEQCIHVB+ouV85TGHmKPaJWZPwtc1xvuz1Zl3MU'
    'CqxQJdQe1AiA+IMJAIvpnbDrx0c+LCBtioksgXR1ucJ4JS6sQGVHeqg=="]'
).encode()

PAYLOAD_BLOCK_A = CB_A.split(b'FRAG="')[1].split(b'"')[0].decode()
FRAG_SIGNS = ("AP9t5V6D+bZAGoVK4SYn79JFsTIHhQKs6m/FwNihcK4mIAD8DwILfDB6dy+zRnszPJVKnyqEfLVeDDBpBz6TMxAKjZk=",
              "AP9L2YAndaTA1qIZrZ6CwnFLhic9+9Vp6QEBvGixHZ3MDQD9GsRIHzHUNzyWlEWg0+w9ewD4qirZLQrZVL9BiohbKAY=")
BLOCK_HEADER = "<110>1 2025-03-14T09:26:50.100000Z printer.example.com hcdaudit - - "


def a_frag_certificate_blocks() -> list[bytes]:
    blocks = []
    for (start, length), sign in zip(((1, 600), (601, 510)), FRAG_SIGNS):
        frag = PAYLOAD_BLOCK_A[start - 1:start - 1 + length]
        blocks.append((f'{BLOCK_HEADER}[ssign-cert VER="0121" RSID="1" SG="0" SPRI="110" TPBL="1110" '
                       f'INDEX="{start}" FLEN="{length}" FRAG="{frag}" SIGN="{sign}"]').encode())
    return blocks


STREAM_A = [CB_A, M1, M2, M3, SB_A]
STREAM_N = [M1, M2, M3, CB_N, SB_N]


# --- helpers -------------------------------------------------------------------

def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def write_octet_counted(path: Path, messages: list[bytes]) -> Path:
    path.write_bytes(b"".join(b"%d %s" % (len(m), m) for m in messages))
    return path


@pytest.fixture
def trust(tmp_path) -> list[Path]:
    key = tmp_path / "trusted.pem"
    key.write_text(PUBLIC_KEY_PEM)
    return [key]


def kinds(report: dict) -> Counter:
    return Counter(f["kind"] for f in report["findings"])


def only(report: dict, kind: str) -> dict:
    """The report holds exactly one finding, of this kind: return it."""
    assert kinds(report) == Counter({kind: 1}), json.dumps(report["findings"], indent=1)
    return report["findings"][0]


def check(lines: list[bytes], tmp_path: Path, trust: list[Path] | None, name: str = "raw.log") -> dict:
    report = verify([write_lines(tmp_path / name, lines)], trust)
    json.dumps(report)                          # JSON-able, always
    assert describe(report)
    assert {f["kind"] for f in report["findings"]} <= KINDS
    return report


def mpi(value: int) -> bytes:
    return value.bit_length().to_bytes(2, "big") + value.to_bytes((value.bit_length() + 7) // 8, "big")


class TestSigner:
    """Builds CBs and SBs like the device does (VER 0121, MPI signatures),
    signing with the notes' TEST-ONLY key through pycryptodome."""
    __test__ = False

    def __init__(self, rsid: int = 1, host: str = "printer.example.com", app: str = "hcdaudit",
                 procid: str = "-", spri: int = 110, private_key_pem: str = PRIVATE_KEY_PEM,
                 payload_block: str = PAYLOAD_BLOCK_A, clock: str = "2025-03-14T10:00:00.000000Z"):
        self.rsid, self.host, self.app, self.procid, self.spri = rsid, host, app, procid, spri
        self.clock = clock
        self.key = DSA.import_key(private_key_pem)
        self.payload_block = payload_block
        self.gbc = 0

    def header(self) -> str:
        return f"<110>1 {self.clock} {self.host} {self.app} {self.procid} - "

    def sign(self, octets: bytes) -> str:
        rs = DSS.new(self.key, "deterministic-rfc6979").sign(SHA256.new(octets))
        half = len(rs) // 2
        return base64.b64encode(mpi(int.from_bytes(rs[:half], "big")) + mpi(int.from_bytes(rs[half:], "big"))).decode()

    def close(self, unsigned_block: str) -> bytes:
        """Sign `...]` without SIGN, then put ` SIGN="..."` before the `]`."""
        signature = self.sign(unsigned_block.encode())
        return f'{unsigned_block[:-1]} SIGN="{signature}"]'.encode()

    def session(self) -> str:
        return f'VER="0121" RSID="{self.rsid}" SG="0" SPRI="{self.spri}"'

    def certificate_blocks(self, fragment: int = 1400) -> list[bytes]:
        pb, blocks = self.payload_block, []
        for start in range(0, len(pb), fragment):
            frag = pb[start:start + fragment]
            blocks.append(self.close(f'{self.header()}[ssign-cert {self.session()} TPBL="{len(pb)}" '
                                     f'INDEX="{start + 1}" FLEN="{len(frag)}" FRAG="{frag}"]'))
        return blocks

    def signature_block(self, fmn: int, messages: list[bytes], cnt: int | None = None,
                        hashes_: list[bytes] | None = None) -> bytes:
        digests = hashes_ if hashes_ is not None else [hashlib.sha256(m).digest() for m in messages]
        hb = " ".join(base64.b64encode(d).decode() for d in digests)
        block = self.close(f'{self.header()}[ssign {self.session()} GBC="{self.gbc}" FMN="{fmn}" '
                           f'CNT="{cnt if cnt is not None else len(digests)}" HB="{hb}"]')
        self.gbc += 1
        return block

    def stream(self, messages: list[bytes], per_block: int = 4) -> list[bytes]:
        """CB, then the messages with an SB after every `per_block` of them."""
        lines = self.certificate_blocks()
        for start in range(0, len(messages), per_block):
            chunk = messages[start:start + per_block]
            lines += chunk + [self.signature_block(start + 1, chunk)]
        return lines


def message(n: int, host: str = "printer.example.com", session: int = 1) -> bytes:
    return (f'<54>1 2025-03-14T09:{n // 60 % 60:02d}:{n % 60:02d}.{session:06d}Z {host} - - - '
            f'[PWG E="JobCompleted" JID="{n}" S="{session}"] \ufeffJob {n} done').encode()


def messages(count: int, host: str = "printer.example.com", session: int = 1) -> list[bytes]:
    return [message(n, host, session) for n in range(1, count + 1)]


def where(path: Path, line: int) -> str:
    return f"{path}:{line}"


# --- §12 vectors -----------------------------------------------------------------

def test_profile_a_verifies_with_the_trusted_key(tmp_path, trust):
    report = check(STREAM_A, tmp_path, trust)
    assert report["ok"] and report["verified"] == 3 and report["findings"] == []
    assert exit_status(report) == 0
    (group,) = report["groups"]
    assert group["verified_ranges"] == [[1, 3]] and group["highest_signed"] == 3
    assert (group["signer"], group["rsid"], group["sg"], group["spri"], group["ver"]) == (
        {"hostname": "printer.example.com", "app_name": "hcdaudit", "procid": "-"}, 1, 0, 110, "0121")
    assert group["key_trust"] == "anchored" and group["key_blob_type"] == "K" and group["key_encoding"] == "mpi"
    assert group["signature_encoding"] == ["mpi"]
    assert group["pb_timestamp"] == "2025-03-14T09:26:50.000000Z"
    spki = serialization.load_pem_public_key(PUBLIC_KEY_PEM.encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert group["key_fingerprint"] == hashlib.sha256(spki).hexdigest()
    assert "VERIFIED" in describe(report)


def test_vector_hashes_match_the_table():
    assert base64.b64encode(hashlib.sha256(M2).digest()).decode() == "8zJWCX/5aUivucInNW+TxHcfzomhfa8D7Qn4uO1j+p8="
    assert (len(M1), len(M2), len(M3), len(CB_A), len(SB_A)) == (281, 406, 317, 1370, 377)


def test_profile_a_fragmented_verifies(tmp_path, trust):
    report = check(a_frag_certificate_blocks() + [M1, M2, M3, SB_A], tmp_path, trust)
    assert report["ok"] and report["verified"] == 3
    assert report["groups"][0]["certificate_blocks"] == 2


def test_profile_n_netbsd_verifies_with_the_same_key(tmp_path, trust):
    report = check(STREAM_N, tmp_path, trust)
    assert report["ok"] and report["verified"] == 3, report["findings"]
    (group,) = report["groups"]
    assert group["ver"] == "0111" and group["rsid"] == 1741944410 and group["signature_encoding"] == ["der"]
    assert group["key_encoding"] == "der-spki"
    assert any("TBPL" in note for note in group["notes"])
    assert group["key_fingerprint"] == check(STREAM_A, tmp_path, trust, "a.log")["groups"][0]["key_fingerprint"]


def test_octet_counted_capture_verifies(tmp_path, trust):
    path = write_octet_counted(tmp_path / "capture.raw", STREAM_A)
    records = read_records(path)
    assert [r.octets for r in records] == STREAM_A and [r.line for r in records] == [1, 2, 3, 4, 5]
    report = verify([path], trust)
    assert report["ok"] and report["verified"] == 3


def test_read_records_splits_on_lf_only(tmp_path):
    path = tmp_path / "raw.log"
    path.write_bytes(b"<13>1 - h a - - - one\r\n\n<13>1 - h a - - - two")
    records = read_records(path)
    assert records == [Record(b"<13>1 - h a - - - one\r", str(path), 1, 0),
                       Record(b"<13>1 - h a - - - two", str(path), 3, 1)]


def test_positions_run_across_files_in_order(tmp_path, trust):
    first = write_lines(tmp_path / "1.log", STREAM_A[:2])
    second = write_lines(tmp_path / "2.log", STREAM_A[2:])
    report = verify([first, second], trust)
    assert report["ok"] and report["verified"] == 3 and report["files"] == [str(first), str(second)]


def test_parser_reads_escapes_and_offsets():
    message = parse_message(M2)
    (pwg,) = message.elements
    assert pwg.named("UN")[0].value == 'Jürgen "JM" Müller'
    assert message.msg.startswith(b"\xef\xbb\xbf") and message.hostname == "printer.example.com"
    sb = parse_message(SB_A).elements[0]
    sign = sb.named("SIGN")[0]
    assert SB_A[sign.start:sign.end].startswith(b' SIGN="') and SB_A[sign.end:] == b"]"


# --- one tampering, one finding (vector stream) ------------------------------------

def test_altered_message_is_one_altered_finding(tmp_path, trust):
    lines = list(STREAM_A)
    lines[2] = M2.replace(b"42 Seiten", b"2 Seiten")
    finding = only(check(lines, tmp_path, trust), "altered")
    assert finding["numbers"] == [2] and finding["where"] == [where(tmp_path / "raw.log", 3)]
    assert "altered #2" in describe(verify([tmp_path / "raw.log"], trust))


def test_altered_into_malformed_is_still_one_altered_finding(tmp_path, trust):
    lines = list(STREAM_A)
    lines[2] = M2.replace(b'UR="User"', b'UR="User')     # the SD no longer parses
    finding = only(check(lines, tmp_path, trust), "altered")
    assert finding["numbers"] == [2] and "malformed" in finding["detail"]


def test_altered_first_and_last_messages(tmp_path, trust):
    for index, number in ((1, 1), (3, 3)):
        lines = list(STREAM_A)
        lines[index] = lines[index].replace(b"printer.example.com/ipp", b"printer.example.org/ipp")
        finding = only(check(lines, tmp_path, trust), "altered")
        assert finding["numbers"] == [number]


def test_deleted_message_is_one_missing_finding(tmp_path, trust):
    finding = only(check([CB_A, M1, M3, SB_A], tmp_path, trust), "missing")
    assert finding["numbers"] == [2] and "missing #2" in finding["detail"]


def test_swapped_messages_are_one_reordered_finding(tmp_path, trust):
    finding = only(check([CB_A, M2, M1, M3, SB_A], tmp_path, trust), "reordered")
    assert finding["numbers"] == [1, 2]


def test_forged_signature_block(tmp_path, trust):
    """The one SB fails, so nothing is signed: exactly one forged_block (the
    SB's line) and one unsigned finding listing the three messages."""
    sb = SB_A.replace(b'SIGN="AQCF', b'SIGN="AQCG')
    report = check([CB_A, M1, M2, M3, sb], tmp_path, trust)
    assert kinds(report) == Counter({"forged_block": 1, "unsigned": 1})
    forged, unsigned = sorted(report["findings"], key=lambda f: f["kind"])
    assert forged["where"] == [where(tmp_path / "raw.log", 5)]
    assert unsigned["where"] == [where(tmp_path / "raw.log", n) for n in (2, 3, 4)]
    assert report["verified"] == 0 and exit_status(report) == 1


def test_tampered_signature_block_content_is_forged(tmp_path, trust):
    sb = SB_A.replace(b'FMN="1"', b'FMN="2"')
    report = check([CB_A, M1, M2, M3, sb], tmp_path, trust)
    assert kinds(report) == Counter({"forged_block": 1, "unsigned": 1})


def test_padding_bit_flip_in_sign_is_forged(tmp_path, trust):
    sb = SB_A.replace(b'Ei8="]', b'Ei9="]')        # decodes to the same octets, but is not what was sent
    assert base64.b64decode(sb.split(b'SIGN="')[1][:-2]) == base64.b64decode(SB_A.split(b'SIGN="')[1][:-2])
    assert kinds(check([CB_A, M1, M2, M3, sb], tmp_path, trust)) == Counter({"forged_block": 1, "unsigned": 1})


def test_wrong_trust_key_is_untrusted(tmp_path):
    numbers = serialization.load_pem_public_key(PUBLIC_KEY_PEM.encode()).public_numbers().parameter_numbers
    other_y = pow(numbers.g, 123456789, numbers.p)
    other = dsa.DSAPublicNumbers(other_y, numbers).public_key()
    path = tmp_path / "other.pem"
    path.write_bytes(other.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    report = check(STREAM_A, tmp_path, [path])
    only(report, "untrusted_key")
    assert report["groups"][0]["verified"] == 3 and report["groups"][0]["key_trust"] == "untrusted"
    assert exit_status(report) == 1


def test_no_trust_is_unanchored(tmp_path):
    report = check(STREAM_A, tmp_path, None)
    only(report, "unanchored_key")
    assert report["verified"] == 3 and report["groups"][0]["key_trust"] == "leap of faith"
    assert exit_status(report) == 1


def test_injected_message_is_one_unsigned_finding(tmp_path, trust):
    injected = M1.replace(b"System restarted.", b"All is well.")
    finding = only(check([CB_A, M1, M2, injected, M3, SB_A], tmp_path, trust), "unsigned")
    assert finding["where"] == [where(tmp_path / "raw.log", 4)]


def test_duplicate_message_is_one_duplicated_finding(tmp_path, trust):
    for lines in ([CB_A, M1, M2, M2, M3, SB_A], [CB_A, M2, M1, M2, M3, SB_A], [CB_A, M1, M2, M3, SB_A, M2]):
        finding = only(check(lines, tmp_path, trust), "duplicated")
        assert finding["numbers"] == [2] and len(finding["where"]) == 2


def test_byte_identical_block_copies_are_resends(tmp_path, trust):
    report = check([CB_A, CB_A, M1, M2, M3, SB_A, SB_A], tmp_path, trust)
    assert report["ok"] and report["verified"] == 3


def test_message_from_a_host_without_signer(tmp_path, trust):
    stranger = b"<13>1 2025-03-14T09:27:00Z scanner.example.com scand - - - hello"
    finding = only(check(STREAM_A[:2] + [stranger, stranger.replace(b"hello", b"again")] + STREAM_A[2:],
                         tmp_path, trust), "unsigned_source")
    assert "2 messages" in finding["detail"] and "scanner.example.com" in finding["detail"]


@pytest.mark.parametrize("line", [
    b"<999>1 2025-03-14T09:27:00Z printer.example.com - - - - bad PRI",
    b"<54>1 2025-03-14T09:27:00Z printer.example.com - - - [PWG E=\"x] broken SD",
    b"<54>1 2025-03-14T09:27:00Z printer.example.com - - - [PWG E=\"\xff\xfe\"]",
    b"<54>1 2025-03-14T09:27:00Z printer.example.com - - - - NUL\x00inside",
    b"<54>1 2025-03-14T09:27:00Z printer.example.com - - - - " + b"x" * 100_000,
    b"complete garbage \xff\xfe",
    b"<54>1 2025-03-14T09:27:00Z printer.example.com hcdaudit - - [ssign VER=\"0121\" RSID=\"1\"]",
])
def test_malformed_line_is_one_malformed_finding(tmp_path, trust, line):
    finding = only(check(STREAM_A[:3] + [line] + STREAM_A[3:], tmp_path, trust), "malformed")
    assert finding["where"] == [where(tmp_path / "raw.log", 4)]


def test_broken_octet_count_is_a_finding(tmp_path, trust):
    path = write_octet_counted(tmp_path / "capture.raw", STREAM_A)
    path.write_bytes(path.read_bytes() + b"999 <54>1 truncated")
    finding = only(verify([path], trust), "malformed")
    assert "octet count" in finding["detail"] and finding["where"] == [where(path, 6)]
    path.write_bytes(b"12 <54>1 - h - - - -x15 yz")
    assert kinds(verify([path], trust))["malformed"] >= 1


def test_deleted_certificate_block_makes_the_group_unverifiable(tmp_path, trust):
    only(check([M1, M2, M3, SB_A], tmp_path, trust), "unverifiable_group")


def test_missing_fragment_is_an_incomplete_certificate(tmp_path, trust):
    first, _ = a_frag_certificate_blocks()
    only(check([first, M1, M2, M3, SB_A], tmp_path, trust), "incomplete_certificate")


def test_forged_certificate_block(tmp_path, trust):
    cb = CB_A.replace(b'SIGN="AP0Q', b'SIGN="AP0R')
    # anchored key: the damaged CB is reported, the messages still verify
    report = check([cb, M1, M2, M3, SB_A], tmp_path, trust)
    only(report, "forged_block")
    assert report["verified"] == 3
    # leap of faith fails: the group cannot be trusted, the CB is the one finding
    report = check([cb, M1, M2, M3, SB_A], tmp_path, None)
    only(report, "forged_block")
    assert report["verified"] == 0 and report["groups"][0]["key_trust"] == "unverifiable"


def test_damaged_fragment_resend_is_recovered(tmp_path, trust):
    good, second = a_frag_certificate_blocks()
    damaged = good.replace(b"CACJLJuL", b"CACJLJuM")     # a corrupted re-send of fragment 1
    report = check([damaged, good, second, M1, M2, M3, SB_A], tmp_path, trust)
    only(report, "forged_block")
    assert report["verified"] == 3


# --- generated streams -------------------------------------------------------------

def test_generated_stream_verifies(tmp_path, trust):
    report = check(TestSigner().stream(messages(12)), tmp_path, trust)
    assert report["ok"] and report["verified"] == 12 and report["groups"][0]["verified_ranges"] == [[1, 12]]


def test_lost_signature_block_is_one_no_signature_finding(tmp_path, trust):
    lines = TestSigner().stream(messages(12))
    del lines[10]                            # CB, 4 msgs, SB, 4 msgs, [SB #5-#8], 4 msgs, SB
    finding = only(check(lines, tmp_path, trust), "no_signature")
    assert finding["numbers"] == [5, 8] and len(finding["where"]) == 4


def test_messages_after_the_last_signature_block_are_unsigned(tmp_path, trust):
    lines = TestSigner().stream(messages(12))[:-1]
    finding = only(check(lines, tmp_path, trust), "unsigned")
    assert finding["where"] == [where(tmp_path / "raw.log", n) for n in (12, 13, 14, 15)]


def test_deleted_run_is_one_missing_range(tmp_path, trust):
    lines = TestSigner().stream(messages(12))
    del lines[2:4]                           # #2 and #3
    finding = only(check(lines, tmp_path, trust), "missing")
    assert finding["numbers"] == [2, 3]


def test_swap_in_a_long_stream_is_one_reordered_finding(tmp_path, trust):
    lines = TestSigner().stream(messages(40), per_block=32)
    lines[5], lines[6] = lines[6], lines[5]  # #5 and #6
    assert only(check(lines, tmp_path, trust), "reordered")["numbers"] == [5, 6]


def test_moved_message_is_one_reordered_finding(tmp_path, trust):
    lines = TestSigner().stream(messages(30), per_block=32)
    moved = lines.pop(5)                     # #5 goes after #20
    lines.insert(20, moved)
    assert kinds(check(lines, tmp_path, trust)) == Counter({"reordered": 1})


def test_two_altered_messages_in_a_row(tmp_path, trust):
    lines = TestSigner().stream(messages(12))
    lines[7] = lines[7].replace(b"done", b"failed")
    lines[8] = lines[8].replace(b"done", b"failed")
    report = check(lines, tmp_path, trust)
    assert kinds(report) == Counter({"altered": 2})
    assert [f["numbers"] for f in report["findings"]] == [[6], [7]]


def test_replayed_message_from_an_older_session(tmp_path, trust):
    one, two = TestSigner(rsid=1), TestSigner(rsid=2)
    first, second = one.stream(messages(4, session=1)), two.stream(messages(4, session=2))
    for replay in ([first[2]], [first[2], first[-1]]):    # message #2, then with its SB
        finding = only(check(first + second + replay, tmp_path, trust), "replayed")
        assert "older reboot session 1" in finding["detail"]
        assert finding["where"][-1] == where(tmp_path / "raw.log", len(first + second) + 1)
    # A copy of a block alone proves nothing new and hides nothing: a late
    # redundant re-send looks the same. Noted, not a fault.
    report = check(first + second + [first[-1]], tmp_path, trust)
    assert report["ok"] and [w["kind"] for w in report["warnings"]] == ["late"]


def test_old_session_blocks_read_after_the_new_session_began_are_late_not_replayed(tmp_path, trust):
    # After a reboot the old TCP connection's last bytes can be read after the
    # new connection's first: the old session's final SB lands late.
    one, two = TestSigner(rsid=1), TestSigner(rsid=2)
    first, second = one.stream(messages(4, session=1)), two.stream(messages(4, session=2))
    final_sb = first[-1]
    lines = first[:-1] + second[:2] + [final_sb] + second[2:]
    report = check(lines, tmp_path, trust)
    assert report["ok"] and report["verified"] == 8, report["findings"]
    assert [w["kind"] for w in report["warnings"]] == ["late"]


def reboot_before_rewind(sessions: int) -> list[list[bytes]]:
    """Session 1 hashes #5 but its send fails; on reconnect (a CB first) the SB
    covering #5 goes out, then a power cut comes before the rewind re-sends it.
    Each later session re-sends from that message on and signs it again."""
    msgs, one = messages(8), TestSigner(rsid=1)
    streams = [one.stream(msgs[:4]) + one.certificate_blocks() + [one.signature_block(5, [msgs[4]])],
               TestSigner(rsid=2).stream(msgs[4:7])]
    if sessions == 3:
        streams.append(TestSigner(rsid=3).stream(msgs[4:8]))
    return streams


@pytest.mark.parametrize("sessions", [2, 3])
def test_message_delivered_only_by_a_newer_sessions_resend_verifies(tmp_path, trust, sessions):
    streams = reboot_before_rewind(sessions)
    report = check([line for stream in streams for line in stream], tmp_path, trust)
    assert report["ok"], report["findings"]
    assert report["verified"] == {2: 8, 3: 12}[sessions]
    assert [(w["kind"], w["numbers"]) for w in report["warnings"]] == [("resent", [5])]


def test_tampering_with_a_resend_across_a_reboot_is_still_found(tmp_path, trust):
    first, second, third = reboot_before_rewind(3)
    resend = second[1]                    # #5 of session 1, re-sent as #1 of session 2
    cases = {
        "deleted in session 2": (first + second[:1] + second[2:] + third, {"missing": 1}),
        "deleted in session 3": (first + second + third[:1] + third[2:], {"missing": 1}),
        "moved": (first + [second[0], second[2], resend] + second[3:] + third, {"reordered": 1}),
        "duplicated": (first + second[:2] + [resend] + second[2:] + third, {"replayed": 1}),
        "altered": (first + second[:1] + [resend.replace(b"Job", b"Jab")] + second[2:] + third, {"altered": 1}),
    }
    for name, (lines, expected) in cases.items():
        assert kinds(check(lines, tmp_path, trust)) == Counter(expected), name


def test_two_sessions_verify(tmp_path, trust):
    one, two = TestSigner(rsid=1), TestSigner(rsid=2)
    report = check(one.stream(messages(4, session=1)) + two.stream(messages(4, session=2)), tmp_path, trust)
    assert report["ok"] and report["verified"] == 8 and len(report["groups"]) == 2


def test_rsid_regression(tmp_path, trust):
    later, earlier = TestSigner(rsid=5), TestSigner(rsid=3)
    lines = later.stream(messages(4, session=5)) + earlier.stream(messages(4, session=3))
    finding = only(check(lines, tmp_path, trust), "rsid_regression")
    assert "5 to 3" in finding["detail"]


def test_rsid_regression_to_a_used_value_keeps_sessions_apart(tmp_path, trust):
    # The device lost its NV counter: a new session (its payload block carries
    # the new session's start) reuses RSID 1.
    later = TestSigner(rsid=1, clock="2025-03-15T08:00:00.000000Z",
                       payload_block=PAYLOAD_BLOCK_A.replace("2025-03-14T09:26:50", "2025-03-15T08:00:00"))
    lines = (TestSigner(rsid=1).stream(messages(4, session=1)) + TestSigner(rsid=2).stream(messages(4, session=2))
             + later.stream(messages(4, session=3)))
    assert kinds(check(lines, tmp_path, trust)) == Counter({"rsid_regression": 1})


def test_rsid_zero_is_a_warning_only(tmp_path, trust):
    report = check(TestSigner(rsid=0).stream(messages(8)), tmp_path, trust)
    assert report["ok"] and exit_status(report) == 0
    assert [w["kind"] for w in report["warnings"]] == ["rsid_zero"]


def test_equivocation(tmp_path, trust):
    signer = TestSigner()
    lines = signer.stream(messages(4))
    other = signer.signature_block(3, [message(99)])          # a second, valid hash for #3
    report = check(lines + [other], tmp_path, trust)
    finding = only(report, "equivocation")
    assert finding["numbers"] == [3] and report["verified"] == 4


def test_cnt_mismatch_in_a_valid_block_is_malformed(tmp_path, trust):
    signer = TestSigner()
    lines = signer.certificate_blocks() + messages(4) + [signer.signature_block(1, messages(4), cnt=5)]
    finding = only(check(lines, tmp_path, trust), "malformed")
    assert "CNT=5" in finding["detail"]


def test_overlapping_signature_blocks(tmp_path, trust):
    """NetBSD-style sliding windows: every hash is sent in several SBs."""
    signer, msgs = TestSigner(), messages(10)
    lines = signer.certificate_blocks()
    for n in range(10):
        lines.append(msgs[n])
        if n % 3 == 2:
            fmn = max(1, n - 5)
            lines.append(signer.signature_block(fmn, msgs[fmn - 1:n + 1]))
    lines.append(signer.signature_block(4, msgs[3:10]))
    report = check(lines, tmp_path, trust)
    assert report["ok"] and report["verified"] == 10


def test_identical_messages_get_their_own_numbers(tmp_path, trust):
    msgs = messages(3) + [message(3)]         # #3 and #4 are byte-identical
    assert check(TestSigner().stream(msgs), tmp_path, trust)["ok"]
    lines = TestSigner().stream(msgs)
    del lines[4]                              # one of the two copies
    assert only(check(lines, tmp_path, trust), "missing")["numbers"] == [4]


def test_fifteen_thousand_messages_verify_quickly(tmp_path, trust):
    msgs = [message(n) + b" %d" % n for n in range(1, 15001)]
    path = write_lines(tmp_path / "big.log", TestSigner().stream(msgs, per_block=32))
    started = time.perf_counter()
    report = verify([path], trust)
    elapsed = time.perf_counter() - started
    assert report["ok"] and report["verified"] == 15000
    assert elapsed < 10, f"{elapsed:.1f} s"


def test_tampering_in_a_large_stream_is_exact(tmp_path, trust):
    msgs = [message(n) + b" %d" % n for n in range(1, 3001)]
    lines = TestSigner().stream(msgs, per_block=32)
    lines[1500] = lines[1500] + b"!"
    report = check(lines, tmp_path, trust)
    assert kinds(report) == Counter({"altered": 1})


# --- certificates (PB type C) ---------------------------------------------------------

def _certificates(not_after: dt.datetime):
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hcdaudit test CA")])
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(start).not_valid_after(start + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    device_key = serialization.load_pem_public_key(PUBLIC_KEY_PEM.encode())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "printer.example.com")]))
            .issuer_name(ca_name).public_key(device_key).serial_number(2)
            .not_valid_before(start).not_valid_after(not_after).sign(ca_key, hashes.SHA256()))
    return ca, leaf


def _certificate_stream(leaf) -> list[bytes]:
    der = leaf.public_bytes(serialization.Encoding.DER)
    signer = TestSigner(payload_block=f"2025-03-14T09:26:50.000000Z C {base64.b64encode(der).decode()}")
    return signer.stream(messages(4))


def _pem(path: Path, certificate) -> Path:
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def test_certificate_blob_trusted_through_its_ca(tmp_path):
    ca, leaf = _certificates(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    lines = _certificate_stream(leaf)
    report = check(lines, tmp_path, [_pem(tmp_path / "ca.pem", ca)])
    assert report["ok"] and report["verified"] == 4, report["findings"]
    assert report["groups"][0]["key_blob_type"] == "C"
    assert check(lines, tmp_path, [_pem(tmp_path / "leaf.pem", leaf)])["ok"]
    der = tmp_path / "leaf.der"
    der.write_bytes(leaf.public_bytes(serialization.Encoding.DER))
    assert check(lines, tmp_path, [der])["ok"]
    only(check(lines, tmp_path, None), "unanchored_key")


def test_certificate_trust_file_anchors_a_bare_key(tmp_path):
    _, leaf = _certificates(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))   # holds the §12 key
    assert check(STREAM_A, tmp_path, [_pem(tmp_path / "leaf.pem", leaf)])["ok"]


def test_payload_block_type_n_needs_a_trusted_key(tmp_path, trust):
    lines = TestSigner(payload_block="2025-03-14T09:26:50.000000Z N").stream(messages(4))
    report = check(lines, tmp_path, trust)
    assert report["ok"] and report["verified"] == 4 and report["groups"][0]["key_blob_type"] == "N"
    only(check(lines, tmp_path, None), "unverifiable_group")


def test_expired_certificate_is_untrusted(tmp_path):
    ca, leaf = _certificates(dt.datetime(2025, 2, 1, tzinfo=dt.timezone.utc))   # before the PB time
    only(check(_certificate_stream(leaf), tmp_path, [_pem(tmp_path / "ca.pem", ca)]), "untrusted_key")


# --- unusable input ---------------------------------------------------------------------

def test_unusable_input_raises_syslog_input_error(tmp_path, trust):
    log = write_lines(tmp_path / "raw.log", STREAM_A)
    with pytest.raises(SyslogInputError):
        verify([tmp_path / "absent.log"], trust)
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a key at all")
    with pytest.raises(SyslogInputError):
        verify([log], [garbage])
    private = tmp_path / "private.pem"
    private.write_text(PRIVATE_KEY_PEM)
    with pytest.raises(SyslogInputError):
        verify([log], [private])
    with pytest.raises(SyslogInputError):
        verify([log], [tmp_path / "absent.pem"])


def test_der_public_key_trust_file(tmp_path):
    der = tmp_path / "key.der"
    der.write_bytes(serialization.load_pem_public_key(PUBLIC_KEY_PEM.encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert check(STREAM_A, tmp_path, [der])["ok"]


def test_empty_file_is_unusable_input(tmp_path, trust):
    with pytest.raises(SyslogInputError, match="empty: no syslog message"):
        check([], tmp_path, trust)


def test_input_without_any_syslog_message_is_unusable_input(tmp_path, trust):
    lines = [b"seq,time,event", b"1,2026-11-23T00:00:00Z,login", b"2,2026-11-23T00:00:01Z,logout"]
    with pytest.raises(SyslogInputError, match="not syslog: none of its 3 records"):
        check(lines, tmp_path, trust)


# --- never an exception ---------------------------------------------------------------------

TRUST_DIR = tempfile.mkdtemp(prefix="syslog-verify-trust-")
TRUST_FILE = Path(TRUST_DIR) / "trusted.pem"
TRUST_FILE.write_text(PUBLIC_KEY_PEM)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(lines: list[bytes], trust=True) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        report = verify([write_lines(Path(folder) / "raw.log", lines)], [TRUST_FILE] if trust else None)
    json.dumps(report)
    assert describe(report)
    assert {f["kind"] for f in report["findings"]} <= KINDS
    return report


@FUZZ
@given(st.lists(st.binary(max_size=300).map(lambda b: b.replace(b"\n", b"")), max_size=6),
       st.integers(min_value=1, max_value=5))
def test_random_lines_never_raise(junk, at):
    report = _run(STREAM_A[:at] + junk + STREAM_A[at:])
    assert report["verified"] == 3


@FUZZ
@given(st.binary(max_size=2000))
def test_random_files_never_raise(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "raw"
        path.write_bytes(data)
        try:
            report = verify([path])
        except SyslogInputError as exc:          # no syslog message at all: one line, exit 2
            assert "\n" not in str(exc)
            return
    json.dumps(report)


@FUZZ
@given(st.sampled_from([SB_A, CB_A, M2, SB_N, CB_N]), st.integers(min_value=0, max_value=1500),
       st.integers(min_value=0, max_value=40), st.binary(max_size=40))
def test_mutated_lines_never_raise(line, start, length, replacement):
    mutated = (line[:start] + replacement + line[start + length:]).replace(b"\n", b"")
    _run([CB_A, M1, mutated, M3, SB_A])
    _run([M1, M2, M3, mutated, SB_N], trust=False)


_PARAM_GARBAGE = st.text(alphabet=st.sampled_from("ABCxyz+/=!@ \\\"]\u00e9"), max_size=60)


@FUZZ
@given(st.sampled_from([b"HB", b"SIGN", b"CNT", b"FMN", b"RSID", b"VER"]), _PARAM_GARBAGE)
def test_garbage_in_signature_block_params_never_raises(name, garbage):
    value = garbage.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]").encode()
    head, rest = SB_A.split(b" " + name + b'="', 1)
    sb = head + b" " + name + b'="' + value + b'"' + rest.split(b'"', 1)[1]
    _run([CB_A, M1, M2, M3, sb])


@FUZZ
@given(st.sampled_from([b"FRAG", b"SIGN", b"FLEN", b"INDEX", b"TPBL"]), _PARAM_GARBAGE)
def test_garbage_in_certificate_block_params_never_raises(name, garbage):
    value = garbage.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]").encode()
    head, rest = CB_A.split(b" " + name + b'="', 1)
    cb = head + b" " + name + b'="' + value + b'"' + rest.split(b'"', 1)[1]
    report = _run([cb, M1, M2, M3, SB_A])
    _run([cb, M1, M2, M3, SB_A], trust=False)
    assert report["findings"]


@FUZZ
@given(st.integers(min_value=1, max_value=99), st.integers(min_value=1, max_value=9999999999))
def test_validly_signed_odd_counters_never_raise(cnt, fmn):
    signer = TestSigner()
    lines = signer.certificate_blocks() + [M1, M2, M3, signer.signature_block(fmn, [M1, M2, M3], cnt=cnt)]
    report = _run(lines)
    assert report["verified"] == 3
