"""The hcdaudit command on good and bad input: exit 0 clean, 1 findings, 2 unusable input."""
from __future__ import annotations

import json
import stat

import pytest


@pytest.fixture
def device(tmp_path, hcdaudit):
    path = tmp_path / "mfd"
    status, out, _ = hcdaudit("provision", path, "--name", "mfd-lab-3", "--serial", "XR1234")
    assert status == 0 and "mfd-lab-3" in out
    return path


def test_provision_writes_identity_key_nvram_and_store(device):
    identity = json.loads((device / "bundle" / "device.json").read_text())
    assert identity["name"] == "mfd-lab-3" and identity["serial"] == "XR1234"
    assert identity["uuid"].startswith("urn:uuid:")
    assert stat.S_IMODE((device / "bundle" / "master.key").stat().st_mode) == 0o600
    assert len((device / "bundle" / "master.key").read_bytes()) == 32
    assert (device / "nvram.bin").stat().st_size == 192 + 50 * 512      # format v2: two 96-byte header copies
    assert (device / "store").is_dir()


def test_provision_separates_the_bundle_from_the_escrow(device):
    bundle = sorted(p.name for p in (device / "bundle").iterdir())
    escrow = sorted(p.name for p in (device / "escrow").iterdir())
    assert bundle == ["device.json", "https-cert.der", "https-key.der", "master.key", "syslog-signing.der",
                      "syslog-signing.json"]
    # never the signing key; the integrity root only in the escrow (and in NVRAM until the first flush)
    assert escrow == ["device.json", "https-cert.pem", "integrity.key", "master.key", "syslog-signing.pem"]
    assert (device / "bundle" / "master.key").read_bytes() == (device / "escrow" / "master.key").read_bytes()
    root = (device / "escrow" / "integrity.key").read_bytes()
    assert len(root) == 32 and root in (device / "nvram.bin").read_bytes()
    for secret in (device / "bundle" / "syslog-signing.json", device / "escrow" / "master.key",
                   device / "escrow" / "integrity.key", device / "bundle" / "https-key.der"):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600


def test_provision_uuid_board_and_ca(tmp_path, hcdaudit):
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    ca_dir = tmp_path / "ca"
    ca_dir.mkdir()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Lab audit CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    ca = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
          .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(key, hashes.SHA256()))
    (ca_dir / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (ca_dir / "ca.key").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    device = tmp_path / "pico"
    status, out, err = hcdaudit("provision", device, "--board", "rp2040", "--ca", ca_dir,
                                "--uuid", "B52A247B-C2DE-4224-803C-CCF67DED7C84")
    assert status == 0, err
    identity = json.loads((device / "escrow" / "device.json").read_text())
    assert identity["uuid"] == "urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84"
    assert identity["board"] == "rp2040" and identity["flash"]["prog_size"] == 256
    assert identity["store_cap"] == 3000
    cert = x509.load_pem_x509_certificate((device / "escrow" / "syslog-signing.pem").read_bytes())
    assert cert.issuer == ca.subject
    cert.verify_directly_issued_by(ca)
    assert hcdaudit("provision", tmp_path / "x", "--uuid", "not-a-uuid")[0] == 2
    assert hcdaudit("provision", tmp_path / "y", "--ca", tmp_path / "nowhere")[0] == 2
    assert not (tmp_path / "y").exists() and not (tmp_path / "x").exists()


def test_provision_refuses_to_overwrite_without_force(device, hcdaudit):
    key = (device / "bundle" / "master.key").read_bytes()
    status, _, err = hcdaudit("provision", device)
    assert status == 2 and "--force" in err and "Traceback" not in err
    assert (device / "bundle" / "master.key").read_bytes() == key
    assert hcdaudit("provision", device, "--force")[0] == 0
    assert (device / "bundle" / "master.key").read_bytes() != key


def test_force_never_deletes_a_folder_that_is_not_a_device(tmp_path, hcdaudit):
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"x")
    status, _, err = hcdaudit("provision", folder, "--force")
    assert status == 2 and (folder / "holiday.jpg").exists()


def test_sim_summary_and_export_agree(device, hcdaudit, tmp_path):
    status, out, _ = hcdaudit("sim", device, "--events", "260", "--seed", "7", "--power-cuts", "2", "--json")
    assert status == 0
    summary = json.loads(out)
    assert summary["power_cuts"] == 2 and summary["recoveries"] == 2
    assert summary["intact"] is True and summary["returned_missing"] == []
    assert summary["in_store"] + summary["in_nvram"] == summary["last_seq"] > summary["logged"] >= 258
    export = tmp_path / "log.jsonl"
    status, _, err = hcdaudit("export", device, "--format", "jsonl", "-o", export)
    assert status == 0, err
    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert [r["seq"] for r in lines] == list(range(1, summary["last_seq"] + 1))
    for r in lines:
        assert set(r) >= {"seq", "time", "event", "outcome", "subject", "items"}
        assert r["time"].endswith("Z") and r["time"][10] == "T"
    starts = sorted(r["items"]["reason"] for r in lines if r["event"] == "audit_start")
    # power-on, the restart after the engineer's firmware update, two power-restored boots
    assert starts == ["firmware update", "power-on", "power-restored", "power-restored"]


def test_verify_store_clean_then_tampered(device, hcdaudit):
    assert hcdaudit("sim", device, "--events", "120")[0] == 0
    status, out, _ = hcdaudit("verify", "store", device)
    assert status == 0 and "INTACT" in out
    status, out, _ = hcdaudit("verify", "store", device, "--json")
    report = json.loads(out)
    assert report["intact"] and report["verified"] == report["last_seq"] > 121     # and the device's own records
    segment = sorted((device / "store").iterdir())[1]
    data = bytearray(segment.read_bytes())
    data[100] ^= 0x20
    segment.write_bytes(bytes(data))
    status, out, _ = hcdaudit("verify", "store", device, "--json")
    report = json.loads(out)
    assert status == 1 and not report["intact"]
    assert [f["verdict"] for f in report["findings"]] == ["modified"]
    assert report["findings"][0]["first_seq"] == int(segment.name.split(".")[0])     # named by its first seq


def test_verify_store_authenticates_by_default_and_decodes_with_decode(device, hcdaudit, tmp_path):
    # A record sealed with the device's own keys whose content does not decode (a
    # trailing byte): authentic, so by default no finding and not claimed decoded;
    # --decode and export decode it and say `modified` (docs/VERIFY.md).
    import test_verify_fast_path as walks
    from boards.host.dirfs import DirFs
    from hcdaudit_host.source import as_source

    class Folder:
        fs = DirFs(str(device / "store"))

        def reader(self):
            return as_source(device).reader

    assert hcdaudit("sim", device, "--events", "120")[0] == 0
    walks.reseal(Folder(), 60, walks._trailing_byte)
    status, out, _ = hcdaudit("verify", "store", device, "--json")
    report = json.loads(out)
    assert status == 0 and report["intact"] and report["findings"] == []
    assert report["contents"] == "authenticated"
    status, out, _ = hcdaudit("verify", "store", device)
    assert status == 0 and "contents           authenticated and decrypted" in out and "--decode" in out
    status, out, _ = hcdaudit("verify", "store", device, "--decode", "--json")
    report = json.loads(out)
    assert status == 1 and report["contents"] == "decoded"
    assert [(f["verdict"], f["first_seq"], f["last_seq"]) for f in report["findings"]] == [("modified", 60, 60)]
    status, out, _ = hcdaudit("verify", "store", device, "--decode")
    assert status == 1 and "every record decoded" in out
    status, _, err = hcdaudit("export", device, "--format", "jsonl", "-o", tmp_path / "out.jsonl")
    assert status == 1 and "modified" in err


@pytest.mark.parametrize("damage", ["not_a_device", "wrong_key", "short_nvram", "bad_json", "no_store", "empty_key"])
def test_unusable_input_is_one_line_and_exit_2(device, hcdaudit, tmp_path, damage):
    assert hcdaudit("sim", device, "--events", "60")[0] == 0
    target = device
    if damage == "not_a_device":
        target = tmp_path / "elsewhere"
        target.mkdir()
    elif damage == "wrong_key":
        (device / "escrow" / "master.key").write_bytes(bytes(32))
    elif damage == "short_nvram":
        (device / "nvram.bin").write_bytes(b"\0" * 100)
    elif damage == "bad_json":
        (device / "escrow" / "device.json").write_text("{not json")
    elif damage == "no_store":
        for f in (device / "store").iterdir():
            f.unlink()
        (device / "store").rmdir()
    elif damage == "empty_key":
        (device / "escrow" / "master.key").write_bytes(b"")
    for argv in (("verify", "store", target), ("export", target, "--format", "jsonl")):
        status, out, err = hcdaudit(*argv)
        assert status == 2, (argv, out, err)
        assert err.count("\n") == 1 and err.startswith("hcdaudit: error:") and "Traceback" not in err


def test_empty_store_verifies_clean(device, hcdaudit):
    status, out, _ = hcdaudit("verify", "store", device, "--json")
    assert status == 0 and json.loads(out)["verified"] == 0


def test_sim_under_micropython(device, hcdaudit):
    status, out, err = hcdaudit("sim", device, "--events", "150", "--power-cuts", "1", "--runtime", "micropython",
                                "--json")
    assert status == 0, err
    summary = json.loads(out)
    assert summary["runtime"] == "micropython" and summary["intact"] and summary["power_cuts"] == 1
    status, out, _ = hcdaudit("verify", "store", device)     # what MicroPython wrote, CPython verifies
    assert status == 0


def test_rollback_without_trace_is_caught_by_the_high_water_mark(device, hcdaudit, tmp_path):
    state = tmp_path / "state"
    assert hcdaudit("sim", device, "--events", "170")[0] == 0
    status, out, _ = hcdaudit("verify", "store", device, "--state", state, "--json")
    assert status == 0
    snapshot_last = json.loads(out)["last_seq"]
    snapshot = {p.name: p.read_bytes() for p in (device / "store").iterdir()}
    nvram = (device / "nvram.bin").read_bytes()
    counter = (device / "counter.bin").read_bytes()
    assert hcdaudit("sim", device, "--events", "60")[0] == 0
    assert hcdaudit("verify", "store", device, "--state", state)[0] == 0      # the mark moves forward
    # Roll the whole device back to the earlier image: internally consistent, no trace left.
    for p in (device / "store").iterdir():
        p.unlink()
    for name, data in snapshot.items():
        (device / "store" / name).write_bytes(data)
    (device / "nvram.bin").write_bytes(nvram)
    # The board's monotonic counter (a secure element's) is not rolled back with the memories.
    status, out, _ = hcdaudit("verify", "store", device, "--state", tmp_path / "fresh", "--json")
    assert status == 1 and [f["verdict"] for f in json.loads(out)["findings"]] == ["rolled back"]
    assert json.loads(out)["anchors"] == ["nvram-epoch", "board-counter"]
    (device / "counter.bin").write_bytes(counter)       # a board without one
    assert hcdaudit("verify", "store", device, "--state", tmp_path / "fresh")[0] == 0   # no history: nothing to see
    status, out, _ = hcdaudit("verify", "store", device, "--state", state, "--json")
    report = json.loads(out)
    assert status == 1
    assert [f["verdict"] for f in report["findings"]] == ["rolled back"]
    assert report["findings"][0]["first_seq"] == snapshot_last + 1


def test_a_builtin_command_imports_no_other_command_module():
    """`hcdaudit verify store` starts fast: the modules of conformance, collect,
    report, deploy and pull (asyncio, html, ...) are imported only when named."""
    import subprocess
    import sys
    code = ("import sys; from hcdaudit_host import cli; cli.build_parser(cli._named_command(['verify', 'store', 'x'])); "
            "print(sorted(m for m in sys.modules if m.startswith('hcdaudit_host.') or m == 'asyncio'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = eval(out)
    assert "asyncio" not in loaded
    assert not [m for m in loaded if m.rsplit(".", 1)[-1] in ("conformance", "collect", "report", "deploy", "pull")]
    code = "from hcdaudit_host import cli; p = cli.build_parser('report'); print(sorted(p._subparsers._group_actions[0].choices))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "report" in eval(out)
