"""A real rsyslog collector for the host tests.

``Rsyslog(directory)`` runs a private ``rsyslogd -n`` on 127.0.0.1 whose config,
work directory, pid file, output file, stderr and internal log all live in
``directory``.  It never touches the system's syslog: no /dev/log (imuxsock is
not loaded, and ``processInternalMessages="on"`` keeps rsyslog's own messages
inside this instance instead of sending them to the system log), no
/etc/rsyslog.conf (``-f``), no /run/rsyslogd.pid (``-i``), and no systemd socket
activation (LISTEN_* and NOTIFY_SOCKET are removed from its environment).  It
runs next to a system rsyslogd, or next to other instances, without sharing
anything with them.

Every message is stored byte for byte as ``%rawmsg%`` plus LF
(/work/shared/specs/syslog-transport.md §7 and §8): control-character escaping
is off, 8-bit escaping is off, ``maxMessageSize`` is 64k, and imtcp has
``discardTruncatedMsg`` on.  rsyslog still drops one trailing LF and a trailing
NUL and escapes inner NULs (spec §8), and a message that contains LF cannot be
told apart from two lines.  Senders never emit those bytes (spec §1.6).

    with Rsyslog(tmp_path) as collector:
        send_udp(collector.udp_port, payload)
        assert collector.wait_for_lines(1) == [payload]

Listeners, all on 127.0.0.1:

* ``udp_port``: imudp, one message per datagram.
* ``tcp_port``: imtcp in plain mode. Octet-counted and LF framing are detected
  per frame.
* ``tls_port`` (``tls=dict(...)``): a second imtcp input with per-input
  streamDriver settings, octet-counted framing (RFC 5425).
* ``relp_port`` (``relp=True``, or ``relp=dict(...)`` for RELP over TLS): imrelp.

TLS dicts take ``cert`` and ``key`` (the collector's PEM files, required),
``ca``, ``auth_mode`` (imtcp's names: ``anon``, which is the default and
authenticates the server only, ``x509/certvalid``, ``x509/name`` or
``x509/fingerprint``), ``permitted_peer`` (a str or list; names, or
``SHA256:AA:..`` / ``SHA1:..`` fingerprints, for x509/name and
x509/fingerprint only), and ``driver``.  These behaviours were checked with
rsyslog 8.2302.0 and librelp 1.11.0 (Debian 12):

* imtcp ``driver``: ``gtls`` (the default) or ``ossl``.  With ``ossl``, the
  per-input ``permittedPeer`` is **not enforced**: any certificate that chains
  to the CA is accepted, which matches upstream rsyslog issue #6350.  So
  ``ossl`` together with ``permitted_peer`` is refused here.
* imrelp ``driver`` (librelp's ``tls.tlsLib``): ``gnutls`` or ``openssl``.  The
  default is ``openssl`` for ``anon`` and ``gnutls`` otherwise.  librelp with
  GnuTLS has no "server-auth only" mode: without an authMode it still demands a
  client certificate.  librelp with OpenSSL computes only SHA1 fingerprints.

Each input runs in its own thread, so the order of lines is defined only within
one connection (or one UDP sender).  Wait for a line before sending the next one
on another transport if the order matters.

Ports are free ephemeral ports that the harness picks on the first ``start()``.
They are kept across ``stop()``/``kill()``/``start()``, so a sender can be
pointed at the collector once and then see it go away and come back.  The output
file is appended to across restarts.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import weakref
from pathlib import Path
from typing import Iterable

HOST = "127.0.0.1"
MAX_MESSAGE_SIZE = "64k"
MAX_MESSAGE_BYTES = 64 * 1024

# Environment that would make rsyslogd adopt systemd's sockets or talk to systemd.
_SYSTEMD_ENV = ("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "WATCHDOG_PID", "WATCHDOG_USEC")
_TLS_KEYS = {"ca", "cert", "key", "auth_mode", "permitted_peer", "driver"}
# imtcp's streamDriver.authMode names -> imrelp's tls.authMode (imrelp has no "anon": leave it out)
_AUTH_MODES = {"anon": None, "x509/certvalid": "certvalid", "x509/name": "name", "x509/fingerprint": "fingerprint"}
_PEER_MODES = {"x509/name", "x509/fingerprint"}


def find_rsyslogd() -> str | None:
    """$RSYSLOGD, then PATH, then the sbin directories (often not on a user's PATH)."""
    explicit = os.environ.get("RSYSLOGD")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return shutil.which("rsyslogd") or shutil.which("rsyslogd", path="/usr/sbin:/sbin:/usr/local/sbin")


def _q(value: object) -> str:
    """A RainerScript string literal."""
    text = str(value)
    if any(c in text for c in '"\\\n'):
        raise ValueError(f"unsupported character in rsyslog config value: {text!r}")
    return f'"{text}"'


def _array(values: str | Iterable[str]) -> str:
    if isinstance(values, str):
        values = [values]
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _free_port(kind: int, taken: set[int]) -> int:
    """A port the kernel considers free right now on 127.0.0.1 (bind to port 0)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, kind) as sock:
            sock.bind((HOST, 0))
            port = sock.getsockname()[1]
        if port not in taken:
            return port
    raise RuntimeError("could not find a free port")


def socket_inodes(pid: int) -> set[str]:
    """Inodes of the sockets process `pid` has open."""
    inodes = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def bound_ports(pid: int) -> dict[str, dict[int, str]]:
    """{'udp'|'tcp': {port: inode}} for sockets of process `pid` bound on 127.0.0.1 (TCP: LISTEN)."""
    mine = socket_inodes(pid)
    found: dict[str, dict[int, str]] = {"udp": {}, "tcp": {}}
    for proto, state in (("udp", "07"), ("tcp", "0A")):   # 07 = unconnected UDP, 0A = LISTEN
        try:
            rows = Path(f"/proc/net/{proto}").read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            addr, port_hex = fields[1].split(":")
            if addr == "0100007F" and fields[3] == state and fields[9] in mine:   # 127.0.0.1
                found[proto][int(port_hex, 16)] = fields[9]
    return found


class Rsyslog:
    """A private foreground rsyslogd on 127.0.0.1 (see the module docstring)."""

    def __init__(self, directory: str | os.PathLike, *, tls: dict | None = None,
                 relp: bool | dict = False, start_timeout: float = 10.0,
                 rsyslogd: str | None = None):
        self.directory = Path(directory).resolve()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.work_dir = self.directory / "work"
        self.config_path = self.directory / "rsyslog.conf"
        self.pid_file = self.directory / "rsyslogd.pid"
        self.output = self.directory / "raw.log"            # %rawmsg% LF, one line per message
        self.internal_log = self.directory / "internal.log"  # rsyslog's own messages
        self.stderr_path = self.directory / "rsyslogd.stderr"
        self.start_timeout = start_timeout
        self.rsyslogd = rsyslogd or find_rsyslogd()
        self.tls = self._check_tls("tls", tls, ("gtls", "ossl")) if tls is not None else None
        if isinstance(relp, dict):
            self.relp_tls = self._check_tls("relp", relp, ("gnutls", "openssl"))
            self.relp = True
        else:
            self.relp_tls = None
            self.relp = bool(relp)
        self.udp_port: int | None = None
        self.tcp_port: int | None = None
        self.tls_port: int | None = None
        self.relp_port: int | None = None
        self.proc: subprocess.Popen | None = None
        self._stderr_file = None
        self._stderr_offset = 0
        self._finalizer = None

    # ----------------------------------------------------------------- config
    @staticmethod
    def _check_tls(name: str, params: dict, drivers: tuple[str, str]) -> dict:
        unknown = set(params) - _TLS_KEYS
        if unknown:
            raise TypeError(f"{name}: unknown TLS parameter(s) {sorted(unknown)}; known: {sorted(_TLS_KEYS)}")
        out = dict(params)
        for required in ("cert", "key"):
            if not out.get(required):
                raise TypeError(f"{name}: the collector needs '{required}' (a PEM file)")
        for key in ("ca", "cert", "key"):
            if out.get(key):
                out[key] = str(Path(out[key]).resolve())
        out.setdefault("auth_mode", "anon")
        if out["auth_mode"] not in _AUTH_MODES:
            raise ValueError(f"{name}: auth_mode must be one of {sorted(_AUTH_MODES)}")
        if out.get("permitted_peer") and out["auth_mode"] not in _PEER_MODES:
            raise ValueError(f"{name}: permitted_peer needs auth_mode x509/name or x509/fingerprint "
                             "(rsyslog drops the whole listener otherwise)")
        if out["auth_mode"] in _PEER_MODES and not out.get("permitted_peer"):
            raise ValueError(f"{name}: auth_mode {out['auth_mode']} needs permitted_peer")
        if name == "tls":
            out.setdefault("driver", "gtls")
        else:
            out.setdefault("driver", "openssl" if out["auth_mode"] == "anon" else "gnutls")
        if out["driver"] not in drivers:
            raise ValueError(f"{name}: driver must be one of {drivers}")
        if name == "tls" and out["driver"] == "ossl" and out.get("permitted_peer"):
            raise ValueError("tls: rsyslog 8.2302's ossl driver ignores a per-input permittedPeer "
                             "(any CA-signed client gets in); use driver='gtls'")
        return out

    def _pick_ports(self) -> None:
        taken: set[int] = set()
        self.udp_port = _free_port(socket.SOCK_DGRAM, taken)
        taken.add(self.udp_port)
        for attr, wanted in (("tcp_port", True), ("tls_port", bool(self.tls)), ("relp_port", self.relp)):
            if wanted:
                port = _free_port(socket.SOCK_STREAM, taken)
                taken.add(port)
                setattr(self, attr, port)

    def _expected_ports(self) -> dict[str, set[int]]:
        tcp = {p for p in (self.tcp_port, self.tls_port, self.relp_port) if p}
        return {"udp": {self.udp_port}, "tcp": tcp}

    def config_text(self) -> str:
        """The rsyslog.conf this instance runs with. global() comes first (spec §7)."""
        lines = [
            "# generated by tests/host/rsyslog.py: a private test collector",
            "global(",
            f'  maxMessageSize="{MAX_MESSAGE_SIZE}"',
            f"  workDirectory={_q(self.work_dir)}",
            '  processInternalMessages="on"',
            '  parser.escapeControlCharactersOnReceive="off"',
            '  parser.escape8BitCharactersOnReceive="off"',
            '  parser.dropTrailingLFOnReception="on"',
            '  net.enableDNS="off"',
            ")",
            "",
            'template(name="RawLine" type="string" string="%rawmsg%\\n")',
            "",
            'module(load="imudp")',
            f'input(type="imudp" address="{HOST}" port="{self.udp_port}" ruleset="raw")',
            "",
            'module(load="imtcp")',
            f'input(type="imtcp" address="{HOST}" port="{self.tcp_port}" ruleset="raw"',
            '      supportOctetCountedFraming="on" discardTruncatedMsg="on")',
        ]
        if self.tls:
            t = self.tls
            lines += [
                f'input(type="imtcp" address="{HOST}" port="{self.tls_port}" ruleset="raw"',
                '      supportOctetCountedFraming="on" discardTruncatedMsg="on"',
                f'      streamDriver.name={_q(t["driver"])} streamDriver.mode="1"'
                f' streamDriver.authMode={_q(t["auth_mode"])}',
            ]
            if t.get("ca"):
                lines.append(f'      streamDriver.CAFile={_q(t["ca"])}')
            lines.append(f'      streamDriver.CertFile={_q(t["cert"])} streamDriver.KeyFile={_q(t["key"])}')
            if t.get("permitted_peer"):
                lines.append(f'      permittedPeer={_array(t["permitted_peer"])}')
            lines[-1] += ")"
        if self.relp:
            t = self.relp_tls
            lib = f" tls.tlsLib={_q(t['driver'])}" if t else ""    # a module() parameter in imrelp
            lines += ["",
                      f'module(load="imrelp"{lib})',
                      f'input(type="imrelp" address="{HOST}" port="{self.relp_port}" ruleset="raw"',
                      f'      maxDataSize="{MAX_MESSAGE_SIZE}"']
            if t:
                mode = _AUTH_MODES[t["auth_mode"]]
                lines.append('      tls="on"' + (f" tls.authMode={_q(mode)}" if mode else ""))
                if t.get("ca"):
                    lines.append(f'      tls.caCert={_q(t["ca"])}')
                lines.append(f'      tls.myCert={_q(t["cert"])} tls.myPrivKey={_q(t["key"])}')
                if t.get("permitted_peer"):
                    lines.append(f'      tls.permittedPeer={_array(t["permitted_peer"])}')
            lines[-1] += ")"
        lines += [
            "",
            # Direct: each message is written (and flushed) in the input's own thread
            # before imrelp acknowledges it, so an acknowledged message survives SIGKILL
            # (the main queue would hold it in memory after the ack).
            'ruleset(name="raw" queue.type="Direct") {',
            f'  action(type="omfile" file={_q(self.output)} template="RawLine"',
            '         asyncWriting="off" flushOnTXEnd="on" fileCreateMode="0644")',
            "}",
            "",
            "# rsyslog's own messages (default ruleset): start/stop, listener and TLS errors",
            f'action(type="omfile" file={_q(self.internal_log)})',
            "",
        ]
        return "\n".join(lines)

    def _write_config(self) -> None:
        self.work_dir.mkdir(exist_ok=True)
        self.config_path.write_text(self.config_text())
        check = subprocess.run([self.rsyslogd, "-N1", "-f", str(self.config_path)],
                               capture_output=True, text=True, timeout=30, env=self._env())
        complaints = [line for line in (check.stdout + check.stderr).splitlines()
                      if "error" in line.lower() or "warning" in line.lower()]
        if check.returncode != 0 or complaints:
            raise AssertionError(f"rsyslogd -N1 rejects {self.config_path} (exit {check.returncode}):\n"
                                 + (check.stderr + check.stdout).strip()
                                 + "\n--- config ---\n" + self.config_text())

    @staticmethod
    def _env() -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _SYSTEMD_ENV}
        env["LC_ALL"] = "C"
        return env

    # -------------------------------------------------------------- lifecycle
    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> "Rsyslog":
        """Start rsyslogd. Returns once every listener is bound by *this* process.

        The first start picks free ports, and picks again if rsyslogd finds one
        taken.  Later starts reuse the ports and append to the same output.
        """
        if self.running:
            raise RuntimeError(f"rsyslogd already running (pid {self.pid})")
        if self.rsyslogd is None:
            raise AssertionError("rsyslogd not found (PATH, /usr/sbin, /sbin, $RSYSLOGD): "
                                 "apt-get install -y rsyslog rsyslog-relp rsyslog-gnutls rsyslog-openssl")
        first = self.udp_port is None
        attempts = 5 if first else 1
        for attempt in range(attempts):
            if first:
                self._pick_ports()
                self._write_config()
            try:
                self._launch()
                return self
            except _PortBusy:
                self._terminate(signal.SIGKILL, 5.0)
                if attempt == attempts - 1:
                    raise AssertionError(f"rsyslogd could not bind {self._expected_ports()}:\n"
                                         + self.diagnostics()) from None
        raise AssertionError("unreachable")

    def _launch(self) -> None:
        if self.pid_file.exists():     # left behind by kill()
            self.pid_file.unlink()
        self._stderr_offset = self._size(self.stderr_path)
        self._stderr_file = open(self.stderr_path, "ab")
        self.proc = subprocess.Popen(
            [self.rsyslogd, "-n", "-f", str(self.config_path), "-i", str(self.pid_file)],
            stdin=subprocess.DEVNULL, stdout=self._stderr_file, stderr=self._stderr_file,
            cwd=self.directory, env=self._env(), start_new_session=True)
        self._finalizer = weakref.finalize(self, _kill_quietly, self.proc)
        try:
            self._wait_ready()
        except BaseException:
            self._terminate(signal.SIGKILL, 5.0)
            raise

    def _wait_ready(self) -> None:
        """Bounded wait until this process has bound every port; fail fast on startup errors.

        rsyslogd keeps running when a listener fails. A healthy start prints
        nothing on stderr, so stderr output without readiness means failure.
        """
        expected = self._expected_ports()
        deadline = time.monotonic() + self.start_timeout
        complained_at = None
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"rsyslogd exited with status {self.proc.returncode} while starting:\n"
                                     + self.diagnostics())
            bound = bound_ports(self.proc.pid)
            if all(expected[p] <= set(bound[p]) for p in expected) and self._tcp_connects(self.tcp_port):
                return
            now = time.monotonic()
            errors = self._new_stderr()
            if errors and complained_at is None:
                complained_at = now
            if complained_at is not None and now - complained_at > 0.5:
                if b"Address already in use" in errors:
                    raise _PortBusy()
                raise AssertionError(f"rsyslogd reported errors while starting (wanted {expected}, "
                                     f"bound {bound}):\n" + self.diagnostics())
            if now > deadline:
                raise AssertionError(f"rsyslogd not ready after {self.start_timeout}s: wanted {expected}, "
                                     f"bound {bound}:\n" + self.diagnostics())
            time.sleep(0.02)

    @staticmethod
    def _tcp_connects(port: int) -> bool:
        try:
            with socket.create_connection((HOST, port), timeout=1.0):
                return True
        except OSError:
            return False

    def _new_stderr(self) -> bytes:
        try:
            with open(self.stderr_path, "rb") as f:
                f.seek(self._stderr_offset)
                return f.read()
        except FileNotFoundError:
            return b""

    @staticmethod
    def _size(path: Path) -> int:
        try:
            return path.stat().st_size
        except FileNotFoundError:
            return 0

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, wait up to `timeout`, then SIGKILL. The ports and output are kept."""
        self._terminate(signal.SIGTERM, timeout)

    def kill(self) -> None:
        """SIGKILL now, like an abrupt collector outage. Messages still in rsyslog's queues are lost."""
        self._terminate(signal.SIGKILL, 5.0)

    def _terminate(self, sig: int, timeout: float) -> None:
        proc = self.proc
        if proc is not None:
            if proc.poll() is None:
                try:
                    os.kill(proc.pid, sig)      # our child, by pid; it is still unreaped, so the pid is ours
                except ProcessLookupError:
                    pass
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5.0)
            if self._finalizer is not None:
                self._finalizer.detach()
                self._finalizer = None
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None

    def __enter__(self) -> "Rsyslog":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ----------------------------------------------------------------- output
    def lines(self) -> list[bytes]:
        """The complete lines of the output file, without their LF. A partial last line is left out."""
        try:
            data = self.output.read_bytes()
        except FileNotFoundError:
            return []
        return data.split(b"\n")[:-1]

    def wait_for_lines(self, n: int, timeout: float = 10.0) -> list[bytes]:
        """Poll until the output has at least `n` lines. Returns all of them, without LF."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.lines()
            if len(got) >= n:
                return got
            if time.monotonic() > deadline:
                state = "running" if self.running else \
                    f"not running, status {self.proc.returncode if self.proc else None}"
                shown = "\n".join(repr(line[:200]) for line in got[-5:]) or "(none)"
                raise AssertionError(f"rsyslog stored {len(got)} of {n} expected lines within {timeout}s "
                                     f"(rsyslogd {state}); last lines:\n{shown}\n" + self.diagnostics())
            time.sleep(0.02)

    def wait_for_log(self, text: str, timeout: float = 10.0) -> str:
        """Poll until rsyslog's internal log (its own messages) contains `text`; return that log."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                log = self.internal_log.read_text(errors="replace")
            except FileNotFoundError:
                log = ""
            if text in log:
                return log
            if time.monotonic() > deadline:
                raise AssertionError(f"rsyslog did not log {text!r} within {timeout}s:\n" + self.diagnostics())
            time.sleep(0.02)

    @staticmethod
    def _tail(path: Path, limit: int = 4000) -> str:
        try:
            with open(path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - limit))
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def diagnostics(self) -> str:
        """The tails of rsyslogd's stderr and of its internal log, for failure messages."""
        return (f"--- rsyslogd stderr ({self.stderr_path}) ---\n{self._tail(self.stderr_path).rstrip()}\n"
                f"--- rsyslog internal log ({self.internal_log}) ---\n{self._tail(self.internal_log).rstrip()}")

    def __repr__(self) -> str:
        return (f"<Rsyslog pid={self.pid} udp={self.udp_port} tcp={self.tcp_port} tls={self.tls_port} "
                f"relp={self.relp_port} dir={self.directory}>")


class _PortBusy(Exception):
    pass


def _kill_quietly(proc: subprocess.Popen) -> None:
    """The last resort at garbage collection or interpreter exit: never leave an rsyslogd behind."""
    if proc.poll() is None:
        try:
            proc.kill()
            proc.wait(timeout=5.0)
        except Exception:   # noqa: BLE001
            pass


# ------------------------------------------------------------ sender helpers
def octet_counted(message: bytes) -> bytes:
    """RFC 6587 §3.4.1 and RFC 5425 framing: MSG-LEN SP SYSLOG-MSG."""
    return b"%d %s" % (len(message), message)


def send_udp(port: int, *messages: bytes) -> None:
    """One datagram per message (RFC 5426)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for message in messages:
            sock.sendto(message, (HOST, port))


def send_tcp(port: int, *messages: bytes, timeout: float = 5.0) -> None:
    """Octet-counted frames on one connection, closed cleanly: send FIN, then wait for rsyslog's close."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(b"".join(octet_counted(m) for m in messages))
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(4096):      # rsyslog never answers; bounded by the socket timeout
            pass


def send_tls(port: int, context, *messages: bytes, server_hostname: str = "localhost",
             timeout: float = 5.0) -> None:
    """Octet-counted frames over TLS (RFC 5425), then close_notify and close."""
    with socket.create_connection((HOST, port), timeout=timeout) as raw:
        with context.wrap_socket(raw, server_hostname=server_hostname) as sock:
            sock.sendall(b"".join(octet_counted(m) for m in messages))
            try:
                sock.unwrap()          # rsyslog's gtls may drop the connection instead of answering
            except OSError:
                pass


class RelpError(Exception):
    """The RELP session failed. Messages without a 200 answer count as not delivered."""


def send_relp(port: int, *messages: bytes, context=None, server_hostname: str = "localhost",
              timeout: float = 5.0) -> None:
    """A minimal RELP client (spec §6.4): open, one syslog command per message with window 1, close.

    Raises RelpError unless every message got ``200 OK``.
    """
    buffer = bytearray()
    try:
        raw = socket.create_connection((HOST, port), timeout=timeout)
    except OSError as exc:
        raise RelpError(f"cannot connect: {exc!r}") from exc
    sock = raw

    def command(txnr: int, name: bytes, data: bytes) -> bytes:
        frame = b"%d %s %d" % (txnr, name, len(data)) + (b" " + data if data else b"") + b"\n"
        sock.sendall(frame)
        got_txnr, got_cmd, got_data = _read_relp_frame(sock, buffer)
        if got_txnr != txnr or got_cmd != b"rsp":
            raise RelpError(f"expected rsp to {txnr}, got {got_txnr} {got_cmd!r} {got_data[:100]!r}")
        return got_data

    try:
        if context:
            sock = context.wrap_socket(raw, server_hostname=server_hostname)
        offers = b"relp_version=0\nrelp_software=hcdaudit-tests,0,-\ncommands=syslog"
        answer = command(1, b"open", offers)
        if not answer.startswith(b"200") or b"commands=syslog" not in answer:
            raise RelpError(f"open refused: {answer!r}")
        for txnr, message in enumerate(messages, start=2):
            answer = command(txnr, b"syslog", message)
            if not answer.startswith(b"200"):
                raise RelpError(f"message {txnr - 1} refused: {answer!r}")
        command(len(messages) + 2, b"close", b"")
    except (OSError, EOFError, ValueError) as exc:
        raise RelpError(f"RELP session failed: {exc!r}") from exc
    finally:
        sock.close()
        raw.close()


def _read_relp_frame(sock, buffer: bytearray) -> tuple[int, bytes, bytes]:
    """TXNR SP COMMAND SP DATALEN [SP DATA] LF (spec §6.1). Bounded by the socket timeout."""
    while True:
        head = bytes(buffer[:64])
        parts = head.split(b" ", 2)
        if len(parts) == 3:
            digits = len(parts[2]) - len(parts[2].lstrip(b"0123456789"))
            start = len(parts[0]) + len(parts[1]) + 2
            if digits < len(parts[2]):        # the byte after DATALEN has arrived
                datalen = int(parts[2][:digits])
                after = start + digits
                if datalen == 0:
                    if buffer[after:after + 1] != b"\n":
                        raise ValueError(f"bad RELP frame {head!r}")
                    del buffer[:after + 1]
                    return int(parts[0]), parts[1], b""
                if len(buffer) >= after + 1 + datalen + 1:
                    if buffer[after:after + 1] != b" " or buffer[after + 1 + datalen] != 0x0A:
                        raise ValueError(f"bad RELP frame {head!r}")
                    data = bytes(buffer[after + 1:after + 1 + datalen])
                    del buffer[:after + 1 + datalen + 1]
                    return int(parts[0]), parts[1], data
        chunk = sock.recv(65536)
        if not chunk:
            raise EOFError("RELP server closed the connection")
        buffer += chunk


def make_test_pki(directory: str | os.PathLike) -> dict:
    """A throw-away CA, a collector certificate (localhost, 127.0.0.1) and a client certificate
    (printer.example.com), all ECDSA P-256 PEM files in `directory`.

    Returns their paths plus the client's fingerprints in rsyslog's notation
    (``SHA256:AA:..`` and ``SHA1:..``).
    """
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)
    out: dict = {}

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def save(label: str, key, cert) -> None:
        key_path, cert_path = directory / f"{label}.key", directory / f"{label}.pem"
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        out[f"{label}_key"], out[f"{label}_cert"] = str(key_path), str(cert_path)

    def builder(subject: str, issuer: x509.Name, public_key, serial: int) -> x509.CertificateBuilder:
        return (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(issuer)
                .public_key(public_key).serial_number(serial)
                .not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=30)))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (builder("hcdaudit test CA", name("hcdaudit test CA"), ca_key.public_key(), 1)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    save("ca", ca_key, ca)

    def leaf(label: str, cn: str, serial: int, usage, sans) -> x509.Certificate:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (builder(cn, ca.subject, key.public_key(), serial)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
                .add_extension(x509.SubjectAlternativeName(sans), critical=False)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                               critical=False)
                .sign(ca_key, hashes.SHA256()))
        save(label, key, cert)
        return cert

    leaf("collector", "localhost", 2, ExtendedKeyUsageOID.SERVER_AUTH,
         [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))])
    client = leaf("client", "printer.example.com", 3, ExtendedKeyUsageOID.CLIENT_AUTH,
                  [x509.DNSName("printer.example.com")])
    out["client_name"] = "printer.example.com"
    for algorithm, label in ((hashes.SHA256(), "SHA256"), (hashes.SHA1(), "SHA1")):
        out[f"client_{label.lower()}"] = label + ":" + ":".join(f"{b:02X}" for b in client.fingerprint(algorithm))
    return out
