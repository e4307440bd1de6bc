# The esp32s3 board wired end to end against simulated parts: FRAM on I2C,
# littlefs on a simulated 'vfs' partition, the master key sealed in NVS.
import board_scenarios
import support


def test_esp32s3_boots_logs_two_flushes_survives_a_cut_and_reads_back_intact():
    board, p = board_scenarios.end_to_end("esp32s3")
    assert p.memories.flash.programs and not p.memories.flash.corrupted
    # first boot sealed the key: in NVS, gone from the bundle folder
    assert ("hcdaudit", "master_key") in p.memories.nvs.entries
    p = p.reboot()
    assert "master.key" not in board.open_volume(p).dir(board.ROOT).listdir()
    p.power_off()


def test_esp32s3_survives_a_power_cut_at_every_write_of_a_flush():
    total, cuts = board_scenarios.power_cut_sweep("esp32s3", logged_during=60 if support.TORTURE else 10)
    assert cuts == 2 * total and total > 10


def test_esp32s3_nvram_is_exactly_the_ring_region_of_the_fram():
    from hcdaudit import ring
    board, p = board_scenarios.provisioned("esp32s3")
    nv = board.open_nvram(p)
    assert nv.size == ring.region_size(50, 512)
    nv.write(nv.size - 4, b"\x01\x02\x03\x04")
    assert bytes(p.memories.fram.mem[nv.size - 4:nv.size]) == b"\x01\x02\x03\x04"
    support.raises(OSError, nv.write, nv.size - 2, b"\x00\x00\x00")
    p.power_off()


def test_a_board_without_its_fram_refuses_to_start():
    from boards.common.bundle import DeviceError
    from i2c_fram_model import I2cFramBus
    board, p = board_scenarios.provisioned("esp32s3")
    p.i2c = I2cFramBus(address=0x57)          # wrong address pins: no chip at 0x50
    exc = support.raises(DeviceError, board.open_board, p)
    assert "FRAM" in str(exc) and "0x50" in str(exc), exc
    p.power_off()


def test_a_bundle_for_another_board_is_refused():
    from boards.common.bundle import DeviceError
    import sim_peripherals
    from fakes import MASTER_KEY
    board = board_scenarios.board_module("esp32s3")
    folder = support.tmpdir()
    sim_peripherals.write_bundle(folder, "rp2040", MASTER_KEY)
    p = sim_peripherals.peripherals_for("esp32s3")
    sim_peripherals.install_bundle(board, p, folder)
    exc = support.raises(DeviceError, board.open_board, p)
    assert "rp2040" in str(exc), exc
    p.power_off()
