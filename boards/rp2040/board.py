# Raspberry Pi Pico W: MB85RC256V FRAM on I2C0 as the NVRAM ring, the store on
# the littlefs the port mounts at / (rp2.Flash: 4 KiB blocks, progsize 256),
# Wi-Fi (CYW43), RTC set by NTP. The RP2040 has no secure key storage: the
# master key stays in ROOT/master.key on the flash (README: what that means).
# The board contract: see boards/esp32s3/board.py.
from boards.common import bundle, mcu, ntp

PROFILE = "rp2040"
ROOT = "/hcdaudit-data"         # not /hcdaudit: "" (the boot folder) is first on sys.path, and a
                                 # folder named like the package would shadow it as a namespace package
STORE_DIR = ROOT + "/store"
LIB_DIR = "/lib"
BOOT_DIR = "/"
I2C_BUS = 0
SDA_PIN = 4                      # GP4 (pin 6), GP5 (pin 7): I2C0; GP23-25/29 belong to the CYW43
SCL_PIN = 5
I2C_FREQ = 400000
FRAM_ADDRESS = 0x50
WEEKDAY_BASE = 0


class Hardware:
    def make_i2c(self):
        import machine
        return machine.I2C(I2C_BUS, sda=machine.Pin(SDA_PIN), scl=machine.Pin(SCL_PIN), freq=I2C_FREQ)

    def make_rtc(self):
        import machine
        return machine.RTC()

    def make_network(self):
        from boards.common.netif import WifiStation
        return WifiStation()


_hardware = []


def _parts(peripherals):
    return mcu.parts(peripherals, _hardware, Hardware)


def _open_volume(p, geometry):
    return mcu.port_volume(p, geometry, "rp2.Flash")


def open_nvram(peripherals=None):
    return mcu.fram_region(_parts(peripherals), PROFILE)


def open_volume(peripherals=None):
    return mcu.volume(_parts(peripherals), PROFILE, _open_volume)


def open_board(peripherals=None, clock=None, random=None):
    p = _parts(peripherals)
    return mcu.open_board(PROFILE, ROOT, open_nvram(p), open_volume(p), clock, random)


def master_key(peripherals=None):
    """ROOT/master.key as deployed: there is nowhere safer on an RP2040."""
    return bundle.load_master_key(open_volume(_parts(peripherals)).dir(ROOT))


def connect_network(settings, peripherals=None, timeout_s=30):
    return mcu.part(_parts(peripherals), "network").connect(settings, timeout_s)


def set_clock(unix_us, peripherals=None):
    ntp.set_rtc(mcu.part(_parts(peripherals), "rtc"), unix_us, WEEKDAY_BASE)
