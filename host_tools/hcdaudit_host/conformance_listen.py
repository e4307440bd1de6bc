"""`hcdaudit conformance --listen` over TCP, TLS and RELP: receive for a while,
then hand the messages, in arrival order, to the checker.

TCP (RFC 6587) and TLS (RFC 5425) reuse `hcdaudit collect`'s Collector (per
frame octet counting or LF framing, bounded buffers); RELP is served here:
librelp's framing `TXNR SP COMMAND SP DATALEN [SP DATA] LF`, `open` answered
with `200 OK` and the offers relp_version=0 and commands=syslog, every
`syslog` acknowledged with `200 OK` once stored, `close` answered and the
connection closed. UDP stays in conformance.py (one datagram, one message).
"""
from __future__ import annotations

import asyncio
import io
import threading
import time
from pathlib import Path

from .errors import UsageError

__all__ = ["SCHEMES", "RelpServer", "listen_stream"]

SCHEMES = ("tcp", "tls", "relp")
MAX_FRAME = 65536 + 64          # a 64k message plus its RELP header
MAX_MESSAGES = 1_000_000
_OFFERS = b"200 OK\nrelp_version=0\nrelp_software=hcdaudit-conformance,1,-\ncommands=syslog"


class _RelpSession(asyncio.Protocol):
    def __init__(self, server: RelpServer):
        self.server = server
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            frame = self._next_frame()
            if frame is None:
                break
            txnr, command, payload = frame
            if command == b"open":
                self._reply(txnr, _OFFERS)
            elif command == b"syslog":
                if len(self.server.messages) < MAX_MESSAGES:
                    self.server.messages.append(payload)
                self._reply(txnr, b"200 OK")
            elif command == b"close":
                self._reply(txnr, b"")
                self._close()
                return
            else:
                self._reply(txnr, b"500 unknown command")
        if len(self.buffer) > MAX_FRAME:
            self.server.errors.append("RELP frame longer than 64k: connection closed")
            self._close()

    def _next_frame(self) -> tuple[bytes, bytes, bytes] | None:
        head_end = -1
        spaces = 0
        for index, octet in enumerate(self.buffer[:64]):
            if octet == 0x20:
                spaces += 1
                if spaces == 3:
                    head_end = index
                    break
            elif octet == 0x0A and spaces == 2:        # DATALEN 0: no SP, no DATA
                head_end = index
                break
        if head_end < 0:
            if len(self.buffer) >= 64:
                self.server.errors.append("RELP: no frame header in the first 64 octets: connection closed")
                self._close()
            return None
        parts = bytes(self.buffer[:head_end]).split(b" ")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
            self.server.errors.append(f"RELP: bad frame header {bytes(self.buffer[:head_end])[:40]!r}")
            self._close()
            return None
        length = int(parts[2])
        start = head_end + 1 if self.buffer[head_end] == 0x20 else head_end
        end = start + length
        if len(self.buffer) < end + 1:
            return None
        if self.buffer[end] != 0x0A:
            self.server.errors.append("RELP: frame not ended by LF")
            self._close()
            return None
        payload = bytes(self.buffer[start:end])
        del self.buffer[:end + 1]
        return parts[0], parts[1], payload

    def _reply(self, txnr: bytes, data: bytes) -> None:
        if self.transport is not None:
            head = b"%s rsp %d" % (txnr, len(data))
            self.transport.write(head + (b" " + data if data else b"") + b"\n")

    def _close(self) -> None:
        self.buffer.clear()
        if self.transport is not None:
            self.transport.close()


class RelpServer:
    """A RELP receiver that keeps every syslog message, in arrival order."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.messages: list[bytes] = []
        self.errors: list[str] = []
        self._server: asyncio.base_events.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(lambda: _RelpSession(self), self.host, self.port)
        except OSError as exc:
            raise UsageError(f"--listen relp://{self.host}:{self.port}: {exc.strerror or exc}") from None
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


def _run_relp(host: str, port: int, duration: float, ready) -> list[bytes]:
    server = RelpServer(host, port)

    async def main() -> None:
        await server.start()
        if ready is not None:
            ready(server.port)
        try:
            await asyncio.sleep(duration)
        finally:
            await server.stop()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        if not server.messages:
            raise
    return server.messages


def _run_collector(scheme: str, host: str, port: int, duration: float, ready, cert: Path | None,
                   key: Path | None) -> list[bytes]:
    from .collect import Collector, CollectorThread
    out = io.BytesIO()
    if scheme == "tls" and not (cert and key):
        raise UsageError("--listen tls://... needs --cert and --key (the collector's certificate and key)")
    collector = Collector(f"{scheme}://{host}:{port}", out, certfile=cert if scheme == "tls" else None,
                          keyfile=key if scheme == "tls" else None, report=lambda line: None)
    handle = CollectorThread(collector)
    try:
        handle.start()
    except OSError as exc:
        raise UsageError(f"--listen {scheme}://{host}:{port}: {exc.strerror or exc}") from None
    if ready is not None:
        ready(handle.port)
    try:
        deadline = time.monotonic() + duration
        while time.monotonic() < deadline:
            time.sleep(min(0.1, max(deadline - time.monotonic(), 0)))
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
    return [line for line in out.getvalue().split(b"\n") if line]


def listen_stream(scheme: str, host: str, port: int, duration: float, ready=None, cert: Path | None = None,
                  key: Path | None = None) -> list[bytes]:
    """Every message that arrives over TCP, TLS or RELP for `duration` seconds.
    `ready(port)` is called once the listener is bound."""
    if scheme == "relp":
        result: list[list[bytes]] = []
        failure: list[BaseException] = []

        def work() -> None:
            try:
                result.append(_run_relp(host, port, duration, ready))
            except BaseException as exc:      # noqa: BLE001 - handed to the caller's thread
                failure.append(exc)

        thread = threading.Thread(target=work, name="hcdaudit-conformance-relp", daemon=True)
        thread.start()
        thread.join(duration + 30)
        if failure:
            raise failure[0]
        return result[0] if result else []
    return _run_collector(scheme, host, port, duration, ready, cert, key)
