"""`hcdaudit pull` against boards run by the MicroPython unix port, their memories
in files: a stand-in board (NVRAM a FileNvram, the store on a littlefs image), and
boards/rp2040/board.py itself over simulated parts (tests/firmware/sim_peripherals:
the FRAM on its I2C model, the flash a NOR model), the volume mounted at /board as
the port mounts it at "/". The real firmware fills them. Each snippet the pull
sends runs in a fresh unix-port process, as each exec runs on a board. The pulled
folder must verify, and export exactly as the board's memories read directly do."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
import time
import tty
from pathlib import Path

import pytest

from conftest import ROOT, micropython
from boards import profiles
from hcdaudit import ring
from hcdaudit_host import deploy, pull
from hcdaudit_host.errors import UsageError
from hcdaudit_host.provision import provision

BLOCK = 4096
BLOCKS = 212                     # the rp2040 profile's littlefs (boards/profiles.py)
START_US = 1795392000 * 1000000 + 7 * 3600 * 1000000

# Each simulated board module offers the pull's contract (PROFILE, ROOT, STORE_DIR,
# open_nvram) and, for the tests' firmware runs: install(bundle) (what deploy copies),
# start(clock) -> (Board, master key), power_off().
STAND_IN = '''\
# A stand-in rp2040 board: NVRAM in a file, the store on a littlefs image.
import json
import os
import vfs
from boards.host.board import Board
from boards.host.dirfs import DirFs
from boards.host.memory import FileBlockDevice, FileNvram

PROFILE = "rp2040"
ROOT = "/board/hcdaudit-data"
STORE_DIR = ROOT + "/store"
_LFS = {{"readsize": 256, "progsize": 256, "lookahead": 32}}
_bdev = FileBlockDevice({image!r}, {block})
_first = bytearray(16)
_bdev.readblocks(0, _first)
if _first == b"\\xff" * 16:
    vfs.VfsLfs2.mkfs(_bdev, **_LFS)
vfs.mount(vfs.VfsLfs2(_bdev, **_LFS), "/board")


def open_nvram(peripherals=None):
    return FileNvram({nvram!r})


def install(bundle):
    for folder in (ROOT, STORE_DIR):
        os.mkdir(folder)
    for name in os.listdir(bundle):
        with open(bundle + "/" + name, "rb") as src:
            with open(ROOT + "/" + name, "wb") as dst:
                dst.write(src.read())


def install_root(uuid, root_hex, script):
    from boards.common import root_install     # what deploy's NVRAM step calls on a board
    root_install.install(__import__("simboard"), uuid, bytes.fromhex(root_hex))


def start(clock):
    with open(ROOT + "/device.json") as f:
        identity = json.load(f)
    with open(ROOT + "/master.key", "rb") as f:
        key = f.read()
    board = Board(open_nvram(), DirFs(STORE_DIR), identity["slot_count"], identity["slot_size"],
                  identity["store_cap"], clock=clock)
    board.device_id = identity["uuid"]
    return board, key


def power_off():
    vfs.umount("/board")
'''

RP2040 = '''\
# boards/rp2040/board.py over simulated parts: the FRAM image and the flash in files.
import sim_peripherals
from boards.rp2040 import board as _board

PROFILE = _board.PROFILE
ROOT = "/board" + _board.ROOT
STORE_DIR = "/board" + _board.STORE_DIR
with open({nvram!r}, "rb") as _f:
    _fram = _f.read()
_parts = sim_peripherals.SimPeripherals(sim_peripherals.Memories(PROFILE, {blocks}, flash_path={image!r},
                                                                  images={{"fram": _fram}}))
_parts.mount_point = "/board"
_board.open_volume(_parts)            # as the port's _boot.py mounts the flash at "/"


def open_nvram(peripherals=None):
    return _board.open_nvram(_parts)


def install(bundle):
    sim_peripherals.install_bundle(_board, _parts, bundle)


def install_root(uuid, root_hex, script):
    """deploy's NVRAM step: its generated script (holding the key), over these parts."""
    with open(script) as f:
        code = f.read()
    exec(code, {{"PERIPHERALS": _parts}})


def start(clock):
    board, identity = _board.open_board(_parts, clock=clock)
    return board, _board.master_key(_parts)


def power_off():
    with open({nvram!r}, "wb") as f:
        f.write(_parts.i2c.mem)
    _parts.power_off()
'''

FILL = '''\
import simboard
from hcdaudit.audit import AuditLog

if {fresh}:
    simboard.install({bundle!r})
    simboard.install_root({uuid!r}, {root!r}, {nvram_script!r})
now = [{start}]
board, key = simboard.start(lambda: now[0])
log = AuditLog(board, key)
log.boot()
users = ["alice", "bob", "carol"]
for i in range({events}):
    now[0] += 7000000
    user = users[i % 3]
    if i % 5 == 0:
        log.log("login", subject=user, interface="panel", remote_host="10.20.0.%d" % (i % 250))
    else:
        log.log("print_job", subject=user, interface="ipp", remote_host="10.20.1.7", job_id=i, pages=1 + i % 9,
                job_uuid="00000000-0000-4000-a000-%012d" % i, file_name="%s-%04d.pdf" % (user, i))
simboard.power_off()
'''


def _mp_env(extra: Path) -> dict:
    return dict(os.environ, MICROPYPATH=f"{extra}:{ROOT}:{ROOT / 'firmware'}:{ROOT / 'tests/firmware'}")


class UnixPortBoard:
    """The board's side of `exec(code) -> stdout`: each snippet in a fresh unix-port
    process (written to a file: long command-line arguments crash the unix port)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.calls = 0

    def exec(self, code: str) -> bytes:
        self.calls += 1
        script = self.folder / "snippet.py"
        script.write_text(code)
        # 512K: the board modules and the simulated parts compile from source here (a
        # board runs them frozen); the snippets' own reads are bounded by a 192-byte buffer.
        proc = subprocess.run([micropython(), "-X", "heapsize=512K", str(script)], capture_output=True,
                              env=_mp_env(self.folder), timeout=120)
        if proc.returncode:
            raise pull.RemoteError((proc.stderr or proc.stdout).decode("utf-8", "replace"))
        return proc.stdout


class SimBoard:
    """A provisioned rp2040 device folder and a board's memories (flash image + NVRAM files)."""

    def __init__(self, base: Path, kind: str = "stand-in"):
        self.base = base
        self.device = base / "device"
        self.board_dir = base / "board"
        self.board_dir.mkdir()
        self.image = self.board_dir / "flash.img"
        self.nvram = self.board_dir / "nvram.bin"
        self.identity = provision(self.device, "mfd-1", "RP0000001", board="rp2040")
        self.region = ring.region_size(self.identity["slot_count"], self.identity["slot_size"])
        self.image.write_bytes(b"\xff" * (BLOCK * BLOCKS))
        self.nvram.write_bytes(bytes(self.region if kind == "stand-in" else 32768))   # the region, or the FRAM
        module = STAND_IN if kind == "stand-in" else RP2040
        (self.board_dir / "simboard.py").write_text(module.format(image=str(self.image), nvram=str(self.nvram),
                                                                  block=BLOCK, blocks=BLOCKS))
        self.boots = 0
        # deploy's NVRAM step, as it runs on the board: the script with the escrow's key
        (self.board_dir / deploy.NVRAM_SCRIPT).write_text(
            deploy.nvram_script("rp2040", self.identity["uuid"], (self.device / "escrow/integrity.key").read_bytes()))

    def run_firmware(self, events: int) -> None:
        """One boot of the firmware on the board, logging `events` events."""
        script = self.board_dir / "fill.py"
        script.write_text(FILL.format(bundle=str(self.device / "bundle"), fresh=self.boots == 0,
                                      uuid=self.identity["uuid"],
                                      root=(self.device / "escrow/integrity.key").read_bytes().hex(),
                                      nvram_script=str(self.board_dir / deploy.NVRAM_SCRIPT),
                                      start=START_US + self.boots * 3600 * 1000000, events=events))
        self.boots += 1
        proc = subprocess.run([micropython(), "-X", "heapsize=1M", str(script)], capture_output=True, text=True,
                              env=_mp_env(self.board_dir), timeout=300)
        assert proc.returncode == 0, proc.stderr or proc.stdout

    def remote(self) -> UnixPortBoard:
        return UnixPortBoard(self.board_dir)


def need_rp2040(kind):
    if kind == "rp2040" and not (ROOT / "boards/rp2040/board.py").exists():
        pytest.skip("boards/rp2040/board.py is not written yet")


@pytest.fixture(params=["stand-in", "rp2040"])
def any_board(request, tmp_path):
    need_rp2040(request.param)
    sim = SimBoard(tmp_path, request.param)
    sim.run_firmware(130)            # two segments in the store, the rest in the ring
    return sim


@pytest.fixture
def board(tmp_path):
    sim = SimBoard(tmp_path)
    sim.run_firmware(130)
    return sim


def do_pull(sim: SimBoard, remote=None) -> dict:
    return pull.pull(remote or sim.remote(), sim.device, module="simboard")


def export(hcdaudit, *source) -> str:
    status, out, err = hcdaudit("export", *source, "--format", "jsonl")
    assert status == 0, err
    return out


def export_of_board(hcdaudit, sim: SimBoard, tmp_path: Path) -> str:
    """The board's memories read directly: the NVRAM region from its file, and the
    store from the flash image through littlefs-python, as a device folder beside
    the escrow."""
    from littlefs import LittleFS, UserContext
    reference = tmp_path / "reference"
    shutil.copytree(sim.device / "escrow", reference / "escrow")
    (reference / "nvram.bin").write_bytes(sim.nvram.read_bytes()[:sim.region])
    (reference / "store").mkdir()
    lfs = LittleFS(context=UserContext(buffer=bytearray(sim.image.read_bytes())), block_size=BLOCK,
                   block_count=BLOCKS, read_size=256, prog_size=256, lookahead_size=32)
    store_dir = profiles.profile("rp2040")["store_dir"]
    for name in lfs.listdir(store_dir):
        with lfs.open(f"{store_dir}/{name}", "rb") as f:
            (reference / "store" / name).write_bytes(f.read())
    text = export(hcdaudit, reference)
    shutil.rmtree(reference)
    return text


def snapshot(folder: Path) -> dict:
    files = {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in [folder / "nvram.bin", *(folder / "store").rglob("*")] if p.is_file()}
    return files


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".pull"))


def test_pull_reads_back_what_the_board_holds(any_board, hcdaudit, tmp_path):
    board = any_board
    summary = do_pull(board)
    assert summary["nvram"] == board.region
    assert summary["files"] == 2                          # 100 of the 131 records flushed
    assert (board.device / "nvram.bin").read_bytes() == board.nvram.read_bytes()[:board.region]
    status, out, err = hcdaudit("verify", "store", board.device)
    assert status == 0, out + err
    assert "131" in out
    assert export(hcdaudit, board.device) == export_of_board(hcdaudit, board, tmp_path)
    assert leftovers(board.device) == []


def test_a_later_pull_replaces_the_copy(any_board, hcdaudit, tmp_path):
    board = any_board
    do_pull(board)
    board.run_firmware(70)           # a second boot: its start record and 70 events, 202 records in all
    assert do_pull(board)["files"] == 4                   # seqs 1-200 in segments of 50
    assert export(hcdaudit, board.device) == export_of_board(hcdaudit, board, tmp_path)
    status, out, err = hcdaudit("verify", "store", board.device)
    assert status == 0, out + err


class Interrupted(UnixPortBoard):
    def __init__(self, folder, after):
        super().__init__(folder)
        self.after = after

    def exec(self, code):
        if self.calls >= self.after:
            self.calls += 1
            raise OSError(5, "Input/output error")       # the USB cable is pulled
        return super().exec(code)


# The pull's calls: the description, two NVRAM chunks, four segments, the final listing,
# the NVRAM's digest.
@pytest.mark.parametrize("after, phase", [(1, "read the NVRAM"), (3, "read /board/hcdaudit-data/store/0000000001.seg"),
                                          (6, "read /board/hcdaudit-data/store/0000000151.seg"), (7, "describe"),
                                          (8, "check the NVRAM")])
def test_an_interrupted_pull_leaves_the_previous_copy(board, after, phase):
    do_pull(board)
    before = snapshot(board.device)
    board.run_firmware(70)
    remote = Interrupted(board.board_dir, after)
    with pytest.raises(UsageError, match=f"lost the board while trying to {phase}"):
        do_pull(board, remote)
    assert remote.calls == after + 1
    assert snapshot(board.device) == before
    assert leftovers(board.device) == []


def test_a_board_still_writing_is_caught(board):
    """The firmware logs between the reads and the final checks: the pull is refused."""
    do_pull(board)
    before = snapshot(board.device)

    class Busy(UnixPortBoard):
        def exec(self, code):
            if "PROFILE" in code and self.calls:       # the final listing
                board.run_firmware(3)                  # three records into the ring
            return super().exec(code)
    with pytest.raises(UsageError, match="memory changed during the pull"):
        do_pull(board, Busy(board.board_dir))
    assert snapshot(board.device) == before
    assert leftovers(board.device) == []


def test_a_swap_that_fails_halfway_puts_the_previous_copy_back(board, monkeypatch):
    do_pull(board)
    before = snapshot(board.device)
    board.run_firmware(70)
    rename = Path.rename

    def failing(self, target):
        if self.parent.name == pull.NEW_DIR and self.name == "store":   # the new nvram.bin has moved in
            raise OSError(28, "No space left on device")
        return rename(self, target)
    monkeypatch.setattr(Path, "rename", failing)
    with pytest.raises(OSError, match="No space left"):
        do_pull(board)
    monkeypatch.undo()
    assert snapshot(board.device) == before
    assert leftovers(board.device) == []


class Garbling(UnixPortBoard):
    """A board whose answers to the read snippets come back altered."""

    def __init__(self, folder, alter):
        super().__init__(folder)
        self.alter = alter

    def exec(self, code):
        reply = super().exec(code)
        return reply if "PROFILE" in code else self.alter(reply)


def _flip_a_byte(reply: bytes) -> bytes:
    # a different base64 character: still base64, the wrong bytes
    i = 10
    return reply[:i] + (b"B" if reply[i:i + 1] != b"B" else b"C") + reply[i + 1:]


@pytest.mark.parametrize("alter, detail", [
    (lambda r: b"\x00\xff\xfe garbage \x81\r\n>>> ", "no digest line"),
    (lambda r: r[:40] + b"!!!\n" + r[40:], "not base64"),
    (_flip_a_byte, "SHA-256"),
    (lambda r: b"\n".join(r.split(b"\n")[1:]), "bytes, asked for"),
])
def test_a_board_answering_garbage_is_refused(board, alter, detail):
    do_pull(board)
    before = snapshot(board.device)
    with pytest.raises(UsageError, match=detail):
        do_pull(board, Garbling(board.board_dir, alter))
    assert snapshot(board.device) == before
    assert leftovers(board.device) == []


def test_a_board_answering_nonsense_to_the_description(board):
    class Nonsense(UnixPortBoard):
        def exec(self, code):
            return b"MicroPython v1.29 on 2026-08-29; Raspberry Pi Pico W with RP2040\r\n>>> "
    with pytest.raises(UsageError, match="not a Python literal"):
        do_pull(board, Nonsense(board.board_dir))


def test_the_board_must_hold_the_same_device(board, tmp_path):
    other = tmp_path / "other"
    provision(other, "mfd-2", "RP0000002", board="rp2040")
    with pytest.raises(UsageError, match="holds device"):
        pull.pull(board.remote(), other, module="simboard")
    assert (other / "store").is_dir() and not any((other / "store").iterdir())


def test_the_board_must_run_hcdaudit(board):
    with pytest.raises(UsageError, match="no module named.*make deploy"):
        pull.pull(board.remote(), board.device, module="boards.nosuchboard.board")


def test_the_folder_must_be_the_hosts_device_folder(board, tmp_path):
    (tmp_path / "plain").mkdir()
    with pytest.raises(UsageError, match="no escrow/"):
        pull.pull(board.remote(), tmp_path / "plain", module="simboard")
    with pytest.raises(UsageError, match="provisioned for the rp2040 board, not stm32"):
        pull.pull(board.remote(), board.device, board="stm32", module="simboard")
    host = tmp_path / "host"
    provision(host, "sim", "SIM1", board="host")
    with pytest.raises(UsageError, match="host-board device"):
        pull.pull(board.remote(), host, module="simboard")


def test_a_store_file_name_that_escapes_the_folder_is_refused(board):
    class Evil(UnixPortBoard):
        def exec(self, code):
            reply = super().exec(code)
            return reply.replace(b"'0000000001.seg'", b"'../../escrow/master.key'") if "PROFILE" in code else reply
    with pytest.raises(UsageError, match="refusing to copy it"):
        do_pull(board, Evil(board.board_dir))


# ---------------------------------------------------------------- an interrupted swap

def _folder_with(tmp_path, old: dict, current: dict, complete: bool) -> Path:
    device = tmp_path / "dev"
    for base, pieces in ((device / pull.OLD_DIR, old), (device, current)):
        base.mkdir(parents=True, exist_ok=True)
        for name, text in pieces.items():
            if name == "store":
                (base / "store").mkdir()
                (base / "store" / "0000000001.seg").write_text(text)
            else:
                (base / name).write_text(text)
    if complete:
        (device / pull.OLD_DIR / "complete").write_text("")
    return device


def _state(device: Path) -> dict:
    return {"nvram.bin": (device / "nvram.bin").read_text() if (device / "nvram.bin").exists() else None,
            "store": (device / "store/0000000001.seg").read_text() if (device / "store").exists() else None}


@pytest.mark.parametrize("old, current, complete", [
    ({"nvram.bin": "old"}, {"store": "old"}, False),                           # moving the old copy out
    ({"nvram.bin": "old", "store": "old"}, {}, True),                          # old copy aside, none moved in
    ({"nvram.bin": "old", "store": "old"}, {"nvram.bin": "new"}, True),        # half the new copy moved in
])
def test_recovery_puts_the_previous_copy_back_whole(tmp_path, old, current, complete):
    device = _folder_with(tmp_path, old, current, complete)
    assert pull.recover(device)
    assert _state(device) == {"nvram.bin": "old", "store": "old"}
    assert not (device / pull.OLD_DIR).exists()


# ---------------------------------------------------------------- the command

def test_pull_command_checks_before_touching_a_port(hcdaudit, tmp_path):
    status, _, err = hcdaudit("pull", "--port", "/dev/ttyACM9", "--device", tmp_path)
    assert status == 2 and "no escrow/" in err
    device = tmp_path / "dev"
    provision(device, "mfd-1", "RP0000001", board="rp2040")
    status, _, err = hcdaudit("pull", "--port", tmp_path / "no-such-port", "--device", device)
    assert status == 2 and "no serial port" in err


def test_pull_help(hcdaudit):
    status, out, _ = hcdaudit("pull", "--help")
    assert status == 0
    for text in ("--port", "--device", "--board", "nvram.bin", "escrow"):
        assert text in out


# ---------------------------------------------------------------- over a serial port

class RawReplPort(threading.Thread):
    """The board's end of a serial line (a pty), speaking MicroPython's raw REPL as
    mpremote's SerialTransport expects it (Ctrl-A, soft reset, Ctrl-D-terminated
    commands answered "OK" stdout \\x04 stderr \\x04 ">"; no raw-paste mode). Each
    command runs on the unix port against the simulated board, its module standing
    in for boards.rp2040.board. silent=True: a serial device that never answers."""

    def __init__(self, sim: SimBoard, silent=False):
        super().__init__(daemon=True)
        self.sim = sim
        self.silent = silent
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self.slave = slave
        self.controls = []           # control bytes received outside a command, in order
        self.stopped = False

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def run(self):
        command = None
        skip = 0
        while not self.stopped:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if self.silent:
                continue
            for byte in data:
                b = bytes([byte])
                if skip:
                    skip -= 1
                elif command is not None:
                    if b == b"\x04":
                        self.execute(bytes(command))
                        command = None
                    else:
                        command += b
                elif b == b"\x01":
                    self.controls.append("raw")
                    self.write(b"raw REPL; CTRL-B to exit\r\n>")
                elif b == b"\x04" and self.controls and self.controls[-1] in ("raw", "exec"):
                    self.controls.append("soft-reset")
                    self.write(b"soft reboot\r\nraw REPL; CTRL-B to exit\r\n>")
                elif b == b"\x04":
                    self.controls.append("restart")       # Ctrl-D at the friendly REPL: main.py runs
                elif b == b"\x05":                       # \x05 A \x01: raw-paste mode?
                    skip = 2
                    self.write(b"R\x00")                  # understood, not supported
                elif b == b"\x02":
                    self.controls.append("friendly")
                elif b == b"\x03":
                    self.controls.append("interrupt")
                elif b != b"\r" and self.controls and self.controls[-1] in ("raw", "soft-reset", "exec"):
                    command = bytearray(b)

    def execute(self, code: bytes):
        self.controls.append("exec")
        text = code.decode().replace("boards.rp2040.board", "simboard")
        remote = self.sim.remote()
        try:
            out, err = remote.exec(text), b""
        except pull.RemoteError as exc:
            out, err = b"", str(exc).encode()
        if not self.stopped:
            self.write(b"OK" + out.replace(b"\n", b"\r\n") + b"\x04" + err + b"\x04>")

    def settled(self, last: str, timeout_s=5.0) -> list:
        """The control log once `last` arrived (the host's final bytes may still be in the pty)."""
        deadline = time.monotonic() + timeout_s
        while self.controls[-1:] != [last] and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.controls

    def close(self):
        self.stopped = True
        os.close(self.slave)
        os.close(self.master)


@pytest.fixture
def port(board):
    line = RawReplPort(board)
    line.start()
    yield line
    line.close()


def test_pull_command_over_a_serial_port(board, port, hcdaudit):
    status, out, err = hcdaudit("pull", "--port", port.path, "--device", board.device)
    assert status == 0, err
    assert "2 store files" in out and "hcdaudit verify store" in out
    # Stopped (Ctrl-C, raw REPL, soft reset: main.py does not run), read, then restarted.
    controls = port.settled("restart")
    assert controls[:4] == ["interrupt", "raw", "soft-reset", "exec"]
    assert controls[-2:] == ["friendly", "restart"]
    status, out, err = hcdaudit("verify", "store", board.device)
    assert status == 0, out + err


def test_pull_command_can_leave_the_board_stopped(board, port, hcdaudit):
    status, _, err = hcdaudit("pull", "--port", port.path, "--device", board.device, "--no-restart")
    assert status == 0, err
    controls = port.settled("friendly")
    time.sleep(0.2)                  # nothing more comes
    assert controls[-1] == "friendly" and "restart" not in controls


def test_pull_command_on_a_silent_serial_device(board, hcdaudit):
    line = RawReplPort(board, silent=True)
    line.start()
    result = []
    command = threading.Thread(target=lambda: result.append(
        hcdaudit("pull", "--port", line.path, "--device", board.device)), daemon=True)
    command.start()
    command.join(40)                 # a hang fails the test instead of stalling the suite
    hung = command.is_alive()
    line.close()                     # and unblocks a hung read
    assert not hung, "pull hung on a silent serial device"
    status, _, err = result[0]
    assert status == 2 and "no MicroPython raw REPL" in err


# ---------------------------------------------------------------- forward integrity on a reference board

def _tampered_findings(hcdaudit, folder: Path) -> list[tuple[str, int, int]]:
    import json
    status, out, err = hcdaudit("verify", "store", folder, "--json")
    assert status != 0, out
    return [(f["verdict"], f["first_seq"], f["last_seq"]) for f in json.loads(out)["tampered"]]


def test_a_deployed_root_keeps_flushed_epochs_out_of_the_master_keys_reach(hcdaudit, tmp_path):
    """rp2040 (its board.py over simulated parts): deploy's NVRAM step installs the
    escrow's root; the firmware logs two segments; the pulled copy verifies. An
    attacker with the bundle's master key and the NVRAM (the current epoch's key)
    re-seals a record of a flushed epoch: the verifier names it, whichever key."""
    from boards.host.board import runtime_hal
    from boards.host.memory import RamNvram
    from hcdaudit import kdf, seal, segment
    need_rp2040("rp2040")
    sim = SimBoard(tmp_path, "rp2040")
    root = (sim.device / "escrow/integrity.key").read_bytes()
    assert root not in (sim.device / "bundle").joinpath("master.key").read_bytes()
    sim.run_firmware(130)
    do_pull(sim)
    status, out, err = hcdaudit("verify", "store", sim.device)
    assert status == 0, out + err
    nv = (sim.device / "nvram.bin").read_bytes()
    slots = sim.identity["slot_count"], sim.identity["slot_size"]
    header = ring.Ring(RamNvram(len(nv), nv), *slots, None).read_header()[0]
    assert header.epoch == 2 and header.key == kdf.epoch_key(root, 2)      # evolved from the installed root
    assert nv.find(root) < 0 and nv.find(kdf.epoch_key(root, 1)) < 0      # the earlier keys are erased

    master = (sim.device / "bundle/master.key").read_bytes()
    ident = kdf.device_id(sim.identity["uuid"])
    sealer = seal.Sealer(runtime_hal().Aes(kdf.Subkeys(master, ident).conf), slots[1] - seal.OVERHEAD)
    name = sim.device / "store" / segment.name_for(1)
    original = name.read_bytes()
    offset = segment.HEADER_SIZE
    while True:                                # seq 10's entry in the epoch-0 segment
        seq, epoch, salt, n = seal.parse_header(original, offset)
        size = seal.HEADER_SIZE + n + seal.MAC_SIZE
        if seq == 10:
            break
        offset += size
    assert epoch == 0
    plaintext = sealer.open_entry(original[offset:offset + size])
    edited = plaintext.replace(b"bob", b"eve") if b"bob" in plaintext else plaintext[:-1] + b"x"
    derived = kdf.integrity_root(master, ident)     # what a board deriving its root would have used
    attempts = {"the master key's root, epoch 0": (kdf.HmacKey(derived), 0, "modified"),
                "the NVRAM's current key": (kdf.HmacKey(header.key), header.epoch, "forged")}
    for what, (key, as_epoch, verdict) in attempts.items():
        buf = bytearray(slots[1])
        m = sealer.seal_entry_into(key, 10, as_epoch, salt, edited, buf)
        assert m == size, what
        name.write_bytes(original[:offset] + bytes(buf[:m]) + original[offset + size:])
        found = _tampered_findings(hcdaudit, sim.device)
        assert (verdict, 10, 10) in found, (what, found)
    name.write_bytes(original)
    status, out, err = hcdaudit("verify", "store", sim.device)
    assert status == 0, out + err
