# What the core needs from any board: the HAL's AES, clock and RNG, an NV
# memory region for the ring and a store filesystem, with the ring geometry.
import sys


def runtime_hal():
    if sys.implementation.name == "micropython":
        from hcdaudit.hal import micropython as hal
    else:
        from hcdaudit.hal import cpython as hal
    return hal


class Board:
    """`clock` and `random` default to the HAL's; the simulator and tests pass
    deterministic ones. `bundle`: the folder object holding the bundle files
    (device.json, the signing key), where a board keeps them on its filesystem."""

    def __init__(self, nvram, fs, slot_count, slot_size, store_cap, clock=None, random=None, bundle=None):
        hal = runtime_hal()
        self.nvram = nvram
        self.fs = fs
        self.slot_count = slot_count
        self.slot_size = slot_size
        self.store_cap = store_cap
        self.aes = hal.Aes
        self.now_us = clock or hal.now_us
        self.random = random or hal.random
        self.bundle = bundle
        self.device_id = None   # the device's UUID, bound into the log's keys (format v2)
        self.counter = None     # a monotonic counter (secure element, OTP), where the board has one
        self.root_required = False   # True: epoch 0's integrity key must be installed in NVRAM (no derived root)
