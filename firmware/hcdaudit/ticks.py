# Millisecond ticks for timeouts: MicroPython's time functions, with their
# CPython equivalents (monotonic, so a clock step never fires or delays one).
try:
    from time import ticks_diff, ticks_ms
except ImportError:
    import time as _time

    def ticks_ms():
        return int(_time.monotonic() * 1000)

    def ticks_diff(a, b):
        return a - b
