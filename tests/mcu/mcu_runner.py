# Runs on the emulated board (frozen into the test ROMFS next to the firmware):
# the portable firmware tests (tests/firmware/test_*.py), as tests/run_firmware.py
# runs them on the unix port, one module at a time as the host asks
# (tests/mcu/run_tests.py). One line per test: "PASS name", "FAIL name" (then
# the traceback), or "NONET name" for a test that needs a network stack
# (`socket`, or `tls` for a TLS transport), which this board has not.
import gc
import sys


def _needs_network(exc):
    """No `socket` module, or the sender's clear refusal of a TLS transport without `tls`."""
    return (isinstance(exc, ImportError) and "socket" in str(exc)) or \
        (isinstance(exc, ValueError) and "no `tls` module" in str(exc))


def run_module(name, pattern=None):
    import support
    try:
        module = __import__(name)
    except Exception as exc:
        print("NONET" if _needs_network(exc) else "FAIL", name + ".<import>")
        sys.print_exception(exc)
        return
    for test_name in sorted(n for n in dir(module) if n.startswith("test_")):
        full = name + "." + test_name
        if pattern and pattern not in full:
            continue
        support.reset()
        try:
            getattr(module, test_name)()
        except Exception as exc:
            if _needs_network(exc):
                print("NONET", full)
            else:
                print("FAIL", full)
                sys.print_exception(exc)
        else:
            print("PASS", full)
        finally:
            support.cleanup()
            gc.collect()
    del sys.modules[name]
    gc.collect()
