# A network link that goes down on demand, between the syslog sender and its
# transport, for the simulator's collector outage. The firmware sees what a
# board's socket shows when the carrier is lost: while the link is down,
# connecting and sending fail, and the sender backs off, reconnects and
# resends. Time is the device's clock, so an outage lasts simulated minutes,
# not real ones.


class LinkDown(OSError):
    pass


class Link:
    def __init__(self, clock):
        self.clock = clock
        self.down_from = 0
        self.down_until = 0
        self.refused = 0       # connects, sends and polls refused while down

    def drop(self, seconds):
        """The link goes down now for `seconds` of simulated time."""
        self.down_from = self.clock()
        self.down_until = self.down_from + seconds * 1000000

    def is_up(self):
        now = self.clock()
        return not self.down_from <= now < self.down_until


class FaultyTransport:
    """Wraps a transport (hcdaudit.hal.net) on a Link. Put it in place after
    the Sender is built: the Sender reads what kind of transport it has
    (RELP's poll, a file's confirms_writes) from the real one."""

    def __init__(self, inner, link):
        self.inner = inner
        self.link = link
        self.name = inner.name
        self.peer = inner.peer
        self.confirms_writes = getattr(inner, "confirms_writes", False)

    def _check(self, what):
        if not self.link.is_up():
            self.link.refused += 1
            raise LinkDown("network unreachable (link down) on " + what)

    def open(self):
        self._check("connect")
        return self.inner.open()

    def send(self, message, tag=None):
        self._check("send")
        if tag is None:
            self.inner.send(message)
        else:
            self.inner.send(message, tag)

    def poll(self, timeout_s=0):
        self._check("poll")
        return self.inner.poll(timeout_s)

    def wait_acked(self, timeout_s=None):
        self._check("acknowledgements")
        return self.inner.wait_acked(timeout_s)

    def outstanding(self):
        return self.inner.outstanding()

    def close(self):
        return self.inner.close()
