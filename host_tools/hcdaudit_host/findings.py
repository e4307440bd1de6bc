"""A conformance finding: rule id, level, text, hint, where, the offending slice."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LEVEL_ORDER", "E", "Finding", "I", "W"]

E, W, I = "E", "W", "I"
LEVEL_ORDER = {E: 0, W: 1, I: 2}


@dataclass
class Finding:
    rule: str
    level: str
    text: str
    hint: str = ""
    file: str | None = None
    line: int | None = None
    message: int | None = None        # 1-based message number across the inputs
    slice: dict | None = None
    count: int = 1

    @property
    def where(self) -> str:
        if self.line is None:
            return self.file or "stream"
        return f"{self.file}:{self.line}"

    def as_dict(self) -> dict:
        return {"rule": self.rule, "level": self.level, "where": self.where, "file": self.file, "line": self.line,
                "message": self.message, "text": self.text, "slice": self.slice, "hint": self.hint,
                "count": self.count}
