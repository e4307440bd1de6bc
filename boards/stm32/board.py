# NUCLEO-F767ZI: the NVRAM ring's slots in an MB85RC256V FRAM on I2C1, its
# A/B header (the persistent boot counter and generation) in the 4 KiB backup
# SRAM, the store on littlefs on an external W25Q128 SPI NOR on SPI3 mounted
# at / (the internal flash filesystem is not power-safe), the master key
# sealed in the internal flash, Ethernet, RTC set by NTP.
# The board contract: see boards/esp32s3/board.py.
import os

from boards import profiles
from boards.common import keystore, mcu, ntp, volume
from boards.common.nvregion import MemoryNvram, Split
from boards.common.spi_nor import SpiNor
from boards.host.dirfs import DirFs
from hcdaudit import ring

PROFILE = "stm32"
ROOT = "/hcdaudit-data"         # not /hcdaudit: "" (the boot folder) is first on sys.path, and a
                                 # folder named like the package would shadow it as a namespace package
STORE_DIR = ROOT + "/store"
LIB_DIR = "/flash/lib"           # the internal flash filesystem holds the code and boot.py
BOOT_DIR = "/flash"
KEY_DIR = "/flash/hcdaudit-key"  # the sealed master key: inside the MCU, not on the external NOR
I2C_BUS = 1                      # PB8 SCL, PB9 SDA (Arduino D15/D14)
I2C_FREQ = 400000
FRAM_ADDRESS = 0x50
SPI_BUS = 3                      # PB3 SCK, PB4 MISO, PB5 MOSI (CN7 D23, D25, D22)
CS_PIN = "A4"                    # PA4 (CN7 D24), driven by hand
SPI_BAUD = 10000000
WEEKDAY_BASE = 1                 # pyb.RTC.datetime(): Monday = 1


class Hardware:
    mount_point = "/"

    def make_i2c(self):
        import machine
        return machine.I2C(I2C_BUS, freq=I2C_FREQ)

    def make_spi(self):
        import machine
        return machine.SPI(SPI_BUS, baudrate=SPI_BAUD, polarity=0, phase=0)

    def make_cs(self):
        import machine
        return machine.Pin(CS_PIN, machine.Pin.OUT, value=1)

    def make_backup_sram(self):
        from boards.stm32.bkpsram import open_backup_sram
        return open_backup_sram()

    def make_key_dir(self):
        try:
            os.mkdir(KEY_DIR)
        except OSError:
            pass
        return SyncedDir(KEY_DIR)

    def make_rtc(self):
        import machine
        return machine.RTC()

    def make_network(self):
        from boards.common.netif import EthernetLan
        return EthernetLan()


class SyncedDir(DirFs):
    """The internal flash filesystem: pyb.Flash caches a sector in RAM and writes
    it back seconds later; os.sync() writes it now."""

    def commit(self, f):
        DirFs.commit(self, f)
        _sync()

    def rename(self, old, new):
        DirFs.rename(self, old, new)
        _sync()

    def remove(self, name):
        DirFs.remove(self, name)
        _sync()


def _sync():
    if hasattr(os, "sync"):
        os.sync()


_hardware = []


def _parts(peripherals):
    return mcu.parts(peripherals, _hardware, Hardware)


def _flash(p):
    flash = getattr(p, "flash", None)
    if flash is None:
        blocks = getattr(p, "flash_blocks", None) or profiles.profile(PROFILE)["flash"]["block_count"]
        flash = SpiNor(mcu.part(p, "spi"), mcu.part(p, "cs"), blocks)
        p.flash = flash
    return flash


def _open_volume(p, geometry):
    point = getattr(p, "mount_point", None)
    if point == "/":
        root = volume.mounted_root()     # boot.py mounted it already
        if root is not None:
            return root
    return volume.mount(_flash(p), geometry, point)


def open_nvram(peripherals=None):
    """The ring region: header copies A and B in backup SRAM, the slots in FRAM
    (at the same offsets as on the other boards; FRAM bytes 0-63 stay unused)."""
    p = _parts(peripherals)
    header = MemoryNvram(mcu.part(p, "backup_sram"), ring.HEADERS_SIZE)
    return Split(header, mcu.fram_region(p, PROFILE, ring.HEADERS_SIZE))


def open_volume(peripherals=None):
    return mcu.volume(_parts(peripherals), PROFILE, _open_volume)


def open_board(peripherals=None, clock=None, random=None):
    p = _parts(peripherals)
    return mcu.open_board(PROFILE, ROOT, open_nvram(p), open_volume(p), clock, random)


def master_key(peripherals=None):
    """The key sealed in the internal flash (moved from ROOT/master.key, on the
    external NOR, at first boot)."""
    p = _parts(peripherals)
    return keystore.seal_master_key(open_volume(p).dir(ROOT), keystore.FileKeyStore(mcu.part(p, "key_dir")))


def connect_network(settings, peripherals=None, timeout_s=30):
    return mcu.part(_parts(peripherals), "network").connect(settings, timeout_s)


def set_clock(unix_us, peripherals=None):
    ntp.set_rtc(mcu.part(_parts(peripherals), "rtc"), unix_us, WEEKDAY_BASE)
