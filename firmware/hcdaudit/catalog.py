# The event catalog: validates and normalises a log() call against the one
# canonical event set (catalog_data.py), and answers look-ups for decoders
# and export formats. Vendor ID schemes live in catalog_vendor.py, imported
# only by the look-ups that need them.
#
# Heap taken by importing it under MicroPython (unix port 1.29, 64-bit: MCU
# objects are about 2/3 of that), from .mpy in a ROMFS image (bytecode and
# constant strings stay in flash, as frozen): catalog + catalog_data + subject
# + text 13,184 B (38,272 B when the tables were tuples of strings);
# catalog_vendor (exports only) 68,224 B. The log() path and the syslog
# formatter import only catalog, catalog_data and subject.
from hcdaudit import subject as subject_module
from hcdaudit import text
from hcdaudit.catalog_data import (
    ACTOR,
    CATEGORIES,
    E_CODE,
    E_ITEMS,
    E_NAME,
    E_OUTCOMES,
    E_PP,
    E_PWG,
    E_REQUIRED,
    E_SEVERITY,
    E_STATE,
    E_SUBJECT,
    EVENTS,
    FAILED_OUTCOMES,
    ITEMS,
    OUTCOMES,
    SYSTEM_ONLY,
    parse_event,
)

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

# Largest sealed plaintext in one NVRAM slot: 512-byte slot, 30-byte header,
# 16-byte CCM tag. Every record must fit, whatever its items.
MAX_RECORD_BYTES = const(466)
# Worst-case bytes of a record besides subject, interface, remote_host and
# items: map head 1, seq 1+9, time 1+9, event 1+3, outcome 1+1, subject key 1,
# items key 1 + map head 2.
_FIXED_BYTES = const(30)
# Bytes for the subject, interface, remote host and items (the room _room() counts from).
_ROOM = const(434)      # MAX_RECORD_BYTES - _FIXED_BYTES - 2
# An item cut to fit the record keeps at least this much of its text.
_MIN_CUT_BYTES = const(8)

INTERFACE_BYTES = const(16)
REMOTE_HOST_BYTES = const(45)   # the Fuji Xerox host limit

_TEXT = "t"
_UINT = "u"


class CatalogError(ValueError):
    pass


# ---------------------------------------------------------------- look-ups

# The rows looked up lately, newest first: a device logs a handful of event
# kinds over and over, and formatting a record asks for its event several
# times; a row parsed again each time would be garbage per record.
_ROW_CACHE = const(8)
_rows = []
ITEM_COUNT = ITEMS.count("\n")
_item_names = {}     # code: name of the items named lately (at most _ITEM_CACHE)


def _line(table, pos):
    """The line of `table` whose leading newline is at pos."""
    end = table.find("\n", pos + 1)
    return table[pos + 1:end if end >= 0 else len(table)]


def _parsed(pos):
    row = parse_event(_line(EVENTS, pos))
    if len(_rows) >= _ROW_CACHE:
        _rows.pop()
    _rows.insert(0, row)
    return row


def _cached_row(column, value):
    for row in _rows:
        if row[column] == value:
            return row
    return None


def _row(code):
    row = _cached_row(E_CODE, code)
    if row is not None:
        return row
    if isinstance(code, int) and 0 <= code < 0x10000:
        key = "|%04x|" % code
        pos = EVENTS.find(key)
        while pos >= 0:
            start = EVENTS.rfind("\n", 0, pos)
            if EVENTS.find("|", start) == pos:    # the code column, not a later one
                return _parsed(start)
            pos = EVENTS.find(key, pos + 1)
    raise CatalogError("unknown event code %d" % code if isinstance(code, int) else "unknown event %r" % (code,))


def _row_named(name):
    row = _cached_row(E_NAME, name)
    if row is not None:
        return row
    if isinstance(name, str) and "|" not in name and "\n" not in name:
        pos = EVENTS.find("\n" + name + "|")
        if pos >= 0:
            return _parsed(pos)
    raise CatalogError("unknown event '%s'" % name)


def _event_row(event):
    if isinstance(event, str):
        return _row_named(event)
    if isinstance(event, int) and event is not True and event is not False:
        return _row(event)
    raise CatalogError("event must be a name or a code, got %s" % type(event).__name__)


_item_cache = {}     # name: (code, type, limit) of the items looked up lately (at most _ITEM_CACHE)
_ITEM_CACHE = const(16)


def _item(name):
    """(code, type, limit) of an item: its line in ITEMS is "name type limit"."""
    found = _item_cache.get(name) if isinstance(name, str) else None
    if found is not None:
        return found
    return _find_item(name)


def _find_item(name):
    if isinstance(name, str) and " " not in name and "\n" not in name:
        pos = ITEMS.find("\n" + name + " ")
        if pos >= 0:
            kind_at = pos + len(name) + 2
            end = ITEMS.find("\n", kind_at)
            found = (ITEMS.count("\n", 0, pos + 1), ITEMS[kind_at],
                     int(ITEMS[kind_at + 2:end if end > 0 else len(ITEMS)]))
            if len(_item_cache) >= _ITEM_CACHE:
                _item_cache.clear()
            _item_cache[name] = found
            return found
    raise CatalogError("unknown item '%s'" % name)


def event_names():
    """Every canonical event name, in code order."""
    return tuple(line[:line.find("|")] for line in EVENTS[1:].split("\n"))


def event_code(name):
    return _row_named(name)[E_CODE]


def event_name(code):
    return _row(code)[E_NAME]


def item_code(name):
    return _item(name)[0]


def item_name(code):
    name = _item_names.get(code) if isinstance(code, int) else None
    if name is not None:
        return name
    if isinstance(code, int) and 1 <= code <= ITEM_COUNT:
        pos = -1
        for _ in range(code):
            pos = ITEMS.find("\n", pos + 1)
        name = ITEMS[pos + 1:ITEMS.find(" ", pos)]
        if len(_item_names) >= _ITEM_CACHE:
            _item_names.clear()
        _item_names[code] = name
        return name
    raise CatalogError("unknown item code %r" % (code,))


def item_label(code):
    """An item's name; an unknown code (a newer firmware) as `itemN`."""
    try:
        return item_name(code)
    except CatalogError:
        return "item%d" % code


def item_type(name):
    """'text' or 'uint'."""
    return "text" if _item(name)[1] == _TEXT else "uint"


def item_limit(name):
    """Text: maximum UTF-8 bytes; uint: width in bytes."""
    return _item(name)[2]


def outcome_code(name):
    if name in OUTCOMES:
        return OUTCOMES.index(name)
    raise CatalogError("unknown outcome '%s'" % name)


def outcome_name(code):
    if isinstance(code, int) and 0 <= code < len(OUTCOMES):
        return OUTCOMES[code]
    raise CatalogError("unknown outcome code %r" % (code,))


def outcome_failed(code):
    return outcome_name(code) in FAILED_OUTCOMES


def subject_kind_name(kind):
    return subject_module.kind_name(kind)


def event_items(event):
    return _event_row(event)[E_ITEMS]


def required_items(event):
    row = _event_row(event)
    return row[E_ITEMS][:row[E_REQUIRED]]


def event_outcomes(event):
    return _event_row(event)[E_OUTCOMES]


def subject_rule(event):
    """'system', 'actor' or 'any'."""
    return ("system", "actor", "any")[_event_row(event)[E_SUBJECT]]


def category(event):
    """The event class, named as the Fuji Xerox Logged Events column does."""
    return CATEGORIES[_event_row(event)[E_CODE] >> 8]


def pwg_name(event):
    return _event_row(event)[E_PWG]


def pwg_state(event):
    """PWG <service>State for service messages, '' when the event says nothing about it."""
    return _event_row(event)[E_STATE]


def pp_requirement(event):
    return _event_row(event)[E_PP]


def severity(event, outcome=None):
    """Syslog severity: the event's own (3, 4 or 6); a failed outcome of an
    informational event is a warning (PWG 5110.3: 3/4 for failures)."""
    base = _event_row(event)[E_SEVERITY]
    if base == 6 and outcome is not None:
        name = outcome if isinstance(outcome, str) else outcome_name(outcome)
        if name in FAILED_OUTCOMES:
            return 4
    return base


# ---------------------------------------------------------------- vendor IDs

def _selector_matches(selector, event_items_by_name, subject_list, outcome):
    for condition in selector.split(";"):
        key, _, want = condition.partition("=")
        if key == "kind":
            have = subject_module.kind_name(subject_list[0]) if subject_list else None
        elif key == "outcome":
            have = outcome
        else:
            have = event_items_by_name.get(key)
            if have is not None and not isinstance(have, str):
                have = str(have)
        if have != want:
            return False
    return True


def vendor_id(scheme, record):
    """(vendor ID, vendor text, status override) of a decoded record in one
    scheme ("xerox", "x101", "fx", "km"), or None when the scheme has no ID
    for the event."""
    from hcdaudit.catalog_vendor import ROWS
    name = event_name(record["event"])
    items = {}
    for code in record.get("items") or {}:
        try:
            items[item_name(code)] = record["items"][code]
        except CatalogError:
            pass
    outcome = OUTCOMES[record["outcome"]] if 0 <= record["outcome"] < len(OUTCOMES) else None
    default = None
    for row in ROWS:
        if row[0] != scheme or row[3] != name:
            continue
        if row[4]:
            if _selector_matches(row[4], items, record.get("subject"), outcome):
                return row[1], row[2], row[5]
        elif default is None:
            default = (row[1], row[2], row[5])
    return default


def vendor_event(scheme, vendor_id_value, vendor_text=None):
    """The canonical event a vendor ID (and text, for the class-coded schemes)
    maps to, or None."""
    from hcdaudit.catalog_vendor import ROWS
    for row in ROWS:
        if row[0] == scheme and row[1] == vendor_id_value and (vendor_text is None or row[2] == vendor_text):
            return row[3]
    return None


# ---------------------------------------------------------------- validation

def _text_size(n):
    return n + (1 if n < 24 else 2 if n < 256 else 3)


def _uint_size(v):
    return 1 if v < 24 else 2 if v < 0x100 else 3 if v < 0x10000 else 5 if v < 0x100000000 else 9


def _entry_size(code, value):
    key = 1 if code < 24 else 2
    if isinstance(value, str):
        return key + _text_size(text.utf8_len(value))
    return key + _uint_size(value)


def _check_text(row, field, value):
    if value is not None and not isinstance(value, str):
        raise CatalogError("%s: %s must be text, got %s" % (row[E_NAME], field, type(value).__name__))


def _normalised(name, value):
    try:
        return subject_module.normalise(value)
    except subject_module.SubjectError as exc:
        raise CatalogError("%s: %s" % (name, exc))


def _subject(row, value):
    if value is None or (isinstance(value, str) and value):
        value = subject_module.normalise(value)     # the system, or a user by ID: cannot fail
    else:
        value = _normalised(row[E_NAME], value)
    _check_subject_rule(row, value)
    return value


def _check_subject_rule(row, subject_list):
    kind = subject_list[0]
    rule = row[E_SUBJECT]
    if rule == SYSTEM_ONLY and kind != subject_module.SYSTEM:
        raise CatalogError("%s: subject must be the system, got %s '%s'"
                           % (row[E_NAME], subject_module.kind_name(kind), subject_list[1]))
    if rule == ACTOR:
        if kind == subject_module.SYSTEM:
            raise CatalogError("%s: subject must identify who did it, got the system" % row[E_NAME])
        if kind == subject_module.USER and not subject_list[1]:
            raise CatalogError("%s: subject user_id is required" % row[E_NAME])


def _item_size(code, value, cap):
    """Encoded bytes of one item, its text capped at cap bytes (0: no cap)."""
    if isinstance(value, str):
        n = text.utf8_len(value)
        return (1 if code < 24 else 2) + _text_size(n if n < cap or not cap else cap)
    return _entry_size(code, value)


def _items_size(items_map, cap):
    size = 0
    for code in items_map:
        size += _item_size(code, items_map[code], cap)
    return size


def _fit(row, items_map, room):
    """Cap the text items at one common length until they fit in `room` bytes:
    each item may reach its own (vendor) limit, but not all of them at once,
    and the cut falls on the longest values first."""
    if _items_size(items_map, 0) <= room:
        return
    _cut(row[E_NAME], items_map, room)


def _cut(event, items_map, room):
    longest = 0
    for code in items_map:
        if isinstance(items_map[code], str):
            longest = max(longest, text.utf8_len(items_map[code]))
    if _items_size(items_map, _MIN_CUT_BYTES) > room:
        raise CatalogError("%s: items do not fit in one record" % event)
    low, high = _MIN_CUT_BYTES, longest      # size(low) fits, size(high) does not
    while high - low > 1:
        middle = (low + high) // 2
        if _items_size(items_map, middle) <= room:
            low = middle
        else:
            high = middle
    for code in sorted(items_map):
        value = items_map[code]
        if isinstance(value, str):
            items_map[code] = text.truncate(value, low)


def prepare(event, subject, outcome, interface, remote_host, items):
    """Validate one log() call; return (event_code, outcome_code, subject_list, items_map)."""
    call = [event, subject, outcome, interface, remote_host, items]
    prepare_call(call)
    return call[0], call[1], call[2], call[3]


def prepare_call(call):
    """prepare() in place, for log(): call = [event, subject, outcome,
    interface, remote_host, items] becomes [event code, outcome code, subject
    list, items map, interface, remote host], the last two cut to their
    limits (what record.encode_prepared() encodes)."""
    # Few locals and shallow calls: MicroPython heap-allocates, per call, the
    # frame of a function with more than ~11 locals and stack slots.
    row = _event_row(call[0])
    call[2] = _outcome(row, call[2])
    call[1] = _subject(row, call[1])
    _check_text(row, "interface", call[3])
    _check_text(row, "remote_host", call[4])
    call[5] = _items(row, call[5])
    if _bound(call[1], call[3], call[4]) + _items_bound(call[5]) > _ROOM:
        _fit(row, call[5], _room(call[1], call[3], call[4]))
    call[0] = row[E_CODE]
    call[2], call[1] = call[1], outcome_code(call[2])
    call[3], call[4], call[5] = call[5], _cut_text(call[3], INTERFACE_BYTES), _cut_text(call[4], REMOTE_HOST_BYTES)


def _cut_text(value, limit):
    return value if value is None else text.truncate(value, limit)


def _outcome(row, outcome):
    allowed = row[E_OUTCOMES]
    if outcome is None:
        return allowed[0]
    if outcome not in allowed:
        raise CatalogError("%s: outcome '%s' is not allowed (allowed: %s)"
                           % (row[E_NAME], outcome, ", ".join(allowed)))
    return outcome


def _items(row, items):
    """The items of a log() call as {item code: value}, each checked and truncated."""
    if not isinstance(items, dict):
        raise CatalogError("%s: items must be a dict" % row[E_NAME])
    items_map = {}
    for item in items:
        _add_item(row, items_map, item, items[item])
    _check_required(row, items_map)
    return items_map


def _check_required(row, items_map):
    names = row[E_ITEMS]
    for i in range(row[E_REQUIRED]):
        if item_code(names[i]) not in items_map:
            raise CatalogError("%s: item '%s' is required" % (row[E_NAME], names[i]))


def _add_item(row, items_map, item, value):
    if item not in row[E_ITEMS]:
        _not_an_item_of(row, item)
    if value is None:
        return   # an absent optional item, as if not given
    item = _item(item)      # (code, kind, limit) from here on
    if item[1] == _TEXT:
        items_map[item[0]] = _text_item(row, item, value)
    else:
        items_map[item[0]] = _uint_item(row, item, value)


def _text_item(row, item, value):
    if not isinstance(value, str):
        raise CatalogError("%s: item '%s' must be text, got %s"
                           % (row[E_NAME], item_name(item[0]), type(value).__name__))
    return text.truncate(value, item[2])


def _uint_item(row, item, value):
    if not isinstance(value, int) or value is True or value is False:
        raise CatalogError("%s: item '%s' must be an unsigned int, got %s"
                           % (row[E_NAME], item_name(item[0]), type(value).__name__))
    if value < 0 or value >= 1 << (8 * item[2]):
        raise CatalogError("%s: item '%s' out of range: %d (0 .. 2**%d-1)"
                           % (row[E_NAME], item_name(item[0]), value, 8 * item[2]))
    return value


def _not_an_item_of(row, item):
    name = row[E_NAME]
    if not isinstance(item, str):
        raise CatalogError("%s: item names must be text, got %s" % (name, type(item).__name__))
    try:
        _item(item)
    except CatalogError:
        raise CatalogError("%s: unknown item '%s'" % (name, item))
    raise CatalogError("%s: item '%s' does not belong to this event (items: %s)"
                       % (name, item, ", ".join(row[E_ITEMS]) or "none"))


def _bound(subject_list, interface, remote_host):
    """An upper bound of what _room() takes away, from lengths alone (a code
    point is at most 4 bytes): most records fit by far, and this costs no
    UTF-8 view of any text."""
    size = _text_bound(subject_list[1]) + _text_bound(subject_list[2]) + _text_bound(subject_list[3])
    if interface:
        size += 1 + _text_bound(interface)
    if remote_host:
        size += 1 + _text_bound(remote_host)
    return size


def _text_bound(value):
    return _text_size(4 * len(value))


def _items_bound(items_map):
    size = 0
    for code in items_map:
        size += _item_bound(items_map, code)
    return size


def _item_bound(items_map, code):
    if isinstance(items_map[code], str):
        return (1 if code < 24 else 2) + _text_bound(items_map[code])
    return _entry_size(code, items_map[code])


def _room(subject_list, interface, remote_host):
    """Bytes left for the items once everything else of the record is counted."""
    room = MAX_RECORD_BYTES - _FIXED_BYTES - 2
    room -= _text_size(text.utf8_len(subject_list[1]))
    room -= _text_size(text.utf8_len(subject_list[2]))
    room -= _text_size(text.utf8_len(subject_list[3]))
    if interface:
        room -= 1 + _text_size(text.utf8_len(text.truncate(interface, INTERFACE_BYTES)))
    if remote_host:
        room -= 1 + _text_size(text.utf8_len(text.truncate(remote_host, REMOTE_HOST_BYTES)))
    return room
