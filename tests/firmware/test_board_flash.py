# The flash block device model (sim_flash.NorFlash: esp32.Partition, rp2.Flash)
# and the board volume on it: NOR program/erase semantics, power cuts that
# leave a torn program or a half-erased block, rp2's 256-byte programs, and
# littlefs formatted only when the flash is blank.
import sys

import support
from boards import profiles
from boards.common import volume
from sim_flash import NorFlash
from sim_power import Rail

RP2 = profiles.profile("rp2040")["flash"]
ESP32 = profiles.profile("esp32s3")["flash"]


def test_programming_only_clears_bits_and_erase_sets_them():
    flash = NorFlash(4096, 4)
    flash.program(10, b"\xf0\x0f")
    assert flash.read(10, 2) == b"\xf0\x0f" and not flash.corrupted
    flash.program(10, b"\x3c\x3c")                     # no erase between: old AND new
    assert flash.read(10, 2) == b"\x30\x0c" and flash.corrupted == 1
    flash.erase_range(0, 4096)
    assert flash.read(0, 4096) == b"\xff" * 4096


def test_a_power_cut_leaves_a_torn_program_or_a_half_erased_block():
    flash = NorFlash(4096, 2)
    flash.program(0, b"\x00" * 4096)
    rail = Rail(cut_at=1, torn=True)
    rail.add("flash", flash)
    flash.erase_range(0, 4096)
    image = rail.snapshot["flash"]
    assert image[:2048] == b"\xff" * 2048 and image[2048:4096] == b"\x00" * 2048
    rail = Rail(cut_at=1, torn=True)
    rail.add("flash", flash)
    flash.program(100, b"\x00" * 64)
    image = rail.snapshot["flash"]
    assert image[100:132] == b"\x00" * 32 and image[132:164] == b"\xff" * 32
    clean = Rail(cut_at=1, torn=False)
    clean.add("flash", flash)
    flash.program(200, b"\x00" * 8)
    assert clean.snapshot["flash"][200:208] == b"\xff" * 8


def test_rp2_flash_takes_only_whole_256_byte_pages():
    flash = NorFlash(4096, 4, prog_align=256)
    assert flash.writeblocks(0, b"\x00" * 32, 32) == -22
    assert flash.misaligned == 1 and flash.read(0, 64) == b"\xff" * 64
    assert flash.writeblocks(0, b"\x00" * 256, 256) == 0


def test_littlefs_with_the_rp2_geometry_programs_whole_pages_on_erased_flash():
    flash = NorFlash(4096, 16, prog_align=256)
    vol = volume.mount(flash, RP2)
    vol.makedirs("/hcdaudit-data/store")
    folder = vol.dir("/hcdaudit-data/store")
    for i in range(6):
        f = folder.open("%d.seg" % i, "wb")
        f.write(bytes([i]) * 3000)
        folder.commit(f)
    vol.unmount()
    assert flash.programs and not flash.misaligned and not flash.corrupted


def test_the_esp32_geometry_on_rp2_flash_is_refused_cleanly():
    # progsize 32 on a flash that programs whole pages: formatting fails, no crash
    flash = NorFlash(4096, 16, prog_align=256)
    exc = support.raises(volume.VolumeError, volume.mount, flash, ESP32)
    assert "formatting" in str(exc)


def test_a_blank_flash_is_formatted_once_then_mounted():
    flash = NorFlash(4096, 16)
    assert volume.is_blank(flash, 4096)
    vol = volume.mount(flash, ESP32)
    vol.makedirs("/hcdaudit-data")
    f = vol.dir("/hcdaudit-data").open("device.json", "wb")
    f.write(b"{}")
    vol.dir("/hcdaudit-data").commit(f)
    vol.unmount()
    assert not volume.is_blank(flash, 4096)
    vol = volume.mount(flash, ESP32)
    assert vol.exists("/hcdaudit-data/device.json") and "device.json" in vol.dir("/hcdaudit-data").listdir()
    vol.unmount()


def test_a_damaged_superblock_is_reported_and_left_alone():
    flash = NorFlash(4096, 16)
    vol = volume.mount(flash, ESP32)
    vol.unmount()
    flash.erase_range(0, 8192)
    flash.program(4096 + 8, b"\x00" * 64)            # both superblock copies gone, not blank
    image = flash.image()
    support.raises(volume.VolumeError, volume.mount, flash, ESP32)
    assert flash.image() == image


def test_a_root_that_is_not_littlefs_is_refused():
    if sys.implementation.name != "micropython":
        return                                       # the VFS is MicroPython's
    import vfs
    mounts = {point: fs for fs, point in vfs.mount()}
    root = mounts.get("/")
    if isinstance(root, vfs.VfsLfs2):     # a board's littlefs root (boards/qemu_m3): accepted; then
        assert volume.mounted_root() is not None        # its read-only ROMFS in its place is not
        vfs.umount("/")
        try:
            vfs.mount(mounts["/rom"], "/")
            exc = support.raises(volume.VolumeError, volume.mounted_root)
        finally:
            vfs.umount("/")
            vfs.mount(root, "/")
    else:
        exc = support.raises(volume.VolumeError, volume.mounted_root)    # the unix port's / is VfsPosix
    assert "not littlefs" in str(exc)
