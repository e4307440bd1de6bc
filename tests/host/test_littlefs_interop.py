"""A store written by the firmware under MicroPython, on littlefs (vfs.VfsLfs2 over
a file-backed flash image, as on a board), read back on the host with littlefs-python."""
from __future__ import annotations

from littlefs import LittleFS, UserContext

from boards.host.flash_cpython import LittleFsStore
from boards.host.memory import RamNvram
from hcdaudit.hal import cpython as hal
from hcdaudit.reader import Reader

from conftest import run_cpython, run_micropython

WRITER = """
import sys
import support
from boards.host import flash
from boards.host.board import Board
from boards.host.memory import FileBlockDevice, RamNvram
from hcdaudit import ring
from hcdaudit.audit import AuditLog
image, nvram_path = sys.argv[1], sys.argv[2]
FileBlockDevice.create(image, 4096, 48)
bdev = FileBlockDevice(image, 4096)
fs = flash.mount(bdev, format=True)
nv = RamNvram(ring.region_size(50, 512))
log = AuditLog(Board(nv, fs, clock=support.FakeClock(), random=support.FakeRandom()), support.MASTER_KEY)
log.boot()
for i in range(129):
    log.log("print_job", subject="user%d" % (i % 9), file_name="scan-%03d.pdf" % i)
fs.unmount()
bdev.close()
with open(nvram_path, "wb") as f:
    f.write(nv.buf)
print(log.store.count, log.in_nvram)
"""


def test_image_written_under_micropython_reads_back_with_littlefs_python(tmp_path):
    image, nvram = tmp_path / "flash.img", tmp_path / "nvram.bin"
    out = run_micropython(WRITER, str(image), str(nvram)).stdout.split()
    assert out == ["100", "30"]
    # block_count=0: littlefs-python finds the geometry in the superblock, as a host reading a dump must.
    lfs = LittleFS(context=UserContext(buffer=bytearray(image.read_bytes())), block_size=4096, block_count=0)
    assert sorted(lfs.listdir("/")) == ["0000000001.seg", "0000000051.seg"]
    nv = nvram.read_bytes()
    import support   # noqa: F401  (tests/firmware: MASTER_KEY)
    reader = Reader(LittleFsStore(lfs), RamNvram(len(nv), nv), support.MASTER_KEY, 50, 512, hal.Aes)
    records = list(reader.records())
    assert reader.report.intact()
    assert [r["seq"] for r in records] == list(range(1, 131))
    assert reader.report.in_store == 100 and reader.report.in_nvram == 30


READER = """
import sys
import support
from boards.host import flash
from boards.host.memory import FileBlockDevice, RamNvram
from hcdaudit.hal import micropython as hal
from hcdaudit.reader import Reader
image, nvram_path = sys.argv[1], sys.argv[2]
with open(nvram_path, "rb") as f:
    nv = f.read()
fs = flash.mount(FileBlockDevice(image, 4096))
reader = Reader(fs, RamNvram(len(nv), nv), support.MASTER_KEY, 50, 512, hal.Aes)
seqs = [r["seq"] for r in reader.records()]
print(len(seqs), seqs[0], seqs[-1], reader.report.intact(), reader.report.in_store, reader.report.in_nvram)
"""


def test_image_written_by_littlefs_python_reads_back_under_micropython(tmp_path):
    """The other way: the host's littlefs-python (a whole-block cache, a device-wide
    lookahead, VfsLfs2's inline size) writes what VfsLfs2 mounts and reads."""
    image, nvram = tmp_path / "flash.img", tmp_path / "nvram.bin"
    assert run_cpython(WRITER, str(image), str(nvram)).stdout.split() == ["100", "30"]
    out = run_micropython(READER, str(image), str(nvram)).stdout.split()
    assert out == ["130", "1", "130", "True", "100", "30"]
