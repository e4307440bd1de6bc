# The stm32 board's backup SRAM: the NV region over it, the composite region
# (the ring's A/B header in backup SRAM, the slots in FRAM), a torn store into
# it, why the header lives there (restoring the external chips cannot roll
# the boot counter back), and the register sequence that turns it on.
import board_scenarios
import support
from boards.common.nvregion import MemoryNvram, NvError, Split, Window
from boards.stm32 import bkpsram
from hcdaudit import ring
from sim_peripherals import SimSram


def test_split_region_maps_the_first_bytes_to_one_part_and_the_rest_to_the_other():
    low, high = MemoryNvram(bytearray(8)), MemoryNvram(bytearray(32))
    region = Split(low, Window(high, 8, 24))
    assert region.size == 32
    region.write(4, bytes(range(1, 11)))             # straddles the boundary
    assert bytes(low._mem[4:8]) == b"\x01\x02\x03\x04"
    assert bytes(high._mem[8:14]) == b"\x05\x06\x07\x08\x09\x0a"
    out = bytearray(10)
    region.read_into(4, out)
    assert bytes(out) == bytes(range(1, 11))
    support.raises(NvError, region.write, 30, b"xyz")
    support.raises(NvError, Window, high, 8, 25)
    support.raises(NvError, MemoryNvram(bytearray(4)).read_into, 2, bytearray(3))


def test_stm32_keeps_the_ring_header_in_backup_sram_and_the_slots_in_fram():
    board, p = board_scenarios.provisioned("stm32")
    log = board_scenarios.boot(board, p)
    board_scenarios.log_jobs(log, 5)
    sram, fram = p.memories.sram.mem, p.memories.fram.mem
    assert bytes(sram[:4]) == b"HCDN"                       # header copy A
    assert bytes(fram[:ring.HEADERS_SIZE]) == bytes(ring.HEADERS_SIZE)   # FRAM's header bytes unused
    nv = board.open_nvram(p)
    assert nv.size == ring.region_size(50, 512)
    slot = bytearray(8)
    nv.read_into(ring.HEADERS_SIZE + 512, slot)            # slot 1 (seq 1) at its region offset in FRAM
    assert bytes(slot) == bytes(fram[ring.HEADERS_SIZE + 512:ring.HEADERS_SIZE + 520]) != bytes(8)
    assert bytes(sram[ring.HEADERS_SIZE:]) == bytes(4096 - ring.HEADERS_SIZE)
    p.power_off()


def test_a_reset_in_the_middle_of_a_header_store_loses_only_that_copy():
    board, p = board_scenarios.provisioned("stm32")
    board_scenarios.boot(board, p)                          # boot 1 writes copy A
    p = p.reboot()
    p.memories.sram.cut_after = 14                          # boot 2 writes copy B: reset after 14 bytes (its generation)
    support.raises(OSError, board_scenarios.boot, board, p)
    assert bytes(p.memories.sram.mem[ring.HEADER_COPY_SIZE:ring.HEADER_COPY_SIZE + 4]) == b"HCDN"   # a prefix landed
    p = p.reboot()
    log = board_scenarios.boot(board, p)
    assert log.boot_count == 2, log.boot_count
    assert "discarded torn write of NVRAM header copy B" in log.boot_report.actions, log.boot_report.actions
    assert not log.boot_report.quarantined
    records, report = board_scenarios.read_back(board, p)
    assert report.intact(), [f.as_dict() for f in report.faults()]
    p.power_off()


def restored_boot_count(name):
    """Boot a board 4 times, then put back the FRAM and flash images taken
    after its first boot (an attacker swapping the external chips) and boot."""
    board, p = board_scenarios.provisioned(name)
    board_scenarios.boot(board, p)
    p.power_off()
    fram, flash = bytearray(p.memories.fram.mem), p.memories.flash.image()
    for _ in range(3):
        p = p.reboot()
        board_scenarios.boot(board, p)
        p.power_off()
    p.memories.fram.mem[:] = fram
    p.memories.flash.buf[:] = flash
    p = p.reboot()
    log = board_scenarios.boot(board, p)
    p.power_off()
    return log.boot_count


def test_restoring_the_external_chips_cannot_roll_the_stm32_boot_counter_back():
    assert restored_boot_count("stm32") == 5
    # where the header is in FRAM, the same restore repeats boot number 2 (an RSID reused)
    assert restored_boot_count("rp2040") == 2


class FakeMem32:
    """stm.mem32 over a dict; the backup regulator reports ready after BRE is set."""

    def __init__(self, ready_after=3):
        self.words = {}
        self.ready_after = ready_after
        self.reads = 0

    def __getitem__(self, address):
        value = self.words.get(address, 0)
        if address == FakeStm.PWR + FakeStm.PWR_CSR1 and value & (1 << 9):
            self.reads += 1
            if self.reads >= self.ready_after:
                value |= 1 << 3
        return value

    def __setitem__(self, address, value):
        self.words[address] = value


class FakeStm:
    RCC = 0x40023800
    PWR = 0x40007000
    RCC_APB1ENR = 0x40
    RCC_AHB1ENR = 0x30
    PWR_CR1 = 0x00
    PWR_CSR1 = 0x04

    def __init__(self, ready_after=3):
        self.mem32 = FakeMem32(ready_after)


class FakeUctypes:
    def __init__(self):
        self.asked = None

    def bytearray_at(self, address, size):
        self.asked = (address, size)
        return bytearray(size)


class NoMemBackup:
    pass


def test_backup_sram_comes_from_mem_backup_when_the_firmware_has_it():
    class Machine:
        def mem_backup(self, region=0):
            assert region == 0
            return memoryview(bytearray(4096))
    assert len(bkpsram.open_backup_sram(Machine())) == 4096


def test_backup_sram_is_switched_on_through_the_registers_on_older_firmware():
    stm, uctypes = FakeStm(), FakeUctypes()
    mem = bkpsram.open_backup_sram(NoMemBackup(), stm, uctypes)
    words = stm.mem32.words
    assert words[FakeStm.RCC + FakeStm.RCC_APB1ENR] & (1 << 28)     # PWREN
    assert words[FakeStm.PWR + FakeStm.PWR_CR1] & (1 << 8)           # DBP
    assert words[FakeStm.RCC + FakeStm.RCC_AHB1ENR] & (1 << 18)     # BKPSRAMEN
    assert words[FakeStm.PWR + FakeStm.PWR_CSR1] & (1 << 9)          # BRE
    assert uctypes.asked == (0x40024000, 4096) and len(mem) == 4096


def test_a_backup_regulator_that_never_comes_up_is_an_error():
    support.raises(bkpsram.BackupSramError, bkpsram.open_backup_sram, NoMemBackup(),
                   FakeStm(ready_after=10 ** 9), FakeUctypes())


def test_sim_sram_numbers_each_store_as_a_power_cut_point():
    from sim_power import Rail
    sram = SimSram()
    rail = Rail(cut_at=2, torn=True)
    rail.add("sram", sram)
    sram[0:4] = b"abcd"
    sram[8:16] = b"12345678"
    assert bytes(rail.snapshot["sram"][:16]) == b"abcd" + bytes(4) + b"1234" + bytes(4)
