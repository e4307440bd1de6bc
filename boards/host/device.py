# A host-board device folder, as `hcdaudit provision` makes it:
#   bundle/       what the board loads (`make deploy` copies it to a board):
#     device.json          identity, geometry, syslog settings (public)
#     master.key           the 256-bit master key (mode 0600)
#     syslog-signing.json  the RFC 5848 DSA signing key, hex p q g y x (mode 0600)
#     syslog-signing.der   its X.509 certificate (key blob type C)
#     https-key.der        the HTTPS admin export's TLS key, PKCS#8 DER (mode 0600)
#     https-cert.der       its certificate (issued by the provisioning CA, if one was given)
#     admin.json           the administrator's PBKDF2-HMAC-SHA256 password hash (mode 0600), if set
#   escrow/       what the host keeps to export and verify (never on the board):
#     device.json, master.key (0600), syslog-signing.pem (the `verify syslog` trust anchor),
#     https-cert.pem (what `hcdaudit pull https://` pins when there is no ca.pem)
#   nvram.bin     the host board's NVRAM region, exactly ring.region_size() bytes; provisioning
#                 writes epoch 0's integrity key into its header (escrow/integrity.key keeps it)
#   counter.bin   the host board's monotonic counter (FileCounter), raised to each epoch
#   store/        the host board's segment files
# Readable by both runtimes, so the simulator can run the firmware under either.
import os

from boards.common import bundle
from boards.common.bundle import DeviceError, collector_config  # noqa: F401 (the device API)
from boards.host.board import Board
from boards.host.dirfs import DirFs
from boards.host.memory import FileNvram

BUNDLE_DIR = "bundle"
ESCROW_DIR = "escrow"
DEVICE_FILE = bundle.DEVICE_FILE
KEY_FILE = bundle.KEY_FILE
NVRAM_FILE = "nvram.bin"
STORE_DIR = "store"
SIGNING_KEY_FILE = bundle.SIGNING_KEY_FILE
SIGNING_CERT_FILE = bundle.SIGNING_CERT_FILE
SIGNING_CERT_PEM = "syslog-signing.pem"
HTTPS_KEY_FILE = bundle.HTTPS_KEY_FILE
HTTPS_CERT_FILE = bundle.HTTPS_CERT_FILE
HTTPS_CERT_PEM = "https-cert.pem"
ADMIN_FILE = bundle.ADMIN_FILE


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
    if not _exists(device_dir + "/" + part + "/" + DEVICE_FILE):
        raise DeviceError("%s is not a device folder (no %s/%s)" % (device_dir, part, DEVICE_FILE))
    return bundle.load_identity(DirFs(device_dir + "/" + part))


def load_master_key(device_dir, part=BUNDLE_DIR):
    return bundle.load_master_key(DirFs(device_dir + "/" + part))


def master_key(device_dir):
    """The board contract's name (boards/esp32s3/board.py): the bundle's master key."""
    return load_master_key(device_dir)


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
    board = Board(nvram, fs, identity["slot_count"], identity["slot_size"], identity["store_cap"],
                  clock=clock, random=random)
    board.bundle = DirFs(device_dir + "/" + BUNDLE_DIR)
    board.device_id = identity.get("uuid")
    if _exists(device_dir + "/" + COUNTER_FILE):
        board.counter = FileCounter(device_dir + "/" + COUNTER_FILE)
    return board, identity


def open_sender(device_dir, identity, log, clock, url=None, random=None, settings=None):
    """The signed syslog sender over the bundle's signing key (boards/common/bundle.py)."""
    return bundle.open_sender(DirFs(device_dir + "/" + BUNDLE_DIR), identity, log, clock, url=url, random=random,
                              settings=settings)


def escrowed_integrity_root(device_dir):
    """Epoch 0's integrity key from the escrow (the host's, never the board's), or None."""
    path = device_dir + "/" + ESCROW_DIR + "/" + INTEGRITY_KEY_FILE
    if not _exists(path):
        return None
    with open(path, "rb") as f:
        return f.read()


COUNTER_FILE = "counter.bin"
INTEGRITY_KEY_FILE = "integrity.key"


class FileCounter:
    """The host board's stand-in for a secure element's monotonic counter (or an
    OTP fuse row): a value that only goes up, in a file beside the NVRAM. The
    seam a real board implements: value (read) and advance(n) (never down)."""

    def __init__(self, path):
        self.path = path

    @property
    def value(self):
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except OSError:
            return 0
        return int.from_bytes(data, "big") if len(data) == 8 else 0

    def advance(self, to):
        if to <= self.value:
            return
        tmp = self.path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(to.to_bytes(8, "big"))
        os.rename(tmp, self.path)
