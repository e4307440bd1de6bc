"""`hcdaudit collect`: a small syslog collector that stores every message
unchanged, one per line + LF (as rsyslog stores `%rawmsg%\\n`), so that
`hcdaudit verify syslog FILE` can verify what it received.

* UDP (RFC 5426): one datagram is one message.
* TCP (RFC 6587) and TLS (RFC 5425): the framing is decided per frame, as
  RFC 6587 §3.4 asks of a receiver: a frame that starts with a digit is
  octet-counted (`MSG-LEN SP MSG`), a frame that starts with `<` ends at the
  next LF. CR or LF between frames is skipped.
* A message that cannot be stored as one line (it holds LF or NUL), an empty
  or over-long message, or a broken frame is reported on stderr and the
  connection is closed (a bad datagram is dropped). Nothing is ever written
  half: a line is written whole, with its LF, and flushed, or not at all.

Bounded: at most `max_size` octets (plus one read) are buffered per
connection, at most `max_connections` streams are open at once, a TLS
handshake has a time limit, and error lines on stderr stop after
`MAX_REPORTED_ERRORS` (errors are still counted).

Importable API (the demo and the tests run it in-process):

    collector = Collector("tcp://127.0.0.1:0", out_path)
    await collector.start(); collector.port; collector.count; await collector.stop()

    with run_in_thread("udp://127.0.0.1:0", out_path) as handle:
        ...send to 127.0.0.1:handle.port...; handle.wait_for(n, timeout=10); handle.count
"""
from __future__ import annotations

import asyncio
import signal
import socket
import ssl
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .errors import UsageError

__all__ = [
    "Collector",
    "CollectorThread",
    "FrameError",
    "FrameParser",
    "add_parser",
    "parse_listen_url",
    "run_in_thread",
    "storable",
]

# rsyslog is set up with maxMessageSize 64k for the interop tests (transport
# notes §7), and `verify syslog` takes records up to that size.
DEFAULT_MAX_SIZE = 65536
MAX_REPORTED_ERRORS = 100
DEFAULT_MAX_CONNECTIONS = 256
TLS_HANDSHAKE_TIMEOUT_S = 10.0
UDP_RECEIVE_BUFFER = 4 << 20       # loopback bursts from a fast sender (capped by net.core.rmem_max)
UDP_READS_PER_WAKEUP = 256
MAX_TRACKED_PEERS = 4096           # UDP senders counted for the summary
SCHEMES = ("udp", "tcp", "tls")
LF, NUL, CR = 0x0A, 0x00, 0x0D
_DIGITS = b"0123456789"


class FrameError(Exception):
    """A frame that breaks RFC 6587 framing, or a message that cannot be stored as one line."""

    messages: list[bytes]     # the complete messages parsed before the error (stored; the rest is not)


def parse_listen_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT (port 0: any free port)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in SCHEMES:
        raise UsageError(f"--listen {url!r}: expected udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT")
    host, colon, port = rest.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise UsageError(f"--listen {url!r}: needs HOST:PORT with a port from 0 to 65535")
    return scheme, host, int(port)


def storable(message: bytes, max_size: int = DEFAULT_MAX_SIZE) -> str | None:
    """Why `message` cannot be stored unchanged as one line, or None if it can."""
    if not message:
        return "empty message"
    if len(message) > max_size:
        return f"message of {len(message)} octets exceeds the {max_size}-octet limit"
    lf = message.find(b"\n")
    if lf >= 0:
        return f"message holds LF at octet {lf}: it cannot be stored as one line"
    nul = message.find(b"\0")
    if nul >= 0:
        return f"message holds NUL at octet {nul}: it cannot be stored unchanged"
    return None


class FrameParser:
    """Incremental RFC 6587 deframer, framing decided per frame.

    `feed(data)` returns the complete messages in `data` (and what was
    buffered before it); when a frame is broken it raises FrameError, with
    the messages completed before the broken frame in `error.messages`.
    After an error the parser is spent. `end()` raises FrameError when the
    stream stopped in the middle of a frame."""

    def __init__(self, max_size: int = DEFAULT_MAX_SIZE):
        self.max_size = max_size
        self._count_digits = len(str(max_size))
        self._buffer = bytearray()
        self.offset = 0            # stream offset of the buffer's first octet, for messages
        self.frames = 0

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def feed(self, data: bytes) -> list[bytes]:
        buf = self._buffer
        buf += data
        messages: list[bytes] = []
        pos = 0
        size = len(buf)
        try:
            while pos < size:
                first = buf[pos]
                if first == LF or first == CR:          # between frames
                    pos += 1
                    continue
                if first in _DIGITS:
                    done = self._octet_counted(buf, pos, size)
                elif first == 0x3C:                     # "<": non-transparent, LF-terminated
                    done = self._lf_terminated(buf, pos, size)
                else:
                    raise self._error(pos, f"frame starts with {bytes([first])!r}: neither an octet count "
                                           f"nor '<'")
                if done is None:
                    break
                message, pos = done
                reason = storable(message, self.max_size)
                if reason:
                    raise self._error(pos, reason)
                self.frames += 1
                messages.append(message)
        except FrameError as exc:
            exc.messages = messages
            del buf[:]
            raise
        del buf[:pos]
        self.offset += pos
        return messages

    def end(self) -> None:
        """The peer closed the stream: anything but CR/LF left is a frame cut short."""
        rest = bytes(self._buffer).strip(b"\r\n")
        if rest:
            error = self._error(0, f"connection closed in the middle of a frame ({len(rest)} octets "
                                   f"discarded, nothing written)")
            error.messages = []
            del self._buffer[:]
            raise error

    def _error(self, pos: int, reason: str) -> FrameError:
        return FrameError(f"frame {self.frames + 1} (stream octet {self.offset + pos}): {reason}")

    def _octet_counted(self, buf: bytearray, pos: int, size: int) -> tuple[bytes, int] | None:
        if buf[pos] == 0x30:
            raise self._error(pos, "octet count with a leading zero (MSG-LEN = NONZERO-DIGIT *DIGIT)")
        end = pos
        limit = min(size, pos + self._count_digits + 1)
        while end < limit and buf[end] in _DIGITS:
            end += 1
        if end - pos > self._count_digits:
            raise self._error(pos, f"octet count longer than {self._count_digits} digits "
                                   f"(limit {self.max_size} octets)")
        if end == size:
            return None                                 # the count goes on in the next read
        if buf[end] != 0x20:
            raise self._error(pos, f"octet count followed by {bytes([buf[end]])!r}, not SP")
        length = int(buf[pos:end])
        if length > self.max_size:
            raise self._error(pos, f"octet count {length} exceeds the {self.max_size}-octet limit")
        start = end + 1
        if start + length > size:
            return None
        return bytes(buf[start:start + length]), start + length

    def _lf_terminated(self, buf: bytearray, pos: int, size: int) -> tuple[bytes, int] | None:
        lf = buf.find(b"\n", pos, min(size, pos + self.max_size + 1))
        if lf < 0:
            if size - pos > self.max_size:
                raise self._error(pos, f"no LF within {self.max_size} octets of a non-transparent frame")
            return None
        return bytes(buf[pos:lf]), lf + 1


class _Stream(asyncio.Protocol):
    """One TCP or TLS connection."""

    def __init__(self, collector: Collector):
        self.collector = collector
        self.parser = FrameParser(collector.max_size)
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.closed = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        collector = self.collector
        collector.connections += 1
        if len(collector._streams) >= collector.max_connections:
            collector._report(f"{collector.scheme} {self.peer}: refused, {collector.max_connections} "
                              f"connections already open")
            self.closed = True
            transport.abort()
            return
        collector._streams.add(self)
        if collector.scheme == "tls":
            transport.pause_reading()       # nothing may be read before the TLS layer takes over
            task = asyncio.get_running_loop().create_task(self._start_tls(transport))
            collector._tasks.add(task)
            task.add_done_callback(collector._tasks.discard)

    async def _start_tls(self, transport) -> None:
        loop = asyncio.get_running_loop()
        try:
            assert self.collector.ssl_context is not None      # tls:// only
            self.transport = await loop.start_tls(transport, self, self.collector.ssl_context, server_side=True,
                                                  ssl_handshake_timeout=self.collector.handshake_timeout)
        except (TimeoutError, OSError, ssl.SSLError, ConnectionError) as exc:
            if self.closed:                 # stop() closed it during the handshake
                return
            self.collector._report(f"tls {self.peer}: handshake failed: {exc.__class__.__name__}: {exc}")
            self.closed = True
            transport.abort()
            self.collector._streams.discard(self)

    def data_received(self, data: bytes) -> None:
        if self.closed:
            return
        try:
            messages = self.parser.feed(data)
        except FrameError as exc:
            self.collector._store_all(exc.messages, self)
            self._fail(str(exc))
            return
        self.collector._store_all(messages, self)

    def eof_received(self) -> bool:
        if not self.closed:
            try:
                self.parser.end()
            except FrameError as exc:
                self.collector._report(f"{self.collector.scheme} {self.peer}: {exc}")
                self.close(abort=True)
            self.closed = True
        return False                                    # close our side too

    def connection_lost(self, exc) -> None:
        if not self.closed:
            try:
                self.parser.end()
            except FrameError as error:
                self.collector._report(f"{self.collector.scheme} {self.peer}: {error}"
                                       + (f" ({exc})" if exc else ""))
        self.closed = True
        self.collector._streams.discard(self)

    def _fail(self, reason: str) -> None:
        self.collector._report(f"{self.collector.scheme} {self.peer}: {reason}; connection closed")
        self.close(abort=True)

    def close(self, abort: bool = False) -> None:
        if self.closed and not abort:
            return
        self.closed = True
        if self.transport is not None:
            if abort:
                self.transport.abort()
            else:
                self.transport.close()


class Collector:
    """The collector. `out` is a path (opened for appending) or a binary file."""

    def __init__(self, listen: str, out: Path | str | BinaryIO, *, certfile: Path | str | None = None,
                 keyfile: Path | str | None = None, client_ca: Path | str | None = None,
                 max_messages: int | None = None, max_size: int = DEFAULT_MAX_SIZE,
                 max_connections: int = DEFAULT_MAX_CONNECTIONS, handshake_timeout: float = TLS_HANDSHAKE_TIMEOUT_S,
                 report: Callable[[str], None] | None = None):
        self.listen = listen
        self.scheme, self.host, self._requested_port = parse_listen_url(listen)
        if max_messages is not None and max_messages < 1:
            raise UsageError("--max-messages must be at least 1")
        if max_size < 1:
            raise UsageError("--max-size must be at least 1")
        self.max_messages = max_messages
        self.max_size = max_size
        self.max_connections = max_connections
        self.handshake_timeout = handshake_timeout
        self.ssl_context = self._ssl_context(certfile, keyfile, client_ca) if self.scheme == "tls" else None
        if self.scheme != "tls" and (certfile or keyfile or client_ca):
            raise UsageError("--cert, --key and --client-ca are for tls:// only")
        self._out_arg = out
        self._out: BinaryIO | None = None
        self._owns_out = False
        self._emit = report or (lambda line: print(f"hcdaudit collect: {line}", file=sys.stderr, flush=True))
        self.port = 0
        self.count = 0              # messages written
        self.octets = 0             # octets written, LFs included
        self.connections = 0        # TCP/TLS connections accepted
        self.peers: set = set()     # UDP senders
        self.errors = 0
        self.error_messages: deque[str] = deque(maxlen=MAX_REPORTED_ERRORS)
        self.started_at = 0.0
        self.stopped_at = 0.0
        self.done: asyncio.Event | None = None   # set when --max-messages is reached or stop() runs
        self._server: asyncio.base_events.Server | None = None
        self._udp: socket.socket | None = None
        self._streams: set[_Stream] = set()
        self._tasks: set[asyncio.Task] = set()

    @staticmethod
    def _ssl_context(certfile, keyfile, client_ca) -> ssl.SSLContext:
        if not certfile:
            raise UsageError("tls:// needs --cert PEM (and --key PEM unless the key is in the same file)")
        for given in (certfile, keyfile, client_ca):
            if given and not Path(given).is_file():
                raise UsageError(f"{given}: no such file")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2     # RFC 9662; hcdaudit: TLS 1.2 minimum
        try:
            context.load_cert_chain(str(certfile), str(keyfile) if keyfile else None)
            if client_ca:
                context.load_verify_locations(cafile=str(client_ca))
                context.verify_mode = ssl.CERT_REQUIRED
        except (ssl.SSLError, OSError) as exc:
            from .tls_files import explain
            raise UsageError(explain(Path(certfile), Path(keyfile) if keyfile else None,
                                     Path(client_ca) if client_ca else None, exc)) from None
        return context

    # -- life cycle -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self.done = asyncio.Event()
        if isinstance(self._out_arg, (str, Path)):
            try:
                self._out = open(self._out_arg, "ab")  # noqa: ASYNC230, SIM115  (before serving; closed by stop())
            except OSError as exc:
                raise UsageError(f"{self._out_arg}: {exc.strerror or exc}") from None
            self._owns_out = True
        else:
            self._out = self._out_arg
        try:
            if self.scheme == "udp":
                family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
                sock = socket.socket(family, socket.SOCK_DGRAM)
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, UDP_RECEIVE_BUFFER)
                    sock.bind((self.host, self._requested_port))
                except OSError:
                    sock.close()
                    raise
                sock.setblocking(False)
                loop.add_reader(sock.fileno(), self._datagrams_ready)
                self._udp = sock
                self.port = sock.getsockname()[1]
            else:
                self._server = await loop.create_server(lambda: _Stream(self), self.host, self._requested_port,
                                                        reuse_address=True)
                self.port = self._server.sockets[0].getsockname()[1]
        except OSError as exc:
            self._close_out()
            raise UsageError(f"cannot listen on {self.scheme}://{self.host}:{self._requested_port}: "
                             f"{exc.strerror or exc}") from None
        self.started_at = time.monotonic()

    async def stop(self) -> None:
        """Stop listening, close every connection (a frame in flight is dropped, never written half)."""
        if self._server is not None:
            self._server.close()
        if self._udp is not None:
            asyncio.get_running_loop().remove_reader(self._udp.fileno())
            self._udp.close()
        for stream in list(self._streams):
            stream.close(abort=True)
        self._streams.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._server is not None:
            try:
                await asyncio.wait_for(self._server.wait_closed(), 5)
            except TimeoutError:
                pass
            self._server = None
        self._udp = None
        self._close_out()
        if self.done is not None:
            self.done.set()
        self.stopped_at = time.monotonic()

    def _close_out(self) -> None:
        if self._out is not None:
            try:
                self._out.flush()
            except (OSError, ValueError):
                pass
            if self._owns_out:
                self._out.close()
        self._out = None

    # -- storing ----------------------------------------------------------------------------------------------

    @property
    def full(self) -> bool:
        return self.max_messages is not None and self.count >= self.max_messages

    def _store(self, message: bytes) -> bool:
        if self._out is None or self.full:
            return False
        line = message + b"\n"
        try:
            self._out.write(line)
            self._out.flush()
        except (OSError, ValueError) as exc:
            self._report(f"cannot write {getattr(self._out, 'name', 'the output')}: {exc}; stopping")
            self._close_out()
            self._set_done()
            return False
        self.count += 1
        self.octets += len(line)
        if self.full:
            self._set_done()
        return True

    def _set_done(self) -> None:
        if self.done is not None:
            self.done.set()

    def _datagrams_ready(self) -> None:
        """UDP: drain what the socket holds (bounded per call), one datagram = one message."""
        sock = self._udp
        if sock is None:
            return
        for _ in range(UDP_READS_PER_WAKEUP):
            try:
                data, addr = sock.recvfrom(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self._report(f"udp: {exc}")
                return
            if len(self.peers) < MAX_TRACKED_PEERS:
                self.peers.add(addr[:2])
            reason = storable(data, self.max_size)
            if reason:
                self._report(f"udp {addr[0]}:{addr[1]}: datagram dropped: {reason}")
            else:
                self._store(data)

    def _store_all(self, messages: list[bytes], stream: _Stream) -> None:
        for message in messages:
            if not self._store(message):
                stream.close(abort=True)
                return

    def _report(self, line: str) -> None:
        self.errors += 1
        self.error_messages.append(line)
        if self.errors <= MAX_REPORTED_ERRORS:
            self._emit(line)
        elif self.errors == MAX_REPORTED_ERRORS + 1:
            self._emit(f"more than {MAX_REPORTED_ERRORS} errors: further ones are counted, not shown")

    # -- reporting --------------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def summary(self) -> str:
        elapsed = (self.stopped_at or time.monotonic()) - self.started_at if self.started_at else 0.0
        who = (f"{len(self.peers)} UDP sender{'s' if len(self.peers) != 1 else ''}" if self.scheme == "udp"
               else f"{self.connections} connection{'s' if self.connections != 1 else ''}")
        return (f"collected {self.count} message{'s' if self.count != 1 else ''} ({self.octets} octets) from {who} "
                f"on {self.url} in {elapsed:.1f} s, {self.errors} error{'s' if self.errors != 1 else ''}")


# ---------------------------------------------------------------------------------------------------------------
# In a thread, for the demo and tests
# ---------------------------------------------------------------------------------------------------------------

class CollectorThread:
    """A Collector on its own event loop in a daemon thread. Use as a context manager or call stop()."""

    def __init__(self, collector: Collector):
        self.collector = collector
        # made in the thread, where a Ctrl-C cannot cut its construction short (a half-made loop's
        # finaliser prints a traceback at exit)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name=f"hcdaudit-collect-{collector.scheme}", daemon=True)

    def _main(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.collector.start())
        except BaseException as exc:       # noqa: BLE001 - handed to the starting thread
            self._failure = exc
            self._ready.set()
            loop.close()
            return
        self._loop = loop
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(self.collector.stop())
            loop.close()

    def start(self, timeout: float = 10.0) -> CollectorThread:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError(f"the collector did not start within {timeout} s")
        if self._failure is not None:
            raise self._failure
        return self

    @property
    def port(self) -> int:
        return self.collector.port

    @property
    def count(self) -> int:
        return self.collector.count

    @property
    def url(self) -> str:
        return self.collector.url

    @property
    def errors(self) -> int:
        return self.collector.errors

    @property
    def error_messages(self) -> list[str]:
        return list(self.collector.error_messages)

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Wait (bounded) until `count` messages are written; True if they were."""
        deadline = time.monotonic() + timeout
        while self.collector.count < count and time.monotonic() < deadline:
            time.sleep(0.005)
        return self.collector.count >= count

    def wait_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> int:
        """Wait until nothing new arrives for `quiet` seconds (bounded by `timeout`); return the count."""
        deadline = time.monotonic() + timeout
        last, since = self.collector.count, time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.02)
            now = self.collector.count
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
        return last

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive() and self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    def summary(self) -> str:
        return self.collector.summary()

    def __enter__(self) -> CollectorThread:  # noqa: PYI034
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def run_in_thread(listen_url: str, out_path: Path | str, **options) -> CollectorThread:
    """Start a collector in a background thread (e.g. on udp://127.0.0.1:0) and return its handle once it
    listens: `.port`, `.count`, `.wait_for(n)`, `.stop()`. Options are Collector's keyword arguments."""
    return CollectorThread(Collector(listen_url, out_path, **options)).start()


# ---------------------------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------------------------

async def _serve(collector: Collector, duration: float | None) -> None:
    await collector.start()
    print(f"hcdaudit collect: listening on {collector.url}, storing one message a line in {collector._out_arg}",
          file=sys.stderr, flush=True)
    loop = asyncio.get_running_loop()
    installed = []
    done = collector.done
    assert done is not None       # start() made it
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, done.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):   # not the main thread, or no signals here
            pass
    try:
        await asyncio.wait_for(done.wait(), duration)
    except TimeoutError:
        pass
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        await collector.stop()


def func(args) -> int:
    if args.duration is not None and args.duration <= 0:
        raise UsageError("--duration must be positive")
    collector = Collector(args.listen, args.out, certfile=args.cert, keyfile=args.key, client_ca=args.client_ca,
                          max_messages=args.max_messages, max_size=args.max_size)
    try:
        asyncio.run(_serve(collector, args.duration))
    except KeyboardInterrupt:
        pass
    print(collector.summary(), flush=True)
    return 1 if collector.errors else 0


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "collect", help="a small syslog collector: store each message unchanged, one per line",
        description="Receive syslog over UDP (RFC 5426), TCP (RFC 6587: octet counting or LF framing, decided "
                    "per frame) or TLS (RFC 5425) and store each message unchanged, one per line + LF, as rsyslog "
                    "stores %rawmsg%, so that `hcdaudit verify syslog FILE` can verify it. A message holding LF "
                    "or NUL, or a broken frame, is reported on stderr and its connection closed; nothing is "
                    "written half. Runs until SIGINT/SIGTERM, --duration or --max-messages, then prints a "
                    "one-line summary. Exit 0 clean, 1 if any message was refused, 2 unusable input.")
    p.add_argument("--listen", required=True, metavar="URL",
                   help="udp://HOST:PORT, tcp://HOST:PORT or tls://HOST:PORT (port 0: any free port, printed)")
    p.add_argument("--out", required=True, type=Path, metavar="FILE", help="collector file (appended to)")
    p.add_argument("--cert", type=Path, metavar="PEM", help="tls: the collector's certificate (chain)")
    p.add_argument("--key", type=Path, metavar="PEM", help="tls: its private key")
    p.add_argument("--client-ca", type=Path, metavar="PEM",
                   help="tls: require senders to present a certificate issued by this CA")
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--max-messages", type=int, metavar="N", help="stop after N messages are stored")
    p.add_argument("--max-size", type=int, default=DEFAULT_MAX_SIZE, metavar="OCTETS",
                   help=f"largest message accepted (default {DEFAULT_MAX_SIZE})")
    p.set_defaults(func=func)
