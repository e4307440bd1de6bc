# The emulated board's boot (what a port's _boot.py does on a real board): the
# root littlefs at /, on the RAM flash (lost at power-off: scratch space such as
# the tests' /tmp) or on a host-file flash (kept across power cuts).
import os

import qemu_m3
import vfs

from boards.qemu_m3 import board


def mount_root(path=None):
    """Mount (formatting if blank) the root filesystem; its block device."""
    flash = board.open_flash(path)
    try:
        fs = vfs.VfsLfs2(flash, progsize=board.PROG_SIZE)
    except OSError:
        vfs.VfsLfs2.mkfs(flash, progsize=board.PROG_SIZE)
        fs = vfs.VfsLfs2(flash, progsize=board.PROG_SIZE)
    vfs.mount(fs, "/")
    for folder in ("/tmp",):
        try:
            os.mkdir(folder)
        except OSError:
            pass
    return flash


__all__ = ("mount_root", "qemu_m3")
