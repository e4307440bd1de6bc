# A small MACed file in the store's filesystem, replaced atomically (write a
# temporary file, commit it, rename it over the old one: atomic on littlefs and
# POSIX), for the device's own state beside the segments: the delivery cursor
# and the collector configuration. A file that does not authenticate is
# reported, never trusted.
from hcdaudit import kdf
from hcdaudit.store import exists

MAC_SIZE = 16


def _tag(mac_key, label, body):
    return mac_key.digest(label, body)[:MAC_SIZE]


def write(fs, name, tmp, mac_key, label, body):
    f = fs.open(tmp, "wb")
    try:
        f.write(body)
        f.write(_tag(mac_key, label, body))
    except Exception:
        f.close()
        raise
    fs.commit(f)
    fs.rename(tmp, name)


def read(fs, name, mac_key, label, limit=4096):
    """(body, problem): (None, None) when there is no file; (None, why) when it
    cannot be read or does not authenticate."""
    if not exists(fs, name):
        return None, None
    try:
        f = fs.open(name, "rb")
        try:
            data = f.read(limit + MAC_SIZE + 1)
        finally:
            f.close()
    except OSError as exc:
        return None, "unreadable: %s" % exc
    if len(data) <= MAC_SIZE or len(data) > limit + MAC_SIZE or \
            not kdf.equal(data[-MAC_SIZE:], _tag(mac_key, label, data[:-MAC_SIZE])):
        return None, "does not authenticate"
    return data[:-MAC_SIZE], None
