# Simulated parts for the reference boards, so each boards/<name>/board.py runs
# without hardware (tests, and the heap-budget runner under -X heapsize):
#   peripherals_for(board_name, block_count=None, flash_path=None, key_dir=None)
# returns the object board.open_board(peripherals=...) takes. Its memories (the
# FRAM, the flash, the backup SRAM, the NVS partition, the key folder) survive
# reboot(), which gives a fresh set of parts over them as a power cycle does;
# from_snapshot() builds them from a sim_power.Rail snapshot instead.
# Lean on heap: a 32 KiB FRAM, a flash of `block_count` blocks (default 64;
# the board's real partition is larger) in RAM, or in a file with flash_path.
import os

from boards import profiles
from i2c_fram_model import I2cFramBus
from sim_flash import NorFlash
from sim_nvs import Nvs, NvsPartition
from sim_spi_nor import SpiNorChip

BLOCKS = 64


class SimSram:
    """The backup SRAM: a buffer whose slice stores are numbered power-cut points;
    `cut_after` bytes: a reset in the middle of a store (a prefix lands)."""

    def __init__(self, data=None, size=4096):
        self.mem = bytearray(data) if data is not None else bytearray(size)
        self.rail = None
        self.rail_name = None
        self.cut_after = None

    def image(self):
        return bytearray(self.mem)

    def __len__(self):
        return len(self.mem)

    def __getitem__(self, index):
        return self.mem[index]

    def __setitem__(self, index, data):
        start = index.start or 0
        data = bytes(data)
        if self.rail is not None:
            def torn(image):
                half = len(data) // 2
                image[start:start + half] = data[:half]
            self.rail.event(self, torn)
        if self.cut_after is not None and self.cut_after < len(data):
            self.mem[start:start + self.cut_after] = data[:self.cut_after]
            self.cut_after = None
            raise OSError(5, "reset during a backup SRAM store")
        self.mem[start:start + len(data)] = data


class FakeRtc:
    """machine.RTC: keeps what datetime() was given."""

    def __init__(self):
        self.set_to = []

    def datetime(self, value=None):
        if value is None:
            return self.set_to[-1] if self.set_to else (2000, 1, 1, 5, 0, 0, 0, 0)
        self.set_to.append(tuple(value))


class FakeNetwork:
    def __init__(self, address="192.0.2.10", error=None):
        self.address = address
        self.error = error
        self.settings = None

    def connect(self, settings, timeout_s):
        self.settings = settings
        if self.error:
            raise OSError(self.error)
        return self.address


class Memories:
    """A board's non-volatile parts: what a power cut leaves behind."""

    def __init__(self, board_name, block_count=None, flash_path=None, key_dir=None, images=None):
        images = images or {}
        geometry = profiles.profile(board_name)["flash"]
        self.board_name = board_name
        fram = images.get("fram")
        self.fram = I2cFramBus(mem=bytearray(fram) if fram is not None else None)   # a copy: images stay as cut
        align = geometry["prog_size"] if board_name == "rp2040" else 1    # rp2 programs whole 256-byte pages
        self.flash = NorFlash(geometry["block_size"], block_count or BLOCKS, align,
                              data=images.get("flash"), path=flash_path)
        self.sram = SimSram(images.get("sram")) if board_name == "stm32" else None
        self.nvs = NvsPartition(images.get("nvs")) if board_name == "esp32s3" else None
        self.key_dir = key_dir
        if board_name == "stm32" and key_dir is None:
            self.key_dir = "/tmp/hcdaudit-keys-" + os.urandom(6).hex()
            os.mkdir(self.key_dir)

    def parts(self):
        found = {"fram": self.fram, "flash": self.flash}
        if self.sram is not None:
            found["sram"] = self.sram
        if self.nvs is not None:
            found["nvs"] = self.nvs
        return found

    def attach(self, rail):
        parts = self.parts()
        for name in parts:
            rail.add(name, parts[name])

    def detach(self):
        parts = self.parts()
        for name in parts:
            parts[name].rail = None


class SimPeripherals:
    """One boot's parts over the memories: the attributes board.py asks for."""

    def __init__(self, memories):
        from boards.host.dirfs import DirFs
        self.memories = memories
        self.board_name = memories.board_name
        self.mount_point = None          # a private mount point (the real board: "/")
        self.reset_cause = "PWRON_RESET"
        self.rtc = FakeRtc()
        self.network = FakeNetwork()
        memories.fram.cut_after = None
        self.i2c = memories.fram
        if self.board_name == "stm32":
            self.chip = SpiNorChip(memories.flash)
            self.spi = self.chip.spi
            self.cs = self.chip.cs
            self.flash_blocks = memories.flash.block_count
            self.backup_sram = memories.sram
            self.key_dir = DirFs(memories.key_dir)
        else:
            self.flash = memories.flash
        if self.board_name == "esp32s3":
            self.nvs = Nvs(memories.nvs, "hcdaudit")
        self._volume = None

    @property
    def volume(self):
        return self._volume

    @volume.setter
    def volume(self, mounted):
        # the board caches its mounted volume here; the test runner unmounts what a failed test left
        self._volume = mounted
        if mounted is not None:
            import support
            support._mounted.append(mounted)   # support.cleanup() unmounts them

    def power_off(self):
        """Drop this boot's mount (no write: littlefs unmount only frees)."""
        if self._volume is not None:
            try:
                self._volume.unmount()
            except OSError:
                pass
            self._volume = None

    def reboot(self):
        self.power_off()
        return SimPeripherals(self.memories)


def peripherals_for(board_name, block_count=None, flash_path=None, key_dir=None):
    return SimPeripherals(Memories(board_name, block_count, flash_path, key_dir))


def from_snapshot(board_name, images, key_dir=None):
    """Parts over a Rail snapshot (the memories as the power cut left them)."""
    flash = images["flash"]
    return SimPeripherals(Memories(board_name, len(flash) // 4096, key_dir=key_dir, images=images))


def install_bundle(board_module, peripherals, bundle_dir, names=None):
    """What `make deploy` does: the bundle's files into ROOT on the board's volume."""
    volume = board_module.open_volume(peripherals)
    volume.makedirs(board_module.ROOT)
    folder = volume.dir(board_module.ROOT)
    for name in names or os.listdir(bundle_dir):
        with open(bundle_dir + "/" + name, "rb") as f:
            data = f.read()
        out = folder.open(name, "wb")
        out.write(data)
        folder.commit(out)


SIM_UUID = "urn:uuid:0e5c3f4a-6b1d-4c8e-9a7f-3d2b1c0a9e8d"
INTEGRITY_ROOT = bytes(range(100, 132))     # the escrow's integrity.key of the simulated device


def install_root(board_module, peripherals, root=INTEGRITY_ROOT, uuid=SIM_UUID, force=False):
    """What `hcdaudit deploy` does next: the escrow's integrity root into the board's
    NVRAM (the script it runs over the serial link calls this), in a session of
    its own: fresh parts over the same memories, as a new mpremote session has."""
    from boards.common import root_install
    session = SimPeripherals(peripherals.memories)
    try:
        return root_install.install(board_module, uuid, root, force, session)
    finally:
        session.power_off()


def write_bundle(path, board_name, master_key, syslog=None, uuid=SIM_UUID):
    """A device bundle as `hcdaudit provision --board` writes it (the signing key
    from the RFC 5848 test vectors), into the host folder `path`."""
    import json
    import rfc5848_vectors as vec
    profile = profiles.profile(board_name)
    identity = {"name": "sim-" + board_name, "serial": "SIM-0001", "uuid": uuid,
                "fqdn": "sim-%s.example.com" % board_name, "board": board_name,
                "slot_count": profile["slot_count"], "slot_size": profile["slot_size"],
                "store_cap": profile["store_cap"], "flash": profile["flash"],
                "syslog": syslog or {"service_uri": "ipp://sim.example.com/ipp/print", "key_blob_type": "K"}}
    signing = {"p": "%x" % vec.KEY_P, "q": "%x" % vec.KEY_Q, "g": "%x" % vec.KEY_G,
               "y": "%x" % vec.KEY_Y, "x": "%x" % vec.KEY_X}
    for name, data in (("device.json", json.dumps(identity)), ("syslog-signing.json", json.dumps(signing))):
        with open(path + "/" + name, "w") as f:
            f.write(data)
    for name, data in (("master.key", master_key), ("syslog-signing.der", b"\x30\x00")):
        with open(path + "/" + name, "wb") as f:
            f.write(data)
