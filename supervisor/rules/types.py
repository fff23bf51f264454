"""What rules produce and observers see: violations and events, as plain values.

These are plain classes rather than dataclasses: the gates load them on every commit, and a
dataclass costs a fraction of a millisecond each to create."""

from __future__ import annotations

import time
from typing import Any

SEVERITIES = ("error", "warning")


class Violation:
    """`{rule, severity, path, line?, message}`; rule ids are stable and dotted. Immutable."""

    __slots__ = ("line", "message", "path", "rule", "severity")
    rule: str
    message: str
    severity: str
    path: str | None
    line: int | None

    def __init__(
        self,
        rule: str,
        message: str,
        severity: str = "error",
        path: str | None = None,
        line: int | None = None,
    ) -> None:
        if not isinstance(rule, str) or not rule:
            raise ValueError(f"a violation needs a rule id, not {rule!r}")
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {severity!r}")
        if line is not None and (isinstance(line, bool) or not isinstance(line, int)):
            raise ValueError(f"line must be a number, not {line!r}")
        values = {"rule": rule, "message": str(message), "severity": severity, "path": path}
        for name, value in (*values.items(), ("line", line)):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Violation cannot be changed ({name})")

    def _key(self) -> tuple[object, ...]:
        return (self.rule, self.message, self.severity, self.path, self.line)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Violation) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Violation(rule={self.rule!r}, message={self.message!r}, "
            f"severity={self.severity!r}, path={self.path!r}, line={self.line!r})"
        )

    def at(self, severity: str) -> Violation:
        """The same finding at another level."""
        if severity == self.severity:
            return self
        return Violation(self.rule, self.message, severity, self.path, self.line)

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "message": self.message,
        }


class Event:
    """One thing that happened to a feature, as its audit log records it (start, checkpoint,
    validate, promote, revert, remove; and from the supervisor: watch-start, watch-stop,
    batch, reconcile, containment, pause, resume, degraded), offered to observer plugins.
    `data` is the entry's data with its `seq`."""

    __slots__ = ("data", "feature", "kind", "time")

    def __init__(
        self,
        kind: str,
        feature: str,
        data: dict[str, Any] | None = None,
        time: float | None = None,
    ) -> None:
        self.kind = kind
        self.feature = feature
        self.data = data if data is not None else {}
        self.time = _now() if time is None else time

    def __repr__(self) -> str:
        return f"Event(kind={self.kind!r}, feature={self.feature!r}, data={self.data!r})"


def _now() -> float:
    return time.time()
