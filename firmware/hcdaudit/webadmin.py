# The device's HTTPS admin export: a small HTTP/1.1 server, polled from the
# main loop between log() calls, so logging goes on while an export runs and
# no client can stall it. The board hands it a TLS listener
# (hcdaudit/hal/https.py); this module never imports a socket.
#
#   GET /                    the admin page (from flash) with the log's state
#   GET /status.json         the same state as JSON
#   GET /export/FMT          FMT in pwg fx xerox km jsonl csv; ?since= &until= &seq=
#   GET /export/raw          the sealed NVRAM region and store files as a tar
#                            stream (nvram.bin, store/..., export.json last),
#                            what `hcdaudit pull https://` unpacks for verify
#   POST /settings           name=value (a collector setting): an audited change
#
# Only an authenticated administrator (HTTP Basic over TLS, the provisioned
# PBKDF2 hash, compared in constant time) gets anything but the sign-in
# challenge. Every failed sign-in, lockout, export and settings change is an
# audit record with the interface `web` and the client's address. Bounded:
# request line, header block, body, time to send the request, stalls while
# answering, live connections; work per poll. Responses are chunked, so a
# client can tell a complete export from one cut short (a power cut).
import binascii

from hcdaudit import events, exportfmt, kdf
from hcdaudit import subject as subjects
from hcdaudit.httpreq import HttpError, Selection, digits, parse_request, unquote
from hcdaudit.lockout import FailureCounter
from hcdaudit.ticks import ticks_diff, ticks_ms

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

MAX_REQUEST_LINE = const(512)   # as httpreq checks it
MAX_HEADER = const(2048)         # request line + header fields
MAX_BODY = const(512)
REQUEST_TIMEOUT_MS = const(10000)   # to send the whole request
STALL_TIMEOUT_MS = const(30000)     # without any progress while answering
OUT_SIZE = const(2048)
_CHUNK_HEAD = const(6)           # "XXXX\r\n"
_READING = const(0)
_VERIFYING = const(1)
_ANSWERING = const(2)
_DONE = const(3)
_SESSION_S = const(600)          # a sign-in is logged once per host and account within this time
_TAR_BLOCK = const(512)

REALM = "hcdaudit"
_PHRASES = {200: "OK", 303: "See Other", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout", 413: "Content Too Large",
            414: "URI Too Long", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
            501: "Not Implemented", 503: "Service Unavailable", 505: "HTTP Version Not Supported"}
_SECURITY_HEADERS = ("Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
                     "Strict-Transport-Security: max-age=31536000\r\nReferrer-Policy: no-referrer\r\n"
                     "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n")


class TlsFailure(OSError):
    """A client's TLS session could not be established or broke (raised by the HAL's links)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


# ------------------------------------------------------------------ tar (ustar) for the raw export
def tar_header(name, size, mtime_s=0):
    """A 512-byte ustar header of a regular file."""
    h = bytearray(_TAR_BLOCK)
    raw = name.encode()
    if len(raw) > 99:
        raise ValueError("tar member name too long: %s" % name)
    h[0:len(raw)] = raw
    h[100:108] = b"0000644\x00"
    h[108:116] = b"0000000\x00"
    h[116:124] = b"0000000\x00"
    h[124:136] = ("%011o" % size).encode() + b"\x00"
    h[136:148] = ("%011o" % mtime_s).encode() + b"\x00"
    h[148:156] = b"        "
    h[156] = 0x30
    h[257:263] = b"ustar\x00"
    h[263:265] = b"00"
    total = 0
    for b in h:
        total += b
    h[148:156] = ("%06o" % total).encode() + b"\x00 "
    return h


# ------------------------------------------------------------------ the admin page (flash)
_PAGE_HEAD = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>hcdaudit admin</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;
padding:.2em .6em;text-align:left}</style></head><body>
<h1>Audit log</h1>
<table id="state">
"""
_PAGE_TAIL = b"""</table>
<h2>Export</h2>
<ul id="exports">
<li><a href="/export/pwg">PWG 5110.3 (syslog lines)</a></li>
<li><a href="/export/fx">Fuji Xerox format 3</a></li>
<li><a href="/export/xerox">Xerox</a></li>
<li><a href="/export/km">Konica Minolta / Sharp</a></li>
<li><a href="/export/jsonl">JSON lines</a></li>
<li><a href="/export/csv">CSV</a></li>
<li><a href="/export/raw">sealed records (tar, for hcdaudit verify store)</a></li>
</ul>
<p>Filters: <code>?since=2026-11-23T08:00:00Z&amp;until=2026-11-23&amp;seq=100-200</code>.
Every export is an audit record.</p>
</body></html>
"""


def _html(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# ------------------------------------------------------------------ the server
class _Conn:
    def __init__(self, link, now):
        self.link = link
        self.host = link.remote
        self.started = now
        self.progress = now
        self.buf = bytearray(MAX_HEADER)
        self.n = 0
        self.state = _READING
        self.request = None
        self.body_left = 0
        self.header_size = 0
        self.status = 0
        self.job = None         # PBKDF2 in progress
        self.claimed = None     # (user, header) of the sign-in being verified
        self.out = bytearray(OUT_SIZE)
        self.view = memoryview(self.out)
        self.out_start = 0
        self.out_end = 0
        self.producer = None
        self.pending = None     # the rest of a piece that did not fit
        self.chunked = True
        self.finished = False   # the producer ran out
        self.export = None      # [format, count, first_seq, last_seq, bytes] while exporting
        self.subject = None


class WebAdmin:
    """The server. log: the AuditLog; listener: hal.https.Listener (or None, for tests that
    feed connections by hand); credential: password.Credential (None: no administrator,
    every request is refused); reader_factory(): an object whose records() yields the device's decoded records (boards/common/web.py: DeviceRecords) over the device's
    memories; raw_source: (nvram, fs) for the sealed export; identity: device.json;
    status(): extra state for the page (syslog delivery); settings: a CollectorConfig."""

    def __init__(self, log, listener, credential, reader_factory, raw_source, identity, random,
                 status=None, settings=None, max_connections=2, pbkdf2_step=2000, lock_threshold=5,
                 lock_seconds=300, now_us=None):
        self.log = log
        self.listener = listener
        self.credential = credential
        self.reader_factory = reader_factory
        self.raw_source = raw_source
        self.identity = identity
        self.status_extra = status
        self.settings = settings
        self.max_connections = max_connections
        self.pbkdf2_step = pbkdf2_step
        self.accounts = FailureCounter(lock_threshold, lock_seconds)
        self.hosts = FailureCounter(lock_threshold, lock_seconds)
        self.now_us = now_us
        self.conns = []
        self._tick = ticks_ms()
        self._now_ms = 0        # monotonic, never wraps (ticks do)
        self._session_key = kdf.HmacKey(random(32))
        self._verified = None   # (HMAC of the Authorization value, until_ms): spares PBKDF2 per request
        self._sessions = []     # [host, user, until_s]: sign-ins already logged
        self.stats = {"requests": 0, "refused": 0, "failed_signins": 0, "lockouts": 0, "exports": 0,
                      "tls_failures": 0, "exported_records": 0, "exported_bytes": 0}
        self.last_error = None  # the last request that failed inside the server (a bug)
        self._tls_reasons = []  # (host, reason) already audited: one record per distinct failure
        if credential is None:
            self.problem = "no administrator credential provisioned"
        else:
            self.problem = None

    # -- time
    def _clock(self):
        t = ticks_ms()
        self._now_ms += ticks_diff(t, self._tick)
        self._tick = t
        return self._now_ms

    def now_s(self):
        return self._clock() // 1000

    # -- the main loop's call
    def poll(self, budget=16):
        """Accept waiting clients (up to the connection bound) and advance each
        connection by a bounded amount of work (`budget` records or pieces)."""
        now = self._clock()
        if self.listener is not None:
            while len(self.conns) < self.max_connections:
                link = self.listener.accept()
                if link is None:
                    break
                self.conns.append(_Conn(link, now))
        for account, failures in self.accounts.expire(now // 1000):
            self.log.log("lockout_expired", subject=self._subject_for(account), interface="web",
                         failure_count=failures)
        self.hosts.expire(now // 1000)
        busy = False
        for conn in list(self.conns):
            try:
                busy = self._advance(conn, budget, now) or busy
            except Exception as exc:     # a bug must not take logging down with it
                if _is_power_cut(exc):
                    raise
                self.last_error = "%s: %s" % (type(exc).__name__, exc)
                self._drop(conn, "internal error")
        return busy

    def close(self):
        for conn in list(self.conns):
            self._drop(conn, None)
        if self.listener is not None:
            self.listener.close()
            self.listener = None

    def lose_power(self):
        """RAM is gone: connections die without another word (their clients see a cut stream)."""
        for conn in self.conns:
            conn.link.close()
        self.conns = []

    def exporting(self):
        """Bytes sent by the export in progress (0: none)."""
        for conn in self.conns:
            if conn.export is not None:
                return conn.export[4] or 1
        return 0

    # -- one connection
    def _advance(self, conn, budget, now):
        if conn.state == _READING:
            if ticks_over(now, conn.started, REQUEST_TIMEOUT_MS):
                return self._fail_early(conn, 408, "the request took more than %d s" % (REQUEST_TIMEOUT_MS // 1000))
            return self._read(conn, now)
        if conn.state == _VERIFYING:
            return self._verify(conn)
        if conn.state == _ANSWERING:
            if ticks_over(now, conn.progress, STALL_TIMEOUT_MS):
                self._drop(conn, "client stalled for %d s" % (STALL_TIMEOUT_MS // 1000))
                return False
            return self._send(conn, budget, now)
        self._drop(conn, None)
        return False

    def _read(self, conn, now):
        if conn.request is not None:          # reading a body
            room = memoryview(conn.buf)[conn.n:conn.n + conn.body_left]
        else:
            if conn.n >= MAX_HEADER:
                return self._fail_early(conn, 431, "request header block larger than %d octets" % MAX_HEADER)
            room = memoryview(conn.buf)[conn.n:]
        try:
            got = conn.link.read_into(room)
        except TlsFailure as exc:
            self._tls_failure(conn, exc.reason)
            return False
        if got is None:
            return False
        if got == 0:
            self._drop(conn, None)
            return False
        conn.progress = now
        if conn.request is not None:
            conn.n += got
            conn.body_left -= got
            if conn.body_left <= 0:
                conn.request.body = bytes(conn.buf[conn.header_size:conn.n])
                self._dispatch(conn)
            return True
        start = conn.n - 3 if conn.n > 3 else 0
        conn.n += got
        end = bytes(conn.buf[start:conn.n]).find(b"\r\n\r\n")
        if end < 0:
            line_end = bytes(conn.buf[:conn.n]).find(b"\r\n")
            if (line_end < 0 and conn.n > MAX_REQUEST_LINE) or line_end > MAX_REQUEST_LINE:
                return self._fail_early(conn, 414, "request line longer than %d octets" % MAX_REQUEST_LINE)
            if conn.n >= MAX_HEADER:
                return self._fail_early(conn, 431, "request header block larger than %d octets" % MAX_HEADER)
            return True
        header_size = start + end + 4
        try:
            request = parse_request(bytes(conn.buf[:header_size]))
            length = request.headers.get("content-length")
            if "transfer-encoding" in request.headers:
                raise HttpError(501, "request bodies must have a Content-Length")
            size = 0
            if length is not None:
                if not length.isdigit():
                    raise HttpError(400, "bad Content-Length")
                size = int(length)
                if size > MAX_BODY or header_size + size > MAX_HEADER:
                    raise HttpError(413, "request body larger than %d octets" % MAX_BODY)
        except HttpError as exc:
            return self._fail_early(conn, exc.status, exc.message)
        conn.request = request
        conn.header_size = header_size
        already = conn.n - header_size
        if size > already:
            conn.body_left = size - already
            return True
        request.body = bytes(conn.buf[header_size:header_size + size])
        self._dispatch(conn)
        return True

    def _fail_early(self, conn, status, message):
        self.stats["refused"] += 1
        self._respond_text(conn, status, message)
        return True

    # -- authentication
    def _subject_for(self, user):
        if self.credential is not None and user == self.credential.user:
            return subjects.admin(user) if user == "admin" else subjects.user(user, role="Administrator")
        return subjects.unregistered(user)

    def _dispatch(self, conn):
        self.stats["requests"] += 1
        request = conn.request
        if request.method not in ("GET", "HEAD", "POST"):
            return self._respond_text(conn, 405, "method not allowed", ("Allow: GET, HEAD, POST\r\n",))
        if self.credential is None:
            return self._respond_text(conn, 503, "no administrator is provisioned: the export is off")
        auth = request.headers.get("authorization")
        if auth is None:
            return self._challenge(conn, "sign in as the administrator")
        scheme, _, token = auth.partition(" ")
        user = password = None
        if scheme.lower() == "basic":
            try:
                user, colon, password = binascii.a2b_base64(token.strip()).decode("utf-8").partition(":")
                if not colon:
                    user = None
            except (ValueError, UnicodeError):
                user = None
        if user is None:
            self._signin_failed(conn, "", "malformed credentials")
            return self._challenge(conn, "malformed credentials")
        host = conn.host
        now_s = self._now_ms // 1000
        if self.hosts.is_locked(host, now_s) or self.accounts.is_locked(user, now_s):
            self.stats["failed_signins"] += 1
            self.log.log("login_failure", subject=self._subject_for(user), outcome="failure", interface="web",
                         remote_host=host, auth_method="basic", reason="locked")
            return self._respond_text(conn, 403, "locked out after repeated failures; try again later")
        digest = self._session_key.digest(auth.encode())
        cached = self._verified
        if cached is not None and self._now_ms < cached[1] and kdf.equal(digest, cached[0]):
            return self._signed_in(conn, user)
        # PBKDF2 runs over the next polls; an unknown user costs the same as a wrong password.
        conn.claimed = (user, digest)
        conn.job = self.credential.start(password.encode("utf-8"))
        conn.state = _VERIFYING
        return True

    def _verify(self, conn):
        job = conn.job
        if not job.step(self.pbkdf2_step):
            return True
        user, digest = conn.claimed
        ok = self.credential.matches(job) and user == self.credential.user
        conn.job = None
        if not ok:
            reason = "invalid_password" if user == self.credential.user else "invalid_user_id"
            self._signin_failed(conn, user, reason)
            return self._challenge(conn, "wrong user name or password")
        self.accounts.succeeded(user)
        self.hosts.succeeded(conn.host)
        self._verified = (digest, self._now_ms + _SESSION_S * 1000)
        return self._signed_in(conn, user)

    def _signin_failed(self, conn, user, reason):
        self.stats["failed_signins"] += 1
        now_s = self._now_ms // 1000
        who = self._subject_for(user)
        if reason not in ("invalid_password", "invalid_user_id"):
            who = subjects.unregistered(user)
        events.login_failed(self.log, who, reason, now_s, interface="web", remote_host=conn.host,
                            auth_method="basic", counter=self.accounts)
        locked_now, _, count, _ = self.hosts.failed(conn.host, now_s)
        if self.accounts.is_locked(user, now_s) and self.accounts.failures(user) == self.accounts.threshold:
            self.stats["lockouts"] += 1
        if locked_now and not self.accounts.is_locked(user, now_s):
            # the host, not (yet) the account, reached the threshold: spraying names
            self.stats["lockouts"] += 1
            self.log.log("lockout", subject=who, interface="web", remote_host=conn.host, failure_count=count,
                         lock_seconds=self.hosts.lock_seconds, threshold=self.hosts.threshold)

    def _signed_in(self, conn, user):
        conn.subject = self._subject_for(user)
        now_s = self._now_ms // 1000
        fresh = True
        for entry in self._sessions:
            if entry[0] == conn.host and entry[1] == user and now_s < entry[2]:
                entry[2] = now_s + _SESSION_S
                fresh = False
        if fresh:
            self._sessions = [e for e in self._sessions if now_s < e[2]][-7:]
            self._sessions.append([conn.host, user, now_s + _SESSION_S])
            events.login(self.log, conn.subject, interface="web", remote_host=conn.host, auth_method="basic")
        return self._route(conn)

    def _challenge(self, conn, message):
        return self._respond_text(conn, 401, message, ('WWW-Authenticate: Basic realm="%s", charset="UTF-8"\r\n'
                                                       % REALM,))

    # -- routes (an authenticated administrator)
    def _route(self, conn):
        request = conn.request
        path = request.path
        try:
            if path == "/settings":
                if request.method != "POST":
                    raise HttpError(405, "POST name=value to /settings")
                return self._change_setting(conn)
            if request.method == "POST":
                raise HttpError(405, "only /settings takes POST")
            if path == "/":
                return self._start(conn, 200, "text/html; charset=utf-8", self._page())
            if path == "/status.json":
                return self._start(conn, 200, "application/json", _once(
                    (exportfmt.json_text(self.status()) + "\n").encode()))
            if path.startswith("/export/"):
                fmt = path[8:]
                if fmt == "raw":
                    if request.query:
                        raise HttpError(400, "the sealed export is always the whole log (a part of it cannot "
                                             "be verified); filter the formatted exports instead")
                    return self._start_export(conn, "raw", "application/x-tar", self._raw())
                if fmt not in exportfmt.FORMATS:
                    raise HttpError(404, "no export format %s (one of %s, raw)" % (fmt[:16],
                                                                                 ", ".join(exportfmt.FORMATS)))
                selection = Selection(request.query)
                options = {}
                if request.query.get("tz_minutes"):
                    tz = request.query["tz_minutes"]
                    options["tz_minutes"] = -digits(tz[1:], "tz_minutes") if tz[:1] == "-" else \
                        digits(tz, "tz_minutes")
                for name in ("date_format", "device_ip"):
                    if request.query.get(name):
                        options[name] = request.query[name]
                try:
                    writer = exportfmt.Writer(fmt, self.identity, options)
                except ValueError as exc:
                    raise HttpError(400, str(exc))
                return self._start_export(conn, fmt, writer.content_type, self._formatted(conn, writer, selection))
            raise HttpError(404, "no such page")
        except HttpError as exc:
            return self._respond_text(conn, exc.status, exc.message)

    def _change_setting(self, conn):
        if self.settings is None:
            raise HttpError(501, "this device has no changeable audit settings")
        body = conn.request.body.decode("utf-8", "replace") if conn.request.body else ""
        name, eq, value = body.strip().partition("=")
        name, value = unquote(name), unquote(value)
        if not eq or not name:
            raise HttpError(400, "expected name=value")
        typed = int(value) if value.isdigit() else value
        try:
            changed = self.settings.change(self.log, name, typed, subject=conn.subject, interface="web",
                                           remote_host=conn.host)
        except ValueError as exc:
            self.log.log("setting_change", subject=conn.subject, outcome="failure", interface="web",
                         remote_host=conn.host, setting="syslog " + name[:32], new_value=value[:64])
            raise HttpError(400, "setting refused: %s" % exc)
        return self._respond_text(conn, 200, "changed" if changed else "unchanged")

    def status(self):
        log = self.log
        store = getattr(log, "store", None)
        store_first = getattr(store, "first_seq", 0) if store is not None else 0
        store_last = getattr(store, "last_seq", 0) if store is not None else 0
        newest = log.next_seq - 1
        oldest = store_first or (newest - log.in_nvram + 1 if log.in_nvram else 0)
        state = {"records": (newest - oldest + 1) if oldest else 0, "oldest_seq": oldest, "newest_seq": newest,
                 "in_nvram": log.in_nvram, "last_flush_seq": store_last,
                 "store_segments": store.segment_count() if store is not None else 0,
                 "flush_error": getattr(log, "flush_error", None), "boot": getattr(log, "boot_count", 0),
                 "device": self.identity.get("name"), "uuid": self.identity.get("uuid")}
        if self.status_extra is not None:
            state.update(self.status_extra())
        return state

    def _page(self):
        yield _PAGE_HEAD
        state = self.status()
        for key in sorted(state):
            yield ('<tr><th>%s</th><td id="%s">%s</td></tr>\n' % (_html(key.replace("_", " ")), _html(key),
                                                                   _html("-" if state[key] is None else state[key]))
                   ).encode("utf-8")
        yield _PAGE_TAIL

    # -- exports
    def _start_export(self, conn, fmt, content_type, producer):
        conn.export = [fmt, 0, 0, 0, 0]
        disposition = "attachment; filename=\"%s.%s\"" % (
            "hcdaudit-" + (self.identity.get("name") or "device"), "tar" if fmt == "raw" else
            {"pwg": "log", "fx": "txt", "xerox": "txt", "km": "txt"}.get(fmt, fmt))
        return self._start(conn, 200, content_type, producer, ("Content-Disposition: %s\r\n" % disposition,))

    def _formatted(self, conn, writer, selection):
        yield writer.header()
        # An orderly flush first (what AuditLog.flush is for): every record up to
        # the snapshot is then in a segment the Reader lists at its start, so the
        # ring may be overwritten by logging during the export without a gap.
        try:
            self.log.flush()
        except Exception as exc:       # a full flash: the ring still holds them, read last
            if _is_power_cut(exc):
                raise
        reader = self.reader_factory()
        # A snapshot: records logged after the export began (its own audit record
        # among them) belong to the next export.
        through = self.log.next_seq - 1
        export = conn.export
        for record in reader.records():
            seq = record["seq"]
            if seq > through:
                break
            if not selection(record):
                continue
            if not export[2]:
                export[2] = seq
            export[3] = seq
            export[1] += 1
            yield writer.row(record)

    def _raw(self):
        nvram, fs = self.raw_source
        export = None
        piece = bytearray(_TAR_BLOCK)
        view = memoryview(piece)
        size = nvram.size
        yield tar_header("nvram.bin", size)
        offset = 0
        while offset < size:
            n = min(_TAR_BLOCK, size - offset)
            nvram.read_into(offset, view[:n])
            offset += n
            yield view[:n]
        yield _padding(size)
        # Store files after the ring, then any a flush made meanwhile: the
        # records the ring lost to overwriting are in those (see ARCHITECTURE.md).
        sent = {}
        files = []
        while True:
            names = [name for name in sorted(fs.listdir()) if name not in sent and not name.endswith(".tmp")]
            if not names:
                break
            for name in names:
                sent[name] = True
                try:
                    length = fs.size(name)
                    f = fs.open(name, "rb")
                except OSError:
                    continue          # evicted meanwhile: a newer segment's header says so
                try:
                    yield tar_header("store/" + name, length)
                    done = 0
                    while done < length:
                        n = f.readinto(view[:min(_TAR_BLOCK, length - done)])
                        if not n:
                            raise OSError("store file %s shrank during the export" % name)
                        done += n
                        yield view[:n]
                finally:
                    f.close()
                yield _padding(length)
                files.append([name, length])
        manifest = (exportfmt.json_text({"uuid": self.identity.get("uuid"), "files": files, "nvram": size,
                                         "next_seq": self.log.next_seq, "complete": True}) + "\n").encode()
        yield tar_header("export.json", len(manifest))
        yield manifest
        yield _padding(len(manifest))
        yield bytes(2 * _TAR_BLOCK)      # end of archive
        del export

    # -- answering
    def _respond_text(self, conn, status, message, extra=()):
        return self._start(conn, status, "text/plain; charset=utf-8", _once((message + "\n").encode("utf-8")), extra,
                           close=True)

    def _start(self, conn, status, content_type, producer, extra=(), close=True):
        request = conn.request
        head = ["HTTP/1.1 %d %s\r\n" % (status, _PHRASES.get(status, "")), "Content-Type: %s\r\n" % content_type,
                "Transfer-Encoding: chunked\r\n", "Connection: close\r\n", _SECURITY_HEADERS]
        head.extend(extra)
        head.append("\r\n")
        data = "".join(head).encode()
        conn.out[0:len(data)] = data
        conn.out_start = 0
        conn.out_end = len(data)
        conn.producer = producer if request is None or request.method != "HEAD" else None
        conn.finished = conn.producer is None
        conn.chunked = True
        conn.state = _ANSWERING
        conn.status = status
        if conn.finished:
            _put(conn, b"0\r\n\r\n")
        return True

    def _fill(self, conn, budget):
        """Frame the producer's next pieces as one chunk in the out buffer."""
        out = conn.out
        data_start = _CHUNK_HEAD
        pos = data_start
        limit = OUT_SIZE - 2 - 5      # the chunk's CRLF, and room for the last chunk
        pieces = 0
        while pos < limit:
            piece = conn.pending
            if piece is None:
                if pieces >= budget:
                    break
                try:
                    piece = next(conn.producer)
                except StopIteration:
                    conn.finished = True
                    break
                pieces += 1
                if not piece:
                    continue
            n = min(len(piece), limit - pos)
            out[pos:pos + n] = piece[:n]
            pos += n
            if n < len(piece):
                conn.pending = bytes(piece[n:])   # copy: the producer reuses its buffers
            else:
                conn.pending = None
        size = pos - data_start
        if size:
            out[0:_CHUNK_HEAD] = ("%04x\r\n" % size).encode()
            out[pos:pos + 2] = b"\r\n"
            pos += 2
            conn.out_start = 0
        else:
            conn.out_start = pos = 0
        if conn.finished and conn.pending is None:
            out[pos:pos + 5] = b"0\r\n\r\n"
            pos += 5
        conn.out_end = pos
        if conn.export is not None:
            conn.export[4] += size

    def _send(self, conn, budget, now):
        worked = False
        for _ in range(4):
            if conn.out_start >= conn.out_end:
                if conn.finished and conn.pending is None:
                    self._finish(conn)
                    return worked
                self._fill(conn, budget)
                worked = True
                if conn.out_start >= conn.out_end:
                    return worked
            try:
                n = conn.link.write(conn.view[conn.out_start:conn.out_end])
            except TlsFailure as exc:
                self._abort_export(conn, exc.reason)
                self._drop(conn, None)
                return worked
            if not n:
                return worked
            conn.out_start += n
            conn.progress = now
            worked = True
        return worked

    def _finish(self, conn):
        export = conn.export
        if export is not None:
            fmt, count, first, last, size = export
            conn.export = None
            self.stats["exports"] += 1
            self.stats["exported_records"] += count
            self.stats["exported_bytes"] += size
            self.log.log("audit_export", subject=conn.subject, interface="web", remote_host=conn.host,
                         first_seq=first or None, last_seq=last or None, count=count if fmt != "raw" else None,
                         peer=conn.host, protocol="HTTPS", operation=fmt)
        self._drop(conn, None)

    def _abort_export(self, conn, reason):
        export = conn.export
        if export is not None:
            conn.export = None
            self.log.log("audit_export", subject=conn.subject, outcome="failure", interface="web",
                         remote_host=conn.host, first_seq=export[2] or None, last_seq=export[3] or None,
                         count=export[1] if export[0] != "raw" else None, peer=conn.host, protocol="HTTPS",
                         operation=export[0])

    def _tls_failure(self, conn, reason):
        self.stats["tls_failures"] += 1
        key = (conn.host, reason)
        if key not in self._tls_reasons:
            self._tls_reasons = self._tls_reasons[-7:] + [key]
            events.trusted_channel_failed(self.log, "HTTPS", reason, peer=conn.host, direction="inbound")
        self._drop(conn, None)

    def _drop(self, conn, reason):
        if conn.export is not None:
            self._abort_export(conn, reason or "connection closed")
        producer = conn.producer
        conn.producer = None
        if producer is not None:
            try:
                producer.close()
            except Exception:  # noqa: BLE001, S110 (a dying export's clean-up must not stop the drop)
                pass
        conn.link.close()
        conn.state = _DONE
        if conn in self.conns:
            self.conns.remove(conn)


def _put(conn, data):
    conn.out[conn.out_end:conn.out_end + len(data)] = data
    conn.out_end += len(data)


def _once(data):
    yield data


def _padding(size):
    return bytes((_TAR_BLOCK - size % _TAR_BLOCK) % _TAR_BLOCK)


def ticks_over(now, since, limit):
    return now - since > limit


def _is_power_cut(exc):
    return type(exc).__name__ == "PowerCut"
