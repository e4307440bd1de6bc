# A host-board device folder, as `hcdaudit provision` makes it:
#   bundle/       what the board loads (`make deploy` copies it to a board):
#     device.json          identity, geometry, syslog settings (public)
#     master.key           the 256-bit master key (mode 0600)
#     syslog-signing.json  the RFC 5848 DSA signing key, hex p q g y x (mode 0600)
#     syslog-signing.der   its X.509 certificate (key blob type C)
#   escrow/       what the host keeps to export and verify (never on the board):
#     device.json, master.key (0600), syslog-signing.pem (the `verify syslog` trust anchor)
#   nvram.bin     the host board's NVRAM region, exactly ring.region_size() bytes
#   store/        the host board's segment files
# Readable by both runtimes, so the simulator can run the firmware under either.
import json
import os

from boards.host.board import Board
from boards.host.dirfs import DirFs
from boards.host.memory import FileNvram

BUNDLE_DIR = "bundle"
ESCROW_DIR = "escrow"
DEVICE_FILE = "device.json"
KEY_FILE = "master.key"
NVRAM_FILE = "nvram.bin"
STORE_DIR = "store"
SIGNING_KEY_FILE = "syslog-signing.json"
SIGNING_CERT_FILE = "syslog-signing.der"
SIGNING_CERT_PEM = "syslog-signing.pem"


class DeviceError(Exception):
    pass


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def bundle_file(device_dir, name):
    return device_dir + "/" + BUNDLE_DIR + "/" + name


def load_identity(device_dir, part=BUNDLE_DIR):
    """device.json of the bundle (what the board loads) or of the escrow."""
    path = device_dir + "/" + part + "/" + DEVICE_FILE
    if not _exists(path):
        raise DeviceError("%s is not a device folder (no %s/%s)" % (device_dir, part, DEVICE_FILE))
    try:
        with open(path) as f:
            identity = json.load(f)
    except ValueError:
        raise DeviceError("%s is not valid JSON" % path)
    for field in ("name", "serial", "slot_count", "slot_size", "store_cap"):
        if field not in identity:
            raise DeviceError("%s lacks '%s'" % (path, field))
    return identity


def load_master_key(device_dir, part=BUNDLE_DIR):
    path = device_dir + "/" + part + "/" + KEY_FILE
    try:
        with open(path, "rb") as f:
            key = f.read()
    except OSError:
        raise DeviceError("cannot read the master key %s" % path)
    if len(key) != 32:
        raise DeviceError("%s must hold 32 bytes, it holds %d" % (path, len(key)))
    return key


def open_board(device_dir, nvram=None, fs=None, clock=None, random=None):
    """The host board over a device folder. nvram / fs may be wrapped by the caller."""
    identity = load_identity(device_dir)
    if nvram is None:
        path = device_dir + "/" + NVRAM_FILE
        if not _exists(path):
            raise DeviceError("missing NVRAM file %s" % path)
        nvram = FileNvram(path)
    if fs is None:
        fs = DirFs(device_dir + "/" + STORE_DIR)
    return Board(nvram, fs, identity["slot_count"], identity["slot_size"], identity["store_cap"],
                 clock=clock, random=random), identity


def _read(path, mode="rb"):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError:
        raise DeviceError("cannot read %s" % path)


def collector_config(identity, log):
    """The device's collector configuration record over the provisioned defaults."""
    from hcdaudit.collector_config import CollectorConfig
    config = CollectorConfig(log.store.fs, log.mac_key, identity.get("syslog") or {})
    config.load()
    return config


def open_sender(device_dir, identity, log, clock, url=None, random=None, settings=None):
    """The signed syslog sender of one reboot session (RSID = the boot counter)
    over the device's backlog, from its persistent delivery cursor. `settings`:
    the collector configuration record's values (default: the provisioned ones)."""
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
        key = dsa.load_private_key(json.loads(_read(bundle_file(device_dir, SIGNING_KEY_FILE), "r")))
    except ValueError as exc:
        raise DeviceError("%s: %s" % (bundle_file(device_dir, SIGNING_KEY_FILE), exc))
    blob_type = settings.get("key_blob_type", "K").encode()
    certificate = _read(bundle_file(device_dir, SIGNING_CERT_FILE)) if blob_type == b"C" else None
    hostname = identity.get("fqdn") or "-"
    formatter = Formatter(hostname, identity["uuid"], settings.get("service_uri"), settings.get("service_uuid"),
                          enterprise=settings.get("enterprise", 32473), facility=settings.get("facility", 6))
    signer = Signer(key, formatter.hostname, formatter.app_name, log.boot_count, clock(), clock,
                    key_blob_type=blob_type, certificate=certificate,
                    max_hashes=settings.get("max_hashes", 32), sig_max_delay_s=settings.get("sig_max_delay_s", 30),
                    sb_redundancy=settings.get("sb_redundancy", 1),
                    cert_initial_repeat=settings.get("cert_initial_repeat", 2))
    from boards import profiles
    try:
        windows = profiles.profile(identity.get("board", "host"))["sender"]
    except ValueError as exc:
        raise DeviceError(str(exc))
    options = _tls_options(device_dir, settings)
    if url.startswith("relp"):
        options["window"] = windows["relp_window"]
    try:
        transport = net.open_transport(url, **options)
    except ValueError as exc:
        raise DeviceError(str(exc))
    return Sender(log, formatter, signer, transport, DeliveryCursor(log.store.fs, log.mac_key), Backlog(log),
                  clock, random or log.board.random, unconfirmed=windows["tcp_unconfirmed"])


def _tls_options(device_dir, settings):
    """The collector's trust for tls:// and relp+tls://: a CA (DER in the bundle)
    or a pinned fingerprint, and an optional client certificate."""
    options = {}
    if settings.get("collector_ca"):
        options["ca"] = _read(bundle_file(device_dir, settings["collector_ca"]))
    if settings.get("collector_fingerprint"):
        options["fingerprint"] = settings["collector_fingerprint"]
    if settings.get("client_cert") and settings.get("client_key"):
        options["client_cert"] = _read(bundle_file(device_dir, settings["client_cert"]))
        options["client_key"] = _read(bundle_file(device_dir, settings["client_key"]))
    if settings.get("collector_name"):
        options["server_name"] = settings["collector_name"]
    return options
