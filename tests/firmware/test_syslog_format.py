# The RFC 5424 / PWG 5110.3 formatter: PRI arithmetic, escaping, no control
# octets, the 480-octet advice where possible and the 2048-octet cap always,
# and clear errors for bad configuration.
from support import raises

from hcdaudit import catalog
from hcdaudit.hal.net import parse_url
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
    assert bytes(f.format(record("login", subject="user01", interface="panel"))).startswith(b"<54>1 2026-11-23T00:00:00.123456Z printer.example.com - - - [PWG ")
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


def test_digits_and_timestamps_written_in_place_equal_string_formatting():
    from hcdaudit.msgbuf import MessageBuffer
    from hcdaudit.syslog import _put_timestamp
    from hcdaudit.timefmt import rfc3339
    out = MessageBuffer(64)
    for value, width in ((0, 1), (7, 1), (10, 1), (12345, 2), (7, 4), (99999, 4), (-5, 1), (-5, 3), (5, 6)):
        out.clear()
        out.put_digits(value, width)
        assert bytes(out.message()) == ("%0*d" % (width, value)).encode(), (value, width)
    for time_us in (0, 1795392007500000, 951782400123456, 253402300799999999):
        out.clear()
        _put_timestamp(out, time_us)
        assert bytes(out.message()) == rfc3339(time_us).encode(), time_us
    small = MessageBuffer(3)
    small.put_digits(12345)
    assert small.overflow and small.n == 0
