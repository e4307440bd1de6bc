"""Host tools for hcdaudit: provision, simulate, export and verify audit logs.

The firmware (`hcdaudit`) and the board support (`boards`) are device code: in a
checkout they are the repository's firmware/ and boards/; an installed package
carries both inside itself, in device_lib/ (never as top-level packages of
site-packages). Importing this package puts that folder on sys.path, so the
host tools, the simulator and a controller's own CPython program import them
as the device does."""
from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
if (_HERE / "device_lib" / "boards").is_dir():
    FIRMWARE_DIR = BOARDS_DIR = _HERE / "device_lib"     # installed from a wheel or `pip install .`
else:
    BOARDS_DIR = _HERE.parents[1]                         # a checkout (or `pip install -e .`)
    FIRMWARE_DIR = BOARDS_DIR / "firmware"
"""FIRMWARE_DIR holds the `hcdaudit` package, BOARDS_DIR the `boards` package."""
for _path in (str(FIRMWARE_DIR), str(BOARDS_DIR)):
    if _path not in sys.path:
        sys.path.append(_path)


def _version() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version
        return version("hcdaudit")
    except PackageNotFoundError:
        from hcdaudit import VERSION
        return VERSION


def __getattr__(name: str) -> str:
    # The version is looked up when asked for: importlib.metadata costs every
    # command ~30 ms of start-up, and only --version needs it.
    if name == "__version__":
        value = globals()["__version__"] = _version()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
