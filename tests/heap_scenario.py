# A board's full working day under MicroPython, run from the frozen package
# (tests/heap_budget.py builds it; -X heapsize is the board's budget plus what
# only the emulation puts in the heap: the image and this scenario's modules):
# boot, events with signed syslog delivery, a power cut in the middle of a
# flush, reboot, the rest of the day, delivery of everything. Prints one JSON
# line: the seqs log() returned and the heap figures. The host then reads the
# flash and NVRAM files and the collector file to check that nothing returned
# is missing.
#   heap_scenario.main(BASE, WORKDIR, BOARD, BUDGET, EVENTS, SEED, CUT_AT)
# WORKDIR holds the provisioned device folder (bundle/), flash.img and nvram.bin.
import gc
import json
import sys
import time

from boards import profiles
from boards.host import device
from boards.host.board import Board
from boards.host.dirfs import DirFs
from boards.host.memory import FileBlockDevice, FileNvram
from boards.host.controller import DAY_START_US, Controller, Prng, SimClock
from boards.host.power import CutFs, CutNvram, PowerCut, PowerSupply
from hcdaudit.audit import AuditLog

# The sender's modules, imported at start as an application would (the board
# wiring imports them on first use: after boot, into a fragmented heap).
for _name in ("hcdaudit.backlog", "hcdaudit.cursor", "hcdaudit.dsa", "hcdaudit.sender", "hcdaudit.signer",
              "hcdaudit.syslog", "hcdaudit.hal.net"):
    __import__(_name)

_CHUNK = 256


class FileFlash(FileBlockDevice):
    """NOR flash in a file (off the heap, as flash is): erases in small pieces,
    so the stand-in holds no block-sized buffer a board's driver does not."""

    def __init__(self, path, block_size):
        FileBlockDevice.__init__(self, path, block_size)
        self._erased = b"\xff" * _CHUNK

    def erase(self, block):
        self._file.seek(block * self.block_size)
        for _ in range(self.block_size // _CHUNK):
            self._file.write(self._erased)
        self._file.flush()
        return 0


class FileFram(FileNvram):
    """FRAM in a file: each write reaches the file before write() returns, as
    FRAM commits bytes as they are clocked in. No fsync: the power cuts here are
    simulated in-process, and a disk's fsync would be what the figures measure."""

    def write(self, offset, data):
        self._file.seek(offset)
        self._file.write(data)
        self._file.flush()


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


def open_device(workdir, board_name, clock, mounts=[0]):
    """The board factory (one place to swap for boards/<name>/board.py's
    open_board): FRAM stand-in and littlefs on a flash file with the board's
    geometry from boards/profiles.py."""
    import vfs
    profile = profiles.profile(board_name)
    geo = profile["flash"]
    nvram = FileFram(workdir + "/nvram.bin")
    bdev = FileFlash(workdir + "/flash.img", geo["block_size"])
    options = {"readsize": geo["read_size"], "progsize": geo["prog_size"], "lookahead": 32}
    try:
        lfs = vfs.VfsLfs2(bdev, **options)
    except OSError:
        vfs.VfsLfs2.mkfs(bdev, **options)
        lfs = vfs.VfsLfs2(bdev, **options)
    mounts[0] += 1
    point = "/flash%d" % mounts[0]
    vfs.mount(lfs, point)
    fs = DirFs(point)

    def power_off():
        vfs.umount(point)
        nvram.close()
        bdev.close()
    fs.power_off = power_off
    identity = device.load_identity(workdir + "/device")
    board = Board(nvram, fs, profile["slot_count"], profile["slot_size"], profile["store_cap"], clock=clock)
    return board, identity


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


def main(base, workdir, board_name, budget, events, seed, cut_at):
    """base: gc.mem_alloc() before the first import (the mounted image's share);
    budget: the heap the firmware has (the run's -X heapsize adds the image's
    and the scenario's own share)."""
    try:
        run(base, workdir, board_name, budget, events, seed, cut_at)
    except MemoryError:
        import micropython
        micropython.mem_info()      # how full, and how fragmented (max free), when it ran out
        raise


def run(base, workdir, board_name, budget, events, seed, cut_at):
    # The application's GC policy (boards/common/app.py set_gc_policy): a collection
    # every eighth of the heap allocated.
    gc.threshold(budget // 8)
    heap = Heap(base)
    url = "file://" + workdir + "/collector.log"
    prng = Prng(seed)
    clock = SimClock(DAY_START_US)
    supply = PowerSupply()
    key = device.load_master_key(workdir + "/device")
    state = {"log": None, "sender": None, "fs": None, "boots": 0}

    def boot(reason):
        board, identity = open_device(workdir, board_name, clock)
        state["fs"] = board.fs
        board.nvram = CutNvram(board.nvram, supply)
        board.fs = CutFs(board.fs, supply)
        log = AuditLog(board, key)
        state["recovery"] = log.boot(reason).actions
        state["boots"] += 1
        config = device.collector_config(identity, log)
        config.change(log, "url", url, subject="admin", interface="web", remote_host="10.20.0.5")
        sender = device.open_sender(workdir + "/device", identity, log, clock, settings=config.values)
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
            state["fs"].power_off()
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
    state["fs"].power_off()
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
