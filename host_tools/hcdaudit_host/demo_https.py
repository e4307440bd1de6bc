"""The demo's HTTPS export step: a third simulated device serves its own admin
export over TLS on 127.0.0.1; a pull with a wrong password is refused (and
audited), the right one fetches the sealed records, which `verify store` checks."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .provision import provision
from .pull import PullError
from .pull_https import fetch
from .verify_store import verify

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-admin-password"


def run(workdir: Path) -> tuple[bool, str]:
    """(ok, one summary line)."""
    device, pulled = workdir / "mfd-3", workdir / "mfd-3-pulled"
    provision(device, "mfd-lab-3", "DEMO000003", admin_password=PASSWORD)
    pulled.mkdir()
    shutil.copytree(device / "escrow", pulled / "escrow")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "firmware"), str(ROOT / "host_tools")]))
    proc = subprocess.Popen([sys.executable, "-m", "hcdaudit_host.cli", "sim", str(device), "--events", "300",
                             "--https", "127.0.0.1:0", "--duration", "60", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None          # stdout=PIPE
    try:
        port = int(proc.stdout.readline().rsplit(":", 1)[1])
        proc.stdout.readline()                      # idle after the day
        url = f"https://127.0.0.1:{port}"
        try:
            fetch(url, pulled, "admin", "wrong-password")
            refused = "NOT refused"
        except PullError as exc:
            refused = "refused" if "sign-in" in str(exc) else f"failed otherwise ({exc})"
        summary = fetch(url, pulled, "admin", PASSWORD)
    except (OSError, ValueError, PullError) as exc:
        return False, f"https   the device's own HTTPS export failed: {exc}"
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    report = verify(pulled, workdir / "host-state", remember=False)
    ok = refused == "refused" and report.intact()
    return ok, (f"https   mfd-3's own admin export (TLS, pinned cert): wrong password {refused} and audited; "
                f"the right one pulled {summary['files']} segment files + NVRAM, verify store "
                f"{'intact' if report.intact() else 'FAILED'}: {report.verified:,} records authenticated")
