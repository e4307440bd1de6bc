# What a board loads from its bundle (see boards/host/device.py for the
# files `hcdaudit provision` writes), read through a directory object with
# open(name, mode) (DirFs, or a littlefs directory view): the identity, the
# master key file, and the signed syslog sender built from the signing key.
import json

DEVICE_FILE = "device.json"
KEY_FILE = "master.key"
SIGNING_KEY_FILE = "syslog-signing.json"
SIGNING_CERT_FILE = "syslog-signing.der"
HTTPS_KEY_FILE = "https-key.der"
HTTPS_CERT_FILE = "https-cert.der"
ADMIN_FILE = "admin.json"
REQUIRED_FIELDS = ("name", "serial", "slot_count", "slot_size", "store_cap")
TLS_FILE_SETTINGS = ("collector_ca", "client_cert", "client_key")


class DeviceError(Exception):
    pass


def path_of(folder, name):
    """The file's path, for messages: DirFs has a root, a littlefs view a path."""
    base = getattr(folder, "root", None) or getattr(folder, "path", None)
    return base + "/" + name if base else name


def read(folder, name, mode="rb", where=None):
    """The file's bytes, or its text with mode "r" (opened binary: littlefs-python's text files lack readinto)."""
    where = where or path_of(folder, name)
    try:
        f = folder.open(name, "rb")
    except OSError:
        raise DeviceError("cannot read %s" % where)
    try:
        data = f.read()
    except OSError:
        raise DeviceError("cannot read %s" % where)
    finally:
        f.close()
    if mode == "r":
        try:
            return data.decode("utf-8")
        except UnicodeError:
            raise DeviceError("%s is not UTF-8 text" % where)
    return data


def load_identity(folder, where=None):
    """device.json as a dict, its required fields checked. where: its path, for messages."""
    where = where or path_of(folder, DEVICE_FILE)
    text = read(folder, DEVICE_FILE, "r", where)
    try:
        identity = json.loads(text)
    except ValueError:
        raise DeviceError("%s is not valid JSON" % where)
    if not isinstance(identity, dict):
        raise DeviceError("%s is not a JSON object" % where)
    for field in REQUIRED_FIELDS:
        if field not in identity:
            raise DeviceError("%s lacks '%s'" % (where, field))
    return identity


def check_master_key(key, where):
    if len(key) != 32:
        raise DeviceError("%s must hold 32 bytes, it holds %d" % (where, len(key)))
    return bytes(key)


def load_master_key(folder, where=None):
    where = where or path_of(folder, KEY_FILE)
    return check_master_key(read(folder, KEY_FILE, "rb", "the master key " + where), where)


def collector_config(identity, log):
    """The device's collector configuration record over the provisioned defaults."""
    from hcdaudit.collector_config import CollectorConfig
    config = CollectorConfig(log.store.fs, log.mac_key, identity.get("syslog") or {})
    config.load()
    return config


def open_sender(folder, identity, log, clock, url=None, random=None, settings=None):
    """The signed syslog sender of one reboot session (RSID = the boot counter)
    over the device's backlog, from its persistent delivery cursor. `settings`:
    the collector configuration record's values (default: the provisioned ones)."""
    from boards import profiles
    from hcdaudit import dsa
    from hcdaudit.backlog import Backlog
    from hcdaudit.cursor import DeliveryCursor
    from hcdaudit.hal import net
    from hcdaudit.sender import Sender
    from hcdaudit.signer import Signer
    from hcdaudit.syslog import Formatter
    provisioned = identity.get("syslog") or {}
    if settings is None:
        settings = provisioned
    else:
        # The configuration record holds the collector settings; the rest
        # (service URI and UUID, key blob type, CB repeat) is provisioned.
        merged = dict(provisioned)
        merged.update(settings)
        settings = merged
    url = url or settings.get("url")
    if not url:
        raise DeviceError("no collector configured (syslog url)")
    try:
        key = dsa.load_private_key(json.loads(read(folder, SIGNING_KEY_FILE, "r")))
    except ValueError as exc:
        raise DeviceError("%s: %s" % (path_of(folder, SIGNING_KEY_FILE), exc))
    blob_type = settings.get("key_blob_type", "K").encode()
    certificate = read(folder, SIGNING_CERT_FILE) if blob_type == b"C" else None
    hostname = identity.get("fqdn") or "-"
    formatter = Formatter(hostname, identity["uuid"], settings.get("service_uri"), settings.get("service_uuid"),
                          enterprise=settings.get("enterprise", 32473), facility=settings.get("facility", 6))
    signer = Signer(key, formatter.hostname, formatter.signer_app_name, log.boot_count, clock(), clock,
                    key_blob_type=blob_type, certificate=certificate,
                    max_hashes=settings.get("max_hashes", 32), sig_max_delay_s=settings.get("sig_max_delay_s", 30),
                    sb_redundancy=settings.get("sb_redundancy", 1),
                    cert_initial_repeat=settings.get("cert_initial_repeat", 2))
    try:
        windows = profiles.profile(identity.get("board", "host"))["sender"]
    except ValueError as exc:
        raise DeviceError(str(exc))
    options = _tls_options(folder, settings)
    if url.startswith("relp"):
        options["window"] = windows["relp_window"]
    try:
        transport = net.open_transport(url, **options)
    except ValueError as exc:
        # Name the bundle files the TLS settings point at: the TLS library's message names none.
        files = ["%s %s" % (name, path_of(folder, settings[name])) for name in TLS_FILE_SETTINGS if settings.get(name)]
        raise DeviceError("%s%s" % (exc, " (from %s)" % ", ".join(files) if files else ""))
    return Sender(log, formatter, signer, transport, DeliveryCursor(log.store.fs, log.mac_key), Backlog(log),
                  clock, random or log.board.random, unconfirmed=windows["tcp_unconfirmed"])


def _tls_options(folder, settings):
    """The collector's trust for tls:// and relp+tls://: a CA (DER in the bundle)
    or a pinned fingerprint, and an optional client certificate."""
    options = {}
    if settings.get("collector_ca"):
        options["ca"] = read(folder, settings["collector_ca"])
    if settings.get("collector_fingerprint"):
        options["fingerprint"] = settings["collector_fingerprint"]
    if settings.get("client_cert") and settings.get("client_key"):
        options["client_cert"] = read(folder, settings["client_cert"])
        options["client_key"] = read(folder, settings["client_key"])
    if settings.get("collector_name"):
        options["server_name"] = settings["collector_name"]
    return options
