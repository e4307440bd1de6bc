"""The whole device path in a board-sized heap on the emulated Cortex-M3, the
firmware frozen into its flash as bytecode (tests/mcu/full_path.py): boot over
a store at its cap, events with flushes that evict, RFC 5848-signed syslog
delivered to a collector file and drained, on a 32-bit MCU as the reference
boards are. The bench finds the smallest such heap
(`min_heap_kib_full_path_frozen_mcu`: 64 KiB with 2,000 events when this test
was written); this test holds the path to a budget with a margin above it, so
that it fails on a regression (a module or buffer grown, names interned at
run time, garbage that fragments the heap), not on noise. A first run builds
the frozen firmware (~40 s, cached in build/mcu afterwards)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from mcu import build, qemu  # noqa: E402

BUDGET_KIB = 80         # the bench's figure plus a 16 KiB margin
EVENTS = 300            # 6 flushes, each evicting; ~20 signature blocks; ~30 s under QEMU


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    try:
        build.check_tools()
    except build.ToolMissing as exc:
        pytest.skip(f"the emulated Cortex-M3 cannot be built or run here: {exc}")
    if not qemu.available():
        pytest.skip("qemu-system-arm not found")
    from mcu import full_path
    return full_path.Setup(tmp_path_factory.mktemp("mcu-full-path"))


def test_the_firmware_is_frozen_with_its_viper_code_as_machine_code(setup):
    # hal/native.py frozen for armv7m: the HAL's byte loops are its viper functions
    assert setup.figures["native"]
    # frozen modules keep their names in the firmware's qstr pool (flash): the
    # imports add only the few names made at run time to the heap's pools
    assert setup.figures["qstr_heap"] < 2048, setup.figures


def test_the_whole_device_path_runs_within_the_budget(setup):
    result, output = setup.run(BUDGET_KIB, EVENTS)
    assert result is not None, output[-2000:]
    assert result["runtime"] == "micropython" and result["events"] == EVENTS
    assert result["store_records"] == 15000 and result["evicted"] >= EVENTS     # every flush evicted
    assert result["drained"] and result["messages"] >= EVENTS and result["blocks"] > 0


def test_a_heap_far_below_the_budget_fails_with_memory_error(setup):
    # The budget is enforced: the same run in half of it stops on MemoryError.
    result, output = setup.run(BUDGET_KIB // 2, EVENTS)
    assert result is None and "MemoryError" in output, output[-2000:]
