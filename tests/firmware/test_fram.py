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
