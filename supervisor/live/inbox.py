"""What the watchers reported and nobody has judged yet: per feature, the paths touched and
when the first and the last of them came; and the sign that events were lost.

Events are hints. A path here only says "look again"; what the shadow holds is read when the
batch is judged. Watchdog's threads fill the inbox; the supervisor's loop alone empties it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass
class Pending:
    """The paths one feature's watcher reported since its last batch."""

    paths: set[bytes] = field(default_factory=set)
    first: float = 0.0  # monotonic time of the first event of the batch
    last: float = 0.0  # and of the latest
    dirs: bool = False  # a directory came: the watcher needed new watches


class Inbox:
    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self._lock = threading.Lock()
        self._pending: dict[str, Pending] = {}
        self._lost = False

    def add(self, feature: str, paths: Iterable[bytes], directory: bool = False) -> None:
        now = time.monotonic()
        with self._lock:
            found = self._pending.get(feature)
            if found is None:
                found = self._pending[feature] = Pending(first=now)
            found.paths.update(paths)
            found.last = now
            found.dirs = found.dirs or directory
        self._wake()

    def peek(self, feature: str) -> Pending | None:
        with self._lock:
            found = self._pending.get(feature)
            return None if found is None else Pending(set(found.paths), found.first, found.last)

    def take(self, feature: str) -> Pending | None:
        with self._lock:
            return self._pending.pop(feature, None)

    def features(self) -> list[str]:
        with self._lock:
            return list(self._pending)

    def lose(self) -> None:
        """Events were dropped somewhere (an inotify queue overflow): every feature must be
        reconciled with a full scan."""
        with self._lock:
            self._lost = True
        self._wake()

    def take_lost(self) -> bool:
        with self._lock:
            lost, self._lost = self._lost, False
            return lost
