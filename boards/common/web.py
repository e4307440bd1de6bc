# Wiring of the HTTPS admin export (hcdaudit/webadmin.py) on a board: the
# TLS listener from the bundle's certificate and key (hcdaudit/hal/https.py),
# the administrator's credential, the device's own records (as the sender reads
# them) for the formatted exports, and the raw memories for the sealed one. A certificate
# or credential problem is audited (trusted_channel_failure / setting
# problems) and leaves the export off; logging is never affected.
import json

from boards.common import bundle as bundle_module
from hcdaudit import events
from hcdaudit import password as passwords

CERT_FILE = bundle_module.HTTPS_CERT_FILE
KEY_FILE = bundle_module.HTTPS_KEY_FILE
ADMIN_FILE = bundle_module.ADMIN_FILE


def load_credential(folder):
    """(Credential or None, problem or None) from the bundle's admin.json."""
    try:
        text = bundle_module.read(folder, ADMIN_FILE, "r")
    except bundle_module.DeviceError:
        return None, "no administrator credential provisioned (hcdaudit provision --admin-password-file)"
    try:
        return passwords.Credential(json.loads(text)), None
    except (ValueError, passwords.CredentialError) as exc:
        return None, "administrator credential unusable: %s" % exc


def open_listener(folder, log, host, port, backlog=2):
    """The TLS listener, or None with the problem audited (protocol HTTPS, direction inbound)."""
    from hcdaudit.hal import https
    try:
        cert = bundle_module.read(folder, CERT_FILE)
        key = bundle_module.read(folder, KEY_FILE)
    except bundle_module.DeviceError as exc:
        events.trusted_channel_failed(log, "HTTPS", "device certificate missing: %s" % exc, direction="inbound")
        return None
    try:
        return https.Listener(host, port, cert, key, backlog)
    except https.CertificateProblem as exc:
        events.trusted_channel_failed(log, "HTTPS", str(exc)[:64], direction="inbound")
        return None


class DeviceRecords:
    """The device's own records in seq order, for the formatted exports. Read as
    the syslog sender reads them (the Backlog: opened with the confidentiality
    key), because the device no longer holds the integrity keys of past epochs
    (forward integrity): authenticity is the host's to prove, from the sealed
    export (`hcdaudit pull https://` then `hcdaudit verify store`)."""

    def __init__(self, log):
        self.log = log

    def records(self):
        from hcdaudit import record
        from hcdaudit.backlog import Backlog
        backlog = Backlog(self.log)
        try:
            seq = backlog.oldest()
            while seq and seq < self.log.next_seq:
                plaintext = backlog.read(seq)
                if plaintext is not None:
                    body = record.decode(plaintext)
                    body["chain"] = backlog.mac()       # as the host's reader yields it
                    yield body
                seq += 1
        finally:
            backlog.release()


def open_web_admin(folder, identity, log, board, master_key, listener, random, web=None, settings=None,
                   status=None, lock_seconds=300):
    """The server over a booted log. web: the board profile's "web" settings."""
    from hcdaudit.webadmin import WebAdmin
    web = web or {}
    credential, problem = load_credential(folder)

    def reader():
        return DeviceRecords(log)

    server = WebAdmin(log, listener, credential, reader, (board.nvram, board.fs), identity, random,
                      status=status, settings=settings, max_connections=web.get("connections", 2),
                      lock_seconds=lock_seconds)
    if problem is not None:
        server.problem = problem
    return server
