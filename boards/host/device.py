# A host-board device folder, as `hcdaudit provision` makes it:
#   device.json   identity and geometry (public)
#   master.key    the 256-bit master key (mode 0600 on the host)
#   nvram.bin     the NVRAM region, exactly ring.region_size() bytes
#   store/        segment files
# Readable by both runtimes, so the simulator can run the firmware under either.
import json
import os

from boards.host.board import Board
from boards.host.dirfs import DirFs
from boards.host.memory import FileNvram

DEVICE_FILE = "device.json"
KEY_FILE = "master.key"
NVRAM_FILE = "nvram.bin"
STORE_DIR = "store"


class DeviceError(Exception):
    pass


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def load_identity(device_dir):
    path = device_dir + "/" + DEVICE_FILE
    if not _exists(path):
        raise DeviceError("%s is not a device folder (no %s)" % (device_dir, DEVICE_FILE))
    try:
        with open(path) as f:
            identity = json.load(f)
    except ValueError:
        raise DeviceError("%s is not valid JSON" % path)
    for field in ("name", "serial", "slot_count", "slot_size", "store_cap"):
        if field not in identity:
            raise DeviceError("%s lacks '%s'" % (path, field))
    return identity


def load_master_key(device_dir):
    path = device_dir + "/" + KEY_FILE
    try:
        with open(path, "rb") as f:
            key = f.read()
    except OSError:
        raise DeviceError("cannot read the master key %s" % path)
    if len(key) != 32:
        raise DeviceError("%s must hold 32 bytes, it holds %d" % (path, len(key)))
    return key


def open_board(device_dir, nvram=None, fs=None, clock=None, random=None):
    """The host board over a device folder. nvram / fs may be wrapped by the caller."""
    identity = load_identity(device_dir)
    if nvram is None:
        path = device_dir + "/" + NVRAM_FILE
        if not _exists(path):
            raise DeviceError("missing NVRAM file %s" % path)
        nvram = FileNvram(path)
    if fs is None:
        fs = DirFs(device_dir + "/" + STORE_DIR)
    return Board(nvram, fs, identity["slot_count"], identity["slot_size"], identity["store_cap"],
                 clock=clock, random=random), identity
