# Where a board keeps its master key once deployed ("sealing"): `make deploy`
# copies master.key into the bundle folder; the first boot moves it into the
# board's key store and deletes the file. Every step can be cut by power:
#   cut before the store holds the key   -> the file is still there: sealed next boot
#   cut after, before the file is gone   -> both hold the same key: the file is removed
# A bundle key that differs from the sealed one is refused, never adopted.
import hashlib

from boards.common.bundle import KEY_FILE, DeviceError, load_master_key, path_of

_NVS_NOT_FOUND = -0x1102        # ESP_ERR_NVS_NOT_FOUND, as esp32.NVS raises it (OSError)


class KeyStoreError(Exception):
    """The sealed copy is unreadable or damaged."""


class NvsKeyStore:
    """An esp32.NVS namespace: set_blob + commit is atomic (NVS marks entries
    complete in its page bitmap; a cut write is discarded at init)."""

    NAME = "master_key"

    def __init__(self, nvs, namespace="hcdaudit"):
        self._nvs = nvs
        self.where = "NVS %s/%s" % (namespace, self.NAME)

    def get(self):
        buf = bytearray(64)
        try:
            n = self._nvs.get_blob(self.NAME, buf)
        except OSError as exc:
            if exc.args and exc.args[0] == _NVS_NOT_FOUND:
                return None
            raise KeyStoreError("%s unreadable: %s" % (self.where, exc))
        if n != 32:
            raise KeyStoreError("%s holds %d bytes, not 32" % (self.where, n))
        return bytes(buf[:32])

    def put(self, key):
        self._nvs.set_blob(self.NAME, key)
        self._nvs.commit()


class FileKeyStore:
    """A file holding the key and 8 bytes of its SHA-256, written to a temporary
    name and renamed over the old one: a torn write is detected, not used."""

    def __init__(self, folder, name="master.sealed"):
        self._folder = folder
        self._name = name
        self.where = path_of(folder, name)

    def get(self):
        if self._name not in self._folder.listdir():
            return None
        try:
            f = self._folder.open(self._name, "rb")
            try:
                data = f.read()
            finally:
                f.close()
        except OSError as exc:
            raise KeyStoreError("%s unreadable: %s" % (self.where, exc))
        if len(data) != 40 or hashlib.sha256(data[:32]).digest()[:8] != data[32:]:
            raise KeyStoreError("%s is damaged" % self.where)
        return bytes(data[:32])

    def put(self, key):
        tmp = self._name + ".tmp"
        f = self._folder.open(tmp, "wb")
        f.write(key)
        f.write(hashlib.sha256(key).digest()[:8])
        self._folder.commit(f)
        self._folder.rename(tmp, self._name)


def seal_master_key(bundle, store):
    """The master key from `store`, moving it there from the bundle's
    master.key first if needed. bundle: the folder object of ROOT."""
    in_bundle = KEY_FILE in bundle.listdir()
    file_key = load_master_key(bundle) if in_bundle else None
    try:
        sealed = store.get()
    except KeyStoreError as exc:
        if file_key is None:
            raise DeviceError("%s; no %s to seal again: deploy the device's bundle again" % (exc, KEY_FILE))
        sealed = None           # a cut sealing: the bundle's copy is still there
    if sealed is not None:
        if file_key is not None:
            if file_key != sealed:
                raise DeviceError("%s differs from the key sealed in %s: this board belongs to another "
                                  "device (remove the file, or erase the board to re-provision it)"
                                  % (path_of(bundle, KEY_FILE), store.where))
            bundle.remove(KEY_FILE)     # the previous boot sealed it and was cut before this
        return sealed
    if file_key is None:
        raise DeviceError("no master key: none sealed in %s and no %s (deploy the device's bundle)"
                          % (store.where, path_of(bundle, KEY_FILE)))
    store.put(file_key)
    if store.get() != file_key:
        raise DeviceError("sealing the master key in %s failed: it reads back different" % store.where)
    bundle.remove(KEY_FILE)
    return file_key
