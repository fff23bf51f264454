"""One lock per feature: two processes changing one feature take turns, others never wait."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from supervisor.errors import LockTimeout

DEFAULT_TIMEOUT = 60.0


@contextmanager
def feature_lock(path: Path, feature: str, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout as exc:
        raise LockTimeout(f"feature {feature} is busy: lock {path} held for {timeout:g}s") from exc
    try:
        yield
    finally:
        lock.release()
