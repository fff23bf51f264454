"""Durations as people write them: `90s`, `30m`, `12h`, `14d` (a bare number is seconds)."""

from __future__ import annotations

import math
import re

UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw]?)")


def parse_duration(text: str) -> float:
    """Seconds; ValueError naming the accepted forms when `text` is not one."""
    found = _DURATION.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not a duration (write e.g. 90s, 30m, 12h or 14d)")
    seconds = float(found.group(1)) * UNITS[found.group(2) or "s"]
    if not math.isfinite(seconds):
        raise ValueError(f"{text!r} is too long a duration")
    return seconds
