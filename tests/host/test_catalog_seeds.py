"""Every event ID in the seed documents maps to a canonical event.

The seed tables are read from ../shared/seeds here, independently of the
catalog code, with the seed errata of hcd-audit-requirements §2.6 applied, so
the test checks the catalog rather than restating it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from hcdaudit import catalog

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"
if not SEEDS.exists():
    SEEDS = Path("/work/shared/seeds")
pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason="shared seeds not available")

# §2.6: IDs absent from App. B, OCR garbage lines, and misnumbered rows.
XEROX_MISSING = {19, 22, 28, 52, 56, 86, 118, 123, 135, 156, 157, 158}
# The seed spells "Copy" with Cyrillic look-alikes (С о р у).
CYRILLIC = str.maketrans("\u0421\u043e\u0440\u0443", "Copy")
XEROX_INFERRED = ["Audit log Saved", "SSL", "X509 certificate", "IP sec", "SNMPv3", "IP Filtering Rules",
                  "Network Authentication", "Device clock", "SW upgrade", "Cloning", "Scan Metadata"]


def xerox_tables() -> tuple[dict[int, str], list[tuple[int, str]]]:
    lines = (SEEDS / "xerox-primelink-security-guide.txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "10. Appendix B: Security Events"
                 and i > 200)
    app_b: dict[int, str] = {}
    x101: list[tuple[int, str]] = []
    in_class_table = False
    for line in lines[start:]:
        m = re.match(r"^(\d+)\t([^\t]+)", line)
        if not m:
            continue
        number, title = int(m.group(1)), m.group(2).strip().translate(CYRILLIC)
        if number == 101 and title.startswith("Started normally"):
            in_class_table = True
        if in_class_table:
            x101.append((number, title))
            continue
        if (number, title) == (13, "Data Encryption enabled"):
            number = 15
        if (number, title) == (34, "CPSR Residie"):
            number = 54
        if number in (400, 100) and title in ("All d Did", "Notwork Troublesheeting"):
            continue
        app_b.setdefault(number, title)
    unnumbered = [line.split("\t")[0] for line in lines[start:] if line and not line[0].isdigit()]
    assert all(any(u.startswith(t) for u in unnumbered) for t in XEROX_INFERRED)
    for offset, title in enumerate(XEROX_INFERRED):
        app_b[36 + offset] = title
    return app_b, x101


def fx_table() -> list[tuple[int, str]]:
    lines = (SEEDS / "fujixerox-audit-log-format-ja.txt").read_text(encoding="utf-8").splitlines()
    rows, current = [], None
    for i, line in enumerate(lines):
        m = re.fullmatch(r"\s*0x(0[1-8]01)\s*", line)
        if m and "Audit Event ID" in lines[i - 1]:
            current = int(m.group(1), 16)
        if "(Description)" in line and current is not None:
            j = i + 1
            while not lines[j].strip():
                j += 1
            rows.append((current, lines[j].strip().strip("\u201c\u201d")))
    return rows


def km_actions() -> set[int]:
    de = (SEEDS / "audit-log-items-de.txt").read_text(encoding="utf-8")
    actions = {int(m.group(1)) for m in re.finditer(r"^(\d+) \| .+\| (?:OK|OK/NG|OK/err No) \|$", de, re.M)}
    pro = (SEEDS / "konica-minolta-bizhub-pro-951-audit-log.txt").read_text(encoding="utf-8")
    actions |= {int(m.group(1)) for m in re.finditer(r"^(\d\d)$", pro, re.M)}
    return actions


def test_catalog_seed_parsers_find_the_whole_tables():
    app_b, x101 = xerox_tables()
    assert set(app_b) == set(range(1, 185)) - XEROX_MISSING
    assert {n for n, _ in x101} == {101, 201, 301, 401, 501, 601, 701, 801} and len(x101) >= 50
    fx = fx_table()
    assert len(fx) == 59 and {i for i, _ in fx} == {0x0101 + 0x100 * k for k in range(8)}
    assert km_actions() == set(range(1, 14)) | {16, 20, 21, 22, 23, 25, 26, 27, 28, 29, 41, 42, 43, 44, 45, 46,
                                                47, 49, 50, 51, 52, 53, 54}


def test_catalog_every_xerox_app_b_id_maps_to_a_canonical_event():
    app_b, _ = xerox_tables()
    unmapped = [(n, t) for n, t in sorted(app_b.items()) if catalog.vendor_event("xerox", n) is None]
    assert not unmapped
    for number, title in app_b.items():     # the catalog's text is the seed's title (cleaned)
        from hcdaudit.catalog_vendor import ROWS
        text = next(r[2] for r in ROWS if r[0] == "xerox" and r[1] == number)
        assert text.lower().startswith(title.split()[0].lower()), (number, title, text)


def test_catalog_every_primelink_class_row_maps_to_a_canonical_event():
    _, x101 = xerox_tables()
    unmapped = [(n, t) for n, t in x101 if catalog.vendor_event("x101", n, t) is None]
    assert not unmapped


def test_catalog_every_fuji_xerox_id_and_description_maps_to_a_canonical_event():
    unmapped = [(hex(i), d) for i, d in fx_table() if catalog.vendor_event("fx", i, d) is None]
    assert not unmapped


def test_catalog_every_km_action_maps_to_a_canonical_event():
    assert not [a for a in sorted(km_actions()) if catalog.vendor_event("km", a) is None]


@pytest.mark.parametrize("scheme, vendor_id, text, event", [
    ("fx", 0x0201, "Login", "login"), ("fx", 0x0501, "Adjust Time", "clock_change"),
    ("fx", 0x0801, "Trusted Communication", "trusted_channel_failure"), ("fx", 0x0401, "Fax", "fax_send_job"),
    ("xerox", 43, None, "clock_change"), ("xerox", 124, None, "lockout"), ("xerox", 61, None, "role_change"),
    ("km", 11, None, "login"), ("km", 52, None, "audit_start"), ("km", 20, None, "clock_change"),
    ("x101", 801, "Communication Reliability", "trusted_channel_failure"),
])
def test_catalog_seed_ids_land_on_the_event_the_requirements_name(scheme, vendor_id, text, event):
    # hcd-audit-requirements §2.2 / §2.3 mapping.
    assert catalog.vendor_event(scheme, vendor_id, text) == event


def test_catalog_fx_security_setting_names_are_the_seeds():
    from hcdaudit.catalog_vendor import FX_SECURITY_SETTINGS
    lines = (SEEDS / "fujixerox-audit-log-format-ja.txt").read_text(encoding="utf-8").splitlines()
    start = next(i for i, l in enumerate(lines) if "Change Security Setting" in l)
    end = next(i for i in range(start, len(lines)) if "変更内容" in lines[i])
    names = [l.strip().strip("\u201c\u201d") for l in lines[start + 1:end] if l.strip().startswith("\u201c")]
    assert names[1:] == list(FX_SECURITY_SETTINGS)     # names[0] is the Status "Successful"


# HCD PP v1.0 FAU_GEN.1 events (hcd-audit-requirements §1.2) and the record
# content each must carry beyond date/time, type, subject and outcome.
PP_EVENTS = {
    "E0": ("FAU_GEN.1.1(a)", ()), "E1": ("FDP_ACF.1", ()), "E2": ("FIA_UAU.1", ()), "E3": ("FIA_UID.1", ()),
    "E4": ("FMT_SMF.1", ()), "E5": ("FMT_SMR.1", ("target_user", "target_role")),
    "E6": ("FPT_STM.1", ("old_time", "method")), "E7": ("FTP_ITC.1", ("reason", "protocol")),
}


@pytest.mark.parametrize("tag", sorted(PP_EVENTS))
def test_catalog_every_hcd_pp_event_has_a_canonical_event_with_its_contents(tag):
    sfr, contents = PP_EVENTS[tag]
    matching = [n for n in catalog.event_names() if tag in catalog.pp_requirement(n).split()
                or tag + "," in catalog.pp_requirement(n)]
    assert matching, tag
    assert all(sfr.split("(")[0] in catalog.pp_requirement(n) for n in matching)
    if contents:
        assert any(set(contents) <= set(catalog.required_items(n)) for n in matching), (tag, matching)
    for name in matching:
        # FAU_GEN.1.2: outcome is always recorded; a subject is always present (system or actor).
        assert catalog.event_outcomes(name)
    if tag == "E1":   # type of job: one event per job type, named by PWG service
        assert {"print_job", "copy_job", "scan_job", "fax_send_job", "fax_receive_job"} <= set(matching)
    if tag == "E3":   # unsuccessful identification has its own outcome
        assert "invalid_user_id" in catalog.event_outcomes("login_failure")
