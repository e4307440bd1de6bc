# ESP32-S3 DevKitC-1 (N8R8: 8 MiB flash, 8 MB PSRAM): MB85RC256V FRAM on I2C as
# the NVRAM ring, the store on the littlefs the port mounts at / (the 'vfs'
# partition), the master key sealed in NVS, Wi-Fi, RTC set by NTP.
# The board contract (the same in every boards/<name>/board.py): PROFILE, ROOT,
# STORE_DIR, open_nvram(), open_board(), master_key(), connect_network(),
# set_clock(). `peripherals`: simulated parts in tests; None = the real ones.
from boards.common import keystore, mcu, ntp

PROFILE = "esp32s3"
ROOT = "/hcdaudit-data"         # not /hcdaudit: "" (the boot folder) is first on sys.path, and a
                                 # folder named like the package would shadow it as a namespace package
STORE_DIR = ROOT + "/store"
LIB_DIR = "/lib"                 # where deployed modules go (on sys.path)
BOOT_DIR = "/"                   # where main.py goes
I2C_BUS = 0
SDA_PIN = 8                      # GPIO8 / GPIO9: free on the N8R8 (octal PSRAM takes GPIO33-37)
SCL_PIN = 9
I2C_FREQ = 400000
FRAM_ADDRESS = 0x50
NVS_NAMESPACE = "hcdaudit"
WEEKDAY_BASE = 0                 # machine.RTC.datetime(): Monday = 0


class Hardware:
    """The real parts, each built on first use."""

    def make_i2c(self):
        import machine
        return machine.I2C(I2C_BUS, sda=machine.Pin(SDA_PIN), scl=machine.Pin(SCL_PIN), freq=I2C_FREQ)

    def make_nvs(self):
        import esp32
        return esp32.NVS(NVS_NAMESPACE)

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
    return mcu.port_volume(p, geometry, "the 'vfs' partition")


def open_nvram(peripherals=None):
    return mcu.fram_region(_parts(peripherals), PROFILE)


def open_volume(peripherals=None):
    return mcu.volume(_parts(peripherals), PROFILE, _open_volume)


def open_board(peripherals=None, clock=None, random=None):
    p = _parts(peripherals)
    return mcu.open_board(PROFILE, ROOT, open_nvram(p), open_volume(p), clock, random)


def master_key(peripherals=None):
    """The key sealed in NVS (moved there from ROOT/master.key on first boot).
    NVS is encrypted at rest when the firmware is built with NVS encryption,
    HMAC scheme (README)."""
    p = _parts(peripherals)
    return keystore.seal_master_key(open_volume(p).dir(ROOT),
                                    keystore.NvsKeyStore(mcu.part(p, "nvs"), NVS_NAMESPACE))


def connect_network(settings, peripherals=None, timeout_s=30):
    return mcu.part(_parts(peripherals), "network").connect(settings, timeout_s)


def set_clock(unix_us, peripherals=None):
    ntp.set_rtc(mcu.part(_parts(peripherals), "rtc"), unix_us, WEEKDAY_BASE)
