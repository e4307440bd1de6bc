# esp32.NVS as MicroPython documents it (docs/library/esp32.rst), over a
# simulated NVS partition: set_blob / set_i32 / erase_key change the handle's
# view at once but reach the partition only at commit(), atomically (NVS marks
# an entry complete in its page bitmap last; a cut write is discarded at init).
# Errors are OSError(-ESP_ERR_*), as check_esp_err() raises them. Keys and
# namespaces: at most 15 characters.
ESP_ERR_NVS_NOT_FOUND = 0x1102
ESP_ERR_NVS_TYPE_MISMATCH = 0x1104
ESP_ERR_NVS_KEY_TOO_LONG = 0x1109
ESP_ERR_NVS_INVALID_LENGTH = 0x110C
_DELETED = object()


def _error(code, name):
    return OSError(-code, name)


class NvsPartition:
    """What survives a power cut: the committed entries."""

    def __init__(self, entries=None):
        self.entries = dict(entries or {})     # (namespace, key) -> (kind, value)
        self.commits = 0
        self.rail = None
        self.rail_name = None

    def image(self):
        return dict(self.entries)

    def apply(self, changes):
        self.commits += 1
        if self.rail is not None:
            self.rail.event(self, lambda image: None)   # torn = not applied: NVS discards it
        for k in changes:
            if changes[k] is _DELETED:
                self.entries.pop(k, None)
            else:
                self.entries[k] = changes[k]


class Nvs:
    def __init__(self, partition, namespace):
        if len(namespace) > 15:
            raise _error(ESP_ERR_NVS_KEY_TOO_LONG, "ESP_ERR_NVS_KEY_TOO_LONG")
        self._partition = partition
        self._namespace = namespace
        self._pending = {}

    def _key(self, key):
        if len(key) > 15:
            raise _error(ESP_ERR_NVS_KEY_TOO_LONG, "ESP_ERR_NVS_KEY_TOO_LONG")
        return (self._namespace, key)

    def _get(self, key, kind):
        k = self._key(key)
        entry = self._pending[k] if k in self._pending else self._partition.entries.get(k, _DELETED)
        if entry is _DELETED:
            raise _error(ESP_ERR_NVS_NOT_FOUND, "ESP_ERR_NVS_NOT_FOUND")
        if entry[0] != kind:
            raise _error(ESP_ERR_NVS_TYPE_MISMATCH, "ESP_ERR_NVS_TYPE_MISMATCH")
        return entry[1]

    def set_blob(self, key, value):
        self._pending[self._key(key)] = ("blob", bytes(value))

    def get_blob(self, key, buf):
        value = self._get(key, "blob")
        if len(buf) < len(value):
            raise _error(ESP_ERR_NVS_INVALID_LENGTH, "ESP_ERR_NVS_INVALID_LENGTH")
        buf[:len(value)] = value
        return len(value)

    def set_i32(self, key, value):
        self._pending[self._key(key)] = ("i32", int(value))

    def get_i32(self, key):
        return self._get(key, "i32")

    def erase_key(self, key):
        k = self._key(key)
        if (self._pending.get(k, self._partition.entries.get(k, _DELETED))) is _DELETED:
            raise _error(ESP_ERR_NVS_NOT_FOUND, "ESP_ERR_NVS_NOT_FOUND")
        self._pending[k] = _DELETED

    def commit(self):
        changes = self._pending
        self._pending = {}
        self._partition.apply(changes)
