# Power cuts across every simulated part of a board, in the style of littlefs's
# emulated block device: each NV write (FRAM bytes, backup SRAM stores, flash
# programs and erases, NVS commits) is a numbered event. At event `cut_at` the
# rail snapshots every part's memory as it would be if power failed there:
# without that write (clean) or with its first half landed (torn). The live run
# carries on undisturbed; the test boots the snapshot.


class Rail:
    def __init__(self, cut_at=0, torn=False):
        self.cut_at = cut_at
        self.torn = torn
        self.events = 0
        self.parts = {}          # name -> part with image() -> bytearray copy and restore(image)
        self.snapshot = None     # {name: image} at the cut
        self.context = None      # what the scenario had seen returned at the cut (a copy)
        self.seen = None         # the scenario's live record of it (a list)

    def add(self, name, part):
        self.parts[name] = part
        part.rail = self
        part.rail_name = name

    def event(self, part, torn):
        """Called by a part before it applies a write. torn(image) lands the
        first half of that write in a copy of the part's memory."""
        self.events += 1
        if self.events != self.cut_at:
            return
        images = {}
        for name in self.parts:
            images[name] = self.parts[name].image()
        if self.torn:
            torn(images[part.rail_name])
        self.snapshot = images
        self.context = list(self.seen) if self.seen is not None else None


def torn_bytes(image, start, data):
    """FRAM and SRAM: the first half of the bytes landed."""
    half = len(data) // 2
    image[start:start + half] = bytes(data[:half])
