"""Builds the emulated board's firmware (MicroPython's qemu port from
third_party/micropython, untouched, with boards/qemu_m3/port) and ROMFS
images, cached under build/mcu/ keyed on their inputs: a second run with
nothing changed rebuilds nothing. A second variant, frozen_firmware(), has
Python modules frozen into its flash as bytecode (a generated manifest;
tests/mcu/full_path.py), as a board's release build ships the firmware.
    python tests/mcu/build.py        # prints the firmware's path and size"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PORT = ROOT / "third_party/micropython/ports/qemu"
BOARD_PORT = ROOT / "boards/qemu_m3/port"
CACHE = ROOT / "build/mcu"
# What the firmware's C build reads (the whole vendored tree is hashed:
# ~650 files, a few ms).
FIRMWARE_INPUTS = (ROOT / "third_party/micropython", BOARD_PORT, Path(__file__))
TOOLS = ("qemu-system-arm", "arm-none-eabi-gcc")
DEBIAN_PACKAGES = "qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi"
MARCH = "armv7m"        # the native modules' machine code (boards/qemu_m3/port: MPY_CROSS_FLAGS)


class ToolMissing(RuntimeError):
    pass


def check_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise ToolMissing(f"{', '.join(missing)} not found: apt-get install {DEBIAN_PACKAGES}")


def _digest(paths, extra: bytes = b"") -> str:
    h = hashlib.sha256(extra)
    for base in paths:
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in files:
            h.update(str(path.relative_to(ROOT)).encode() + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _tools_version() -> bytes:
    return subprocess.run(["arm-none-eabi-gcc", "--version"], capture_output=True, text=True).stdout.encode()


def _make_firmware(elf: Path, obj: Path, *make_vars: str) -> Path:
    """Run the port's make into `obj`, copy its firmware.elf to `elf` (the
    cache's older builds of the same name dropped)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(obj, ignore_errors=True)
    started = time.monotonic()
    jobs = str(min(2, os.cpu_count() or 1))
    # No __pycache__ in the vendored tree: its files are the build's cache key.
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(["make", "-C", str(PORT), "-j", jobs, "BOARD=QEMU_M3", f"BOARD_DIR={BOARD_PORT}",
                           f"BUILD={obj}", *make_vars], capture_output=True, text=True, env=env)
    if proc.returncode:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise RuntimeError("the firmware build failed (output above)")
    prefix = elf.name.rsplit("-", 1)[0]
    for old in CACHE.glob(f"{prefix}-*.elf"):
        old.unlink()
    shutil.copy(obj / "firmware.elf", elf)
    (CACHE / f"{prefix}-build-seconds.txt").write_text(f"{time.monotonic() - started:.1f}\n")
    return elf


def firmware() -> Path:
    """build/mcu/firmware-<inputs>.elf, built if absent."""
    check_tools()
    elf = CACHE / f"firmware-{_digest(FIRMWARE_INPUTS, _tools_version())}.elf"
    if elf.exists():
        return elf
    return _make_firmware(elf, CACHE / "obj")


def mpy_cross() -> Path:
    """The vendored mpy-cross (the bytecode format of the vendored VM), built
    under build/mcu/mpy-cross-<its sources>/ rather than in the vendored tree."""
    source = ROOT / "third_party/micropython"
    obj = CACHE / f"mpy-cross-{_digest((source / 'py', source / 'mpy-cross'))}"
    tool = obj / "mpy-cross"
    if tool.exists():
        return tool
    CACHE.mkdir(parents=True, exist_ok=True)
    for old in CACHE.glob("mpy-cross*"):
        shutil.rmtree(old, ignore_errors=True)
    proc = subprocess.run(["make", "-C", str(ROOT / "third_party/micropython/mpy-cross"), "-j",
                           str(min(2, os.cpu_count() or 1)), f"BUILD={obj}"], capture_output=True, text=True,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    if proc.returncode or not tool.exists():
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise RuntimeError("building mpy-cross failed (output above)")
    return tool


def frozen_manifest(files: dict[str, Path], folder: Path) -> Path:
    """A MicroPython manifest freezing `files` ({module path: source}), one
    freeze() per source root so that each module keeps its path as its name.
    The port's MPY_CROSS_FLAGS (-march=armv7m) compile hal/native.py's viper
    functions to Thumb-2 machine code, frozen beside the bytecode."""
    roots: dict[Path, list[str]] = {}
    for image_path, src in sorted(files.items()):
        root = src
        for _ in image_path.split("/"):
            root = root.parent
        if root / image_path != src:
            raise ValueError(f"{src} is not at {image_path} under a folder")
        roots.setdefault(root, []).append(image_path)
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["# Generated by tests/mcu/build.py frozen_firmware(): the modules frozen into the firmware."]
    lines += [f"freeze({str(root)!r}, {tuple(paths)!r})" for root, paths in roots.items()]
    manifest = folder / "manifest.py"
    manifest.write_text("\n".join(lines) + "\n")
    # The port's make checks for micropython-lib (not vendored) before freezing,
    # though a manifest without require() never reads it: this folder stands in.
    (folder / "README.md").write_text("Stands in for micropython-lib: the manifest requires nothing from it.\n")
    return manifest


def frozen_firmware(files: dict[str, Path]) -> Path:
    """build/mcu/frozen-<inputs>.elf: the firmware with `files` ({module path:
    source}) frozen as bytecode in its flash image (MicroPython's manifest,
    FROZEN_MANIFEST), built if absent. Keyed on the C build's inputs and on the
    frozen files' names and contents."""
    check_tools()
    listing = b"".join(name.encode() + b"\0" + src.read_bytes() for name, src in sorted(files.items()))
    key = _digest(FIRMWARE_INPUTS, _tools_version() + b"frozen\0" + listing)
    elf = CACHE / f"frozen-{key}.elf"
    if elf.exists():
        return elf
    tool = mpy_cross()
    manifest = frozen_manifest(files, CACHE / "frozen-manifest")
    return _make_firmware(elf, CACHE / "obj-frozen", f"FROZEN_MANIFEST={manifest}", f"MPY_LIB_DIR={manifest.parent}",
                          f"MICROPY_MPYCROSS={tool}")


def firmware_size(elf: Path) -> dict:
    """text/data/bss of the image (arm-none-eabi-size)."""
    out = subprocess.run(["arm-none-eabi-size", str(elf)], capture_output=True, text=True, check=True).stdout
    text, data, bss = (int(v) for v in out.splitlines()[1].split()[:3])
    return {"text": text, "data": data, "bss": bss, "flash": text + data}


def romfs(name: str, files: dict[str, Path]) -> Path:
    """build/mcu/<name>-<inputs>.romfs: `files` ({path in the image: source})
    compiled to .mpy and packed (tests/romfs_image.py), built if absent."""
    sys.path.insert(0, str(ROOT / "tests"))
    import romfs_image
    h = hashlib.sha256()
    for image_path in sorted(files):
        h.update(image_path.encode() + b"\0" + files[image_path].read_bytes())
    h.update(Path(romfs_image.__file__).read_bytes() + MARCH.encode())
    image = CACHE / f"{name}-{h.hexdigest()[:16]}.romfs"
    if image.exists():
        return image
    CACHE.mkdir(parents=True, exist_ok=True)
    data = romfs_image.build(files, MARCH)
    for old in CACHE.glob(f"{name}-*.romfs"):
        old.unlink()
    tmp = image.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(image)
    return image


def firmware_files() -> dict[str, Path]:
    """The firmware as the board's ROMFS holds it: the hcdaudit package, the
    boards package with every board's wiring (the tests exercise them all over
    simulated peripherals) and the host board's parts."""
    sys.path.insert(0, str(ROOT / "tests"))
    import romfs_image
    files = romfs_image.package_files("qemu_m3")
    for board in sorted(p.parent.name for p in (ROOT / "boards").glob("*/board.py")):
        for src in sorted((ROOT / "boards" / board).glob("*.py")):
            if src.name not in romfs_image.CPYTHON_ONLY:
                files[str(src.relative_to(ROOT))] = src
    return files


if __name__ == "__main__":
    started = time.monotonic()
    elf = firmware()
    print(f"{elf} {firmware_size(elf)} ({time.monotonic() - started:.1f} s)")
