"""What rules produce and observers see: violations and events, as plain data."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Violation:
    """`{rule, severity, path, line?, message}`; rule ids are stable and dotted."""

    rule: str
    message: str
    severity: str = "error"
    path: str | None = None
    line: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.rule, str) or not self.rule:
            raise ValueError(f"a violation needs a rule id, not {self.rule!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        if self.line is not None and (
            isinstance(self.line, bool) or not isinstance(self.line, int)
        ):
            raise ValueError(f"line must be a number, not {self.line!r}")

    def at(self, severity: str) -> Violation:
        """The same finding at another level."""
        return self if severity == self.severity else replace(self, severity=severity)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True)
class Event:
    """One thing that happened to a feature (start, checkpoint, validate, promote, revert,
    remove), offered to observer plugins."""

    kind: str
    feature: str
    data: dict[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)
