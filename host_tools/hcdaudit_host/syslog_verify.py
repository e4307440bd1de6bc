"""Offline RFC 5848 (Signed Syslog Messages) verifier for a collector's files.

The contract is shared/specs/rfc5848-signed-syslog.md (§3-§8, §11, §12) and
shared/specs/syslog-transport.md §1 and §8. In short:

* every stored record is split from its file exactly (one per LF-terminated
  line as rsyslog writes `%rawmsg%\\n`, or RFC 6587 octet-counted frames);
* each record is parsed as RFC 5424; an `ssign-cert` element makes it a
  Certificate Block (CB), `ssign` a Signature Block (SB), anything else is a
  normal message whose exact octets are hashed;
* blocks are grouped by signer and session, the Payload Block (PB) is
  reassembled from the CBs, its key is checked against the trust anchors,
  and every block signature is checked with `cryptography`'s DSA;
* the hashes of the valid SBs give each signed message a number, and the
  stored messages are matched against them.

Every fault becomes one finding with a stable `kind`; a single tampering is
meant to produce exactly one finding (an altered line is "altered", not also
"missing" and "unsigned").
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from .errors import UsageError
from .rfc5424 import (  # noqa: F401 (re-exported)
    BOM,
    MAX_RECORD_OCTETS,
    SP,
    MalformedMessage,
    SDElement,
    SDParam,
    SyslogMessage,
    _header_field,
    _parse_param_value,
    _parse_pri_version,
    _parse_timestamp,
    parse_message,
)

__all__ = ["Record", "SyslogInputError", "describe", "exit_status", "read_records", "verify"]

# Failures the crypto library raises on hostile input; none of them may escape.
_CRYPTO_ERRORS = (ValueError, TypeError, OverflowError, IndexError, UnsupportedAlgorithm, InvalidSignature)

INFINITY = float("inf")
PREDISTRIBUTED = "predistributed"     # key encoding for PB type N

# The VER hash digit selects both the HB digests and the DSA digest (notes §3.1).
_HASH_OF_VER = {"0111": "sha1", "0121": "sha256"}
_DIGEST_SIZE = {"sha1": 20, "sha256": 32}

SB_PARAMS = ("VER", "RSID", "SG", "SPRI", "GBC", "FMN", "CNT", "HB", "SIGN")
CB_PARAMS = ("VER", "RSID", "SG", "SPRI", "TPBL", "INDEX", "FLEN", "FRAG", "SIGN")


class SyslogInputError(UsageError):
    """Unusable input (unreadable file, trust file that is no key or certificate).

    A UsageError, so the `hcdaudit` command prints it as one line and exits 2."""


# A record that starts with a PRI is syslog (RFC 5424, or RFC 3164 to be judged
# as such); a file with none is something else.
_SYSLOG_START = re.compile(rb"(?:\xef\xbb\xbf)?<[0-9]{1,5}>")


def require_syslog(records: list[Record], label: str) -> None:
    """Input with no syslog message at all (an empty file, a CSV, a binary) is
    not a stream to judge: one line, exit 2. A stream with some damaged
    messages is judged (and its damage reported)."""
    if not records:
        raise SyslogInputError(f"{label}: empty: no syslog message to check")
    if not any(_SYSLOG_START.match(r.octets) for r in records):
        raise SyslogInputError(f"{label}: not syslog: none of its {len(records)} record"
                               f"{'s' if len(records) != 1 else ''} starts with a syslog '<PRI>'")


# ---------------------------------------------------------------------------
# Records: the stored messages, split from their files
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Record:
    octets: bytes           # exactly the message: no LF, no octet count
    source: str             # the file it came from
    line: int               # 1-based line number (or frame number in an octet-counted file)
    position: int           # index across all files, in the order given
    framing_error: str | None = None   # set when the octet counting broke here

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


def read_records(path: Path) -> list[Record]:
    """The records of one file; positions start at 0."""
    return _read_file(Path(path), 0)


def _read_file(path: Path, first_position: int) -> list[Record]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SyslogInputError(f"{path}: {exc.strerror or exc}") from None
    # RFC 6587 octet counting starts with MSG-LEN; a stored line starts with "<".
    if data[:1].isdigit():
        frames = _split_octet_counted(data)
    else:
        frames = [(number, line, None) for number, line in enumerate(data.split(b"\n"), 1) if line]
    return [Record(octets, str(path), number, first_position + i, damage)
            for i, (number, octets, damage) in enumerate(frames)]


_FRAME_LENGTH = re.compile(rb"([1-9][0-9]{0,9}) ")
# The device's own seq and DeviceUUID in a message (for the cross-check with its store).
_SEQ = re.compile(rb'\[hcdaudit@[0-9]+(?: [^\]]*?)? seq="([0-9]{1,12})"')
_DUU = re.compile(rb'\[PWG [^\]]*?DUU="([^"]{1,64})"')


def _split_octet_counted(data: bytes) -> list[tuple[int, bytes, str | None]]:
    """Split `LEN SP MSG LEN SP MSG ...`. A broken count ends the splitting:
    the rest of the file becomes one damaged record (reported, and hashed)."""
    frames: list[tuple[int, bytes, str | None]] = []
    offset = 0
    while offset < len(data):
        if data[offset] in b"\r\n":       # tolerate line breaks between frames
            offset += 1
            continue
        number = len(frames) + 1
        match = _FRAME_LENGTH.match(data, offset)
        if not match:
            frames.append((number, data[offset:], f"broken octet count at byte {offset}: expected MSG-LEN SP"))
            break
        length, start = int(match.group(1)), match.end()
        if start + length > len(data):
            frames.append((number, data[start:], f"octet count {length} at byte {offset} runs past the end "
                                                 f"of the file ({len(data) - start} octets left)"))
            break
        frames.append((number, data[start:start + length], None))
        offset = start + length
    return frames


# ---------------------------------------------------------------------------
# RFC 5424: hcdaudit_host.rfc5424 is the one parser (conformance uses it too)
# ---------------------------------------------------------------------------

# ---------------------------------------------------------------------------
# Blocks: the ssign / ssign-cert parameters
# ---------------------------------------------------------------------------

@dataclass
class Block:
    """What SBs and CBs share: the signer, the session, and the signed octets."""
    record: Record
    hostname: str
    app_name: str
    procid: str
    ver: str
    rsid: int
    sg: int
    spri: int
    signed_octets: bytes      # the message without ` SIGN="..."`
    sign: str


@dataclass
class SignatureBlock(Block):
    gbc: int = 0
    fmn: int = 1
    cnt: int = 0
    hb: str = ""


@dataclass
class CertificateBlock(Block):
    tpbl: int = 0
    index: int = 1
    flen: int = 0
    frag: str = ""
    length_name: str = "TPBL"   # "TBPL" from NetBSD


def _decimal(value: str, name: str, max_digits: int, low: int, high: int) -> int:
    if not (1 <= len(value) <= max_digits and value.isascii() and value.isdigit()) \
            or (value.startswith("0") and value != "0"):
        raise MalformedMessage(f"{name}=\"{value[:20]}\": expected 1-{max_digits} digits without leading zeros")
    number = int(value)
    if not low <= number <= high:
        raise MalformedMessage(f"{name}={number} is outside {low}-{high}")
    return number


def parameter_order_problem(element: SDElement, wanted: tuple[str, ...]) -> str | None:
    """RFC 5848 §4.2.1 / §5.3.2: the parameters come in exactly the RFC's order.
    The block is still usable (its octets are what was signed); the deviation
    is a finding of its own (rule H7-ORDER)."""
    names = [p.name for p in element.params]
    if names != [n for n in wanted if n in names] and sorted(names) == sorted(set(names)):
        return (f"{element.sd_id} parameters out of the RFC 5848 order: {' '.join(names)} "
                f"(expected {' '.join(wanted)})")
    return None


def _single_params(element: SDElement, wanted: tuple[str, ...]) -> dict[str, SDParam]:
    """Each parameter exactly once, and nothing else (RFC 5848 §4.2, §5.3.2)."""
    found: dict[str, SDParam] = {}
    for param in element.params:
        if param.name not in wanted:
            raise MalformedMessage(f"{element.sd_id}: unexpected parameter {param.name}")
        if param.name in found:
            raise MalformedMessage(f"{element.sd_id}: parameter {param.name} appears twice")
        found[param.name] = param
    missing = [name for name in wanted if name not in found]
    if missing:
        raise MalformedMessage(f"{element.sd_id}: missing {', '.join(missing)}")
    return found


def _block_common(record: Record, message: SyslogMessage, params: dict[str, SDParam]) -> dict:
    ver = params["VER"].value
    if not (len(ver) == 4 and ver.isascii() and ver.isalnum()):
        raise MalformedMessage(f"VER=\"{ver[:20]}\": expected 4 characters")
    sign = params["SIGN"]
    return {"record": record, "hostname": message.hostname, "app_name": message.app_name,
            "procid": message.procid, "ver": ver, "rsid": _decimal(params["RSID"].value, "RSID", 10, 0, 9999999999),
            "sg": _decimal(params["SG"].value, "SG", 1, 0, 9),
            "spri": _decimal(params["SPRI"].value, "SPRI", 3, 0, 191),
            "signed_octets": record.octets[:sign.start] + record.octets[sign.end:], "sign": sign.value}


def read_signature_block(record: Record, message: SyslogMessage, element: SDElement) -> SignatureBlock:
    params = _single_params(element, SB_PARAMS)
    return SignatureBlock(**_block_common(record, message, params),
                          gbc=_decimal(params["GBC"].value, "GBC", 10, 0, 9999999999),
                          fmn=_decimal(params["FMN"].value, "FMN", 10, 1, 9999999999),
                          cnt=_decimal(params["CNT"].value, "CNT", 2, 1, 99),
                          hb=params["HB"].value)


def read_certificate_block(record: Record, message: SyslogMessage, element: SDElement) -> CertificateBlock:
    # NetBSD spells the total length TBPL; accept it, the name stays in the signed octets.
    length_name = "TBPL" if element.named("TBPL") and not element.named("TPBL") else "TPBL"
    wanted = tuple(length_name if name == "TPBL" else name for name in CB_PARAMS)
    params = _single_params(element, wanted)
    block = CertificateBlock(**_block_common(record, message, params),
                             tpbl=_decimal(params[length_name].value, length_name, 8, 1, 99999999),
                             index=_decimal(params["INDEX"].value, "INDEX", 8, 1, 99999999),
                             flen=_decimal(params["FLEN"].value, "FLEN", 4, 1, 9999),
                             frag=params["FRAG"].value, length_name=length_name)
    if len(block.frag.encode("utf-8")) != block.flen:
        raise MalformedMessage(f"certificate block FLEN={block.flen} but FRAG has {len(block.frag.encode())} octets")
    if block.index - 1 + block.flen > block.tpbl:
        raise MalformedMessage(f"certificate block fragment {block.index}+{block.flen} runs past "
                               f"{length_name}={block.tpbl}")
    return block


# ---------------------------------------------------------------------------
# Entries: every record, classified
# ---------------------------------------------------------------------------

NORMAL, SIGNATURE_BLOCK, CERTIFICATE_BLOCK = "normal", "signature_block", "certificate_block"


@dataclass
class Entry:
    record: Record
    kind: str
    hostname: str | None = None
    app_name: str | None = None
    problem: str | None = None         # why the record is malformed
    block: SignatureBlock | CertificateBlock | None = None     # None: a normal message or a malformed block
    deviation: str | None = None       # a usable block that breaks a format rule (parameter order)
    digests: tuple[bytes, bytes] = (b"", b"")   # SHA-256, SHA-1 of a normal message

    # A group files an entry by the class of its block, so in a group's
    # signature_blocks and certificate_blocks these always hold.
    @property
    def signature_block(self) -> SignatureBlock:
        assert isinstance(self.block, SignatureBlock), f"{self.record.where} holds no signature block"
        return self.block

    @property
    def certificate_block(self) -> CertificateBlock:
        assert isinstance(self.block, CertificateBlock), f"{self.record.where} holds no certificate block"
        return self.block


def classify(record: Record) -> Entry:
    if record.framing_error:
        # Where the octet counting broke, the octets are not one known message.
        return _normal_entry(record, None, None, record.framing_error)
    try:
        message = parse_message(record.octets)
    except MalformedMessage as exc:
        # Not parseable, so not a block: hash it anyway, it may be a signed
        # message this parser is stricter about than its signer was.
        return _normal_entry(record, exc.hostname, exc.app_name, exc.reason)
    ids = {element.sd_id for element in message.elements}
    if {"ssign", "ssign-cert"} <= ids:
        return Entry(record, SIGNATURE_BLOCK, message.hostname, message.app_name,
                     "both ssign and ssign-cert in one message")
    for element in message.elements:
        if element.sd_id in ("ssign", "ssign-cert"):
            kind = SIGNATURE_BLOCK if element.sd_id == "ssign" else CERTIFICATE_BLOCK
            reader = read_signature_block if kind == SIGNATURE_BLOCK else read_certificate_block
            try:
                block = reader(record, message, element)
                wanted: tuple[str, ...] = SB_PARAMS if kind == SIGNATURE_BLOCK else CB_PARAMS
                if isinstance(block, CertificateBlock) and block.length_name == "TBPL":
                    wanted = tuple("TBPL" if n == "TPBL" else n for n in wanted)
                return Entry(record, kind, message.hostname, message.app_name, block=block,
                             deviation=parameter_order_problem(element, wanted))
            except MalformedMessage as exc:
                return Entry(record, kind, message.hostname, message.app_name, exc.reason)
    return _normal_entry(record, message.hostname, message.app_name, None)


def _normal_entry(record: Record, hostname: str | None, app_name: str | None, problem: str | None) -> Entry:
    digests = (hashlib.sha256(record.octets).digest(), hashlib.sha1(record.octets).digest())
    return Entry(record, NORMAL, hostname, app_name, problem, digests=digests)


# ---------------------------------------------------------------------------
# Keys and signatures
# ---------------------------------------------------------------------------

def read_mpis(data: bytes, count: int) -> list[int] | None:
    """OpenPGP MPIs (RFC 4880 §3.2), leniently: the bit count only gives the
    octet length, because the RFC's own examples overstate it (notes §5.2)."""
    values, offset = [], 0
    for _ in range(count):
        if offset + 2 > len(data):
            return None
        size = (int.from_bytes(data[offset:offset + 2], "big") + 7) // 8
        offset += 2
        if size == 0 or offset + size > len(data):
            return None
        values.append(int.from_bytes(data[offset:offset + size], "big"))
        offset += size
    return values if offset == len(data) else None


def decode_signature(blob: bytes) -> tuple[int, int, str] | None:
    """(r, s, encoding) from MPI(r)||MPI(s) (RFC) or DER Dss-Sig-Value (NetBSD)."""
    if blob[:1] == b"\x30":
        try:
            r, s = decode_dss_signature(blob)
            return r, s, "der"
        except _CRYPTO_ERRORS:
            pass
    values = read_mpis(blob, 2)
    return (values[0], values[1], "mpi") if values else None


def b64decode(text: str) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None


def check_signature(key: dsa.DSAPublicKey, block: Block) -> tuple[bool, str | None]:
    """(valid, encoding). The digest follows the VER hash digit."""
    algorithm = {"sha1": hashes.SHA1(), "sha256": hashes.SHA256()}.get(_HASH_OF_VER.get(block.ver, ""))
    blob = b64decode(block.sign)
    # Non-canonical base64 (a changed padding bit decodes to the same octets)
    # is not what any signer emits: a damaged SIGN, not a valid one.
    canonical = blob is not None and base64.b64encode(blob).decode("ascii") == block.sign
    decoded = decode_signature(blob) if blob and canonical else None
    if algorithm is None or decoded is None:
        return False, None
    r, s, encoding = decoded
    try:
        key.verify(encode_dss_signature(r, s), block.signed_octets, algorithm)
    except _CRYPTO_ERRORS:
        return False, encoding
    return True, encoding


def spki_der(key) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _der_element(data: bytes, offset: int) -> tuple[int, int, int]:
    """(tag, content start, end) of the DER TLV at offset; ValueError if broken."""
    if offset + 2 > len(data):
        raise ValueError("truncated DER")
    tag, length = data[offset], data[offset + 1]
    start = offset + 2
    if length & 0x80:
        octets = length & 0x7F
        if octets == 0 or octets > 4 or start + octets > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[start:start + octets], "big")
        start += octets
    if start + length > len(data):
        raise ValueError("truncated DER")
    return tag, start, start + length


def certificate_spki(der: bytes) -> bytes:
    """The SubjectPublicKeyInfo of a DER certificate, read by hand: NetBSD's
    self-made certificates (version field 3) are refused by `cryptography`."""
    _, cert_start, _ = _der_element(der, 0)
    _, offset, tbs_end = _der_element(der, cert_start)        # TBSCertificate
    if der[offset] == 0xA0:                                    # [0] version
        offset = _der_element(der, offset)[2]
    # serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo
    for _ in range(5):
        offset = _der_element(der, offset)[2]
    tag, _, end = _der_element(der, offset)
    if tag != 0x30 or end > tbs_end:
        raise ValueError("no SubjectPublicKeyInfo in certificate")
    return der[offset:end]


def _dsa_key_from_spki(der: bytes) -> dsa.DSAPublicKey:
    key = serialization.load_der_public_key(der)
    if not isinstance(key, dsa.DSAPublicKey):
        kind = type(key).__name__.removesuffix("PublicKey") or "not DSA"
        raise ValueError(f"the key is {kind}, not DSA")     # noqa: TRY004 - a bad value of the input, not of the code
    return key


@dataclass
class SignerKey:
    """A key taken from a Payload Block."""
    public_key: dsa.DSAPublicKey
    encoding: str                          # "mpi", "der-spki", "x509", "x509-by-hand"
    certificate: x509.Certificate | None = None
    certificate_der: bytes | None = None

    @property
    def spki(self) -> bytes:
        return spki_der(self.public_key)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.spki).hexdigest()


def key_from_blob(blob_type: str, blob: bytes) -> SignerKey:
    """Decode a PB key blob; ValueError with the reason when it is unusable."""
    if blob_type == "K":
        if blob[:1] == b"\x30":
            try:
                return SignerKey(_dsa_key_from_spki(blob), "der-spki")    # NetBSD
            except _CRYPTO_ERRORS:
                pass
        values = read_mpis(blob, 4)
        if values is None:
            raise ValueError("K key blob is neither 4 OpenPGP MPIs (p, q, g, y) nor a DER SubjectPublicKeyInfo")
        p, q, g, y = values
        try:
            return SignerKey(dsa.DSAPublicNumbers(y, dsa.DSAParameterNumbers(p, q, g)).public_key(), "mpi")
        except _CRYPTO_ERRORS as exc:
            raise ValueError(f"K key blob is not a usable DSA key: {exc}") from None
    if blob_type == "C":
        try:
            certificate = x509.load_der_x509_certificate(blob)
            key = certificate.public_key()
            if isinstance(key, dsa.DSAPublicKey):
                return SignerKey(key, "x509", certificate, blob)
            raise ValueError("the certificate's key is not DSA")
        except _CRYPTO_ERRORS:
            pass
        try:
            return SignerKey(_dsa_key_from_spki(certificate_spki(blob)), "x509-by-hand", None, blob)
        except _CRYPTO_ERRORS as exc:
            raise ValueError(f"C key blob is not a certificate with a DSA key: {exc}") from None
    raise ValueError(f"key blob type {blob_type!r} is not supported (only K, C and N)")


# ---------------------------------------------------------------------------
# Trust anchors
# ---------------------------------------------------------------------------

@dataclass
class TrustAnchors:
    keys: list[dsa.DSAPublicKey] = field(default_factory=list)       # bare keys and certificate keys
    key_spkis: set[bytes] = field(default_factory=set)
    certificates: set[bytes] = field(default_factory=set)            # DER of trusted certificates
    authorities: list[x509.Certificate] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.key_spkis or self.certificates or self.authorities)

    def add_key(self, key) -> None:
        if isinstance(key, dsa.DSAPublicKey):
            self.keys.append(key)
            self.key_spkis.add(spki_der(key))

    def add_certificate(self, certificate: x509.Certificate) -> None:
        self.certificates.add(certificate.public_bytes(serialization.Encoding.DER))
        try:
            self.add_key(certificate.public_key())
        except _CRYPTO_ERRORS:
            pass
        if _may_issue(certificate):
            self.authorities.append(certificate)

    def anchors(self, key: SignerKey, at: datetime) -> bool:
        if key.spki in self.key_spkis or (key.certificate_der and key.certificate_der in self.certificates):
            return True
        return key.certificate is not None and any(_issued_by(key.certificate, ca, at) for ca in self.authorities)


def _may_issue(certificate: x509.Certificate) -> bool:
    try:
        return certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return True          # a version 1 CA certificate has no extensions
    except _CRYPTO_ERRORS:
        return False


def _issued_by(certificate: x509.Certificate, authority: x509.Certificate, at: datetime) -> bool:
    try:
        certificate.verify_directly_issued_by(authority)
        return certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc
    except _CRYPTO_ERRORS:
        return False


def load_trust(paths: list[Path]) -> TrustAnchors:
    anchors = TrustAnchors()
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise SyslogInputError(f"trust file {path}: {exc.strerror or exc}") from None
        try:
            _load_trust_file(anchors, data)
        except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
            raise SyslogInputError(f"trust file {path}: {exc}") from None
    return anchors


_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----.+?-----END \1-----", re.DOTALL)


def _load_trust_file(anchors: TrustAnchors, data: bytes) -> None:
    blocks = list(_PEM_BLOCK.finditer(data))
    if b"-----BEGIN" in data and not blocks:
        raise ValueError("broken PEM")
    items = [(m.group(1).decode(), _pem_body(m.group(0))) for m in blocks] or [("", data)]
    for label, der in items:
        if "PRIVATE" in label:
            raise ValueError("holds a private key; give the public key or certificate")
        if label.endswith("CERTIFICATE"):
            _add_certificate(anchors, der)
            continue
        try:
            key = serialization.load_der_public_key(der)
        except _CRYPTO_ERRORS:
            if label:
                raise
            _add_certificate(anchors, der)      # DER without a label: a certificate then
            continue
        if not isinstance(key, dsa.DSAPublicKey):
            raise ValueError("the public key is not DSA")       # noqa: TRY004 - a bad trust file, not bad code
        anchors.add_key(key)


def _pem_body(pem: bytes) -> bytes:
    lines = pem.strip().splitlines()[1:-1]
    body = b"".join(line.strip() for line in lines if b":" not in line)    # skip RFC 1421 headers
    decoded = b64decode(body.decode("ascii", "replace"))
    if decoded is None:
        raise ValueError("broken PEM base64")
    return decoded


def _add_certificate(anchors: TrustAnchors, der: bytes) -> None:
    try:
        anchors.add_certificate(x509.load_der_x509_certificate(der))
    except _CRYPTO_ERRORS:
        # A certificate `cryptography` refuses (NetBSD's version 3): trust its
        # key and its exact octets, but it cannot act as a CA.
        try:
            key = _dsa_key_from_spki(certificate_spki(der))
        except _CRYPTO_ERRORS:
            raise ValueError("neither a public key nor a certificate with a DSA key") from None
        anchors.add_key(key)
        anchors.certificates.add(der)


# ---------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------

@dataclass
class Finding:
    kind: str
    group: str | None
    detail: str
    where: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    cause: str | None = None        # a finer reason inside one kind (e.g. unverifiable_group: unsupported_ver)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "group": self.group, "detail": self.detail,
                "where": self.where, "numbers": self.numbers, "cause": self.cause}


def number_ranges(numbers) -> list[tuple[int, int]]:
    """Sorted numbers as (first, last) runs of consecutive values."""
    runs: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def ranges_text(numbers) -> str:
    return ", ".join(f"#{a}" if a == b else f"#{a}-#{b}" for a, b in number_ranges(numbers))


# ---------------------------------------------------------------------------
# Groups: one signer in one reboot session
# ---------------------------------------------------------------------------

_KEY_NOTES = {"mpi": "K blob: OpenPGP MPIs", "der-spki": "netbsd variant: K blob is DER SubjectPublicKeyInfo",
              "x509": "C blob: X.509 certificate",
              "x509-by-hand": "C blob: X.509 certificate refused by cryptography, key read by hand",
              PREDISTRIBUTED: "N: no key in the payload block, a trusted key verifies it"}

ANCHORED, LEAP_OF_FAITH, UNTRUSTED, UNVERIFIABLE = "anchored", "leap of faith", "untrusted", "unverifiable"


@dataclass
class Group:
    hostname: str
    app_name: str
    procid: str
    rsid: int
    ver: str
    sg: int
    spri: int
    epoch: int                                  # bumped each time the signer's RSID went back
    signature_blocks: list[Entry] = field(default_factory=list)     # distinct octets, first copies
    certificate_blocks: list[Entry] = field(default_factory=list)
    copies: list[Entry] = field(default_factory=list)               # byte-identical later copies
    first_block: int = 0
    boundary: float = INFINITY     # where a newer session of this signer began
    lower_edge: int = -1           # last block of the previous session
    resent: list[int] = field(default_factory=list)         # positions of power-cut re-sends (not faults)
    late_blocks: int = 0           # blocks (or their copies) stored after a newer session began
    reconnect_resent: list[int] = field(default_factory=list)   # copies resent in a new transport session
    late_messages: list[int] = field(default_factory=list)  # only copies, stored after a newer session began
    resent_numbers: set[int] = field(default_factory=set)
    delivered_by_newer: dict[int, int] = field(default_factory=dict)  # number -> a newer session's re-send
    status: str = UNVERIFIABLE
    key: SignerKey | None = None
    pb_timestamp: str | None = None
    key_blob_type: str | None = None
    notes: set[str] = field(default_factory=set)
    encodings: set[str] = field(default_factory=set)
    signed: dict[int, list[bytes]] = field(default_factory=dict)    # number -> hash(es)
    cover_position: dict[int, int] = field(default_factory=dict)    # number -> earliest valid SB
    cover_where: dict[int, str] = field(default_factory=dict)
    assigned: dict[int, int] = field(default_factory=dict)          # number -> position of the stored copy
    findings: list[Finding] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    @property
    def label(self) -> str:
        text = (f"{self.hostname} {self.app_name} {self.procid} RSID={self.rsid} SG={self.sg} "
                f"SPRI={self.spri} VER={self.ver}")
        return text + (f" (after RSID regression {self.epoch})" if self.epoch else "")

    @property
    def usable(self) -> bool:
        return self.status in (ANCHORED, LEAP_OF_FAITH, UNTRUSTED)

    @property
    def hash_name(self) -> str | None:
        return _HASH_OF_VER.get(self.ver)

    @property
    def signer_key(self) -> SignerKey:
        """The payload block's key. Only asked for once establish_key set it:
        while checking the group's blocks, and for a usable group."""
        assert self.key is not None, f"{self.label}: no key established"
        return self.key

    def add(self, kind: str, detail: str, where=(), numbers=(), cause: str | None = None) -> Finding:
        finding = Finding(kind, self.label, detail, list(where), sorted(numbers), cause)
        self.findings.append(finding)
        return finding

    def newer_than(self, other: Group) -> bool:
        return (self.first_block > other.first_block
                and (self.epoch > other.epoch or (self.epoch == other.epoch and self.rsid > other.rsid)))


class Verification:
    """One run over a set of files. The steps follow notes §8."""

    def __init__(self, paths: list[Path], anchors: TrustAnchors):
        self.paths = [Path(p) for p in paths]
        self.anchors = anchors
        self.records: list[Record] = []
        for path in self.paths:
            self.records += _read_file(path, len(self.records))
        require_syslog(self.records, ", ".join(str(p) for p in self.paths))
        self.entries = [classify(record) for record in self.records]
        self.findings: list[Finding] = []      # those not tied to one group
        self.warnings: list[Finding] = []
        self.groups: list[Group] = []
        self.taken: dict[int, tuple[Group, int]] = {}     # position -> (group, number)
        self.matched: set[int] = set()                     # positions explained by a signed hash
        self.claimed: set[int] = set()                     # hashed by a block we could not verify
        self.consumed: set[int] = set()                    # unmatched, but explained (altered, lost SB)
        self.replays: dict[int, dict] = {}                 # id(group) -> replayed copies
        self._signed_digests: dict[int, set[bytes]] = {}   # id(group) -> every hash its valid SBs give

    # -- step 1-3: blocks into groups ------------------------------------

    def build_groups(self) -> None:
        """Group blocks by (HOSTNAME, APP-NAME, PROCID, RSID, VER, SG, SPRI). A
        block with an RSID lower than one the signer already used starts a
        new epoch (reported), unless it is a byte-identical copy of a block
        seen before, which is a re-send or a replay (decided later)."""
        by_key: dict[tuple, Group] = {}
        seen: dict[bytes, Group] = {}
        signer_rsid: dict[tuple[str, str], tuple[int, int]] = {}     # signer -> (highest RSID, epoch)
        for entry in self.entries:
            block = entry.block
            if block is None:
                continue
            if entry.record.octets in seen:
                seen[entry.record.octets].copies.append(entry)
                continue
            signer = (block.hostname, block.app_name)
            highest, epoch = signer_rsid.get(signer, (block.rsid, 0))
            late = by_key.get((block.hostname, block.app_name, block.procid, block.rsid, block.ver, block.sg,
                               block.spri, epoch))
            if block.rsid < highest and late is not None and self._continues(late, entry):
                # A block of a session already seen, stored after a newer session
                # began: the old connection's last bytes read after the new one's
                # first (a reboot reorders across connections). Same session, not a
                # regression; a second session reusing the RSID shows as equivocation.
                (late.signature_blocks if isinstance(block, SignatureBlock) else late.certificate_blocks).append(entry)
                seen[entry.record.octets] = late
                late.late_blocks += 1
                continue
            if block.rsid < highest:
                epoch += 1
                regression = (f"RSID went back from {highest} to {block.rsid} for signer {block.hostname} "
                              f"{block.app_name}: sessions can no longer be told apart by RSID")
                highest = block.rsid
            else:
                regression = None
                highest = max(highest, block.rsid)
            signer_rsid[signer] = (highest, epoch)
            key = (block.hostname, block.app_name, block.procid, block.rsid, block.ver, block.sg, block.spri, epoch)
            group = by_key.get(key)
            if group is None:
                group = Group(*key, first_block=entry.record.position)
                by_key[key] = group
                self.groups.append(group)
            if regression:
                group.add("rsid_regression", regression, [entry.record.where])
            (group.signature_blocks if isinstance(block, SignatureBlock) else group.certificate_blocks).append(entry)
            seen[entry.record.octets] = group
        self._session_edges()

    @staticmethod
    def _continues(group: Group, entry: Entry) -> bool:
        """Whether a block fits a session already seen: a CB fragment that agrees
        with the session's payload block, or an SB whose GBC the session has not
        used. A new session that reuses the RSID (lost NV counter) restarts GBC
        and brings a new payload block, so it does not fit."""
        block = entry.block
        if isinstance(block, SignatureBlock):
            return all(e.signature_block.gbc != block.gbc for e in group.signature_blocks)
        block = entry.certificate_block
        for e in group.certificate_blocks:
            other = e.certificate_block
            if other.tpbl != block.tpbl:
                return False
            start, end = max(other.index, block.index), min(other.index + other.flen, block.index + block.flen)
            if start < end and (other.frag[start - other.index:end - other.index]
                                != block.frag[start - block.index:end - block.index]):
                return False
        return True

    def _session_edges(self) -> None:
        """boundary: where a newer session of the same signer began (copies of
        this session's messages after it are replays); lower_edge: the last
        block of the previous session (the earliest place a message of this
        session can sit)."""
        by_signer: dict[tuple[str, str], list[Group]] = {}
        for group in self.groups:
            by_signer.setdefault((group.hostname, group.app_name), []).append(group)
        for groups in by_signer.values():
            for group in groups:
                newer = [g.first_block for g in groups if g.newer_than(group)]
                group.boundary = min(newer, default=INFINITY)
                older_blocks = [e.record.position for g in groups if group.newer_than(g)
                                for e in g.signature_blocks + g.certificate_blocks
                                if e.record.position < group.first_block]
                group.lower_edge = max(older_blocks, default=-1)

    # -- step 4: the key ---------------------------------------------------

    def establish_key(self, group: Group) -> None:
        if group.hash_name is None:
            group.add("unverifiable_group", f"VER={group.ver} is not supported (only 0111 and 0121)",
                      [group.signature_blocks[0].record.where if group.signature_blocks
                       else group.certificate_blocks[0].record.where], cause="unsupported_ver")
            return
        if not group.certificate_blocks:
            if group.signature_blocks:
                group.add("unverifiable_group", "no certificate block received: the signature blocks "
                          "cannot be checked", [group.signature_blocks[0].record.where],
                          cause="no_certificate_block")
            return
        candidates = list(_payload_block_candidates([e.certificate_block for e in group.certificate_blocks]))
        if not candidates:
            self._report_incomplete(group)
            return
        choice = self._choose_payload_block(group, candidates)
        if choice is None:
            return
        tpbl, payload_block, key, blob_type = choice
        group.key, group.key_blob_type = key, blob_type
        group.pb_timestamp = payload_block.split(" ", 1)[0]
        group.notes.add(_KEY_NOTES.get(key.encoding, key.encoding))
        if any(e.certificate_block.length_name == "TBPL" for e in group.certificate_blocks):
            group.notes.add("netbsd variant: TBPL instead of TPBL")
        valid = self._check_certificate_blocks(group)
        self._conflicting_fragments(group, tpbl, payload_block)
        self._decide_trust(group, valid)

    @staticmethod
    def _conflicting_fragments(group: Group, tpbl: int, payload_block: str) -> None:
        """RFC 5848 §5.3.2 / notes §6.3: every CB of one group is a verbatim slice
        of the one payload block, and all agree on its length. A fragment that
        overlaps the reassembled payload block with other octets, or claims
        another length, means two payload blocks under one signer key."""
        conflicting = []
        for entry in group.certificate_blocks:
            block = entry.certificate_block
            start = block.index - 1
            # Only a fragment that verifies: a failing one is forged_block already.
            if ((block.tpbl != tpbl or payload_block[start:start + block.flen] != block.frag)
                    and check_signature(group.signer_key.public_key, block)[0]):
                conflicting.append(entry.record.where)
        if conflicting:
            group.add("conflicting_certificate", f"{len(conflicting)} certificate block fragment"
                      f"{'s' if len(conflicting) != 1 else ''} overlap the payload block with other octets "
                      f"(or another {group.certificate_blocks[0].certificate_block.length_name}): two payload "
                      "blocks under one signer", conflicting)

    def _report_incomplete(self, group: Group) -> None:
        blocks = [e.certificate_block for e in group.certificate_blocks]
        have = sorted({(b.index, b.flen) for b in blocks})
        pieces = ", ".join(f"{i}-{i + n - 1}" for i, n in have[:10])
        group.add("incomplete_certificate", f"the payload block cannot be reassembled: "
                  f"{blocks[0].length_name}={blocks[0].tpbl}, fragments cover octets {pieces}",
                  [e.record.where for e in group.certificate_blocks])

    def _choose_payload_block(self, group: Group, candidates) -> tuple | None:
        """The first reassembly whose key verifies a copy of every fragment it
        used (RFC §7.1 error recovery over re-sent fragments); failing that,
        the first one with a readable key."""
        first_readable, reason = None, "no payload block"
        for tpbl, payload_block, used in candidates:
            try:
                key, blob_type = self._payload_block_key(group, tpbl, payload_block)
            except ValueError as exc:
                reason = str(exc)
                continue
            if all(any(check_signature(key.public_key, b)[0] for b in fragment) for fragment in used):
                return tpbl, payload_block, key, blob_type
            first_readable = first_readable or (tpbl, payload_block, key, blob_type)
        if first_readable is None:
            group.add("unverifiable_group", f"payload block unusable: {reason}",
                      [e.record.where for e in group.certificate_blocks])
        return first_readable

    def _payload_block_key(self, group: Group, tpbl: int, payload_block: str) -> tuple[SignerKey, str]:
        parts = payload_block.split(" ", 2)
        if len(parts) < 2:
            raise ValueError("payload block is not TIMESTAMP SP TYPE SP BLOB")
        blob_type = parts[1]
        if blob_type == "N":
            return self._predistributed_key(group, tpbl), blob_type
        blob = b64decode(parts[2]) if len(parts) == 3 else None
        if not blob:
            raise ValueError(f"key blob of type {blob_type!r} is not base64")
        return key_from_blob(blob_type, blob), blob_type

    def _predistributed_key(self, group: Group, tpbl: int) -> SignerKey:
        """Type N: the key was distributed out of band, so it must be a trust
        anchor that verifies the certificate block."""
        for key in self.anchors.keys:
            if any(check_signature(key, e.certificate_block)[0] for e in group.certificate_blocks
                   if e.certificate_block.tpbl == tpbl):
                return SignerKey(key, PREDISTRIBUTED)
        raise ValueError("PB type N and no trusted key verifies the certificate block")

    def _check_certificate_blocks(self, group: Group) -> int:
        valid = 0
        for entry in group.certificate_blocks:
            ok, encoding = check_signature(group.signer_key.public_key, entry.certificate_block)
            if encoding:
                group.encodings.add(encoding)
            if ok:
                valid += 1
            else:
                self._forged(group, entry, "certificate block")
        return valid

    def _forged(self, group: Group, entry: Entry, what: str) -> None:
        copies = [entry.record.where] + [c.record.where for c in group.copies if c.record.octets == entry.record.octets]
        group.counts["forged_blocks"] += 1
        group.add("forged_block", f"{what} signature does not verify (damaged or forged); block ignored", copies)

    def _decide_trust(self, group: Group, valid_certificate_blocks: int) -> None:
        at = _timestamp_datetime(group.pb_timestamp)
        key = group.signer_key
        fingerprint = key.fingerprint
        where = [group.certificate_blocks[0].record.where]
        if self.anchors and self.anchors.anchors(key, at):
            group.status = ANCHORED
        elif not valid_certificate_blocks:
            group.status = UNVERIFIABLE        # forged_block already says why
        elif self.anchors:
            group.status = UNTRUSTED
            group.add("untrusted_key", f"key sha256:{fingerprint} matches no trust anchor", where)
        else:
            group.status = LEAP_OF_FAITH
            group.add("unanchored_key", f"no trust anchors given: key sha256:{fingerprint} used on leap of faith",
                      where)

    # -- step 5: signature blocks -----------------------------------------

    def check_signature_blocks(self, group: Group) -> None:
        """Map hash i of every valid SB to message number FMN+i."""
        equivocal: set[int] = set()
        equivocal_where: list[str] = []
        for entry in sorted(group.signature_blocks, key=lambda e: (e.signature_block.fmn, e.record.position)):
            block = entry.signature_block
            ok, encoding = check_signature(group.signer_key.public_key, block)
            if encoding:
                group.encodings.add(encoding)
            if not ok:
                self._forged(group, entry, "signature block")
                continue
            hashes_ = self._block_hashes(group, entry)
            if hashes_ is None:
                continue
            for i, digest in enumerate(hashes_):
                number = block.fmn + i
                known = group.signed.setdefault(number, [])
                if known and digest not in known:
                    equivocal.add(number)
                    if entry.record.where not in equivocal_where:
                        equivocal_where += [group.cover_where[number], entry.record.where]
                if digest not in known:
                    known.append(digest)
                if number not in group.cover_position:
                    group.cover_position[number] = entry.record.position
                    group.cover_where[number] = entry.record.where
                else:
                    group.cover_position[number] = min(group.cover_position[number], entry.record.position)
        if equivocal:
            group.add("equivocation", f"valid signature blocks give different hashes for {ranges_text(equivocal)}",
                      dict.fromkeys(equivocal_where), equivocal)

    def _block_hashes(self, group: Group, entry: Entry) -> list[bytes] | None:
        block = entry.signature_block
        hash_name = group.hash_name
        assert hash_name is not None, "establish_key leaves a group with an unsupported VER unusable"
        size = _DIGEST_SIZE[hash_name]
        texts = block.hb.split(" ")
        decoded = [digest for digest in (b64decode(text) for text in texts)
                   if digest is not None and len(digest) == size]
        if len(decoded) != len(texts):
            group.add("malformed", f"signature block HB is not {block.cnt} base64 {hash_name} hashes "
                      "separated by single SP; block ignored", [entry.record.where])
            return None
        if len(decoded) != block.cnt:
            # The signature vouches for the hashes; CNT is only a wrong count.
            group.add("malformed", f"signature block CNT={block.cnt} but HB holds {len(decoded)} hashes",
                      [entry.record.where])
        return decoded

    # -- step 6: match stored messages to signed numbers -----------------

    def index_messages(self) -> dict[bytes, list[int]]:
        index: dict[bytes, list[int]] = {}
        for entry in self.entries:
            if entry.kind == NORMAL:
                for digest in entry.digests:
                    index.setdefault(digest, []).append(entry.record.position)
        return index

    def assign(self, group: Group, index: dict[bytes, list[int]]) -> None:
        """Give each signed number one stored copy. Numbers whose hash has one
        possible copy go first; the others take the copy that fits between
        their neighbours, so a duplicate never reads as a reordering."""
        numbers = sorted(group.signed)
        users = Counter(digest for n in numbers for digest in group.signed[n])

        def candidates(number: int) -> list[int]:
            found = {p for digest in group.signed[number] for p in index.get(digest, ()) if p not in self.taken}
            # A copy stored after a newer session began counts only when it is the
            # only one: then it arrived late; beside an earlier copy it is a replay.
            # A newer session's own re-send of the same octets is left to that
            # session (share_resent_copies lets this one verify against it).
            before = sorted(p for p in found if p < group.boundary)
            return before or sorted(p for p in found if not self._resent_by_newer(group, p))

        for number in numbers:
            found = candidates(number)
            if len(found) == 1 and all(users[d] == 1 for d in group.signed[number]):
                self._take(group, number, found[0])
        anchors = sorted(group.assigned)
        anchor_positions = [group.assigned[n] for n in anchors]
        last = -1
        for number in numbers:
            if number in group.assigned:
                last = group.assigned[number]
                continue
            found = candidates(number)
            if not found:
                continue
            k = bisect_right(anchors, number)
            upper = anchor_positions[k] if k < len(anchors) else INFINITY
            # A copy inside the session's own span first: one sent before its
            # first block is a re-send's unsigned twin from the previous session.
            pick = next((p for p in found if max(last, group.first_block) < p < upper), None)
            if pick is None:
                pick = next((p for p in found if last < p < upper), None)
            if pick is None:
                pick = next((p for p in found if p > last), found[0])
            self._take(group, number, pick)
            last = pick

    def _resent_by_newer(self, group: Group, position: int) -> bool:
        """Whether a newer session of the signer, in whose span the copy lies,
        signed the same octets: its re-send after a reboot, not a late copy of
        this session."""
        digests = self.entries[position].digests
        for other in self.groups:
            if (other.newer_than(group) and (other.hostname, other.app_name) == (group.hostname, group.app_name)
                    and other.lower_edge < position < other.boundary):
                signed = self._signed_digests.get(id(other))
                if signed is None:
                    signed = self._signed_digests[id(other)] = {d for ds in other.signed.values() for d in ds}
                if any(d in signed for d in digests):
                    return True
        return False

    def share_resent_copies(self, index: dict[bytes, list[int]]) -> None:
        """A number whose only copies are a newer session's re-sends: hashed, its
        send failed, its SB went out on reconnect, and a power cut came before the
        rewind re-sent it, so it was delivered (and signed again) only in a later
        session. It verifies against that copy, which stays the newer session's.
        Delivery is in order, so only numbers after the last one stored in the
        session's own span qualify; a spare copy is left to leftover_copies."""
        for group in self.groups:
            delivered = max((n for n, p in group.assigned.items() if p < group.boundary), default=0)
            for number, digests in sorted(group.signed.items()):
                if number in group.assigned or number < delivered:
                    continue
                shared = sorted(p for d in digests for p in index.get(d, ()) if p > group.boundary
                                and p in self.taken and self._resent_by_newer(group, p))
                if shared:
                    group.assigned[number] = shared[0]
                    group.delivered_by_newer[number] = shared[0]

    def _take(self, group: Group, number: int, position: int) -> None:
        if position > group.boundary:
            group.late_messages.append(position)
        group.assigned[number] = position
        self.taken[position] = (group, number)
        self.matched.add(position)

    def leftover_copies(self, index: dict[bytes, list[int]]) -> None:
        """Stored copies of a signed hash that no number took: a replay when a
        newer session of the signer had begun before it, else a duplicate."""
        claims: dict[bytes, list[tuple[Group, int]]] = {}
        for group in self.groups:
            for number, digests in group.signed.items():
                for digest in digests:
                    claims.setdefault(digest, []).append((group, number))
        for digest, owners in claims.items():
            leftovers = [p for p in index.get(digest, ()) if p not in self.taken]
            duplicates = []
            for position in leftovers:
                self.matched.add(position)
                older = [g for g, _ in owners if g.boundary < position]
                resent_in = [g for g, _ in owners if self._is_resend(g, position)]
                # A session still current here that signed the same octets and
                # reconnected since: its own re-send, whatever older sessions sent.
                current = [(g, n) for g, n in owners if g.boundary >= position]
                if older and current and self._after_reconnect(current, position):
                    current[0][0].reconnect_resent.append(position)
                elif older:
                    self._replayed(older[0], position, [n for g, n in owners if g is older[0]])
                elif resent_in:
                    self._resent(resent_in[0], position, [n for g, n in owners if g is resent_in[0]])
                elif self._after_reconnect(owners, position):
                    group = owners[0][0]
                    group.reconnect_resent.append(position)
                else:
                    duplicates.append(position)
            if duplicates:
                self._duplicated(digest, owners, index, duplicates)

    @staticmethod
    def _after_reconnect(owners, position: int) -> bool:
        """A later copy with a certificate block between it and the signed copy:
        the device resent it in a new transport session (it sends a CB first in
        every one, RFC 5848 §6.1.1) because the old connection failed before the
        message was known delivered. A copy without that CB, or before the
        signed one, is a duplicate."""
        for group, number in owners:
            first = group.assigned.get(number)
            if first is None or first > position:
                continue
            for entry in group.certificate_blocks + group.copies:
                if entry.kind != SIGNATURE_BLOCK and first < entry.record.position < position:
                    return True
        return False

    def _is_resend(self, group: Group, position: int) -> bool:
        """The unsigned tail of the previous session: before this session's first
        block, and after every message an older session of the signer verified."""
        if position >= group.first_block:
            return False
        older = [g for g in self.groups if g is not group and g.first_block < position
                 and (g.hostname, g.app_name) == (group.hostname, group.app_name)]
        return bool(older) and position > max(max(g.assigned.values(), default=-1) for g in older)

    def _resent(self, group: Group, position: int, numbers: list[int]) -> None:
        """A copy sent after the last SB of the previous session and signed
        again in this one: the device lost that session's pending hashes (a
        power cut) and re-sent the unsigned tail so it gets a signature. Not
        a fault: the signed copy is verified, and this one is its twin."""
        group.counts["resent"] += 1
        group.resent.append(position)
        group.resent_numbers.update(numbers)

    def _replayed(self, group: Group, position: int, numbers: list[int]) -> None:
        replay = self.replays.setdefault(id(group), {"group": group, "positions": [], "numbers": set(), "blocks": 0})
        replay["positions"].append(position)
        replay["numbers"].update(numbers)

    def _duplicated(self, digest: bytes, owners, index, duplicates: list[int]) -> None:
        group = owners[0][0]
        numbers = sorted({n for g, n in owners if g is group})
        copies = sorted([p for p in index[digest] if self.taken.get(p, (None,))[0] is group] + duplicates)
        group.counts["duplicated"] += len(duplicates)
        group.add("duplicated", f"message {ranges_text(numbers)} stored {len(copies)} times but signed "
                  f"{len(numbers)} time{'s' if len(numbers) > 1 else ''}",
                  [self.records[p].where for p in copies], numbers)

    def replayed_blocks(self, group: Group) -> None:
        """Byte-identical block copies stored after a newer session began prove
        nothing new and hide nothing (their hashes are already checked): a late
        redundant re-send looks the same, so they are noted, not faults."""
        for copy in group.copies:
            if copy.record.position > group.boundary:
                group.late_blocks += 1

    def report_replays(self) -> None:
        for replay in self.replays.values():
            group: Group = replay["group"]
            positions = sorted(replay["positions"])
            blocks, messages = replay["blocks"], len(positions) - replay["blocks"]
            newer = self.records[int(group.boundary)].where
            what = ", ".join(part for part in (
                f"{messages} message{'s' if messages != 1 else ''}" + (
                    f" ({ranges_text(replay['numbers'])})" if replay["numbers"] else "") if messages else "",
                f"{blocks} block{'s' if blocks != 1 else ''}" if blocks else "") if part)
            group.counts["replayed"] += len(positions)
            group.add("replayed", f"replayed from older reboot session {group.rsid}: {what} stored after "
                      f"a newer session began at {newer}", [self.records[p].where for p in positions],
                      replay["numbers"])

    def claim_unverifiable(self, group: Group, index: dict[bytes, list[int]]) -> None:
        """Messages hashed by blocks we could not check are covered by the
        group's own finding; they are not reported again as unsigned."""
        for entry in group.signature_blocks:
            for text in entry.signature_block.hb.split(" "):
                digest = b64decode(text)
                for position in index.get(digest, ()) if digest else ():
                    if position not in self.matched and position not in self.claimed:
                        self.claimed.add(position)
                        group.counts["unverified"] += 1

    # -- step 7: what is missing, altered, out of order ------------------

    def unmatched_by_host(self) -> dict[str | None, list[int]]:
        hosts: dict[str | None, list[int]] = {}
        for entry in self.entries:
            position = entry.record.position
            if entry.kind == NORMAL and position not in self.matched and position not in self.claimed:
                hosts.setdefault(entry.hostname, []).append(position)
        return hosts

    def _window(self, positions: list[int], lower: float, upper: float, limit: float = INFINITY) -> list[int]:
        found: list[int] = []
        for position in positions[bisect_right(positions, lower):]:
            if position >= upper or len(found) > limit:
                break
            if position not in self.consumed:
                found.append(position)
        return found

    def _neighbours(self, group: Group, verified: list[int], first: int, last: int) -> tuple[float, float]:
        """The stored positions between which numbers first..last must sit: the
        nearest verified numbers, or the group's edges (the previous session's
        last block; the SB that first signed them)."""
        k = bisect_left(verified, first)
        lower = group.assigned[verified[k - 1]] if k > 0 else group.lower_edge
        k = bisect_right(verified, last)
        uppers = [group.assigned[verified[k]]] if k < len(verified) else []
        uppers += [group.cover_position[n] for n in (last, last + 1) if n in group.cover_position]
        return lower, min(uppers, default=INFINITY)

    def missing_and_altered(self, group: Group, unmatched: list[int]) -> None:
        """A missing run #a-#b with exactly b-a+1 unmatched messages of the
        host between its neighbours was altered in place; otherwise missing."""
        verified = sorted(group.assigned)
        missing = [n for n in sorted(group.signed) if n not in group.assigned]
        for first, last in number_ranges(missing):
            count = last - first + 1
            lower, upper = self._neighbours(group, verified, first, last)
            inside = self._window(unmatched, lower, upper, count)
            if len(inside) == count:
                for number, position in zip(range(first, last + 1), inside):
                    self.consumed.add(position)
                    entry = self.entries[position]
                    note = f" (and now malformed: {entry.problem})" if entry.problem else ""
                    group.counts["altered"] += 1
                    group.add("altered", f"altered #{number} at {entry.record.where}: its octets no longer match "
                              f"the signed hash{note}", [entry.record.where], [number])
            else:
                group.counts["missing"] += count
                label = f"#{first}" if first == last else f"#{first}-#{last}"
                group.add("missing", f"missing {label}: signed (signature block at {group.cover_where[first]}) "
                          "but not in the files",
                          [group.cover_where[first]], range(first, last + 1))

    def lost_signatures(self, group: Group, unmatched: list[int]) -> None:
        """Numbers inside the signed range that no valid SB covers: an SB was
        lost. The messages stored there are accounted to this finding."""
        verified = sorted(group.assigned)
        previous = 0
        for number in sorted(group.signed):
            if number > previous + 1:
                first, last = previous + 1, number - 1
                lower, upper = self._neighbours(group, verified, first, last)
                inside = self._window(unmatched, lower, upper)
                self.consumed.update(inside)
                group.counts["no_signature"] += last - first + 1
                label = f"#{first}" if first == last else f"#{first}-#{last}"
                group.add("no_signature", f"no signature received for {label} (signature block lost); "
                          f"{len(inside)} stored message{'s' if len(inside) != 1 else ''} there cannot be checked",
                          [self.records[p].where for p in inside], [first, last])
            previous = number

    def reordered(self, group: Group) -> None:
        """Adjacent inversions only: swapping #5 and #6 is one finding."""
        verified = sorted(group.assigned)
        for a, b in pairwise(verified):
            if group.assigned[a] > group.assigned[b]:
                group.counts["reordered"] += 1
                group.add("reordered", f"reordered #{a}-#{b}: #{b} is stored before #{a}",
                          [self.records[group.assigned[a]].where, self.records[group.assigned[b]].where], [a, b])

    # -- step 8: what no valid signature covers ---------------------------

    def unsigned(self, hosts: dict[str | None, list[int]]) -> None:
        block_hosts = {e.hostname for e in self.entries if e.kind != NORMAL}
        unsigned_sources: dict[tuple[str | None, str | None], list[int]] = {}
        unsigned_in_group: dict[int, tuple[Group | None, list[int]]] = {}
        for host, positions in hosts.items():
            sessions = self._sessions_of(host)
            for position in positions:
                if position in self.consumed:
                    continue
                entry = self.entries[position]
                if entry.problem:
                    # An unparseable line cannot be judged further: one finding.
                    self.findings.append(Finding("malformed", None, entry.problem, [entry.record.where]))
                elif host in block_hosts:
                    group = self._session_at(sessions, position)
                    unsigned_in_group.setdefault(id(group), (group, []))[1].append(position)
                else:
                    unsigned_sources.setdefault((host, entry.app_name), []).append(position)
        for group, positions in unsigned_in_group.values():
            plural = "s" if len(positions) != 1 else ""
            detail = (f"{len(positions)} message{plural} of {positions and self.entries[positions[0]].hostname} "
                      "covered by no valid signature block (injected, altered, or sent after the last "
                      "signature block)")
            where = [self.records[p].where for p in positions]
            if group is None:      # the host's blocks are all malformed
                self.findings.append(Finding("unsigned", None, detail, where))
                continue
            group.counts["unsigned"] += len(positions)
            group.add("unsigned", detail, where)
        for (host, app_name), positions in unsigned_sources.items():
            self.findings.append(Finding(
                "unsigned_source", None, f"{len(positions)} message{'s' if len(positions) != 1 else ''} from "
                f"HOSTNAME {host} APP-NAME {app_name}, which has no signer in these files",
                [self.records[p].where for p in positions[:10]]))

    def _sessions_of(self, host: str | None) -> list[tuple[int, Group]]:
        """The host's groups with the position each one starts at (its first
        block or its first verified message), in that order."""
        return sorted(((min([g.first_block, *g.assigned.values()]), g) for g in self.groups if g.hostname == host),
                      key=lambda item: item[0])

    @staticmethod
    def _session_at(sessions: list[tuple[int, Group]], position: int) -> Group | None:
        """The session a stray message belongs to: the last one of its host that
        had started by then, or the first one."""
        if not sessions:
            return None
        k = bisect_right([start for start, _ in sessions], position)
        return sessions[max(k - 1, 0)][1]

    def malformed(self) -> None:
        """Malformed blocks, and malformed messages that still matched a hash
        (unmatched ones were reported with the unsigned messages)."""
        for entry in self.entries:
            position = entry.record.position
            if entry.deviation:
                self.findings.append(Finding("malformed", None, f"{entry.kind.replace('_', ' ')}: {entry.deviation}",
                                             [entry.record.where], cause="parameter_order"))
            if not entry.problem:
                continue
            if entry.kind != NORMAL:
                self.findings.append(Finding("malformed", None, f"{entry.kind.replace('_', ' ')}: {entry.problem}",
                                             [entry.record.where]))
            elif position in self.matched:
                self.findings.append(Finding("malformed", None, f"signed message is malformed: {entry.problem}",
                                             [entry.record.where]))

    # -- the whole run ------------------------------------------------------

    def run(self) -> dict:
        self.build_groups()
        for group in self.groups:
            self.establish_key(group)
            if group.usable:
                self.check_signature_blocks(group)
        index = self.index_messages()
        for group in sorted(self.groups, key=lambda g: g.first_block):
            self.assign(group, index)
        self.share_resent_copies(index)
        self.leftover_copies(index)
        for group in self.groups:
            self.replayed_blocks(group)
            if not group.usable:
                self.claim_unverifiable(group, index)
        self.report_replays()
        for group in self.groups:
            if group.late_blocks or group.late_messages:
                self._warn("late", group, f"{len(group.late_messages)} message(s) and {group.late_blocks} block(s) "
                           f"of this session stored after a newer session began (reordered across connections "
                           f"around a reboot); all verified", group.late_messages, limit=10)
            if group.reconnect_resent:
                self._warn("resent", group, f"{len(group.reconnect_resent)} message(s) stored twice: resent after "
                           f"a transport reconnect (at-least-once delivery); each copy matches its signed hash",
                           group.reconnect_resent, limit=10)
            if group.delivered_by_newer:
                numbers = sorted(group.delivered_by_newer)
                self._warn("resent", group, f"{len(numbers)} message(s) {ranges_text(numbers)} stored only as a "
                           f"newer session's re-send (the send failed, a power cut came before it was re-sent, "
                           f"the next session signed it again); verified against that copy",
                           group.delivered_by_newer.values(), numbers, limit=10)
            if group.resent:
                self._warn("resent", group, f"{len(group.resent)} message(s) {ranges_text(group.resent_numbers)} "
                           f"first sent unsigned after the previous session's last signature block, then re-sent "
                           f"and signed in this session", group.resent, sorted(group.resent_numbers))
        hosts = self.unmatched_by_host()
        for group in self.groups:
            if group.usable:
                self.missing_and_altered(group, hosts.get(group.hostname, []))
        for group in self.groups:
            if group.usable:
                self.lost_signatures(group, hosts.get(group.hostname, []))
                self.reordered(group)
            if group.rsid == 0:
                self.warnings.append(Finding("rsid_zero", group.label, "RSID is 0: a replay across reboots "
                                             "cannot be detected", [self._first_where(group)]))
            if group.sg == 3 or group.sg >= 8:
                what = "SG=3 (grouping agreed out of band)" if group.sg == 3 else f"SG={group.sg} (vendor-specific)"
                self.warnings.append(Finding("unknown_sg_scheme", group.label, f"{what}: this verifier does not "
                                             "know the scheme, so what each signature group holds cannot be "
                                             "interpreted; the administrator should check it (RFC 5848 §4.2.3)",
                                             [self._first_where(group)]))
            elif group.sg > 3:
                group.add("reserved_sg", f"SG={group.sg} is reserved (RFC 5848 §4.2.3 defines 0-3; 4-7 are left "
                          "for IANA): not a valid signature group", [self._first_where(group)])
        self.unsigned(hosts)
        self.malformed()
        return self.report()

    def _warn(self, kind: str, group: Group, detail: str, positions, numbers=(), limit: int | None = None) -> None:
        """Noted, not a fault: warnings do not change the exit status."""
        where = [self.records[p].where for p in sorted(positions)[:limit]]
        self.warnings.append(Finding(kind, group.label, detail, where, list(numbers)))

    def _first_where(self, group: Group) -> str:
        return self.records[group.first_block].where

    def verified_seqs(self) -> dict[str, list[int]]:
        """Device seqs ([hcdaudit@PEN seq=...]) of the verified messages, per
        DeviceUUID (DUU of the [PWG] element; HOSTNAME when there is none)."""
        seqs: dict[str, list[int]] = {}
        for group in self.groups:
            for position in group.assigned.values():
                octets = self.records[position].octets
                match = _SEQ.search(octets)
                if match:
                    device = _DUU.search(octets)
                    owner = device.group(1).decode("ascii", "replace") if device else group.hostname
                    seqs.setdefault(owner, []).append(int(match.group(1)))
        return {owner: sorted(set(numbers)) for owner, numbers in seqs.items()}

    def tail_statement(self, seqs: dict[str, list[int]]) -> dict:
        """What the file proves about its end, and what it cannot: a signer
        signs only what it sent, so messages removed after the last signed one
        (a file cut short together with its last blocks) leave no trace."""
        last = {}
        for group in self.groups:
            if group.assigned:
                last[group.label] = max(group.assigned)
        if not last:
            return {"anchored": False, "last_verified": {}, "last_verified_seq": {},
                    "statement": "nothing verified: the file proves no message"}
        newest = max((g for g in self.groups if g.assigned), key=lambda g: (g.epoch, g.rsid, g.first_block))
        through = ", ".join(f"{owner} seq {ranges_text(numbers).replace('#', '')}" for owner, numbers in seqs.items())
        statement = (f"verified {through or 'messages without a device seq'}; a removal of messages after the last "
                     f"verified one (#{max(newest.assigned)} of RSID {newest.rsid}) leaves no trace in this file "
                     f"alone: anchor it with `--device DEVICE_DIR` (the device's own store)")
        return {"anchored": False, "last_verified": last,
                "last_verified_seq": {owner: numbers[-1] for owner, numbers in seqs.items()},
                "statement": statement}

    def report(self) -> dict:
        groups = [self._group_report(g) for g in self.groups]
        findings = [f.as_dict() for g in self.groups for f in g.findings] + [f.as_dict() for f in self.findings]
        normal = sum(1 for e in self.entries if e.kind == NORMAL)
        seqs = self.verified_seqs()
        return {
            "verified_seqs": {owner: [list(r) for r in number_ranges(numbers)] for owner, numbers in seqs.items()},
            "tail": self.tail_statement(seqs),
            "files": [str(p) for p in self.paths],
            "messages": len(self.records),
            "normal_messages": normal,
            "blocks": len(self.records) - normal,
            "groups": groups,
            "findings": findings,
            "warnings": [w.as_dict() for w in self.warnings],
            "verified": sum(g["verified"] for g in groups),
            "ok": not findings,
        }

    def _group_report(self, group: Group) -> dict:
        counts = group.counts
        return {
            "group": group.label,
            "signer": {"hostname": group.hostname, "app_name": group.app_name, "procid": group.procid},
            "rsid": group.rsid, "sg": group.sg, "spri": group.spri, "ver": group.ver,
            "key_trust": group.status,
            "key_fingerprint": group.key.fingerprint if group.key else None,
            "key_blob_type": group.key_blob_type,
            "key_encoding": group.key.encoding if group.key else None,
            "pb_timestamp": group.pb_timestamp,
            "signature_encoding": sorted(group.encodings),
            "highest_signed": max(group.signed, default=None),
            "signature_blocks": len(group.signature_blocks),
            "certificate_blocks": len(group.certificate_blocks),
            "verified": len(group.assigned),
            "verified_ranges": [list(r) for r in number_ranges(group.assigned)],
            **{name: counts[name] for name in ("missing", "altered", "unsigned", "duplicated", "reordered",
                                               "replayed", "no_signature", "forged_blocks", "unverified")},
            "notes": sorted(group.notes),
            "findings": [f.as_dict() for f in group.findings],
        }


def _payload_block_candidates(blocks: list[CertificateBlock], limit: int = 16, steps: int = 10000):
    """Yield (tpbl, payload block, fragments used) for every way the CB
    fragments join into a whole PB. Fragments with different TPBL are never
    joined; differing copies at one INDEX (re-sends) are alternatives. Each
    'fragment used' is the list of CBs carrying that exact fragment."""
    by_length: dict[int, dict[int, dict[str, list[CertificateBlock]]]] = {}
    for block in blocks:
        by_length.setdefault(block.tpbl, {}).setdefault(block.index, {}).setdefault(block.frag, []).append(block)
    produced = 0
    for tpbl, fragments in by_length.items():
        stack: list[tuple[int, list[str], list[list[CertificateBlock]]]] = [(1, [], [])]
        while stack and produced < limit and steps > 0:
            steps -= 1
            index, parts, used = stack.pop()
            if index == tpbl + 1:
                produced += 1
                yield tpbl, "".join(parts), used
                continue
            for frag, carriers in reversed(list(fragments.get(index, {}).items())):
                stack.append((index + len(frag), parts + [frag], used + [carriers]))


def _timestamp_datetime(timestamp: str | None) -> datetime:
    if timestamp is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(timestamp)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    except ValueError:
        return datetime.now(UTC)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------

def verify(paths: list[Path], trust: list[Path] | None = None) -> dict:
    """Verify the files (in the order given, as one stream) and return the
    JSON-able report. With no trust files, keys are used on leap of faith and
    every group gets an "unanchored_key" finding."""
    anchors = load_trust(trust or [])
    return Verification(paths, anchors).run()


def exit_status(report: dict) -> int:
    """0 only if everything verified and nothing else was found."""
    return 0 if report["ok"] else 1


def describe(report: dict) -> str:
    tail = report.get("tail") or {}
    verdict = "FAILED" if not report["ok"] else \
        "VERIFIED" if tail.get("anchored") else "VERIFIED through the last signed message"
    lines = [f"syslog verification: {verdict} "
             f"({report['verified']} verified, {len(report['findings'])} finding"
             f"{'s' if len(report['findings']) != 1 else ''})",
             f"  files     {', '.join(report['files'])}",
             f"  messages  {report['messages']} ({report['normal_messages']} normal, {report['blocks']} blocks)"]
    for group in report["groups"]:
        lines += _describe_group(group)
    other = [f for f in report["findings"] if f["group"] is None]
    if other:
        lines.append("  not tied to a signer:")
        lines += [_describe_finding(f) for f in other]
    for warning in report["warnings"]:
        lines.append(f"  warning   {warning['detail']} ({warning['group']})")
    if tail.get("statement"):
        lines.append(f"  proven    {tail['statement']}")
    return "\n".join(lines)


def _describe_group(group: dict) -> list[str]:
    ranges = ", ".join(f"#{a}" if a == b else f"#{a}-#{b}" for a, b in group["verified_ranges"]) or "none"
    lines = [f"  group {group['group']}",
             f"    key       {group['key_trust']}"
             + (f", sha256:{group['key_fingerprint']}, type {group['key_blob_type']} ({group['key_encoding']})"
                if group["key_fingerprint"] else ""),
             f"    PB time   {group['pb_timestamp'] or '-'}; signatures "
             f"{'/'.join(group['signature_encoding']) or '-'}; blocks {group['signature_blocks']} SB, "
             f"{group['certificate_blocks']} CB",
             f"    verified  {group['verified']} ({ranges}); highest signed "
             f"{'#' + str(group['highest_signed']) if group['highest_signed'] else '-'}"]
    counts = [f"{name} {group[name]}" for name in ("missing", "altered", "unsigned", "duplicated", "reordered",
                                                   "replayed", "no_signature", "forged_blocks", "unverified")
              if group[name]]
    if counts:
        lines.append(f"    counts    {', '.join(counts)}")
    lines += [f"    note      {note}" for note in group["notes"]]
    lines += [_describe_finding(f) for f in group["findings"]]
    return lines


def _describe_finding(finding: dict) -> str:
    where = finding["where"]
    shown = ", ".join(where[:5]) + (f", ... ({len(where)} places)" if len(where) > 5 else "")
    return f"    {finding['kind']:<22} {finding['detail']}" + (f"  [{shown}]" if shown else "")
