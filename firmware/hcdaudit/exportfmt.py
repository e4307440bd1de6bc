# The device's own exports, one decoded record a row, in every format the
# host's `hcdaudit export` writes (host_tools/hcdaudit_host/export.py), byte
# for byte: pwg (the syslog formatter's message less its BOM, one BOM at the
# start), fx / xerox / km (formats.py rows, tab-separated), jsonl and csv
# (written here: MicroPython's json cannot sort keys, and has no csv).
# Portable; used by the HTTPS admin export (webadmin.py).
from hcdaudit import catalog, formats
from hcdaudit.timefmt import rfc3339

FORMATS = ("pwg", "fx", "xerox", "km", "jsonl", "csv")
CONTENT_TYPES = {"pwg": "text/plain; charset=utf-8", "fx": "text/tab-separated-values; charset=utf-8",
                 "xerox": "text/tab-separated-values; charset=utf-8",
                 "km": "text/tab-separated-values; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8",
                 "csv": "text/csv; charset=utf-8"}
BOM = b"\xef\xbb\xbf"
_MSG_BOM = b'"] ' + BOM

_FX_COLUMNS = ("Log ID", "Date", "Time", "Audit Event ID", "Logged Events", "User Name", "Description", "Status",
               "Optionally Logged Items")
_XEROX_COLUMNS = ("Index", "Date", "Time", "ID", "Description", "User Name", "Completion Status",
                  "Additional Details")
_KM_COLUMNS = ("Date/Time", "Audit ID", "Action", "Result")
_CSV_COLUMNS = ("seq", "time", "event", "event_code", "outcome", "subject_kind", "user_id", "user_name", "role",
                "interface", "remote_host", "items", "chain")


def _cell(value):
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    for ch in text:
        if ord(ch) < 0x20 or ch == "\x7f":
            return "".join("\ufffd" if ord(c) < 0x20 or c == "\x7f" else c for c in text)
    return text


def _tsv(cells):
    return ("\t".join([_cell(c) for c in cells]) + "\n").encode("utf-8")


# ------------------------------------------------------------------ JSON
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def _json_string(text):
    # CPython's json.dumps(ensure_ascii=False): these escapes, \u00XX for other control characters.
    parts = ['"']
    start = 0
    for i in range(len(text)):
        ch = text[i]
        if ch in _ESCAPES or ord(ch) < 0x20:
            parts.append(text[start:i])
            parts.append(_ESCAPES.get(ch) or "\\u%04x" % ord(ch))
            start = i + 1
    parts.append(text[start:])
    parts.append('"')
    return "".join(parts)


def json_text(value):
    """json.dumps(value, ensure_ascii=False, sort_keys=True) for str, int, None, bool, dict, list."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        keys = sorted(value)
        return "{" + ", ".join([_json_string(k) + ": " + json_text(value[k]) for k in keys]) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join([json_text(v) for v in value]) + "]"
    raise TypeError("no JSON form for %s" % type(value).__name__)


def _name(fn, code, fallback):
    try:
        return fn(code)
    except (KeyError, ValueError, IndexError):
        return "%s%d" % (fallback, code)


def to_json(record):
    """The record with names for codes: the host's records.to_json, on the device."""
    kind, user_id, name, role = record["subject"]
    items = {}
    raw = record.get("items") or {}
    for code in raw:
        value = raw[code]
        items[_name(catalog.item_name, code, "item")] = value.hex() if isinstance(value, bytes) else value
    chain = record.get("chain")
    return {"seq": record["seq"], "time": rfc3339(record["time_us"]),
            "event": _name(catalog.event_name, record["event"], "event"), "event_code": record["event"],
            "outcome": _name(catalog.outcome_name, record["outcome"], "outcome"),
            "subject": {"kind": _name(catalog.subject_kind_name, kind, "kind"), "user_id": user_id, "name": name,
                        "role": role},
            "interface": record.get("interface"), "remote_host": record.get("remote_host"), "items": items,
            "chain": chain.hex() if chain is not None else None}


# ------------------------------------------------------------------ CSV (RFC 4180, as CPython's csv writes it)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_field(cell):
    if isinstance(cell, str) and cell and cell[0] in _FORMULA_START:
        cell = "'" + cell
    text = "" if cell is None else (cell if isinstance(cell, str) else str(cell))
    if '"' in text or "," in text or "\r" in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_line(cells):
    return (",".join([_csv_field(c) for c in cells]) + "\r\n").encode("utf-8")


# ------------------------------------------------------------------ writers
class Writer:
    """header() then row(record) per record: bytes each. options: tz_minutes,
    date_format, device_ip (fx); identity: device.json (pwg, fx)."""

    def __init__(self, fmt, identity, options=None):
        if fmt not in FORMATS:
            raise ValueError("unknown format %r (one of %s)" % (fmt, ", ".join(FORMATS)))
        options = options or {}
        self.fmt = fmt
        self.content_type = CONTENT_TYPES[fmt]
        if fmt == "pwg":
            from hcdaudit.syslog import Formatter
            settings = identity.get("syslog") or {}
            self._formatter = Formatter(identity.get("fqdn") or "-", identity.get("uuid"),
                                        settings.get("service_uri"), settings.get("service_uuid"),
                                        enterprise=settings.get("enterprise", 32473),
                                        facility=settings.get("facility", 6))
        tz = options.get("tz_minutes")
        if tz is None:
            tz = int(identity.get("tz_minutes", 0) or 0)
        if not -720 <= tz <= 720:
            raise ValueError("tz_minutes must be -720..720")
        self.tz = tz
        self.date_format = options.get("date_format") or "YYYY/MM/DD"
        if self.date_format not in ("YYYY/MM/DD", "MM/DD/YYYY", "DD/MM/YYYY"):
            raise ValueError("date_format must be YYYY/MM/DD, MM/DD/YYYY or DD/MM/YYYY")
        self.ip = options.get("device_ip") or identity.get("ip") or "0.0.0.0"

    def header(self):
        fmt = self.fmt
        if fmt == "pwg":
            return BOM
        if fmt == "fx":
            return _tsv(("3", self.ip, "UTF8", str(self.tz), self.date_format)) + _tsv(_FX_COLUMNS)
        if fmt == "xerox":
            return _tsv(_XEROX_COLUMNS)
        if fmt == "km":
            return _tsv(_KM_COLUMNS)
        if fmt == "csv":
            return _csv_line(_CSV_COLUMNS)
        return b""

    def row(self, record):
        fmt = self.fmt
        if fmt == "pwg":
            message = bytes(self._formatter.format(record))
            cut = message.find(_MSG_BOM)
            if cut >= 0:
                message = message[:cut + 3] + message[cut + 3 + len(BOM):]
            return message + b"\n"
        if fmt == "fx":
            return _tsv(formats.fx_row(record, self.tz, self.date_format))
        if fmt == "xerox":
            return _tsv(formats.xerox_row(record))
        if fmt == "km":
            return _tsv(formats.km_row(record))
        r = to_json(record)
        if fmt == "jsonl":
            return (json_text(r) + "\n").encode("utf-8")
        s = r["subject"]
        return _csv_line((r["seq"], r["time"], r["event"], "0x%04x" % r["event_code"], r["outcome"], s["kind"],
                          s["user_id"], s["name"], s["role"], r["interface"] or "", r["remote_host"] or "",
                          json_text(r["items"]) if r["items"] else "", r["chain"] or ""))
