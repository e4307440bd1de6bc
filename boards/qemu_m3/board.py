# MicroPython's bare-metal qemu port on MPS2-AN385 (a Cortex-M3 under
# qemu-system-arm), built with boards/qemu_m3/port: the emulated stand-in for
# a dev board. Its parts (the C module qemu_m3): NV memory for the ring in a
# host file (FRAM-like: bytes commit as written) or, without a file, in the
# board's spare SRAM; littlefs on a NOR flash in a host file (kept across
# power cuts) or in the spare SRAM; a wall clock QEMU starts at the host's
# time; os.urandom from host-injected entropy (the emulator has no TRNG). No
# network stack: delivery runs over the in-memory and file transports only.
# The board contract: see boards/esp32s3/board.py.
from boards.common import bundle, mcu

PROFILE = "qemu_m3"
ROOT = "/hcdaudit-data"
STORE_DIR = ROOT + "/store"
LIB_DIR = "/lib"
BOOT_DIR = "/"
PROG_SIZE = 32
NVRAM_OFFSET = 0x1000           # in the spare SRAM: after the power-on page
FLASH_OFFSET = 0x10000          # the RAM flash: the rest of the 4 MiB but its last 256 KiB,
SCRATCH_BLOCKS = 64             # a second RAM flash for a harness's own mount (tests/mcu/heap.py)
NVRAM_FILE = None               # host files, set by the harness (tests/mcu) before boot
FLASH_FILE = None


def _geometry():
    from boards import profiles
    return profiles.profile(PROFILE)["flash"]


def open_flash(path=None):
    """The root filesystem's NOR flash: a host file if `path`, else the spare SRAM."""
    import qemu_m3
    geometry = _geometry()
    if path is not None:
        return qemu_m3.HostFlash(path, geometry["block_size"], geometry["block_count"], PROG_SIZE)
    count = (qemu_m3.RAM_SIZE - FLASH_OFFSET) // geometry["block_size"] - SCRATCH_BLOCKS
    return qemu_m3.RamFlash(FLASH_OFFSET, geometry["block_size"], count)


def open_scratch_flash():
    """The spare SRAM's last 256 KiB as a second NOR flash."""
    import qemu_m3
    size = _geometry()["block_size"]
    return qemu_m3.RamFlash(qemu_m3.RAM_SIZE - SCRATCH_BLOCKS * size, size, SCRATCH_BLOCKS)


class Hardware:
    def make_nvram(self):
        import qemu_m3

        from boards.common.nvregion import MemoryNvram
        size = mcu.region_size(PROFILE)
        if NVRAM_FILE is not None:
            return qemu_m3.HostMemory(NVRAM_FILE, size)
        return MemoryNvram(qemu_m3.ram(NVRAM_OFFSET, size))


_hardware = []


def _parts(peripherals):
    return mcu.parts(peripherals, _hardware, Hardware)


def open_nvram(peripherals=None):
    return mcu.part(_parts(peripherals), "nvram")


def open_volume(peripherals=None):
    return mcu.volume(_parts(peripherals), PROFILE,
                      lambda p, geometry: mcu.port_volume(p, geometry, "the root flash (boards/qemu_m3/boot.py)"))


def open_board(peripherals=None, clock=None, random=None):
    p = _parts(peripherals)
    return mcu.open_board(PROFILE, ROOT, open_nvram(p), open_volume(p), clock, random)


def master_key(peripherals=None):
    """ROOT/master.key on the flash: the emulated board has no secure storage."""
    return bundle.load_master_key(open_volume(_parts(peripherals)).dir(ROOT))


def connect_network(settings, peripherals=None, timeout_s=30):
    raise bundle.DeviceError("the emulated board has no network stack")


def set_clock(unix_us, peripherals=None):
    import qemu_m3
    qemu_m3.set_time_ns(unix_us * 1000)
