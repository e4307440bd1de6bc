# The board's clock from an SNTP server (RFC 4330 client, one request), set
# into the RTC as a UTC calendar tuple: the RTC takes a calendar date, so the
# port's epoch (2000 on esp32/stm32, 1970 on rp2) never enters the exchange.
# The answer is checked before it is believed: server mode, a synchronised
# stratum, and our transmit timestamp echoed as its originate timestamp.
import struct
import time

from hcdaudit.timefmt import civil

NTP_TO_UNIX_S = 2208988800      # 1900-01-01 to 1970-01-01
PORT = 123
_PACKET = 48

try:
    from time import ticks_diff, ticks_us
except ImportError:
    def ticks_us():
        return int(time.monotonic() * 1000000)

    def ticks_diff(a, b):
        return a - b


class NtpError(OSError):
    pass


def request(nonce):
    """A client request (LI 0, version 4, mode 3) whose transmit timestamp is `nonce` (8 bytes)."""
    packet = bytearray(_PACKET)
    packet[0] = 0x23
    packet[40:48] = nonce
    return packet


def parse(packet, nonce):
    """UTC microseconds since 1970 of the server's transmit timestamp."""
    if len(packet) < _PACKET:
        raise NtpError("short NTP answer (%d bytes)" % len(packet))
    leap, mode, stratum = packet[0] >> 6, packet[0] & 7, packet[1]
    if mode != 4:
        raise NtpError("NTP answer in mode %d, not server" % mode)
    if stratum == 0 or stratum > 15 or leap == 3:
        raise NtpError("NTP server unsynchronised (stratum %d, leap %d)" % (stratum, leap))
    if bytes(packet[24:32]) != bytes(nonce):
        raise NtpError("NTP answer does not echo our request")
    seconds, fraction = struct.unpack(">II", packet[40:48])
    if not seconds:
        raise NtpError("NTP answer carries no time")
    # NTP era 0 ends in 2036; a seconds field below 2^31 means era 1.
    if seconds < 0x80000000:
        seconds += 0x100000000
    return (seconds - NTP_TO_UNIX_S) * 1000000 + (fraction * 1000000 >> 32)


class Sntp:
    def __init__(self, server, port=PORT, timeout_s=2, random=None):
        self.server = server
        self.port = port
        self.timeout_s = timeout_s
        self._random = random
        self._sock = None
        self._nonce = None
        self._sent = 0

    def send(self):
        import os
        import socket  # here: the module's parsing runs on boards without a network stack
        self._nonce = (self._random or os.urandom)(8)
        address = socket.getaddrinfo(self.server, self.port, 0, socket.SOCK_DGRAM)[0][-1]
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.settimeout(self.timeout_s)
        self._sent = ticks_us()
        self._sock.sendto(request(self._nonce), address)

    def receive(self):
        try:
            packet = self._sock.recv(_PACKET + 64)
            rtt = ticks_diff(ticks_us(), self._sent)
        finally:
            self._sock.close()
            self._sock = None
        return parse(packet, self._nonce) + rtt // 2     # the answer travelled half the round trip

    def query(self):
        """UTC microseconds since 1970 now, from the server. Raises OSError (NtpError)."""
        self.send()
        return self.receive()


def weekday(unix_s):
    """0 = Monday (1970-01-01 was a Thursday)."""
    return (unix_s // 86400 + 3) % 7


def rtc_tuple(unix_us, weekday_base=0):
    """machine.RTC.datetime()'s (year, month, day, weekday, hour, minute, second,
    subseconds) for a UTC time. weekday_base: 0 where Monday is 0 (esp32, rp2),
    1 where Monday is 1 (stm32)."""
    year, month, day, hour, minute, second, micros = civil(unix_us)
    return (year, month, day, weekday(unix_us // 1000000) + weekday_base, hour, minute, second, micros)


def set_rtc(rtc, unix_us, weekday_base=0):
    rtc.datetime(rtc_tuple(unix_us, weekday_base))
