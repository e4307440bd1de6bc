"""`verify store` on format v2 through the CLI: the honest tail (what is proven,
which anchors were checked), a foreign device's segment, the exit codes, and a
v1 device refused plainly (issue 13)."""
from __future__ import annotations

import json
import shutil
import struct

import pytest


@pytest.fixture
def device(tmp_path, hcdaudit):
    path = tmp_path / "mfd"
    assert hcdaudit("provision", path, "--name", "a", "--serial", "1")[0] == 0
    assert hcdaudit("sim", path, "--events", "170", "--seed", "3")[0] == 0
    return path


def test_intact_device_says_what_is_proven_and_which_anchors(device, hcdaudit, tmp_path):
    status, out, _ = hcdaudit("verify", "store", device, "--json")
    doc = json.loads(out)
    assert status == 0 and doc["findings"] == []
    assert doc["format_version"] == 2 and doc["proven"] == {"first_seq": 1, "last_seq": doc["last_seq"]}
    assert doc["anchors"] == ["nvram-epoch", "board-counter"] and doc["tail_anchored"] is True
    assert doc["epoch"] >= 3
    # A board without a monotonic counter: the tail is stated, not an error.
    (device / "counter.bin").unlink()
    status, out, _ = hcdaudit("verify", "store", device, "--state", tmp_path / "fresh1")
    first = out.splitlines()[0]
    assert status == 0 and first.startswith("store verification: INTACT: seq 1-")
    assert "would leave no trace on the device alone" in first and "--state" in first
    status, out, _ = hcdaudit("verify", "store", device, "--json", "--state", tmp_path / "fresh2")
    assert json.loads(out)["tail_anchored"] is False and json.loads(out)["anchors"] == ["nvram-epoch"]
    # The host's high-water state anchors it from the second verification on.
    state = tmp_path / "state"
    assert hcdaudit("verify", "store", device, "--state", state)[0] == 0
    status, out, _ = hcdaudit("verify", "store", device, "--state", state, "--json")
    doc = json.loads(out)
    assert status == 0 and doc["anchors"] == ["nvram-epoch", "highwater"] and doc["tail_anchored"] is True


def test_a_findings_verdict_names_the_proven_run_and_exits_1(device, hcdaudit):
    segments = sorted((device / "store").iterdir())
    first, last = struct.unpack_from(">II", segments[1].read_bytes(), 8)
    segments[1].unlink()
    status, out, _ = hcdaudit("verify", "store", device, "--json")
    doc = json.loads(out)
    assert status == 1
    assert [(f["verdict"], f["first_seq"], f["last_seq"]) for f in doc["findings"]] == [("missing", first, last)]
    assert doc["proven"] == {"first_seq": 1, "last_seq": first - 1}
    status, out, _ = hcdaudit("verify", "store", device)
    assert out.splitlines()[0] == f"store verification: TAMPERED OR INCOMPLETE: seq 1-{first - 1} intact (up to " \
        "the first finding); the findings below name the rest"


def test_a_segment_of_another_device_with_the_same_master_key_is_foreign(tmp_path, hcdaudit, device):
    other = tmp_path / "other"
    assert hcdaudit("provision", other, "--name", "b", "--serial", "2")[0] == 0
    for part in ("bundle", "escrow"):     # the same master key, another device id
        shutil.copy(device / part / "master.key", other / part / "master.key")
    assert hcdaudit("sim", other, "--events", "170", "--seed", "4")[0] == 0
    name = sorted(p.name for p in (device / "store").iterdir())[1]
    shutil.copy(other / "store" / name, device / "store" / name)
    status, out, _ = hcdaudit("verify", "store", device, "--json")
    doc = json.loads(out)
    assert status == 1
    found = [(f["verdict"], f["first_seq"], f["last_seq"]) for f in doc["findings"]]
    assert found[0][0] == "foreign" and found[1][0] == "missing" and found[0][1:] == found[1][1:], found
    status, out, _ = hcdaudit("export", device, "--format", "jsonl")
    seqs = [json.loads(line)["seq"] for line in out.splitlines() if line.strip()]
    assert not set(range(found[0][1], found[0][2] + 1)) & set(seqs)      # never exported as ours


def test_a_v1_device_is_refused_plainly(device, hcdaudit):
    (device / "nvram.bin").write_bytes(bytes(64 + 50 * 512))       # the v1 region size
    status, _, err = hcdaudit("verify", "store", device)
    assert status == 2 and len(err.strip().splitlines()) == 1
