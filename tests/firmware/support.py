# Shared helpers for the portable firmware tests (CPython and MicroPython).
import os
import sys


TORTURE = False  # set by run_firmware.py --torture: longer sweeps
ON_MCU = False   # set by tests/mcu/mcu_runner.py: the emulated Cortex-M3 board (3.3 MiB heap, no asyncio)


class NotOnThisPort(Exception):
    """A test that needs what the port running it lacks (named in the message):
    reported apart as not run, never as passed (tests/mcu/run_tests.py)."""
_made = []


def reset():
    pass


def tmpdir():
    """A fresh directory under /tmp, removed after the test."""
    path = "/tmp/hcdaudit-test-" + os.urandom(6).hex()
    os.mkdir(path)
    _made.append(path)
    return path


def rmtree(path):
    try:
        names = os.listdir(path)
    except OSError:
        return
    for name in names:
        full = path + "/" + name
        try:
            os.remove(full)
        except OSError:
            rmtree(full)
    os.rmdir(path)


def cleanup():
    unmount_all()
    while _made:
        rmtree(_made.pop())


def raises(exc_type, fn, *args, **kwargs):
    """Call fn and return the exception it raised; fail if it raised nothing or something else."""
    try:
        fn(*args, **kwargs)
    except exc_type as exc:
        return exc
    raise AssertionError("expected %s from %s" % (exc_type.__name__, getattr(fn, "__name__", fn)))


# ---------------------------------------------------------------- devices
from hcdaudit import ring as _ring  # noqa: E402
from hcdaudit.audit import AuditLog  # noqa: E402
from hcdaudit.reader import Reader  # noqa: E402
from boards.host import flash  # noqa: E402
from boards.host.board import Board, runtime_hal  # noqa: E402
from boards.host.memory import RamBlockDevice, RamNvram  # noqa: E402
from fakes import MASTER_KEY, T0_US, FakeClock, FakeRandom  # noqa: E402,F401

_mounted = []


class TestDevice:
    """NVRAM and flash in RAM; boot() and power_cycle() like a real board."""

    def __init__(self, slot_count=50, slot_size=512, cap=15000, blocks=64, block_size=4096,
                 nvram=None, bdev=None, fresh=True, clock=None, random=None, device_id=None, integrity_root=None,
                 counter=None):
        self.device_id = device_id
        self.integrity_root = integrity_root
        self.counter = counter          # a board monotonic counter (tests/firmware/support.Counter), or None
        self.slot_count = slot_count
        self.slot_size = slot_size
        self.cap = cap
        self.nvram = nvram or RamNvram(_ring.region_size(slot_count, slot_size))
        self.bdev = bdev or RamBlockDevice(block_size, blocks)
        self.clock = clock or FakeClock()
        self.random = random or FakeRandom()
        self.fs = None
        self._format = fresh and bdev is None
        self.log = None

    def mount(self):
        self.unmount()
        self.fs = flash.mount(self.bdev, format=self._format)
        self._format = False
        _mounted.append(self.fs)
        return self.fs

    def unmount(self):
        if self.fs is not None:
            if self.fs in _mounted:
                _mounted.remove(self.fs)
            try:
                self.fs.unmount()
            except Exception:
                pass
            self.fs = None

    def board(self):
        board = Board(self.nvram, self.fs, self.slot_count, self.slot_size, self.cap,
                      clock=self.clock, random=self.random)
        board.counter = self.counter
        return board

    def boot(self, reason="power-on"):
        self.mount()
        self.log = AuditLog(self.board(), MASTER_KEY, self.device_id, self.integrity_root)
        self.log.boot(reason)
        return self.log

    def reader(self):
        if self.fs is None:
            self.mount()
        return Reader(self.fs, self.nvram, MASTER_KEY, self.slot_count, self.slot_size, runtime_hal().Aes,
                      self.device_id, self.integrity_root, self.counter.value if self.counter else None)

    def records(self):
        reader = self.reader()
        return list(reader.records()), reader.report


class Counter:
    """A board's monotonic counter (a secure element's, OTP): it only goes up."""

    def __init__(self):
        self.value = 0

    def advance(self, to):
        if to > self.value:
            self.value = to


def unmount_all():
    while _mounted:
        fs = _mounted.pop()
        try:
            fs.unmount()
        except Exception:
            pass


def events_of(records, code):
    return [r for r in records if r["event"] == code]
