"""A requests-per-minute and tokens-per-minute limiter shared by every built-in agent of the
repository: two token buckets in one small JSON file under the supervisor's folder, read and
written under a file lock, so agents of many features (each its own process) draw from the
same minute. A 429's `retry-after` is shared the same way: one agent told to wait holds them
all back until then.

Each bucket holds up to its per-minute limit and refills at a sixtieth of it a second. A
request takes one request and its estimated input tokens; once the response says what it
really used, the difference is settled. A request larger than a whole minute's tokens goes
when the bucket is full, and leaves it owing. Where the file cannot be written (a sandbox that
keeps the agent out of the repository's state), the buckets live in this process alone."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from supervisor.agents.builtin.usage import Limits

LIMITS_FILE = "anthropic-limits.json"
LOCK_TIMEOUT = 30.0
MAX_WAIT = 60.0  # sleep at most this long at once, then look again


class Limiter:
    def __init__(
        self,
        path: Path | None,
        requests_per_minute: int | None,
        tokens_per_minute: int | None,
        log: Callable[[str], None] = lambda _: None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.path = path
        self.caps = {"requests": requests_per_minute, "tokens": tokens_per_minute}
        self.log = log
        self.clock = clock
        self.sleep = sleep
        self.local: dict[str, Any] = {}  # the state when there is no file to share it through

    # what the agent calls -------------------------------------------------------------------
    def acquire(self, tokens: int, limits: Limits) -> None:
        """Wait until one more request of `tokens` fits in the repository's minute (a
        BudgetExhausted when the wait would outlast the wall time)."""
        while True:
            wait = self._update(lambda state, now: _take(state, now, self.caps, tokens))
            if wait <= 0:
                return
            limits.check_time(wait)
            self.log(f"rate limit: waiting {wait:.1f}s")
            self.sleep(min(wait, MAX_WAIT))

    def settle(self, estimated: int, actual: int) -> None:
        """Correct the tokens taken for a request by what it really used."""
        if self.caps["tokens"] is None or actual == estimated:
            return
        self._update(lambda state, now: _owe(state, now, self.caps, actual - estimated))

    def hold(self, seconds: float) -> None:
        """Hold every agent of the repository back for `seconds` (the API said so)."""
        self._update(lambda state, now: _hold(state, now + seconds))

    # the shared state -----------------------------------------------------------------------
    def _update(self, change: Callable[[dict[str, Any], float], float]) -> float:
        if self.path is not None:
            try:
                return self._update_file(self.path, change)
            except (OSError, Timeout, ValueError) as exc:
                self.log(f"rate limits kept in this process only: {self.path}: {exc}")
                self.path = None
        return change(self.local, self.clock())

    def _update_file(self, path: Path, change: Callable[[dict[str, Any], float], float]) -> float:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT, mode=0o600):
            state = _read(path)
            found = change(state, self.clock())
            _write(path, state)
        return found


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except ValueError:
        return {}  # torn or foreign: start the minute afresh
    return data if isinstance(data, dict) else {}


def _write(path: Path, state: dict[str, Any]) -> None:
    temporary = path.with_name(path.name + ".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        json.dump(state, stream)
    os.replace(temporary, path)


def _level(state: dict[str, Any], name: str, cap: int, now: float) -> float:
    """The bucket's level now, refilled since it was last written."""
    level, stamp = state.get(name) or (cap, now)
    level = float(level) + max(0.0, now - float(stamp)) * cap / 60.0
    return min(level, float(cap))


def _take(state: dict[str, Any], now: float, caps: dict[str, int | None], tokens: int) -> float:
    """Take a request of `tokens` from the buckets; 0, or how long to wait before it fits."""
    held = float(state.get("hold", 0.0)) - now
    if held > 0:
        return held
    wanted = {"requests": 1, "tokens": tokens}
    levels: dict[str, float] = {}
    wait = 0.0
    for name, cap in caps.items():
        if cap is None:
            continue
        level = levels[name] = _level(state, name, cap, now)
        need = min(wanted[name], cap)
        if level < need:
            wait = max(wait, (need - level) * 60.0 / cap)
    if wait > 0:
        return wait
    for name, level in levels.items():
        state[name] = [level - wanted[name], now]
    return 0.0


def _owe(state: dict[str, Any], now: float, caps: dict[str, int | None], tokens: int) -> float:
    cap = caps["tokens"]
    if cap is not None:
        state["tokens"] = [_level(state, "tokens", cap, now) - tokens, now]
    return 0.0


def _hold(state: dict[str, Any], until: float) -> float:
    state["hold"] = max(float(state.get("hold", 0.0)), until)
    return 0.0
