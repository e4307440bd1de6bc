# Runs on the emulated board (frozen into the test ROMFS next to the firmware):
# the portable firmware tests (tests/firmware/test_*.py), as tests/run_firmware.py
# runs them on the unix port, one module at a time as the host asks
# (tests/mcu/run_tests.py). One line per test: "PASS name", "FAIL name" (then
# the traceback), or "NOTRUN name reason" for a test that needs what this board
# has not: a network stack (`socket`, or `tls` for a TLS transport), or what a
# test names by raising support.NotOnThisPort (asyncio, a host-sized heap).
import gc
import sys


def _needs_network(exc):
    """No `socket` module, or the sender's clear refusal of a TLS transport without `tls`."""
    return (isinstance(exc, ImportError) and "socket" in str(exc)) or \
        (isinstance(exc, ValueError) and "no `tls` module" in str(exc))


def _not_run(exc):
    """Why a test cannot run on this port (None: it failed)."""
    if _needs_network(exc):
        return "needs a network stack"
    import support
    if isinstance(exc, support.NotOnThisPort):
        return str(exc)
    return None


def run_module(name, pattern=None):
    import support
    support.ON_MCU = True
    try:
        module = __import__(name)
    except Exception as exc:
        reason = _not_run(exc)
        if reason is None:
            print("FAIL", name + ".<import>")
        else:
            print("NOTRUN", name + ".<import>", reason)
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
            reason = _not_run(exc)
            if reason is not None:
                print("NOTRUN", full, reason)
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
