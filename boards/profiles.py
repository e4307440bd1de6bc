# The reference boards' memory geometry, shared by the boards and the host
# tools (provisioning, reading a raw flash dump). Sources: shared/specs/
# micropython-platform.md (littlefs block sizes, rp2 progsize 256, NV memory
# per board). A store holds ~245 B of flash per record (174 B sealed, segments
# of 50 rounded up to whole 4 KiB blocks), plus room for one segment written
# before the oldest is evicted; where the flash cannot hold 15,000 records the
# board's cap is lower, and says so. The sender's buffers are fixed by the
# protocol (2048-octet messages: formatter, signer, SB copy, transport frame);
# its windows are the board's: RELP commands in flight, and over TCP/TLS the
# records resent after a failure (what the kernel buffers can hold unseen).
# "web": the HTTPS admin export's PBKDF2 iteration count (chosen for about a
# second per sign-in on the board: the unix port measures ~3.6 us an
# iteration on the x86 host, bench/web_bench.py; the boards' figures are that
# times the ~120x slowdown of the platform notes, an estimate until measured
# on hardware) and its concurrent TLS connections (mbedTLS needs ~40 KB each).
# "march": the machine mpy-cross compiles the viper module for
# (firmware/hcdaudit/hal/native.py; the port's own -march when frozen).
BOARDS = {
    "host": {
        "description": "host simulator: NVRAM and store are files (or a littlefs image)",
        "nvram": "file", "store_dir": "/", "slot_count": 50, "slot_size": 512, "store_cap": 15000,
        "flash": {"block_size": 4096, "block_count": 1024, "read_size": 32, "prog_size": 32},
        "sender": {"relp_window": 32, "tcp_unconfirmed": 256},
        "heap": 4 * 1024 * 1024,
        "web": {"pbkdf2_iterations": 200000, "connections": 4},
        "march": "host",           # the unix port on the machine that builds it
    },
    "esp32s3": {
        "description": "ESP32-S3 DevKitC (8 MiB flash), MB85RC256V 32 KiB I2C FRAM as NVRAM, "
                       "littlefs on a 6 MiB 'vfs' partition",
        "nvram": "fram-mb85rc256v", "store_dir": "/hcdaudit-data/store", "slot_count": 50, "slot_size": 512, "store_cap": 15000,
        "flash": {"block_size": 4096, "block_count": 1536, "read_size": 32, "prog_size": 32},
        "sender": {"relp_window": 16, "tcp_unconfirmed": 64},     # lwIP: small socket buffers
        "web": {"pbkdf2_iterations": 4000, "connections": 2},
        "march": "xtensawin",
        "heap": 1024 * 1024,       # the N8R8 module: the heap grows into 8 MB PSRAM; hcdaudit takes 1 MiB
    },
    "rp2040": {
        "description": "Raspberry Pi Pico W (2 MiB flash), MB85RC256V FRAM as NVRAM, littlefs on rp2.Flash "
                       "(848 KiB): the flash holds 3,000 records, so the store cap is 3,000",
        "nvram": "fram-mb85rc256v", "store_dir": "/hcdaudit-data/store", "slot_count": 50, "slot_size": 512, "store_cap": 3000,
        "flash": {"block_size": 4096, "block_count": 212, "read_size": 256, "prog_size": 256},
        "sender": {"relp_window": 8, "tcp_unconfirmed": 32},
        "web": {"pbkdf2_iterations": 2000, "connections": 1},
        "march": "armv6m",
        "heap": 160 * 1024,        # Pico ~190-210 KB, less the CYW43 / lwIP buffers of the Pico W
    },
    "stm32": {
        "description": "NUCLEO-F767ZI, MB85RC256V FRAM for the ring, counters in the 4 KiB backup SRAM, "
                       "littlefs on an external 16 MiB SPI NOR (internal flash is not power-safe)",
        "nvram": "fram-mb85rc256v", "store_dir": "/hcdaudit-data/store", "slot_count": 50, "slot_size": 512, "store_cap": 15000,
        "flash": {"block_size": 4096, "block_count": 4096, "read_size": 32, "prog_size": 32},
        "sender": {"relp_window": 16, "tcp_unconfirmed": 64},
        "web": {"pbkdf2_iterations": 4000, "connections": 2},
        "march": "armv7emdp",      # Cortex-M7 with the double-precision FPU
        "heap": 256 * 1024,        # 384 KB RAM less stack, .bss and the lwIP pools (linker script: ~300 KB)
    },
    "qemu_m3": {
        "description": "emulated Cortex-M3 (MicroPython's qemu port, MPS2-AN385, boards/qemu_m3): NV memory "
                       "and littlefs flash in host files, no network stack",
        "nvram": "host-file", "store_dir": "/hcdaudit-data/store", "slot_count": 50, "slot_size": 512, "store_cap": 3000,
        "flash": {"block_size": 4096, "block_count": 256, "read_size": 32, "prog_size": 32},
        "sender": {"relp_window": 8, "tcp_unconfirmed": 32},
        "march": "armv7m",         # Cortex-M3 (boards/qemu_m3/port: MPY_CROSS_FLAGS)
        "heap": 3328 * 1024,       # boards/qemu_m3/port/mpconfigboard.mk MICROPY_HEAP_SIZE
        "emulated": True,          # not a reference board: no heap budget of its own (tests/heap_budget.py)
    },
}


def profile(name):
    try:
        return BOARDS[name]
    except KeyError:
        raise ValueError("unknown board %r (known: %s)" % (name, ", ".join(sorted(BOARDS))))
