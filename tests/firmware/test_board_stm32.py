# The stm32 board (NUCLEO-F767ZI) wired end to end against simulated parts:
# the ring's slots in FRAM on I2C, its A/B header in backup SRAM, littlefs on a
# W25Q128-class SPI NOR through the real driver, the key sealed in a folder
# standing in for the internal flash.
import board_scenarios
import support


def test_stm32_boots_logs_two_flushes_survives_a_cut_and_reads_back_intact():
    board, p = board_scenarios.end_to_end("stm32")
    chip = p.chip
    assert not chip.ignored_while_busy and not chip.refused_without_wel
    assert p.memories.flash.programs and not p.memories.flash.corrupted
    assert "master.sealed" in p.key_dir.listdir()


def test_stm32_survives_a_power_cut_at_every_write_of_a_flush():
    total, cuts = board_scenarios.power_cut_sweep("stm32", logged_during=60 if support.TORTURE else 10)
    assert cuts == 2 * total and total > 10
