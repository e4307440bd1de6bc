"""Instruction counts on the emulated Cortex-M3 (boards/qemu_m3 under
qemu-system-arm with -icount shift=0: the guest clock counts instructions, so
the figures are exact and the same on every run): per log(), per flush of 50
records to the store, per RFC 5848 signature block, per syslog message; and
the time they imply at each reference board's clock.
    python bench/mcu_bench.py      # prints the JSON (also build/mcu/bench.json)
bench/run.py adds rows() to `make bench`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests")]

from mcu import build, qemu  # noqa: E402

SEED = bytes(range(32))             # fixed power-on entropy: a repeatable run
UNIX_NS = 1795392000 * 10 ** 9      # fixed wall clock at power-on
# Reference boards' CPU clocks. At one instruction per cycle, an estimate: the
# RP2040's Cortex-M0+ (Thumb-1 only) needs more instructions for the same
# work, the STM32F767's Cortex-M7 issues up to two per cycle, the ESP32-S3's
# Xtensa LX7 runs a different instruction set; flash wait states and caches
# shift all of them.
CLOCKS_MHZ = {"rp2040": 125, "esp32s3": 240, "stm32": 216}


def image() -> Path:
    files = build.firmware_files()
    for name in ("fakes", "rfc5848_vectors"):
        files[f"{name}.py"] = ROOT / "tests/firmware" / f"{name}.py"
    files["mcu_workload.py"] = ROOT / "bench/mcu_workload.py"
    return build.romfs("bench", files)


def measure(events: int = 400) -> dict:
    elf = build.firmware()
    with qemu.Mcu(elf, image(), seed=SEED, unix_ns=UNIX_NS, icount=True) as mcu:
        mcu.exec(qemu.MOUNT_ROMFS, 30)
        out = mcu.exec(f"import mcu_workload\nmcu_workload.main({events})", 1800)
    figures = json.loads(out.strip().splitlines()[-1])
    figures["firmware_bytes"] = build.firmware_size(elf)["flash"]
    figures["estimated_ms_at_reference_clocks"] = {
        board: {key: round(figures[key] / (mhz * 1000), 3) for key in (
            "mcu_instructions_per_event", "mcu_instructions_per_flush", "mcu_instructions_per_signature_block",
            "mcu_instructions_per_syslog_message")}
        for board, mhz in CLOCKS_MHZ.items()}
    (ROOT / "build/mcu").mkdir(parents=True, exist_ok=True)
    (ROOT / "build/mcu/bench.json").write_text(json.dumps(figures, indent=1))
    return figures


def rows() -> list[tuple[str, str]]:
    if not qemu.available():
        return [("emulated Cortex-M3: qemu-system-arm missing", "-")]
    f = measure()
    out = [("emulated Cortex-M3 (qemu mps2-an385, -icount): instructions, exact", "")]
    for key, label in (("mcu_instructions_per_event", "per log() (ring write; controller's event mix)"),
                       ("mcu_instructions_per_flush", "per flush (50 records to the littlefs store)"),
                       ("mcu_instructions_per_signature_block", "per RFC 5848 signature block (DSA-2048/256)"),
                       ("mcu_instructions_per_syslog_message", "per syslog message (read, format, hash)")):
        times = ", ".join(f"{b} {f['estimated_ms_at_reference_clocks'][b][key]:.2f} ms" for b in CLOCKS_MHZ)
        out.append((f"  {label}", f"{f[key]:,}"))
        out.append((f"    estimate at 1 instr/cycle: {times}", ""))
    out.append(("  firmware image (text + data)", f"{f['firmware_bytes']:,} B"))
    return out


if __name__ == "__main__":
    print(json.dumps(measure(), indent=1))
