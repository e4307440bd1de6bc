# The HTTPS admin export's portable parts, on both runtimes: PBKDF2 against
# RFC 7914's vectors, request parsing and its bounds, the tar framing, the
# JSON writer, and the server driven over in-memory links (no sockets): a
# lockout with its audit records, and a sealed export read back by the Reader.
import binascii

from hcdaudit import catalog, exportfmt, httpreq, password, webadmin
from support import TestDevice, events_of, raises

PASSWORD = b"correct-horse-battery"


def test_pbkdf2_matches_rfc7914_vectors_in_steps():
    assert binascii.hexlify(password.pbkdf2_sha256(b"passwd", b"salt", 1)) == \
        b"55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
    job = password.Pbkdf2(b"Password", b"NaCl", 80000)
    steps = 0
    while not job.step(7000):
        steps += 1
    assert steps == 11
    assert binascii.hexlify(job.digest()) == b"4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"


def test_credential_checks_its_fields_and_compares():
    doc = password.make("admin", PASSWORD, b"s" * 16, 1000)
    cred = password.Credential(doc)
    job = cred.start(PASSWORD)
    job.step(1000)
    assert cred.matches(job)
    job = cred.start(b"wrong")
    job.step(1000)
    assert not cred.matches(job)
    for field, value in (("iterations", 10), ("kdf", "md5"), ("salt", "00"), ("user", "a:b"), ("hash", "zz")):
        bad = dict(doc)
        bad[field] = value
        raises(password.CredentialError, password.Credential, bad)


def test_request_parsing_bounds_and_traversal():
    r = httpreq.parse_request(b"GET /export/csv?seq=1-5&since=2026-11-23 HTTP/1.1\r\nHost: x\r\n"
                               b"Authorization: Basic YTpi\r\n\r\n")
    assert r.method == "GET" and r.path == "/export/csv" and r.query == {"seq": "1-5", "since": "2026-11-23"}
    assert r.headers["authorization"] == "Basic YTpi"
    for data, status in ((b"GET /" + b"a" * 600 + b" HTTP/1.1\r\n\r\n", 414),
                         (b"GET /../x HTTP/1.1\r\n\r\n", 400), (b"GET /%2e%2e/x HTTP/1.1\r\n\r\n", 400),
                         (b"GET / HTTP/2.0\r\n\r\n", 505), (b"GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400),
                         (b"get / HTTP/1.1\r\n\r\n", 400), (b"GET x HTTP/1.1\r\n\r\n", 400),
                         (b"GET / HTTP/1.1\r\n" + b"".join(b"H%d: v\r\n" % i for i in range(40)) + b"\r\n", 431)):
        try:
            httpreq.parse_request(data)
        except httpreq.HttpError as exc:
            assert exc.status == status, (data[:20], exc.status)
        else:
            raise AssertionError("accepted %r" % data[:30])


def test_time_filters():
    assert httpreq.parse_time("1970-01-02", "since") == 86400 * 1000000
    assert httpreq.parse_time("1970-01-01", "until", True) == 86400 * 1000000 - 1
    assert httpreq.parse_time("2026-11-23T09:00:00+09:00", "since") == \
        httpreq.parse_time("2026-11-23T00:00:00Z", "since")
    assert httpreq.parse_time("2026-11-23T00:00:00.5Z", "since") % 1000000 == 500000
    for bad in ("yesterday", "2026-13-01", "2026-11-23T09:00:00", "2026-11-23T25:00:00Z"):
        raises(httpreq.HttpError, httpreq.parse_time, bad, "since")


def test_tar_header_and_json_text():
    h = webadmin.tar_header("store/0000000001.seg", 7277)
    assert len(h) == 512 and h[257:262] == b"ustar"
    total = sum(h[:148]) + 8 * 32 + sum(h[156:])
    assert int(bytes(h[148:154]), 8) == total
    assert exportfmt.json_text({"b": [1, None, True], "a": "x\"\n\x01é"}) == \
        '{"a": "x\\"\\n\\u0001é", "b": [1, null, true]}'


class Link:
    """An in-memory client connection: the request in, the answer collected."""

    def __init__(self, data, remote="192.0.2.7"):
        self.remote = remote
        self.data = data
        self.answer = bytearray()
        self.closed = False

    def read_into(self, view):
        if self.closed:
            return 0
        if not self.data:
            return None
        n = min(len(view), len(self.data), 100)      # in small pieces, as TLS records may come
        view[:n] = self.data[:n]
        self.data = self.data[n:]
        return n

    def write(self, view):
        n = min(len(view), 700)
        self.answer += bytes(view[:n])
        return n

    def close(self):
        self.closed = True


class Listener:
    def __init__(self):
        self.waiting = []

    def accept(self):
        return self.waiting.pop(0) if self.waiting else None

    def close(self):
        pass


def _server(dev, log, iterations=1000):
    cred = password.Credential(password.make("admin", PASSWORD, b"s" * 16, iterations))
    listener = Listener()
    server = webadmin.WebAdmin(log, listener, cred, dev.reader, (dev.nvram, dev.fs),
                               {"name": "t", "uuid": "urn:uuid:00000000-0000-4000-8000-000000000000"},
                               dev.random, pbkdf2_step=300)
    return server, listener


def _ask(server, listener, request, remote="192.0.2.7"):
    link = Link(request, remote)
    listener.waiting.append(link)
    for _ in range(2000):
        server.poll()
        if link.closed:
            break
    assert link.closed
    return bytes(link.answer)


def _basic(pw):
    return b"Authorization: Basic " + binascii.b2a_base64(b"admin:" + pw).strip() + b"\r\n"


def _dechunk(body):
    data = bytearray()
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line, 16)
        if not size:
            return data
        data += body[:size]
        body = body[size + 2:]


def test_wrong_passwords_lock_out_with_audit_records():
    dev = TestDevice()
    log = dev.boot()
    server, listener = _server(dev, log)
    assert _ask(server, listener, b"GET / HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 401")
    for _ in range(5):
        answer = _ask(server, listener, b"GET /export/csv HTTP/1.1\r\n" + _basic(b"nope") + b"\r\n")
        assert answer.startswith(b"HTTP/1.1 401")
    answer = _ask(server, listener, b"GET /export/csv HTTP/1.1\r\n" + _basic(PASSWORD) + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 403")
    records, report = dev.records()
    assert report.intact()
    failures = events_of(records, catalog.event_code("login_failure"))
    assert len(failures) == 6
    assert [r["interface"] for r in failures] == ["web"] * 6
    assert [r["remote_host"] for r in failures] == ["192.0.2.7"] * 6
    assert len(events_of(records, catalog.event_code("lockout"))) == 1
    # another host, right password: the account is locked too
    answer = _ask(server, listener, b"GET / HTTP/1.1\r\n" + _basic(PASSWORD) + b"\r\n", "192.0.2.8")
    assert answer.startswith(b"HTTP/1.1 403")


def test_sealed_export_is_a_tar_of_the_memories_and_audited():
    dev = TestDevice()
    log = dev.boot()
    for i in range(80):
        log.log("print_job", subject="user%02d" % (i % 5), interface="ipp", remote_host="10.0.0.1")
    server, listener = _server(dev, log)
    answer = _ask(server, listener, b"GET /export/raw HTTP/1.1\r\n" + _basic(PASSWORD) + b"\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Transfer-Encoding: chunked" in head
    data = _dechunk(body)
    assert bytes(data[:9]) == b"nvram.bin"
    size = int(bytes(data[124:135]), 8)
    assert size == dev.nvram.size
    # the ring as it was when sent (the sign-in and the export's own record came after)
    from boards.host.memory import RamNvram
    from hcdaudit.reader import Reader
    from support import MASTER_KEY, runtime_hal
    reader = Reader(dev.fs, RamNvram(size, data[512:512 + size]), MASTER_KEY, dev.slot_count, dev.slot_size,
                    runtime_hal().Aes)
    seqs = [r["seq"] for r in reader.records()]
    assert reader.report.intact() and seqs[:81] == list(range(1, 82))
    assert b"store/0000000001.seg" in data and b'"complete": true' in data
    assert bytes(data[-1024:]) == bytes(1024)
    records, _ = dev.records()
    exports = events_of(records, catalog.event_code("audit_export"))
    assert len(exports) == 1 and exports[0]["interface"] == "web"


def test_settings_change_is_audited_and_a_lock_expires():
    from boards.common.bundle import collector_config
    dev = TestDevice()
    log = dev.boot()
    server, listener = _server(dev, log)
    server.settings = collector_config({"syslog": {}}, log)
    body = b"url=tcp%3A%2F%2F192.0.2.1%3A514"
    answer = _ask(server, listener, b"POST /settings HTTP/1.1\r\n" + _basic(PASSWORD) +
                  b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:60]
    assert server.settings.values["url"] == "tcp://192.0.2.1:514"
    answer = _ask(server, listener, b"POST /settings HTTP/1.1\r\n" + _basic(PASSWORD) + b"Content-Length: 10\r\n\r\n"
                  + b"url=gopher")
    assert answer.startswith(b"HTTP/1.1 400")
    for _ in range(5):
        _ask(server, listener, b"GET / HTTP/1.1\r\n" + _basic(b"nope") + b"\r\n", "192.0.2.30")
    assert _ask(server, listener, b"GET / HTTP/1.1\r\n" + _basic(PASSWORD) + b"\r\n").startswith(b"HTTP/1.1 403")
    server._now_ms += 301 * 1000        # the lock's 300 s pass (the server's own monotonic clock)
    assert _ask(server, listener, b"GET / HTTP/1.1\r\n" + _basic(PASSWORD) + b"\r\n").startswith(b"HTTP/1.1 200")
    records, report = dev.records()
    assert report.intact()
    changes = events_of(records, catalog.event_code("setting_change"))
    assert len(changes) == 2 and [c["outcome"] for c in changes] == [0, 1]
    assert changes[0]["interface"] == "web" and changes[0]["remote_host"] == "192.0.2.7"
    assert len(events_of(records, catalog.event_code("lockout_expired"))) == 1


def test_a_formatted_export_while_the_device_logs_misses_no_record():
    dev = TestDevice()
    log = dev.boot()
    for i in range(600):
        log.log("print_job", subject="user01", interface="ipp", remote_host="10.0.0.1")
    server, listener = _server(dev, log)
    _ask(server, listener, b"GET / HTTP/1.1\r\n" + _basic(PASSWORD) + b"\r\n")     # signed in: no PBKDF2 below
    link = Link(b"GET /export/csv HTTP/1.1\r\n" + _basic(PASSWORD) + b"\r\n")
    listener.waiting.append(link)
    server.poll()
    through = log.next_seq - 1
    logged = 0
    while not link.closed:
        server.poll(2)
        for _ in range(8):             # 8 records a poll: the ring turns over several times meanwhile
            log.log("copy_job", subject="user02", interface="panel")
            logged += 1
    assert logged > 150
    body = _dechunk(bytes(link.answer).partition(b"\r\n\r\n")[2])
    seqs = []
    for line in body.split(b"\r\n"):
        first = line.split(b",")[0]
        if first.isdigit():
            seqs.append(int(first))
    assert seqs == list(range(1, len(seqs) + 1)) and seqs[-1] >= through, (seqs[-1], through, logged)
