# Runs on the emulated Cortex-M3 (boards/qemu_m3, frozen into a ROMFS image by
# bench/mcu_bench.py): instruction counts (qemu_m3.instructions(); QEMU's
# -icount shift=0 makes them exact and repeatable) for the device path with
# the board's own parts: the ring in SRAM-speed NV memory, littlefs on the C
# NOR flash driver, AES from axtls's C code. Prints one JSON line.
import gc
import json

import qemu_m3

import fakes
import rfc5848_vectors as vec
from boards.common.board import Board
from boards.common.nvregion import MemoryNvram
from boards.common import volume
from boards.host.controller import Controller, Prng, SimClock
from hcdaudit import dsa, ring
from hcdaudit.audit import AuditLog
from hcdaudit.backlog import Backlog
from hcdaudit.cursor import DeliveryCursor
from hcdaudit.sender import Sender
from hcdaudit.signer import Signer
from hcdaudit.syslog import Formatter

SLOTS = 50
SLOT_SIZE = 512
GEOMETRY = {"block_size": 4096, "block_count": 256, "read_size": 32, "prog_size": 32}


class MemoryTransport:
    """A collector in RAM: counts what it is sent (written is delivered)."""
    name = "memory"
    confirms_writes = True
    peer = "memory"

    def __init__(self):
        self.messages = 0
        self.octets = 0
        self._open = False

    def open(self):
        started = not self._open
        self._open = True
        return started

    def send(self, message):
        self.messages += 1
        self.octets += len(message)

    def close(self):
        self._open = False


def device():
    nvram = MemoryNvram(qemu_m3.ram(0x1000, ring.region_size(SLOTS, SLOT_SIZE)))
    nvram.write(0, bytes(nvram.size))
    flash = qemu_m3.RamFlash(0x10000, GEOMETRY["block_size"], GEOMETRY["block_count"])
    for block in range(2):      # blank: volume.mount formats it
        flash.ioctl(6, block)
    vol = volume.mount(flash, GEOMETRY, "/bench")
    vol.makedirs("/store")
    clock = SimClock(fakes.T0_US)
    board = Board(nvram, vol.dir("/store"), SLOTS, SLOT_SIZE, 3000, clock=clock, random=fakes.FakeRandom())
    return board, clock


def mean(values):
    return sum(values) // len(values) if values else 0


def bench_log(events):
    """log() through the simulated controller's mix of events; the calls that
    filled the ring (and so flushed 50 records to the store) apart."""
    board, clock = device()
    log = AuditLog(board, fakes.MASTER_KEY)
    t = qemu_m3.instructions()
    log.boot()
    boot = qemu_m3.instructions() - t
    plain, flushing = [], []
    original = log.log

    def timed(*args, **kwargs):
        flushed_before = log.store.last_seq
        t = qemu_m3.instructions()
        seq = original(*args, **kwargs)
        spent = qemu_m3.instructions() - t
        (flushing if log.store.last_seq != flushed_before else plain).append(spent)
        return seq

    log.log = timed
    controller = Controller(Prng(7), clock)
    for index in range(events):
        controller.next_event(log, index, events)
    t = qemu_m3.instructions()
    overhead = qemu_m3.instructions() - t       # one instructions() call pair
    per_event = mean(plain) - overhead
    return log, clock, {
        "events": len(plain) + len(flushing), "flushes": len(flushing),
        "mcu_instructions_per_event": per_event,
        "mcu_instructions_per_flush": mean(flushing) - overhead - per_event,
        "mcu_instructions_boot": boot,
        "mcu_instructions_per_event_min": min(plain) - overhead,
        "mcu_instructions_per_event_max": max(plain) - overhead,
    }


def bench_signature(rounds=2):
    """One RFC 5848 signature block (32 message hashes, DSA-2048/256)."""
    clock = fakes.FakeClock()
    key = dsa.PrivateKey(vec.KEY_P, vec.KEY_Q, vec.KEY_G, vec.KEY_Y, vec.KEY_X)
    signer = Signer(key, b"printer.example.com", b"hcdaudit", 1, fakes.T0_US, clock, sb_redundancy=0)
    list(signer.blocks_due())
    spent = []
    for i in range(rounds):
        for j in range(32):
            signer.hash_message(b"message %d %d" % (i, j))
        t = qemu_m3.instructions()
        for _ in signer.blocks_due():
            pass
        spent.append(qemu_m3.instructions() - t)
    return {"mcu_instructions_per_signature_block": mean(spent)}


def bench_syslog(log, clock):
    """The sender delivering the backlog bench_log() left to an in-memory
    collector: per message read back from store or ring, formatted (RFC 5424 +
    PWG 5110.3), hashed for RFC 5848; signature blocks counted apart."""
    formatter = Formatter("printer.example.com", "urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84",
                          "ipp://printer.example.com/ipp/print")
    key = dsa.PrivateKey(vec.KEY_P, vec.KEY_Q, vec.KEY_G, vec.KEY_Y, vec.KEY_X)
    signer = Signer(key, formatter.hostname, formatter.app_name, log.boot_count, clock(), clock)
    transport = MemoryTransport()
    sender = Sender(log, formatter, signer, transport, DeliveryCursor(log.store.fs, log.mac_key), Backlog(log),
                    clock, fakes.FakeRandom(b"sender"))
    blocks = [0]
    original = signer.blocks_due

    def timed_blocks(*args, **kwargs):
        t = qemu_m3.instructions()
        out = list(original(*args, **kwargs))
        blocks[0] += qemu_m3.instructions() - t
        return out

    signer.blocks_due = timed_blocks
    t = qemu_m3.instructions()
    rounds = 0
    while not sender.drained() and rounds < 20000:
        if not sender.pump(64):
            clock.now += 1000000
            sender.tick()
        rounds += 1
    total = qemu_m3.instructions() - t
    messages = max(sender.messages, 1)
    return {"syslog_messages": sender.messages, "syslog_blocks": sender.blocks,
            "mcu_instructions_per_syslog_message": (total - blocks[0]) // messages,
            "syslog_octets_per_message": transport.octets // max(transport.messages, 1)}


def main(events=400):
    gc.collect()
    out = {}
    log, clock, figures = bench_log(events)
    out.update(figures)
    out.update(bench_syslog(log, clock))
    out.update(bench_signature())
    gc.collect()
    out["heap_free"] = gc.mem_free()
    print(json.dumps(out))
