"""Each reference board's manifest.py freezes every firmware module the board
runs (the import closure of its main.py, board.py and boot.py), nothing the
board never imports on MicroPython (the CPython HAL, littlefs-python, another
board), and needs nothing from micropython-lib: the manifests are executed
with stand-ins for MicroPython's manifest functions."""
from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from hcdaudit_host import deploy

REPO = Path(__file__).resolve().parents[2]
FIRMWARE = REPO / "firmware"
BOARDS = ("esp32s3", "rp2040", "stm32")
# Imported only on CPython (guarded by the runtime): never frozen, not followed.
CPYTHON_ONLY = {"hcdaudit.hal.cpython", "boards.host.flash_cpython", "boards.common.volume_cpython"}
# Modules built into the esp32, rp2 and stm32 ports (no micropython-lib package needed) ...
PORT_BUILTINS = {"micropython", "struct", "os", "sys", "time", "json", "hashlib", "binascii", "socket", "array",
                 "select", "uselect", "cryptolib", "tls", "vfs", "machine", "esp32", "rp2", "stm", "uctypes",
                 "network", "gc"}
# ... and what only CPython branches import (top-level names).
CPYTHON_IMPORTS = {"ssl", "tempfile", "littlefs", "cryptography", "hmac"}


class Manifest:
    """The manifest functions of micropython/tools/manifestfile.py, recording what is frozen."""

    def __init__(self):
        self.frozen: dict[str, Path] = {}      # module name -> source file
        self.calls: list[tuple] = []
        self.required: list[str] = []

    def run(self, path: Path, **options):
        class Options:
            def __init__(self, values):
                self.__dict__.update(values)

            def defaults(self, **values):
                for key, value in values.items():
                    self.__dict__.setdefault(key, value)

        env = {"include": lambda p, **kw: self.include(path.parent, p, **kw),
               "require": lambda name, **kw: self.required.append(name),
               "package": lambda *a, **kw: self.package(path.parent, *a, **kw),
               "module": lambda *a, **kw: self.module(path.parent, *a, **kw),
               "metadata": lambda **kw: None, "options": Options(options)}
        cwd = os.getcwd()
        os.chdir(path.parent)           # as manifestfile.py does: paths are relative to the manifest
        try:
            exec(compile(path.read_text(), str(path), "exec"), env)
        finally:
            os.chdir(cwd)

    def include(self, here: Path, target: str, **options):
        self.calls.append(("include", target))
        if target.startswith("$("):
            return                     # the port's own manifest: built with the port
        self.run((here / target).resolve(), **options)

    def package(self, here: Path, name: str, files=None, base_path=".", opt=None):
        self.calls.append(("package", name))
        base = (here / base_path).resolve()
        assert files is not None, "freeze an explicit file list"
        for f in files:
            src = base / name / f
            assert src.is_file(), src
            module = (name + "/" + f[:-3]).replace("/", ".")
            self.frozen[module.removesuffix(".__init__")] = src

    def module(self, here: Path, path: str, base_path="."):
        self.calls.append(("module", path))
        self.frozen[path[:-3].replace("/", ".")] = (here / base_path / path).resolve()


def source_of(module: str) -> Path | None:
    return deploy.module_source(module)


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert not node.level, f"{path}: relative import"
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def closure(entries: list[Path]) -> tuple[set[str], set[str]]:
    """(repository modules, external modules) the entry files import, transitively."""
    repo, external, seen = set(), set(), set()
    pending = list(entries)
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imports(path):
            if name.split(".")[0] not in ("hcdaudit", "boards"):
                external.add(name.split(".")[0])
                continue
            parts = name.split(".")
            for i in range(1, len(parts) + 1):          # the module and its parent packages
                module = ".".join(parts[:i])
                if module in CPYTHON_ONLY:
                    break
                src = source_of(module)
                if src is not None:
                    repo.add(module)
                    pending.append(src)
    return repo, external


@pytest.mark.parametrize("board", BOARDS)
def test_manifest_freezes_every_module_the_board_imports(board):
    folder = REPO / "boards" / board
    manifest = Manifest()
    manifest.run(folder / "manifest.py")
    assert manifest.calls[0] == ("include", "$(PORT_DIR)/boards/manifest.py")
    assert manifest.required == []
    entries = [folder / n for n in ("main.py", "board.py", "boot.py") if (folder / n).is_file()]
    needed, external = closure(entries)
    missing = sorted(needed - set(manifest.frozen))
    assert not missing, f"{board}: imported but not frozen: {missing}"
    assert not set(manifest.frozen) & CPYTHON_ONLY
    others = [m for m in manifest.frozen if m.split(".")[:2] in (["boards", b] for b in BOARDS if b != board)]
    assert not others, others
    unknown = sorted(m for m in external if m not in PORT_BUILTINS | CPYTHON_IMPORTS)
    assert not unknown, f"{board}: imports needing micropython-lib or absent on the port: {unknown}"
    for module, src in manifest.frozen.items():
        assert src.is_file(), (module, src)


@pytest.mark.parametrize("board", BOARDS)
def test_the_frozen_board_module_is_this_boards(board):
    manifest = Manifest()
    manifest.run(REPO / "boards" / board / "manifest.py")
    assert f"boards.{board}.board" in manifest.frozen
    assert f"boards.{board}.main" not in manifest.frozen            # run from the filesystem
    assert "hcdaudit.audit" in manifest.frozen and "hcdaudit.hal.micropython" in manifest.frozen


def test_a_manifest_that_forgets_a_module_is_caught():
    manifest = Manifest()
    manifest.run(REPO / "boards" / "rp2040" / "manifest.py")
    del manifest.frozen["boards.common.spi_nor"]
    needed, _ = closure([REPO / "boards" / "stm32" / "board.py"])
    assert "boards.common.spi_nor" in needed - set(manifest.frozen)
