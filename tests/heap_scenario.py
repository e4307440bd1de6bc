# A board's full working day under MicroPython, run from the frozen package
# (tests/heap_budget.py builds it; -X heapsize is the board's budget plus what
# only the emulation puts in the heap: the image, this scenario's modules and
# the simulated parts' memories): boards/<name>/board.py wired over the
# simulated peripherals (tests/firmware/sim_peripherals.py) boots, logs events
# with signed syslog delivery, loses power in the middle of a flush, reboots,
# logs the rest of the day and delivers everything. Prints one JSON line: the
# seqs log() returned and the heap figures. The host then reads the flash and
# FRAM (+ backup SRAM) files and the collector file to check that nothing
# returned is missing.
#   heap_scenario.main(BASE, WORKDIR, BOARD, BUDGET, EVENTS, SEED, CUT_AT, FIRMWARE)
# WORKDIR holds the provisioned device folder (device/), the board's flash
# (flash.img: the littlefs partition, the bundle deployed in it), the FRAM
# (fram.bin), on stm32 the backup SRAM (sram.bin) and the key folder (keys/).
# FIRMWARE: the modules the board's application imports, imported first.
import gc
import json
import sys
import time

import sim_peripherals
from boards import profiles
from boards.common import bundle
from boards.host.controller import DAY_START_US, Controller, Prng, SimClock
from boards.host.power import CutFs, CutNvram, PowerCut, PowerSupply
from hcdaudit.audit import AuditLog

FRAM_FILE = "fram.bin"
SRAM_FILE = "sram.bin"
FLASH_FILE = "flash.img"
KEY_DIR = "keys"


class Parts(sim_peripherals.SimPeripherals):
    """One boot's simulated parts. The board caches its mounted volume in a
    plain attribute: no test runner here to unmount what a failed test left."""
    volume = None

    def power_off(self):
        if self.volume is not None:
            self.volume.unmount()
            self.volume = None


def _load(path, mem):
    with open(path, "rb") as f:
        f.readinto(mem)


def open_memories(workdir, board_name):
    """The board's memories from WORKDIR's files: FRAM (and backup SRAM) read
    into the models' own buffers (no second copy in the heap), the flash used
    in place (off the heap, as flash is)."""
    key_dir = workdir + "/" + KEY_DIR if board_name == "stm32" else None
    memories = sim_peripherals.Memories(board_name, flash_path=workdir + "/" + FLASH_FILE, key_dir=key_dir)
    _load(workdir + "/" + FRAM_FILE, memories.fram.mem)
    if memories.sram is not None:
        _load(workdir + "/" + SRAM_FILE, memories.sram.mem)
    return memories


def save_memories(workdir, memories):
    """The FRAM (and backup SRAM) contents into WORKDIR's files: what the next
    run, and the host's check, find."""
    with open(workdir + "/" + FRAM_FILE, "wb") as f:
        f.write(memories.fram.mem)
    if memories.sram is not None:
        with open(workdir + "/" + SRAM_FILE, "wb") as f:
            f.write(memories.sram.mem)
    memories.flash.close()


def board_module(board_name):
    return __import__("boards.%s.board" % board_name, None, None, ["board"])


class Heap:
    """The heap high-water mark, sampled: what is live after a collection
    (what the firmware holds) and the most ever in use between collections."""

    def __init__(self, base):
        self.base = base
        self.live = 0
        self.in_use = 0

    def sample(self, collect):
        used = gc.mem_alloc() - self.base
        if used > self.in_use:
            self.in_use = used
        if collect:
            gc.collect()
            used = gc.mem_alloc() - self.base
            if used > self.live:
                self.live = used


def drain(sender, clock, rounds=600):
    """Pump until the collector has everything (bounded); simulated time passes
    for the signer's idle timer."""
    for _ in range(rounds):
        if sender.drained():
            break
        if not sender.pump(64):
            clock.now += 1000000
            sender.tick()
    return sender.drained()


def main(base, workdir, board_name, budget, events, seed, cut_at, firmware=()):
    """base: gc.mem_alloc() before the first import (the mounted image's share);
    budget: the heap the firmware has (the run's -X heapsize adds the image's,
    the scenario's and the simulated memories' share)."""
    # The simulated memories are the emulation's, not the firmware's: built
    # first (their 32 KiB FRAM in one piece) and taken out of the figures
    # (tests/heap_budget.py measures them the same way and adds them to -X heapsize).
    gc.collect()
    before = gc.mem_alloc()
    memories = open_memories(workdir, board_name)
    gc.collect()
    base += gc.mem_alloc() - before
    for name in firmware:       # as the board's application imports them, before boot
        __import__(name)
    try:
        run(base, memories, workdir, board_name, budget, events, seed, cut_at)
    except MemoryError:
        import micropython
        micropython.mem_info()      # how full, and how fragmented (max free), when it ran out
        raise


def run(base, memories, workdir, board_name, budget, events, seed, cut_at):
    # The application's GC policy (boards/common/app.py set_gc_policy): a collection
    # every eighth of the heap allocated.
    gc.threshold(budget // 8)
    heap = Heap(base)
    board_mod = board_module(board_name)
    url = "file://" + workdir + "/collector.log"
    prng = Prng(seed)
    clock = SimClock(DAY_START_US)
    supply = PowerSupply()
    state = {"log": None, "sender": None, "parts": None, "boots": 0}

    def boot(reason):
        parts = Parts(memories)
        state["parts"] = parts
        board, identity = board_mod.open_board(parts, clock=clock)
        key = board_mod.master_key(parts)       # sealed at the first boot after deploy
        board.nvram = CutNvram(board.nvram, supply)
        board.fs = CutFs(board.fs, supply)
        log = AuditLog(board, key)
        state["recovery"] = log.boot(reason).actions
        state["boots"] += 1
        config = bundle.collector_config(identity, log)
        config.change(log, "url", url, subject="admin", interface="web", remote_host="10.20.0.5")
        sender = bundle.open_sender(board.bundle, identity, log, clock, settings=config.values)
        state["log"], state["sender"] = log, sender
        sender.pump()
        heap.sample(True)

    boot("power-on")
    first = state["log"].next_seq
    returned = bytearray(2 * events + 64)     # returned[seq - first] = 1: log() returned seq
    controller = Controller(prng, clock)
    index = 0
    started = time.ticks_ms()
    log_us = 0          # in the controller's log() calls (the rest: delivery, signing, reboot)
    slots = profiles.profile(board_name)["slot_count"]
    armed = False
    while index < events:
        if index >= cut_at and not armed and state["log"].in_nvram == slots - 1:
            # The next record fills the ring and flushes it: the power goes at
            # the segment's third write (its header and one entry written).
            supply.arm(store_writes=3)
            armed = True
        seq = None
        try:
            t = time.ticks_us()
            seq = controller.next_event(state["log"], index, events)
            log_us += time.ticks_diff(time.ticks_us(), t)
            returned[seq - first] = 1
            index += 1
            heap.sample(False)
            state["sender"].pump()
            state["sender"].tick()
            heap.sample(index % 10 == 0)
        except PowerCut:
            if seq is None:
                index += 1       # the event in progress did not return
            state["sender"].transport.close()      # RAM and connection are gone
            state["log"] = state["sender"] = None
            state["parts"].power_off()
            controller.power_lost()
            clock.now += 20 * 1000000
            boot("power-restored")
    supply.arm()
    elapsed_ms = time.ticks_diff(time.ticks_ms(), started)
    sender = state["sender"]
    drained = drain(sender, clock)
    heap.sample(False)
    sender.close()
    heap.sample(True)
    log = state["log"]
    summary = {
        "board": board_name, "last_seq": log.next_seq - 1, "store_records": log.store.count,
        "evicted": log.evicted, "segments": log.store.segment_count(), "power_cuts": supply.cuts,
        "boots": state["boots"], "recovery": state["recovery"], "drained": drained, "delivered": sender.delivered, "failed": sender.failed,
        "heap_live_peak": heap.live, "heap_in_use_peak": heap.in_use, "heap_base": heap.base,
        "runtime": sys.implementation.name, "events": events, "loop_ms": elapsed_ms,
        "log_ms": log_us // 1000,
    }
    state["parts"].power_off()
    save_memories(workdir, memories)
    state.clear()
    del log, sender
    gc.collect()
    summary["returned"] = runs(returned, first)
    print(json.dumps(summary))


def runs(flags, first):
    """[[a, b], ...]: the runs of seqs (first + index) whose flag is set."""
    out = []
    start = -1
    for i in range(len(flags) + 1):
        if i < len(flags) and flags[i]:
            if start < 0:
                start = i
        elif start >= 0:
            out.append([first + start, first + i - 1])
            start = -1
    return out
