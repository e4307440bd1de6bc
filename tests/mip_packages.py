# The mip packages (`mpremote mip install`, or `mip.install()` on a board):
#   package.json                 the firmware and the board support all boards share
#   boards/<board>/package.json  the board's own modules (host: the unix port's board over a device folder)
# Their file lists follow boards/manifest_common.py (what a frozen image holds):
# everything but the CPython-only modules and the manifests. URLs are relative
# to each package.json, so the same files install from the repository URL, a
# local checkout or any HTTP server holding the tree.
#   python tests/mip_packages.py          check them (exit 1 if stale)
#   python tests/mip_packages.py --write  regenerate them
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "firmware"))
from hcdaudit import VERSION  # noqa: E402

BOARDS = ("esp32s3", "rp2040", "stm32", "host")     # host: the MicroPython unix port over a device folder
IN_CORE = ("__init__.py", "dirfs.py")                 # boards/host modules every board uses
NOT_INSTALLED = ("manifest.py",)


def _sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts and not cpython_only(p))


def cpython_only(path: Path) -> bool:
    return path.name == "cpython.py" or path.name.endswith("_cpython.py")


def core() -> dict:
    firmware = ROOT / "firmware"
    urls = [[p.relative_to(firmware).as_posix(), p.relative_to(ROOT).as_posix()]
            for p in _sources(firmware / "hcdaudit")]
    shared = [ROOT / "boards/__init__.py", ROOT / "boards/profiles.py", ROOT / "boards/host/__init__.py",
              ROOT / "boards/host/dirfs.py"] + _sources(ROOT / "boards/common")
    urls += [[p.relative_to(ROOT).as_posix()] * 2 for p in shared]
    return {"version": VERSION, "urls": urls}


def board(name: str) -> dict:
    folder = ROOT / "boards" / name
    urls = [[p.relative_to(ROOT).as_posix(), p.name] for p in _sources(folder)
            if p.name not in NOT_INSTALLED and not (name == "host" and p.name in IN_CORE)]
    return {"version": VERSION, "urls": urls}


def expected() -> dict[Path, str]:
    files = {ROOT / "package.json": core()}
    files.update({ROOT / "boards" / name / "package.json": board(name) for name in BOARDS})
    return {path: _format(content) for path, content in files.items()}


def _format(package: dict) -> str:
    """One file a line, for readable diffs."""
    urls = ",\n    ".join(json.dumps(pair) for pair in package["urls"])
    return '{\n  "version": %s,\n  "urls": [\n    %s\n  ]\n}\n' % (json.dumps(package["version"]), urls)


def main(argv: list[str]) -> int:
    stale = [path for path, text in expected().items() if not path.is_file() or path.read_text() != text]
    if "--write" in argv:
        for path, text in expected().items():
            path.write_text(text)
        return 0
    for path in stale:
        print(f"{path.relative_to(ROOT)} is stale: run python tests/mip_packages.py --write")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
