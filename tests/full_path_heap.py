"""The whole device path (bench/full_path.py: boot over a store at its cap,
events with flushes and evictions, signed syslog delivered and drained) under
`micropython -X heapsize=...` with the firmware frozen in a ROMFS image
(tests/romfs_image.py). A heap is counted as tests/heap_budget.py counts a
board's budget: -X heapsize less the image itself and the qstr pools its
modules fill (both in flash on a board). Used by the bench
(`min_heap_kib_full_path_frozen`, bench/run.py) and by
tests/host/test_full_path_heap.py (a run at a board-sized budget)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import romfs_image  # noqa: E402

MICROPYTHON = str(Path(sys.executable).with_name("micropython"))
HARNESS = {"full_path.py": ROOT / "bench/full_path.py", "fakes.py": ROOT / "tests/firmware/fakes.py",
           "rfc5848_vectors.py": ROOT / "tests/firmware/rfc5848_vectors.py"}
# Every module the full path imports, so that the probe's qstr pools hold all of theirs.
MODULES = ("full_path, hcdaudit.audit, hcdaudit.sender, hcdaudit.signer, hcdaudit.syslog, hcdaudit.backlog, "
           "hcdaudit.cursor, hcdaudit.hal.net, hcdaudit.dsa, boards.host.flash, hcdaudit.hal.micropython, "
           "boards.host.dirfs, rfc5848_vectors")
HOST_MEMORIES = "boards.host.memory"     # the unix port's NVRAM file and block device (full_path._memories)


def fill_store(dest: Path, records: int = 15000) -> None:
    """In `dest` (made here): the NVRAM file and littlefs image of a store
    filled to `records` on CPython, every record delivered."""
    dest.mkdir()
    proc = subprocess.run([sys.executable, str(ROOT / "bench/full_path.py"), "prepare", str(dest), str(records)],
                          capture_output=True, text=True, cwd=ROOT, timeout=1800)
    if proc.returncode:
        raise RuntimeError("preparing the full store failed: " + proc.stderr.strip()[-300:])


class Setup:
    """The image and a store filled to its cap (prepared on CPython, all delivered), in `work`."""

    def __init__(self, work: Path, records: int = 15000):
        self.work = work
        self.image = work / "full-path.rom"
        self.image.write_bytes(romfs_image.build(romfs_image.package_files("host", HARNESS)))
        self.mount = romfs_image.mount_snippet(self.image, self.image.stat().st_size)
        self.filled = work / "full-path-filled"
        fill_store(self.filled, records)
        self.overhead = self._overhead()
        self._runs = 0

    def _overhead(self) -> int:
        """The image's heap (read into one buffer on the unix port) plus the qstr pools the modules fill."""
        probe = self.mount + ("import gc, micropython\ngc.collect()\nprint('image', gc.mem_alloc())\n"
                              f"micropython.qstr_info()\nimport {MODULES}, {HOST_MEMORIES}\nmicropython.qstr_info()\n")
        proc = subprocess.run([MICROPYTHON, "-X", "heapsize=4M", "-c", probe], capture_output=True, text=True,
                              cwd=ROOT, env=dict(os.environ, MICROPYPATH=""), timeout=120)
        lines = proc.stdout.splitlines()
        pools = [int(line.rsplit("n_total_bytes=", 1)[1]) for line in lines if line.startswith("qstr pool:")]
        image_heap = [int(line.split()[1]) for line in lines if line.startswith("image ")]
        if proc.returncode or len(pools) != 2 or not image_heap:
            raise RuntimeError("the frozen image does not import: " + proc.stderr.strip()[-300:])
        return image_heap[0] + pools[1] - pools[0]

    def run(self, kib: int, events: int) -> tuple[dict | None, str]:
        """(the run's figures, or None when it failed; its output) in a heap of `kib` KiB."""
        self._runs += 1
        device = self.work / f"full-path-{self._runs}"
        shutil.copytree(self.filled, device)
        code = self.mount + f"import full_path\nfull_path.main({str(device)!r}, {events})\n"
        try:
            proc = subprocess.run([MICROPYTHON, "-X", f"heapsize={kib * 1024 + self.overhead}", "-c", code],
                                  capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, MICROPYPATH=""),
                                  timeout=1800)
        finally:
            shutil.rmtree(device, ignore_errors=True)
        if proc.returncode:
            return None, proc.stdout + proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1]), proc.stderr
