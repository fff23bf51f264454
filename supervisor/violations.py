"""A violation: what a rule found, where, and how bad."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Violation(BaseModel):
    """`{rule, severity, path, line?, message}`; rule ids are stable and dotted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule: str
    severity: Literal["error", "warning"] = "error"
    path: str | None = None
    line: int | None = None
    message: str
