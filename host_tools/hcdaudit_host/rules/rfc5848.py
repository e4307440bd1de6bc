"""RFC 5848 (Signed Syslog Messages) rules: the findings of the verifier
(hcdaudit_host.syslog_verify, shared/specs/rfc5848-signed-syslog.md §8). Each
is a `verify syslog` finding kind, and `hcdaudit conformance` reports it as
H7 at the level given here. Those that mean tampering are errors (issue 13):
a deleted, injected, reordered, replayed, duplicated or altered message, a
forged or conflicting block, and a group that cannot be checked because its
certificate block is missing or its VER is unsupported."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..findings import E, Finding, I, W
from . import Rule

if TYPE_CHECKING:
    from ..conformance import Checker

SPEC = "RFC 5848"
_T = "tests/host/test_syslog_verify.py::"
_N = "tests/host/test_rfc5848_rules.py::"


def _kind(kind: str, level: str, section: str, title: str, enforces: str, test: str) -> Rule:
    return Rule(kind, level, SPEC, section, title, enforces, trigger=test, conformance_id="H7")


RULES = (
    _kind("altered", "E", "§7.1; notes §8", "message altered",
          "A stored message whose octets no longer hash to the number its signature block signed.",
          _T + "test_altered_message_is_one_altered_finding"),
    _kind("missing", "E", "§7.1; notes §8", "signed message deleted",
          "A number a valid signature block signed, with no stored message: deleted or lost.",
          _T + "test_deleted_message_is_one_missing_finding"),
    _kind("unsigned", "E", "§7.1; notes §8", "message injected",
          "A stored message no valid signature block of its signer covers: injected, altered, or sent after the "
          "last block.", _T + "test_injected_message_is_one_unsigned_finding"),
    _kind("reordered", "E", "§4.2.6 (FMN order); notes §8", "messages reordered",
          "Signed numbers stored out of their order.", _T + "test_swapped_messages_are_one_reordered_finding"),
    _kind("duplicated", "E", "§7.1; notes §8", "message duplicated",
          "More stored copies of a hash than signed numbers carry it.",
          _T + "test_duplicate_message_is_one_duplicated_finding"),
    _kind("replayed", "E", "§4.2.2 (RSID); notes §8", "replayed from an older session",
          "A message or block of an older reboot session stored after a newer session began.",
          _T + "test_replayed_message_from_an_older_session"),
    _kind("forged_block", "E", "§5.3.2, §4.2.8", "block signature does not verify",
          "A signature or certificate block whose SIGN does not verify under the session key.",
          _T + "test_forged_signature_block"),
    _kind("equivocation", "E", "§7.1", "two hashes for one number",
          "Valid signature blocks that give different hashes for the same message number.",
          _T + "test_equivocation"),
    _kind("conflicting_certificate", "E", "§5.3.2 (FRAG, TPBL); notes §6.3", "certificate fragments disagree",
          "Every certificate block of a signer session is a verbatim slice of the one payload block and all "
          "agree on TPBL: a validly signed fragment that overlaps it with other octets means two payload blocks.",
          _N + "test_conflicting_certificate_fragments"),
    _kind("malformed", "E", "§4.2, §5.3.2", "malformed block",
          "Blocks follow the RFC grammar: each parameter once, nothing else, values in range, CNT hashes in HB; "
          "the parameters in exactly the RFC's order (VER RSID SG SPRI GBC FMN CNT HB SIGN; VER RSID SG SPRI "
          "TPBL INDEX FLEN FRAG SIGN): an out-of-order block is still verified and reported.",
          _N + "test_signature_block_parameters_out_of_order"),
    _kind("reserved_sg", "E", "§4.2.3", "reserved SG value",
          "SG 0-3 are defined; 4-7 are reserved for IANA: a block with SG 4-7 is no valid signature group.",
          _N + "test_reserved_sg_value"),
    _kind("unknown_sg_scheme", "W", "§4.2.3", "SG=3 cannot be interpreted",
          "SG=3 (and the vendor-specific 8-9) group messages by a scheme agreed out of band: a collector that does "
          "not know it SHOULD alert the administrator; this verifier does, as a warning.",
          _N + "test_sg_3_alerts_that_the_groups_cannot_be_interpreted"),
    _kind("rsid_zero", "W", "§4.2.2", "RSID 0",
          "RSID=0 means the signer cannot keep a reboot session id: a replay across reboots cannot be detected.",
          _N + "test_rsid_zero_is_a_warning_in_conformance"),
    _kind("untrusted_key", "E", "§5.2.2", "key matches no trust anchor",
          "The payload block's key matches none of the --trust anchors.", _T + "test_wrong_trust_key_is_untrusted"),
    _kind("unanchored_key", "W", "§5.2.2", "key used on leap of faith",
          "No trust anchor given: the key is used on leap of faith.", _T + "test_no_trust_is_unanchored"),
    _kind("unverifiable_group", "E/W", "§5.2, §4.2.1 (VER); notes §8", "group cannot be checked",
          "No certificate block received, or VER not supported (E: tampering hides this way); a payload block "
          "that cannot be used otherwise is W.", _T + "test_deleted_certificate_block_makes_the_group_unverifiable"),
    _kind("incomplete_certificate", "W", "§5.3.2; notes §6.3", "payload block incomplete",
          "The certificate fragments do not join into a whole payload block.",
          _T + "test_missing_fragment_is_an_incomplete_certificate"),
    _kind("no_signature", "W", "notes §8", "signature block lost",
          "A gap in the numbers covered by any valid signature block: the block was lost.",
          _T + "test_lost_signature_block_is_one_no_signature_finding"),
    _kind("rsid_regression", "W", "§4.2.2", "RSID went back",
          "An RSID lower than one seen before for the signer: sessions can no longer be told apart.",
          _T + "test_rsid_regression"),
    _kind("unsigned_source", "W", "notes §8", "host that does not sign",
          "Messages of a host that sent no signature block at all.",
          _T + "test_message_from_a_host_without_signer"),
    _kind("resent", "I", "§6.2; notes §7", "re-sent message",
          "A message stored twice by at-least-once delivery, each copy matching its signed hash: not a fault.",
          _T + "test_byte_identical_block_copies_are_resends"),
)


# --------------------------------------------------------------------------
# The checks
# --------------------------------------------------------------------------

_VERIFY_LEVELS = {kind: rule.level if rule.level in (E, W, I) else W
                  for kind, rule in ((r.id, r) for r in RULES)}
_TAMPER_CAUSES = ("unsupported_ver", "no_certificate_block")
_VERIFY_HINTS = {
    "altered": "the message differs from what was signed: find who changed it (collector templates, relays)",
    "unanchored_key": "pass --trust with the device's certificate or public key",
    "untrusted_key": "the signing key is not the trusted one: check --trust and the device's key",
    "missing": "signed messages never arrived: use a reliable transport (TLS, RELP)",
    "unsigned": "messages no valid signature block covers: injected, altered, or sent after the last block",
    "rsid_zero": "RFC 5848 §4.2.2: keep RSID in non-volatile memory so that sessions can be told apart",
    "unknown_sg_scheme": "RFC 5848 §4.2.3: SG=3 groups are private; check with the vendor what each group holds",
    "reserved_sg": "RFC 5848 §4.2.3: use SG 0-3",
    "conflicting_certificate": "two payload blocks under one signer key: a forged or equivocating signer",
    "malformed": "signature/certificate blocks must follow RFC 5848 §4.2 / §5.3",
}


def _split_where(where: str) -> tuple[str, int | None]:
    file, _, line = where.rpartition(":")
    return (file, int(line)) if file and line.isdigit() else (where, None)


def signatures(checker: Checker, report: dict) -> None:
    label = checker.source_label
    for finding in report["findings"] + report["warnings"]:
        kind = finding["kind"]
        level = _VERIFY_LEVELS.get(kind, W)
        where = finding["where"][0] if finding["where"] else None
        file, line = _split_where(where) if where else (label, None)
        if kind == "unverifiable_group" and finding.get("cause") in _TAMPER_CAUSES:
            level = E
        hint = _VERIFY_HINTS.get(kind, "see `hcdaudit verify syslog` for the details")
        if kind == "untrusted_key" and not checker.options.trust:
            hint = "the signing key is not the trusted one: check the device's key"
        f = Finding("H7", level, f"RFC 5848 {kind.replace('_', ' ')}: {finding['detail']}", hint, file, line)
        f.count = max(len(finding["where"]), 1)
        checker.findings.append(f)
    groups = report["groups"]
    checker.findings.append(Finding(
        "H7", I, f"RFC 5848: {report['verified']} of {report['normal_messages']} messages verified, "
        f"{report['blocks']} blocks, {len(groups)} signer session{'s' if len(groups) != 1 else ''} "
        f"({', '.join(sorted({g['key_trust'] for g in groups})) or 'no key'})",
        "keys checked against the --trust anchors given" if checker.options.trust else
        "pass --trust with the device's certificate to anchor the key", label))
