# littlefs on a block device, as the store filesystem, on either runtime:
# MicroPython mounts it with vfs.VfsLfs2 (as the boards do); CPython drives the
# same on-disk format through littlefs-python. Both give a DirFs-like object.
import sys

# Reads in 256-byte pieces (a 1 KiB cache): each read through the Python block
# device costs a call and a system call, and littlefs scans its metadata and
# its files' block lists in cache-sized reads (32-byte reads took ~8x as many
# calls per flush). Programs stay at 32 bytes: what littlefs pads a commit to.
# A lookahead of 64 bytes maps 512 blocks (a 2 MiB partition) per scan.
READ_SIZE = 256
PROG_SIZE = 32
LOOKAHEAD = 64
_mounts = [0]


def cache_size(block_size=4096):
    """littlefs's cache as MicroPython's VfsLfs2 sizes it (4 x max(read, prog), at
    most a block): littlefs-python then reads and programs in the same pieces."""
    return min(block_size, 4 * max(READ_SIZE, PROG_SIZE))


def inline_max(block_size=4096):
    """The largest inline file VfsLfs2's littlefs allows, as littlefs derives it
    when left to itself: the cache, at most its attribute limit (1022 B) and an
    eighth of a metadata block. littlefs-python is given it to write the same layout."""
    return min(cache_size(block_size), 1022, block_size // 8)


def mount(bdev, format=False):
    if sys.implementation.name == "micropython":
        return _mount_micropython(bdev, format)
    from boards.host.flash_cpython import mount_littlefs_python
    return mount_littlefs_python(bdev, format)


def _mount_micropython(bdev, format):
    import vfs

    from boards.host.dirfs import DirFs
    if format:
        vfs.VfsLfs2.mkfs(bdev, readsize=READ_SIZE, progsize=PROG_SIZE, lookahead=LOOKAHEAD)
    _mounts[0] += 1
    point = "/hcdaudit_flash%d" % _mounts[0]
    vfs.mount(vfs.VfsLfs2(bdev, readsize=READ_SIZE, progsize=PROG_SIZE, lookahead=LOOKAHEAD), point)
    fs = DirFs(point)
    fs.unmount = lambda: vfs.umount(point)
    return fs
