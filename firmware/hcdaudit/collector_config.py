# The collector configuration record: where and how the sender delivers
# (collector URL, TLS trust: CA or pinned fingerprint, client certificate,
# signature-block interval, facility, enterprise number). It lives on the
# device as one MACed CBOR file, replaced atomically, and changes only through
# change(), which logs the PP's settings-change event before it applies it:
# a change is never applied unaudited (a cut between the two leaves an audited
# attempt, never a silent change).
from hcdaudit import cbor, macfile

NAME = "syslog.cfg"
_TMP = "syslog.tmp"            # removed at boot by the store like any unfinished *.tmp
_LABEL = b"collector config"
_SCHEMES = ("udp", "tcp", "tls", "relp", "relp+tls", "file")
# name -> (kind, low, high): "s" text up to `high` octets, "i" integer in [low, high]
FIELDS = {
    "url": ("s", 0, 255),
    "collector_ca": ("s", 0, 64),            # a DER file in the device bundle
    "collector_fingerprint": ("s", 0, 110),  # "sha-256:AA:BB:..." (RFC 5425 §4.2.2)
    "collector_name": ("s", 0, 255),
    "client_cert": ("s", 0, 64),
    "client_key": ("s", 0, 64),
    "max_hashes": ("i", 1, 32),
    "sig_max_delay_s": ("i", 1, 3600),
    "sb_redundancy": ("i", 0, 3),
    "facility": ("i", 0, 23),
    "enterprise": ("i", 1, 4294967295),
}


class ConfigError(ValueError):
    pass


def check(name, value):
    """Raise ConfigError naming what is wrong with one setting."""
    if name not in FIELDS:
        raise ConfigError("unknown collector setting %r" % (name,))
    kind, low, high = FIELDS[name]
    if kind == "i":
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ConfigError("%s must be an integer %d-%d" % (name, low, high))
        return
    if not isinstance(value, str) or len(value.encode("utf-8")) > high:
        raise ConfigError("%s must be text of at most %d octets" % (name, high))
    if name == "url" and value:
        scheme, sep, rest = value.partition("://")
        if not sep or scheme not in _SCHEMES or not rest:
            raise ConfigError("url must be one of %s://..." % "|".join(_SCHEMES))
    if name == "collector_fingerprint" and value and not value.lower().startswith(("sha-256:", "sha256:")):
        raise ConfigError("collector_fingerprint must be sha-256:AA:BB:... (RFC 5425)")


class CollectorConfig:
    def __init__(self, fs, mac_key, defaults):
        self.fs = fs
        self._mac = mac_key
        self.defaults = {}
        for name in FIELDS:
            if name in defaults:
                self.defaults[name] = defaults[name]
        self.values = dict(self.defaults)
        self.problem = None

    def load(self):
        """The stored record over the provisioned defaults; a record that does not
        authenticate is reported in `problem` and ignored (the defaults apply)."""
        self.values = dict(self.defaults)
        body, self.problem = macfile.read(self.fs, NAME, self._mac, _LABEL)
        if body is None:
            return self.values
        try:
            stored = cbor.loads(body)
            for name in stored:
                check(name, stored[name])
        except (cbor.CBORError, ConfigError, TypeError) as exc:
            self.problem = "invalid: %s" % exc
            return self.values
        self.values.update(stored)
        return self.values

    def change(self, log, name, value, subject="admin", interface="web", remote_host=None):
        """An administrator's change: audited first, then written. False when it changes nothing."""
        check(name, value)
        old = self.values.get(name)
        if old == value:
            return False
        log.log("setting_change", subject=subject, interface=interface, remote_host=remote_host,
                setting="syslog " + name, old_value="-" if old is None else str(old), new_value=str(value))
        stored = {}
        for key in self.values:
            if self.values[key] != self.defaults.get(key):
                stored[key] = self.values[key]
        stored[name] = value
        macfile.write(self.fs, NAME, _TMP, self._mac, _LABEL, cbor.dumps(stored))
        self.values[name] = value
        return True
