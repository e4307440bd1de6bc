# The RFC 5424 / PWG 5110.3 formatter: PRI arithmetic, escaping, no control
# octets, the 480-octet advice where possible and the 2048-octet cap always,
# and the sender hashing exactly the bytes it sends.
import hashlib
import binascii

import rfc5848_vectors as vec
from support import TestDevice, raises

from hcdaudit import catalog, dsa
from hcdaudit.hal.net import FileTransport, parse_url
from hcdaudit.sender import Sender
from hcdaudit.signer import Signer
from hcdaudit.syslog import Formatter, SyslogConfigError

UUID = "urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84"
T = 1795392000 * 1000000 + 123456


def formatter(**kw):
    return Formatter("printer.example.com", UUID, "ipp://printer.example.com/ipp/print", **kw)


def record(event, outcome="success", subject=None, interface=None, remote_host=None, seq=7, **items):
    code, outcome_code, subject_list, items_map = catalog.prepare(event, subject, outcome, interface,
                                                                  remote_host, items)
    return {"seq": seq, "time_us": T, "event": code, "outcome": outcome_code, "subject": subject_list,
            "interface": interface, "remote_host": remote_host, "items": items_map}


def parts(message):
    """(header, structured data, msg) of a message we made: SD ends at the first unescaped '] '."""
    data = bytes(message)
    i = data.index(b" [")
    j = i + 1
    while True:
        j = data.index(b"] ", j)
        k = j
        run = 0
        while data[k - 1 - run] == 0x5C:
            run += 1
        if run % 2 == 0:
            break
        j += 1
    return data[:i], data[i + 1:j + 1], data[j + 2:]


def test_pri_is_facility_6_times_8_plus_pwg_severity():
    f = formatter()
    assert bytes(f.format(record("login", subject="user01", interface="panel"))).startswith(b"<54>1 2026-11-23T00:00:00.123456Z printer.example.com hcdaudit - - [PWG ")
    assert bytes(f.format(record("login_failure", "failure", subject="user01", interface="panel"))).startswith(b"<52>1 ")
    assert bytes(f.format(record("integrity_alert", "failure", reason="checksum"))).startswith(b"<51>1 ")


def test_pwg_and_private_elements_and_bom_msg():
    m = bytes(formatter(advised=2048).format(record("setting_change", subject="admin", interface="web",
                                                    remote_host="10.0.0.9", setting="SMTP", old_value="a",
                                                    new_value="b")))
    header, sd, msg = parts(m)
    assert sd.startswith(b'[PWG NL="en-US" DUU="' + UUID.encode() + b'" E="SystemConfigChanged" S="SuccessfulOk"')
    assert b'][hcdaudit@32473 seq="7" event="0x050b" outcome="success"' in sd
    assert b'setting="SMTP" old_value="a" new_value="b"' in sd
    assert msg.startswith(b"\xef\xbb\xbf") and msg[3:].decode() == "setting_change success by admin via web from 10.0.0.9"
    assert bytes(formatter(enterprise=12345).format(record("login", subject="u", interface="panel"))).find(b"[hcdaudit@12345 ") > 0


def test_escaping_of_quote_backslash_bracket_and_no_control_octets():
    hostile = 'a"b\\c]d\ne\tf\x00g\x7fh J\u00fcrgen'
    m = bytes(formatter().format(record("setting_change", subject="admin", interface="web",
                                        remote_host="10.0.0.9", setting=hostile, old_value="x", new_value="y")))
    assert b'setting="a\\"b\\\\c\\]d\xef\xbf\xbde\xef\xbf\xbdf\xef\xbf\xbdg\xef\xbf\xbdh J\xc3\xbcrgen"' in m
    for b in m:
        assert b >= 0x20 and b != 0x7F
    m.decode("utf-8")


def test_480_advice_met_by_shortening_msg_with_marker():
    f = formatter()
    long_name = "user-" + "x" * 30
    m = bytes(f.format(record("login", subject=long_name, interface="web", remote_host="10.20.30.40")))
    header, sd, msg = parts(m)
    if len(header) + len(sd) + 2 + 3 + 24 <= 480:
        assert len(m) <= 480 and msg.endswith("\u2026".encode())
    assert f.shortened >= 0
    short = bytes(f.format(record("logout", subject="u1", interface="panel")))
    assert not short.endswith("\u2026".encode())


def test_2048_octets_never_exceeded_even_for_hostile_records():
    f = formatter()
    worst = "\x01" * 60
    m = bytes(f.format(record("setting_change", subject="\x02" * 30, interface="\x03" * 16,
                              remote_host="\x04" * 45, setting=worst, old_value=worst, new_value=worst)))
    assert len(m) <= 2048
    m.decode("utf-8")
    long_host = "h" * 250 + ".example"
    f2 = Formatter(long_host[:255], UUID, "ipp://" + "u" * 200)
    m2 = bytes(f2.format(record("print_job", "completed", subject="user01", interface="ipp",
                                remote_host="10.0.0.1", job_uuid="70fe0e41-1e92-3189-6dbe-bb459dc93296",
                                file_name="\u00e9" * 21, pages=3)))
    assert len(m2) <= 2048


def test_bad_configuration_is_a_clear_error():
    raises(SyslogConfigError, Formatter, "bad host", UUID)
    raises(SyslogConfigError, Formatter, "h" * 256, UUID)
    raises(SyslogConfigError, Formatter, "ok", UUID, facility=24)
    raises(ValueError, parse_url, "printer:514")
    raises(ValueError, parse_url, "udp://host")
    raises(ValueError, parse_url, "smtp://host:25")


class _Clock:
    def __init__(self):
        self.now = T

    def __call__(self):
        return self.now


def test_sender_hashes_exactly_the_bytes_it_sends():
    import support
    path = support.tmpdir() + "/collector.log"
    clock = _Clock()
    key = dsa.PrivateKey(vec.KEY_P, vec.KEY_Q, vec.KEY_G, vec.KEY_Y, vec.KEY_X)
    f = formatter()
    signer = Signer(key, f.hostname, f.app_name, 3, T, clock, max_hashes=5)
    sender = Sender(f, signer, FileTransport(path))
    for i in range(12):
        clock.now += 1000000
        sender.send_record(record("login", subject="user%02d" % i, interface="panel", seq=100 + i))
    sender.close()
    with open(path, "rb") as fh:
        lines = fh.read().split(b"\n")[:-1]
    normal = [line for line in lines if b"[ssign" not in line]
    blocks = [line for line in lines if b"[ssign " in line]
    assert len(normal) == 12 and sender.messages == 12
    assert lines[0].find(b"[ssign-cert ") > 0 and lines[1].find(b"[ssign-cert ") > 0   # CBs first
    signed = []
    seen = set()
    for block in blocks:
        if block in seen:
            continue          # a byte-identical redundant copy
        seen.add(block)
        hb = block[block.index(b'HB="') + 4:block.index(b'" SIGN')]
        signed.extend(binascii.a2b_base64(h) for h in hb.split(b" "))
        cut = block.index(b' SIGN="')
        body = block[:cut] + b"]"
        sig = binascii.a2b_base64(block[cut + 7:-2])
        r, s = dsa.parse_signature_mpi(sig)
        assert key.verify(hashlib.sha256(body).digest(), r, s)
    assert signed == [hashlib.sha256(line).digest() for line in normal]
    assert b'RSID="3"' in blocks[0] and sender.covered_seq == 111


def test_device_sends_its_records_in_seq_order_from_the_ring():
    import support
    path = support.tmpdir() + "/collector.log"
    dev = TestDevice()
    log = dev.boot()
    key = dsa.PrivateKey(vec.KEY_P, vec.KEY_Q, vec.KEY_G, vec.KEY_Y, vec.KEY_X)
    f = formatter()
    sender = Sender(f, Signer(key, f.hostname, f.app_name, log.boot_count, T, dev.clock), FileTransport(path))
    sender.next_seq = 1
    for i in range(60):       # past a flush: records still read back from the ring slots
        log.log("logout", subject="user%02d" % (i % 20), interface="panel")
        sender.pump(log)
    sender.close()
    with open(path, "rb") as fh:
        normal = [line for line in fh.read().split(b"\n") if line and b"[ssign" not in line]
    seqs = [int(line[line.index(b' seq="') + 6:line.index(b'" event=')]) for line in normal]
    assert seqs == list(range(1, log.next_seq)) and sender.skipped == 0
