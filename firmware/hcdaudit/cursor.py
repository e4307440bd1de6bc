# The delivery cursor: the highest seq the collector is known to hold, kept
# on the device so that a reboot, a dropped connection or a collector outage
# resumes there (at-least-once delivery; the seq parameter lets a collector
# drop duplicates). It lives in the store's filesystem as one small MACed file
# replaced atomically (write, commit, rename), written every few deliveries,
# never per message: a cursor that lags only costs duplicates, never a loss.
import struct

from hcdaudit import macfile

NAME = "delivery.cur"
_TMP = "delivery.tmp"       # removed at boot by the store like any unfinished *.tmp
_LABEL = b"delivery cursor"
_MAGIC = b"HCDC"
_VERSION = 1
_FMT = ">4sBQ"
_BODY = struct.calcsize(_FMT)


class DeliveryCursor:
    def __init__(self, fs, mac_key):
        self.fs = fs
        self._mac = mac_key
        self.seq = 0
        self.problem = None     # why a stored cursor was not used

    def load(self):
        """The stored cursor, or 0 (deliver everything the device holds) when
        there is none or it does not authenticate."""
        self.seq = 0
        body, self.problem = macfile.read(self.fs, NAME, self._mac, _LABEL, _BODY)
        if body is None:
            return 0
        if len(body) != _BODY:
            self.problem = "does not authenticate"
            return 0
        magic, version, seq = struct.unpack(_FMT, body)
        if magic != _MAGIC or version != _VERSION:
            self.problem = "unknown format"
            return 0
        self.seq = seq
        return seq

    def save(self, seq):
        macfile.write(self.fs, NAME, _TMP, self._mac, _LABEL, struct.pack(_FMT, _MAGIC, _VERSION, seq))
        self.seq = seq
