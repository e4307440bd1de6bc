"""`hcdaudit pull https://HOST:PORT --device DEVICE_DIR`: the sealed records over the
device's own HTTPS admin export, into the host's folder for that device.

The device streams its NVRAM region and store files as a tar (nvram.bin, store/...,
export.json last, which lists every file sent and says the stream is complete). The
server is authenticated against the provisioned CA (escrow/ca.pem) when there is one,
else by the pinned certificate `hcdaudit provision` made (escrow/https-cert.pem),
compared in constant time. The administrator signs in with HTTP Basic over that TLS
channel; the password comes from HCDAUDIT_PASSWORD or a prompt, never the command line.
As with the serial pull, the copy goes to a fresh folder and replaces DEVICE_DIR's
nvram.bin and store/ only once all of it arrived and checked out: a stream cut short
(a power cut on the device, a dropped link) leaves the previous copy as it was."""
from __future__ import annotations

import base64
import getpass
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import ssl
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

from boards.host import device
from hcdaudit import ring

from . import pull as serial_pull
from .errors import UsageError

_STORE_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}\Z")
TIMEOUT_S = 60


def parse_url(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise UsageError(f"{url!r}: the device's admin export is HTTPS only (https://HOST:PORT)")
    if not parts.hostname or parts.path not in ("", "/") or parts.query:
        raise UsageError(f"{url!r}: expected https://HOST:PORT")
    try:
        port = parts.port or 443
    except ValueError:
        raise UsageError(f"{url!r}: bad port") from None
    return parts.hostname, port


def tls_context(escrow: Path) -> tuple[ssl.SSLContext, bytes | None]:
    """(context, pinned SHA-256 of the device certificate or None when the CA verifies it)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    ca = escrow / "ca.pem"
    if ca.exists():
        context.load_verify_locations(cafile=str(ca))
        return context, None
    pinned = escrow / device.HTTPS_CERT_PEM
    if not pinned.exists():
        raise UsageError(f"{escrow} has neither ca.pem nor {device.HTTPS_CERT_PEM}: nothing to authenticate "
                         "the device's HTTPS server against (provision again)")
    der = ssl.PEM_cert_to_DER_cert(pinned.read_text())
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE       # the pin below is the check
    return context, hashlib.sha256(der).digest()


def password_from_env_or_prompt(user: str) -> str:
    password = os.environ.get("HCDAUDIT_PASSWORD")
    if password is None:
        try:
            password = getpass.getpass(f"password for {user}: ")
        except (EOFError, OSError):
            raise UsageError("no password: set HCDAUDIT_PASSWORD or run on a terminal") from None
    return password


def _refusal(status: int, body: bytes) -> serial_pull.PullError:
    text = body.decode("utf-8", "replace").strip()[:200]
    if status == 401:
        return serial_pull.PullError(f"the device refused the sign-in: {text or 'wrong user or password'}")
    if status == 403:
        return serial_pull.PullError(f"the device refused: {text or 'forbidden'}")
    return serial_pull.PullError(f"the device answered {status}: {text}")


def fetch(url: str, device_dir: Path, user: str, password: str) -> dict:
    """Download the sealed export into device_dir (a folder with the device's escrow/)."""
    host, port = parse_url(url)
    identity = serial_pull._check_folder(device_dir)
    escrow = device_dir / device.ESCROW_DIR
    context, pin = tls_context(escrow)
    region = ring.region_size(identity["slot_count"], identity["slot_size"])
    restored = serial_pull.recover(device_dir)
    conn = http.client.HTTPSConnection(host, port, context=context, timeout=TIMEOUT_S)
    new = device_dir / serial_pull.NEW_DIR
    serial_pull._remove(new)
    (new / device.STORE_DIR).mkdir(parents=True)
    try:
        try:
            conn.connect()
        except ssl.SSLCertVerificationError as exc:
            raise serial_pull.PullError(f"{url}: the server's certificate is not the device's ({exc.verify_message})"
                                        ) from None
        except (OSError, ssl.SSLError) as exc:
            raise serial_pull.PullError(f"{url}: cannot connect: {exc}") from None
        if pin is not None:
            der = conn.sock.getpeercert(binary_form=True) or b""
            if not hmac.compare_digest(hashlib.sha256(der).digest(), pin):
                raise serial_pull.PullError(f"{url}: the server's certificate is not the one provisioned for "
                                            f"{identity.get('name')} (pin mismatch)")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        try:
            conn.request("GET", "/export/raw", headers={"Authorization": f"Basic {token}"})
            response = conn.getresponse()
            if response.status != 200:
                raise _refusal(response.status, response.read(4096))
            summary = _unpack(response, new, region, identity)
        except (http.client.HTTPException, tarfile.TarError, OSError, EOFError) as exc:
            if isinstance(exc, serial_pull.PullError):
                raise
            raise serial_pull.PullError(f"the export from {url} was cut short or damaged ({type(exc).__name__}: "
                                        f"{exc}); the previous copy is unchanged, pull again") from None
        serial_pull._swap(device_dir, new)
    except BaseException:
        if (device_dir / serial_pull.OLD_DIR).exists():
            serial_pull.recover(device_dir)
        serial_pull._remove(new)
        raise
    finally:
        conn.close()
    summary["restored"] = restored
    return summary


def _unpack(stream, new: Path, region: int, identity: dict) -> dict:
    files: dict[str, int] = {}
    manifest = None
    nvram = None
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        for member in tar:
            if manifest is not None:
                raise serial_pull.PullError("the export has members after its manifest")
            if not member.isfile():
                raise serial_pull.PullError(f"the export holds {member.name!r}, which is not a file")
            extracted = tar.extractfile(member)
            if extracted is None:           # isfile() above: tarfile gives a file object for those
                raise serial_pull.PullError(f"the export's member {member.name!r} cannot be read")
            data = extracted.read()
            if len(data) != member.size:
                raise tarfile.ReadError("member cut short")
            name = member.name
            if name == "nvram.bin":
                if len(data) != region:
                    raise serial_pull.PullError(f"the device's NVRAM region is {len(data)} bytes, the device's "
                                                f"ring is {region}")
                nvram = data
                (new / device.NVRAM_FILE).write_bytes(data)
            elif name.startswith("store/") and _STORE_NAME.match(name[6:]) and name[6:] not in (".", ".."):
                (new / device.STORE_DIR / name[6:]).write_bytes(data)
                files[name[6:]] = len(data)
            elif name == "export.json":
                try:
                    manifest = json.loads(data)
                except ValueError:
                    raise serial_pull.PullError("the export's manifest is not JSON") from None
            else:
                raise serial_pull.PullError(f"the export holds {name!r}, which hcdaudit never writes; refusing it")
    if manifest is None or manifest.get("complete") is not True:
        raise tarfile.ReadError("the export ended before its manifest")
    if nvram is None:
        raise serial_pull.PullError("the export holds no NVRAM region")
    if manifest.get("uuid") != identity.get("uuid"):
        raise serial_pull.PullError(f"the server is device {manifest.get('uuid')}, the folder is device "
                                    f"{identity.get('uuid')}: pull into that device's folder")
    listed = {name: size for name, size in manifest.get("files", [])}
    if listed != files:
        raise serial_pull.PullError("the export's files differ from its manifest")
    return {"nvram": len(nvram), "files": len(files), "bytes": sum(files.values()),
            "next_seq": manifest.get("next_seq")}


def run(url: str, device_dir: Path, user: str) -> dict:
    serial_pull._check_folder(device_dir)
    parse_url(url)
    return fetch(url, device_dir, user, password_from_env_or_prompt(user))


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
