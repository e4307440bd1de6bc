"""Builds the emulated board's firmware (MicroPython's qemu port from
third_party/micropython, untouched, with boards/qemu_m3/port) and ROMFS
images, cached under build/mcu/ keyed on their inputs: a second run with
nothing changed rebuilds nothing.
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


def firmware() -> Path:
    """build/mcu/firmware-<inputs>.elf, built if absent."""
    check_tools()
    tools = subprocess.run(["arm-none-eabi-gcc", "--version"], capture_output=True, text=True).stdout
    key = _digest(FIRMWARE_INPUTS, tools.encode())
    elf = CACHE / f"firmware-{key}.elf"
    if elf.exists():
        return elf
    CACHE.mkdir(parents=True, exist_ok=True)
    obj = CACHE / "obj"
    shutil.rmtree(obj, ignore_errors=True)
    started = time.monotonic()
    jobs = str(min(2, os.cpu_count() or 1))
    proc = subprocess.run(["make", "-C", str(PORT), "-j", jobs, "BOARD=QEMU_M3", f"BOARD_DIR={BOARD_PORT}",
                           f"BUILD={obj}"], capture_output=True, text=True)
    if proc.returncode:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise RuntimeError("the firmware build failed (output above)")
    for old in CACHE.glob("firmware-*.elf"):
        old.unlink()
    shutil.copy(obj / "firmware.elf", elf)
    (CACHE / "build-seconds.txt").write_text(f"{time.monotonic() - started:.1f}\n")
    return elf


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
