# A decoded record as one RFC 5424 message in the PWG 5110.3 Common Log Format:
#   <PRI>1 TIMESTAMP HOSTNAME - - - [PWG NL DUU E ...][hcdaudit@PEN seq event ...] BOM MSG
# APP-NAME, PROCID and MSGID are '-' as in the PWG general message format
# ("HOSTNAME - - - [PWG ...]", which devices MUST use); the RFC 5848 blocks
# keep the signer's own APP-NAME `signer_app_name` (RFC 5848: one APP-NAME
# for every SB and CB of a signer, stable across restarts).
# PRI = facility 6 (lpr) × 8 + the PWG severity 3 / 4 / 6, so 51 / 52 / 54
# (the PWG text's 63 / 64 / 66 is an arithmetic slip). The message is
# written into the formatter's own buffer; the sender hashes and sends that
# very view, so the octets signed are the octets sent.
from hcdaudit import catalog, pwg
from hcdaudit.msgbuf import MessageBuffer, utf8_boundary
from hcdaudit.timefmt import civil

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

MAX_OCTETS = const(2048)       # RFC 5848 / RFC 5425: never exceeded
ADVISED_OCTETS = const(480)    # RFC 5426: every receiver takes 480; met when the SD allows
_MIN_MSG = const(24)           # MSG octets worth keeping when shortening for the 480 advice
_PARAM_CAP = const(48)         # per-value cap in the (pathological) case SD alone passes 2048
_BOM = b"\xef\xbb\xbf"
_MARKER = b"\xe2\x80\xa6"      # "…", as text.truncate marks a cut
# Items a PWG parameter carries exactly: the private element does not repeat them.
_PWG_ITEMS = {"job_id": "JID", "pages": "JIC", "images": "JIM", "job_uuid": "JUU",
              "JID": "job_id", "JIC": "pages", "JIM": "images", "JUU": "job_uuid"}
DEFAULT_ENTERPRISE = const(32473)   # RFC 5612 documentation PEN: configure the vendor's own


_name_octets = {}      # parameter name: its octets (a few dozen names, each encoded once)


def _octets(name):
    raw = _name_octets.get(name)
    if raw is None:
        if len(_name_octets) >= 96:     # item codes of a newer firmware (`itemN`) must not grow it forever
            _name_octets.clear()
        raw = _name_octets[name] = name.encode()
    return raw


class SyslogConfigError(ValueError):
    pass


def _header_field(value, name, limit):
    """RFC 5424 header fields: 1..limit PRINTUSASCII octets, or '-'."""
    if not value:
        return b"-"
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if len(raw) > limit:
        raise SyslogConfigError("%s is longer than %d octets" % (name, limit))
    for b in raw:
        if b < 33 or b > 126:
            raise SyslogConfigError("%s must be printable ASCII without spaces: %r" % (name, value))
    return raw


def _sd_name(value, what):
    raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if not 0 < len(raw) <= 32:
        raise SyslogConfigError("%s must be 1-32 octets" % what)
    for b in raw:
        if b < 33 or b > 126 or b in b'= ]"':
            raise SyslogConfigError("%s has a character RFC 5424 forbids: %r" % (what, value))
    return raw


class Formatter:
    def __init__(self, hostname, device_uuid, service_uri=None, service_uuid=None, language="en-US",
                 enterprise=DEFAULT_ENTERPRISE, facility=6, app_name="-", advised=ADVISED_OCTETS,
                 signer_app_name="hcdaudit"):
        if not 0 <= facility <= 23:
            raise SyslogConfigError("facility must be 0-23")
        self.hostname = _header_field(hostname, "HOSTNAME", 255)
        self.app_name = _header_field(app_name, "APP-NAME", 48)
        self.signer_app_name = _header_field(signer_app_name, "APP-NAME", 48)
        self.device_uuid = device_uuid
        self.service_uuid = service_uuid
        self.service_uri = service_uri
        self.language = language
        self.facility = facility
        self.advised = advised
        self.sd_id = _sd_name("hcdaudit@%d" % enterprise, "the enterprise SD-ID")
        self.out = MessageBuffer(MAX_OCTETS + 64)
        self._carried = []      # PWG parameters of this message that carry an item exactly
        self.shortened = 0      # messages whose MSG was cut (for the figures)

    def format(self, record):
        """The record as one message: a memoryview into the formatter's buffer,
        valid until the next call."""
        self._write(record, 0)
        if self.out.n > MAX_OCTETS or self.out.overflow:
            # Only a record of hostile text (every octet a control character,
            # each now three) gets here: cap every value, keep every parameter.
            self._write(record, _PARAM_CAP)
        return self.out.message()

    def _write(self, record, cap):
        out = self.out
        out.clear()
        code = record["event"]
        outcome = record.get("outcome")
        try:
            severity = catalog.severity(code, outcome)
            outcome_name = catalog.outcome_name(outcome)
        except catalog.CatalogError:
            severity, outcome_name = 3, "unknown"    # a newer firmware's event: an error until known
        out.put(b"<")
        out.put_digits(self.facility * 8 + severity)
        out.put(b">1 ")
        _put_timestamp(out, record["time_us"])
        out.put(b" ")
        out.put(self.hostname)
        out.put(b" ")
        out.put(self.app_name)
        out.put(b" - - [PWG")
        out.put_param(b"NL", self.language)
        out.put_param(b"DUU", self.device_uuid)
        params = pwg.pwg_params(record, self.service_uri)
        is_job = "Job" in params[0][1]
        carried = self._carried
        del carried[:]
        for name, value in params:
            out.put_param(_octets(name), value, cap)
            if name in _PWG_ITEMS:
                carried.append(name)
        if not is_job:
            out.put_param(b"IAJ", "T")
            if self.service_uuid:
                out.put_param(b"SUU", self.service_uuid)
        out.put(b"][")
        out.put(self.sd_id)
        self._private_params(record, outcome_name, cap, carried)
        out.put(b"] ")
        out.put(_BOM)
        msg_start = out.n
        self._describe(record, outcome_name)
        # MSG is a summary of what SD already carries, so it is what gets
        # shortened (with a marker): to the 480-octet advice when the header
        # and SD leave room for a useful MSG, else to the hard cap.
        limit = self.advised if msg_start + _MIN_MSG <= self.advised else MAX_OCTETS
        if out.n > limit or out.overflow:
            out.n = utf8_boundary(out.buf, min(out.n, limit - len(_MARKER)), msg_start)
            out.overflow = False
            out.put(_MARKER)
            self.shortened += 1

    def _private_params(self, record, outcome_name, cap, carried):
        """[hcdaudit@PEN ...]: the record's seq, event ID (Fuji Xerox 0xCCNN
        scheme), outcome, subject, interface, remote host and every item, so
        nothing of the record depends on MSG surviving a length limit."""
        out = self.out
        out.put(b' seq="')
        out.put_digits(record["seq"])
        out.put(b'"')
        out.put_param(b"event", "0x%04x" % record["event"])
        out.put_param(b"outcome", outcome_name)
        who = record.get("subject")
        if isinstance(who, list) and len(who) == 4:
            try:
                out.put_param(b"subject", catalog.subject_kind_name(who[0]))
            except catalog.CatalogError:
                out.put_param(b"subject", str(who[0]))
            for name, value in ((b"user", who[1]), (b"name", who[2]), (b"role", who[3])):
                if value:
                    out.put_param(name, value, cap)
        if record.get("interface"):
            out.put_param(b"interface", record["interface"], cap)
        if record.get("remote_host"):
            out.put_param(b"host", record["remote_host"], cap)
        items = record.get("items") or {}
        for code in sorted(items):
            name = catalog.item_label(code)
            value = items[code]
            if _PWG_ITEMS.get(name) in carried and (name != "job_uuid" or value == value.lower()):
                continue      # already in [PWG ...] verbatim (JUU lowercases a UUID: keep others)
            if isinstance(value, (bytes, bytearray)):
                value = bytes(value).hex()
            elif not isinstance(value, str):
                value = str(value)
            out.put_param(_octets(name), value, cap)

    def _describe(self, record, outcome_name):
        """The human-readable MSG: event, outcome, who, how, from where."""
        out = self.out
        out.put_text(_event_name(record["event"]))
        out.put(b" ")
        out.put_text(outcome_name)
        who = record.get("subject")
        if isinstance(who, list) and len(who) == 4 and (who[1] or who[2]):
            out.put(b" by ")
            out.put_clean((who[1] or who[2]).encode("utf-8"), False)
        if record.get("interface"):
            out.put(b" via ")
            out.put_clean(record["interface"].encode("utf-8"), False)
        if record.get("remote_host"):
            out.put(b" from ")
            out.put_clean(record["remote_host"].encode("utf-8"), False)


def _put_timestamp(out, time_us):
    """timefmt.rfc3339(time_us), written into out without a string."""
    t = civil(time_us)      # indexed, not unpacked: seven more locals would put the frame on the heap
    out.put_digits(t[0], 4)
    out.put(b"-")
    out.put_digits(t[1], 2)
    out.put(b"-")
    out.put_digits(t[2], 2)
    out.put(b"T")
    out.put_digits(t[3], 2)
    out.put(b":")
    out.put_digits(t[4], 2)
    out.put(b":")
    out.put_digits(t[5], 2)
    out.put(b".")
    out.put_digits(t[6], 6)
    out.put(b"Z")


def _event_name(code):
    try:
        return catalog.event_name(code)
    except catalog.CatalogError:
        return "event 0x%04x" % code
