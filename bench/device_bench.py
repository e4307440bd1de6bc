# Portable benchmark of the device path, run under CPython and MicroPython:
#   <python> bench/device_bench.py append WORKDIR EVENTS     -> JSON figures
#   <python> bench/device_bench.py boot WORKDIR               -> JSON figures (store filled by `fill`)
#   <python> bench/device_bench.py fill WORKDIR RECORDS      (a realistic mix: every record differs)
# Flash is a file-backed littlefs image (so the image is not on the heap being
# measured); NVRAM is a file standing in for FRAM.
import gc
import json
import sys
import time

if sys.implementation.name != "micropython":
    sys.path[:0] = [".", "firmware", "tests/firmware"]

import fakes as support  # noqa: E402  (FakeClock, FakeRandom, MASTER_KEY)
from boards.host import flash  # noqa: E402
from boards.host.board import Board  # noqa: E402
from boards.host.dirfs import DirFs  # noqa: E402
from boards.host.memory import FileBlockDevice, FileNvram  # noqa: E402
from hcdaudit import ring  # noqa: E402
from hcdaudit.audit import AuditLog  # noqa: E402

MICRO = sys.implementation.name == "micropython"


class CountingFlash(FileBlockDevice):
    def __init__(self, path, block_size):
        FileBlockDevice.__init__(self, path, block_size)
        self.programmed = 0
        self.erases = 0

    def writeblocks(self, block, buf, offset=None):
        self.programmed += len(buf)
        return FileBlockDevice.writeblocks(self, block, buf, offset)

    def erase(self, block):
        self.erases += 1
        return FileBlockDevice.erase(self, block)


class CountingNvram(FileNvram):
    written = 0

    def write(self, offset, data):
        self.written += len(data)
        FileNvram.write(self, offset, data)


def heap_used():
    gc.collect()
    return gc.mem_alloc() if MICRO else 0



def micropython_mem_total():
    """Bytes allocated so far (MicroPython's heap statistics; 0 on CPython)."""
    if not MICRO:
        return 0
    import micropython
    return micropython.mem_total()


def append(workdir, events):
    FileNvram.create(workdir + "/nvram.bin", ring.region_size(50, 512))
    FileBlockDevice.create(workdir + "/flash.img", 4096, 512)       # 2 MiB partition
    nv = CountingNvram(workdir + "/nvram.bin")
    bdev = CountingFlash(workdir + "/flash.img", 4096)
    fs = flash.mount(bdev, format=True)
    # The calls' arguments are made before the clock starts (and before the heap
    # is counted): a device has its strings already (from the job, the network),
    # and what is timed and counted is the audit path, not the bench's string
    # formatting. _CALLS distinct calls (one turn of the mix), cycled.
    calls = [varied_event(i) for i in range(_CALLS)]
    before = heap_used()
    log = AuditLog(Board(nv, fs, clock=support.FakeClock(), random=support.FakeRandom()), support.MASTER_KEY)
    log.boot()
    base_prog, base_erase, base_nv, base_syncs = bdev.programmed, bdev.erases, nv.written, bdev.syncs
    allocated = micropython_mem_total()
    start = time.time_ns()
    for i in range(events):
        event, arguments = calls[i % _CALLS]
        log.log(event, **arguments)
    elapsed = (time.time_ns() - start) / 1e9
    allocated = micropython_mem_total() - allocated
    # Sealed and plain sizes: the mean over the ring's last records (the mix's
    # kinds in proportion), each entry whole (format v2) as NVRAM and the store hold it.
    newest = log.next_seq - 1
    recent = [log.ring.read(seq % 50) for seq in range(max(1, newest - 49), newest + 1)]
    result = {
        "runtime": sys.implementation.name, "events": events, "seconds": elapsed,
        "events_per_sec": events / elapsed,
        "sealed_slot_bytes": sum(len(slot.entry) for slot in recent) / len(recent),
        "sealed_slot_bytes_max": max(len(slot.entry) for slot in recent),
        "plaintext_bytes": sum(len(slot.plaintext) for slot in recent) / len(recent),
        "nvram_bytes_per_event": (nv.written - base_nv) / events,
        "flash_bytes_per_event": (bdev.programmed - base_prog) / events,
        "erases_per_event": (bdev.erases - base_erase) / events,
        "flash_syncs_per_event": (bdev.syncs - base_syncs) / events,
        "store_records": log.store.count,
        "heap_held_after": heap_used() - before,
        "allocated_per_event": allocated / events,
    }
    fs.unmount()
    return result


_CALLS = 20
_NAMES = ("report", "invoice", "minutes", "slides", "contract", "timesheet", "poster", "letter")


def varied_event(i):
    """Event i of a realistic, deterministic mix, as (event, keyword arguments):
    jobs of every kind with their own subject, file name, job UUID, page count
    and host, and the logins, logouts and failures around them."""
    who, host = "user%02d" % (i * 7 % 23), "10.20.%d.%d" % (i % 5, 1 + i * 13 % 200)
    uuid = "%08x-6b0d-4c55-9a1e-%012d" % (i * 2654435761 % 2**32, i)
    pages, kind = 1 + i * 11 % 47, i % 20
    if kind < 11:
        return "print_job", {"subject": who, "interface": "ipp", "remote_host": host, "job_uuid": uuid,
                             "job_id": i, "file_name": "%s-%05d.pdf" % (_NAMES[i % 8], i * 37 % 100000),
                             "pages": pages}
    if kind < 14:
        return "copy_job", {"subject": who, "interface": "panel", "job_uuid": uuid, "job_id": i, "pages": pages}
    if kind < 16:
        return "scan_job", {"subject": who, "interface": "panel", "job_uuid": uuid, "job_id": i, "pages": pages,
                            "destination": "%s@example.com" % who}
    if kind < 18:
        return "login", {"subject": who, "interface": "web", "remote_host": host, "auth_method": "password"}
    if kind == 18:
        return "logout", {"subject": who, "interface": "web", "remote_host": host, "reason": "idle timeout"}
    return "login_failure", {"subject": who, "interface": "web", "remote_host": host, "outcome": "invalid_password",
                             "auth_method": "password", "reason": "bad password", "failure_count": 1 + i % 4}


def fill(workdir, records):
    import os
    FileNvram.create(workdir + "/nvram.bin", ring.region_size(50, 512))
    os.mkdir(workdir + "/store")
    nv = FileNvram(workdir + "/nvram.bin")
    log = AuditLog(Board(nv, DirFs(workdir + "/store"), clock=support.FakeClock(), random=support.FakeRandom()),
                   support.MASTER_KEY)
    log.boot()
    i = 0
    while log.next_seq <= records + 25:
        event, arguments = varied_event(i)
        log.log(event, **arguments)
        i += 1
    return {"store_records": log.store.count, "in_nvram": log.in_nvram}


def boot(workdir):
    nv = FileNvram(workdir + "/nvram.bin")
    board = Board(nv, DirFs(workdir + "/store"), clock=support.FakeClock(), random=support.FakeRandom(b"boot"))
    start = time.time_ns()
    log = AuditLog(board, support.MASTER_KEY)
    log.boot()
    elapsed = (time.time_ns() - start) / 1e9
    return {"runtime": sys.implementation.name, "boot_seconds": elapsed, "store_records": log.store.count,
            "segments": log.store.segment_count()}


if __name__ == "__main__":
    what, workdir = sys.argv[1], sys.argv[2]
    if what == "append":
        print(json.dumps(append(workdir, int(sys.argv[3]))))
    elif what == "fill":
        print(json.dumps(fill(workdir, int(sys.argv[3]))))
    else:
        print(json.dumps(boot(workdir)))
