# What every reference board freezes into its firmware image, included by
# boards/<name>/manifest.py as include("../manifest_common.py", board="<name>").
# The firmware package (less the CPython HAL) and the board support it needs:
# the profiles table, boards/common (less its CPython side), the host board's
# DirFs (the store-filesystem interface over a mounted VFS) and the board's
# own modules. main.py stays a file on the board's filesystem (it is run, not
# imported); so does stm32's boot.py. No micropython-lib package is needed:
# hashlib, cryptolib, tls, json, socket, vfs are built into the ports.
import os

options.defaults(board=None)
if options.board is None:
    raise ValueError("include manifest_common.py with board=<name>")

_CPYTHON_ONLY = ("hal/cpython.py", "volume_cpython.py")
_NOT_FROZEN = ("main.py", "boot.py", "manifest.py")


def _sources(folder, prefix=""):
    names = []
    for name in sorted(os.listdir(folder)):
        path = folder + "/" + name
        if os.path.isdir(path):
            if name != "__pycache__":
                names.extend(_sources(path, prefix + name + "/"))
        elif name.endswith(".py") and prefix + name not in _CPYTHON_ONLY:
            names.append(prefix + name)
    return names


package("hcdaudit", files=tuple(_sources("../firmware/hcdaudit")), base_path="../firmware", opt=1)
_boards = ["__init__.py", "profiles.py", "host/__init__.py", "host/dirfs.py"]
_boards += ["common/" + n for n in _sources("common") if n not in _CPYTHON_ONLY]
_boards += [options.board + "/" + n for n in _sources(options.board) if n not in _NOT_FROZEN]
package("boards", files=tuple(_boards), base_path="..", opt=1)
