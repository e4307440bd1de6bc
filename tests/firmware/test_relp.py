# RELP without sockets (hcdaudit.relp): frames built into the preallocated
# buffer, the server's octets parsed in any split (down to one octet at a
# time), strictly consecutive TXNRs with the wrap to 1, rsp codes, the window
# ring of (txnr -> tag), serverclose, and malformed input as a clean RelpError.
from support import raises

from hcdaudit import relp
from hcdaudit.hal import net, tls

OPEN_FRAME = (b"1 open 57 relp_version=0\nrelp_software=hcdaudit,1,-\ncommands=syslog\n")
LIBRELP_OPEN_RSP = (b"200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\n"
                    b"commands=syslog")


def frame(txnr, command, data=b""):
    if not data:
        return b"%d %s 0\n" % (txnr, command)
    return b"%d %s %d %s\n" % (txnr, command, len(data), data)


def built(client, n):
    return bytes(client.frame[:n])


def opened(window=4, acks=None):
    """A client whose `open` was answered as librelp answers it."""
    client = relp.Client(window)
    assert built(client, client.start()) == OPEN_FRAME
    assert client.state == relp.OPENING
    feed(client, frame(1, b"rsp", LIBRELP_OPEN_RSP), acks)
    assert client.state == relp.OPEN
    return client


def feed(client, data, acks=None, step=None):
    """Feed data in pieces of `step` octets (all at once by default); the acks counted."""
    got = 0
    step = step or len(data) or 1
    on_ack = None if acks is None else acks.append
    view = memoryview(data)
    for i in range(0, len(data), step):
        got += client.receive(view, i, min(i + step, len(data)), on_ack)
    return got


def test_frames_built_into_the_buffer():
    buf = bytearray(100)
    n = relp.write_frame(buf, 3, b"close")
    assert bytes(buf[:n]) == b"3 close 0\n"            # DATALEN 0: no SP, no DATA
    n = relp.write_frame(memoryview(buf), 999999999, b"syslog", b"<54>1 - - - - - -")
    assert bytes(buf[:n]) == b"999999999 syslog 17 <54>1 - - - - - -\n"
    msg = b"<54>1 x\nwith LF \xef\xbb\xbf\x00end"     # DATA is opaque octets: LF and NUL counted
    n = relp.write_frame(buf, 7, b"syslog", memoryview(msg))
    assert bytes(buf[:n]) == b"7 syslog %d %s\n" % (len(msg), msg)
    assert relp.OFFERS == b"relp_version=0\nrelp_software=hcdaudit,1,-\ncommands=syslog"
    raises(ValueError, relp.write_frame, bytearray(40), 1, b"syslog", b"x" * 20)
    raises(ValueError, relp.write_frame, buf, 1000000000, b"close")
    for value in (0, 9, 10, 99, 100, 123456789, 999999999):
        b = bytearray(12)
        assert bytes(b[:relp.put_decimal(b, 1, value)])[1:] == b"%d" % value


def test_client_frames_and_consecutive_txnrs():
    client = opened(window=3)
    assert built(client, client.frame_syslog(b"<54>1 a", "a")) == b"2 syslog 7 <54>1 a\n"
    assert built(client, client.frame_syslog(memoryview(b"<54>1 bb"), "b")) == b"3 syslog 8 <54>1 bb\n"
    assert client.outstanding() == 2 and not client.full()
    assert built(client, client.frame_syslog(b"<54>1 c", "c")) == b"4 syslog 7 <54>1 c\n"
    assert client.full()
    raises(relp.RelpError, client.frame_syslog, b"<54>1 d", "d")     # window full: nothing built
    acks = []
    assert feed(client, frame(2, b"rsp", b"200 OK") + frame(3, b"rsp", b"200 OK"), acks) == 2
    assert acks == ["a", "b"] and client.outstanding() == 1
    assert built(client, client.frame_syslog(b"<54>1 d", "d")) == b"5 syslog 7 <54>1 d\n"
    assert built(client, client.frame_close()) == b"6 close 0\n"
    assert client.state == relp.CLOSING
    assert feed(client, frame(4, b"rsp", b"200 OK") + frame(5, b"rsp", b"200 OK") + frame(6, b"rsp"), acks) == 2
    assert acks == ["a", "b", "c", "d"] and client.state == relp.CLOSED and client.undelivered() == []


def test_split_frames_byte_by_byte():
    stream = (frame(1, b"rsp", LIBRELP_OPEN_RSP) + frame(2, b"rsp", b"200 OK")
              + frame(3, b"rsp", b"200 OK\nextra data after LF") + frame(4, b"rsp", b"200 OK"))
    for step in (1, 2, 3, 5, 7, 16, len(stream)):
        client = relp.Client(8)
        client.start()
        acks = []
        # open's answer and three syslog answers, fed before all were built would be wrong:
        # build first, then feed the whole stream in pieces
        feed(client, stream[:len(frame(1, b"rsp", LIBRELP_OPEN_RSP))], acks, step)
        for tag in ("x", "y", "z"):
            client.frame_syslog(b"m", tag)
        feed(client, stream[len(frame(1, b"rsp", LIBRELP_OPEN_RSP)):], acks, step)
        assert acks == ["x", "y", "z"], (step, acks)


def test_parser_fields():
    p = relp.Parser()
    data = b"12 rsp 6 200 OK\n0 serverclose 0\n5 foo 0\n"
    pos = p.feed(data, 0, len(data))
    assert p.complete and p.txnr == 12 and p.kind == relp.RSP and bytes(p.data[:p.length]) == b"200 OK"
    pos = p.feed(data, pos, len(data))
    assert p.complete and p.txnr == 0 and p.kind == relp.SERVERCLOSE and p.length == 0
    pos = p.feed(data, pos, len(data))
    assert p.complete and p.kind == relp.OTHER and pos == len(data)
    pos = p.feed(b"7 rs", 0, 4)
    assert not p.complete and pos == 4


def test_txnr_wraps_after_999999999_to_1():
    assert relp.next_txnr(1) == 2
    assert relp.next_txnr(999999998) == 999999999
    assert relp.next_txnr(999999999) == 1
    client = opened(window=4)
    client.txnr = 999999997        # as if the session had run that long
    tags = ("p", "q", "r")
    frames = [built(client, client.frame_syslog(b"m", tags[0]))]
    assert client.exhausted()      # librelp cannot follow the wrap: the transport renews before it
    frames += [built(client, client.frame_syslog(b"m", t)) for t in tags[1:]]
    assert [f.split(b" ")[0] for f in frames] == [b"999999998", b"999999999", b"1"]
    assert not client.exhausted()
    acks = []
    feed(client, frame(999999998, b"rsp", b"200 OK") + frame(999999999, b"rsp", b"200 OK")
         + frame(1, b"rsp", b"200 OK"), acks, 3)
    assert acks == list(tags)
    fresh = opened()
    assert not fresh.exhausted()
    fresh.txnr = 999999997
    assert not fresh.exhausted()
    fresh.frame_syslog(b"m", 1)
    assert fresh.exhausted()       # only 999999999 (for close) is left


def test_rsp_codes():
    assert relp.rsp_code(b"200 OK", 6) == 200
    assert relp.rsp_code(b"200", 3) == 200
    assert relp.rsp_code(b"500 command disabled", 20) == 500
    assert relp.rsp_code(b"200\nrelp_version=0", 17) == 200
    for bad in (b"", b"20", b"2x0 OK", b"2000 OK", b"OK 200"):
        raises(relp.RelpError, relp.rsp_code, bad, len(bad))
    assert relp.rsp_text(b"500 nope\ncmd", 12) == "500 nope"


def test_open_answer_checked():
    for answer, ok in ((LIBRELP_OPEN_RSP, True),
                       (b"200 OK\nrelp_version=0\ncommands=foo,syslog", True),
                       (b"200 OK\nrelp_version=1\ncommands=syslog", False),
                       (b"200 OK\ncommands=syslog", False),
                       (b"200 OK\nrelp_version=0\ncommands=other", False),
                       (b"200 OK\nrelp_version=0", False),
                       (b"500 required command not supported by client", False)):
        client = relp.Client()
        client.start()
        if ok:
            feed(client, frame(1, b"rsp", answer))
            assert client.state == relp.OPEN
        else:
            raises(relp.RelpError, feed, client, frame(1, b"rsp", answer))
            assert client.state == relp.BROKEN
    client = relp.Client()
    client.start()
    raises(relp.RelpError, feed, client, frame(2, b"rsp", LIBRELP_OPEN_RSP))    # not the answer to 1
    raises(relp.RelpError, relp.Client().frame_syslog, b"m", 1)                 # before open


def test_refusal_breaks_the_session_and_reports_the_unacknowledged():
    acks = []
    client = opened(window=8)
    for tag in range(5):
        client.frame_syslog(b"<54>1 m", tag)
    err = raises(relp.RelpError, feed, client,
                 frame(2, b"rsp", b"200 OK") + frame(3, b"rsp", b"500 message refused"), acks)
    assert "500 message refused" in str(err)
    assert acks == [0] and client.state == relp.BROKEN
    assert client.undelivered() == [1, 2, 3, 4]
    raises(relp.RelpError, client.frame_syslog, b"m", 9)
    client.abandon()
    assert client.undelivered() == [] and client.state == relp.CLOSED
    assert built(client, client.start()) == OPEN_FRAME     # a new session starts again at TXNR 1


def test_serverclose_mid_session():
    acks = []
    client = opened(window=8)
    for tag in "abc":
        client.frame_syslog(b"m", tag)
    err = raises(relp.RelpError, feed, client, frame(2, b"rsp", b"200 OK") + b"0 serverclose 0\n", acks, 4)
    assert "serverclose" in str(err)
    assert acks == ["a"] and client.undelivered() == ["b", "c"]


def test_window_ring_wraps_around():
    acks = []
    client = opened(window=3)
    sent = 0
    for rounds in range(10):
        while not client.full():
            client.frame_syslog(b"m", sent)
            sent += 1
        head = client.txnr - client.outstanding() + 1
        feed(client, frame(head, b"rsp", b"200 OK") + frame(head + 1, b"rsp", b"200 OK"), acks)
    assert acks == list(range(len(acks))) and len(acks) == 20
    assert client.undelivered() == [20] and client.outstanding() == 1


def test_garbage_is_a_clean_error():
    bad_streams = (
        b"x rsp 6 200 OK\n",              # TXNR not a number
        b" 2 rsp 6 200 OK\n",             # leading SP
        b"1234567890 rsp 6 200 OK\n",     # TXNR of 10 digits
        b"2 r5p 6 200 OK\n",              # command with a digit
        b"2 " + b"r" * 33 + b" 0\n",      # command of 33 letters
        b"2 rsp 1234567890 x\n",          # DATALEN of 10 digits
        b"2 rsp 0 \n",                    # SP after DATALEN 0
        b"2 rsp 6\n",                     # DATALEN 6 without DATA
        b"2 rsp 6 200 OKX",               # trailer is not LF
        b"2 rsp  6 200 OK\n",             # two SPs
        b"2 rsp -6 200 OK\n",
        b"2 rsp 9999 " + b"x" * 9999 + b"\n",   # DATA larger than any rsp
        b"2 syslog 3 abc\n",              # a server never sends commands but rsp/serverclose
        b"3 rsp 6 200 OK\n",              # answers TXNR 3 while 2 is the oldest outstanding
        b"\n",
    )
    for stream in bad_streams:
        for step in (1, len(stream)):
            client = opened(window=4)
            client.frame_syslog(b"m", "t")
            raises(relp.RelpError, feed, client, stream, None, step)
            assert client.state == relp.BROKEN and client.undelivered() == ["t"]
            raises(relp.RelpError, feed, client, b"2 rsp 6 200 OK\n")    # nothing parsed after that
    client = opened()
    raises(relp.RelpError, feed, client, frame(2, b"rsp", b"200 OK"))   # an answer to nothing


def test_errors_are_oserrors_for_the_sender():
    assert issubclass(relp.RelpError, OSError)
    assert issubclass(net.TrustedChannelError, net.TransportError)
    assert issubclass(net.TransportError, OSError)
    err = net.TrustedChannelError("TLS", "127.0.0.1:6514", "fingerprint mismatch")
    assert (err.protocol, err.peer, err.reason) == ("TLS", "127.0.0.1:6514", "fingerprint mismatch")
    assert str(err) == "TLS 127.0.0.1:6514: fingerprint mismatch"


def test_urls_and_fingerprints():
    assert net.parse_url("tls://collector.example:6514") == ("tls", "collector.example", 6514)
    assert net.parse_url("relp://127.0.0.1:2514") == ("relp", "127.0.0.1", 2514)
    assert net.parse_url("relp+tls://[::1]:2514") == ("relp+tls", "::1", 2514)
    raises(ValueError, net.parse_url, "dtls://h:1")
    fp = "sha-256:" + ":".join(["AB"] * 32)
    assert tls.parse_fingerprint(fp) == ("sha-256", b"\xab" * 32)
    assert tls.parse_fingerprint(fp.lower())[1] == b"\xab" * 32
    assert tls.parse_fingerprint("SHA256:" + ":".join(["0f"] * 32))[1] == b"\x0f" * 32
    assert tls.parse_fingerprint("sha-1:" + ":".join(["00"] * 20))[1] == bytes(20)
    for bad in ("AB:CD", "md5:" + ":".join(["AB"] * 16), "sha-256:" + ":".join(["AB"] * 31),
                "sha-256:" + ":".join(["ABC"] * 32), "sha-256:" + ":".join(["ZZ"] * 32),
                "sha-256:" + "AB" * 32):
        raises(ValueError, tls.parse_fingerprint, bad)
    assert tls._equal(b"\x01\x02", b"\x01\x02") and not tls._equal(b"\x01\x02", b"\x01\x03")
    assert not tls._equal(b"\x01", b"\x01\x02")
    # never an unauthenticated channel; options only where TLS is
    raises(ValueError, net.open_transport, "tls://127.0.0.1:6514")
    raises(ValueError, net.open_transport, "relp+tls://127.0.0.1:2514")
    raises(ValueError, net.open_transport, "relp://127.0.0.1:2514", fingerprint=fp)
    raises(ValueError, net.open_transport, "tls://127.0.0.1:6514", fingerprint=fp, client_cert=b"x")
    t = net.open_transport("tls://127.0.0.1:6514", fingerprint=fp)
    assert t.name == "tls" and t.peer == "127.0.0.1:6514"
    r = net.open_transport("relp+tls://127.0.0.1:2514", fingerprint=fp, window=8)
    assert r.name == "relp+tls" and r.outstanding() == 0 and r.close() == []
    assert net.open_transport("relp://127.0.0.1:2514").name == "relp"
