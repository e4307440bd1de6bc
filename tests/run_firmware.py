# Runs the portable firmware tests (tests/firmware/test_*.py) under whichever
# interpreter runs this file: CPython or the MicroPython unix port.
# Usage: <python|micropython> tests/run_firmware.py [--runtime NAME] [--torture] [-k SUBSTRING]
import os
import sys

HERE = __file__.rpartition("/")[0] or "."
ROOT = HERE + "/.."
for path in (ROOT, ROOT + "/firmware", HERE + "/firmware"):
    sys.path.insert(0, path)

import support  # noqa: E402  (tests/firmware/support.py, found through sys.path)


def print_failure(exc):
    if hasattr(sys, "print_exception"):
        sys.print_exception(exc)
    else:
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)


def main(argv):
    runtime = sys.implementation.name
    pattern = None
    i = 1
    while i < len(argv):
        if argv[i] == "--runtime":
            i += 1
            if argv[i] != runtime:
                print("asked for runtime %s but running under %s" % (argv[i], runtime))
                return 2
        elif argv[i] == "--torture":
            support.TORTURE = True
        elif argv[i] == "-k":
            i += 1
            pattern = argv[i]
        i += 1
    if os.getenv("HCDAUDIT_TORTURE"):
        support.TORTURE = True
    modules = sorted(n[:-3] for n in os.listdir(HERE + "/firmware")
                     if n.startswith("test_") and n.endswith(".py"))
    passed = failed = 0
    for name in modules:
        module = __import__(name)
        for test_name in sorted(n for n in dir(module) if n.startswith("test_")):
            full = name + "." + test_name
            if pattern and pattern not in full:
                continue
            support.reset()
            try:
                getattr(module, test_name)()
            except Exception as exc:  # a test's failure must not stop the others
                failed += 1
                print("FAIL", full)
                print_failure(exc)
            else:
                passed += 1
            finally:
                support.cleanup()
    print("%s: %d passed, %d failed" % (runtime, passed, failed))
    if passed == 0:
        print("no firmware test ran")
        return 1
    return 1 if failed else 0


sys.exit(main(sys.argv))
