"""The anchors a user would pick instead of hcdaudit, measured on this machine:
syslog-ng's secure logging tools (slogkey, slogencrypt, slogverify) from the
Debian packages syslog-ng-core and syslog-ng-mod-slog, and journald's Forward
Secure Sealing (`journalctl --verify --verify-key`).

The packages are never installed (Debian's syslog-ng-core conflicts with
rsyslog, which the tests need): `apt-get download` fetches them and the few
libraries they need that the system lacks, `dpkg-deb -x` unpacks them under
build/slog/ (build/journald/ for systemd-journal-remote, which writes the
sealed journal), and the tools run from there with LD_LIBRARY_PATH. Fetched
once, then cached. Where that fails, every figure is None and a note says why.

journald's key setup and sealing read and write the fixed path
/var/log/journal/<machine-id>/fss, so both run in a private mount namespace
(`unshare -m`, or `unshare -rm` unprivileged) with a directory under build/
bind-mounted over /var/log/journal: the host's journal and keys are never
touched (checked before and after)."""
from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build/slog"
PACKAGES = ("syslog-ng-core", "syslog-ng-mod-slog", "libpcre3", "libivykis0")
TOOLS = ("slogkey", "slogencrypt", "slogverify")


def _unpacked() -> Path:
    return CACHE / "root"


def _fetch_debs(cache: Path, packages: tuple, required: tuple, tools: list[Path], what: str) -> str | None:
    """Download `packages` into cache/debs and unpack them into cache/root (once).
    None, or why not; a package outside `required` may fail (the system has it)."""
    if all(t.exists() for t in tools):
        return None
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        return f"apt-get / dpkg-deb not available: {what} not measured"
    debs = cache / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    for package in packages:
        if any(debs.glob(f"{package}_*.deb")):
            continue
        proc = subprocess.run(["apt-get", "download", package], cwd=debs, capture_output=True, text=True,
                              timeout=300)
        if proc.returncode and package in required:
            return f"apt-get download {package} failed: {(proc.stderr or proc.stdout).strip()[-200:]}"
    for deb in debs.glob("*.deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(cache / "root")], check=True, timeout=120)
    if not all(t.exists() for t in tools):
        return f"the {what} tools are not in the downloaded packages"
    return None


def fetch() -> str | None:
    """Download and unpack the slog packages into build/slog (once). None, or why not."""
    return _fetch_debs(CACHE, PACKAGES, ("syslog-ng-core", "syslog-ng-mod-slog"),
                       [_unpacked() / "usr/bin" / t for t in TOOLS], "slog")


def environment(root: Path | None = None) -> dict:
    root = root or _unpacked()
    libs = [root / "usr/lib/syslog-ng", root / "usr/lib/x86_64-linux-gnu", root / "lib/x86_64-linux-gnu"]
    libs += [p for p in (root / "usr/lib").glob("*-linux-gnu") if p not in libs]
    libs += [p / "systemd" for p in libs]     # libsystemd-shared, which systemd's tools find by RUNPATH
    path = ":".join(str(p) for p in libs if p.is_dir())
    old = os.environ.get("LD_LIBRARY_PATH")
    return dict(os.environ, LD_LIBRARY_PATH=path + (":" + old if old else ""))


def _tool(name: str) -> str:
    return str(_unpacked() / "usr/bin" / name)


def _run(args: list[str], cwd: Path, check: bool = True) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, env=environment(), capture_output=True, text=True, timeout=300)
    seconds = time.perf_counter() - start
    if proc.returncode and check:
        raise RuntimeError(f"{Path(args[0]).name} failed: {(proc.stderr or proc.stdout).strip()[-300:]}")
    return seconds


def input_lines(entries: int) -> str:
    """Syslog lines shaped like hcdaudit's print-job records."""
    return "".join(f"<134>1 2026-12-06T10:00:{i % 60:02d}.{i:06d}Z printer.example.com hcdaudit - print_job - "
                   f"user{i % 20:02d} via ipp from 10.20.1.{i % 200} printed quarterly-report-{i:05d}.pdf "
                   f"job 3f1c2a9e-6b0d-4c55-9a1e-{i:012d} pages={1 + i % 30}\n" for i in range(entries))


def measure(work: Path, entries: int = 15000, runs: int = 3) -> dict:
    """slogencrypt and slogverify of `entries` entries, each the whole process
    (medians of `runs`); None figures and a note where the tools cannot be had."""
    figures = {"slog_entries": entries, "slogencrypt_s": None, "slogverify_s": None, "slog_note": None}
    try:
        why = fetch()
    except (OSError, subprocess.SubprocessError) as exc:
        why = f"fetching the slog packages failed: {exc}"
    if why:
        figures["slog_note"] = why
        return figures
    work.mkdir(parents=True, exist_ok=True)
    try:
        _run([_tool("slogkey"), "-m", "master.key"], work)
        _run([_tool("slogkey"), "-d", "master.key", "00:11:22:33:44:55", "BENCH1", "host.key"], work)
        (work / "plain.log").write_text(input_lines(entries))
        encrypt, verify = [], []
        for i in range(runs):
            for name in ("new.key", "new.mac", "sealed.log"):
                (work / name).unlink(missing_ok=True)
            # A first encryption has no previous MAC file: slogencrypt says so and exits 1,
            # having sealed everything; its output is checked by slogverify below.
            encrypt.append(_run([_tool("slogencrypt"), "-k", "host.key", "new.key", "new.mac", "plain.log",
                                 "sealed.log"], work, check=False))
            if not (work / "new.mac").exists():
                raise RuntimeError("slogencrypt wrote no MAC file")
        for i in range(runs):
            (work / "verified.log").unlink(missing_ok=True)
            verify.append(_run([_tool("slogverify"), "-k", "host.key", "-m", "new.mac", "sealed.log",
                                "verified.log"], work))
        lines = (work / "verified.log").read_text().count("\n")
        if lines != entries:
            raise RuntimeError(f"slogverify restored {lines} of {entries} entries")
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        figures["slog_note"] = str(exc)
        return figures
    figures["slogencrypt_s"] = statistics.median(encrypt)
    figures["slogverify_s"] = statistics.median(verify)
    figures["slog_sealed_bytes_per_entry"] = (work / "sealed.log").stat().st_size / entries
    return figures


JOURNALD_CACHE = ROOT / "build/journald"
# systemd-journal-remote depends on exactly its own version of libsystemd-shared, which
# may be newer than the installed one; libmicrohttpd12 is the one library it needs besides.
JOURNALD_PACKAGES = ("systemd-journal-remote", "libsystemd-shared", "libmicrohttpd12")
# Where the package puts the tool: Debian 12, then releases with everything under /usr.
JOURNAL_REMOTE_PATHS = ("lib/systemd/systemd-journal-remote", "usr/lib/systemd/systemd-journal-remote")
HOST_JOURNAL = Path("/var/log/journal")
SEAL_INTERVAL = "15min"         # journald's default FSS epoch
DAY_US = 86400 * 1000000
# In the namespace: our directory over the host's journal directory, then the command.
_IN_PRIVATE_JOURNAL = 'mount --bind "$1" "$2" && shift 2 && exec "$@"'


def journal_remote() -> Path:
    paths = [JOURNALD_CACHE / "root" / p for p in JOURNAL_REMOTE_PATHS]
    return next((p for p in paths if p.exists()), paths[0])


def fetch_journald() -> str | None:
    """Download and unpack systemd-journal-remote into build/journald (once). None, or why not."""
    why = _fetch_debs(JOURNALD_CACHE, JOURNALD_PACKAGES, ("systemd-journal-remote",), [journal_remote()],
                      "systemd-journal-remote")
    if why and journal_remote().exists():     # unpacked at the other path
        return None
    return why


def _host_journal_state() -> tuple:
    """What key setup or sealing could change in the host's journal directory: its names and the
    fss key file's bytes (not the journal files, which a running journald rewrites)."""
    try:
        machine = Path("/etc/machine-id").read_text().strip()
        names = tuple(sorted(os.listdir(HOST_JOURNAL))) if HOST_JOURNAL.is_dir() else None
        fss = HOST_JOURNAL / machine / "fss"
        return names, fss.read_bytes() if fss.exists() else None
    except OSError as exc:
        return ("unreadable", str(exc))


def _in_private_journal(keys: Path, args: list[str], **kwargs) -> subprocess.CompletedProcess:
    """`args` in a private mount namespace where `keys` is /var/log/journal (or /var/log, holding
    keys/journal, where the host has no /var/log/journal to mount over)."""
    unshare = ["unshare", "-m"] if os.geteuid() == 0 else ["unshare", "-rm"]
    target = HOST_JOURNAL if HOST_JOURNAL.is_dir() else HOST_JOURNAL.parent
    source = keys if target == HOST_JOURNAL else keys.parent
    return subprocess.run(unshare + ["sh", "-c", _IN_PRIVATE_JOURNAL, "sh", str(source), str(target)] + args,
                          capture_output=True, text=True, timeout=120, **kwargs)


def journal_export(entries: int, start_us: int) -> str:
    """`entries` audit events of an MFD in the journal export format (what journal-remote reads),
    ~125-byte messages with a few fields, evenly spaced over the day from `start_us`."""
    step = DAY_US // entries
    boot = "5f1e0c2a9b7d4e3f8a6c1b2d3e4f5a6b"
    kinds = ("print_job", "print_job", "copy_job", "print_job", "scan_job", "login", "logout", "login_failed")
    out = []
    for i in range(entries):
        kind = kinds[i % len(kinds)]
        message = (f"{kind} user{i % 20:02d} via ipp from 10.20.1.{i % 200} document quarterly-report-{i:05d}.pdf "
                   f"job 3f1c2a9e-6b0d-4c55-9a1e-{i:012d} pages={1 + i % 30}")
        out.append(f"__REALTIME_TIMESTAMP={start_us + i * step}\n__MONOTONIC_TIMESTAMP={1000000 + i * step}\n"
                   f"_BOOT_ID={boot}\n_HOSTNAME=printer.example.com\nSYSLOG_IDENTIFIER=hcdaudit\nPRIORITY=6\n"
                   f"HCD_EVENT={kind}\nHCD_USER=user{i % 20:02d}\nMESSAGE={message}\n\n")
    return "".join(out)


def _sealed_journal(work: Path, entries: int) -> tuple[Path, str]:
    """A fresh FSS key pair and a journal file of `entries` entries sealed with it:
    (the file, the verification key)."""
    machine = Path("/etc/machine-id").read_text().strip()
    keys = work / "keys/journal"
    shutil.rmtree(work / "keys", ignore_errors=True)
    (keys / machine).mkdir(parents=True)
    setup = _in_private_journal(keys, ["journalctl", "--setup-keys", f"--interval={SEAL_INTERVAL}", "--force"])
    key = setup.stdout.strip()
    if setup.returncode or "/" not in key or not (keys / machine / "fss").exists():
        raise RuntimeError(f"journalctl --setup-keys failed (exit {setup.returncode}): "
                           f"{(setup.stderr or setup.stdout).strip()[-300:]}")
    # The key is SEED/START-INTERVAL in hex: sealing starts at the key's first epoch, so the
    # entries are timed over the day from there (setup-keys starts it now; journald's own
    # timer writes a tag each epoch, as the entries' times make journal-remote do here).
    start, interval = (int(x, 16) for x in key.split("/")[1].split("-"))
    journal = work / "sealed.journal"
    journal.unlink(missing_ok=True)
    (work / "entries.export").write_text(journal_export(entries, start * interval + 1000000))
    with open(work / "entries.export", "rb") as export:
        seal = _in_private_journal(keys, [str(journal_remote()), "--seal=yes", "--split-mode=none",
                                          f"--output={journal}", "-"], stdin=export,
                                   env=environment(JOURNALD_CACHE / "root"))
    if seal.returncode or not journal.exists():
        raise RuntimeError(f"systemd-journal-remote --seal failed (exit {seal.returncode}): "
                           f"{(seal.stderr or seal.stdout).strip()[-300:]}")
    return journal, key


def verify_journal(journal: Path, key: str) -> tuple[float, float]:
    """One whole `journalctl --verify --verify-key` process over `journal`, which must pass:
    (wall seconds, CPU seconds)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(["journalctl", "--verify", f"--verify-key={key}", f"--file={journal}"],
                          capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - start
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    said = proc.stdout + proc.stderr
    if proc.returncode or "PASS" not in said or "FAIL" in said:
        raise RuntimeError(f"journalctl --verify did not pass: {said.strip()[-300:]}")
    return wall, now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime


def measure_journald(work: Path, entries: int = 15000, runs: int = 3) -> dict:
    """The whole `journalctl --verify --verify-key` process over a sealed journal file of
    `entries` entries (median of `runs`, and its CPU time); None figures and a note where
    the file cannot be made."""
    figures = {"journald_entries": entries, "journald_verify_s": None, "journald_verify_cpu_s": None,
               "journald_tags": None, "journald_note": None}
    missing = [tool for tool in ("journalctl", "unshare", "mount") if not shutil.which(tool)]
    if missing:
        figures["journald_note"] = f"{', '.join(missing)} not available: journald anchor not measured"
        return figures
    host_before = _host_journal_state()
    try:
        why = fetch_journald()
        if why:
            figures["journald_note"] = why
            return figures
        work.mkdir(parents=True, exist_ok=True)
        journal, key = _sealed_journal(work, entries)
        header = subprocess.run(["journalctl", "--header", f"--file={journal}"], capture_output=True, text=True,
                                timeout=60).stdout
        for line in header.splitlines():
            if line.strip().startswith("Tag objects:"):
                figures["journald_tags"] = int(line.split(":")[1])
        (work / "verify.key").write_text(key + "\n")     # for bench/verify_ab.py's rounds
        wall, cpu = zip(*(verify_journal(journal, key) for _ in range(runs)))
        figures["journald_verify_s"] = statistics.median(wall)
        figures["journald_verify_cpu_s"] = statistics.median(cpu)
    except (OSError, ValueError, RuntimeError, subprocess.SubprocessError) as exc:
        figures["journald_note"] = str(exc) or type(exc).__name__
    finally:
        if _host_journal_state() != host_before:
            figures["journald_note"] = ("the host's /var/log/journal changed during the journald anchor: "
                                        + (figures["journald_note"] or "check it"))
    return figures


if __name__ == "__main__":
    import json
    import tempfile
    print(json.dumps(measure(Path(tempfile.mkdtemp(prefix="hcdaudit-slog-")))))
    print(json.dumps(measure_journald(Path(tempfile.mkdtemp(prefix="hcdaudit-journald-")))))
