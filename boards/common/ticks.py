# Millisecond ticks and sleeps: the MicroPython time functions, with CPython
# stand-ins so the board modules also run in the host's tests.
import time

try:
    from time import sleep_ms, ticks_diff, ticks_ms
except ImportError:
    def ticks_ms():
        return int(time.monotonic() * 1000)

    def ticks_diff(a, b):
        return a - b

    def sleep_ms(ms):
        time.sleep(ms / 1000)
