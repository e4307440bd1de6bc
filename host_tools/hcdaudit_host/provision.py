"""`hcdaudit provision`: create a host-board device folder."""
from __future__ import annotations

import json
import os
import secrets
import shutil
import uuid
from pathlib import Path

from boards.host import board, device
from hcdaudit import ring

from .errors import UsageError


def provision(device_dir: Path, name: str, serial: str, force: bool = False) -> dict:
    if device_dir.exists() and any(device_dir.iterdir()):
        if not force:
            raise UsageError(f"{device_dir} exists and is not empty; use --force to overwrite it")
        if not (device_dir / device.DEVICE_FILE).exists():
            raise UsageError(f"{device_dir} is not a device folder; refusing to delete it even with --force")
        shutil.rmtree(device_dir)
    device_dir.mkdir(parents=True, exist_ok=True)
    identity = {
        "name": name,
        "serial": serial,
        "uuid": f"urn:uuid:{uuid.uuid4()}",
        "board": "host",
        "slot_count": board.SLOT_COUNT,
        "slot_size": board.SLOT_SIZE,
        "store_cap": board.STORE_CAP,
    }
    (device_dir / device.DEVICE_FILE).write_text(json.dumps(identity, indent=2) + "\n")
    key_path = device_dir / device.KEY_FILE
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
    os.chmod(key_path, 0o600)
    (device_dir / device.NVRAM_FILE).write_bytes(bytes(ring.region_size(board.SLOT_COUNT, board.SLOT_SIZE)))
    (device_dir / device.STORE_DIR).mkdir()
    return identity
