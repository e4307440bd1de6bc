"""The device's formatter under hostile input, checked by the host's own RFC 5424
parser: whatever a controller logs, the message stays within 2048 octets, is
valid UTF-8 without control octets, parses, and carries every value exactly
(up to the replacement of control characters and the marked truncation)."""
from __future__ import annotations

from hypothesis import event, given, settings, strategies as st

from hcdaudit import catalog
from hcdaudit.syslog import Formatter
from hcdaudit_host.syslog_verify import parse_message

UUID = "urn:uuid:b52a247b-c2de-4224-803c-ccf67ded7c84"
T0 = 1795392000 * 1000000
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=70)


def clean(value: str) -> str:
    """What the device promises to carry: control characters shown as U+FFFD."""
    return "".join("\ufffd" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in value)


@settings(max_examples=150, deadline=None)
@given(user=text, host=text, setting=text, old=text, new=text, seq=st.integers(1, 2**40),
       advised=st.sampled_from([480, 2048]))
def test_any_record_formats_within_limits_and_parses(user, host, setting, old, new, seq, advised):
    try:
        code, outcome, subject, items = catalog.prepare("setting_change", user or "admin", None, "web",
                                                        host or None,
                                                        {"setting": setting or "x", "old_value": old,
                                                         "new_value": new})
    except catalog.CatalogError:
        event("refused by the catalog")
        return     # refused by the catalog with a clear error: nothing to format
    record = {"seq": seq, "time_us": T0, "event": code, "outcome": outcome, "subject": subject,
              "interface": "web", "remote_host": host or None, "items": items}
    message = bytes(Formatter("printer.example.com", UUID, "ipp://printer.example.com/ipp",
                              advised=advised).format(record))
    assert len(message) <= 2048
    message.decode("utf-8")
    assert all(b >= 0x20 and b != 0x7F for b in message)
    parsed = parse_message(message)
    ids = [e.sd_id for e in parsed.elements]
    assert ids == ["PWG", "hcdaudit@32473"]
    private = {p.name: p.value for p in parsed.elements[1].params}
    assert private["seq"] == str(seq)
    for name, value in (("setting", items.get(catalog.item_code("setting"))),
                        ("old_value", items.get(catalog.item_code("old_value"))),
                        ("new_value", items.get(catalog.item_code("new_value")))):
        if value:
            assert private[name] == clean(value), name
    if parsed.msg is not None:
        assert parsed.msg.startswith(b"\xef\xbb\xbf")
