"""`hcdaudit pull`: read a board's NVRAM ring and store back into its device folder.

The board runs small snippets through mpremote's raw REPL (entering it stops
the firmware: Ctrl-C, then a soft reset that does not run main.py, so nothing
writes while the pull reads). Each snippet reads at most CHUNK bytes, in
PIECE-byte pieces, through one preallocated buffer, and prints them as base64
lines followed by the SHA-256 of the chunk; the host checks every chunk
(format, length, digest) and every file's size against the board's listing,
and lists the store again at the end to catch a board that was still writing.

The copy goes to a fresh folder inside DEVICE_DIR and only replaces
DEVICE_DIR/nvram.bin and DEVICE_DIR/store/ once all of it arrived, so a failed
pull leaves the previous copy as it was. The swap itself is journalled (the
previous copy is moved to .pull-old/ with a marker first), and a pull that
finds a .pull-old/ from an interrupted swap restores it before anything else.

Only `remote.exec(code) -> stdout bytes` is needed from the board's
connection; it raises RemoteError with the board's traceback when the snippet
fails. SerialRemote provides it over mpremote's SerialTransport."""
from __future__ import annotations

import ast
import base64
import binascii
import hashlib
import shutil
from pathlib import Path

from boards.host import device
from hcdaudit import ring

from .errors import UsageError
from .source import load_escrow, progress

CHUNK = 16384        # bytes per snippet: the host holds one reply (~22 KB of base64) at a time
PIECE = 192          # bytes per line: the board's one buffer, 256 base64 characters
READ_TIMEOUT_S = 5    # the serial line: per read (mpremote's own limits: 10 s per reply)
NEW_DIR = ".pull-new"
OLD_DIR = ".pull-old"
_OLD_COMPLETE = "complete"     # in OLD_DIR: it holds the whole previous copy
_PIECES = (device.NVRAM_FILE, device.STORE_DIR)


class RemoteError(Exception):
    """A snippet raised on the board; the text is the board's traceback."""


class PullError(UsageError):
    pass


# ---------------------------------------------------------------- the snippets

def _board_module(board: str) -> str:
    return f"boards.{board}.board"


_INFO = '''\
import os
from {module} import PROFILE, ROOT, STORE_DIR, open_nvram
try:
    _hcd_nv
except NameError:
    _hcd_nv = open_nvram()
try:
    with open(ROOT + "/device.json") as f:
        import json
        _u = json.load(f).get("uuid")
except OSError:
    _u = None
try:
    _l = [(e[0], e[1] & 0x4000 != 0, os.stat(STORE_DIR + "/" + e[0])[6]) for e in os.ilistdir(STORE_DIR)]
except OSError:
    _l = None
print(repr({{"profile": PROFILE, "root": ROOT, "store": STORE_DIR, "uuid": _u, "nvram": _hcd_nv.size,
            "files": _l}}))
'''

_READ = '''\
import binascii
import hashlib
{open}
_b = bytearray({piece})
_v = memoryview(_b)
_h = hashlib.sha256()
_o = {offset}
_e = {end}
while _o < _e:
    _w = _v[:min({piece}, _e - _o)]
    {read}
    _h.update(_w)
    {emit}
    _o += len(_w)
{close}
print("=", binascii.hexlify(_h.digest()).decode())
'''

_NVRAM_OPEN = '''\
from {module} import open_nvram
try:
    _hcd_nv
except NameError:
    _hcd_nv = open_nvram()'''
_NVRAM_READ = "_hcd_nv.read_into(_o, _w)"
_FILE_OPEN = '''\
import {module}
_f = open({path!r}, "rb")
_f.seek({offset})'''
_FILE_READ = '''if _f.readinto(_w) != len(_w):
        raise OSError("file shrank while being read")'''
_FILE_CLOSE = "_f.close()"


def info_snippet(module: str) -> str:
    return _INFO.format(module=module)


_EMIT = 'print(binascii.b2a_base64(_w).decode(), end="")'


def nvram_snippet(module: str, offset: int, end: int, emit: bool = True) -> str:
    """emit=False: only the digest (to check the region did not change during the pull)."""
    return _READ.format(open=_NVRAM_OPEN.format(module=module), read=_NVRAM_READ, close="", piece=PIECE,
                        offset=offset, end=end, emit=_EMIT if emit else "pass")


def file_snippet(module: str, path: str, offset: int, end: int) -> str:
    """Importing the board module makes its store available (mounted) if it was not already."""
    return _READ.format(open=_FILE_OPEN.format(module=module, path=path, offset=offset), read=_FILE_READ,
                        close=_FILE_CLOSE, piece=PIECE, offset=offset, end=end, emit=_EMIT)


# ---------------------------------------------------------------- talking to the board

def _run(remote, code: str, what: str) -> bytes:
    try:
        return remote.exec(code)
    except RemoteError as exc:
        lines = [line for line in str(exc).strip().splitlines() if line.strip()]
        last = lines[-1].strip() if lines else "no message"
        hint = ""
        if "ImportError" in last or "no module named" in last:
            hint = " (is the hcdaudit firmware deployed? make deploy)"
        raise PullError(f"the board failed to {what}: {last}{hint}") from None
    except OSError as exc:          # the serial link itself (pyserial's errors are OSErrors)
        raise PullError(f"lost the board while trying to {what}: {exc.strerror or exc}") from None


def _garbage(what: str, detail: str, reply: bytes) -> PullError:
    shown = reply[:80].decode("ascii", "backslashreplace")
    return PullError(f"the board's answer to {what} is not what hcdaudit asked for ({detail}): {shown!r}")


def parse_chunk(reply: bytes, length: int | None, what: str, digest_only: bytes | None = None) -> bytes:
    """The bytes of one chunk reply: base64 lines, then '= <sha256 hex>'.
    digest_only: the reply holds only the digest line, which must be that of these bytes."""
    lines = [line.strip() for line in reply.replace(b"\r", b"").split(b"\n") if line.strip()]
    if not lines or not lines[-1].startswith(b"= "):
        raise _garbage(what, "no digest line", reply)
    try:
        data = b"".join(base64.b64decode(line, validate=True) for line in lines[:-1])
        digest = bytes.fromhex(lines[-1][2:].decode("ascii"))
    except (binascii.Error, ValueError):
        raise _garbage(what, "not base64 lines and a hex digest", reply) from None
    if digest_only is not None:
        if len(lines) != 1 or len(digest) != 32:
            raise _garbage(what, "not one digest line", reply)
        return digest
    if len(data) != length:
        raise _garbage(what, f"{len(data)} bytes, asked for {length}", reply)
    if hashlib.sha256(data).digest() != digest:
        raise _garbage(what, "the bytes do not match the board's SHA-256 of them", reply)
    return data


def board_info(remote, module: str) -> dict:
    reply = _run(remote, info_snippet(module), "describe its hcdaudit memories")
    text = reply.replace(b"\r", b"").decode("utf-8", "replace").strip()
    try:
        info = ast.literal_eval(text.splitlines()[-1] if text else "")
    except (ValueError, SyntaxError, IndexError):
        raise _garbage("the description request", "not a Python literal", reply) from None
    if not (isinstance(info, dict) and isinstance(info.get("nvram"), int) and isinstance(info.get("store"), str)
            and (info.get("files") is None or isinstance(info.get("files"), list))):
        raise _garbage("the description request", "fields missing", reply)
    for entry in info["files"] or []:
        if not (isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], str)
                and isinstance(entry[2], int) and entry[2] >= 0):
            raise _garbage("the description request", f"bad store entry {entry!r}", reply)
        name = entry[0]
        if name in ("", ".", "..") or "/" in name or "\\" in name or "\0" in name:
            raise PullError(f"the board's store holds a file named {name!r}, which hcdaudit never writes; "
                            "refusing to copy it")
    return info


def read_range(remote, snippet, size: int, what: str, advance) -> bytes:
    """A board memory of `size` bytes, CHUNK by CHUNK."""
    out = bytearray()
    for offset in range(0, size, CHUNK):
        end = min(size, offset + CHUNK)
        out += parse_chunk(_run(remote, snippet(offset, end), f"read {what}"), end - offset,
                           f"reading {what} at {offset}")
        advance(end - offset)
    return bytes(out)


# ---------------------------------------------------------------- the device folder

def _check_folder(device_dir: Path) -> dict:
    if not device_dir.is_dir():
        raise UsageError(f"{device_dir} is not a folder (pull writes into the folder `hcdaudit provision` made)")
    if not (device_dir / device.ESCROW_DIR).is_dir():
        raise UsageError(f"{device_dir} has no {device.ESCROW_DIR}/: the pull goes into the host's device folder "
                         "of this board (the one provisioned for it), which holds the escrow to verify it")
    identity, _ = load_escrow(device_dir / device.ESCROW_DIR)
    return identity


def recover(device_dir: Path) -> str | None:
    """Finish what an interrupted swap left: restore the previous copy."""
    old = device_dir / OLD_DIR
    if not old.is_dir():
        shutil.rmtree(device_dir / NEW_DIR, ignore_errors=True)
        return None
    if (old / _OLD_COMPLETE).exists():
        # The old copy was whole when the new one started to move in: put it back.
        for name in _PIECES:
            if (old / name).exists():
                _remove(device_dir / name)
                (old / name).rename(device_dir / name)
    else:
        # Still moving the old copy out: whatever moved goes back.
        for name in _PIECES:
            if (old / name).exists() and not (device_dir / name).exists():
                (old / name).rename(device_dir / name)
    shutil.rmtree(old)
    shutil.rmtree(device_dir / NEW_DIR, ignore_errors=True)
    return f"restored the copy an interrupted pull had set aside in {old}"


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _swap(device_dir: Path, new: Path) -> None:
    old = device_dir / OLD_DIR
    old.mkdir()
    for name in _PIECES:
        if (device_dir / name).exists():
            (device_dir / name).rename(old / name)
    (old / _OLD_COMPLETE).write_text("the previous copy, whole\n")
    for name in _PIECES:
        (new / name).rename(device_dir / name)
    shutil.rmtree(old)
    shutil.rmtree(new)


# ---------------------------------------------------------------- the pull

def pull(remote, device_dir: Path, board: str | None = None, module: str | None = None) -> dict:
    """Copy the board's NVRAM region and store files into device_dir (nvram.bin, store/)."""
    identity = _check_folder(device_dir)
    provisioned = identity.get("board", "host")
    if board and board != provisioned:
        raise UsageError(f"{device_dir} was provisioned for the {provisioned} board, not {board}")
    board = provisioned
    if board == "host":
        raise UsageError(f"{device_dir} is a host-board device: its NVRAM and store are the folder itself")
    restored = recover(device_dir)
    module = module or _board_module(board)
    info = board_info(remote, module)
    region = ring.region_size(identity["slot_count"], identity["slot_size"])
    if info.get("profile") != board:
        raise PullError(f"the board runs the {info.get('profile')} board support, {device_dir} is a {board} device")
    if info.get("uuid") is None:
        raise PullError(f"the board holds no device bundle ({info.get('root')}/device.json): deploy first")
    if info["uuid"] != identity.get("uuid"):
        raise PullError(f"the board holds device {info['uuid']}, {device_dir} is device {identity.get('uuid')}: "
                        "pull into that device's folder")
    if info["nvram"] != region:
        raise PullError(f"the board's NVRAM region is {info['nvram']} bytes, the device's ring is {region} "
                        f"({identity['slot_count']} slots of {identity['slot_size']} B)")
    files = sorted((name, size) for name, is_dir, size in info["files"] or [] if not is_dir)
    skipped = sorted(name for name, is_dir, _ in info["files"] or [] if is_dir)
    total = region + sum(size for _, size in files)

    new = device_dir / NEW_DIR
    _remove(new)
    (new / device.STORE_DIR).mkdir(parents=True)
    try:
        with progress(f"pulling {device_dir.name}", lambda: total) as bar:
            nvram = read_range(remote, lambda a, b: nvram_snippet(module, a, b), region, "the NVRAM", bar.advance)
            (new / device.NVRAM_FILE).write_bytes(nvram)
            for name, size in files:
                path = info["store"] + "/" + name
                data = read_range(remote, lambda a, b, p=path: file_snippet(module, p, a, b), size, path, bar.advance)
                (new / device.STORE_DIR / name).write_bytes(data)
        after = board_info(remote, module)
        digest = parse_chunk(_run(remote, nvram_snippet(module, 0, region, emit=False), "check the NVRAM"),
                             None, "the NVRAM check", digest_only=nvram)
        if sorted(after["files"] or []) != sorted(info["files"] or []) or digest != hashlib.sha256(nvram).digest():
            raise PullError("the board's memory changed during the pull (was the firmware still running?); "
                            "pull again")
        if (new / device.NVRAM_FILE).stat().st_size != region or any(
                (new / device.STORE_DIR / name).stat().st_size != size for name, size in files):
            raise PullError("a pulled file does not have the size the board listed")
        _swap(device_dir, new)
    except BaseException:
        if (device_dir / OLD_DIR).exists():
            recover(device_dir)      # the swap itself failed: the previous copy goes back now
        _remove(new)
        raise
    return {"nvram": region, "files": len(files), "bytes": total - region, "skipped": skipped,
            "restored": restored}


# ---------------------------------------------------------------- the serial connection

class SerialRemote:
    """`exec(code) -> stdout` over mpremote's raw REPL on a serial port."""

    def __init__(self, port: str):
        from mpremote.transport import TransportError
        from mpremote.transport_serial import SerialTransport
        self._error = TransportError
        try:
            # A read timeout: without one a silent pseudo-terminal blocks mpremote forever.
            self.transport = SerialTransport(port, baudrate=115200, timeout=READ_TIMEOUT_S)
        except TransportError as exc:
            raise UsageError(f"cannot open {port}: {exc}") from None
        try:
            # Ctrl-C stops the firmware; the soft reset from the raw REPL does not run main.py.
            self.transport.enter_raw_repl(soft_reset=True)
        except (TransportError, OSError) as exc:
            self.transport.close()
            raise UsageError(f"no MicroPython raw REPL on {port} ({exc}): is it a board running MicroPython?") \
                from None

    def exec(self, code: str) -> bytes:
        from mpremote.transport import TransportExecError
        try:
            return self.transport.exec(code)
        except TransportExecError as exc:
            raise RemoteError(exc.error_output) from None
        except (self._error, OSError) as exc:
            raise PullError(f"lost the board on {self.transport.device_name}: {exc}") from None

    def close(self, restart: bool = True) -> None:
        try:
            self.transport.exit_raw_repl()
            if restart:
                self.transport.serial.write(b"\x04")    # soft reset from the friendly REPL: main.py runs again
        except OSError:
            pass
        self.transport.close()


def run(port: str, device_dir: Path, board: str | None = None, restart: bool = True) -> dict:
    from .deploy import check_port
    _check_folder(device_dir)           # before the board is stopped
    check_port(port)
    remote = SerialRemote(port)
    try:
        return pull(remote, device_dir, board)
    finally:
        remote.close(restart)


def cmd_pull(args) -> int:
    if (args.url is None) == (args.port is None):
        raise UsageError("give either the board's --port (serial) or the device's https://HOST:PORT")
    if args.url is not None:
        from . import pull_https
        summary = pull_https.run(args.url, args.device, args.user)
        if summary["restored"]:
            print(summary["restored"])
        print(f"pulled the NVRAM ring ({summary['nvram']} B) and {summary['files']} store files "
              f"({summary['bytes']} B) over HTTPS from {args.url} into {args.device}")
        print(f"  next: hcdaudit verify store {args.device}; hcdaudit export {args.device} --format ...")
        return 0
    summary = run(args.port, args.device, args.board, not args.no_restart)
    if summary["restored"]:
        print(summary["restored"])
    print(f"pulled the NVRAM ring ({summary['nvram']} B) and {summary['files']} store files "
          f"({summary['bytes']} B) from {args.port} into {args.device}")
    if summary["skipped"]:
        print(f"  skipped folders in the board's store: {', '.join(summary['skipped'])}")
    print(f"  next: hcdaudit verify store {args.device}; hcdaudit export {args.device} --format ...")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("pull", help="read a board's NVRAM ring and store back into its device folder",
                       description="Read the NVRAM ring and every store file of a board running the hcdaudit "
                                   "firmware (over mpremote's raw REPL: the firmware stops for the pull and is "
                                   "restarted after it) into DEVICE_DIR/nvram.bin and DEVICE_DIR/store/, for "
                                   "`hcdaudit export` and `hcdaudit verify store`. DEVICE_DIR is the folder "
                                   "`hcdaudit provision --board BOARD` made for this device (it holds the "
                                   "escrow); the board must hold the same device. Every chunk is checked "
                                   "against the board's SHA-256; the previous copy is replaced only when the "
                                   "whole pull arrived.")
    p.add_argument("url", nargs="?", metavar="https://HOST:PORT",
                   help="pull over the device's own HTTPS admin export instead of the serial REPL (the server "
                        "checked against the escrow's ca.pem, else its pinned https-cert.pem; password from "
                        "HCDAUDIT_PASSWORD or a prompt)")
    p.add_argument("--port", help="the board's serial port (e.g. /dev/ttyACM0)")
    p.add_argument("--user", default="admin", help="with https://: the administrator's user name (default admin)")
    p.add_argument("--device", required=True, type=Path, metavar="DEVICE_DIR",
                   help="the device folder (with escrow/) to pull into")
    p.add_argument("--board", help="the board's profile (default: the one the device was provisioned for; "
                                   "given, it must match)")
    p.add_argument("--no-restart", action="store_true",
                   help="leave the board at its REPL after the pull instead of restarting the firmware")
    p.set_defaults(func=cmd_pull)
