"""Decoded records as the host tools present them: names instead of codes."""
from __future__ import annotations

from typing import Any

from hcdaudit import catalog
from hcdaudit.timefmt import rfc3339


def _name(lookup: str, code: int, fallback: str) -> str:
    fn = getattr(catalog, lookup, None)
    try:
        return fn(code) if fn else f"{fallback}{code}"
    except (KeyError, ValueError, IndexError):
        return f"{fallback}{code}"


def to_json(record: dict) -> dict[str, Any]:
    kind, user_id, name, role = record["subject"]
    items = {}
    for code in sorted(record["items"]):
        value = record["items"][code]
        items[_name("item_name", code, "item")] = value.hex() if isinstance(value, bytes) else value
    return {
        "seq": record["seq"],
        "time": rfc3339(record["time_us"]),
        "event": _name("event_name", record["event"], "event"),
        "event_code": record["event"],
        "outcome": _name("outcome_name", record["outcome"], "outcome"),
        "subject": {"kind": _name("subject_kind_name", kind, "kind"), "user_id": user_id,
                    "name": name, "role": role},
        "interface": record["interface"],
        "remote_host": record["remote_host"],
        "items": items,
        "chain": record["chain"].hex() if "chain" in record else None,
    }
