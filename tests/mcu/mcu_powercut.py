# Runs on the emulated board (frozen into the power-cut ROMFS image; driven by
# tests/mcu/powercut.py): the board's own kind of parts, kept in host files
# that outlive QEMU: the ring in FRAM-like NV memory (qemu_m3.HostMemory),
# the store on littlefs on a NOR flash (qemu_m3.HostFlash). Each run boots the
# audit log (recovering what the last power cut left), logs the controller's
# events and prints "SEQ n" as each log() returns; armed, the board loses power
# (QEMU ends) at a given instruction count after the ring's next flush starts.
import json

import qemu_m3

import fakes
from boards.common import volume
from boards.common.board import Board, runtime_hal
from boards.host.controller import Controller, Prng, SimClock
from hcdaudit import ring
from hcdaudit.audit import AuditLog
from hcdaudit.reader import Reader

SLOTS = 50
SLOT_SIZE = 512
CAP = 3000
GEOMETRY = {"block_size": 4096, "block_count": 256, "read_size": 32, "prog_size": 32}


def parts(workdir):
    nvram = qemu_m3.HostMemory(workdir + "/nvram.bin", ring.region_size(SLOTS, SLOT_SIZE))
    flash = qemu_m3.HostFlash(workdir + "/flash.bin", GEOMETRY["block_size"], GEOMETRY["block_count"],
                              GEOMETRY["prog_size"])
    vol = volume.mount(flash, GEOMETRY, "/flash")
    vol.makedirs("/store")
    return nvram, vol


def run(workdir, boot_index, events, cut_after):
    """Boot, then log `events` events; cut_after (instructions after a flush
    starts, 0: no cut) arms the cut at the first flush."""
    nvram, vol = parts(workdir)
    clock = SimClock(fakes.T0_US + boot_index * 3600 * 1000000)
    board = Board(nvram, vol.dir("/store"), SLOTS, SLOT_SIZE, CAP, clock=clock)
    log = AuditLog(board, fakes.MASTER_KEY)
    actions = log.boot("power-restored" if boot_index else "power-on").actions
    print("BOOT " + json.dumps({"actions": actions, "next_seq": log.next_seq}))
    controller = Controller(Prng(boot_index + 1), clock)
    for index in range(events):
        if cut_after and log.in_nvram == SLOTS - 1:
            # the next record fills the ring: its log() flushes 50 records
            qemu_m3.cut_power_at(qemu_m3.instructions() + cut_after)
            cut_after = 0
        clock.now += 1000000
        seq = controller.next_event(log, index, events)
        print("SEQ %d" % seq)
    print("DONE")


def present(workdir):
    """The seqs the flash and NV memory hold, as runs [[a, b], ...], and the reader's verdict."""
    nvram, vol = parts(workdir)
    reader = Reader(vol.dir("/store"), nvram, fakes.MASTER_KEY, SLOTS, SLOT_SIZE, runtime_hal().Aes)
    seqs = sorted(r["seq"] for r in reader.records())
    runs = []
    for seq in seqs:
        if runs and seq == runs[-1][1] + 1:
            runs[-1][1] = seq
        else:
            runs.append([seq, seq])
    findings = [f.verdict for f in reader.report.findings]
    print(json.dumps({"runs": runs, "intact": reader.report.intact(), "findings": findings}))
