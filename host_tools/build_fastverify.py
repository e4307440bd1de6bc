"""Builds host_tools/hcdaudit_host/_fastverify (the verifier's per-record loops in C,
issue 20) in place, against this Python's headers and the system's libcrypto:
    python host_tools/build_fastverify.py [--optional]
Exits non-zero when it cannot (no C compiler, no OpenSSL headers: Debian's gcc and
libssl-dev), unless --optional: then it says so and the host tools verify on their
Python loops (hal/cpython.py), the same checks, slower. Rebuilds only when the
source is newer than the module."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent / "hcdaudit_host"
SOURCE = HERE / "_fastverify.c"
TARGET = HERE / ("_fastverify" + sysconfig.get_config_var("EXT_SUFFIX"))


def build() -> str | None:
    """None when built (or current), else why not."""
    if TARGET.exists() and TARGET.stat().st_mtime >= SOURCE.stat().st_mtime:
        return None
    compiler = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    # (libcrypto 3's low-level SHA256_* are deprecated, not removed: their copyable
    # state is what makes a per-entry HMAC cheap)
    cmd = compiler + ["-O2", "-fPIC", "-shared", "-Wall", "-Wextra", "-Werror", "-Wno-deprecated-declarations",
                      "-I" + sysconfig.get_paths()["include"], str(SOURCE), "-o", str(TARGET) + ".tmp", "-lcrypto"]
    try:
        proc = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=300)
    except OSError as exc:
        return f"{compiler[0]}: {exc}"
    if proc.returncode:
        return proc.stderr.strip()[-2000:] or "the compiler failed"
    os.replace(str(TARGET) + ".tmp", TARGET)
    return None


def main(argv: list[str]) -> int:
    problem = build()
    if problem is None:
        return 0
    print(f"build_fastverify: {SOURCE.name} not built (apt-get install gcc libssl-dev):\n{problem}",
          file=sys.stderr)
    if "--optional" in argv:
        print("build_fastverify: the host tools verify with their Python loops instead", file=sys.stderr)
        return 0
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
