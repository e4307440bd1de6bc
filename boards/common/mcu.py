# The wiring the microcontroller boards share (boards/esp32s3, rp2040, stm32):
# each board.py names its parts and pins; this module turns parts into the
# Board the core needs. `peripherals` is an object whose attributes are the
# parts (i2c, flash, rtc, network, ...): the tests' simulated ones are set as
# attributes; a board's real ones are built on first use by its make_<part>()
# methods, so nothing touches `machine` until a part is asked for.
from boards import profiles
from boards.common import bundle as bundle_module
from boards.common.board import Board
from boards.common.bundle import DeviceError
from boards.common.fram import Fram
from boards.common.nvregion import Window
from hcdaudit import ring

STORE = "/store"


def parts(peripherals, cache, hardware_class):
    """The parts a board function works on: the tests' simulated ones when given,
    else the board's real ones (one hardware_class() per run, kept in `cache`)."""
    if peripherals is not None:
        return peripherals
    if not cache:
        cache.append(hardware_class())
    return cache[0]


def port_volume(peripherals, geometry, partition):
    """The littlefs the port's _boot.py mounted at / (esp32 'vfs' partition,
    rp2.Flash), or a simulated flash the tests set as `flash`."""
    from boards.common import volume as volume_module
    flash = getattr(peripherals, "flash", None)
    if flash is not None:
        return volume_module.mount(flash, geometry, getattr(peripherals, "mount_point", None))
    root = volume_module.mounted_root()
    if root is None:
        raise DeviceError("no filesystem at /: %s did not mount" % partition)
    return root


def part(peripherals, name):
    value = getattr(peripherals, name, None)
    if value is None:
        make = getattr(peripherals, "make_" + name, None)
        if make is None:
            raise DeviceError("this board has no %s" % name)
        value = make()
        setattr(peripherals, name, value)
    return value


def region_size(profile_name):
    profile = profiles.profile(profile_name)
    return ring.region_size(profile["slot_count"], profile["slot_size"])


def fram(peripherals, address=0x50):
    """The MB85RC256V on the board's I2C bus, its device ID checked once."""
    chip = getattr(peripherals, "fram", None)
    if chip is None:
        chip = Fram(part(peripherals, "i2c"), getattr(peripherals, "fram_address", address))
        try:
            chip.check_id()
        except OSError as exc:
            raise DeviceError("FRAM: %s (check SDA/SCL wiring, pull-ups and the address pins)" % exc)
        peripherals.fram = chip
    return chip


def fram_region(peripherals, profile_name, base=0, size=None):
    return Window(fram(peripherals), base, region_size(profile_name) - base if size is None else size)


def volume(peripherals, profile_name, open_volume):
    """The mounted littlefs volume, mounted once per peripherals object."""
    vol = getattr(peripherals, "volume", None)
    if vol is None:
        vol = open_volume(peripherals, profiles.profile(profile_name)["flash"])
        peripherals.volume = vol
    return vol


def open_board(profile_name, root, nvram, vol, clock=None, random=None):
    """(Board, identity) from the bundle in `root` on the volume, checked
    against the board it was provisioned for."""
    profile = profiles.profile(profile_name)
    folder = vol.dir(root)
    identity = bundle_module.load_identity(folder)
    provisioned = identity.get("board", "host")
    if provisioned != profile_name:
        raise DeviceError("%s/%s was provisioned for the %s board, this is %s"
                          % (root, bundle_module.DEVICE_FILE, provisioned, profile_name))
    if identity["slot_count"] != profile["slot_count"] or identity["slot_size"] != profile["slot_size"]:
        raise DeviceError("%s/%s asks for %d slots of %d bytes; the %s board's NVRAM region holds %d of %d"
                          % (root, bundle_module.DEVICE_FILE, identity["slot_count"], identity["slot_size"],
                             profile_name, profile["slot_count"], profile["slot_size"]))
    if nvram.size != ring.region_size(profile["slot_count"], profile["slot_size"]):
        raise DeviceError("NV memory region of %d bytes, the ring needs exactly %d"
                          % (nvram.size, ring.region_size(profile["slot_count"], profile["slot_size"])))
    vol.makedirs(root + STORE)
    board = Board(nvram, vol.dir(root + STORE), identity["slot_count"], identity["slot_size"],
                  identity["store_cap"], clock=clock, random=random, bundle=folder)
    board.device_id = identity.get("uuid")
    # Epoch 0's integrity key comes from the escrow (`hcdaudit deploy` writes it into
    # NVRAM): never derived from the master key the board keeps (AuditLog refuses).
    board.root_required = True
    return board, identity


def boot_reason(peripherals):
    """Why the board started, for the audit_start record (machine.reset_cause())."""
    cause = getattr(peripherals, "reset_cause", None)
    if cause is None:
        try:
            import machine
            code = machine.reset_cause()
            names = {}
            for name in ("PWRON_RESET", "HARD_RESET", "WDT_RESET", "DEEPSLEEP_RESET", "SOFT_RESET"):
                if hasattr(machine, name):
                    names[getattr(machine, name)] = name
            cause = names.get(code, "reset %d" % code)
        except (ImportError, AttributeError):
            cause = "PWRON_RESET"
    return {"PWRON_RESET": "power-on", "HARD_RESET": "reset", "WDT_RESET": "watchdog",
            "DEEPSLEEP_RESET": "wake", "SOFT_RESET": "soft-reset"}.get(cause, cause)
