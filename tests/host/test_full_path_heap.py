"""The whole device path in a board-sized heap, firmware frozen (tests/full_path_heap.py):
boot over a store at its cap, events with flushes that evict, RFC 5848-signed
syslog delivered to a collector file and drained, under the MicroPython unix
port. The bench finds the smallest such heap (`min_heap_kib_full_path_frozen`:
112 KiB with 15,000 events when this test was written); this test holds the
path to a budget with a margin above it, so that it fails on a regression
(a module or buffer grown, a qstr interned at run time, garbage that
fragments the heap), not on noise."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

import full_path_heap  # noqa: E402

BUDGET_KIB = 128        # the bench's figure plus a 16 KiB margin
EVENTS = 2000           # 40 flushes, each evicting; 63 signature blocks


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    if not Path(full_path_heap.MICROPYTHON).exists():
        pytest.skip("the MicroPython unix port is not installed (make setup)")
    return full_path_heap.Setup(tmp_path_factory.mktemp("full-path"))


def test_the_whole_device_path_runs_within_the_budget(setup):
    result, stderr = setup.run(BUDGET_KIB, EVENTS)
    assert result is not None, stderr[-2000:]
    assert result["runtime"] == "micropython" and result["events"] == EVENTS
    assert result["store_records"] == 15000 and result["evicted"] >= EVENTS     # every flush evicted
    assert result["drained"] and result["messages"] >= EVENTS and result["blocks"] > 0


def test_a_heap_far_below_the_budget_fails_with_memory_error(setup):
    # The budget is enforced: the same run in half of it stops on MemoryError.
    result, stderr = setup.run(BUDGET_KIB // 2, EVENTS)
    assert result is None and "MemoryError" in stderr, stderr[-2000:]
