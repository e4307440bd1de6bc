"""The emulated board (boards/qemu_m3) under qemu-system-arm, driven like a
real board over its UART: MicroPython's raw REPL on the emulated PL011-style
CMSDK UART, through QEMU's stdio. The firmware's ROMFS image is loaded into
the board's ROMFS partition by QEMU's loader, as flashing would put it there,
with the power-on block (32 bytes of entropy, the wall clock) beside it.

-icount shift=0: the guest's clock counts executed instructions (1 ns each),
so what the board measures (qemu_m3.instructions()) is an instruction count,
identical from run to run."""
from __future__ import annotations

import os
import select
import struct
import subprocess
import tempfile
import time
from pathlib import Path

QEMU = "qemu-system-arm"
ROMFS_ADDRESS = 0x21000000       # boards/qemu_m3/port/mpconfigboard.mk: MICROPY_HW_ROMFS_PART0_START
BOOT_BLOCK_ADDRESS = 0x20000000  # modqemu_m3.c: the power-on block
POWER_CUT_EXIT_STATUS = 0x5C     # modqemu_m3.c: QEMU's exit status after qemu_m3.cut_power_at()
RAW_PROMPT = b"raw REPL; CTRL-B to exit\r\n>"

# The port mounts the ROMFS partition at /rom at start-up and puts /rom on
# sys.path (MICROPY_VFS_ROM_IOCTL); checked before anything imports from it.
MOUNT_ROMFS = ("import sys, vfs\n"
               "assert any(p == '/rom' for _, p in vfs.mount()), 'no ROMFS image at /rom'\n")


class McuError(RuntimeError):
    """The board raised (the traceback is the message) or stopped answering."""


class PoweredOff(McuError):
    """QEMU ended: a power cut (qemu_m3.cut_power_at) or a crash."""

    def __init__(self, status: int | None, output: bytes):
        super().__init__(f"QEMU ended with status {status}")
        self.status = status
        self.output = output

    @property
    def power_cut(self) -> bool:
        return self.status == POWER_CUT_EXIT_STATUS


def available() -> bool:
    from shutil import which
    return which(QEMU) is not None


class Mcu:
    """One power-on of the board. `seed`: the power-on entropy (fixed for
    reproducible runs); `unix_ns`: the wall clock at power-on; `icount`: the
    guest clock counts instructions (exact, repeatable counts; QEMU runs
    slower), else it follows the host's clock."""

    def __init__(self, elf: Path, romfs: Path | None = None, seed: bytes | None = None,
                 unix_ns: int | None = None, icount: bool = False):
        self._dir = tempfile.TemporaryDirectory(prefix="hcdaudit-mcu-")
        boot = Path(self._dir.name) / "boot.bin"
        seed = os.urandom(32) if seed is None else seed
        unix_ns = time.time_ns() if unix_ns is None else unix_ns
        boot.write_bytes(seed.ljust(32, b"\0")[:32] + struct.pack("<Q", unix_ns))
        cmd = [QEMU, "-machine", "mps2-an385", "-nographic", "-monitor", "null", "-semihosting",
               "-serial", "stdio", "-kernel", str(elf),
               "-device", f"loader,file={boot},addr={BOOT_BLOCK_ADDRESS:#x},force-raw=on"]
        if romfs is not None:
            cmd += ["-device", f"loader,file={romfs},addr={ROMFS_ADDRESS:#x},force-raw=on"]
        if icount:
            cmd += ["-icount", "shift=0"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self._buf = b""
        self._read_until(b">>> ", 30)
        self.proc.stdin.write(b"\x01")
        self.proc.stdin.flush()
        self._read_until(RAW_PROMPT, 30)

    def _read_until(self, marker: bytes, timeout: float, on_line=None) -> bytes:
        end = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while marker not in self._buf:
            left = end - time.monotonic()
            if left <= 0:
                raise McuError(f"no {marker!r} from the board within {timeout:.0f} s; last output: "
                               f"{self._buf[-400:]!r}")
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                status = self.proc.wait()
                raise PoweredOff(status, self._buf)
            self._buf += chunk
            if on_line is not None:
                while b"\n" in self._buf and marker not in self._buf.split(b"\n", 1)[0]:
                    line, self._buf = self._buf.split(b"\n", 1)
                    on_line(line.rstrip(b"\r").decode("utf-8", "replace"))
        out, self._buf = self._buf.split(marker, 1)
        return out

    def exec(self, code: str, timeout: float = 600, on_line=None) -> str:
        """Run `code` in the raw REPL; its printed output. An exception on the
        board raises McuError with the board's traceback; QEMU ending raises
        PoweredOff. on_line(line): called with each output line as it arrives."""
        self.proc.stdin.write(code.encode() + b"\x04")
        self.proc.stdin.flush()
        ok = self._read_until(b"OK", 30)
        if ok.strip():
            raise McuError(f"raw REPL refused the code: {ok!r}")
        out = self._read_until(b"\x04", timeout, on_line)
        err = self._read_until(b"\x04", 30)
        self._read_until(b">", 30)
        if err:
            raise McuError(err.decode("utf-8", "replace").replace("\r\n", "\n"))
        return out.decode("utf-8", "replace").replace("\r\n", "\n")

    def soft_reset(self) -> None:
        """MicroPython's soft reboot (Ctrl-D at the raw REPL): a fresh heap and
        interpreter; memory outside the heap (the RAM flash) is kept."""
        self.proc.stdin.write(b"\x04")
        self.proc.stdin.flush()
        self._read_until(RAW_PROMPT, 60)

    def wait_off(self, timeout: float = 600) -> int:
        """Wait for QEMU to end by itself (an armed power cut); its exit status."""
        try:
            return self.proc.wait(timeout)
        finally:
            self.close()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self._dir.cleanup()

    def __enter__(self) -> "Mcu":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
