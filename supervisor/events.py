"""Events: one record per thing that happened to a feature, offered to observer plugins."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    kind: str  # start, checkpoint, validate, promote, revert, remove
    feature: str
    data: dict[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)
