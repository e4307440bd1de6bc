"""The anchor a user would pick instead of hcdaudit, measured on this machine:
syslog-ng's secure logging tools (slogkey, slogencrypt, slogverify) from the
Debian packages syslog-ng-core and syslog-ng-mod-slog.

The packages are never installed (Debian's syslog-ng-core conflicts with
rsyslog, which the tests need): `apt-get download` fetches them and the few
libraries they need that the system lacks, `dpkg-deb -x` unpacks them under
build/slog/, and the tools run from there with LD_LIBRARY_PATH. Fetched once,
then cached. Where that fails, every figure is None and `note` says why."""
from __future__ import annotations

import os
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


def fetch() -> str | None:
    """Download and unpack the packages into build/slog (once). None, or why not."""
    root = _unpacked()
    if all((root / "usr/bin" / t).exists() for t in TOOLS):
        return None
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        return "apt-get / dpkg-deb not available: slog anchors not measured"
    debs = CACHE / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    for package in PACKAGES:
        if any(debs.glob(f"{package}_*.deb")):
            continue
        proc = subprocess.run(["apt-get", "download", package], cwd=debs, capture_output=True, text=True,
                              timeout=300)
        if proc.returncode and package in ("syslog-ng-core", "syslog-ng-mod-slog"):
            return f"apt-get download {package} failed: {(proc.stderr or proc.stdout).strip()[-200:]}"
    for deb in debs.glob("*.deb"):
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True, timeout=120)
    if not all((root / "usr/bin" / t).exists() for t in TOOLS):
        return "the slog tools are not in the downloaded packages"
    return None


def environment() -> dict:
    root = _unpacked()
    libs = [root / "usr/lib/syslog-ng", root / "usr/lib/x86_64-linux-gnu", root / "lib/x86_64-linux-gnu"]
    libs += [p for p in (root / "usr/lib").glob("*-linux-gnu") if p not in libs]
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


if __name__ == "__main__":
    import json
    import tempfile
    print(json.dumps(measure(Path(tempfile.mkdtemp(prefix="hcdaudit-slog-")))))
