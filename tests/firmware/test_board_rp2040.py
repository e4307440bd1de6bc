# The rp2040 board (Pico W) wired end to end against simulated parts: FRAM on
# I2C, littlefs on an rp2.Flash model (4 KiB blocks, 256-byte programs), the
# master key in a file.
import board_scenarios
import support


def test_rp2040_boots_logs_two_flushes_survives_a_cut_and_reads_back_intact():
    board, p = board_scenarios.end_to_end("rp2040")
    flash = p.memories.flash
    assert flash.programs and not flash.misaligned and not flash.corrupted


def test_rp2040_survives_a_power_cut_at_every_write_of_a_flush():
    total, cuts = board_scenarios.power_cut_sweep("rp2040", logged_during=60 if support.TORTURE else 10)
    assert cuts == 2 * total and total > 10
