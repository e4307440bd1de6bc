# The host board: NV memory and store are files of the running system, so the
# same firmware runs under CPython (the simulator) and the MicroPython unix port.
import sys

from hcdaudit import ring

SLOT_COUNT = 50            # records in the NVRAM ring
SLOT_SIZE = 512            # bytes per slot
STORE_CAP = 15000          # records in the store
NVRAM_SIZE = ring.region_size(SLOT_COUNT, SLOT_SIZE)


def runtime_hal():
    if sys.implementation.name == "micropython":
        from hcdaudit.hal import micropython as hal
    else:
        from hcdaudit.hal import cpython as hal
    return hal


class Board:
    """What the core needs from a board. `clock` and `random` default to the HAL's;
    the simulator and tests pass deterministic ones."""

    def __init__(self, nvram, fs, slot_count=SLOT_COUNT, slot_size=SLOT_SIZE, store_cap=STORE_CAP,
                 clock=None, random=None):
        hal = runtime_hal()
        self.nvram = nvram
        self.fs = fs
        self.slot_count = slot_count
        self.slot_size = slot_size
        self.store_cap = store_cap
        self.aes = hal.Aes
        self.now_us = clock or hal.now_us
        self.random = random or hal.random
