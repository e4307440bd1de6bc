# Deterministic clock and RNG, so both runtimes log the same bytes.
import hashlib

MASTER_KEY = bytes(range(32))
T0_US = 1795392000 * 1000000   # 2026-11-23T00:00:00Z


class FakeClock:
    """A UTC clock that advances `step_us` per reading: same times on both runtimes."""

    def __init__(self, start_us=T0_US, step_us=1500000):
        self.now = start_us
        self.step = step_us

    def __call__(self):
        self.now += self.step
        return self.now


class FakeRandom:
    """Deterministic bytes, so both runtimes draw the same per-boot salt."""

    def __init__(self, seed=b"hcdaudit-tests"):
        self.seed = seed
        self.counter = 0

    def __call__(self, n):
        self.counter += 1
        return hashlib.sha256(self.seed + str(self.counter).encode()).digest()[:n]
