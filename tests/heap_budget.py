"""`make test-heap`: every reference board's firmware runs a full scenario under
the MicroPython unix port within the board's heap budget (boards/profiles.py).

Per board, its own wiring (boards/<name>/board.py open_board() and
master_key()) over the simulated peripherals (tests/firmware/sim_peripherals.py:
the FRAM on its I2C model, the NOR flash in a file, stm32's backup SRAM and key
folder, esp32s3's NVS): a device provisioned for the board, its bundle deployed
to the board's littlefs and its store filled to its cap (earlier days, already
delivered: the worst case, a full segment index, and every flush from then on
evicts; filled on CPython, the memories kept in files); then, under
`micropython -X heapsize=<budget + emulation>`, the firmware as a frozen
package (tests/romfs_image.py) boots (sealing the master key in the board's key
store), logs a working day of events while delivering them as signed syslog to
a collector file, loses power in the middle of a flush, reboots and delivers
everything (tests/heap_scenario.py). The FRAM driver, the NV region (stm32: the
backup-SRAM + FRAM composite), the littlefs volume and the key store are all in
the measured heap. The host then checks, with its own code, that every seq
log() returned is in the flash + NVRAM images and in the collector file, and
that every RFC 5848 signature verifies.

Fails on MemoryError (or any other failure). Prints the heap figures.
    python tests/heap_budget.py [--board NAME]... [--events N] [--heap-kib K]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "firmware"), str(ROOT / "host_tools"), str(ROOT / "tests"),
                str(ROOT / "tests/firmware")]

import heap_scenario  # noqa: E402
import romfs_image  # noqa: E402
from boards import profiles  # noqa: E402

MICROPYTHON = str(Path(sys.executable).with_name("micropython"))
EVENTS = 400
SEED = 7
CUT_AT = 150          # the power cut lands in the first flush after this event
FILL_MARGIN = 60      # the store is filled to its cap less this: the scenario's flushes evict


class ScenarioFailed(AssertionError):
    pass


def boards() -> list[str]:
    return [name for name, p in profiles.BOARDS.items() if name != "host" and not p.get("emulated")]


# The scenario and the simulated peripherals it wires the board over: the
# harness's share of the image, not the firmware's.
HARNESS_FILES = {"heap_scenario.py": ROOT / "tests/heap_scenario.py",
                 **{f"{name}.py": ROOT / "tests/firmware" / f"{name}.py"
                    for name in ("sim_peripherals", "i2c_fram_model", "sim_flash", "sim_spi_nor", "sim_nvs")}}


def image_for(board: str) -> bytes:
    return romfs_image.build(romfs_image.package_files(board, HARNESS_FILES))


def prepare(board: str, work: Path) -> dict:
    """A provisioned device, its bundle deployed to the board's flash (as `make
    deploy` does), the store filled to its cap through the board's own wiring,
    every earlier record delivered; the flash, FRAM (and backup SRAM) in
    work's files. Returns the fill's figures."""
    import sim_peripherals
    from boards.host import controller as sim
    from hcdaudit.audit import AuditLog
    from hcdaudit.cursor import DeliveryCursor
    from hcdaudit_host.provision import provision
    profile = profiles.profile(board)
    device = work / "device"
    provision(device, f"heap-{board}", f"HB-{board}", board=board)
    key = (device / "bundle/master.key").read_bytes()
    (work / heap_scenario.KEY_DIR).mkdir()
    board_mod = heap_scenario.board_module(board)
    # The board's whole littlefs partition, in a file (not in the heap).
    memories = sim_peripherals.Memories(board, profile["flash"]["block_count"],
                                        flash_path=str(work / heap_scenario.FLASH_FILE),
                                        key_dir=str(work / heap_scenario.KEY_DIR) if board == "stm32" else None)
    parts = heap_scenario.Parts(memories)
    sim_peripherals.install_bundle(board_mod, parts, str(device / "bundle"))
    # ... and its integrity root from the escrow into the board's NVRAM, as deploy does
    from boards.common import root_install
    from boards.host import device as host_device
    root_install.install(board_mod, host_device.load_identity(str(device))["uuid"],
                         host_device.escrowed_integrity_root(str(device)), peripherals=parts)
    clock = sim.SimClock(sim.DAY_START_US - 40 * 86400 * 1000000)
    board_obj, _ = board_mod.open_board(parts, clock=clock)
    # The key from the host's copy: master_key() would seal it, and the measured
    # run's first boot is the one after deploy that does.
    log = AuditLog(board_obj, key)
    log.boot()
    controller = sim.Controller(sim.Prng(SEED + 1), clock)
    target = profile["store_cap"] - FILL_MARGIN
    index = 0
    while log.store.count < target:
        controller.next_event(log, index, 10 ** 9)
        index += 1
    DeliveryCursor(log.store.fs, log.mac_key).save(log.next_seq - 1)
    parts.power_off()
    heap_scenario.save_memories(str(work), memories)
    return {"filled_records": log.store.count, "filled_last_seq": log.next_seq - 1}


def nvram_image(board: str, work: Path) -> bytes:
    """The ring region as the board's NV parts hold it (what `--nvram` takes):
    the FRAM's first bytes; on stm32 the A/B header from the backup SRAM and the
    slots from the FRAM at the same offsets (boards/stm32/board.py open_nvram)."""
    from hcdaudit import ring
    profile = profiles.profile(board)
    size = ring.region_size(profile["slot_count"], profile["slot_size"])
    fram = (work / heap_scenario.FRAM_FILE).read_bytes()
    if board == "stm32":
        sram = (work / heap_scenario.SRAM_FILE).read_bytes()
        return sram[:ring.HEADERS_SIZE] + fram[ring.HEADERS_SIZE:size]
    return fram[:size]


# What a board's application imports to log and deliver: the measured "frozen
# package" (its hcdaudit modules, the board's wiring and boards.common). The
# scenario's own parts (the simulated controller, the power-cut wrappers, the
# simulated peripherals) are imported after these, so what they add is theirs.
FIRMWARE_MODULES = ("hcdaudit.audit", "hcdaudit.events", "hcdaudit.lockout", "hcdaudit.sender", "hcdaudit.signer",
                 "hcdaudit.syslog", "hcdaudit.dsa", "hcdaudit.backlog", "hcdaudit.cursor",
                 "hcdaudit.collector_config", "hcdaudit.hal.net", "hcdaudit.hal.micropython", "boards.profiles",
                 "boards.common.app", "boards.common.board", "boards.common.bundle", "boards.common.fram",
                 "boards.common.keystore", "boards.common.mcu", "boards.common.netif", "boards.common.ntp",
                 "boards.common.nvregion", "boards.common.volume", "boards.host.dirfs")
HARNESS_MODULES = ("sim_peripherals", "heap_scenario")


def firmware_modules(board: str) -> tuple[str, ...]:
    """FIRMWARE_MODULES and the board's own modules (stm32: its SPI NOR driver)."""
    extra = ("boards.common.spi_nor",) if board == "stm32" else ()
    return FIRMWARE_MODULES + extra + (f"boards.{board}.board",)


IMPORTS_SNIPPET = """
import gc, time, json, sys, micropython
micropython.qstr_info()
gc.collect(); _a = gc.mem_alloc(); _t = time.ticks_us()
for _m in {firmware!r}:
    __import__(_m)
_t = time.ticks_diff(time.ticks_us(), _t)
micropython.qstr_info()
gc.collect(); _b = gc.mem_alloc()
for _m in {harness!r}:
    __import__(_m)
gc.collect(); _c = gc.mem_alloc()
_m = sys.modules["heap_scenario"].open_memories({work!r}, {board!r})
gc.collect(); _d = gc.mem_alloc()
_m.flash.close()
print(json.dumps({{"image_heap": _a, "firmware_import": _b - _a, "harness_import": _c - _b,
                  "memories_heap": _d - _c, "import_us": _t}}))
"""


def _micropython(code: str, heap_bytes: int, cwd: Path, timeout: float) -> tuple[dict | None, str]:
    proc = subprocess.run([MICROPYTHON, "-X", f"heapsize={heap_bytes}", "-c", code], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout, env=dict(os.environ, MICROPYPATH=""))
    if proc.returncode:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        return None, "\n".join(lines[-12:])
    lines = proc.stdout.strip().splitlines()
    result = json.loads(lines[-1])
    pools = [int(line.rsplit("n_total_bytes=", 1)[1]) for line in lines if line.startswith("qstr pool:")]
    if len(pools) == 2:     # micropython.qstr_info() before and after importing the firmware
        result["qstr_heap"] = pools[1] - pools[0]
    return result, ""


def measure_imports(board: str, image: Path, work: Path, heap_bytes: int = 4 * 1024 * 1024) -> dict:
    """Heap taken by the mounted image, by importing the firmware from it (and the
    time that takes), by the scenario's own modules and by the simulated memories
    (the FRAM and backup SRAM models' contents; a roomy heap by default), over
    the filled memories."""
    restore_filled(work)
    code = romfs_image.mount_snippet(image, image.stat().st_size) + IMPORTS_SNIPPET.format(
        firmware=firmware_modules(board), harness=HARNESS_MODULES, work=str(work), board=board)
    result, error = _micropython(code, heap_bytes, work, 60)
    if result is None:
        raise ScenarioFailed(f"importing the firmware from its image failed:\n{error}")
    if "qstr_heap" not in result:
        raise ScenarioFailed("micropython.qstr_info() printed no qstr pool figures")
    return result


def run_scenario(board: str, work: Path, image: Path, budget: int, figures: dict, events: int = EVENTS,
                 timeout: float = 300) -> tuple[dict | None, str]:
    """Run the scenario once with `budget` bytes of heap for the firmware, on the
    filled memories. (result, error text): result None when the run failed
    (the text says why)."""
    (work / "collector.log").unlink(missing_ok=True)
    restore_filled(work)
    code = romfs_image.mount_snippet(image, image.stat().st_size) + \
        "import gc\ngc.collect()\n_base = gc.mem_alloc()\nimport heap_scenario\n" \
        "heap_scenario.main(_base, %r, %r, %d, %d, %d, %d, %r)\n" % (
            str(work), board, budget, events, SEED, CUT_AT, firmware_modules(board))
    return _micropython(code, scenario_heap(budget, figures), work, timeout)


def verify(work: Path, result: dict) -> list[str]:
    """What the host finds wrong with the device's flash, NVRAM and collector file."""
    from hcdaudit_host import source, syslog_verify
    problems = []
    (work / "nvram.bin").write_bytes(nvram_image(result["board"], work))
    src = source.open_image(work / heap_scenario.FLASH_FILE, work / "nvram.bin", work / "device/escrow")
    present = {record["seq"] for record in src.records()}
    report = src.reader.report
    returned = [seq for a, b in result["returned"] for seq in range(a, b + 1)]
    missing = [seq for seq in returned if seq not in present]
    if missing:
        problems.append(f"{len(missing)} returned seqs missing from flash + NVRAM: {missing[:10]}")
    if not report.intact():
        problems.append(f"store findings: {[f.as_dict() for f in report.findings if f.verdict in ('modified', 'missing', 'duplicate', 'reordered', 'truncated', 'quarantined', 'unaudited')]}")
    if not report.evicted_count:
        problems.append("no eviction happened: the scenario must run at the store's cap")
    collector = work / "collector.log"
    sent = set()
    for line in collector.read_bytes().split(b"\n"):
        cut = line.find(b' seq="')
        if cut > 0 and b"[ssign" not in line:
            sent.add(int(line[cut + 6:line.index(b'"', cut + 6)]))
    undelivered = [seq for seq in returned if seq not in sent]
    if undelivered:
        problems.append(f"{len(undelivered)} returned seqs never reached the collector: {undelivered[:10]}")
    signed = syslog_verify.verify([collector], [work / "device/escrow/syslog-signing.pem"])
    if signed["findings"]:
        problems.append(f"signed syslog findings: {signed['findings'][:3]}")
    if not signed["verified"]:
        problems.append("no message verified against a signature block")
    result["signature_blocks_verified"] = signed["verified"]
    if result["power_cuts"] != 1 or result["boots"] != 2:
        problems.append(f"expected one power cut and a reboot, got {result['power_cuts']} / {result['boots']}")
    elif "completed interrupted flush" not in result["recovery"]:
        problems.append(f"the power cut did not land in a flush: reboot did {result['recovery']}")
    return problems


MEMORY_FILES = (heap_scenario.FLASH_FILE, heap_scenario.FRAM_FILE, heap_scenario.SRAM_FILE)


def restore_filled(work: Path) -> None:
    """The board's memories as the fill left them; an empty key store (the
    bundle's master.key is sealed again by the run's first boot)."""
    for name in MEMORY_FILES:
        if (work / (name + ".filled")).exists():
            shutil.copy(work / (name + ".filled"), work / name)
    shutil.rmtree(work / heap_scenario.KEY_DIR)
    (work / heap_scenario.KEY_DIR).mkdir()


def setup_board(board: str, base: Path) -> tuple[Path, Path, dict]:
    """(work folder, image, figures): the filled device and the firmware image of a board."""
    work = base / board
    work.mkdir()
    figures = prepare(board, work)
    image = work / "firmware.rom"
    image.write_bytes(image_for(board))
    figures["image"] = image.stat().st_size
    for name in MEMORY_FILES:
        if (work / name).exists():
            shutil.move(work / name, work / (name + ".filled"))
    figures.update(measure_imports(board, image, work))
    return work, image, figures


def scenario_heap(budget: int, figures: dict) -> int:
    """-X heapsize for a budget: the board's heap plus what only the unix-port
    emulation puts in it, each measured: the image (flash on a board), the
    qstr pools the firmware's names fill when its modules load from ROMFS (a
    frozen build has them in its ROM qstr pool), the scenario's own modules (the
    controller and the simulated peripherals are not the firmware) and the
    simulated memories' contents (FRAM, backup SRAM)."""
    return budget + figures["image_heap"] + figures["qstr_heap"] + figures["harness_import"] + \
        figures["memories_heap"]


def smallest_budget(board: str, work: Path, image: Path, figures: dict, low: int, high: int,
                    step: int = 2048, events: int = EVENTS) -> int | None:
    """The smallest budget (a multiple of `step` in [low, high]) at which the scenario
    runs: the firmware's real heap need, fragmentation included. None if even high fails."""
    def runs(budget: int) -> bool:
        return run_scenario(board, work, image, budget, figures, events)[0] is not None
    if not runs(high):
        return None
    low, high = low // step, high // step        # high passes; find the lowest passing
    while low < high:
        middle = (low + high) // 2
        if runs(middle * step):
            high = middle
        else:
            low = middle + 1
    return high * step


def check_board(board: str, base: Path, heap_kib: int | None, events: int, smallest: bool = False) -> dict:
    work, image, figures = setup_board(board, base)
    budget = heap_kib * 1024 if heap_kib else profiles.profile(board)["heap"]
    heap = scenario_heap(budget, figures)
    result, error = run_scenario(board, work, image, budget, figures, events)
    outcome = {"board": board, "budget": budget, "heapsize": heap, **figures}
    if smallest:
        outcome["smallest_budget"] = smallest_budget(board, work, image, figures, 32 * 1024, max(budget, 512 * 1024),
                                                     events=events)
    if result is None:
        outcome["problems"] = ["MemoryError at the budget" if "MemoryError" in error else "the run failed"]
        outcome["error"] = error
        return outcome
    outcome.update(result)
    outcome["problems"] = verify(work, outcome)
    return outcome


def describe(o: dict) -> str:
    head = (f"{o['board']:8} budget {o['budget'] // 1024} KiB: -X heapsize={o['heapsize']:,} = budget + image "
            f"{o['image_heap']:,} B + firmware qstr pools {o['qstr_heap']:,} B + scenario modules {o['harness_import']:,} B + simulated memories "
            f"{o['memories_heap']:,} B\n"
            f"    frozen package: {o['firmware_import']:,} B of heap to import from ROMFS, {o['qstr_heap']:,} B of it "
            f"qstr pools ({o['import_us'] / 1000:.1f} ms)")
    if "smallest_budget" in o:
        head += f"\n    smallest budget that runs: {o['smallest_budget'] // 1024 if o['smallest_budget'] else '>512'} KiB"
    if "heap_live_peak" not in o:
        return head + "\n    FAIL: " + "; ".join(o["problems"]) + "\n    " + o.get("error", "").replace("\n", "\n    ")
    # qstr pools: on the unix port the firmware's names fill them as its modules
    # load from ROMFS; a frozen build keeps them in flash, so they are not the firmware's heap
    firmware = o["heap_live_peak"] - o["harness_import"] - o["qstr_heap"]
    body = (f"\n    store at cap ({o['filled_records']:,} records) + {sum(b - a + 1 for a, b in o['returned'])} records returned, "
            f"{o['power_cuts']} power cut, {o['boots']} boots, {o['evicted']:,} evicted, "
            f"{o['delivered'] - o['filled_last_seq']} delivered, {o['signature_blocks_verified']} messages "
            f"signature-verified\n    heap high-water (live, sampled): firmware {firmware:,} B without qstr pools "
            f"({100 * firmware / o['budget']:.0f}% of the budget); in use incl. garbage "
            f"{o['heap_in_use_peak'] - o['harness_import'] - o['qstr_heap']:,} B")
    if o["problems"]:
        return head + body + "\n    FAIL: " + "; ".join(o["problems"])
    return head + body + "\n    ok"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--board", action="append", choices=boards())
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--heap-kib", type=int, help="override the budget (exploration, not a test)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--smallest", action="store_true",
                        help="also find the smallest budget that runs (bisection: slow)")
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="hcdaudit-heap-"))
    names = args.board or boards()
    try:
        with ThreadPoolExecutor(len(names)) as pool:
            outcomes = list(pool.map(lambda b: check_board(b, base, args.heap_kib, args.events, args.smallest),
                                     names))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print(f"work folder: {base}")
    for o in outcomes:
        print(describe(o))
    failed = [o["board"] for o in outcomes if o["problems"]]
    print(f"heap budget: {len(outcomes) - len(failed)} boards ok, {len(failed)} failed"
          + (f" ({', '.join(failed)})" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
