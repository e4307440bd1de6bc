# HAL for CPython (host simulator): AES from `cryptography`, os.urandom, time.
import hashlib
import os
import re
import struct
import time
from hmac import compare_digest

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM

try:
    import cbor2 as _cbor2
except ImportError:         # the simulator runs without it, on the strict decoder
    _cbor2 = None

from hcdaudit import cbor as _cbor
from hcdaudit import reader as _reader
from hcdaudit import record as _record

_ZERO_IV = bytes(16)
_TAG_SIZE = 16


class Aes:
    """AES block function writing into caller buffers (len(dst) >= len(src) + 15),
    and whole-message CCM (ccm_seal / ccm_open) from `cryptography`: the same
    bytes as hcdaudit/ccm.py builds from the block function, at C speed."""

    def __init__(self, key):
        key = bytes(key)
        self.key = key          # (the host verifier's C loops open records under it: hcdaudit_host/fastverify.py)
        self._algorithm = algorithms.AES(key)
        self._ecb = Cipher(self._algorithm, modes.ECB()).encryptor()   # stateless: reused
        self._ccm = AESCCM(key, _TAG_SIZE)

    def ecb(self, src, dst):
        self._ecb.update_into(src, dst)

    def cbc(self, src, dst):
        Cipher(self._algorithm, modes.CBC(_ZERO_IV)).encryptor().update_into(src, dst)

    def ccm_seal(self, nonce, aad, plaintext):
        """ciphertext || 16-byte tag, as bytes."""
        return self._ccm.encrypt(bytes(nonce), bytes(plaintext), bytes(aad) if aad else None)

    def ccm_open(self, nonce, aad, sealed):
        """The plaintext as bytes, or None when the tag does not verify."""
        try:
            return self._ccm.decrypt(bytes(nonce), bytes(sealed), bytes(aad) if aad else None)
        except InvalidTag:
            return None


_LIMIT = 0x10000000000000000             # CBOR integers: -2**64 .. 2**64 - 1
_SCALARS = frozenset((str, bytes, bool, type(None)))


def _plain(obj, depth):
    """Whether obj holds only what cbor.py decodes (int in range, text, bytes,
    bool, None, lists, maps with unsigned-int keys in ascending order), at most
    12 deep. For such a value cbor2's encoding is exactly cbor.py's deterministic
    one; anything else is left to the strict decoder (a doubt costs only time).
    Scalars are checked in the loops, not by a call per value: this runs once
    per record a verification reads."""
    kind = type(obj)
    if kind is dict:
        previous = -1
        for key in obj:
            if type(key) is not int or key <= previous or key >= _LIMIT:
                return False
            previous = key
        return _plain_values(obj.values(), depth)
    if kind is list:
        return _plain_values(obj, depth)
    if kind is int:
        return -_LIMIT <= obj < _LIMIT
    return kind in _SCALARS


def _plain_values(values, depth):
    """_plain of each of a container's values, scalars checked in the loop."""
    for value in values:
        kind = type(value)
        if kind is int:
            if not -_LIMIT <= value < _LIMIT:
                return False
        elif kind not in _SCALARS and (depth >= 12 or not _plain(value, depth + 1)):
            return False
    return True


def cbor_loads(buf):
    """cbor2 (C) decoding, accepted only when the value is plain and encoding it
    again gives back exactly buf (shortest heads, definite lengths, no duplicate
    key, no trailing byte; key order is checked by _plain): then cbor.py's
    strict decoder would return the same value. Anything else (non-canonical,
    other types, bad input) is left to the strict decoder: same verdicts, same
    errors."""
    data = bytes(buf)
    try:
        obj = _cbor2.loads(data)
        if _plain(obj, 0) and _cbor2.dumps(obj) == data:
            return obj
    except Exception:  # noqa: BLE001, S110 (cbor2 raises many kinds; the strict decoder says what is wrong)
        pass
    return _cbor.NOT_SURE


_SEQ, _TIME, _EVENT, _OUTCOME, _SUBJECT = _record.SEQ, _record.TIME, _record.EVENT, _record.OUTCOME, _record.SUBJECT
_INTERFACE, _REMOTE_HOST, _ITEMS = _record.INTERFACE, _record.REMOTE_HOST, _record.ITEMS


# The key sequences of a record map: SEQ..SUBJECT, then any of INTERFACE,
# REMOTE_HOST, ITEMS, ascending (a record with other keys is left to record.decode).
_RECORD_KEYS = frozenset(tuple([_SEQ, _TIME, _EVENT, _OUTCOME, _SUBJECT] +
                               [key for bit, key in enumerate((_INTERFACE, _REMOTE_HOST, _ITEMS)) if mask >> bit & 1])
                         for mask in range(8))
_INT_ONLY = frozenset((int,))


def record_loads(buf):
    """record.decode(buf) for a record cbor_loads would accept and whose fields
    have the types record.decode requires; NOT_SURE otherwise (record.decode
    then decides, with its own error). The same dict, built without a call per
    field: this runs once per record a verification reads. _plain's checks, in
    the record's shape: its keys are one of _RECORD_KEYS (ascending, unique)."""
    data = bytes(buf)
    try:
        body = _cbor2.loads(data)
    except Exception:  # noqa: BLE001 (cbor2 raises many kinds; the strict decoder says what is wrong)
        return _cbor.NOT_SURE
    # (cbor2's simple values compare equal to ints: the key types are checked too)
    if type(body) is not dict or tuple(body) not in _RECORD_KEYS or not _INT_ONLY.issuperset(map(type, body)):
        return _cbor.NOT_SURE
    get = body.get
    seq, time_us, event, outcome, subject = body[_SEQ], body[_TIME], body[_EVENT], body[_OUTCOME], body[_SUBJECT]
    interface, remote_host, items = get(_INTERFACE), get(_REMOTE_HOST), get(_ITEMS, {})
    # type() is: bool (an int subclass) must not pass for int, as in record._expect.
    if type(seq) is not int or type(time_us) is not int or type(event) is not int or \
            type(outcome) is not int or type(subject) is not list or len(subject) != 4 or type(items) is not dict:
        return _cbor.NOT_SURE
    if not (-_LIMIT <= seq < _LIMIT and -_LIMIT <= time_us < _LIMIT and -_LIMIT <= event < _LIMIT and
            -_LIMIT <= outcome < _LIMIT) or not _plain(subject, 1) or not _plain(items, 1) or \
            (type(interface) not in _SCALARS and not _plain(interface, 1)) or \
            (type(remote_host) not in _SCALARS and not _plain(remote_host, 1)) or _cbor2.dumps(body) != data:
        return _cbor.NOT_SURE
    return {"seq": seq, "time_us": time_us, "event": event, "outcome": outcome, "subject": subject,
            "interface": interface, "remote_host": remote_host, "items": items}


_ENTRY_HEADER = struct.Struct(">IIIH")      # seal.py: seq, epoch, salt, sealed length
_ENTRY_HEADER_SIZE, _MAC_SIZE, _CCM_TAG_SIZE = 14, 16, 16
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))


def _mac_states(key):
    """(inner SHA-256 state with b"R" fed, outer state) of HMAC under key: seal.mac_of's."""
    padded = key + bytes(64 - len(key))
    inner = hashlib.sha256(padded.translate(_IPAD))
    inner.update(b"R")
    return inner, hashlib.sha256(padded.translate(_OPAD))


def scan_entries(data, offset, end, epoch, key, max_sealed, name, entries, make, mac_sink):
    """reader._entry_at's checks, entry after entry, for entries of `epoch` (see
    reader.use_scanner): header in bounds, sealed length in range, the whole entry
    before end, and its mac (HMAC-SHA256 under key over b"R" + header + sealed,
    truncated: seal.mac_of) equal. One tight loop, hash states copied rather than
    rebuilt (measured: faster here than hmac.digest's one-shot, which pads the key
    again per call): this runs once per record a verification reads. Stops at the
    first entry that fails any of them; the reader's exact loop judges it. The
    records are opened later, all in one loop (_RecordChecker.many): interleaving
    AES-CCM with the HMAC work here measured slower than the two loops apart."""
    if len(key) > 64 or type(data) is not bytes:
        return offset, None
    inner, outer = _mac_states(bytes(key))     # per call: no key outlives the scan
    unpack = _ENTRY_HEADER.unpack_from
    view = memoryview(data)
    append = entries.append
    inner_copy, outer_copy = inner.copy, outer.copy
    equal = compare_digest
    last_start = end - 14               # (the sizes as literals: _ENTRY_HEADER_SIZE, _MAC_SIZE, _CCM_TAG_SIZE)
    last = None
    while offset <= last_start:
        seq, entry_epoch, _salt, n = unpack(data, offset)
        if entry_epoch != epoch or not 16 <= n <= max_sealed:
            break
        sealed_end = offset + 14 + n
        stop = sealed_end + 16
        if stop > end:
            break
        h = inner_copy()
        h.update(view[offset:sealed_end])
        o = outer_copy()
        o.update(h.digest())
        mac = data[sealed_end:stop]
        if not equal(o.digest()[:16], mac):
            break
        append(make(seq, epoch, data[offset:stop], name, 0))
        mac_sink(mac)
        offset = stop
        last = seq
    return offset, last


# A record's fixed prefix as reader.record_prefix reads it: a map head (5 to 8
# entries), key 0 and the seq, key 1 and the time, key 2 and the event code, each
# integer item as cbor.py decodes it (major type 0 or 1, the shortest head: a
# one-byte argument >= 24, a two-byte one >= 2**8, four >= 2**16, eight >= 2**32).
_INT_ITEM = (rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38][\x18-\xff]|[\x19\x39][\x01-\xff].|"
             rb"[\x1a\x3a](?!\x00\x00)....|[\x1b\x3b](?!\x00\x00\x00\x00)........)")
_RECORD_PREFIX = re.compile(rb"[\xa5-\xa8]\x00(" + _INT_ITEM + rb")\x01" + _INT_ITEM + rb"\x02(" + _INT_ITEM + rb")",
                            re.DOTALL)


# _RECORD_PREFIX after the entry's 12 AAD bytes (4-byte seq, epoch, salt), its seq item
# bound to that seq (by a backreference, one alternative per shortest form a 32-bit
# seq can take: 0-23, 24-255, 256-65535, above), its event item not a given one's
# (shortest forms: equal values, equal bytes; an item's head says its length, so one
# starting with another's whole bytes is that item).
_SEQ_BOUND = (rb"(?:\x00\x00\x00([\x00-\x17]).{8}[\xa5-\xa8]\x00\1|\x00\x00\x00([\x18-\xff]).{8}[\xa5-\xa8]\x00\x18\2|"
              rb"\x00\x00([\x01-\xff].).{8}[\xa5-\xa8]\x00\x19\3|((?!\x00\x00)....).{8}[\xa5-\xa8]\x00\x1a\4)")
_seq_bound = {}


def _seq_bound_prefix(skip_event):
    """The match function of _SEQ_BOUND's expression for records whose event is not skip_event."""
    match = _seq_bound.get(skip_event)
    if match is None:
        match = _seq_bound[skip_event] = re.compile(
            _SEQ_BOUND + rb"\x01" + _INT_ITEM + rb"\x02(?!" + re.escape(_int_item_bytes(skip_event)) + rb")" + _INT_ITEM,
            re.DOTALL).match
    return match


def _int_item_bytes(value):
    """The shortest CBOR integer item of value (what _INT_ITEM matches for it)."""
    major, n = (0, value) if value >= 0 else (0x20, -1 - value)
    if n < 24:
        return bytes((major | n,))
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * width):
            return bytes((major | info,)) + n.to_bytes(width, "big")
    raise ValueError("integer out of CBOR range")


def _int_value(item):
    """The value of an integer item _INT_ITEM matched."""
    first = item[0]
    n = first & 0x1F if len(item) == 1 else int.from_bytes(item[1:], "big")
    return n if first < 0x20 else -1 - n


class _RecordChecker:
    """make_record_checker's checker: callable on one entry; many() on a list."""

    def __init__(self, cipher, max_sealed):
        self.decrypt = cipher._ccm.decrypt
        self.prefix = _RECORD_PREFIX.match
        self.not_sure = _cbor.NOT_SURE
        self.max_sealed = max_sealed
        self.events = {}        # event code item bytes -> value, for this walk

    def event_of(self, code):
        """The value of an event code item the prefix matched, kept for the walk."""
        event = _int_value(code)
        if len(self.events) < 64:        # a store has a few event kinds: their items read once
            self.events[code] = event
        return event

    def many(self, entries, seqs, skip_event):
        """The indices (ascending) of the entries whose record this checker does not
        prove to open, to have a prefix record_prefix accepts, a seq field equal to
        seqs[i] (the entry's header seq) and an event code other than skip_event:
        for every other entry self(entry) gives (seqs[i], an event other than
        skip_event). entries: bytes framed as the reader holds them (its header's
        sealed length n, 16 <= n <= max_sealed, then the mac: _entry_at, the entry
        scanner and ring.Ring.read take no other), so self's framing checks hold for
        each and are not made again. In two phases, each one tight loop over the
        same C calls (measured faster than the steps per record in turn): every
        record opened (self's nonce and AAD) with the AAD (the entry's seq, epoch and
        salt) put before it; then one regular expression per record
        (_seq_bound_prefix) that accepts exactly a prefix _RECORD_PREFIX accepts
        whose seq item is that seq and whose event item is not skip_event's."""
        match = _seq_bound_prefix(skip_event)
        decrypt = self.decrypt
        try:
            texts = [(aad := e[:12]) + decrypt((aad + aad)[4:16], e[_ENTRY_HEADER_SIZE:-_MAC_SIZE], aad)
                     for e in entries]
        except InvalidTag:          # a record that does not open: the loop again, one by one
            texts = []
            for e in entries:
                aad = e[:12]
                try:
                    texts.append(aad + decrypt((aad + aad)[4:16], e[_ENTRY_HEADER_SIZE:-_MAC_SIZE], aad))
                except InvalidTag:
                    texts.append(b"")       # (matches nothing: doubtful)
        if all(map(match, texts)):
            return []
        return [index for index in range(len(texts)) if match(texts[index]) is None]

    def __call__(self, entry):
        n = len(entry) - _ENTRY_HEADER_SIZE - _MAC_SIZE
        if n < _CCM_TAG_SIZE or n > self.max_sealed or type(entry) is not bytes or \
                (entry[12] << 8 | entry[13]) != n:
            return self.not_sure
        try:
            p = self.decrypt(entry[4:12] + entry[:4], entry[_ENTRY_HEADER_SIZE:-_MAC_SIZE], entry[:12])
        except InvalidTag:
            return self.not_sure
        found = self.prefix(p)
        if found is None:
            return self.not_sure
        item, code = found.group(1, 2)
        event = self.events.get(code)
        if event is None:
            event = self.event_of(code)
        seq = int.from_bytes(item[1:], "big") if len(item) > 1 else item[0] & 0x1F     # (_int_value, inline)
        return (seq if item[0] < 0x20 else -1 - seq), event


def make_record_checker(cipher, max_sealed):
    """A checker for verify's default walk (reader.use_checker): check(entry) gives
    (seq field, event code) of the entry's record, as the reader's _open and
    record_prefix give them, or NOT_SURE (cipher: this HAL's Aes under the
    confidentiality key). Opening: _open_native's checks and its nonce (epoch,
    salt, seq) and AAD (seq, epoch, salt) from the entry's own header, by the same
    AESCCM; the prefix by one regular expression. Anything else (a record that
    does not open, a prefix refused) is NOT_SURE: the reader decides it."""
    if not isinstance(cipher, Aes):
        return None             # another HAL's cipher: the reader's own path
    return _RecordChecker(cipher, max_sealed)


def record_encode_into(writer, seq, time_us, event, outcome, subject, interface, remote_host, items):
    """record.encode_into by cbor2 (C): the same bytes into the same cbor.Writer,
    for a record _plain accepts (then cbor2's encoding of the map built in
    ascending key order is cbor.py's deterministic one) that fits the writer
    with room to spare;
    NOT_SURE otherwise, and record.encode_into's own encoder runs (and raises
    what it raises)."""
    body = {_SEQ: seq, _TIME: time_us, _EVENT: event, _OUTCOME: outcome, _SUBJECT: subject}
    if interface:
        body[_INTERFACE] = interface
    if remote_host:
        body[_REMOTE_HOST] = remote_host
    try:
        if items:
            if type(items) is not dict:
                return _cbor.NOT_SURE
            body[_ITEMS] = {code: items[code] for code in sorted(items)}
        if not _plain(body, 0):
            return _cbor.NOT_SURE
        data = _cbor2.dumps(body)
    except Exception:  # noqa: BLE001 (keys that do not sort, text that does not encode: the firmware's encoder says)
        return _cbor.NOT_SURE
    n = len(data)
    buf = writer.buf
    if n + 9 > len(buf):
        # cbor.Writer asks room for a 9-byte head before any long one: near its
        # end it refuses some encodings that would fit. Such a record is its call.
        return _cbor.NOT_SURE
    buf[:n] = data
    writer.pos = n
    return writer.view()


def random(n):
    return os.urandom(n)


def now_us():
    return time.time_ns() // 1000


if _cbor2 is not None:
    _cbor.use_accelerator(cbor_loads)
    _reader.use_accelerator(record_loads)
    _record.use_accelerator(record_encode_into)
_reader.use_scanner(scan_entries)
_reader.use_checker(make_record_checker)
