"""`hcdaudit verify store` and `export` on a board's raw littlefs flash dump (--image,
--nvram, --escrow): images written the way the boards write them, under MicroPython
(vfs.VfsLfs2 through boards/host/flash.py) and CPython (littlefs-python), with the
board geometries of boards/profiles.py; the bad inputs; an empty store; a store at
exactly 15,000 records."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import pytest
from littlefs import LittleFS

from boards import profiles
from boards.host.board import Board
from boards.host.dirfs import DirFs
from boards.host.flash_cpython import LittleFsStore, _BlockDeviceContext
from boards.host.memory import RamBlockDevice, RamNvram
from hcdaudit import ring
from hcdaudit.audit import AuditLog
from hcdaudit_host.provision import provision

from conftest import record_figure, run_micropython

# MicroPython, as a board: littlefs through boards/host/flash.py on a file-backed
# block device of the board's geometry, NVRAM in RAM (dumped at the end, as FRAM).
MICROPYTHON_WRITER = """
import os, sys, json
import support
from boards.host import flash
from boards.host.board import Board
from boards.host.memory import FileBlockDevice, RamNvram
from hcdaudit import ring
from hcdaudit.audit import AuditLog
device_dir, image, nvram_path, events = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with open(device_dir + "/bundle/device.json") as f:
    identity = json.load(f)
with open(device_dir + "/bundle/master.key", "rb") as f:
    key = f.read()
geo = identity["flash"]
flash.READ_SIZE, flash.PROG_SIZE = geo["read_size"], geo["prog_size"]
FileBlockDevice.create(image, geo["block_size"], geo["block_count"])
bdev = FileBlockDevice(image, geo["block_size"])
fs = flash.mount(bdev, format=True)
from boards import profiles
store_dir = profiles.profile(identity.get("board", "host"))["store_dir"]
if store_dir != "/":
    # as the boards keep it: the store in a folder of the volume
    from boards.host.dirfs import DirFs
    path = fs.root
    for part in store_dir.strip("/").split("/"):
        path += "/" + part
        os.mkdir(path)
    unmount, fs = fs.unmount, DirFs(path)
    fs.unmount = unmount
nv = RamNvram(ring.region_size(identity["slot_count"], identity["slot_size"]))
from hcdaudit import kdf
with open(device_dir + "/escrow/integrity.key", "rb") as f:      # deploy's NVRAM step
    ring.Ring(nv, identity["slot_count"], identity["slot_size"], None).install_root(
        kdf.device_id(identity["uuid"]), f.read())
board = Board(nv, fs, identity["slot_count"], identity["slot_size"], identity["store_cap"],
              clock=support.FakeClock(), random=support.FakeRandom())
log = AuditLog(board, key, identity["uuid"])
log.boot()
for i in range(events):
    log.log("print_job", subject="user%d" % (i % 9), interface="ipp", remote_host="10.0.0.%d" % (i % 250),
            file_name="scan-%03d.pdf" % i, pages=1 + i % 20)
fs.unmount()
bdev.close()
with open(nvram_path, "wb") as f:
    f.write(nv.buf)
print(log.store.count, log.in_nvram)
"""


def board_device(root: Path, board: str, name: str = "pico") -> Path:
    device = root / f"{name}-{board}"
    provision(device, name, "SN-" + board, board=board)
    return device


def write_micropython(device: Path, image: Path, nvram: Path, events: int) -> tuple[int, int]:
    out = run_micropython(MICROPYTHON_WRITER, str(device), str(image), str(nvram), str(events), heap="8M")
    store, in_nvram = out.stdout.split()
    return int(store), int(in_nvram)


def write_cpython(device: Path, image: Path, nvram: Path, events: int) -> tuple[int, int]:
    """littlefs-python with the board's own read/prog sizes (rp2040: 256), as the board mounts it."""
    import support
    identity = json.loads((device / "bundle" / "device.json").read_text())
    key = (device / "bundle" / "master.key").read_bytes()
    geo = identity["flash"]
    bdev = RamBlockDevice(geo["block_size"], geo["block_count"])
    lfs = LittleFS(context=_BlockDeviceContext(bdev), mount=False, block_size=geo["block_size"],
                   block_count=geo["block_count"], read_size=geo["read_size"], prog_size=geo["prog_size"],
                   lookahead_size=32)
    lfs.format()
    lfs.mount()
    nv = RamNvram(ring.region_size(identity["slot_count"], identity["slot_size"]))
    from hcdaudit import kdf
    ring.Ring(nv, identity["slot_count"], identity["slot_size"], None).install_root(     # deploy's NVRAM step
        kdf.device_id(identity["uuid"]), (device / "escrow" / "integrity.key").read_bytes())
    board = Board(nv, LittleFsStore(lfs), identity["slot_count"], identity["slot_size"], identity["store_cap"],
                  clock=support.FakeClock(), random=support.FakeRandom())
    log = AuditLog(board, key, identity["uuid"])
    log.boot()
    for i in range(events):
        log.log("login", subject="user%d" % (i % 7), interface="web", remote_host="10.1.0.%d" % (i % 250))
    lfs.unmount()
    image.write_bytes(bytes(bdev.buf))
    nvram.write_bytes(bytes(nv.buf))
    return log.store.count, log.in_nvram


@pytest.fixture(scope="module")
def esp32(tmp_path_factory):
    """An ESP32-S3 device (littlefs 4096 B blocks x 1536, prog 32) written under MicroPython."""
    root = tmp_path_factory.mktemp("esp32")
    device = board_device(root, "esp32s3")
    image, nvram = root / "flash.img", root / "fram.bin"
    assert write_micropython(device, image, nvram, 170) == (150, 21)
    return device, image, nvram


def image_args(device, image, nvram):
    return ("--image", image, "--nvram", nvram, "--escrow", device / "escrow")


def test_esp32s3_image_from_micropython_verifies_and_exports(esp32, hcdaudit, tmp_path):
    device, image, nvram = esp32
    assert image.stat().st_size == 4096 * 1536
    status, out, err = hcdaudit("verify", "store", *image_args(device, image, nvram), "--json")
    assert status == 0, err
    report = json.loads(out)
    assert report["intact"] and report["verified"] == 171 and report["ranges"] == [[1, 171]]
    assert report["in_store"] == 150 and report["in_nvram"] == 21
    assert report["source"]["kind"] == "image" and report["source"]["board"] == "esp32s3"
    assert report["gaps"] == report["tampered"] == report["quarantined"] == []
    status, out, _ = hcdaudit("verify", "store", *image_args(device, image, nvram))
    assert status == 0 and "INTACT" in out and "esp32s3: littlefs 4096 B x 1536 blocks" in out
    export = tmp_path / "img.jsonl"
    status, _, err = hcdaudit("export", *image_args(device, image, nvram), "--format", "jsonl", "-o", export)
    assert status == 0, err
    rows = [json.loads(line) for line in export.read_text().splitlines()]
    assert [r["seq"] for r in rows] == list(range(1, 172))
    jobs = rows[1:]
    assert [r["items"]["file_name"] for r in jobs] == ["scan-%03d.pdf" % i for i in range(170)]
    assert [r["subject"]["user_id"] for r in jobs] == ["user%d" % (i % 9) for i in range(170)]
    status, out, _ = hcdaudit("export", *image_args(device, image, nvram), "--format", "pwg", "--seq", "2-3")
    assert status == 0 and out.startswith("\ufeff<") and out.count("\n") == 2


def test_reading_an_image_never_writes_it(esp32, hcdaudit):
    device, image, nvram = esp32
    before = [(hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in (image, nvram)]
    for fmt in ("fx", "csv"):
        assert hcdaudit("export", *image_args(device, image, nvram), "--format", fmt)[0] == 0
    assert hcdaudit("verify", "store", *image_args(device, image, nvram))[0] == 0
    assert [(hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in (image, nvram)] == before


def test_tampered_image_is_a_finding(esp32, hcdaudit, tmp_path):
    device, image, nvram = esp32
    data = bytearray(image.read_bytes())
    second = data.find(b"HCDS", data.find(b"HCDS") + 4)       # the header of one segment's file data
    assert second > 0
    data[second + 300] ^= 0x01                                   # inside a sealed record
    bad = tmp_path / "tampered.img"
    bad.write_bytes(bytes(data))
    status, out, _ = hcdaudit("verify", "store", *image_args(device, bad, nvram), "--json")
    report = json.loads(out)
    assert status == 1 and not report["intact"]
    assert [f["verdict"] for f in report["tampered"]] == ["modified"]
    status, _, err = hcdaudit("export", *image_args(device, bad, nvram), "--format", "km", "-o", tmp_path / "x")
    assert status == 1 and "integrity findings: modified" in err


def test_rp2040_image_prog_256_from_cpython(tmp_path, hcdaudit):
    device = board_device(tmp_path, "rp2040")
    geo = json.loads((device / "escrow" / "device.json").read_text())["flash"]
    assert geo == profiles.BOARDS["rp2040"]["flash"] and geo["prog_size"] == 256
    # littlefs-python writes these segments at the volume's root: read from there
    image, nvram = tmp_path / "pico.img", tmp_path / "pico-fram.bin"
    assert write_cpython(device, image, nvram, 120) == (100, 21)
    status, out, err = hcdaudit("verify", "store", *image_args(device, image, nvram), "--json")
    assert status == 0, err
    assert json.loads(out)["ranges"] == [[1, 121]]
    # No "flash" in the escrow: the geometry comes from the board profile.
    escrow = tmp_path / "old-escrow"
    shutil.copytree(device / "escrow", escrow)
    identity = json.loads((escrow / "device.json").read_text())
    del identity["flash"]
    (escrow / "device.json").write_text(json.dumps(identity))
    status, out, err = hcdaudit("export", "--image", image, "--nvram", nvram, "--escrow", escrow, "--format", "xerox")
    assert status == 0, err
    assert out.count("\n") == 122 and "login" in out.lower()
    # The escrow's parent (the device folder) is accepted as --escrow too.
    assert hcdaudit("verify", "store", "--image", image, "--nvram", nvram, "--escrow", device)[0] == 0
    # The other boards' profile (esp32s3: 1536 blocks) does not fit this 212-block dump.
    identity["board"] = "esp32s3"
    (escrow / "device.json").write_text(json.dumps(identity))
    status, _, err = hcdaudit("verify", "store", "--image", image, "--nvram", nvram, "--escrow", escrow)
    assert status == 2 and err.count("\n") == 1 and "truncated" in err


def test_empty_store_image_and_erased_flash(tmp_path, hcdaudit):
    device = board_device(tmp_path, "esp32s3")
    geo = json.loads((device / "escrow" / "device.json").read_text())["flash"]
    nvram = tmp_path / "blank-fram.bin"
    nvram.write_bytes(bytes(ring.region_size(50, 512)))          # as provisioned, never booted
    buf = bytearray(b"\xff" * geo["block_size"] * geo["block_count"])
    from littlefs import UserContext
    lfs = LittleFS(context=UserContext(buffer=buf), block_size=geo["block_size"], block_count=geo["block_count"],
                   read_size=geo["read_size"], prog_size=geo["prog_size"])
    lfs.unmount()
    formatted, erased = tmp_path / "formatted.img", tmp_path / "erased.img"
    formatted.write_bytes(bytes(buf))
    erased.write_bytes(b"\xff" * len(buf))
    for image in (formatted, erased):
        status, out, err = hcdaudit("verify", "store", *image_args(device, image, nvram), "--json")
        assert status == 0, err
        report = json.loads(out)
        assert report["verified"] == 0 and report["findings"] == []
        status, out, err = hcdaudit("export", *image_args(device, image, nvram), "--format", "fx")
        assert status == 0 and out.count("\n") == 2          # the header and the column names
        assert "exported 0 records" in err


@pytest.fixture(scope="module")
def other_device(tmp_path_factory):
    return board_device(tmp_path_factory.mktemp("other"), "esp32s3", "other")


BAD = ["wrong_key", "truncated", "garbage", "garbage_small", "not_escrow", "not_device_dir", "image_is_dir",
       "nvram_is_dir", "nvram_short", "missing_nvram", "both_sources", "no_source", "missing_image", "segment_is_dir"]


@pytest.mark.parametrize("damage", BAD)
def test_unusable_input_is_exit_2_with_one_line(esp32, other_device, tmp_path, hcdaudit, damage):
    device, image, nvram = esp32
    args = list(image_args(device, image, nvram))
    if damage == "wrong_key":               # another device's escrow (same board, same geometry)
        args[5] = other_device / "escrow"
    elif damage == "truncated":
        cut = tmp_path / "cut.img"
        cut.write_bytes(image.read_bytes()[:4096 * 700])
        args[1] = cut
    elif damage in ("garbage", "garbage_small"):
        junk = tmp_path / "junk.img"
        junk.write_bytes(os.urandom(4096 * 1536 if damage == "garbage" else 1000))
        args[1] = junk
    elif damage == "not_escrow":
        (tmp_path / "photos").mkdir()
        (tmp_path / "photos" / "a.jpg").write_bytes(b"x")
        args[5] = tmp_path / "photos"
    elif damage == "not_device_dir":
        (tmp_path / "photos").mkdir()
        args = [tmp_path / "photos"]
    elif damage == "image_is_dir":          # a real read error (tests run as root: chmod 000 would not stop us)
        (tmp_path / "dir.img").mkdir()
        args[1] = tmp_path / "dir.img"
    elif damage == "nvram_is_dir":
        (tmp_path / "fram").mkdir()
        args[3] = tmp_path / "fram"
    elif damage == "nvram_short":
        short = tmp_path / "short.bin"
        short.write_bytes(nvram.read_bytes()[:1000])
        args[3] = short
    elif damage == "missing_nvram":
        args = args[:2] + args[4:]
    elif damage == "both_sources":
        args = [device] + args
    elif damage == "no_source":
        args = []
    elif damage == "missing_image":
        args[1] = tmp_path / "nowhere.img"
    elif damage == "segment_is_dir":        # a device folder with one unreadable segment file
        copy = tmp_path / "dev"
        shutil.copytree(device, copy)
        provisioned_nvram = copy / "nvram.bin"
        provisioned_nvram.write_bytes(nvram.read_bytes())
        from littlefs import UserContext
        identity = json.loads((copy / "escrow" / "device.json").read_text())
        lfs = LittleFS(context=UserContext(buffer=bytearray(image.read_bytes())), block_size=4096, block_count=0,
                       mount=True, read_size=identity["flash"]["read_size"], prog_size=identity["flash"]["prog_size"])
        store_dir = profiles.profile(identity["board"])["store_dir"].rstrip("/") + "/"
        for name in lfs.listdir(store_dir):
            with lfs.open(store_dir + name, "rb") as f:
                (copy / "store" / name).write_bytes(f.read())
        assert hcdaudit("verify", "store", copy)[0] == 0      # the folder copy of the image is intact
        victim = sorted((copy / "store").iterdir())[1]
        victim.unlink()
        victim.mkdir()
        args = [copy]
    out_file = tmp_path / "out.csv"
    for argv in (["verify", "store", *args], ["export", *args, "--format", "csv", "-o", out_file]):
        status, out, err = hcdaudit(*argv)
        assert status == 2, (damage, argv, out, err)
        assert err.count("\n") == 1 and err.startswith("hcdaudit: error:") and "Traceback" not in err, err
    assert not out_file.exists()


# ---------------------------------------------------------------- 15,000 records

@pytest.fixture(scope="module")
def full_store(tmp_path_factory):
    """A device holding exactly 15,000 records in its store (the cap), filled quickly:
    the firmware writes to RAM NVRAM and a directory; the NVRAM is dumped at the end.
    Also the same store as an ESP32-S3 littlefs image (copied file by file)."""
    import support
    root = tmp_path_factory.mktemp("full")
    device = board_device(root, "esp32s3", "full")
    identity = json.loads((device / "bundle" / "device.json").read_text())
    key = (device / "bundle" / "master.key").read_bytes()
    nv = RamNvram(ring.region_size(50, 512))
    from hcdaudit import kdf
    ring.Ring(nv, 50, 512, None).install_root(                                    # deploy's NVRAM step
        kdf.device_id(identity["uuid"]), (device / "escrow" / "integrity.key").read_bytes())
    board = Board(nv, DirFs(str(device / "store")), 50, 512, identity["store_cap"], clock=support.FakeClock(),
                  random=support.FakeRandom())
    log = AuditLog(board, key, identity["uuid"])
    log.boot()                                           # seq 1
    while log.next_seq <= 15000:
        log.log("print_job", subject="u%d" % (log.next_seq % 13), interface="ipp", remote_host="10.2.0.9",
                file_name="f%05d.pdf" % log.next_seq, pages=2)
    assert log.store.count == 15000 and log.in_nvram == 0 and log.evicted == 0
    (device / "nvram.bin").write_bytes(bytes(nv.buf))
    geo = identity["flash"]
    buf = bytearray(b"\xff" * geo["block_size"] * geo["block_count"])
    from littlefs import UserContext
    lfs = LittleFS(context=UserContext(buffer=buf), block_size=geo["block_size"], block_count=geo["block_count"],
                   read_size=geo["read_size"], prog_size=geo["prog_size"])
    for path in sorted((device / "store").iterdir()):
        with lfs.open(path.name, "wb") as f:
            f.write(path.read_bytes())
    lfs.unmount()
    image = root / "full.img"
    image.write_bytes(bytes(buf))
    return device, image, device / "nvram.bin"


def test_store_at_exactly_15000_records(full_store, hcdaudit, tmp_path):
    device, image, nvram = full_store
    for source in ([device], list(image_args(device, image, nvram))):
        started = time.perf_counter()
        status, out, err = hcdaudit("verify", "store", *source, "--json")
        verify_s = time.perf_counter() - started
        assert status == 0, err
        report = json.loads(out)
        assert report["verified"] == report["in_store"] == 15000 and report["ranges"] == [[1, 15000]]
        assert report["findings"] == []
        out_file = tmp_path / "full.csv"
        started = time.perf_counter()
        status, _, err = hcdaudit("export", *source, "--format", "csv", "-o", out_file)
        export_s = time.perf_counter() - started
        assert status == 0 and "exported 15000 records" in err
        assert out_file.read_bytes().count(b"\r\n") == 15001
        record_figure(f"15,000 records from {'image' if len(source) > 1 else 'folder'}: verify {15000 / verify_s:,.0f}/s, "
              f"export csv {15000 / export_s:,.0f}/s")


def test_one_flush_past_the_cap_is_an_audited_eviction(full_store, hcdaudit, tmp_path):
    import support
    device = shutil.copytree(full_store[0], tmp_path / "dev")
    nv = RamNvram(ring.region_size(50, 512), (device / "nvram.bin").read_bytes())
    board = Board(nv, DirFs(str(device / "store")), 50, 512, 15000, clock=support.FakeClock(10**16),
                  random=support.FakeRandom(b"second boot"))
    log = AuditLog(board, (device / "bundle" / "master.key").read_bytes(),
                   json.loads((device / "bundle" / "device.json").read_text())["uuid"])
    log.boot()
    while log.evicted == 0:
        log.log("print_job", subject="u", file_name="late.pdf")
    (device / "nvram.bin").write_bytes(bytes(nv.buf))
    status, out, _ = hcdaudit("verify", "store", device, "--json")
    report = json.loads(out)
    assert status == 0 and report["in_store"] == 15000
    assert [(f["first_seq"], f["last_seq"]) for f in report["evictions"]] == [(1, 50)]
    status, out, _ = hcdaudit("verify", "store", device)
    assert "audited evictions  50 records, seqs 1-50" in out


def test_help_of_both_commands(hcdaudit):
    for argv in (("export", "--help"), ("verify", "store", "--help")):
        status, out, _ = hcdaudit(*argv)
        assert status == 0 and "--image" in out and "--escrow" in out and "DEVICE_DIR" in out
    assert "--since" in hcdaudit("export", "--help")[1]
