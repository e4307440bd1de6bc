# The whole device path, portable (run under CPython or the MicroPython unix
# port, there with the firmware frozen in a ROMFS image, bench/run.py; or on
# the emulated Cortex-M3 with the firmware frozen into its flash, tests/mcu/full_path.py):
#   <python> bench/full_path.py prepare WORKDIR RECORDS   (CPython: a store filled to RECORDS, all delivered)
#   <python> bench/full_path.py run WORKDIR EVENTS        -> JSON figures
# `run` boots over the prepared NVRAM file and littlefs image, logs EVENTS
# events (every flush of a store at its cap evicts) while the sender delivers
# them as RFC 5848-signed syslog to a file, then drains. A MemoryError (or any
# failure) ends it with a non-zero status: bench/run.py bisects -X heapsize on it.
# The files are the same on every runtime; what reaches them differs:
# memories="host" (the host board's file NVRAM and block device) or
# "qemu_m3" (the emulated board's own parts, boards/qemu_m3: host files
# written through semihosting).
import gc
import json
import sys
import time

if sys.implementation.name != "micropython":
    sys.path[:0] = [".", "firmware", "tests/firmware"]

import fakes  # noqa: E402
from boards.host import flash  # noqa: E402
from boards.host.board import Board  # noqa: E402
from hcdaudit import ring  # noqa: E402
from hcdaudit.audit import AuditLog  # noqa: E402
from hcdaudit.cursor import DeliveryCursor  # noqa: E402

STORE_CAP = 15000
BLOCKS = 1024              # 4 MiB of 4 KiB blocks: the host profile's partition
PUMP_EVERY = 32            # events logged between two sender pumps


def _memories(workdir, memories):
    """(NVRAM, the flash's block device) over WORKDIR's nvram.bin and flash.img."""
    if memories == "qemu_m3":
        import qemu_m3

        from boards.host.board import NVRAM_SIZE
        return (qemu_m3.HostMemory(workdir + "/nvram.bin", NVRAM_SIZE),
                qemu_m3.HostFlash(workdir + "/flash.img", 4096, BLOCKS, flash.PROG_SIZE))
    from boards.host.memory import FileBlockDevice, FileNvram
    return FileNvram(workdir + "/nvram.bin"), FileBlockDevice(workdir + "/flash.img", 4096)


def _board(workdir, seed, memories="host"):
    nv, bdev = _memories(workdir, memories)
    fs = flash.mount(bdev)
    clock = fakes.FakeClock(step_us=20000)
    return Board(nv, fs, store_cap=STORE_CAP, clock=clock, random=fakes.FakeRandom(seed)), clock, fs


def prepare(workdir, records):
    from boards.host.memory import FileBlockDevice, FileNvram
    FileNvram.create(workdir + "/nvram.bin", ring.region_size(50, 512))
    FileBlockDevice.create(workdir + "/flash.img", 4096, BLOCKS)
    flash.mount(FileBlockDevice(workdir + "/flash.img", 4096), format=True).unmount()
    board, _, fs = _board(workdir, b"fill")
    log = AuditLog(board, fakes.MASTER_KEY)
    log.boot()
    while log.store.count < records:
        log.log("print_job", subject="user07", file_name="earlier-%d.pdf" % log.next_seq, pages=2)
    DeliveryCursor(log.store.fs, log.mac_key).save(log.next_seq - 1)
    fs.unmount()
    return {"store_records": log.store.count}


def _heap_stage(stages, name):
    """With `stages` (a dict; MicroPython): the live heap after a collection at
    this point of the run, for a breakdown (tests/mcu/full_path.py); the
    measured runs pass none (these collections would change their heap)."""
    if stages is not None:
        gc.collect()
        stages[name] = gc.mem_alloc()


def run(workdir, events, memories="host", stages=None):
    _heap_stage(stages, "imported")
    if hasattr(gc, "threshold"):
        # The boards' collection policy (boards/common/app.py set_gc_policy,
        # tests/heap_scenario.py): a collection every eighth of the heap left
        # for the run, so what stays alive is allocated low in the heap.
        gc.collect()
        gc.threshold(gc.mem_free() // 8)
    start = time.time()
    board, clock, fs = _board(workdir, b"run", memories)
    log = AuditLog(board, fakes.MASTER_KEY)
    log.boot()
    _heap_stage(stages, "booted")
    # The sender's side is imported once the log is up, as a board's app does
    # (boards/common/bundle.py open_sender): the boot does without it.
    import rfc5848_vectors as vec
    from hcdaudit import dsa
    from hcdaudit.backlog import Backlog
    from hcdaudit.hal.net import open_transport
    from hcdaudit.sender import Sender
    from hcdaudit.signer import Signer
    from hcdaudit.syslog import Formatter
    _heap_stage(stages, "sender_imported")
    formatter = Formatter("printer.example.com", "urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84",
                          "ipp://printer.example.com/ipp/print")
    key = dsa.PrivateKey(vec.KEY_P, vec.KEY_Q, vec.KEY_G, vec.KEY_Y, vec.KEY_X)
    signer = Signer(key, formatter.hostname, formatter.app_name, log.boot_count, clock(), clock)
    sender = Sender(log, formatter, signer, open_transport("file://" + workdir + "/collector.log"),
                    DeliveryCursor(log.store.fs, log.mac_key), Backlog(log), clock, board.random)
    _heap_stage(stages, "sender_ready")
    evicted = log.evicted
    for i in range(events):
        log.log("print_job", subject="user%02d" % (i % 20), interface="ipp", remote_host="10.20.1.%d" % (i % 200),
                file_name="quarterly-report-%05d.pdf" % i, job_uuid="3f1c2a9e-6b0d-4c55-9a1e-%012d" % i,
                pages=1 + i % 30)
        if i % PUMP_EVERY == PUMP_EVERY - 1:
            sender.pump(PUMP_EVERY)
    rounds = 0
    while not sender.drained() and rounds < 100000:
        if not sender.pump(256):
            clock.now += 1000000
        rounds += 1
    _heap_stage(stages, "drained")
    sender.close()
    gc.collect()
    result = {"runtime": sys.implementation.name, "events": events, "store_records": log.store.count,
              "evicted": log.evicted - evicted, "messages": sender.messages, "blocks": sender.blocks,
              "drained": sender.drained(), "seconds": time.time() - start}
    if stages is not None:
        result["heap_stages"] = stages
    fs.unmount()
    if not result["drained"] or not result["evicted"]:
        raise SystemExit("full path incomplete: %r" % result)
    return result


if __name__ == "__main__":
    what, workdir, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(json.dumps(prepare(workdir, count) if what == "prepare" else run(workdir, count)))


def main(workdir, events, memories="host"):
    """Entry point when imported from a frozen image (bench/run.py, tests/mcu/full_path.py)."""
    print(json.dumps(run(workdir, events, memories)))
