# HTTP/1.1 request parsing for the HTTPS admin export (webadmin.py), and the
# export filters of its query (since, until, seq), as `hcdaudit export` takes
# them. Pure functions over bytes: every malformed or oversized part is an
# HttpError with the status to answer.
try:
    from micropython import const
except ImportError:
    def const(x):
        return x

MAX_REQUEST_LINE = const(512)
MAX_HEADERS = const(32)


class HttpError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


# ------------------------------------------------------------------ request parsing (pure)
def unquote(text):
    """%XX and + of a query value; a bad escape is an error."""
    if "%" not in text and "+" not in text:
        return text
    out = bytearray()
    data = text.replace("+", " ").encode()
    i = 0
    while i < len(data):
        c = data[i]
        if c == 0x25:
            try:
                out.append(int(data[i + 1:i + 3], 16))
            except ValueError:
                raise HttpError(400, "bad %-escape in the query")
            if i + 3 > len(data):
                raise HttpError(400, "bad %-escape in the query")
            i += 3
        else:
            out.append(c)
            i += 1
    try:
        return out.decode("utf-8")
    except UnicodeError:
        raise HttpError(400, "the query is not UTF-8")


class Request:
    def __init__(self, method, path, query, headers, body):
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body


def parse_request(data):
    """data: the header block (bytes, ending with CRLF CRLF). Raises HttpError."""
    line_end = data.find(b"\r\n")
    if line_end > MAX_REQUEST_LINE:
        raise HttpError(414, "request line longer than %d octets" % MAX_REQUEST_LINE)
    try:
        text = data.decode("utf-8")
    except UnicodeError:
        raise HttpError(400, "the request is not UTF-8")
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise HttpError(400, "malformed request line")
    method, target, version = parts
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise HttpError(505 if version.startswith("HTTP/") else 400, "unsupported protocol %s" % version[:16])
    for ch in method:
        if not "A" <= ch <= "Z":
            raise HttpError(400, "malformed method")
    if not target.startswith("/"):
        raise HttpError(400, "the target must be an absolute path")
    path, _, query_text = target.partition("?")
    # No file system behind the routes, but a traversal attempt is an error, never a 404 probe.
    low = path.lower()
    if ".." in path or "//" in path or "\\" in path or "%" in path or "\x00" in path or "%2e" in low:
        raise HttpError(400, "path not allowed")
    query = {}
    if query_text:
        for pair in query_text.split("&"):
            if not pair:
                continue
            key, _, value = pair.partition("=")
            key = unquote(key)
            if key in query:
                raise HttpError(400, "query parameter %s given twice" % key[:16])
            query[key] = unquote(value)
    headers = {}
    count = 0
    for line in lines[1:]:
        if not line:
            continue
        count += 1
        if count > MAX_HEADERS:
            raise HttpError(431, "more than %d header fields" % MAX_HEADERS)
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip() or " " in name:
            raise HttpError(400, "malformed header field")
        headers[name.lower()] = value.strip()
    return Request(method, path, query, headers, b"")


# ------------------------------------------------------------------ filters
def _days_from_civil(y, m, d):
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def digits(text, what):
    if not text or not text.isdigit():
        raise HttpError(400, "%s: expected digits" % what)
    return int(text)


def parse_time(text, what, end_of_day=False):
    """RFC 3339 with Z or +hh:mm, or a date (UTC; as an upper bound the whole day) -> us since 1970."""
    if len(text) < 10 or text[4] != "-" or text[7] != "-":
        raise HttpError(400, "%s %r: expected 2026-11-23 or 2026-11-23T08:00:00Z" % (what, text[:32]))
    y, mo, d = digits(text[:4], what), digits(text[5:7], what), digits(text[8:10], what)
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        raise HttpError(400, "%s: no such date" % what)
    us = _days_from_civil(y, mo, d) * 86400 * 1000000
    rest = text[10:]
    if not rest:
        return us + (86400 * 1000000 - 1 if end_of_day else 0)
    if rest[0] not in "Tt " or len(rest) < 9 or rest[3] != ":" or rest[6] != ":":
        raise HttpError(400, "%s %r: expected THH:MM:SS and a UTC offset" % (what, text[:32]))
    h, mi, s = digits(rest[1:3], what), digits(rest[4:6], what), digits(rest[7:9], what)
    if h > 23 or mi > 59 or s > 60:
        raise HttpError(400, "%s: no such time" % what)
    us += (h * 3600 + mi * 60 + s) * 1000000
    rest = rest[9:]
    if rest.startswith("."):
        i = 1
        while i < len(rest) and rest[i].isdigit():
            i += 1
        frac = rest[1:i]
        if not frac:
            raise HttpError(400, "%s: empty fraction" % what)
        us += int((frac + "000000")[:6])
        rest = rest[i:]
    if rest in ("Z", "z"):
        return us
    if len(rest) in (5, 6) and rest[0] in "+-":
        hhmm = rest[1:].replace(":", "")
        oh, om = digits(hhmm[:2], what), digits(hhmm[2:], what)
        offset = (oh * 3600 + om * 60) * 1000000
        return us - offset if rest[0] == "+" else us + offset
    raise HttpError(400, "%s: give the UTC offset (Z or +hh:mm)" % what)


class Selection:
    def __init__(self, query):
        self.since = None
        self.until = None
        self.first = 1
        self.last = None
        for key in query:
            if key not in ("since", "until", "seq", "tz_minutes", "date_format", "device_ip"):
                raise HttpError(400, "unknown query parameter %s" % key[:16])
        if query.get("since"):
            self.since = parse_time(query["since"], "since")
        if query.get("until"):
            self.until = parse_time(query["until"], "until", True)
        if self.since is not None and self.until is not None and self.until < self.since:
            raise HttpError(400, "until is before since")
        seq = query.get("seq")
        if seq:
            first, dash, last = seq.partition("-")
            if not first and not last:
                raise HttpError(400, "seq: expected A-B, A-, -B or A")
            self.first = digits(first, "seq") if first else 1
            self.last = (digits(last, "seq") if last else None) if dash else self.first
            if self.last is not None and self.last < self.first:
                raise HttpError(400, "seq: the range ends before it starts")

    def __call__(self, record):
        seq = record["seq"]
        t = record["time_us"]
        return (seq >= self.first and (self.last is None or seq <= self.last)
                and (self.since is None or t >= self.since) and (self.until is None or t <= self.until))
