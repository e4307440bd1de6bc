# The W25Q128-class SPI NOR driver (boards/common/spi_nor.py) against a chip
# model speaking the datasheet protocol (sim_spi_nor.py): identification,
# page-split programs, erase, BUSY polling, write enable, the block protocol,
# and littlefs on top.
import sim_spi_nor
import support
from boards.common import spi_nor, volume
from boards.common.spi_nor import SpiNor, SpiNorError
from sim_flash import NorFlash
from sim_spi_nor import SpiNorChip

GEOMETRY = {"block_size": 4096, "block_count": 16, "read_size": 32, "prog_size": 32}


def driver(blocks=16, **chip_options):
    chip = SpiNorChip(NorFlash(4096, blocks), **chip_options)
    return chip, SpiNor(chip.spi, chip.cs)


def clean(chip):
    return not chip.ignored_while_busy and not chip.refused_without_wel


class FakeClock:
    """The driver's and the chip model's ticks_ms, moved only by the test."""

    def __init__(self):
        self.now = 0

    def ticks_ms(self):
        return self.now

    def __enter__(self):
        self._saved = spi_nor.ticks_ms, sim_spi_nor.ticks_ms
        spi_nor.ticks_ms = sim_spi_nor.ticks_ms = self.ticks_ms
        return self

    def __exit__(self, *exc):
        spi_nor.ticks_ms, sim_spi_nor.ticks_ms = self._saved


def test_identifies_the_chip_and_its_size():
    chip, nor = driver()
    assert (nor.manufacturer, nor.capacity) == (0xEF, 16)       # 64 KiB model: 2^16
    assert nor.block_count == 16 and nor.ioctl(4, 0) == 16 and nor.ioctl(5, 0) == 4096
    assert chip.cs() == 1                                       # released after every command
    support.raises(SpiNorError, SpiNor, chip.spi, chip.cs, 17)  # more blocks than the chip has


def test_an_absent_chip_is_reported():
    chip = SpiNorChip(NorFlash(4096, 16), manufacturer=0xFF)   # MISO floating high
    exc = support.raises(SpiNorError, SpiNor, chip.spi, chip.cs)
    assert "no SPI NOR" in str(exc)


def test_programs_split_at_page_boundaries_and_read_back():
    chip, nor = driver()
    assert nor.ioctl(6, 1) == 0
    data = bytes((i * 7) & 0xFF for i in range(600))
    before = chip.array.programs
    assert nor.writeblocks(1, data, 200) == 0
    assert chip.array.programs - before == 4             # block bytes 200-255, 256-511, 512-767, 768-799
    out = bytearray(600)
    assert nor.readblocks(1, out, 200) == 0
    assert bytes(out) == data
    assert chip.array.read(4096 + 200, 600) == data      # nothing wrapped inside a page
    assert chip.status_reads > 0 and clean(chip)


def test_littlefs_erases_before_programming_and_the_simple_protocol_erases_too():
    chip, nor = driver()
    nor.writeblocks(2, b"\x00" * 4096, 0)                 # program without erase: nothing to clear here
    assert nor.writeblocks(2, b"\x5a" * 4096, 0) == 0      # over programmed bytes: NOR cannot set bits
    assert chip.array.corrupted == 16 and chip.array.read(2 * 4096, 4) == b"\x00" * 4   # each page program
    assert nor.writeblocks(2, b"\x5a" * 4096) == 0         # no offset: erase implied
    assert chip.array.read(2 * 4096, 4096) == b"\x5a" * 4096
    assert clean(chip)


def test_each_program_and_erase_is_write_enabled_and_waited_for():
    chip, nor = driver(program_polls=5, erase_polls=9)
    with FakeClock():       # time stands still: only the polls end BUSY
        assert nor.ioctl(6, 3) == 0
        assert nor.writeblocks(3, bytes(range(256)) * 2, 0) == 0
    assert clean(chip)
    assert chip.status_reads >= 9 + 2 * 5


def test_a_stall_after_a_busy_status_is_not_a_timeout():
    # An interrupt or a collection right after each BUSY answer: when the driver
    # next looks, its deadline has passed, but so has the chip's datasheet time,
    # so the program is done, not hung.
    chip, nor = driver(program_polls=3)
    with FakeClock() as clock:
        answer = chip.clock_out

        def stalled(buf):
            answer(buf)
            if chip.rx[:1] == b"\x05" and buf[0] & 1:
                clock.now += spi_nor.PROGRAM_TIMEOUT_MS + 10
        chip.clock_out = stalled
        assert nor.ioctl(6, 0) == 0
        assert nor.writeblocks(0, b"\x5a" * 32, 0) == 0
    assert chip.array.read(0, 32) == b"\x5a" * 32 and clean(chip)


def test_the_chip_model_is_never_busy_past_its_datasheet_time():
    _, nor = driver(program_polls=1000, erase_polls=1000)
    with FakeClock() as clock:
        nor._write_enable()
        nor._cs(0)
        nor._command(0x20, 0)           # SECTOR ERASE
        nor._cs(1)
        assert nor._status_byte() & 1
        clock.now += sim_spi_nor.ERASE_MAX_MS
        assert not nor._status_byte() & 1


def test_a_chip_that_stays_busy_fails_with_eio_not_an_exception():
    chip, nor = driver()
    chip.stuck_busy = True
    assert nor.writeblocks(0, b"\x00" * 32, 0) == -5
    chip.stuck_busy = False


def test_out_of_range_access_is_eio():
    chip, nor = driver()
    assert nor.readblocks(16, bytearray(32), 0) == -5
    assert nor.writeblocks(15, b"\x00" * 64, 4064) == -5
    assert nor.ioctl(6, 16) == -5


def test_littlefs_on_the_driver_formats_a_blank_chip_once_and_keeps_files():
    chip, nor = driver()
    vol = volume.mount(nor, GEOMETRY)
    vol.makedirs("/hcdaudit-data/store")
    folder = vol.dir("/hcdaudit-data/store")
    f = folder.open("a.seg", "wb")
    f.write(b"segment" * 200)
    folder.commit(f)
    vol.unmount()
    programs = chip.array.programs
    vol = volume.mount(SpiNor(chip.spi, chip.cs), GEOMETRY)      # a reboot: mounted, not formatted
    f = vol.dir("/hcdaudit-data/store").open("a.seg", "rb")
    assert f.read() == b"segment" * 200
    f.close()
    vol.unmount()
    assert chip.array.programs == programs and clean(chip) and not chip.array.corrupted


def test_a_flash_that_is_not_blank_and_does_not_mount_is_never_formatted():
    chip, nor = driver()
    nor.ioctl(6, 0)
    nor.writeblocks(0, b"not a superblock", 0)
    image = chip.array.image()
    exc = support.raises(volume.VolumeError, volume.mount, nor, GEOMETRY)
    assert "not formatting" in str(exc)
    assert chip.array.image() == image


def test_a_commit_the_chip_fails_is_an_error_and_closing_again_is_harmless():
    # The store's error path closes a file whose commit (close: a sync) failed;
    # on CPython that second close must not trip littlefs's assert (an abort).
    chip, nor = driver()
    vol = volume.mount(nor, GEOMETRY)
    vol.makedirs("/d")
    folder = vol.dir("/d")
    f = folder.open("a.tmp", "wb")
    f.write(b"segment" * 1000)
    chip.stuck_busy = True
    support.raises(OSError, folder.commit, f)
    f.close()
    chip.stuck_busy = False
    vol.unmount()
