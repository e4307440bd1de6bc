# The append-only store: segment files on a filesystem behind the board's
# StoreFs (littlefs on flash, a directory on the host). A flush writes a new
# segment under a temporary name, makes it durable, renames it into place
# (atomic on littlefs and POSIX), and only then removes evicted segments.
# Eviction is by seq order (file names sort by first seq), never by clock.
from array import array

from hcdaudit import segment

TMP_SUFFIX = ".tmp"
BAD_SUFFIX = ".bad"


class StoreError(Exception):
    pass


def exists(fs, name):
    """Whether the store's filesystem holds `name`, without listing a folder of
    hundreds of segments (a list of every name, per flush)."""
    try:
        fs.size(name)
    except OSError:
        return False
    return True


def names_of(fs):
    """The file names of the store's folder one at a time where the filesystem
    can (ilistdir), else its listdir()."""
    ilistdir = getattr(fs, "ilistdir", None)
    return ilistdir() if ilistdir is not None else fs.listdir()


def _sort(values, n):
    """values[:n] sorted in place by insertion (an array has no sort()); a
    directory lists in name order or close to it: one pass in practice."""
    for i in range(1, n):
        v = values[i]
        j = i - 1
        while j >= 0 and values[j] > v:
            values[j + 1] = values[j]
            j -= 1
        values[j + 1] = v


class SegmentIndex:
    """(first seq, last seq, count) of every good segment, oldest first, in three
    preallocated arrays: a store of 300 segments costs 3.6 KB in one place, not
    300 objects scattered over the heap (which left no room for a 2 KiB buffer
    in a 1 MiB heap). Grows by doubling when a board's store needs more."""

    def __init__(self, capacity):
        self.n = 0
        self.first = self.last = self.count = None
        self._alloc(max(capacity, 4))

    def _alloc(self, capacity):
        first, last, count = array("I", bytes(4 * capacity)), array("I", bytes(4 * capacity)), \
            array("I", bytes(4 * capacity))
        for i in range(self.n):
            first[i], last[i], count[i] = self.first[i], self.last[i], self.count[i]
        self.first, self.last, self.count = first, last, count

    def append(self, first_seq, last_seq, count):
        if self.n == len(self.first):
            self._alloc(2 * self.n)
        i = self.n
        self.first[i], self.last[i], self.count[i] = first_seq, last_seq, count
        self.n = i + 1

    def drop_oldest(self, k):
        for i in range(self.n - k):
            self.first[i], self.last[i], self.count[i] = self.first[i + k], self.last[i + k], self.count[i + k]
        self.n -= k

    def find(self, seq):
        """The position of the segment holding seq, or -1."""
        lo, hi = 0, self.n - 1
        while lo <= hi:
            mid = (lo + hi) // 2
            if seq < self.first[mid]:
                hi = mid - 1
            elif seq > self.last[mid]:
                lo = mid + 1
            else:
                return mid
        return -1


class Store:
    def __init__(self, fs, cap, max_sealed, segment_records=50):
        self.fs = fs
        self.cap = cap
        self._max_sealed = max_sealed
        # A full store holds cap / records-per-flush segments, plus the one written
        # before the oldest is evicted; flushes at shutdown make smaller ones.
        self.index = SegmentIndex(cap // segment_records + 8)
        self.newest = None   # Meta of the newest good segment: head, epoch, eviction range and watermark
        self.count = 0

    @property
    def last_seq(self):
        return self.index.last[self.index.n - 1] if self.index.n else 0

    @property
    def first_seq(self):
        return self.index.first[0] if self.index.n else 0

    def segment_count(self):
        return self.index.n

    def names(self):
        """File names of the good segments, oldest first."""
        return [segment.name_for(self.index.first[i]) for i in range(self.index.n)]

    def open(self):
        """Index the store. Returns (actions, quarantined): what recovery did,
        and the segments that failed their checks (renamed to *.bad, kept as evidence)."""
        actions = []
        quarantined = []
        found = self._list_segments(actions)
        index = self.index
        self.newest = None
        self.count = 0
        for k in range(found):
            # In place: the index is rebuilt over the first seqs listed, never ahead of them.
            first_seq = index.first[k]
            name = segment.name_for(first_seq)     # first_seq_of is strict: the very name listed
            try:
                meta = self.read_meta(name)
                if meta.first_seq != first_seq:
                    raise segment.SegmentError("%s: holds seqs %d-%d" % (name, meta.first_seq, meta.last_seq))
                if index.n and meta.first_seq <= index.last[index.n - 1]:
                    raise segment.SegmentError("%s: overlaps the segment before it" % name)
            except (segment.SegmentError, OSError, ValueError) as exc:
                self.quarantine(name)
                quarantined.append(str(exc))
                continue
            index.append(meta.first_seq, meta.last_seq, meta.count)
            self.count += meta.count
            self.newest = meta
        return actions, quarantined

    def _list_segments(self, actions):
        """How many segment file names the store's folder holds, their first
        seqs ascending in index.first (the index is then rebuilt over them):
        no list of 300 names at boot over a full store (20 KB in small blocks,
        the largest heap need of a device's boot). Removes unfinished segments
        (*.tmp: a flush cut before its rename; the ring still holds their records)."""
        index = self.index
        index.n = 0
        unfinished = []
        for name in names_of(self.fs):
            if name.endswith(TMP_SUFFIX):
                unfinished.append(name)
                continue
            first_seq = segment.first_seq_of(name)
            if first_seq is not None:
                index.append(first_seq, 0, 0)
        for name in sorted(unfinished):
            self.fs.remove(name)
            actions.append("removed unfinished segment %s" % name)
        found = index.n
        _sort(index.first, found)
        index.n = 0
        return found

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
            return segment.read_meta(f, name, self.fs.size(name))
        finally:
            f.close()

    def plan_eviction(self, incoming):
        """How many of the oldest segments to remove so that `incoming` more records
        fit under the cap: (k, (first seq, last seq, count) they hold); k = 0 for none."""
        excess = self.count + incoming - self.cap
        index = self.index
        k = total = 0
        while excess > 0 and k < index.n:
            excess -= index.count[k]
            total += index.count[k]
            k += 1
        if not k:
            return 0, (0, 0, 0)
        return k, (index.first[0], index.last[k - 1], total)

    def stale(self, through):
        """How many of the oldest segments hold only seqs up to `through`."""
        k = 0
        while k < self.index.n and self.index.last[k] <= through:
            k += 1
        return k

    def write(self, header, entries, mac_key):
        """Write a segment durably. `entries` yields entry bytes, copied as they are;
        the checkpoint is made under mac_key (the segment epoch's integrity key).
        Returns its Meta. On any error the temporary file is removed and the store is unchanged."""
        meta = segment.Meta("new", header)
        name = segment.name_for(meta.first_seq)
        tmp = name + TMP_SUFFIX
        digest = segment.MacDigest()
        entry = None
        f = self.fs.open(tmp, "wb")
        try:
            f.write(header)
            for entry in entries:
                f.write(entry)
                digest.add(entry)
            head = bytes(entry[len(entry) - segment.LINK_SIZE:]) if entry is not None else None
            f.write(segment.pack_checkpoint(mac_key, header, head, digest.digest()))
            self.fs.commit(f)
        except BaseException:
            try:
                f.close()
                self.fs.remove(tmp)
            except OSError:
                pass
            raise
        if exists(self.fs, name):
            self.quarantine(name)   # a stale file in the way (e.g. rolled back): keep it as evidence
        self.fs.rename(tmp, name)
        meta.name = name
        meta.head = head
        self.index.append(meta.first_seq, meta.last_seq, meta.count)
        self.count += meta.count
        self.newest = meta
        return meta

    def remove_oldest(self, k):
        """Remove the k oldest segments (an eviction, or the rest of one a power cut interrupted)."""
        index = self.index
        done = 0
        try:
            while done < k:
                self.fs.remove(segment.name_for(index.first[done]))
                self.count -= index.count[done]
                done += 1
        finally:
            index.drop_oldest(done)

    def segment_of(self, seq):
        """The file name of the segment holding seq, or None."""
        i = self.index.find(seq)
        return segment.name_for(self.index.first[i]) if i >= 0 else None

    def open_segment(self, name):
        return self.fs.open(name, "rb")
