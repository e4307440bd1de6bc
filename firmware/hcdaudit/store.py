# The append-only store: segment files on a filesystem behind the board's
# StoreFs (littlefs on flash, a directory on the host). A flush writes a new
# segment under a temporary name, makes it durable, renames it into place
# (atomic on littlefs and POSIX), and only then removes evicted segments.
# Eviction is by seq order (file names sort by first seq), never by clock.
from hcdaudit import segment

TMP_SUFFIX = ".tmp"
BAD_SUFFIX = ".bad"


class StoreError(Exception):
    pass


class Store:
    def __init__(self, fs, cap, mac_key, max_sealed):
        self.fs = fs
        self.cap = cap
        self._mac = mac_key
        self._max_sealed = max_sealed
        self.segments = []   # Meta of every good segment, oldest first
        self.count = 0

    @property
    def last_seq(self):
        return self.segments[-1].last_seq if self.segments else 0

    @property
    def first_seq(self):
        return self.segments[0].first_seq if self.segments else 0

    def open(self):
        """Index the store. Returns (actions, quarantined): what recovery did,
        and the segments that failed their checks (renamed to *.bad, kept as evidence)."""
        actions = []
        quarantined = []
        names = sorted(self.fs.listdir())
        for name in names:
            if name.endswith(TMP_SUFFIX):
                # A flush cut before its rename: the ring still holds these records.
                self.fs.remove(name)
                actions.append("removed unfinished segment %s" % name)
        self.segments = []
        for name in names:
            if segment.first_seq_of(name) is None:
                continue
            try:
                meta = self.read_meta(name)
                if meta.first_seq != segment.first_seq_of(name):
                    raise segment.SegmentError("%s: holds seqs %d-%d" % (name, meta.first_seq, meta.last_seq))
                if self.segments and meta.first_seq <= self.segments[-1].last_seq:
                    raise segment.SegmentError("%s: overlaps the segment before it" % name)
            except (segment.SegmentError, OSError, ValueError) as exc:
                self.quarantine(name)
                quarantined.append(str(exc))
                continue
            self.segments.append(meta)
        self.count = sum(m.count for m in self.segments)
        return actions, quarantined

    def quarantine(self, name):
        bad = name + BAD_SUFFIX
        n = 1
        names = self.fs.listdir()
        while bad in names:
            bad = "%s.%d%s" % (name, n, BAD_SUFFIX)
            n += 1
        self.fs.rename(name, bad)

    def read_meta(self, name):
        f = self.fs.open(name, "rb")
        try:
            return segment.read_meta(f, name, self.fs.size(name), self._mac)
        finally:
            f.close()

    def plan_eviction(self, incoming):
        """The oldest segments to remove so that `incoming` more records fit under the cap."""
        excess = self.count + incoming - self.cap
        plan = []
        for meta in self.segments:
            if excess <= 0:
                break
            plan.append(meta)
            excess -= meta.count
        return plan

    def write(self, header, entries, head):
        """Write a segment durably. `entries` yields (seq, link, sealed).
        Returns its Meta. On any error the temporary file is removed and the store is unchanged."""
        first_seq = segment.Meta("new", header).first_seq
        name = segment.name_for(first_seq)
        tmp = name + TMP_SUFFIX
        f = self.fs.open(tmp, "wb")
        try:
            f.write(header)
            for seq, link, sealed in entries:
                f.write(segment.pack_entry_header(seq, link, len(sealed)))
                f.write(sealed)
            f.write(segment.pack_checkpoint(self._mac, header, head))
            self.fs.commit(f)
        except BaseException:
            try:
                f.close()
                self.fs.remove(tmp)
            except OSError:
                pass
            raise
        if name in self.fs.listdir():
            self.quarantine(name)   # a stale file in the way (e.g. rolled back): keep it as evidence
        self.fs.rename(tmp, name)
        meta = segment.Meta(name, header)
        meta.head = head
        self.segments.append(meta)
        self.count += meta.count
        return meta

    def remove(self, metas):
        for meta in metas:
            self.fs.remove(meta.name)
            self.segments.remove(meta)
            self.count -= meta.count

    def open_segment(self, name):
        return self.fs.open(name, "rb")
