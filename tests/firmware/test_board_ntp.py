# The boards' clock: an SNTP exchange over loopback UDP, the checks an answer
# must pass, and the RTC tuple a board sets (a calendar date, so the port's
# epoch, 2000 on esp32/stm32 and 1970 on rp2, does not enter it).
import struct

import board_scenarios
import support
from boards.common import ntp

T_US = 1795392000 * 1000000 + 123456        # 2026-11-23T00:00:00.123456Z, a Monday
NONCE = b"\x01\x02\x03\x04\x05\x06\x07\x08"


def answer(nonce, unix_us, mode=4, stratum=2, leap=0, era_seconds=None):
    packet = bytearray(48)
    packet[0] = (leap << 6) | (4 << 3) | mode
    packet[1] = stratum
    packet[24:32] = nonce
    seconds = unix_us // 1000000 + ntp.NTP_TO_UNIX_S
    fraction = ((unix_us % 1000000) << 32) // 1000000 + 1
    packet[40:48] = struct.pack(">II", (era_seconds if era_seconds is not None else seconds) & 0xFFFFFFFF, fraction)
    return packet


def test_a_request_is_a_version_4_client_packet_carrying_the_nonce():
    packet = ntp.request(NONCE)
    assert len(packet) == 48 and packet[0] == 0x23 and bytes(packet[40:48]) == NONCE


def test_an_answer_gives_utc_microseconds():
    assert ntp.parse(answer(NONCE, T_US), NONCE) == T_US


def test_answers_that_must_not_set_the_clock_are_refused():
    for bad, why in ((answer(b"\x09" * 8, T_US), "echo"), (answer(NONCE, T_US, mode=3), "mode"),
                     (answer(NONCE, T_US, stratum=0), "unsynchronised"),
                     (answer(NONCE, T_US, leap=3), "unsynchronised"), (answer(NONCE, T_US)[:40], "short")):
        exc = support.raises(ntp.NtpError, ntp.parse, bad, NONCE)
        assert why in str(exc), (why, exc)


def test_ntp_era_1_after_2036_is_read_as_such():
    t_2040 = 2208988800 * 1000000        # 2040-01-01T00:00:00Z: seconds since 1900 wrap past 2^32
    assert ntp.parse(answer(NONCE, t_2040), NONCE) == t_2040


def udp_server():
    """A loopback UDP socket on a free port (MicroPython sockets have no getsockname)."""
    import os
    import socket
    for _ in range(50):
        port = 20000 + int.from_bytes(os.urandom(2), "big") % 40000
        server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            server.bind(socket.getaddrinfo("127.0.0.1", port)[0][-1])
            return server, port
        except OSError:
            server.close()
    raise AssertionError("no free UDP port on loopback")


def test_a_loopback_exchange_sets_the_time_of_the_answer():
    server, port = udp_server()
    server.settimeout(2)
    client = ntp.Sntp("127.0.0.1", port, timeout_s=2, random=lambda n: NONCE)
    try:
        client.send()
        request, peer = server.recvfrom(64)
        assert bytes(request[40:48]) == NONCE
        server.sendto(answer(bytes(request[40:48]), T_US), peer)
        got = client.receive()
    finally:
        server.close()
    assert T_US <= got < T_US + 1000000, got - T_US


def test_no_answer_is_an_oserror_within_the_timeout():
    server, port = udp_server()       # bound and silent
    try:
        support.raises(OSError, ntp.Sntp("127.0.0.1", port, timeout_s=0.2).query)
    finally:
        server.close()


def days_from_civil(year, month, day):
    y = year - (1 if month <= 2 else 0)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


class Rtc2000:
    """An RTC that counts seconds since 2000, as the esp32 and stm32 ports do."""

    def datetime(self, t):
        year, month, day, weekday, hour, minute, second, sub = t
        self.seconds = (days_from_civil(year, month, day) - days_from_civil(2000, 1, 1)) * 86400 \
            + hour * 3600 + minute * 60 + second
        self.weekday = weekday


def test_the_rtc_gets_a_utc_calendar_date_whatever_the_ports_epoch():
    rtc = Rtc2000()
    ntp.set_rtc(rtc, T_US)
    assert rtc.seconds == T_US // 1000000 - 946684800 and rtc.weekday == 0      # Monday
    assert ntp.rtc_tuple(T_US) == (2026, 11, 23, 0, 0, 0, 0, 123456)
    assert ntp.rtc_tuple(946684800 * 1000000, 1)[:4] == (2000, 1, 1, 6)         # a Saturday, Monday = 1


def test_each_board_sets_its_rtc_with_its_weekday_convention():
    for name, monday in (("esp32s3", 0), ("rp2040", 0), ("stm32", 1)):
        board, p = board_scenarios.provisioned(name)
        board.set_clock(T_US, p)
        assert p.rtc.set_to[-1] == (2026, 11, 23, monday, 0, 0, 0, 123456), name
        p.power_off()
