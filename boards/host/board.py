# The host board: NV memory and store are files of the running system, so the
# same firmware runs under CPython (the simulator) and the MicroPython unix port.
from boards.common.board import Board as _Board
from boards.common.board import runtime_hal  # noqa: F401 (re-exported)
from hcdaudit import ring

SLOT_COUNT = 50            # records in the NVRAM ring
SLOT_SIZE = 512            # bytes per slot
STORE_CAP = 15000          # records in the store
NVRAM_SIZE = ring.region_size(SLOT_COUNT, SLOT_SIZE)


class Board(_Board):
    def __init__(self, nvram, fs, slot_count=SLOT_COUNT, slot_size=SLOT_SIZE, store_cap=STORE_CAP,
                 clock=None, random=None):
        _Board.__init__(self, nvram, fs, slot_count, slot_size, store_cap, clock, random)
