# The canonical audit record: a deterministic CBOR map with small integer keys.
# FAU_GEN.1.2 contents: date/time, event type, subject identity, outcome, and
# the event's additional items.
from hcdaudit import cbor

try:
    from micropython import const
except ImportError:
    def const(x):
        return x

SEQ = const(0)
TIME = const(1)
EVENT = const(2)
OUTCOME = const(3)
SUBJECT = const(4)
INTERFACE = const(5)
REMOTE_HOST = const(6)
ITEMS = const(7)

# Byte limits of the record-level text fields (items have theirs in the catalog).
LIMITS = {"interface": 16, "remote_host": 45, "user_id": 32, "name": 64, "role": 32}

# Subject list layout: [kind, user_id, name, role]
SUBJECT_FIELDS = ("kind", "user_id", "name", "role")


class RecordError(ValueError):
    pass


# A faster encoder a host HAL may offer (hal/cpython.py): it fills the writer with
# exactly these bytes and returns the view, or cbor.NOT_SURE for anything it
# cannot prove it encodes identically; then this encoder runs.
_accelerated = [None]


def use_accelerator(fn):
    """Install (or, with None, remove) the host's exact record encoder; returns the previous one."""
    previous = _accelerated[0]
    _accelerated[0] = fn
    return previous


def encode_into(writer, seq, time_us, event, outcome, subject, interface, remote_host, items):
    """Encode into a reused cbor.Writer; returns a memoryview of the record.
    Keys are written in ascending order, which is the deterministic order."""
    fast = _accelerated[0]
    if fast is not None:
        view = fast(writer, seq, time_us, event, outcome, subject, interface, remote_host, items)
        if view is not cbor.NOT_SURE:
            return view
    writer.reset()
    writer.head(5, 5 + (1 if interface else 0) + (1 if remote_host else 0) + (1 if items else 0))
    writer.head(0, SEQ)
    writer.int(seq)
    writer.head(0, TIME)
    writer.int(time_us)
    writer.head(0, EVENT)
    writer.int(event)
    writer.head(0, OUTCOME)
    writer.int(outcome)
    writer.head(0, SUBJECT)
    writer.value(subject)
    if interface:
        writer.head(0, INTERFACE)
        writer.text(interface)
    if remote_host:
        writer.head(0, REMOTE_HOST)
        writer.text(remote_host)
    if items:
        writer.head(0, ITEMS)
        writer.map(items)
    return writer.view()


# log()'s path: the same bytes as encode_into(), from catalog.prepare()'s
# [event code, outcome code, subject list, items map, interface, remote
# host], whose values it has checked; in steps of few locals (MicroPython heap-allocates the frame of a
# function with more than ~11 locals and stack slots).
def encode_prepared(writer, seq, time_us, prepared):
    """encode_into() of a catalog.prepare_call() result; returns a memoryview of the record."""
    if _accelerated[0] is not None:
        view = _accelerated[0](writer, seq, time_us, prepared[0], prepared[1], prepared[2], prepared[4],
                               prepared[5], prepared[3])
        if view is not cbor.NOT_SURE:
            return view
    writer.reset()
    writer.head(5, _field_count(prepared))
    _encode_fixed(writer, seq, time_us, prepared)
    _encode_subject(writer, prepared[2])
    _encode_optional(writer, prepared)
    return writer.view()


def _field_count(prepared):
    return 5 + (1 if prepared[4] else 0) + (1 if prepared[5] else 0) + (1 if prepared[3] else 0)


def _encode_fixed(writer, seq, time_us, prepared):
    writer.head(0, SEQ)
    writer.int(seq)
    writer.head(0, TIME)
    writer.int(time_us)
    writer.head(0, EVENT)
    writer.int(prepared[0])
    writer.head(0, OUTCOME)
    writer.int(prepared[1])


def _encode_subject(writer, subject):
    writer.head(0, SUBJECT)
    writer.head(4, 4)
    writer.int(subject[0])
    writer.text(subject[1])
    writer.text(subject[2])
    writer.text(subject[3])


def _encode_optional(writer, prepared):
    if prepared[4]:
        writer.head(0, INTERFACE)
        writer.text(prepared[4])
    if prepared[5]:
        writer.head(0, REMOTE_HOST)
        writer.text(prepared[5])
    if prepared[3]:
        writer.head(0, ITEMS)
        writer.uint_map(prepared[3])


def encode(seq, time_us, event, outcome, subject, interface, remote_host, items):
    writer = cbor.Writer(128, True)
    return bytes(encode_into(writer, seq, time_us, event, outcome, subject, interface, remote_host, items))


def _expect(value, kind, field):
    if not isinstance(value, kind) or value is True or value is False:
        raise RecordError("record field %s has the wrong type" % field)
    return value


def decode(buf):
    """Decode a record into the dict the host tools and formatters use."""
    try:
        body = cbor.loads(buf)
    except cbor.CBORError as exc:
        raise RecordError("record is not valid CBOR: %s" % exc)
    if not isinstance(body, dict):
        raise RecordError("record is not a map")
    for key in (SEQ, TIME, EVENT, OUTCOME, SUBJECT):
        if key not in body:
            raise RecordError("record lacks field %d" % key)
    subject = _expect(body[SUBJECT], list, "subject")
    if len(subject) != 4:
        raise RecordError("record subject must have 4 fields")
    items = _expect(body.get(ITEMS, {}), dict, "items")
    for code in items:
        _expect(code, int, "item code")
    return {
        "seq": _expect(body[SEQ], int, "seq"),
        "time_us": _expect(body[TIME], int, "time"),
        "event": _expect(body[EVENT], int, "event"),
        "outcome": _expect(body[OUTCOME], int, "outcome"),
        "subject": subject,
        "interface": body.get(INTERFACE),
        "remote_host": body.get(REMOTE_HOST),
        "items": items,
    }
