"""Invariant 7: for the same key, clock and events, MicroPython and CPython write
byte-identical NVRAM images and store segments."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_micropython

SCENARIO = """
import sys
import support
from boards.host.board import Board
from boards.host.dirfs import DirFs
from boards.host.memory import RamNvram
from hcdaudit import ring
from hcdaudit.audit import AuditLog
out = sys.argv[-1]
nv = RamNvram(ring.region_size(50, 512))
clock, random = support.FakeClock(), support.FakeRandom()
for boot in range(2):
    log = AuditLog(Board(nv, DirFs(out + "/store"), clock=clock, random=random), support.MASTER_KEY)
    log.boot()
    for i in range(70):
        log.log("print_job", subject="user%d" % i, interface="ipp", remote_host="192.0.2.%d" % i,
                file_name="Grüße-%d.pdf" % i)
with open(out + "/nvram.bin", "wb") as f:
    f.write(nv.buf)
"""


def _run_cpython(out: Path) -> None:
    code = f"import sys; sys.path[:0] = {[str(ROOT), str(ROOT / 'firmware'), str(ROOT / 'tests/firmware')]!r}\n"
    subprocess.run([sys.executable, "-c", code + SCENARIO, str(out)], check=True, timeout=120)


def test_nvram_and_segments_are_byte_identical_on_both_runtimes(tmp_path):
    images = {}
    for runtime in ("cpython", "micropython"):
        out = tmp_path / runtime
        (out / "store").mkdir(parents=True)
        if runtime == "cpython":
            _run_cpython(out)
        else:
            run_micropython(SCENARIO, str(out))
        images[runtime] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert sorted(images["cpython"]) == ["nvram.bin", "store/0000000001.seg", "store/0000000051.seg"]
    assert images["cpython"] == images["micropython"]
