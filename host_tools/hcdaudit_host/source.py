"""Where `export` and `verify store` read a device's log from, always read-only:

* a host device folder (escrow/, nvram.bin, store/), or
* a board's raw littlefs flash dump plus its NVRAM dump, with the host's escrow
  (device.json and master.key) to decrypt and verify them.

NVRAM is copied into RAM; a flash image is mounted from an immutable bytes
buffer through a block-device context that refuses every program and erase,
so nothing here can write to what it reads. Every unusable input ends in a
UsageError with one line of text (exit status 2)."""
from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

from boards import profiles
from boards.host import device
from boards.host.board import runtime_hal
from boards.host.dirfs import DirFs
from boards.host.memory import RamNvram
from hcdaudit import ring, segment
from hcdaudit.reader import Reader

from . import fastverify
from .errors import UsageError

TYPE_CHECKING = False       # typing's own constant, without importing typing (`verify store` starts faster)
if TYPE_CHECKING:
    from littlefs import UserContext

# The verifier's per-record loops in C where they are built (hcdaudit_host/fastverify.py).
VERIFY_LOOPS = fastverify.install()

_IDENTITY_FIELDS = ("name", "serial", "slot_count", "slot_size", "store_cap")
_LFS_ERR_IO = -5


class Source:
    """An opened device log: the reader over it and what describes it. (A plain
    class: `verify store` starts faster without dataclasses and inspect.)"""

    def __init__(self, reader: Reader, identity: dict, kind: str, label: str, description: str, device_id: str,
                 details: dict | None = None) -> None:
        self.reader = reader
        self.identity = identity
        self.kind = kind                    # "folder" or "image"
        self.label = label                  # what error messages name
        self.description = description      # one line for the report
        self.device_id = device_id
        self.details = {} if details is None else details

    def segment_names(self) -> list[str]:
        return self.reader._segment_names()

    def quarantined_segments(self) -> list[str]:
        return [n for n in self.segment_names() if n.endswith(".bad")]

    def expected_records(self) -> int:
        """Records the store's segment headers announce, plus a full ring: the
        total of a progress bar (no authentication, only a size estimate)."""
        fs = self.reader.fs
        total = self.identity.get("slot_count", 50)
        for name in self.segment_names():
            try:
                f = fs.open(name, "rb")
                try:
                    total += segment.Meta(name, f.read(segment.HEADER_SIZE)).count
                finally:
                    f.close()
            except (OSError, ValueError):
                continue
        return total

    def records(self, bodies: bool = True, decode: bool = True):
        """reader.records(bodies, decode), with read errors of the medium turned into one-line
        UsageErrors: a file the host cannot read is not evidence about the log."""
        try:
            yield from self.reader.records(bodies, decode)
        except ring.RingError as exc:
            raise UsageError(f"{self.label}: NVRAM: {exc}") from None
        except OSError as exc:
            where = exc.filename or self.label
            raise UsageError(f"cannot read {where}: {exc.strerror or exc}") from None

    def runs(self, decode: bool = False):
        """reader.runs(decode) (records(bodies=False, decode)'s walk, lists of the records'
        entries: .seq, .epoch, .entry), read errors turned into UsageErrors as records()."""
        try:
            yield from self.reader.runs(decode)
        except ring.RingError as exc:
            raise UsageError(f"{self.label}: NVRAM: {exc}") from None
        except OSError as exc:
            where = exc.filename or self.label
            raise UsageError(f"cannot read {where}: {exc.strerror or exc}") from None

    def require_authentic(self) -> None:
        """A log whose records exist but none authenticates is not damaged: it is being
        read with the wrong master key (another device's escrow, or its memory)."""
        report = self.reader.report
        if report.verified == 0 and (report.in_store or report.findings):
            raise UsageError(f"no record of {self.label} authenticates: wrong master key "
                             "(another device's escrow?) or not this device's memory")


# ---------------------------------------------------------------- the escrow

def load_escrow(folder: Path) -> tuple[dict, bytes]:
    """device.json and master.key of an escrow folder. A device folder (holding
    escrow/) is accepted too."""
    if (folder / device.ESCROW_DIR / device.DEVICE_FILE).exists():
        folder = folder / device.ESCROW_DIR
    identity_path, key_path = folder / device.DEVICE_FILE, folder / device.KEY_FILE
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder (--escrow wants the device's escrow folder)")
    if not identity_path.exists():
        raise UsageError(f"{folder} is not an escrow folder (no {device.DEVICE_FILE})")
    try:
        identity = json.loads(identity_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read {identity_path}: {exc.strerror}") from None
    except ValueError:
        raise UsageError(f"{identity_path} is not valid JSON") from None
    if not isinstance(identity, dict):
        raise UsageError(f"{identity_path} is not a device description")
    for name in _IDENTITY_FIELDS:
        if name not in identity:
            raise UsageError(f"{identity_path} lacks '{name}'")
    try:
        key = key_path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read the master key {key_path}: {exc.strerror}") from None
    if len(key) != 32:
        raise UsageError(f"{key_path} must hold 32 bytes, it holds {len(key)}")
    return identity, key


def _read_file(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _nvram(path: Path, identity: dict) -> RamNvram:
    data = _read_file(path, "the NVRAM dump")
    expected = ring.region_size(identity["slot_count"], identity["slot_size"])
    if len(data) != expected:
        raise UsageError(f"{path} holds {len(data)} bytes, the device's NVRAM ring is {expected} "
                         f"({identity['slot_count']} slots of {identity['slot_size']} B)")
    return RamNvram(len(data), data)      # a copy: the ring reader never touches the file


def _integrity_root(escrow: Path) -> bytes | None:
    """Epoch 0's integrity key when provisioning kept it apart (host board); else the
    reader derives it from the master key."""
    path = escrow / device.INTEGRITY_KEY_FILE
    if not path.exists():
        return None
    data = _read_file(path, "the integrity key")
    if len(data) != 32:
        raise UsageError(f"{path} must hold 32 bytes, it holds {len(data)}")
    return data


def _counter(path: Path | None) -> int | None:
    """The board's monotonic counter, where the device folder has one (an anchor)."""
    if path is None or not path.exists():
        return None
    data = _read_file(path, "the monotonic counter")
    if len(data) != 8:
        raise UsageError(f"{path} must hold 8 bytes, it holds {len(data)}")
    return int.from_bytes(data, "big")


def _reader(fs, nvram: RamNvram, key: bytes, identity: dict, label: str, escrow: Path,
            counter: Path | None = None) -> Reader:
    try:
        return Reader(fs, nvram, key, identity["slot_count"], identity["slot_size"], runtime_hal().Aes,
                      identity.get("uuid"), _integrity_root(escrow), _counter(counter))
    except (ring.RingError, ValueError, TypeError) as exc:
        raise UsageError(f"{label}: {exc}") from None


def _device_id(identity: dict, fallback: Path) -> str:
    return identity.get("uuid") or str(fallback.resolve())


# ---------------------------------------------------------------- a device folder

def open_folder(device_dir: Path) -> Source:
    if not device_dir.is_dir():
        raise UsageError(f"{device_dir} is not a folder")
    if not (device_dir / device.ESCROW_DIR / device.DEVICE_FILE).exists():
        raise UsageError(f"{device_dir} is not a device folder (no {device.ESCROW_DIR}/{device.DEVICE_FILE})")
    identity, key = load_escrow(device_dir / device.ESCROW_DIR)
    nvram = _nvram(device_dir / device.NVRAM_FILE, identity)
    store = device_dir / device.STORE_DIR
    if not store.is_dir():
        raise UsageError(f"missing store folder {store}")
    reader = _reader(DirFs(str(store)), nvram, key, identity, str(device_dir), device_dir / device.ESCROW_DIR,
                     device_dir / device.COUNTER_FILE)
    return Source(reader, identity, "folder", str(device_dir), f"device folder {device_dir}",
                  _device_id(identity, device_dir))


# ---------------------------------------------------------------- a raw flash dump

def flash_geometry(identity: dict) -> dict:
    """littlefs geometry of the device's board: the escrow's "flash", else the
    board's profile (boards/profiles.py)."""
    board = identity.get("board") or "host"
    geometry = identity.get("flash")
    origin = "device.json"
    if not isinstance(geometry, dict):
        try:
            geometry = profiles.profile(board)["flash"]
        except ValueError as exc:
            raise UsageError(f"the escrow names no flash geometry and {exc}") from None
        origin = f"the {board} board profile"
    try:
        geo = {k: int(geometry[k]) for k in ("block_size", "block_count", "read_size", "prog_size")}
    except (KeyError, TypeError, ValueError):
        raise UsageError(f"flash geometry in {origin} needs integer block_size, block_count, read_size, "
                         "prog_size") from None
    bs = geo["block_size"]
    if bs < 128 or bs & (bs - 1) or geo["block_count"] < 2 or not 0 < geo["read_size"] <= bs \
            or not 0 < geo["prog_size"] <= bs or bs % geo["read_size"] or bs % geo["prog_size"]:
        raise UsageError(f"flash geometry in {origin} is not a littlefs geometry: {geo}")
    try:
        store_dir = profiles.profile(board).get("store_dir", "/")
    except ValueError:
        store_dir = "/"
    return {**geo, "board": board, "origin": origin, "store_dir": store_dir}


class _ReadOnlyImage:
    """littlefs-python block-device context over an immutable buffer: reads only."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, cfg, block, off, size):
        # Must return bytes and must not raise (littlefs-python prints and ignores
        # callback exceptions). Sizes are checked before mounting; past the end reads erased.
        start = block * cfg.block_size + off
        chunk = self.data[start:start + size]
        if len(chunk) < size:
            chunk += b"\xff" * (size - len(chunk))
        return chunk

    def prog(self, cfg, block, off, data):
        return _LFS_ERR_IO

    def erase(self, cfg, block):
        return _LFS_ERR_IO

    def sync(self, cfg):
        return 0


class ImageStore:
    """The store-filesystem interface the reader needs (listdir, size, open "rb"),
    over a mounted littlefs image. Each file is read whole, once (littlefs then
    reads aligned runs straight from the image), and served from memory: the
    reader opens every segment twice (eviction scan, then records)."""

    def __init__(self, lfs, label: str, folder: str = "/"):
        self.lfs = lfs
        self.label = label
        self.folder = folder.rstrip("/") + "/"
        self._files: dict[str, bytes] = {}

    def _call(self, what, fn, *args):
        from littlefs.errors import LittleFSError
        try:
            return fn(*args)
        except LittleFSError as exc:
            raise UsageError(f"{self.label}: littlefs cannot {what}: {exc} (damaged or truncated image?)") from None

    def listdir(self):
        return [name for name in self._call(f"list {self.folder}", self.lfs.listdir, self.folder)]

    def _content(self, name) -> bytes:
        data = self._files.get(name)
        if data is None:
            def read_all():
                with self.lfs.open(self.folder + name, "rb") as f:
                    return f.read()
            data = self._files[name] = bytes(self._call(f"read {name}", read_all))
        return data

    def size(self, name):
        return len(self._content(name))

    def open(self, name, mode):
        if "r" not in mode or "+" in mode:
            raise OSError(30, "read-only image", name)
        return io.BytesIO(self._content(name))


class _EmptyStore:
    def listdir(self):
        return []

    def size(self, name):
        raise OSError(2, "no such file", name)

    def open(self, name, mode):
        raise OSError(2, "no such file", name)


def mount_image(data: bytes, geo: dict, label: str):
    """Mount a littlefs image (bytes) read-only; (store, description)."""
    from littlefs import LittleFS
    from littlefs.errors import LittleFSError
    bs = geo["block_size"]
    where = f"{geo['board']}: littlefs {bs} B x {geo['block_count']} blocks, read {geo['read_size']}, " \
            f"prog {geo['prog_size']}"
    if not data:
        raise UsageError(f"{label} is empty")
    if len(data) % bs:
        raise UsageError(f"{label} holds {len(data)} bytes, not a whole number of {bs}-byte blocks "
                         f"({where}): truncated or not a flash dump")
    if len(data) < geo["block_count"] * bs:
        raise UsageError(f"{label} holds {len(data) // bs} blocks, the board's littlefs partition has "
                         f"{geo['block_count']} ({where}): truncated dump")
    if data.count(b"\xff") == len(data):
        return _EmptyStore(), f"erased flash, no filesystem yet ({where})"
    # duck-typed: littlefs-python only calls read/prog/erase/sync (UserContext would import it eagerly)
    from typing import cast
    lfs = LittleFS(context=cast("UserContext", _ReadOnlyImage(data)), mount=False, block_size=bs, block_count=0,
                   read_size=geo["read_size"], prog_size=geo["prog_size"],
                   cache_size=max(geo["read_size"], geo["prog_size"]), lookahead_size=32)
    try:
        lfs.mount()
    except LittleFSError as exc:
        raise UsageError(f"{label} is not a littlefs image of this board ({where}): mount fails ({exc})") from None
    stat = lfs.fs_stat()
    # The board keeps its store in a folder of its volume (the profile's
    # store_dir); a dump with the segments at the root is read from there.
    folder = geo.get("store_dir") or "/"
    if folder != "/":
        try:
            lfs.stat(folder)
        except LittleFSError:
            folder = "/"
    if stat.block_size != bs:
        raise UsageError(f"{label}: littlefs block size {stat.block_size}, the board's is {bs}")
    if stat.block_count * bs > len(data):
        raise UsageError(f"{label} holds {len(data) // bs} blocks, its littlefs superblock says "
                         f"{stat.block_count}: truncated dump")
    return ImageStore(lfs, label, folder), where


def open_image(image: Path, nvram_path: Path, escrow: Path) -> Source:
    identity, key = load_escrow(escrow)
    geo = flash_geometry(identity)
    nvram = _nvram(nvram_path, identity)
    data = _read_file(image, "the flash image")
    store, where = mount_image(bytes(data), geo, str(image))
    escrow_dir = escrow / device.ESCROW_DIR if (escrow / device.ESCROW_DIR / device.DEVICE_FILE).exists() else escrow
    reader = _reader(store, nvram, key, identity, str(image), escrow_dir)
    return Source(reader, identity, "image", str(image), f"flash image {image} ({where}) + NVRAM {nvram_path}",
                  _device_id(identity, escrow), {"geometry": geo})


def open_source(device_dir: Path | None = None, image: Path | None = None, nvram: Path | None = None,
                escrow: Path | None = None) -> Source:
    """DEVICE_DIR, or --image with --nvram and --escrow (never both)."""
    if image is not None or nvram is not None or escrow is not None:
        if device_dir is not None:
            raise UsageError("give either DEVICE_DIR or --image/--nvram/--escrow, not both")
        missing = [opt for opt, value in (("--image", image), ("--nvram", nvram), ("--escrow", escrow))
                   if value is None]
        if missing:
            raise UsageError(f"reading a raw flash dump needs --image, --nvram and --escrow (missing "
                             f"{', '.join(missing)})")
        assert image is not None and nvram is not None and escrow is not None
        return open_image(image, nvram, escrow)
    if device_dir is None:
        raise UsageError("give a DEVICE_DIR, or --image FLASH.img --nvram NVRAM.bin --escrow DIR")
    return open_folder(device_dir)


def as_source(value) -> Source:
    return value if isinstance(value, Source) else open_folder(Path(value))


# ---------------------------------------------------------------- progress

class _NoProgress:
    def advance(self, n: int = 1) -> None:
        pass

    def finish(self, total: int) -> None:
        pass


class _RichProgress:
    def __init__(self, progress, task):
        self.progress = progress
        self.task = task

    def advance(self, n: int = 1) -> None:
        self.progress.advance(self.task, n)

    def finish(self, total: int) -> None:
        self.progress.update(self.task, total=total, completed=total)


@contextlib.contextmanager
def progress(description: str, total_fn):
    """A rich progress bar on stderr, only when stderr is a terminal; total_fn()
    gives its (estimated) total and is not called otherwise."""
    stream = sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        yield _NoProgress()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=Console(file=stream), transient=True)
    with bar:
        yield _RichProgress(bar, bar.add_task(description, total=total_fn()))
