# The FRAM driver against a simulated MB85RC256V, and the NVRAM ring on it.
import support
from boards.common.fram import Fram, FramError
from hcdaudit import ring
from i2c_fram_model import I2cFramBus
from support import TestDevice


def test_identifies_the_chip_and_refuses_a_wrong_one():
    bus = I2cFramBus()
    Fram(bus).check_id()
    exc = support.raises(OSError, Fram(I2cFramBus(address=0x51), 0x50).check_id)
    assert exc is not None


def test_reads_and_writes_across_chunk_boundaries_and_guards_the_end():
    fram = Fram(I2cFramBus())
    data = bytes(i & 0xFF for i in range(700))
    fram.write(32000, data[:700])
    out = bytearray(700)
    fram.read_into(32000, out)
    assert bytes(out) == data
    support.raises(FramError, fram.write, 32700, b"x" * 100)
    support.raises(FramError, fram.read_into, -1, bytearray(2))


def test_ring_on_fram_survives_a_cut_mid_slot():
    bus = I2cFramBus()
    fram = Fram(bus)
    assert fram.size >= ring.region_size(50, 512)
    dev = TestDevice(nvram=fram)
    log = dev.boot()
    for i in range(60):
        log.log("print_job", subject="u", file_name="f%d" % i)
    bus.cut_after = 40                           # the next slot write dies after 40 bytes
    support.raises(OSError, log.log, "print_job", subject="u", file_name="lost")
    bus.cut_after = None
    dev.unmount()
    log = dev.boot()
    assert any("torn write in slot" in a for a in log.boot_report.actions), log.boot_report.actions
    records, report = dev.records()
    assert report.intact(), [f.as_dict() for f in report.faults()]
    assert [r["seq"] for r in records] == list(range(1, log.next_seq))


def test_a_power_cut_mid_write_leaves_exactly_a_byte_prefix():
    bus = I2cFramBus()
    fram = Fram(bus)
    fram.write(1000, b"\xaa" * 64)
    bus.cut_after = 23
    support.raises(OSError, fram.write, 1000, b"\x55" * 64)
    assert bytes(bus.mem[1000:1023]) == b"\x55" * 23
    assert bytes(bus.mem[1023:1064]) == b"\xaa" * 41


def test_writes_go_in_bounded_transactions_at_the_right_address():
    bus = I2cFramBus()
    fram = Fram(bus)
    data = bytes(i & 0xFF for i in range(600))
    fram.write(0x1234, data)
    assert bus.transactions == 3                      # 256 + 256 + 88
    assert bytes(bus.mem[0x1234:0x1234 + 600]) == data
    assert bytes(bus.mem[0x1234 - 1:0x1234]) == b"\x00"


def test_address_pins_select_one_chip_of_several_on_the_bus():
    second = I2cFramBus(address=0x51)
    bus = I2cFramBus(address=0x50, others=(second,))
    low, high = Fram(bus, 0x50), Fram(bus, 0x51)
    low.check_id()
    high.check_id()
    low.write(10, b"low")
    high.write(10, b"high")
    assert bytes(bus.mem[10:13]) == b"low" and bytes(second.mem[10:14]) == b"high"
    exc = support.raises(FramError, Fram(bus, 0x52).check_id)
    assert "0x52" in str(exc)


def test_the_chip_wraps_at_32_kib_and_the_driver_never_asks_it_to():
    bus = I2cFramBus()
    bus.writeto_mem(0x50, 0x7FFE, b"wrap", addrsize=16)       # the chip itself: 15 address bits
    assert bytes(bus.mem[0x7FFE:]) == b"wr" and bytes(bus.mem[:2]) == b"ap"
    fram = Fram(bus)
    support.raises(FramError, fram.write, 0x7FFE, b"wrap")
    support.raises(FramError, fram.read_into, 0x7FFF, bytearray(2))
