# The delivery cursor: the highest seq the collector is known to hold, kept
# on the device so that a reboot, a dropped connection or a collector outage
# resumes there (at-least-once delivery; the seq parameter lets a collector
# drop duplicates). It lives in the store's filesystem as one small MACed file
# replaced atomically (write, commit, rename), written every few deliveries,
# never per message: a cursor that lags only costs duplicates, never a loss.
import struct

from hcdaudit import kdf

NAME = "delivery.cur"
_TMP = "delivery.tmp"       # removed at boot by the store like any unfinished *.tmp
_MAGIC = b"HCDC"
_VERSION = 1
_FMT = ">4sBQ"
_BODY = struct.calcsize(_FMT)
_MAC_SIZE = 16


class DeliveryCursor:
    def __init__(self, fs, mac_key):
        self.fs = fs
        self._mac = mac_key
        self.seq = 0
        self.problem = None     # why a stored cursor was not used

    def _tag(self, body):
        return self._mac.digest(b"delivery cursor", body)[:_MAC_SIZE]

    def load(self):
        """The stored cursor, or 0 (deliver everything the device holds) when
        there is none or it does not authenticate."""
        self.seq = 0
        self.problem = None
        if NAME not in self.fs.listdir():
            return 0
        try:
            f = self.fs.open(NAME, "rb")
            try:
                data = f.read(_BODY + _MAC_SIZE + 1)
            finally:
                f.close()
        except OSError as exc:
            self.problem = "unreadable: %s" % exc
            return 0
        if len(data) != _BODY + _MAC_SIZE or not kdf.equal(data[_BODY:], self._tag(data[:_BODY])):
            self.problem = "does not authenticate"
            return 0
        magic, version, seq = struct.unpack(_FMT, data[:_BODY])
        if magic != _MAGIC or version != _VERSION:
            self.problem = "unknown format"
            return 0
        self.seq = seq
        return seq

    def save(self, seq):
        body = struct.pack(_FMT, _MAGIC, _VERSION, seq)
        f = self.fs.open(_TMP, "wb")
        try:
            f.write(body)
            f.write(self._tag(body))
        except Exception:
            f.close()
            raise
        self.fs.commit(f)
        self.fs.rename(_TMP, NAME)
        self.seq = seq
