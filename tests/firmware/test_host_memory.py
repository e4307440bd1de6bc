# The host board's file-backed memories (boards/host/memory.py): what a write
# is durable against (the simulator process dying: another reader of the file
# sees it at once, with no close, flush or fsync), and that the flash image is
# synced exactly when littlefs syncs (counted: each program is already durable).
import support
from boards.host import flash
from boards.host.memory import FileBlockDevice, FileNvram


def _host_files_only():
    # What these tests promise is about the host's own files (a process dying, the
    # OS page cache); on the MCU board /tmp is littlefs, which does not share one
    # file between two open handles.
    if support.ON_MCU:
        raise support.NotOnThisPort("the host simulator's memory files (a host OS file system)")


def _file_bytes(path, offset, n):
    with open(path, "rb") as f:      # another reader: what survives this process dying
        f.seek(offset)
        return f.read(n)


def test_an_nvram_write_is_in_the_file_when_write_returns():
    _host_files_only()
    path = support.tmpdir() + "/nvram.bin"
    FileNvram.create(path, 4096)
    nv = FileNvram(path)
    nv.write(1000, b"sealed record")
    assert _file_bytes(path, 1000, 13) == b"sealed record"
    buf = bytearray(13)
    nv.read_into(1000, buf)
    assert bytes(buf) == b"sealed record"
    support.raises(OSError, nv.write, 4090, b"beyond the end")
    support.raises(OSError, nv.read_into, 4090, bytearray(16))
    nv.close()
    again = FileNvram(path)
    again.read_into(1000, buf)
    assert bytes(buf) == b"sealed record" and again.size == 4096
    again.close()


def test_flash_programs_reach_the_file_at_once_and_sync_follows_littlefs():
    _host_files_only()
    path = support.tmpdir() + "/flash.img"
    FileBlockDevice.create(path, 4096, 32)
    bdev = FileBlockDevice(path, 4096)
    bdev.writeblocks(3, b"\x00" * 32, 64)
    assert _file_bytes(path, 3 * 4096 + 64, 33) == b"\x00" * 32 + b"\xff"
    bdev.erase(3)
    assert _file_bytes(path, 3 * 4096 + 64, 32) == b"\xff" * 32
    assert bdev.syncs == 0                  # programs and erases alone never sync
    fs = flash.mount(bdev, format=True)
    before = bdev.syncs
    f = fs.open("0000000001.seg", "wb")
    f.write(b"r" * 3000)
    fs.commit(f)
    assert bdev.syncs > before              # littlefs synced the commit: so did the device
    fs.unmount()
    reread = flash.mount(FileBlockDevice(path, 4096))
    f = reread.open("0000000001.seg", "rb")
    assert f.read() == b"r" * 3000
    f.close()
    reread.unmount()


def test_reads_in_any_order_return_what_was_written():
    path = support.tmpdir() + "/flash.img"
    FileBlockDevice.create(path, 512, 8)
    bdev = FileBlockDevice(path, 512)
    for block in (5, 1, 6):
        bdev.writeblocks(block, bytes([block]) * 512, 0)
    buf = bytearray(16)
    for block, offset in ((1, 0), (1, 16), (6, 500 - 4), (5, 0), (1, 496)):
        bdev.readblocks(block, buf, offset)
        assert bytes(buf) == bytes([block]) * 16
    bdev.close()
